#!/usr/bin/env bash
# End-to-end holdings in the window, under a virtual X display: the window
# receives partners' ISO 18626 messages itself (config listen) and looks
# holdings up in a Zebra SRU catalogue (scripts/zebra.sh) reached through a
# small proxy that holds the catalogue's answers back until the script lets
# them through. A partner posts a Request for a book the catalogue holds;
# staff scan its external identifier while the window's background lookup
# still waits for the catalogue; once the answers go through, the details
# pane shows the holdings (location, call number, barcode, the record they
# came from) where staff had scrolled it, and the status line says how
# many were found. The window's log (its status line) and `show --json`
# after it closed are checked; screenshots of before and after, named by
# the screen size, go to $SHOT_DIR (illdesk-holdings-*.png).
#
# Run from the project root, with the binary already built (GUI_SCREEN
# sets the screen, e.g. 1024x600x24):
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-holdings.sh
#
# Env: ILLDESK_BIN (default ./illdesk), SHOT_DIR (default /tmp). Needs
# idzebra-2.0 and yaz; it skips with a message without them.
set -euo pipefail
name=e2e-holdings
if ! command -v zebraidx >/dev/null || ! command -v zebrasrv >/dev/null; then
	echo "SKIP $name: Zebra is not installed (Debian: apt-get install idzebra-2.0 yaz)"
	exit 0
fi
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
desk=("$bin" --db "$db")
ext=18840300 # the partner's request id: our external identifier

# The catalogue and the proxy, stopped with the window when the script ends.
pids=()
# (lib.sh's cleanup reads the exit status from $?, which errexit would stop)
trap 'status=$?; set +e; for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; (exit $status); cleanup' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# until_file FILE PATTERN SECONDS: poll a server's log for a line.
until_file() {
	local deadline=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		((SECONDS < deadline)) || fail "$1 did not show \"$2\" within $3 s: $(tail -n 5 "$1" 2>/dev/null)"
		sleep 0.2
	done
}
zebra_port=$(free_port)
"$root/scripts/zebra.sh" "$work/zebra" "$zebra_port" >"$work/zebra.out" 2>&1 &
pids+=($!)
zebra="http://127.0.0.1:$zebra_port/Default"
until_file "$work/zebra.out" "$zebra" 30
"${desk[@]}" config set sru-url "$zebra" >/dev/null
deadline=$((SECONDS + 20))
until "${desk[@]}" config test sru >/dev/null 2>&1; do
	((SECONDS < deadline)) || fail "Zebra did not answer at $zebra: $(cat "$work/zebra.out")"
	sleep 0.2
done

# Each search waits at the proxy until $work/release exists (at most 20 s).
cat >"$work/proxy.py" <<'PY'
import http.server, os, sys, time, urllib.error, urllib.request
port, target, release = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("held " + self.path, flush=True)
        deadline = time.monotonic() + 20
        while not os.path.exists(release) and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            with urllib.request.urlopen(target + self.path, timeout=10) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, fmt, *args):
        print(fmt % args, flush=True)
