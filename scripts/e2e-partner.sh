#!/usr/bin/env bash
# Three ILL Desk instances as full ISO 18626 partners on 127.0.0.1: BORROW
# borrows from the lenders LEND and LEND2, each running `serve`, every
# step on the command line (through the running server's socket).
#
#   1. a book borrowed from LEND: Loaned, received by the lender's item id,
#      hold shelf, checked out, a renewal granted and one refused, returned
#      (ShippedReturn), checked in by LEND, completed by LoanCompleted;
#   2. a rota: LEND2 says Unfilled, LEND is asked next and lends; LEND2 sits
#      behind a proxy that answers HTTP 500 for a while, and nothing is lost;
#   3. a copy: LEND ships, BORROW fetches it from the link and emails it to
#      the patron;
#   4. RetryPossible: corrected and sent again as a Retry, linked at LEND;
#   5. a Cancel answered yes, and one answered no (LEND had already shipped);
#   6. a message BORROW refuses: only its own request waits at LEND, the
#      other requests to BORROW keep flowing.
#
# Run from the project root with the binary built (no display needed):
#
#   go build -tags no_emoji -o illdesk ./app && scripts/e2e-partner.sh
set -euo pipefail
name=e2e-partner
# shellcheck source=scripts/servers.sh
source "$(dirname "$0")/servers.sh"
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
# Failed sends are tried again after 1 s, 2 s, 4 s… instead of minutes.
export ILLDESK_RETRY_BACKOFF=1s

pa=$(free_port)
pb=$(free_port)
pc=$(free_port)
pp=$(free_port)
A="$bin --db $work/borrower/illdesk.db"
B="$bin --db $work/lender/illdesk.db"
C="$bin --db $work/lender2/illdesk.db"

# field DB REF EXPR: a Python expression over the request's show --json (v).
field() { $1 show --json "$2" | python3 -c "import json, sys; v = json.load(sys.stdin); print($3)"; }
# wait_for DB REF EXPR WANT SECONDS: until field prints WANT.
wait_for() {
	local deadline=$((SECONDS + $5)) got
	while :; do
		got=$(field "$1" "$2" "$3")
		[[ $got == "$4" ]] && return 0
		((SECONDS < deadline)) || fail "$2: $3 is \"$got\", not \"$4\", after $5 s"
		sleep 0.3
	done
}
# attempt REF N: the request id of BORROW's N-th attempt (from 0), as the
# lender knows the request.
attempt() { field "$A" "$1" "v['lenders'][$2]['request_id']"; }
# history_has DB REF TEXT. The output is read whole before it is searched:
# with pipefail, `show | grep -q` fails when grep stops reading at its match
# and show is cut off writing the rest.
history_has() {
	local out
	out=$($1 show "$2")
	grep -qF -- "$3" <<<"$out" || fail "$2 at $1: no \"$3\" in its history: $out"
}

$A config set agency-id ISIL:US-BORROW >/dev/null
$A config set library-name "Borrowing Library" >/dev/null
$A config set library-email ill@borrow.example.org >/dev/null
$A config set public-url "http://127.0.0.1:$pa" >/dev/null
$A config set pickup-address "Main Library=1 Library Way, Springfield" >/dev/null
$A partner add LEND --name "Lending Library" --agency-id ISIL:US-LEND --iso-endpoint "http://127.0.0.1:$pb/" >/dev/null
$A partner add LEND2 --name "Second Lender" --agency-id ISIL:US-LEND2 --iso-endpoint "http://127.0.0.1:$pp/" >/dev/null
for L in "$B" "$C"; do
	$L partner add BORROW --name "Borrowing Library" --agency-id ISIL:US-BORROW --iso-endpoint "http://127.0.0.1:$pa/" --delivery iso >/dev/null
done
$B config set agency-id ISIL:US-LEND >/dev/null
$B config set public-url "http://127.0.0.1:$pb" >/dev/null
$C config set agency-id ISIL:US-LEND2 >/dev/null

# LEND2 is reached through a proxy that answers its first three posts with
# HTTP 500, as a lender under maintenance does.
cat >"$work/proxy.py" <<'PY'
import http.server, sys, urllib.request
listen, target = int(sys.argv[1]), int(sys.argv[2])
failing = [3]
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if failing[0] > 0:
            failing[0] -= 1
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"down for maintenance")
            return
        req = urllib.request.Request("http://127.0.0.1:%d/" % target, data=body,
                                     headers={"Content-Type": self.headers["Content-Type"]})
        with urllib.request.urlopen(req, timeout=10) as r:
            out = r.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(out)
http.server.HTTPServer(("127.0.0.1", listen), Proxy).serve_forever()
PY
python3 "$work/proxy.py" "$pp" "$pc" >"$work/proxy.log" 2>&1 &
pids+=($!)

serve borrower "$A" "$pa"
serve lender "$B" "$pb"
serve lender2 "$C" "$pc"

