#!/usr/bin/env bash
# End-to-end: the disk holding the database goes away (a failing drive, a
# dropped network share, a USB disk pulled) under a running command and
# under the running window. The database lives inside LazyFS (a FUSE file
# system); killing the LazyFS process makes the mount go away under the
# programs using it ("transport endpoint is not connected"), and every
# write it had not synced is lost with it, as with a power cut.
#
# Commands: ship, scan, receive, seed and backup, each several times, with
# LazyFS killed a random moment after the command starts; and `serve`
# holding the database, with commands forwarded to it before, while and
# after the disk is away. Each must end within $bound s (longer is a hang)
# with status 0 (it finished first) or 1 saying the disk stopped answering,
# its output free of "damaged" and of Go runtime messages. Then the same
# backing folder is mounted again: `check` must find the database sound,
# and every change acknowledged before (exit 0, or a scan's line) must be
# there.
#
# Window: it is opened on a database inside LazyFS; LazyFS is killed; an
# item is scanned: the window says the disk stopped answering and shows
# the storage bar with Reopen, keeps the scan in the scan bar, and still
# answers (Ctrl+R while the disk is away says so; a command forwarded to it
# gets its refusal). The disk is mounted again, Ctrl+R reopens the
# database, Return scans the kept code again and it is saved; `check` finds
# the database sound. Screenshots in $SHOT_DIR (illdesk-vanish-*.png).
#
# Needs root, /dev/fuse and LazyFS (../shared/tools/lazyfs: its build
# script prints the binary; LAZYFS_DIR names that folder); it skips with a
# message without them. Run from the project root, with the binary built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-vanish.sh
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp),
# LAZYFS_DIR, VANISH_ROUNDS (rounds a command, default 3).
set -euo pipefail
name=e2e-vanish
skip() {
	echo "SKIP $name: $*"
	exit 0
}
lazyfs_dir=${LAZYFS_DIR:-$(dirname "$0")/../../shared/tools/lazyfs}
lazyfs=$lazyfs_dir/run
[[ $(id -u) -eq 0 ]] || skip "needs root to mount LazyFS"
[[ -e /dev/fuse ]] || skip "no /dev/fuse"
[[ -x $lazyfs && -x $lazyfs_dir/build ]] || skip "no LazyFS in $lazyfs_dir (set LAZYFS_DIR)"
command -v jq >/dev/null || skip "jq is not installed (apt-get install jq)"
if ! LAZYFS_BIN=$("$lazyfs_dir/build" 2>/dev/null | tail -n 1) || [[ ! -x $LAZYFS_BIN ]]; then
	skip "LazyFS could not be built (run $lazyfs_dir/build to see why)"
fi
export LAZYFS_BIN

source "$(dirname "$0")/lib.sh"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
[[ -f $scan ]] || fail "missing test scan $scan (run from the project root)"
rounds=${VANISH_ROUNDS:-3}
bound=20 # seconds a command or the window may take to answer once the disk is gone

root=$work/root # where LazyFS keeps the files: the disk itself
mnt=$work/mnt   # the mount the programs use
db=$mnt/illdesk.db
rdb=$root/illdesk.db # the same file, reached without LazyFS, to set up
acked=$work/acked    # "ID STATUS" of each acknowledged change
least=0              # requests there must be at least (seeds acknowledged)
export XDG_RUNTIME_DIR=$work/run
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
mkdir -p "$root"
: >"$acked"
cmd_pid=
vanish_cleanup() {
	local status=$?
	if [[ -n $cmd_pid ]]; then kill -KILL "$cmd_pid" 2>/dev/null || true; fi
	if [[ -n $app_pid ]]; then kill -KILL "$app_pid" 2>/dev/null || true; fi
	"$lazyfs" stop "$mnt" >/dev/null 2>&1 || true
	(exit "$status")
	cleanup
}
trap vanish_cleanup EXIT

# vanish: the disk goes away under whatever uses it (LazyFS killed).
vanish() {
	local pid
	pid=$(pgrep -f -- "--config-path $mnt.toml") || fail "no LazyFS process serves $mnt"
	kill -KILL $pid
	local i
	for i in $(seq 50); do
		kill -0 $pid 2>/dev/null || return 0
		sleep 0.1
	done
	fail "LazyFS ($pid) did not stop"
}

