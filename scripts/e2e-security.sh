#!/usr/bin/env bash
# Two ILL Desk instances that prove who they are to each other: first with
# per-partner bearer tokens over plain HTTP on 127.0.0.1, then with mutual
# TLS (certificates made here with openssl). Between the two, a stranger
# tries what the rules refuse: no token, another partner's token, a
# browser-style cross-site POST; none of it changes anything.
#
# Run from the project root with the binary built (no display needed):
#
#   go build -tags no_emoji -o illdesk ./app && scripts/e2e-security.sh
set -euo pipefail
name=e2e-security
# shellcheck source=scripts/servers.sh
source "$(dirname "$0")/servers.sh"
command -v openssl >/dev/null || fail "openssl is needed to make the test certificates"

pa=$(free_port)
pb=$(free_port)
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf

# The tokens each side presents to the other. Headless, there is no system
# keyring: the token we send a partner is read from ILLDESK_PARTNER_TOKEN_<CODE>.
to_lender=$(openssl rand -hex 32)
to_borrower=$(openssl rand -hex 32)
other=$(openssl rand -hex 32)
A="env ILLDESK_PARTNER_TOKEN_LEND=$to_lender $bin --db $work/borrower/illdesk.db"
B="env ILLDESK_PARTNER_TOKEN_BORROW=$to_borrower $bin --db $work/lender/illdesk.db"

# post URL FILE [CURL OPTIONS...]: POST a message, print the HTTP status.
post() {
	local url=$1 file=$2
	shift 2
	curl -s -o "$work/answer" -w '%{http_code}' --max-time 10 "$@" --data-binary "@$file" "$url" || true
}
# count DB: how many requests the database lists.
count() { $1 list --json --all | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }

$A config set agency-id ISIL:US-BORROW >/dev/null
$A partner add LEND --name "Lending Library" --agency-id ISIL:US-LEND --iso-endpoint "http://127.0.0.1:$pb/" >/dev/null
printf '%s\n' "$to_borrower" | $A partner edit LEND --inbound-token-stdin >/dev/null
$B config set agency-id ISIL:US-LEND >/dev/null
$B config set public-url "http://127.0.0.1:$pb" >/dev/null
$B partner add BORROW --name "Borrowing Library" --agency-id ISIL:US-BORROW --iso-endpoint "http://127.0.0.1:$pa/" --delivery iso >/dev/null
printf '%s\n' "$to_lender" | $B partner edit BORROW --inbound-token-stdin >/dev/null
$B partner add OTHER --name "Other Library" --agency-id ISIL:US-OTHER >/dev/null
printf '%s\n' "$other" | $B partner edit OTHER --inbound-token-stdin >/dev/null
listed=$($B partner list)
grep -q "BORROW.*token" <<<"$listed" || fail "partner list does not show BORROW's inbound token: $listed"

# 1. Bearer tokens over plain HTTP on 127.0.0.1: the request goes out at
# once with the borrower's token and is taken in.
serve lender "$B" "$pb"
id=$($A borrow new --partner LEND --service copy --title "Journal of Documentation" --author "Case, D. O." --requester "Ada Lovelace" --pickup "Main Library")
wait_log "$work/lender.log" "New lending request \"$id-1\" from BORROW" 10
before=$(count "$B")

# A stranger replays it as BORROW: without a token 401, with another
# partner's 403, and from a browser page 403 or 415; nothing changes.
msg=$work/forged.xml
python3 - iso18626/testdata/samples/RequestSample1.xml "$msg" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
ids = r'(<ns1:{}AgencyId>\s*<ns1:agencyIdType[^>]*>ISIL</ns1:agencyIdType>\s*<ns1:agencyIdValue>)OCLC-ABCDE'
s = re.sub(ids.format("requesting"), r"\g<1>US-BORROW", s)
s = re.sub(ids.format("supplying"), r"\g<1>US-LEND", s)
s = s.replace(">my123<", ">FORGED-1<", 1)
open(sys.argv[2], "w").write(s)
PY
xml=(-H "Content-Type: application/xml")
[[ $(post "http://127.0.0.1:$pb/" "$msg" "${xml[@]}") == 401 ]] || fail "a message claiming BORROW without its token was not refused with 401"
[[ $(post "http://127.0.0.1:$pb/" "$msg" "${xml[@]}" -H "Authorization: Bearer $other") == 403 ]] || fail "a message claiming BORROW with OTHER's token was not refused with 403"
[[ $(post "http://127.0.0.1:$pb/" "$msg" -H "Content-Type: text/plain" -H "Origin: https://evil.example") =~ ^(403|415)$ ]] || fail "a browser's cross-site post was not refused"
[[ $(post "http://127.0.0.1:$pb/" "$msg" "${xml[@]}" -H "Authorization: Bearer $to_lender" -H "Sec-Fetch-Site: cross-site") == 403 ]] || fail "a post a browser marks as cross-site was not refused"
[[ $(count "$B") == "$before" ]] || fail "a refused message changed the lender's list"
grep -q "refused a message from" "$work/lender.log" || fail "the refusals are not logged"
if $B show FORGED-1 >/dev/null 2>&1; then fail "the forged request is in the lender's list"; fi

