#!/usr/bin/env bash
# End-to-end: the command line works while the window has the database open.
# The window is opened on a database; then, from a "terminal" (another
# folder), illdesk commands on the same database run in the window's
# process: list, lend new, pick, scan, ship with a PDF given by a relative
# path, a refused scan, a command line not understood, backup; a second
# serve and restore are refused. Each command's output and exit status are
# checked, and the window shows each change within a second: a screenshot a
# second later differs from the one before, and a scan dropped on the
# window right after `lend new` is taken for the new request, which only a
# window that has it in its list does.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-socket.sh
set -euo pipefail
name=e2e-socket
source "$(dirname "$0")/lib.sh"

scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
[[ -f $scan ]] || fail "missing test scan $scan"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") # the terminal runs it from elsewhere
# a runtime folder of this run's own, so that the socket can be looked at
export XDG_RUNTIME_DIR=$work/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
terminal=$work/terminal
mkdir "$terminal" "$work/drop"
cp "$scan" "$terminal/scan.pdf"
cp "$scan" "$work/drop/18840311.pdf"

# cli STATUS ARGS...: run illdesk on $db from the terminal's folder and
# require the exit status; its stdout is in $out and stderr in $err.
cli() {
	local want=$1 status=0
	shift
	out=$(cd "$terminal" && "$bin" --db "$db" "$@" 2>"$work/stderr") || status=$?
	err=$(cat "$work/stderr")
	((status == want)) || fail "illdesk $* exited $status, not $want: $out $err"
}

# changed BEFORE.png AFTER.png: the window looks different (more than a
# blinking cursor's worth of pixels).
changed() {
	local n
	n=$(compare -metric AE "$1" "$2" null: 2>&1 || true)
	n=${n%% *}
	[[ $n =~ ^[0-9]+$ ]] || fail "cannot compare $1 and $2: $n"
	((n > 2000)) || fail "the window did not change within a second ($n pixels differ between $1 and $2)"
}

"$bin" --db "$db" partner add RAPID --name RapidILL >/dev/null

start --desk rs --operator e2e
ls "$XDG_RUNTIME_DIR"/illdesk/*.sock >/dev/null 2>&1 || fail "the window made no socket in $XDG_RUNTIME_DIR/illdesk"
shot "$shots/illdesk-socket-empty.png" "$title"

cli 0 list --json
[[ $out == "[]" ]] || fail "list --json on the empty database printed: $out"

cli 0 lend new --partner RAPID --external-id 18840311 --title "Forwarded Quarterly" --pages 1-3 --item-barcode 39000042
[[ $out =~ ^[0-9a-f-]{36}$ ]] || fail "lend new did not print the new request's id: $out"
sleep 1
shot "$shots/illdesk-socket-lent.png" "$title"
changed "$shots/illdesk-socket-empty.png" "$shots/illdesk-socket-lent.png"
# A scan named after the request is taken for it only when the window lists it.
drop "$work/drop/18840311.pdf" --to 500 400 --window "$title" || fail "the drop was not accepted"
wait_log "18840311: scan checked: accept" 20

cli 0 pick 18840311 --to rs
[[ $out == *"18840311: Pick From Shelf requested"* ]] || fail "pick printed: $out"
cli 0 scan --desk rs 39000042
[[ $out == "39000042 arrived for request 18840311 — scan and ship it." ]] || fail "scan printed: $out"
cli 1 scan --desk rs NOSUCH
[[ $err == *"NOSUCH is not the barcode of an item in process"* && $err == *"illdesk: 1 of 1 scans refused"* ]] ||
	fail "the refused scan said: $err"

shot "$shots/illdesk-socket-arrived.png" "$title"
cli 0 ship 18840311 scan.pdf
[[ $out == "18840311: Shipped Digitally — 18840311.pdf, 3 pages"* ]] || fail "ship printed: $out"
sleep 1
shot "$shots/illdesk-socket-shipped.png" "$title"
changed "$shots/illdesk-socket-arrived.png" "$shots/illdesk-socket-shipped.png"

cli 2 list --bogus
[[ $err == *"flag provided but not defined"* ]] || fail "list --bogus said: $err"
cli 0 backup copy.db
[[ $out == "Backup written to copy.db"* && -s $terminal/copy.db ]] || fail "backup printed $out; no $terminal/copy.db"
cli 1 serve --listen 127.0.0.1:0
[[ $err == *"a second serve on it is refused"* ]] || fail "a second serve said: $err"
cli 1 restore copy.db
[[ $err == *"is open in a running ILL Desk (window or serve); close it first, then restore."* ]] || fail "restore said: $err"
if grep -q "Something went wrong" "$log"; then fail "the window met an error"; fi
stop TERM

if ls "$XDG_RUNTIME_DIR"/illdesk/*.sock >/dev/null 2>&1; then fail "the socket is still there after the window closed"; fi
out=$("$bin" --db "$db" show --json 18840311) || fail "show --json failed after the window closed"
grep -q '"status": "shipped_digitally"' <<<"$out" || fail "18840311 is not shipped: $out"
grep -q '"actor": "'"$(id -un)"'"' <<<"$out" || fail "the terminal's user is not the actor in the history: $out"
if grep -q '"actor": "e2e"' <<<"$out"; then fail "the window's operator is recorded for the terminal's commands: $out"; fi
cmp -s "$scan" "$work/vault/18840311.pdf" || fail "the vault file differs from the scan"
"$bin" --db "$db" check >"$work/check" || fail "check found problems after the run: $(cat "$work/check")"
echo "PASS $name: list, lend new, pick, scan, ship, backup ran in the window's process with their outputs and exit statuses; the window showed each change within a second; screenshots in $shots"