# mount_back: the disk is back: the dead mount is taken away and the same
# backing folder mounted again.
mount_back() {
	"$lazyfs" stop "$mnt" >/dev/null 2>&1 || true
	"$lazyfs" start "$mnt" "$root" >/dev/null || fail "LazyFS did not mount $root at $mnt again"
}

# clean WHAT TEXT: no damage and no Go runtime message in what a program said.
clean() {
	local word
	for word in damaged goroutine panic "fatal error" "runtime error"; do
		[[ $2 != *"$word"* ]] || fail "$1 said \"$word\": $2"
	done
}

# refused WHAT STATUS ERR: a command the disk went away under exited 1
# saying so.
refused() {
	(($2 == 1)) || fail "$1 exited $2, not 1, once the disk was gone: $3"
	[[ $3 == *"stopped answering"* ]] || fail "$1 did not say the disk stopped answering: $3"
}

# ours: "EXTERNAL-ID ID STATUS" of the requests this script made (partner
# VANISH; the seeded ones are with other partners).
ours() {
	"$bin" --db "$db" list --all --json --partner VANISH | jq -r '.[] | "\(.external_id) \(.id) \(.status)"'
}

# idof EXTERNAL-ID: the id of one of ours.
idof() {
	ours | awk -v e="$1" '$1 == e { print $2 }'
}

# sound: with the disk back, check finds the database sound and every
# acknowledged change is there.
sound() {
	local out have n
	out=$("$bin" --db "$db" check 2>&1) || fail "check after the disk came back: $out"
	[[ $out =~ ^The\ database\ is\ sound:\ ([0-9]+)\ requests ]] || fail "check said: $out"
	n=${BASH_REMATCH[1]}
	clean check "$out"
	((n >= least)) || fail "$n requests after the disk came back, fewer than the $least acknowledged"
	have=$(ours | cut -d' ' -f2-) || fail "cannot list the requests"
	local line
	while read -r line; do
		grep -qxF -- "$line" <<<"$have" || fail "acknowledged before the disk went away, not there after: $line"
	done <"$acked"
}

# hit WHAT MAXMS ARGS...: run illdesk ARGS on the database inside LazyFS,
# kill LazyFS after a random 0..MAXMS ms, and wait for the command: it must
# end within $bound s, its output clean. Sets rc, out and err; hits counts
# the rounds the disk went away before the command finished.
hits=0
hit() {
	local what=$1 max=$2
	shift 2
	"$bin" --db "$db" "$@" >"$work/out" 2>"$work/err" &
	cmd_pid=$!
	sleep "$(awk -v ms=$((RANDOM % max)) 'BEGIN { printf "%.3f", ms / 1000 }')"
	vanish
	local deadline=$((SECONDS + bound))
	while kill -0 "$cmd_pid" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			kill -QUIT "$cmd_pid" 2>/dev/null || true # its goroutines' stacks, to its stderr
			sleep 1
			head -n 300 "$work/err" >&2
			fail "$what was still running $bound s after the disk went away: a hang"
		fi
		sleep 0.05
	done
	rc=0
	wait "$cmd_pid" || rc=$?
	cmd_pid=
	out=$(<"$work/out")
	err=$(<"$work/err")
	clean "$what" "$out$err"
	if ((rc != 0)); then
		refused "$what" "$rc" "$err"
		hits=$((hits + 1))
	fi
}

# again R: whether to run round R of a command: the first $rounds, then
# more (up to $most) until the disk went away under the command once.
most=$((3 * rounds))
again() {
	(($1 <= rounds || (hits == 0 && $1 <= most)))
}

# rounds_done WHAT: after the rounds of one command, at least one must
# have had the disk go away under it.
rounds_done() {
	((hits > 0)) || fail "in $most rounds the disk never went away before $1 finished"
	echo "$1: $2 rounds, $hits with the disk gone under the command"
	hits=0
}

