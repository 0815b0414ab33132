#!/usr/bin/env bash
# Measures the real ILL Desk window on a large database under a virtual X
# display: how long after start the window is mapped, its resident memory
# once drawn and after scrolling through the list, how quickly it still
# answers a scan after the scrolling, and then how quickly it answers 200
# scans at scanner speed, from its scan trace (ILLDESK_TRACE). It prints the
# figures; it checks nothing, so it is not one of the end-to-end tests.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/perf-window.sh [REQUESTS]
#
# REQUESTS defaults to 100000; they are seeded with `illdesk seed` first.
# PERF_DB, when set, is a department database (postgres://...) already
# seeded, which the window opens instead.
# SCAN_GAP_MS (default 120) is the pause between two of the 200 scans.
set -euo pipefail
name=perf-window
source "$(dirname "$0")/lib.sh"
n=${1:-100000}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_mb() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status"; }

if [[ -n ${PERF_DB:-} ]]; then
	db=$PERF_DB
else
	"$bin" --db "$db" seed --requests "$n"
fi

# the 200 scans are barcodes of borrowed items the patron has returned: at
# the RS desk, where the window starts, each scan closes its request
codes=$("$bin" --db "$db" list --json --side borrowing --status returned_by_patron |
	sed -n 's/^ *"item_barcode": *"\([^"]*\)".*/\1/p')
trace=$work/trace.jsonl

t0=$(now_ms)
ILLDESK_TRACE=$trace "$bin" --db "$db" >"$log" 2>&1 &
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

# 200 scans at scanner speed; the trace has a line per scan, the probes'
# lines are dropped first
[[ -n $codes ]] || fail "the seeded database has no returned items to scan"
mapfile -t scans <<<"$codes"
scans=("${scans[@]:0:200}")
: >"$trace"
SCAN_GAP_MS=${SCAN_GAP_MS:-120} scan "${scans[@]}"
t3=$(now_ms) # one gap after the last scan was sent
deadline=$((SECONDS + 60))
until (($(wc -l <"$trace") >= ${#scans[@]})); do
	((SECONDS < deadline)) || fail "the trace has $(wc -l <"$trace") of ${#scans[@]} scans after 60 s"
	sleep 0.01
done
behind=$(($(now_ms) - t3))
shot "$shots/illdesk-perf-scans.png" "$title"
# p50 and p95 of a column of milliseconds
percentiles() {
	sort -n | awk '{ v[NR] = $1 } END {
		printf "p50 %.1f ms, p95 %.1f ms, max %.1f ms", v[int((NR + 1) * 0.50)], v[int(NR * 0.95 + 0.5)], v[NR] }'
}
# the value of a field of a trace line
field='function f(k) { match($0, "\"" k "\":[0-9.]+"); return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) }'
answered=$(grep -c '"ok":true' "$trace" || true)
echo "${#scans[@]} scans ${SCAN_GAP_MS:-120} ms apart, $answered done; all answered within ${behind} ms of the last scan's gap:"
echo "  result drawn after $(awk "$field"' { print f("drawn_ms") - f("key_ms") }' "$trace" | percentiles)"
echo "  change committed after $(awk "$field"' { print f("committed_ms") - f("key_ms") }' "$trace" | percentiles)"
stop TERM
echo "DONE $name: screenshots $shots/illdesk-perf.png, $shots/illdesk-perf-scans.png"