# 1. A book: the Request goes out at once and LEND confirms it.
book=$($A borrow new --partner LEND --title "Silent Spring" --author "Carson, Rachel" --isbn 9780618249060 \
	--requester "Ada Lovelace" --requester-email ada@example.org --pickup "Main Library" --partner-note "Any edition")
wait_for "$A" "$book" "v['status']" requested 10
lb=$(attempt "$book" 0)
wait_for "$B" "$lb" "v['status']" created 10
[[ $(field "$B" "$lb" "v['service_type']") == Loan ]] || fail "LEND was not asked for a loan"
[[ $(field "$B" "$lb" "v.get('internal_note', '')") == "Requester note: Any edition" ]] || fail "the note to the lender did not arrive"
$B pick "$lb" --to rs --item-barcode 39100001 >/dev/null
$B scan --desk rs 39100001 39100001 | tee "$work/lend.out"
grep -q "Loaned sent" "$work/lend.out" || fail "LEND did not lend the book: $(cat "$work/lend.out")"
wait_for "$A" "$book" "v['status']" shipped_to_us 10
[[ $(field "$A" "$book" "v['lender_item_id']") == 39100001 ]] || fail "the lender's item id was not recorded"
lender_due=$(field "$A" "$book" "v['lender_due_date'][:10]")

# Received by the lender's item id at our RS desk; the patron takes it out.
$A scan --desk rs 39100001
wait_for "$A" "$book" "v['status']" received 5
$A scan --desk "pickup:Main Library" 39100001 39100001 >/dev/null
wait_for "$A" "$book" "v['status']" loaned 5
wait_log "$work/lender.log" "reports \"Received\"\|Received" 10

# Renewals: LEND grants one (its default policy), then says no.
$A renew "$book" >/dev/null
wait_for "$A" "$book" "v['lender_due_date'][:10] != '$lender_due'" True 10
renewed=$(field "$A" "$book" "v['lender_due_date'][:10]")
$A renew "$book" >/dev/null
wait_for "$A" "$book" "sum('RenewResponse' in e.get('note', '') for e in v['history'])" 2 10
[[ $(field "$A" "$book" "v['lender_due_date'][:10]") == "$renewed" ]] || fail "a refused renewal moved the lender's due date"

# Returned by the patron, sent back: LEND checks it in, LoanCompleted closes ours.
$A scan --desk "pickup:Main Library" 39100001 >/dev/null
$A scan --desk rs 39100001 >/dev/null
wait_for "$A" "$book" "v['status']" returned_to_lender 5
wait_for "$B" "$lb" "v['status']" return_in_transit 10
$B scan --desk rs 39100001 | tee "$work/checkin.out"
grep -q "LoanCompleted sent" "$work/checkin.out" || fail "LEND did not check the book in: $(cat "$work/checkin.out")"
wait_for "$B" "$lb" "v['status']" returned 5
wait_for "$A" "$book" "v['status']" completed 10

# 2. A rota: LEND2 (behind the failing proxy) says Unfilled; LEND lends.
rota=$($A borrow new --partner LEND2 --partner LEND --title "The Sea Around Us" --author "Carson, Rachel" \
	--requester "Ada Lovelace" --requester-email ada@example.org --pickup "Main Library")
out=$($A outbox list)
grep -q "retrying.*500" <<<"$out" || fail "the proxy's 500 is not a retry: $out"
wait_for "$A" "$rota" "v['status']" requested 30
l2=$(attempt "$rota" 0)
wait_for "$C" "$l2" "v['status']" created 10
$C reject "$l2" --reason NotHeld --partner-note "Not in our collection" >/dev/null
wait_for "$A" "$rota" "len(v['lenders'])" 2 10
[[ $(field "$A" "$rota" "v['lenders'][0]['outcome']") == Unfilled ]] || fail "LEND2's attempt is not unfilled"
[[ $(field "$A" "$rota" "v['current_lender']") == LEND ]] || fail "LEND was not asked next"
lr=$(attempt "$rota" 1)
wait_for "$B" "$lr" "v['status']" created 10
$B pick "$lr" --to rs --item-barcode 39100002 >/dev/null
$B scan --desk rs 39100002 39100002 >/dev/null
wait_for "$A" "$rota" "v['status']" shipped_to_us 10
$A outbox send >/dev/null || fail "messages to LEND2 are still not sent after it recovered: $($A outbox list)"

# 6 (first half). A message BORROW cannot place: LEND's Unfilled for a
# request its staff typed in from an email. BORROW answers ERROR.
$B lend new --partner BORROW --external-id PHONE-1 --title "Asked by telephone" >/dev/null
$B reject PHONE-1 --reason NotHeld | tee "$work/refused.out"
grep -q "message Unfilled to BORROW: refused: the partner answered ERROR" "$work/refused.out" || fail "the refusal was not reported: $(cat "$work/refused.out")"

