#!/usr/bin/env bash
# Power-cut test. Each round runs a workload of ILL Desk commands on a
# database inside LazyFS (a FUSE file system that keeps every write in its
# own cache until it is synced), writes down outside the mount each change
# acknowledged (the command exited 0), then the power goes: either a random
# cut (kill -9, then LazyFS drops every write not synced) or a fault LazyFS
# injects itself (it dies before or after the Nth fsync or write of the
# database, a vault file, a backup or a restore; or it tears one write, or
# persists some writes of a run out of order, then dies). What survived is
# then checked: every acknowledged change is there, each shipped file whole,
# `check` finds the database sound, every seed batch is whole or absent, and
# after a restore the database equals the backup (or, cut during it, the
# database it replaced).
#
#   scripts/powercut.sh ROUNDS                 every change kept, or exit 1 naming what was lost
#   scripts/powercut.sh --expect-loss ROUNDS   exit 0 once a round finds acknowledged changes lost
#
# --expect-loss is for a build that does not sync (go build -tags
# ci,powercut_nosync): it shows the test catches lost writes. Needs root,
# /dev/fuse and LazyFS (../shared/tools/lazyfs; LAZYFS_RUN names its run
# script); it skips with a message without them. Env: ILLDESK_BIN (default
# ./illdesk); POWERCUT_KINDS (rounds' kinds in turn, default all: cut
# crash-db torn-op crash-vault torn-seq crash-restore crash-backup);
# POWERCUT_KEEP=1 keeps the work folder for a look. docs/RELIABILITY.md says
# what each fault does, what check --repair may clear, and the figures.
set -euo pipefail
name=powercut
expect_loss=false
if [[ ${1:-} == --expect-loss ]]; then
	expect_loss=true
	shift
fi
rounds=${1:?usage: scripts/powercut.sh [--expect-loss] ROUNDS}
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

