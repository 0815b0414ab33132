# Shared by the end-to-end scripts (source it; it does nothing on its own).
# It checks the GUI session, makes a private work folder with a database
# path ($db) and a window log ($log), and offers start/stop of the window and
# polling of its log. The caller sets $name before sourcing.
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp).

bin=${ILLDESK_BIN:-./illdesk}
shots=${SHOT_DIR:-/tmp}
title="ILL Desk"

fail() {
	echo "FAIL $name: $*" >&2
	exit 1
}

command -v wait-window >/dev/null || {
	echo "run me under ../shared/tools/gui/session (the GUI tools must be on PATH)" >&2
	exit 2
}
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"

work=$(mktemp -d)
export XDG_CONFIG_HOME=$work/config
db=$work/illdesk.db
log=$work/window.log
app_pid=

cleanup() {
	local status=$?
	if [[ -n $app_pid ]]; then kill -KILL "$app_pid" 2>/dev/null || true; fi
	if ((status != 0)) && [[ -s $log ]]; then
		echo "--- window log ---" >&2
		tail -n 40 "$log" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# start ARGS...: open the window with these options on $db, logging to $log,
# and wait until it is mapped and drawn.
start() {
	: >"$log"
	"$bin" --db "$db" "$@" >"$log" 2>&1 &
	app_pid=$!
	wait-window "$title" 60 >/dev/null || fail "no window named \"$title\" within 60 s"
	sleep 1 # the first frame renders and the scan bar takes the focus
}

# stop SIGNAL: ask the window to close with SIGNAL (TERM or INT) and require
# a clean exit (status 0, within 10 s, no crash in the log).
stop() {
	kill -"$1" "$app_pid"
	local i status=0
	for i in $(seq 100); do
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$app_pid" 2>/dev/null; then
		# SIGQUIT makes the Go runtime print every goroutine's stack to the
		# log: where the window was stuck
		kill -QUIT "$app_pid" 2>/dev/null || true
		sleep 1
		sed -n '/^SIGQUIT/,$p' "$log" | head -n 400 >&2
		fail "ILL Desk was still running 10 s after SIG$1 (its goroutines are above)"
	fi
	wait "$app_pid" || status=$?
	app_pid=
	((status == 0)) || fail "ILL Desk exited with status $status after SIG$1 instead of closing cleanly"
	if grep -q -e '^panic:' -e 'fatal error:' "$log"; then fail "the window log shows a crash"; fi
}

# wait_log PATTERN SECONDS: poll the window's log for a line.
wait_log() {
	local deadline=$((SECONDS + $2))
	until grep -q -- "$1" "$log"; do
		((SECONDS < deadline)) || fail "the window did not log \"$1\" within $2 s"
		sleep 0.1
	done
}
