#!/usr/bin/env bash
# End-to-end borrowing under a virtual X display, as staff would work:
# create the request in the window (Ctrl+N, typed like a person), receive it
# by scanning a barcode at the RS desk, restart at the pickup desk and scan
# it three times (hold shelf, check out, check in) — the check-out after the
# patron's card, a double read ignored, and once without the card through
# the prompt that confirms the requester — restart at the RS desk and scan it
# to close the request; then check `illdesk show --json`.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-borrowing.sh
#
set -euo pipefail
name=e2e-borrowing
source "$(dirname "$0")/lib.sh"
barcode=39200000777
patron=P-4242

"$bin" --db "$db" partner add NYPL --name "New York Public Library" --loan-days 21 >/dev/null
"$bin" --db "$db" config set pickup-locations "Main Library,Science Library" >/dev/null

# 1. Create the request in the window, typing like a person.
start --desk rs --operator e2e
key ctrl+n
sleep 0.7
xdotool type --delay 15 "Silent Spring"
key Tab Tab Tab # past Author and ISBN
xdotool type --delay 15 "$patron"
key Tab
xdotool type --delay 15 "Grace Hopper"
key Tab
xdotool type --delay 15 "grace@example.edu"
key Tab
xdotool type --delay 15 "Main Library"
key Tab # Pickup has no drop-down button: Tab goes on to Partner
xdotool type --delay 15 "NYPL"
key Return
sleep 0.7
shot "$shots/illdesk-borrowing-confirm.png" "$title"
key Return
wait_log "Borrowing request for “Silent Spring” created for Grace Hopper" 10

# 2. Receive it: at the RS desk a new barcode scanned with the request selected.
scan "$barcode"
wait_log "$barcode received for Grace Hopper" 10
shot "$shots/illdesk-borrowing-received.png" "$title"
stop TERM

# 3. At the pickup desk: hold shelf, check out, check in. The same item read
# again within 3 s is ignored, so reads of it are more than 3 s apart.
start --desk "pickup:Main Library" --operator e2e
scan "$barcode"
wait_log "$barcode on the hold shelf at Main Library" 10
scan "$barcode" # the scanner reads it twice: ignored, nothing checked out
wait_log "Same item read again — ignored." 10
sleep 3.2
# Without the patron's card a check-out asks to confirm the requester;
# Escape cancels it.
scan "$barcode"
sleep 1
shot "$shots/illdesk-borrowing-confirm-requester.png" "$title"
key Escape
wait_log "Check-out cancelled; nothing changed." 10
! grep -q "$barcode checked out" "$log" || fail "the item was checked out without the patron"
sleep 3.2
# The patron's card, then the item: checked out at once.
scan "$patron"
wait_log "Patron Grace Hopper — scan the items to check out." 10
scan "$barcode"
wait_log "$barcode checked out to Grace Hopper" 10
sleep 3.2
scan "$barcode"
wait_log "$barcode checked in" 10
shot "$shots/illdesk-borrowing-pickup.png" "$title"
stop TERM

# 4. Back at the RS desk: close the request.
start --desk rs --operator e2e
scan "$barcode"
wait_log "completed; temporary item deleted" 10
stop TERM

id=$("$bin" --db "$db" list --json --all --side borrowing | grep -o '"id": "[^"]*"' | head -n 1 | cut -d'"' -f4)
[[ -n $id ]] || fail "no borrowing request in the database"
out=$("$bin" --db "$db" show --json "$id")
grep -q '"status": "completed"' <<<"$out" || fail "the request is not completed: $out"
grep -q '"requester": "Grace Hopper"' <<<"$out" || fail "wrong requester: $out"
grep -q "\"patron_id\": \"$patron\"" <<<"$out" || fail "the patron id typed in the form is not kept: $out"
grep -q '"request_number": "B-[0-9]\{4\}-00001"' <<<"$out" || fail "no request number: $out"
for action in create receive hold_shelf checkout checkin complete; do
	grep -q "\"action\": \"$action\"" <<<"$out" || fail "no $action in the history: $out"
done
# The barcode is free again: another request can receive it.
other=$("$bin" --db "$db" borrow new --title Cosmos --requester "Vera Rubin" --pickup "Main Library" --partner NYPL)
"$bin" --db "$db" receive "$other" --barcode "$barcode" >/dev/null || fail "the barcode was not freed"
"$bin" --db "$db" check >"$work/check" || fail "check found problems after the run: $(cat "$work/check")"
echo "PASS $name: created with Ctrl+N, received, hold shelf, double read ignored, check-out prompt cancelled, loaned after the patron's card, returned, completed; screenshots in $shots"
