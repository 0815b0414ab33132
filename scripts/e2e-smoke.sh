#!/usr/bin/env bash
# Smoke test of the real ILL Desk window under a virtual X display.
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-smoke.sh
#
# It records a partner and a lending request with the command line, opens the
# window on that database, takes a screenshot, closes the window with SIGINT (Ctrl+C)
# and checks that the command line can open the database again (the window
# released its lock).
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp).
set -euo pipefail

bin=${ILLDESK_BIN:-./illdesk}
shot_file=${SHOT_DIR:-/tmp}/illdesk-smoke.png
title="ILL Desk"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

command -v wait-window >/dev/null || {
	echo "usage: ../shared/tools/gui/session scripts/e2e-smoke.sh (the GUI tools must be on PATH)" >&2
	exit 2
}
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"

work=$(mktemp -d)
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME
db=$work/illdesk.db
log=$work/window.log
app_pid=

cleanup() {
	local status=$?
	if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
		kill -KILL "$app_pid" 2>/dev/null || true
	fi
	if ((status != 0)) && [[ -s $log ]]; then
		echo "--- window log ($log) ---" >&2
		tail -n 40 "$log" >&2
	fi
	rm -rf "$work" "$XDG_CONFIG_HOME"
}
trap cleanup EXIT

"$bin" --db "$db" partner add RAPID --name RapidILL
"$bin" --db "$db" lend new --partner RAPID --external-id 12345678 --title "Journal of Testing"

"$bin" --db "$db" >"$log" 2>&1 &
app_pid=$!

wait-window "$title" 60 >/dev/null || fail "no window named \"$title\" appeared within 60 s"
sleep 1 # let the first frame render
mkdir -p "$(dirname "$shot_file")"
shot "$shot_file" "$title"
[[ -s $shot_file ]] || fail "the screenshot $shot_file is empty"
kill -0 "$app_pid" 2>/dev/null || fail "the window exited by itself after it opened"

# Close the window and wait (at most 10 s) for the process to end.
kill -INT "$app_pid"
for _ in $(seq 100); do
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$app_pid" 2>/dev/null; then
	fail "ILL Desk was still running 10 s after SIGINT (Ctrl+C)"
fi
app_status=0
wait "$app_pid" || app_status=$?
app_pid=
# SIGINT (Ctrl+C in the terminal) must close the database and exit 0.
((app_status == 0)) || fail "ILL Desk exited with status $app_status after SIGINT instead of closing cleanly"
if grep -q -e '^panic:' -e 'fatal error:' "$log"; then
	fail "the window log shows a crash"
fi

# The database lock must be free again: the command line opens it.
out=$("$bin" --db "$db" list --json) || fail "list --json failed after the window closed"
grep -q 12345678 <<<"$out" || fail "list --json does not show request 12345678: $out"

echo "PASS e2e-smoke: window opened, screenshot $shot_file, closed (status $app_status), database reopened"
