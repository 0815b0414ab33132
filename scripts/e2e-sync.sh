#!/usr/bin/env bash
# Checks with a syscall trace that every file or folder ILL Desk makes or
# renames in its data is followed by an fsync of the folder that holds it
# before the command exits, so that a power cut cannot lose the new entry
# (a lost folder entry loses the file with it). Traced: the first command
# on a new database in a new folder, a ship into a folder with no vault yet
# (the database moved there), a backup and a restore. It needs strace and
# skips without it; it needs no display.
#
# Run from the project root, with the binary already built:
#
#   CGO_ENABLED=0 go build -tags ci -o illdesk ./app && scripts/e2e-sync.sh
#
# Env: ILLDESK_BIN (default ./illdesk).
set -euo pipefail
name=e2e-sync
bin=${ILLDESK_BIN:-./illdesk}

fail() {
	echo "FAIL $name: $*" >&2
	exit 1
}

if ! command -v strace >/dev/null; then
	echo "SKIP $name: strace is not installed (apt-get install strace)"
	exit 0
fi
[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"
scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
[[ -f $scan ]] || fail "missing test scan $scan (run from the project root)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config

# unsynced TRACE ROOT [BEFORE]: the new entries under ROOT in the strace
# output TRACE whose folder is not fsynced after them, one a line. A new
# entry is a folder made (mkdir, mkdirat), a file opened with O_CREAT that
# is not listed in the file BEFORE (what was there before the command), or
# the target of a rename or link. File descriptors are followed through openat; a call
# strace splits (unfinished ... resumed) is joined first.
unsynced() {
	awk -v root="$2" -v before="${3:-/dev/null}" '
	function dir(p) { sub(/\/+$/, "", p); sub(/\/[^\/]*$/, "", p); return p == "" ? "/" : p }
	function under(p) { return index(p, root "/") == 1 }
	function newentry(p) { if (under(p)) { n++; path[n] = p; folder[n] = dir(p); synced[n] = 0 } }
	# the quoted strings of a call, in order
	function strings(s, out,   k) {
		k = 0
		while (match(s, /"([^"\\]|\\.)*"/)) {
			out[++k] = substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
		return k
	}
	BEGIN { while ((getline p < before) > 0) existed[p] = 1 }
	{
		tid = $1
		line = substr($0, length($1) + 2)
		if (line ~ /<unfinished \.\.\.>$/) { sub(/ *<unfinished \.\.\.>$/, "", line); pending[tid] = line; next }
		if (line ~ /^<\.\.\. [a-z0-9_]+ resumed>/) { sub(/^<\.\.\. [a-z0-9_]+ resumed>/, "", line); line = pending[tid] line; delete pending[tid] }
		if (line !~ /= [0-9]+( |$)/) next # failed calls make nothing
		ret = line; sub(/.*= /, "", ret); sub(/ .*/, "", ret)
		call = line; sub(/\(.*/, "", call)
		delete s; k = strings(line, s)
		if (call == "openat" && k >= 1) {
			fd[ret] = s[1]
			if (line ~ /O_CREAT/ && !(s[1] in existed)) newentry(s[1])
		} else if ((call == "mkdir" || call == "mkdirat") && k >= 1) {
			newentry(s[1])
		} else if (call ~ /^(rename|renameat|renameat2|link|linkat)$/ && k >= 2) {
			newentry(s[2])
		} else if (call == "fsync" || call == "fdatasync") {
			f = line; sub(/^[a-z]+\(/, "", f); sub(/[,)].*/, "", f)
			p = fd[f]
			for (i = 1; i <= n; i++) if (folder[i] == p) synced[i] = 1
		}
	}
	END { for (i = 1; i <= n; i++) if (!synced[i]) print path[i] " (its folder " folder[i] " is not synced after it)" }
	' "$1"
}

steps=0
# traced WHAT ARGS...: run illdesk ARGS under strace and fail when a new
# entry in $work/data is left unsynced.
traced() {
	local what=$1 out
	shift
	steps=$((steps + 1))
	local trace=$work/trace.$steps
	find "$work/data" >"$work/before" 2>/dev/null || : >"$work/before"
	strace -f -qq -o "$trace" -e trace=mkdir,mkdirat,rename,renameat,renameat2,link,linkat,openat,fsync,fdatasync \
		"$bin" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "$what: illdesk $* failed"; }
	grep -qE '(mkdir|openat|rename|link)' "$trace" || fail "$what: the trace is empty; strace did not follow the command"
	out=$(unsynced "$trace" "$work/data" "$work/before")
	[[ -z $out ]] || fail "$what: new entries not synced before the command exited:
$out"
	echo "ok $what"
}

mkdir "$work/data"
db=$work/data/new/folder/illdesk.db
traced "the first command on a new database in a new folder" --db "$db" partner add RAPID --name RapidILL
"$bin" --db "$db" lend new --partner RAPID --external-id 18840211 --title "Journal of Testing" >/dev/null

moved=$work/data/moved/illdesk.db
mkdir -p "$(dirname "$moved")"
cp "$db" "$moved"
[[ ! -e $(dirname "$moved")/vault ]] || fail "the moved database's folder has a vault already"
traced "a ship into a folder with no vault yet" --db "$moved" ship 18840211 "$scan"
cmp -s "$scan" "$(dirname "$moved")/vault/18840211.pdf" || fail "the vault file differs from the scan"

traced "a backup into the backups folder" --db "$moved" backup
backup=$(ls "$(dirname "$moved")"/backups/*.db | head -n 1)
traced "a backup to a file" --db "$moved" backup "$work/data/copy.db"
"$bin" --db "$moved" lend new --partner RAPID --external-id 99990001 --title "After the backup" >/dev/null
traced "a restore" --db "$moved" restore "$backup"
listed=$("$bin" --db "$moved" list --all --json) # read whole: grep -q would cut off a pipe
grep -q 99990001 <<<"$listed" && fail "the restore did not put the backup in place"

# the checker catches a new entry left unsynced
printf '1 mkdir("%s/x", 0700) = 0\n' "$work/data" >"$work/trace.check"
[[ -n $(unsynced "$work/trace.check" "$work/data") ]] || fail "the checker misses an unsynced folder"

echo "PASS $name: $steps commands traced, every new file and folder synced into its folder"
