#!/usr/bin/env bash
# End-to-end borrowing under a virtual X display, as staff would work:
# create the request in the window (Ctrl+N, typed like a person), receive it
# by scanning a barcode at the RS desk, restart at the pickup desk and scan
# it three times (hold shelf, check out, check in), restart at the RS desk
# and scan it to close the request; then check `illdesk show --json`.
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-borrowing.sh
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp).
set -euo pipefail

bin=${ILLDESK_BIN:-./illdesk}
shots=${SHOT_DIR:-/tmp}
title="ILL Desk"
barcode=39200000777

fail() {
	echo "FAIL e2e-borrowing: $*" >&2
	exit 1
}
command -v wait-window >/dev/null || { echo "run me under ../shared/tools/gui/session" >&2; exit 2; }
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"

work=$(mktemp -d)
export XDG_CONFIG_HOME=$work/config
db=$work/illdesk.db
log=$work/window.log
app_pid=
cleanup() {
	local status=$?
	[[ -n $app_pid ]] && kill -KILL "$app_pid" 2>/dev/null
	if ((status != 0)) && [[ -s $log ]]; then
		echo "--- window log ---" >&2
		tail -n 40 "$log" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT

wait_log() {
	local deadline=$((SECONDS + $2))
	until grep -q -- "$1" "$log"; do
		((SECONDS < deadline)) || fail "the window did not log \"$1\" within $2 s"
		sleep 0.1
	done
}

# start DESK: open the window at a desk and wait until it is ready for scans.
start() {
	: >"$log"
	"$bin" --db "$db" --desk "$1" --operator e2e >"$log" 2>&1 &
	app_pid=$!
	wait-window "$title" 60 >/dev/null || fail "no window named \"$title\" within 60 s"
	sleep 1
}

stop() {
	kill -TERM "$app_pid"
	local status=0
	wait "$app_pid" || status=$?
	app_pid=
	((status == 0)) || fail "ILL Desk exited with status $status after SIGTERM"
}

"$bin" --db "$db" partner add NYPL --name "New York Public Library" --loan-days 21 >/dev/null
"$bin" --db "$db" config set pickup-locations "Main Library,Science Library" >/dev/null

# 1. Create the request in the window, typing like a person.
start rs
key ctrl+n
sleep 0.7
xdotool type --delay 15 "Silent Spring"
key Tab Tab Tab
xdotool type --delay 15 "Grace Hopper"
key Tab
xdotool type --delay 15 "grace@example.edu"
key Tab
xdotool type --delay 15 "Main Library"
key Tab Tab # past the pickup list's drop-down button
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
stop

# 3. At the pickup desk: hold shelf, check out, check in.
start "pickup:Main Library"
scan "$barcode"
wait_log "$barcode on the hold shelf at Main Library" 10
scan "$barcode"
wait_log "$barcode checked out to Grace Hopper" 10
scan "$barcode"
wait_log "$barcode checked in" 10
shot "$shots/illdesk-borrowing-pickup.png" "$title"
stop

# 4. Back at the RS desk: close the request.
start rs
scan "$barcode"
wait_log "request .* completed" 10 2>/dev/null || wait_log "completed; temporary item deleted" 10
stop

id=$("$bin" --db "$db" list --json --all --side borrowing | grep -o '"id": "[^"]*"' | head -n 1 | cut -d'"' -f4)
[[ -n $id ]] || fail "no borrowing request in the database"
out=$("$bin" --db "$db" show --json "$id")
grep -q '"status": "completed"' <<<"$out" || fail "the request is not completed: $out"
grep -q '"requester": "Grace Hopper"' <<<"$out" || fail "wrong requester: $out"
for action in create receive hold_shelf checkout checkin complete; do
	grep -q "\"action\": \"$action\"" <<<"$out" || fail "no $action in the history: $out"
done
# The barcode is free again: another request can receive it.
other=$("$bin" --db "$db" borrow new --title Cosmos --requester "Vera Rubin" --pickup "Main Library" --partner NYPL)
"$bin" --db "$db" receive "$other" --barcode "$barcode" >/dev/null || fail "the barcode was not freed"
echo "PASS e2e-borrowing: created with Ctrl+N, received, hold shelf, loaned, returned, completed; screenshots in $shots"