# --- set up on the disk itself: partners, a large database (slow seeds and
# backups), items waiting at the desk to be scanned, requests to ship and
# to receive
"$bin" --db "$rdb" partner add VANISH --name "Vanishing Library" >/dev/null
"$bin" --db "$rdb" config set agency-id ISIL:US-VANISH >/dev/null
"$bin" --db "$rdb" seed --requests 20000 --seed 1 >/dev/null
per=20 # items scanned a round
for r in $(seq "$most"); do
	for i in $(seq "$per"); do
		"$bin" --db "$rdb" lend new --partner VANISH --external-id "S$r-$i" --title "Scanned $r $i" --pages 1-3 \
			--item-barcode "39$(printf %02d%04d "$r" "$i")" >/dev/null
		"$bin" --db "$rdb" pick "S$r-$i" --to rs >/dev/null
	done
	"$bin" --db "$rdb" lend new --partner VANISH --external-id "P$r" --title "Shipped $r" --pages 1-3 >/dev/null
done
least=$("$bin" --db "$rdb" check | sed -n 's/^The database is sound: \([0-9]*\) requests.*/\1/p')
"$lazyfs" start "$mnt" "$root" >/dev/null || fail "LazyFS did not mount $root at $mnt"
sound

# --- seed: a batch at a time, each its own transaction
r=0
while again $((++r)); do
	hit seed 1500 seed --requests 20000 --seed $((r + 1))
	if ((rc == 0)); then least=$((least + 20000)); fi
	mount_back
	sound
done
rounds_done seed $((r - 1))

# --- scan: each code its own transaction; a line for each one saved
r=0
while again $((++r)); do
	codes=()
	for i in $(seq "$per"); do codes+=("39$(printf %02d%04d "$r" "$i")"); done
	hit scan 250 scan --desk rs "${codes[@]}"
	mount_back
	all=$(ours)
	while read -r line; do
		[[ $line =~ ^(39[0-9]+)\ arrived\ for\ request\ (S[0-9]+-[0-9]+) ]] || continue
		echo "$(awk -v e="${BASH_REMATCH[2]}" '$1 == e { print $2 }' <<<"$all") item_at_desk" >>"$acked"
	done <<<"$out"
	sound
done
rounds_done scan $((r - 1))

# --- ship: the PDF into the vault, synced, then the request
r=0
while again $((++r)); do
	hit ship 80 ship "P$r" "$scan"
	mount_back
	if ((rc == 0)); then
		echo "$(idof "P$r") shipped_digitally" >>"$acked"
	elif ! chk=$("$bin" --db "$db" check 2>&1); then
		# a ship cut between storing its file and recording it leaves the
		# file, which check lists and --repair removes (as README promises)
		[[ $chk == *"vault_file_orphan"*"“P$r.pdf”"* && $chk == *"1 problem(s) found"* ]] || fail "check after ship $r: $chk"
		"$bin" --db "$db" check --repair >/dev/null || fail "check --repair did not remove the vault file of ship $r"
	fi
	sound
done
rounds_done ship $((r - 1))

# --- receive: a borrowed item arrives
r=0
while again $((++r)); do
	id=$("$bin" --db "$db" borrow new --title "Received $r" --requester "Vera Rubin" --pickup "Main Library" --partner VANISH)
	echo "$id created" >>"$acked"
	hit receive 80 receive "$id" --barcode "BR$r"
	mount_back
	if ((rc == 0)); then
		sed -i "s/^$id created\$/$id received/" "$acked"
	fi
	sound
done
rounds_done receive $((r - 1))

# --- backup: a snapshot written, synced and moved into place
r=0
while again $((++r)); do
	hit backup 800 backup "$mnt/backup-$r.db"
	mount_back
	if ((rc == 0)); then
		[[ -s $mnt/backup-$r.db ]] || fail "backup $r was acknowledged but is not there: $out"
		cp "$mnt/backup-$r.db" "$work/copy.db"
		# with the database's vault beside it, as a restore puts them back
		# together: a database that has shipped refuses to open without it
		if [[ -d $mnt/vault ]]; then cp -r "$mnt/vault" "$work/vault"; fi
		out=$("$bin" --db "$work/copy.db" check 2>&1) || fail "backup $r was acknowledged but is not sound: $out"
		rm -rf "$work/copy.db" "$work/vault" "$work/backups"
	fi
	sound
