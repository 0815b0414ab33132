#!/usr/bin/env bash
# End-to-end with the library's own systems, no display needed: a Zebra
# SRU catalogue (scripts/zebra.sh) and the stand-in ILS over NCIP
# (internal/ncipstub). A lending request shows the catalogue's holdings in
# `show --json`; a borrowing request with a patron id goes through
# receive, hold shelf, check-out, return and completion, and the ILS sees
# AcceptItem, CheckOutItem, CheckInItem and DeleteItem in that order; a
# book we lend is checked out to the partner's ILL patron record when lent,
# looked up when scanned back in at the RS desk, and checked in: the ILS
# sees CheckOutItem, LookupItem and CheckInItem in that order. Then the ILS
# is stopped with ncip-unreachable queue: a receipt goes ahead, and once
# the ILS is back `outbox send` sends the queued AcceptItem.
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && scripts/e2e-library.sh
#
# Env: ILLDESK_BIN (default ./illdesk). Needs go, idzebra-2.0 and yaz.
set -euo pipefail
name=e2e-library
source "$(dirname "$0")/servers.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
db=("$bin" --db "$work/desk.db")

# The catalogue.
sru_port=$(free_port)
"$root/scripts/zebra.sh" "$work/zebra" "$sru_port" >"$work/zebra.log" 2>&1 &
pids+=($!)
sru="http://127.0.0.1:$sru_port/Default"
wait_log "$work/zebra.log" "$sru" 30
"${db[@]}" config set sru-url "$sru" >/dev/null
deadline=$((SECONDS + 20))
until "${db[@]}" config test sru >/dev/null 2>&1; do
	((SECONDS < deadline)) || fail "Zebra did not answer at $sru"
	sleep 0.2
done

# The ILS.
(cd "$root" && go build -o "$work/ncipstub" ./internal/ncipstub/cmd/ncipstub)
ils_port=$(free_port)
"$work/ncipstub" --listen "127.0.0.1:$ils_port" --calls "$work/ils.calls" >"$work/ils.log" 2>&1 &
pids+=($!)
ils_pid=$!
wait_log "$work/ils.log" "http://127.0.0.1:$ils_port" 10
ils=$(head -n 1 "$work/ils.log")
"${db[@]}" config set ncip-url "$ils" >/dev/null
"${db[@]}" config set ncip-from-agency ILLDESK >/dev/null
"${db[@]}" config set ncip-to-agency MAIN >/dev/null
"${db[@]}" config set ncip-steps accept,checkout,checkin,delete >/dev/null
"${db[@]}" config set ncip-pickup-codes "Main Library=MAIN" >/dev/null
"${db[@]}" config test ncip >/dev/null || fail "the stand-in ILS did not answer at $ils"

# A lending request: its holdings come from the catalogue as it is made.
"${db[@]}" partner add RAPID --name RapidILL >/dev/null
"${db[@]}" lend new --partner RAPID --external-id L1 --title "Introduction to algorithms" \
	--isbn 9780262046305 >/dev/null
"${db[@]}" show --json L1 | python3 -c '
import json, sys
v = json.load(sys.stdin)
locs = [h["location"] for h in v.get("holdings") or []]
sys.exit(0 if "Main Library Stacks" in locs else "holdings of L1: %r" % locs)' ||
	fail "the lending request shows no holdings in Main Library Stacks"

# A borrowing request for patron P100, through the ILS's steps.
: >"$work/ils.calls"
"${db[@]}" partner add LOCAL --name "Neighbour library" >/dev/null
id=$("${db[@]}" borrow new --partner LOCAL --title "A borrowed book" --pickup "Main Library" --patron-id P100)
barcode=39200000888
"${db[@]}" receive "$id" --barcode "$barcode" >/dev/null
for step in hold-shelf check-out return; do
	"${db[@]}" scan --desk "pickup:Main Library" "$barcode" >/dev/null || fail "the $step scan was refused"