# 3. A copy, to the same partner: it flows although PHONE-1's message is refused.
copy=$($A borrow new --partner LEND --title "Journal of Documentation" --article-title "Information seeking" \
	--pages 1-3 --year 2012 --requester "Ada Lovelace" --requester-email ada@example.org --pickup "Main Library")
lc=$(attempt "$copy" 0)
wait_for "$B" "$lc" "v['service_type']" Copy 10
$B ship "$lc" "$scan" | tee "$work/ship.out"
grep -q "message CopyCompleted to BORROW: sent" "$work/ship.out" || fail "CopyCompleted was not delivered: $(cat "$work/ship.out")"
wait_for "$A" "$copy" "v['status']" completed 20
[[ $(field "$A" "$copy" "v['shipped_file']['sha256'] if v.get('shipped_file') else ''") == $(sha256sum "$scan" | cut -d' ' -f1) ]] ||
	fail "the fetched copy is not the file LEND shipped: $($A show --json "$copy")"
grep -lq "ada@example.org" "$work"/borrower/work/outbox/*.eml || fail "the copy was not emailed to the patron"

# 6 (second half). Only PHONE-1's message waits; outbox send names it.
out=$($B outbox list --json)
python3 - "$out" <<'PY' || fail "LEND's outbox is not as expected: $out"
import json, sys
msgs = json.loads(sys.argv[1])["messages"]
refused = [m for m in msgs if m["status"] == "refused"]
assert len(refused) == 1 and refused[0]["ref"] == "PHONE-1", refused
assert all(m["status"] == "sent" for m in msgs if m["ref"] != "PHONE-1")
PY
if $B outbox send 2>"$work/send.err"; then fail "outbox send exited 0 with a refused message"; fi
grep -q "Unfilled of PHONE-1 to BORROW" "$work/send.err" || fail "outbox send did not name the refused message: $(cat "$work/send.err")"
refused_id=$($B outbox list --json | python3 -c 'import json, sys; print([m["id"] for m in json.load(sys.stdin)["messages"] if m["status"] == "refused"][0])')
$B outbox drop "$refused_id" --note "typed in by mistake; the library was told by telephone" >/dev/null
$B outbox send >/dev/null || fail "outbox send still fails after the drop"

# 4. RetryPossible: LEND cannot place the citation; BORROW corrects it.
wrong=$($A borrow new --partner LEND --title "Silent Sprung" --author "Carson, Rachel" \
	--requester "Ada Lovelace" --requester-email ada@example.org --pickup "Main Library")
lw=$(attempt "$wrong" 0)
wait_for "$B" "$lw" "v['status']" created 10
$B bad-citation "$lw" --partner-note "No such title: check the spelling" >/dev/null
wait_for "$A" "$wrong" "v['status']" retry_possible 10
history_has "$A" "$wrong" "check the spelling"
$A resend "$wrong" --title "Silent Spring" >/dev/null
wait_for "$A" "$wrong" "len(v['lenders'])" 2 10
lw2=$(attempt "$wrong" 1)
wait_for "$B" "$lw2" "v['title']" "Silent Spring" 10
[[ -n $(field "$B" "$lw2" "v.get('retry_of', '')") ]] || fail "LEND did not link the Retry to the request it retries"
wait_for "$A" "$wrong" "v['status']" requested 10

# 5. Cancel answered yes: LEND has not started.
yes=$($A borrow new --partner LEND --title "Under the Sea Wind" --requester "Ada Lovelace" --pickup "Main Library")
wait_for "$A" "$yes" "v['status']" requested 10
$A cancel "$yes" >/dev/null
wait_for "$A" "$yes" "v['status']" cancelled 10
wait_for "$B" "$(attempt "$yes" 0)" "v['status']" cancelled 10

# Cancel answered no: LEND ships while BORROW's server is down, so the
# Cancel crosses the CopyCompleted; LEND says no, and the copy still comes.
no=$($A borrow new --partner LEND --title "Lost Woods" --article-title "The edge of the sea" --pages 5-7 \
	--requester "Ada Lovelace" --requester-email ada@example.org --pickup "Main Library")
wait_for "$A" "$no" "v['status']" requested 10
ln=$(attempt "$no" 0)
halt borrower
$B ship "$ln" "$scan" >/dev/null
$A cancel "$no" >/dev/null
serve borrower "$A" "$pa"
wait_for "$B" "$ln" "v['status']" shipped_digitally 5
wait_for "$A" "$no" "v['status']" completed 30
history_has "$A" "$no" "CancelResponse"

halt borrower
halt lender
halt lender2
echo "PASS $name: a book borrowed, renewed (yes, then no), returned and completed by LoanCompleted; a rota past Unfilled and a lender's 500s; a copy fetched and emailed; RetryPossible resent as a linked Retry; Cancel yes and no; a refused message that held up nothing else"
