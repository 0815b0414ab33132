#!/usr/bin/env bash
# End-to-end: a short load test on a department database. It starts a
# throwaway PostgreSQL server on 127.0.0.1 (Debian's postgresql package;
# as root, the server runs as the postgres user), seeds 20,000 requests,
# runs `illdesk loadtest` with 5 workstations for 10 s, and checks its JSON:
# every action named, no error, changes heard by other workstations. It
# also checks that a workstation file is refused. It needs no window and
# takes about half a minute.
#
# Run from the project root, with the binary already built:
#
#   go build -o illdesk ./app && scripts/e2e-loadtest.sh
set -euo pipefail
name=e2e-loadtest
bin=${ILLDESK_BIN:-./illdesk}

fail() {
	echo "FAIL $name: $*" >&2
	exit 1
}

[[ -x $bin ]] || fail "no ILL Desk binary at $bin: build it first, or set ILLDESK_BIN"
command -v jq >/dev/null || fail "jq is needed to read the load test's JSON"
pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")
[[ -x $pgbin/initdb ]] || fail "no PostgreSQL server binaries under /usr/lib/postgresql: install the postgresql package"

work=$(mktemp -d)
as=()
if ((EUID == 0)); then
	chown postgres "$work"
	as=(runuser -u postgres --)
fi
cleanup() {
	"${as[@]}" "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

"${as[@]}" "$pgbin/initdb" -D "$work/data" -U illdesk -A trust -E UTF8 --locale=C --no-sync >/dev/null ||
	fail "initdb failed"
# a port picked at random, again when another server has it
for try in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 30000))
	if "${as[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o \
		"-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c fsync=off" start >/dev/null; then
		break
	fi
	((try < 5)) || fail "the PostgreSQL server did not start: $(tail -n 5 "$work/server.log")"
done
db=postgres://illdesk@127.0.0.1:$port/postgres

"$bin" --db "$db" --vault "$work/vault" seed --requests 20000 >/dev/null || fail "seed failed"
out=$("$bin" --db "$db" loadtest --workstations 5 --duration 10s --seed 3 --json) || fail "loadtest failed: $out"
jq -e '.workstations == 5 and .duration_s >= 9' <<<"$out" >/dev/null || fail "unexpected report: $out"
jq -e '[.actions[].action] == ["scan", "receive", "ship", "reject", "list"]' <<<"$out" >/dev/null ||
	fail "the actions are not scan, receive, ship, reject, list: $out"
jq -e '([.actions[].errors] | add) == 0 and ([.actions[].count] | add) >= 20' <<<"$out" >/dev/null ||
	fail "errors, or too few actions: $out"
jq -e '.visibility_p99_ms != null' <<<"$out" >/dev/null || fail "no change was heard by another workstation: $out"

file=$work/ws.db
if "$bin" --db "$file" loadtest --workstations 2 --duration 1s 2>"$work/err"; then
	fail "loadtest ran on a workstation file"
fi
grep -q "needs a department database on PostgreSQL" "$work/err" || fail "no clear refusal on a workstation file: $(cat "$work/err")"
[[ ! -e $file ]] || fail "the refused load test made $file"

echo "ok $name: $(jq -c '[.actions[] | {action, count, p99_ms}], .visibility_p99_ms' <<<"$out" | tr '\n' ' ')"