print("proxy on 127.0.0.1:%d" % port, flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
PY
proxy_port=$(free_port)
python3 "$work/proxy.py" "$proxy_port" "http://127.0.0.1:$zebra_port" "$work/release" >"$work/proxy.out" 2>&1 &
pids+=($!)
until_file "$work/proxy.out" "proxy on" 10
"${desk[@]}" config set sru-url "http://127.0.0.1:$proxy_port/Default" >/dev/null

# The window listens for partners on 127.0.0.1.
listen_port=$(free_port)
"${desk[@]}" config set agency-id ISIL:US-LEND >/dev/null
"${desk[@]}" config set listen "127.0.0.1:$listen_port" >/dev/null
"${desk[@]}" partner add BORROW --name "Borrowing Library" --agency-id ISIL:US-BORROW \
	--iso-endpoint "http://127.0.0.1:$(free_port)/" >/dev/null
start --desk rs --operator e2e
size=$(xdotool getdisplaygeometry | tr ' ' x)

# The partner posts a Request for a book the catalogue holds.
python3 - "http://127.0.0.1:$listen_port/" "$ext" <<'PY' || fail "the window did not answer the Request OK"
import sys, urllib.request
ids = lambda kind, value: ('<ns1:%sAgencyId><ns1:agencyIdType>ISIL</ns1:agencyIdType>'
                           '<ns1:agencyIdValue>%s</ns1:agencyIdValue></ns1:%sAgencyId>' % (kind, value, kind))
msg = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<ns1:ISO18626Message xmlns:ns1="http://illtransactions.org/2013/iso18626" ns1:version="1.2">'
       '<ns1:request><ns1:header>' + ids("supplying", "US-LEND") + ids("requesting", "US-BORROW") +
       '<ns1:timestamp>2026-03-02T09:00:00Z</ns1:timestamp>'
       '<ns1:requestingAgencyRequestId>%s</ns1:requestingAgencyRequestId></ns1:header>'
       '<ns1:bibliographicInfo><ns1:title>Introduction to algorithms</ns1:title>'
       '<ns1:author>Cormen, Thomas H.</ns1:author><ns1:bibliographicItemId>'
       '<ns1:bibliographicItemIdentifier>9780262046305</ns1:bibliographicItemIdentifier>'
       '<ns1:bibliographicItemIdentifierCode>ISBN</ns1:bibliographicItemIdentifierCode>'
       '</ns1:bibliographicItemId></ns1:bibliographicInfo>'
       '<ns1:serviceInfo><ns1:requestType>New</ns1:requestType><ns1:serviceType>Loan</ns1:serviceType>'
       '</ns1:serviceInfo></ns1:request></ns1:ISO18626Message>') % sys.argv[2]
req = urllib.request.Request(sys.argv[1], data=msg.encode(), headers={"Content-Type": "application/xml"})
answer = urllib.request.urlopen(req, timeout=10).read().decode()
sys.exit(0 if "messageStatus>OK<" in answer else "the window answered: " + answer)
PY
wait_log "New lending request \"$ext\" from BORROW" 10

# Staff select it while its lookup waits for the catalogue.
until_file "$work/proxy.out" "held /Default" 10
scan "$ext"
wait_log "Selected $ext" 10
# The Holdings section is below the actions and the citation: scroll the
# details pane down to it with the mouse wheel, as staff would.
eval "$(xdotool getwindowgeometry --shell "$(wait-window "$title" 5)")"
to_bottom() {
	click $((WIDTH - 200)) $((HEIGHT - 150)) --window "$title" --button 5
	xdotool click --repeat 40 --delay 20 5 # a wheel step is a few lines
	sleep 0.5
}
to_bottom
shot "$shots/illdesk-holdings-waiting-$size.png" "$title"
if grep -q "holdings found" "$log"; then fail "the holdings arrived before the catalogue answered"; fi

# The catalogue answers: the pane shows the holdings, the status line says so.
touch "$work/release"
wait_log "$ext: 2 holdings found in the catalogue." 20
sleep 0.5
shot "$shots/illdesk-holdings-found-$size.png" "$title" # the pane stayed where it was
to_bottom
shot "$shots/illdesk-holdings-all-$size.png" "$title"
stop TERM

"${desk[@]}" show --json "$ext" | python3 -c '
import json, sys
v = json.load(sys.stdin)
got = [(h["location"], h["call_number"], h["item_barcode"], h["source"].split(" at ")[0]) for h in v["holdings"]]
want = [("Main Library Stacks", "QA76.6 .C662 2022", "39000000000202", "record rec-book"),
        ("Engineering Reserve", "QA76.6 .C662 2022 c.2", "39000000000303", "record rec-book")]
sys.exit(0 if got == want else "holdings of the request: %r" % got)' ||
	fail "the request does not hold the catalogue's holdings"
echo "PASS $name: a partner's Request looked up in Zebra in the window's background, selected by scan, holdings shown; screenshots in $shots"