work=$(realpath "$(mktemp -d)")
mnt=$work/mnt
fifo=$mnt.fifo
cleanup() {
	[[ -z ${pgid:-} ]] || kill -9 -- "-$pgid" 2>/dev/null || true
	timeout 20 "$lazyfs" stop "$mnt" >/dev/null 2>&1 || "$lazyfs" stop-raw "$mnt" >/dev/null 2>&1 || true
	if [[ -n ${POWERCUT_KEEP:-} ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/config
# the workload's own partner: seed adds requests of its five partners, never
# of this one, so a request is the workload's exactly when it names PCUT
partner=PCUT
batch=5000 # seed's requests per transaction (domain.MaintenanceService.Seed)

# listing DB: `list --all --json` of DB without time_left_hours, which moves
# with the clock, so that two listings of the same data are equal.
listing() {
	"$bin" --db "$1" list --all --json | grep -v '"time_left_hours":'
}

# snapshot DB FILE: DB's listing into FILE, whole or not at all (a cut while
# it is written leaves no half file to compare with).
snapshot() {
	listing "$1" >"$2.tmp" && mv "$2.tmp" "$2"
}

# ---- the workload (runs in its own process group, killed by the cut) ----

# op KIND KEY ARG -- COMMAND...: runs one command of the workload. The log
# gets "try KIND KEY ARG" before and "ok KIND KEY ARG" once it exited 0, so
# the check knows what was acknowledged and what the cut may have caught
# mid-way; KEY "-" is the id the command prints (borrow new). A command that
# fails ends the workload, its output in $rdir/failed: under an injected
# fault that is the fault; without one the round fails.
op() {
	local kind=$1 key=$2 arg=$3
	shift 4
	echo "try $kind $key $arg" >>"$log"
	if ! out=$("$@" 2>&1); then
		printf '%s %s %s failed: %s\n' "$kind" "$key" "$arg" "$out" >"$rdir/failed"
		exit 0
	fi
	[[ $key == - ]] && key=$out
	echo "ok $kind $key $arg" >>"$log"
}

# iso_request EXT: an ISO 18626 request from the workload's partner.
iso_request() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2">
  <request>
    <header>
      <supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-PC</agencyIdValue></supplyingAgencyId>
      <requestingAgencyId><agencyIdType>OCLC</agencyIdType><agencyIdValue>PCUT</agencyIdValue></requestingAgencyId>
      <timestamp>2026-12-07T10:00:00Z</timestamp>
      <requestingAgencyRequestId>$1</requestingAgencyRequestId>
    </header>
    <bibliographicInfo><title>Imported $1</title></bibliographicInfo>
    <serviceInfo><serviceType>Copy</serviceType></serviceInfo>
  </request>
</ISO18626Message>
EOF
}

# workload: one staff day, sped up, on $db until the power goes: lending
# requests picked, scanned at the digitization desk and shipped; borrowed
# items received and scanned through the pickup desk's routes; ISO 18626
# and CSV imports; seeds (big_seed: one of two batches); a backup, and a
# restore of it a few steps later. Before the ship numbered $vault_ship it
# sends $vault_fault to LazyFS, so that fault hits that ship's file.
workload() {
	local i=0 ships=0 backups=0 ext bid bc n file
	while :; do
		i=$((i + 1))
		ext=PC-$round-$i
		bc=$(printf '381%04d%04d' "$round" "$i")
		op new "$ext" created -- "$bin" --db "$db" lend new --partner $partner --external-id "$ext" \
			--title "Power cut $i" --item-barcode "$bc"
		if ((i % 2 == 1)); then
			op state "$ext" pick_requested -- "$bin" --db "$db" pick "$ext" --to digitization:Scanning
			op state "$ext" item_at_desk -- "$bin" --db "$db" scan --desk digitization:Scanning "$bc"
		fi
		if ((i % 3 == 0)); then
			ships=$((ships + 1))
			if ((ships == vault_ship)) && [[ -n $vault_fault ]]; then
				arm "$vault_fault" || exit 0
			fi
			op state "$ext" shipped_digitally -- "$bin" --db "$db" ship "$ext" "$scan"
		fi
		bc=$(printf '382%04d%04d' "$round" "$i")
		op borrow - created -- "$bin" --db "$db" borrow new --title "Borrowed $i" --requester "Patron $i" \
			--pickup Main --partner $partner
		bid=$out
		op state "$bid" received -- "$bin" --db "$db" receive "$bid" --barcode "$bc"
		op state "$bid" on_hold_shelf -- "$bin" --db "$db" scan --desk pickup:Main "$bc"
		if ((i % 2 == 0)); then
			op state "$bid" loaned -- "$bin" --db "$db" scan --desk pickup:Main "$bc"
			op state "$bid" returned_by_patron -- "$bin" --db "$db" scan --desk pickup:Main "$bc"
			op state "$bid" completed -- "$bin" --db "$db" scan --desk rs "$bc"
		fi
		if ((i % 4 == 1)); then
			file=$rdir/import-$i.csv
			printf 'side,external_id,partner,title,created,closed,final_state\n' >"$file"
			for n in 1 2 3; do printf 'lending,CSV-%s-%s-%s,%s,Past %s,2026-01-0%s,,\n' "$round" "$i" "$n" $partner "$n" "$n" >>"$file"; done
			op csv "CSV-$round-$i" 3 -- "$bin" --db "$db" import "$file"
		elif ((i % 4 == 3)); then
			file=$rdir/import-$i.xml
			iso_request "ISO-$round-$i" >"$file"
			op new "ISO-$round-$i" created -- "$bin" --db "$db" import "$file"
		fi
		if ((i % 5 == 2)); then
			n=200
			((big_seed && i == 2)) && n=$((batch + 200))
			op seed "$i" "$n" -- "$bin" --db "$db" seed --requests "$n" --seed "$i"
		fi
		if ((i % 6 == 2)); then
			backups=$((backups + 1))
			snapshot "$db" "$rdir/backup-$backups.json"
			op backup "$backups" "$mnt/backup-$backups.db" -- "$bin" --db "$db" backup "$mnt/backup-$backups.db"
		elif ((i % 6 == 5)); then
			snapshot "$db" "$rdir/pre-$backups.json"
			op restore "$backups" "$mnt/backup-$backups.db" -- "$bin" --db "$db" restore "$mnt/backup-$backups.db"
			echo "kept $backups $(grep -o 'kept as [^ ]*' <<<"$out" | cut -d' ' -f3)" >>"$log"
			# not the power cut's business, but nothing after it means much otherwise
			if ! listing "$db" | cmp -s - "$rdir/backup-$backups.json"; then
				echo "restore $backups: the database does not equal the backup" >"$rdir/failed"
				exit 0
			fi
		fi
	done
}

# arm COMMAND: sends COMMAND to LazyFS's fault FIFO and waits until LazyFS
# has taken it (its log says so), so that it is in force for what follows;
# fails, saying so in $rdir/failed, when it is not taken.
arm() {
	local n
	n=$(grep -c 'configured successfully\|VALID crash fault' "$mnt.log" || true)
	echo "$1" >"$fifo"
	for _ in $(seq 100); do
		(($(grep -c 'configured successfully\|VALID crash fault' "$mnt.log" || true) > n)) && return 0
		sleep 0.02
	done
	echo "LazyFS did not take the fault $1" >"$rdir/failed"
	return 1
}

# ---- the check of what survived ----

# problem TEXT: one thing wrong after the cut; "lost" in TEXT marks an
# acknowledged change that is not there (what --expect-loss looks for).
problem() { problems+=("$*"); }

# save_model K / load_model K: the expected requests as of backup K, which a
# restore of it brings back.
save_model() {
	local k
	for k in "${!want[@]}"; do echo "$k ${want[$k]}"; done >"$rdir/model-$1"
	echo "$seeded" >"$rdir/seeded-$1"
}
load_model() {
	local k v
	want=()
	while read -r k v; do want[$k]=$v; done <"$rdir/model-$1"
	seeded=$(<"$rdir/seeded-$1")
}

# same_listing DBFILE JSON: whether the database DBFILE lists as JSON says.
# It lists a copy, outside the mount: opening a database may write to it.
# The copy gets an empty vault (a database whose vault is missing is
# refused), as the backups hold no files.
same_listing() {
	local dir
	dir=$(mktemp -d "$work/copy.XXXX")
	mkdir "$dir/vault"
	cp "$1" "$dir/illdesk.db" && listing "$dir/illdesk.db" 2>/dev/null | cmp -s - "$2"
	local rc=$?
	rm -rf "$dir"
	return $rc
}

# verify ROOT LOG: reports each problem (and fails) unless every change LOG
# acknowledged is in the database and vault in ROOT, as the replay of LOG
# says it must be, and check finds the database sound.
verify() {
	local root=$1 log=$2 survived=$1/illdesk.db out
	local -a problems=()
	local -A want=() have=() side=() pending_status=()
	local seeded=0 verb kind key arg pkind="" pkey="" parg="" k
	[[ -f $survived ]] || { echo "the database is gone after the cut"; return 1; }
	if ! out=$("$bin" --db "$survived" check 2>&1); then
		# a ship cut between storing its file and recording it, or a restore
		# of a backup older than some ships, leaves files no request names
		# (README, "After a power cut"): repaired, not damage
		if [[ -n $(grep -v -e '^illdesk:' -e '^vault_file_orphan' <<<"$out") ]]; then
			echo "check fails after the cut: $out"
			return 1
		fi
		out=$("$bin" --db "$survived" check --repair 2>&1) || { echo "check --repair fails after the cut: $out"; return 1; }
		: >"$rdir/repaired"
	fi
	listing "$survived" >"$rdir/after.json" 2>&1 || { echo "list fails after the cut: $(cat "$rdir/after.json")"; return 1; }

	# replay the log: want[KEY] is the status each acknowledged change left
	while read -r verb kind key arg; do
		case $verb in
		try) pkind=$kind pkey=$key parg=$arg ;;
		kept) [[ -n $key ]] && { same_listing "$root/${key#"$mnt"/}" "$rdir/pre-$kind.json" ||
			problem "the database restore $kind replaced, kept as $key, is lost or differs from before"; } ;;
		ok)
			pkind=""
			case $kind in
			new | state | borrow) want[$key]=$arg ;;
			csv) for k in 1 2 3; do want[$key-$k]=created; done ;;
			seed) seeded=$((seeded + arg)) ;;
			backup)
				save_model "$key"
				same_listing "$root/${arg#"$mnt"/}" "$rdir/backup-$key.json" ||
					problem "acknowledged backup $key is lost or differs from the database it was taken of"
				;;
			restore) load_model "$key" ;;
			esac
			;;
		esac
	done <"$log"

	# a restore the cut caught leaves the old database or the backup, whole
	if [[ $pkind == restore ]]; then
		if cmp -s "$rdir/after.json" "$rdir/pre-$pkey.json"; then
			out="the database before it"
		elif cmp -s "$rdir/after.json" "$rdir/backup-$pkey.json"; then
			out="the backup"
		else
			problem "a restore cut mid-way left neither the database before it nor the backup"
		fi
		verdict "restore cut mid-way; the database is $out"
		return
	fi

	# what survived: KEY (lending: external id; borrowing: id), side, partner, status
	local id ext sd pt st file ours=0 theirs=0
	while read -r id ext sd pt st; do
		if [[ $pt != "$partner" ]]; then theirs=$((theirs + 1)) && continue; fi
		ours=$((ours + 1))
		[[ $sd == lending ]] && id=$ext
		have[$id]=$st side[$id]=$sd
	done < <(awk '
		/^    "(id|external_id|side|partner|status)": / { v = $2; gsub(/[",]/, "", v); f[$1] = v == "" ? "-" : v }
		/^  }/ { print f["\"id\":"], f["\"external_id\":"], f["\"side\":"], f["\"partner\":"], f["\"status\":"] }
	' "$rdir/after.json")

	# every acknowledged change is there; the one the cut caught may be
	local slack=0
	case $pkind in
	new | borrow) slack=1 ;;
	csv) slack=3 ;;
	state) pending_status[$pkey]=$parg ;;
	esac
	for k in "${!want[@]}"; do
		st=${have[$k]:-}
		if [[ -z $st ]]; then
			problem "acknowledged request $k (${want[$k]}) is lost"
		elif [[ $st != "${want[$k]}" && $st != "${pending_status[$k]:-}" ]]; then
			problem "acknowledged change of $k to ${want[$k]} is lost: it is $st"
		fi
	done
	if [[ $pkind == csv ]]; then
		local got=0
		for k in 1 2 3; do [[ -n ${have[$pkey-$k]:-} ]] && got=$((got + 1)); done
		((got == 0 || got == 3)) || problem "an import cut mid-way left $got of its 3 requests"
	fi
	((ours <= ${#want[@]} + slack)) ||
		problem "$ours requests of the workload, more than the ${#want[@]} acknowledged (+$slack the cut caught)"

	# seeds: whole batches only (a seed cut mid-way may have added some)
	local extra=$((theirs - seeded)) ok=false
	if [[ $pkind == seed ]]; then
		for ((k = 0; k < parg; k += batch)); do ((extra == k)) && ok=true; done
		((extra == parg)) && ok=true
	else
		((extra == 0)) && ok=true
	fi
	local also=""
	[[ $pkind == seed ]] && also=" (and whole batches of the seed of $parg cut mid-way)"
	$ok || problem "$theirs seeded requests where $seeded were acknowledged$also: a batch is lost or split"

	# every shipped request's file, as shipped (check repaired any other)
	for k in "${!have[@]}"; do
		[[ ${have[$k]} == shipped_digitally && ${side[$k]} == lending ]] || continue
		file=$root/vault/$k.pdf
		[[ -f $file && $(stat -c %s "$file") == "$scan_size" && $(sha256sum "$file" | cut -d' ' -f1) == "$scan_sum" ]] ||
			problem "the shipped file of $k is lost or differs from the scan"
	done
	verdict ""
}

# verdict NOTE: prints the problems found (and fails) or NOTE.
verdict() {
	if ((${#problems[@]})); then
		printf '%s\n' "${problems[@]}" | sort
		return 1
	fi
	[[ -z $1 ]] || echo "$1"
}

# ---- the rounds ----

# pick WORD...: one of the words, at random.
pick() {
	local a=("$@")
	echo "${a[RANDOM % ${#a[@]}]}"
}

# choose_fault KIND: sets inject (LazyFS [[injection]] config, in force from
# the mount), fifo_cmd (sent to LazyFS's FIFO once mounted), vault_fault and
# vault_ship (sent before that ship) and what (how the round is named). In
# this LazyFS the FIFO's crash fires at the first matching operation after
# it is sent (an occurrence given there is ignored; for rename and link only
# to_rgx is matched, and only when from_rgx is given too), and its torn
# faults hit the first write; occurrences are configured: a clear-cache fault
# "before" with occurrence N fires before operation N+1, "after" after
# operation N; torn-op tears write N of the file; torn-seq hits the Nth run
# of two or more writes with no fsync between (docs/RELIABILITY.md).
choose_fault() {
	local timing op n parts persist
	inject="" fifo_cmd="" vault_fault="" vault_ship=0
	timing=$(pick before after)
	case $1 in
	crash-db)
		op=$(pick fsync write)
		if [[ $op == fsync ]]; then n=$((1 + RANDOM % 120)); else n=$((1 + RANDOM % 300)); fi
		inject=$(printf '[[injection]]\ntype="clear-cache"\nfrom="%s"\ntiming="%s"\nop="%s"\noccurrence=%d\ncrash=true' \
			"$root/illdesk.db" "$timing" "$op" "$n")
		[[ $timing == before ]] && what="crash before $op $((n + 1)) of illdesk.db" || what="crash after $op $n of illdesk.db"
		;;
	torn-op)
		n=$((1 + RANDOM % 300)) parts=$((2 + RANDOM % 3))
		persist=$(pick 1 2 "1,$parts" "$((parts - 1))" "$parts")
		inject=$(printf '[[injection]]\ntype="torn-op"\nfile="%s"\noccurrence=%d\nparts=%d\npersist=[%s]' \
			"$root/illdesk.db" "$n" "$parts" "$persist")
		what="torn-op: write $n of illdesk.db in $parts parts, only part(s) $persist written"
		;;
	torn-seq)
		n=$((1 + RANDOM % 60)) persist=$(pick 1 2 3 "2,3" "1,3" "3,4")
		inject=$(printf '[[injection]]\ntype="torn-seq"\nop="write"\nfile="%s"\noccurrence=%d\npersist=[%s]' \
			"$root/illdesk.db" "$n" "$persist")
		what="torn-seq: of run $n of unsynced writes to illdesk.db only write(s) $persist"
		;;
	crash-vault)
		op=$(pick write fsync) vault_ship=$((1 + RANDOM % 3))
		vault_fault="lazyfs::crash::timing=$timing::op=$op::from_rgx=vault/"
		what="crash $timing the $op of the file of ship $vault_ship"
		;;
	crash-restore)
		op=$(pick fsync rename link)
		case $op in
		fsync) fifo_cmd="lazyfs::crash::timing=$timing::op=fsync::from_rgx=illdesk-restore" ;;
		rename) fifo_cmd="lazyfs::crash::timing=$timing::op=rename::from_rgx=illdesk-restore::to_rgx=illdesk\.db$" ;;
		link) fifo_cmd="lazyfs::crash::timing=$timing::op=link::from_rgx=illdesk\.db::to_rgx=replaced" ;;
		esac
		what="crash $timing the first restore's $op"
		;;
	crash-backup)
		op=$(pick fsync link) # a new backup file is linked into place, never renamed over one
		fifo_cmd="lazyfs::crash::timing=$timing::op=$op::from_rgx=illdesk-backup"
		[[ $op == fsync ]] || fifo_cmd+="::to_rgx=backup-[0-9]"
		what="crash $timing the first backup's $op"
		;;
	cut) what="power cut" ;;
	esac
}

