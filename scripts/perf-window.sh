#!/usr/bin/env bash
# Measures the real ILL Desk window on a large database under a virtual X
# display: how long after start the window is mapped, its resident memory
# once drawn and after scrolling through the list, and how quickly it still
# answers a scan after the scrolling. It prints the figures; it checks
# nothing, so it is not one of the end-to-end tests.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/perf-window.sh [REQUESTS]
#
# REQUESTS defaults to 100000; they are seeded with `illdesk seed` first.
set -euo pipefail
name=perf-window
source "$(dirname "$0")/lib.sh"
n=${1:-100000}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_mb() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status"; }

"$bin" --db "$db" seed --requests "$n"

t0=$(now_ms)
"$bin" --db "$db" >"$log" 2>&1 &
app_pid=$!
wait-window "$title" 60 >/dev/null || fail "no window named \"$title\" within 60 s"
t1=$(now_ms)
echo "window mapped after $((t1 - t0)) ms"
sleep 3
shot "$shots/illdesk-perf.png" "$title"
echo "resident memory once drawn: $(rss_mb VmRSS) MB"

# answer: seconds from now until the window has handled a probe scan, that
# is until it has worked through what it was sent before
answer() {
	local t=$(now_ms)
	scan "$1"
	wait_log "$1" 60
	echo $(($(now_ms) - t))
}

# scroll the list with the mouse wheel: 200 notches over the list
wheel_start=$(now_ms)
xdotool mousemove --window "$(wait-window "$title")" 500 400
xdotool click --repeat 200 --delay 10 5
echo "200 wheel notches sent in $(($(now_ms) - wheel_start)) ms; a scan after them answered in $(answer PERF-PROBE-1) ms"

# page through the list: each Page Down selects the request ten rows on and
# loads its details, as staff paging with the keyboard do
t2=$(now_ms)
for _ in $(seq 20); do key Next Next Next Next Next; done
echo "100 Page Down keys sent in $(($(now_ms) - t2)) ms; a scan after them answered in $(answer PERF-PROBE-2) ms"
echo "resident memory after scrolling and paging: $(rss_mb VmRSS) MB right after the scan"
# the window hands back the heap garbage of the scrolling once the list
# stands still (a fifth of a second after its last drawn row)
sleep 1
echo "resident memory 1 s later: $(rss_mb VmRSS) MB (peak $(rss_mb VmHWM) MB)"
stop TERM
echo "DONE $name: screenshot $shots/illdesk-perf.png"
