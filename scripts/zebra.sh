#!/usr/bin/env bash
# A catalogue to look holdings up in: Index Data's Zebra serving SRU 1.2 and
# 2.0 on 127.0.0.1, over the MARCXML records the tests ship
# (internal/zebratest/testdata: the same server internal/zebratest starts
# for Go tests). Needs Debian's idzebra-2.0 and yaz packages.
#
#   scripts/zebra.sh DIR PORT
#
# copies the configuration and records into DIR (made if missing), indexes
# them, prints the SRU base address (http://127.0.0.1:PORT/Default) and
# then runs zebrasrv in the foreground, logging to DIR/zebrasrv.log: start
# it in the background and kill its pid to stop it. For example:
#
#   scripts/zebra.sh "$work/zebra" "$port" >"$work/zebra.out" &
#   pids+=($!)
#   $bin --db "$db" config set sru-url "http://127.0.0.1:$port/Default"
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: scripts/zebra.sh DIR PORT" >&2; exit 2; }
dir=$1 port=$2
command -v zebraidx >/dev/null && command -v zebrasrv >/dev/null ||
	{ echo "zebra.sh: zebraidx and zebrasrv are needed: apt-get install idzebra-2.0 yaz" >&2; exit 1; }
mkdir -p "$dir"
cp -r "$(dirname "$0")/../internal/zebratest/testdata/." "$dir/"
cd "$dir"
zebraidx -c zebra.cfg init >zebraidx.log 2>&1
zebraidx -c zebra.cfg update records >>zebraidx.log 2>&1
echo "http://127.0.0.1:$port/Default"
exec zebrasrv -f yazgfs.xml -l zebrasrv.log "tcp:127.0.0.1:$port"
