#!/usr/bin/env bash
# Smoke test of the real ILL Desk window under a virtual X display: it records
# a partner and a lending request with the command line, opens the window on
# that database, takes a screenshot, closes the window with SIGINT (Ctrl+C)
# and checks that the command line can open the database again (the window
# released its lock).
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-smoke.sh
set -euo pipefail
name=e2e-smoke
source "$(dirname "$0")/lib.sh"

"$bin" --db "$db" partner add RAPID --name RapidILL >/dev/null
"$bin" --db "$db" lend new --partner RAPID --external-id 12345678 --title "Journal of Testing" >/dev/null

start
shot "$shots/illdesk-smoke.png" "$title"
[[ -s $shots/illdesk-smoke.png ]] || fail "the screenshot is empty"
kill -0 "$app_pid" 2>/dev/null || fail "the window exited by itself after it opened"
stop INT

out=$("$bin" --db "$db" list --json) || fail "list --json failed after the window closed"
grep -q 12345678 <<<"$out" || fail "list --json does not show request 12345678: $out"
echo "PASS $name: window opened, screenshot $shots/illdesk-smoke.png, closed cleanly, database reopened"