done
"${db[@]}" scan --desk rs "$barcode" >/dev/null || fail "the completing scan was refused"
status=$("${db[@]}" show --json "$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
[[ $status == completed ]] || fail "the borrowing request is $status, not completed"
calls=$(grep -v '^LookupUser$' "$work/ils.calls" | tr '\n' ' ')
[[ $calls == "AcceptItem CheckOutItem CheckInItem DeleteItem " ]] ||
	fail "the ILS saw \"$calls\", not AcceptItem CheckOutItem CheckInItem DeleteItem"
grep -q '^ERROR' "$work/ils.calls" && fail "the ILS saw a wrong request: $(grep '^ERROR' "$work/ils.calls")"

# A book we lend to RAPID, whose ILL patron record in the ILS is ILL-RAPID.
: >"$work/ils.calls"
"${db[@]}" config set ncip-steps accept,checkout,checkin,delete,lend-checkout,lend-checkin,lookup-item >/dev/null
"${db[@]}" partner edit RAPID --ils-patron-id ILL-RAPID >/dev/null
"${db[@]}" lend new --partner RAPID --external-id L2 --title Middlemarch --service loan \
	--item-barcode 39001000000017 >/dev/null
out=$("${db[@]}" loan L2) || fail "the loan was refused"
[[ $out == *"The ILS was not told"* ]] && fail "the loan was not told to the ILS: $out"
out=$("${db[@]}" scan --desk rs 39001000000017) || fail "the check-in scan was refused"
[[ $out == *"The ILS has item 39001000000017 as “Middlemarch”."* ]] ||
	fail "the check-in scan does not show the ILS's title: $out"
status=$("${db[@]}" show --json L2 | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
[[ $status == returned ]] || fail "the lent book is $status, not returned"
calls=$(tr '\n' ' ' <"$work/ils.calls")
[[ $calls == "CheckOutItem LookupItem CheckInItem " ]] ||
	fail "the ILS saw \"$calls\", not CheckOutItem LookupItem CheckInItem"

# The ILS goes down: with ncip-unreachable queue a receipt goes ahead and
# its AcceptItem waits in the queue, retried after a short back-off.
kill -TERM "$ils_pid"
wait "$ils_pid" || fail "the stand-in ILS saw a wrong request: $(cat "$work/ils.log")"
"${db[@]}" config set ncip-unreachable queue >/dev/null
export ILLDESK_RETRY_BACKOFF=1s
id=$("${db[@]}" borrow new --partner LOCAL --title "A book borrowed while the ILS is down" \
	--requester "Ada Lovelace" --pickup "Main Library" --patron-id P100 2>/dev/null)
out=$("${db[@]}" receive "$id" --barcode 39200000999) || fail "the receipt was refused while the ILS is down"
[[ $out == *"ILS call AcceptItem of item 39200000999: retrying"* ]] || fail "the receipt did not say its AcceptItem is queued: $out"
queued() {
	"${db[@]}" ils queue list --json | python3 -c '
import json, sys
print(" ".join(c["call"] + ":" + c["status"] for c in json.load(sys.stdin)["calls"] if c["item_barcode"] == "39200000999"))'
}
[[ $(queued) == "AcceptItem:retrying" ]] || fail "the ILS queue holds \"$(queued)\", not a retrying AcceptItem"

# The ILS is back: the dispatcher sends the queued call.
: >"$work/ils.calls"
"$work/ncipstub" --listen "127.0.0.1:$ils_port" --calls "$work/ils.calls" >"$work/ils2.log" 2>&1 &
pids+=($!)
wait_log "$work/ils2.log" "http://127.0.0.1:$ils_port" 10
sleep 1.5 # the back-off
"${db[@]}" outbox send >/dev/null || fail "outbox send did not send the queued AcceptItem"
[[ $(queued) == "AcceptItem:sent" ]] || fail "the ILS queue holds \"$(queued)\", not a sent AcceptItem"
calls=$(tr '\n' ' ' <"$work/ils.calls")
[[ $calls == "AcceptItem " ]] || fail "the ILS back up saw \"$calls\", not AcceptItem"
echo "PASS $name"
