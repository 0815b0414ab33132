#!/usr/bin/env bash
# End-to-end lending under a virtual X display, as staff would work:
# scan a request's external identifier into the scan bar, drop the scanned
# PDF on the window from a real drag source, press Ctrl+Enter, then check with
# `illdesk show --json` that the request shipped with its file.
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-lending.sh
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp).
set -euo pipefail

bin=${ILLDESK_BIN:-./illdesk}
shots=${SHOT_DIR:-/tmp}
title="ILL Desk"
scan=$(pwd)/domain/preflight/testdata/pdf/valid_scan_3pages.pdf

fail() {
	echo "FAIL e2e-lending: $*" >&2
	exit 1
}
command -v wait-window >/dev/null || { echo "run me under ../shared/tools/gui/session" >&2; exit 2; }
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"
[[ -f $scan ]] || fail "missing test scan $scan"

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

# wait_log PATTERN SECONDS: poll the window's log for a line.
wait_log() {
	local deadline=$((SECONDS + $2))
	until grep -q -- "$1" "$log"; do
		((SECONDS < deadline)) || fail "the window did not log \"$1\" within $2 s"
		sleep 0.1
	done
}

"$bin" --db "$db" partner add RAPID --name RapidILL >/dev/null
"$bin" --db "$db" lend new --partner RAPID --external-id 18840100 --title "Journal of Documentation" --pages 1-3 >/dev/null
"$bin" --db "$db" lend new --partner RAPID --external-id 18840211 --title "Library Quarterly" --volume 75 --pages 1-3 >/dev/null

"$bin" --db "$db" --desk rs --operator e2e >"$log" 2>&1 &
app_pid=$!
wait-window "$title" 60 >/dev/null || fail "no window named \"$title\" within 60 s"
sleep 1

# The scanner types the external identifier and presses Return.
scan 18840211
wait_log "Selected 18840211" 10

# A real drag and drop of the scan onto the middle of the window; the
# window checks it and logs the verdict.
drop "$scan" --to 500 400 --window "$title" || fail "the drop was not accepted"
wait_log "18840211: scan checked: accept" 20
shot "$shots/illdesk-lending-dropped.png" "$title"

# Ctrl+Enter while the scan bar has focus ships it.
key ctrl+Return
wait_log "18840211 shipped digitally" 20
sleep 0.3
shot "$shots/illdesk-lending-shipped.png" "$title"

kill -TERM "$app_pid"
status=0
wait "$app_pid" || status=$?
app_pid=
((status == 0)) || fail "ILL Desk exited with status $status after SIGTERM"

out=$("$bin" --db "$db" show --json 18840211)
grep -q '"status": "shipped_digitally"' <<<"$out" || fail "18840211 is not shipped: $out"
grep -q '"name": "18840211.pdf"' <<<"$out" || fail "the shipped file is not named by the external id: $out"
grep -q '"pages": 3' <<<"$out" || fail "the shipped file does not have 3 pages: $out"
grep -q '"actor": "e2e"' <<<"$out" || fail "the operator is not in the history: $out"
[[ -f $work/vault/18840211.pdf ]] || fail "no vault file"
cmp -s "$scan" "$work/vault/18840211.pdf" || fail "the vault file differs from the scan"
echo "PASS e2e-lending: scanned, dropped, shipped with Ctrl+Enter; screenshots in $shots"
