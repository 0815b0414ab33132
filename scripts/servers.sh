# Shared by the end-to-end scripts that run `illdesk serve` instances on
# 127.0.0.1 (source it; it does nothing on its own): a private work folder
# ($work), free ports, servers started and stopped by name, and polling of
# their logs. The caller sets $name before sourcing; a failed script shows
# the tail of every server's log.
#
# Env: ILLDESK_BIN (default ./illdesk).

bin=${ILLDESK_BIN:-./illdesk}
fail() {
	echo "FAIL $name: $*" >&2
	exit 1
}
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"

work=$(mktemp -d)
pids=()
cleanup() {
	local status=$?
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	if ((status != 0)); then
		for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f ---" >&2; tail -n 20 "$f" >&2; }; done
	fi
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_log FILE PATTERN SECONDS
wait_log() {
	local deadline=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		((SECONDS < deadline)) || fail "$1 did not show \"$2\" within $3 s"
		sleep 0.2
	done
}
# serve NAME DB PORT [FLAGS...]: start a server of the instance DB (a
# command line ending in --db PATH) in the background, logging to
# $work/NAME.log.
serve() {
	local who=$1 db=$2 port=$3
	shift 3
	$db serve --listen "127.0.0.1:$port" "$@" >"$work/$who.log" 2>&1 &
	pids+=($!)
	eval "pid_$who=$!"
	wait_log "$work/$who.log" "Listening on" 10
}
# halt NAME: stop a server cleanly (SIGTERM), freeing its database.
halt() {
	local pid
	pid=$(eval echo "\$pid_$1")
	kill -TERM "$pid"
	wait "$pid" || fail "the $1 server did not stop cleanly"
}
