#!/usr/bin/env bash
# Power-cut test: runs ILL Desk commands on a database inside LazyFS (a FUSE
# file system that keeps every write in its own cache until it is synced),
# records every command that exited 0, cuts the power at a random moment
# (kill -9, then LazyFS drops every write not synced), and checks what
# survived: every acknowledged request is there, `check` finds the database
# sound (a vault file of a ship the cut left unrecorded is allowed and
# repaired, as README says), and every acknowledged shipped file has its
# size and SHA-256.
#
#   scripts/powercut.sh ROUNDS
#
# Needs root, /dev/fuse and LazyFS (built by ../shared/tools/lazyfs/build;
# LAZYFS_RUN names its run script); it skips with a message without them.
# Env: ILLDESK_BIN (default ./illdesk).
set -euo pipefail
name=powercut
rounds=${1:?usage: scripts/powercut.sh ROUNDS}
bin=$(realpath "${ILLDESK_BIN:-./illdesk}")
lazyfs=${LAZYFS_RUN:-$(dirname "$0")/../../shared/tools/lazyfs/run}

fail() {
	echo "FAIL $name: $*" >&2
	exit 1
}
skip() {
	echo "SKIP $name: $*"
	exit 0
}
[[ $(id -u) -eq 0 ]] || skip "needs root to mount LazyFS"
[[ -e /dev/fuse ]] || skip "no /dev/fuse"
[[ -x $lazyfs ]] || skip "no LazyFS run script at $lazyfs (set LAZYFS_RUN)"
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
[[ -f $scan ]] || fail "missing test scan $scan (run from the project root)"
scan_sum=$(sha256sum "$scan" | cut -d' ' -f1)
scan_size=$(stat -c %s "$scan")

work=$(mktemp -d)
mnt=$work/mnt
cleanup() {
	"$lazyfs" stop "$mnt" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/config

# workload DB ACKED: requests, ships and seeds on DB, one after another,
# each appended to ACKED (outside LazyFS) once it exited 0.
workload() {
	local db=$1 acked=$2 i=0
	while :; do
		i=$((i + 1))
		local ext="PC-$RANDOM-$i"
		"$bin" --db "$db" lend new --partner RAPID --external-id "$ext" --title "Power cut $i" >/dev/null 2>&1 &&
			echo "request $ext" >>"$acked"
		if ((i % 3 == 0)); then
			"$bin" --db "$db" ship "$ext" "$scan" >/dev/null 2>&1 && echo "shipped $ext" >>"$acked"
		fi
		if ((i % 7 == 0)); then
			"$bin" --db "$db" seed --requests 200 --seed "$i" >/dev/null 2>&1 && echo "seeded $i" >>"$acked"
		fi
	done
}

# verify ROOT ACKED: says what is wrong (and fails) unless every change
# listed in ACKED is in the database and vault in ROOT and check finds the
# database sound.
verify() {
	local root=$1 acked=$2 survived=$1/illdesk.db out list show file seeded=0 requests=0
	[[ -f $survived ]] || { echo "the database is gone after the cut"; return 1; }
	if ! out=$("$bin" --db "$survived" check 2>&1); then
		# a ship cut between storing its file and recording it leaves a file
		# no request names (README, "After a power cut"): repaired, not damage
		if grep -v '^illdesk:' <<<"$out" | grep -qv '^vault_file_orphan'; then
			echo "check fails after the cut: $out"
			return 1
		fi
		out=$("$bin" --db "$survived" check --repair 2>&1) || { echo "check --repair fails after the cut: $out"; return 1; }
		echo "$root" >>"$work/orphans"
	fi
	list=$("$bin" --db "$survived" list --all --json 2>&1) || { echo "list fails after the cut: $list"; return 1; }
	while read -r what id; do
		case $what in
		request)
			requests=$((requests + 1))
			grep -q "\"$id\"" <<<"$list" || { echo "acknowledged request $id is lost"; return 1; }
			;;
		shipped)
			show=$("$bin" --db "$survived" show --json "$id") || { echo "show $id fails"; return 1; }
			grep -q '"status": "shipped_digitally"' <<<"$show" || { echo "acknowledged ship of $id is lost"; return 1; }
			file=$root/vault/$id.pdf
			[[ -f $file ]] || { echo "the shipped file of $id is lost"; return 1; }
			[[ $(stat -c %s "$file") == "$scan_size" && $(sha256sum "$file" | cut -d' ' -f1) == "$scan_sum" ]] ||
				{ echo "the shipped file of $id differs from the scan"; return 1; }
			;;
		seeded) seeded=$((seeded + 1)) ;;
		esac
	done <"$acked"
	local have
	have=$(grep -c '"side":' <<<"$list" || true)
	((have >= requests + 200 * seeded)) || { echo "$have requests, fewer than the $requests made and $seeded seeds of 200 acknowledged"; return 1; }
}

cuts=0 checked=0
: >"$work/orphans"
for round in $(seq "$rounds"); do
	root=$work/root.$round
	"$lazyfs" start "$mnt" "$root" >/dev/null
	db=$mnt/illdesk.db
	acked=$work/acked.$round
	: >"$acked"
	"$bin" --db "$db" partner add RAPID --name RapidILL >/dev/null
	export -f workload
	export bin scan
	setsid bash -c 'workload "$0" "$1"' "$db" "$acked" &
	pgid=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + r / 32768 * 2.5 }')"
	kill -9 -- "-$pgid" 2>/dev/null || true
	wait "$pgid" 2>/dev/null || true
	"$lazyfs" crash "$mnt" >/dev/null
	cuts=$((cuts + 1))

	# what survived, read from the folder below LazyFS
	if ! why=$(verify "$root" "$acked"); then fail "round $round: $why"; fi
	checked=$((checked + $(wc -l <"$acked")))
	if ((round == 1)); then
		# the check itself catches a lost change
		{ cat "$acked"; echo "request NEVER-MADE"; } >"$work/lost"
		verify "$root" "$work/lost" >/dev/null && fail "the check misses a lost acknowledged request"
	fi
	echo "round $round: $(wc -l <"$acked") acknowledged changes, all there; check sound"
done
echo "PASS $name: $cuts power cuts, $checked acknowledged changes checked, none lost, no damage" \
	"($(sort -u "$work/orphans" | wc -l) cuts left a vault file of an unrecorded ship, which check --repair removed)"