done
rounds_done backup $((r - 1))

# --- serve holds the database: commands are forwarded to it
port=$((20000 + RANDOM % 20000))
"$bin" --db "$db" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
cmd_pid=$!
for _ in $(seq 100); do
	ls "$XDG_RUNTIME_DIR"/illdesk/*.sock >/dev/null 2>&1 && break
	sleep 0.1
done
ls "$XDG_RUNTIME_DIR"/illdesk/*.sock >/dev/null 2>&1 || fail "serve made no socket: $(cat "$work/serve.log")"
# forward STATUS ARGS...: a command run by serve, within $bound s
forward() {
	local want=$1 status=0
	shift
	out=$(timeout "$bound" "$bin" --db "$db" "$@" 2>"$work/err") || status=$?
	err=$(<"$work/err")
	((status != 124)) || fail "illdesk $* forwarded to serve did not answer within $bound s: a hang"
	clean "serve ($*)" "$out$err"
	((status == want)) || fail "illdesk $* forwarded to serve exited $status, not $want: $out $err"
}
forward 0 lend new --partner VANISH --external-id SERVE-1 --title "Before" --pages 1
echo "$out created" >>"$acked"
vanish
forward 1 lend new --partner VANISH --external-id SERVE-2 --title "While away" --pages 1
refused "lend new forwarded to serve" 1 "$err"
forward 1 list --json
refused "list forwarded to serve" 1 "$err"
kill -0 "$cmd_pid" 2>/dev/null || fail "serve stopped when the disk went away: $(cat "$work/serve.log")"
mount_back
forward 0 lend new --partner VANISH --external-id SERVE-3 --title "Back" --pages 1
echo "$out created" >>"$acked"
forward 0 check
kill -TERM "$cmd_pid"
for _ in $(seq 100); do
	kill -0 "$cmd_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$cmd_pid" 2>/dev/null && fail "serve was still running 10 s after SIGTERM"
cmd_pid=
clean serve "$(cat "$work/serve.log")"
sound
echo "serve: refused while the disk was away, answered again once it was back"

# --- the window
"$bin" --db "$db" lend new --partner VANISH --external-id W-1 --title "In the window" --pages 1-3 --item-barcode 39999001 >/dev/null
"$bin" --db "$db" pick W-1 --to rs >/dev/null
start --desk rs --operator e2e
shot "$shots/illdesk-vanish-before.png" "$title"
vanish
scan 39999001
wait_log "stopped answering" "$bound"
sleep 0.5
shot "$shots/illdesk-vanish-gone.png" "$title"
kill -0 "$app_pid" 2>/dev/null || fail "the window closed when the disk went away"
# it still answers: Ctrl+R while the disk is away says so
key ctrl+r
wait_log "the database file cannot be reached" "$bound"
sleep 0.5
shot "$shots/illdesk-vanish-still-gone.png" "$title"
# and a command forwarded to it gets its refusal
out=$(timeout "$bound" "$bin" --db "$db" list --json 2>&1) && fail "list on the window's database worked with the disk away: $out"
[[ $out == *"stopped answering"* ]] || fail "list forwarded to the window said: $out"
clean "the window" "$(cat "$log")"

mount_back
key ctrl+r
wait_log "The database is open again" "$bound"
sleep 0.5
shot "$shots/illdesk-vanish-reopened.png" "$title"
key Return # the scan that was not saved, kept in the scan bar
wait_log "39999001 arrived for request W-1" "$bound"
sleep 0.5
shot "$shots/illdesk-vanish-saved.png" "$title"
out=$(timeout "$bound" "$bin" --db "$db" check 2>&1) || fail "check through the window: $out"
clean "the window" "$(cat "$log")"
stop TERM
echo "$(idof W-1) item_at_desk" >>"$acked"
sound
echo "PASS $name: ship, scan, receive, seed, backup and serve with the disk gone under them, and the window's Reopen; screenshots in $shots"