# setup ROOT: the round's database, made on the plain disk below LazyFS
# (durable before the round starts): the workload's partner and settings.
setup() {
	local db=$1/illdesk.db
	{
		"$bin" --db "$db" partner add $partner --name "Power Cut Library" --agency-id OCLC:PCUT
		"$bin" --db "$db" config set agency-id ISIL:US-PC
		"$bin" --db "$db" config set pickup-locations Main
		"$bin" --db "$db" config set digitization-departments Scanning
	} >/dev/null
}

# fired: whether LazyFS killed itself for an injected fault.
fired() { grep -q 'Killing LazyFS' "$mnt.log" 2>/dev/null; }

export -f workload op arm iso_request listing snapshot
export bin scan db mnt fifo log rdir round partner batch big_seed vault_fault vault_ship
kinds=(${POWERCUT_KINDS:-cut crash-db torn-op crash-vault torn-seq crash-restore cut crash-db torn-op torn-seq crash-backup})
cuts=0 checked=0 repairs=0 missed=0
declare -A faults=()
start=$SECONDS
for round in $(seq "$rounds"); do
	rdir=$work/r$round root=$work/r$round/root
	mkdir -p "$root"
	root=$(realpath "$root") # LazyFS names files by their real path below it
	log=$rdir/log
	: >"$log"
	setup "$root"
	kind=${kinds[(round - 1) % ${#kinds[@]}]}
	choose_fault "$kind"
	LAZYFS_INJECT=$inject "$lazyfs" start "$mnt" "$root" >/dev/null
	db=$mnt/illdesk.db
	[[ -z $fifo_cmd ]] || arm "$fifo_cmd" || fail "round $round: $(cat "$rdir/failed")"
	big_seed=$((round % 4 == 0))
	setsid bash -c workload &
	pgid=$!
	# a cut comes at a random moment; an injected fault when it fires, or
	# (not reached within 15 s) a cut then
	if [[ $kind == cut ]]; then
		limit=$((3 + RANDOM % 60)) # tenths of a second
	else
		limit=150
	fi
	for ((t = 0; t < limit; t++)); do
		fired && break
		kill -0 "$pgid" 2>/dev/null || break # the workload stopped: a command failed
		sleep 0.1
	done
	stopped=false
	kill -0 "$pgid" 2>/dev/null || stopped=true
	kill -9 -- "-$pgid" 2>/dev/null || true
	wait "$pgid" 2>/dev/null || true
	if fired; then
		faults[$kind]=$((${faults[$kind]:-0} + 1))
		"$lazyfs" stop-raw "$mnt" >/dev/null # unmount the file system that died
		what="$what: fired"
	else
		$stopped && fail "round $round ($what): the workload stopped with no fault: $(cat "$rdir/failed" 2>/dev/null)"
		timeout 30 "$lazyfs" crash "$mnt" >/dev/null || fail "round $round: LazyFS did not crash on command"
		cuts=$((cuts + 1))
		[[ $kind == cut ]] || { missed=$((missed + 1)) && what="$what: not reached, power cut instead"; }
	fi

	# what survived, read from the folder below LazyFS
	if ! why=$(verify "$root" "$log"); then
		if $expect_loss && grep -q lost <<<"$why"; then
			echo "PASS $name --expect-loss: round $round ($what) found acknowledged changes lost:"
			echo "$why" | head -20
			exit 0
		fi
		fail "round $round ($what): ${why//$'\n'/; }"
	fi
	if ((round == 1)); then
		# the check itself catches a lost change, a lost ship and a split seed
		for bad in "ok new NEVER-MADE created" "ok state PC-1-1 shipped_digitally" "ok seed 99 1"; do
			{ cat "$log"; echo "$bad"; } >"$rdir/lost"
			verify "$root" "$rdir/lost" >/dev/null && fail "the check misses a wrong state after the cut ($bad)"
		done
	fi
	n=$(grep -c '^ok ' "$log" || true)
	checked=$((checked + n))
	[[ -f $rdir/repaired ]] && repairs=$((repairs + 1))
	echo "round $round ($what): $n acknowledged changes, all there${why:+; $why}; check sound"
	rm -rf "$rdir"
done
$expect_loss && fail "--expect-loss: $rounds rounds lost no acknowledged change; is $bin built with -tags powercut_nosync?"
summary=""
for k in $(printf '%s\n' "${!faults[@]}" | sort); do summary+="${summary:+, }${faults[$k]} $k"; done
echo "PASS $name: $rounds rounds, $cuts power cuts ($missed of them for a fault not reached), injected faults:" \
	"${summary:-none}; $checked acknowledged changes checked, none lost, no damage; $repairs repairs of" \
	"vault files no request names; $((SECONDS - start)) s"
