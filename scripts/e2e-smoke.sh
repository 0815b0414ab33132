#!/usr/bin/env bash
# Smoke test of the real ILL Desk window under a virtual X display: it records
# a partner and a lending request with the command line, opens the window on
# that database, takes a screenshot, closes the window with SIGINT (Ctrl+C)
# and checks that the command line can open the database again (the window
# released its lock). Then it opens the demo and checks the window's X11
# class, which desktops match to the menu entry.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-smoke.sh
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
# On X11 a window's WM_CLASS is the title it was created with. It must be
# the plain name, which the menu entry's StartupWMClass names, even when the
# title carries the count of what needs attention (the demo has some).
start --demo
wid=$(wait-window "$title")
for _ in $(seq 100); do
	wm_name=$(xprop -id "$wid" _NET_WM_NAME)
	[[ $wm_name == *"need attention"* ]] && break
	sleep 0.1
done
[[ $wm_name == *"need attention"* ]] || fail "the demo's title shows no attention count: $wm_name"
wm_class=$(xprop -id "$wid" WM_CLASS)
[[ $wm_class == 'WM_CLASS(STRING) = "ILL Desk", "ILL Desk"' ]] ||
	fail "WM_CLASS is not the menu entry's StartupWMClass, ILL Desk: $wm_class"
stop TERM

echo "PASS $name: window opened, screenshot $shots/illdesk-smoke.png, closed cleanly, database reopened, WM_CLASS ILL Desk"