# The lender ships; CopyCompleted reaches the borrower's server with the
# lender's token; the borrower's server refuses the same without it.
halt lender
serve borrower "$A" "$pa"
$B ship "$id-1" "$scan" | tee "$work/ship.out"
grep -q "message CopyCompleted to BORROW: sent" "$work/ship.out" || fail "CopyCompleted was not delivered: $(cat "$work/ship.out")"
wait_log "$work/borrower.log" "reports \"CopyCompleted\"" 10
sed -e 's/US-BORROW/US-SWAP/; s/US-LEND/US-BORROW/; s/US-SWAP/US-LEND/' "$msg" >"$work/as-lender.xml"
[[ $(post "http://127.0.0.1:$pa/" "$work/as-lender.xml" "${xml[@]}") == 401 ]] || fail "a message claiming LEND without its token was not refused by the borrower"
halt borrower

# 2. Mutual TLS. Each library has its own CA: the lender's signs its
# server certificate, the borrower's its client certificate. The borrower
# trusts the lender's server through --server-ca; the lender knows the
# borrower by --client-ca. No token this time: the certificate proves it.
tls=$work/tls
mkdir -p "$tls"
ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$tls/$1.key" -out "$tls/$1.pem" 2>/dev/null; }
cert() { # cert NAME CA EXT
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$tls/$1.key" -out "$tls/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$tls/$1.ext"
	openssl x509 -req -in "$tls/$1.csr" -CA "$tls/$2.pem" -CAkey "$tls/$2.key" -CAcreateserial -days 2 -extfile "$tls/$1.ext" -out "$tls/$1.pem" 2>/dev/null
}
ca lender-ca
ca borrower-ca
ca stranger-ca
cert lender-server lender-ca "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
cert borrower-client borrower-ca "extendedKeyUsage=clientAuth"
cert stranger-client stranger-ca "extendedKeyUsage=clientAuth"

A="$bin --db $work/borrower/illdesk.db" # from now on without a token
$A config set tls-client-cert "$tls/borrower-client.pem" >/dev/null
$A config set tls-client-key "$tls/borrower-client.key" >/dev/null
$A partner edit LEND --iso-endpoint "https://127.0.0.1:$pb/" --server-ca "$tls/lender-ca.pem" >/dev/null
$B partner edit BORROW --client-ca "$tls/borrower-ca.pem" >/dev/null
serve lender "$B" "$pb" --tls-cert "$tls/lender-server.pem" --tls-key "$tls/lender-server.key"
grep -q "Listening on https://" "$work/lender.log" || fail "the lender does not listen with TLS: $(cat "$work/lender.log")"
id2=$($A borrow new --partner LEND --title "Library Trends" --requester "Grace Hopper" --pickup "Main Library")
wait_log "$work/lender.log" "New lending request \"$id2-1\" from BORROW" 10

# Without a client certificate, or with one of a CA the lender does not
# know, the same message is refused; nothing changes.
before=$(count "$B")
tlsargs=(--cacert "$tls/lender-ca.pem" "${xml[@]}")
[[ $(post "https://127.0.0.1:$pb/" "$msg" "${tlsargs[@]}") == 401 ]] || fail "a message claiming BORROW without a client certificate was not refused with 401"
code=$(post "https://127.0.0.1:$pb/" "$msg" "${tlsargs[@]}" --cert "$tls/stranger-client.pem" --key "$tls/stranger-client.key")
[[ $code =~ ^(000|401|403)$ ]] || fail "a client certificate of an unknown CA was answered $code"
code=$(post "https://127.0.0.1:$pb/" "$msg" "${tlsargs[@]}" --cert "$tls/borrower-client.pem" --key "$tls/borrower-client.key")
[[ $code == 200 ]] || fail "the borrower's own certificate was answered $code"
grep -q "messageStatus>OK<" "$work/answer" || fail "the borrower's certificate did not get an OK confirmation: $(cat "$work/answer")"
[[ $(count "$B") == $((before + 1)) ]] || fail "the message proven by the borrower's certificate did not make one request"
# a plain-HTTP caller gets no answer from the TLS listener
[[ $(post "http://127.0.0.1:$pb/" "$msg" "${xml[@]}") != 200 ]] || fail "the TLS listener answered plain HTTP"
halt lender

# 3. serve refuses what would be unsafe: plain HTTP on an address other
# than loopback, and no agency id.
if $B serve --listen "0.0.0.0:$pb" >"$work/refused.log" 2>&1; then fail "serve listened without TLS on 0.0.0.0"; fi
grep -qi "tls\|loopback" "$work/refused.log" || fail "serve's refusal of plain HTTP says why: $(cat "$work/refused.log")"
C="$bin --db $work/none/illdesk.db"
if $C serve --listen "127.0.0.1:$pb" >"$work/noagency.log" 2>&1; then fail "serve started without an agency id"; fi
grep -q "agency" "$work/noagency.log" || fail "serve's refusal without an agency id says why: $(cat "$work/noagency.log")"
echo "PASS $name: bearer tokens and mutual TLS between two instances; forged, cross-site and unproven messages refused"
