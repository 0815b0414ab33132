#!/usr/bin/env bash
# Two ILL Desk instances talking ISO 18626 over HTTP on 127.0.0.1: one
# borrows, the other lends. The borrower records a request for the lender,
# which is posted at once to the lender's `serve`; the lender ships a
# scan; the borrower receives CopyCompleted with the download link, the
# link serves the shipped PDF, and once revoked it answers 404. A request
# from an unknown agency waits in the lender's quarantine until staff
# accept it.
#
# Run from the project root with the binary built (no display needed):
#
#   go build -tags no_emoji -o illdesk ./app && scripts/e2e-iso18626.sh
set -euo pipefail
name=e2e-iso18626
# shellcheck source=scripts/servers.sh
source "$(dirname "$0")/servers.sh"
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf

pa=$(free_port)
pb=$(free_port)
A="$bin --db $work/borrower/illdesk.db"
B="$bin --db $work/lender/illdesk.db"

$A config set agency-id ISIL:US-BORROW >/dev/null
$A partner add LEND --name "Lending Library" --agency-id ISIL:US-LEND --iso-endpoint "http://127.0.0.1:$pb/" >/dev/null
$B config set agency-id ISIL:US-LEND >/dev/null
$B config set public-url "http://127.0.0.1:$pb" >/dev/null
$B partner add BORROW --name "Borrowing Library" --agency-id ISIL:US-BORROW --iso-endpoint "http://127.0.0.1:$pa/" --delivery iso >/dev/null

# The lender's server runs; recording the request sends it at once.
serve lender "$B" "$pb"
id=$($A borrow new --partner LEND --service copy --title "Journal of Documentation" --author "Case, D. O." --requester "Ada Lovelace" --pickup "Main Library")
wait_log "$work/lender.log" "New lending request \"$id-1\" from BORROW" 10
halt lender
serve borrower "$A" "$pa"

out=$($B show --json "$id-1")
grep -q '"status": "created"' <<<"$out" || fail "the lender has no new lending request $id-1: $out"
grep -q '"title": "Journal of Documentation"' <<<"$out" || fail "the citation did not arrive: $out"

# The lender ships; ship sends CopyCompleted at once to the borrower's server.
$B ship "$id-1" "$scan" | tee "$work/ship.out"
grep -q "message CopyCompleted to BORROW: sent" "$work/ship.out" || fail "CopyCompleted was not delivered: $(cat "$work/ship.out")"
wait_log "$work/borrower.log" "reports \"CopyCompleted\"" 10

# The download link in the message serves the shipped file.
serve lender "$B" "$pb"
halt borrower
hist=$($A show --json "$id")
grep -q "RequestResponse / CopyCompleted" <<<"$hist" || fail "the borrower's history has no CopyCompleted: $hist"
url=$(grep -o "http://127.0.0.1:$pb/files/[A-Za-z0-9_-]*" <<<"$hist" | head -n 1)
[[ -n $url ]] || fail "no download link in the borrower's history: $hist"
python3 - "$url" "$scan" <<'PY' || fail "the download link did not serve the shipped PDF"
import sys, urllib.request
got = urllib.request.urlopen(sys.argv[1], timeout=10).read()
sys.exit(0 if got == open(sys.argv[2], "rb").read() else 1)
PY

# Revoked, the link answers 404, as a link that never existed does.
out=$($B link revoke "$id-1")
grep -q "is revoked" <<<"$out" || fail "link revoke did not revoke the link: $out"
python3 - "$url" <<'PY' || fail "the revoked link still served the file"
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 404 else 1)
sys.exit(1)
PY

# A request from an agency that is none of the lender's partners is held,
# answered OK, until staff accept the agency (here over the running
# server's socket); only then is it a partner and the request in the list.
python3 - "http://127.0.0.1:$pb/" iso18626/testdata/samples/RequestSample1.xml <<'PY' || fail "the stranger's request was not answered OK"
import re, sys, urllib.request
s = open(sys.argv[2]).read()
ids = r'(<ns1:{}AgencyId>\s*<ns1:agencyIdType[^>]*>ISIL</ns1:agencyIdType>\s*<ns1:agencyIdValue>)OCLC-ABCDE'
s = re.sub(ids.format("requesting"), r"\g<1>XX-STRANGER", s)
s = re.sub(ids.format("supplying"), r"\g<1>US-LEND", s)
s = s.replace(">my123<", ">STRANGER-1<", 1)
req = urllib.request.Request(sys.argv[1], data=s.encode(), headers={"Content-Type": "application/xml"})
sys.exit(0 if "messageStatus>OK<" in urllib.request.urlopen(req, timeout=10).read().decode() else 1)
PY
held=$($B quarantine list --json)
grep -q '"agency": "ISIL:XX-STRANGER"' <<<"$held" || fail "the stranger's request is not held: $held"
listed=$($B list --all)
if grep -q STRANGER-1 <<<"$listed"; then fail "a held request is in the list"; fi
ref=$(python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["ref"])' <<<"$held")
$B quarantine accept "$ref" | tee "$work/accept.out"
grep -q 'Accepted "ISIL:XX-STRANGER" as partner XX-STRANGER' "$work/accept.out" || fail "accept said: $(cat "$work/accept.out")"
out=$($B show --json STRANGER-1)
grep -q '"status": "created"' <<<"$out" || fail "the accepted request is not in the list: $out"
halt lender
echo "PASS $name: request over HTTP, shipped, CopyCompleted received, file downloaded from the link, link revoked, a stranger's request held until accepted"
