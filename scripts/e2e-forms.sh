#!/usr/bin/env bash
# End-to-end lending from the window's forms under a virtual X display:
# a lending request typed into File → New lending request by keyboard alone
# (Ctrl+Shift+N, typing, Tab, Return; a Return before the title is refused
# beside the form, which keeps what was typed), a partner's ISO 18626
# request imported, and the typed request's pick slip printed to the CUPS
# queue PDF (cups-pdf), its text read back with pdftotext; then
# `illdesk show --json` of both requests.
#
# The import goes through File → Import…: without zenity (as under Xvfb
# here) the window shows Fyne's own Open dialog, which has no field to type
# a path into, so the window runs with HOME set to a folder holding only
# the message, where that dialog opens, and the script clicks the file and
# Open at their places in the dialog, which is centred in the window.
#
# Run from the project root, with the binary already built, after
# scripts/cups.sh (as root, or with sudo) for the print part, which is
# skipped with a SKIP line where CUPS or its PDF queue is missing:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-forms.sh
#
# GUI_SCREEN=1024x600x24 runs it on a small laptop's screen.
set -euo pipefail
name=e2e-forms
source "$(dirname "$0")/lib.sh"
screen=$(xdpyinfo | awk '/dimensions:/ {d = $2} END {print d}')

"$bin" --db "$db" config set agency-id ISIL:US-OURS >/dev/null
"$bin" --db "$db" partner add RAPID --name "RapidILL" --agency-id OCLC:RAPID --turnaround-hours 24 >/dev/null
"$bin" --db "$db" partner add BVB --name "Bibliotheksverbund Bayern" >/dev/null

# 1. The lending form, by keyboard alone.
start --desk rs --operator e2e
key ctrl+shift+n
sleep 0.8
shot "$shots/illdesk-lendform-$screen-empty.png" "$title"
xdotool type --delay 15 "rapid" # the partner field has the focus; the line below names RapidILL
key Tab
xdotool type --delay 15 "RAPID-E2E-1"
key Return # no title yet: refused beside the form
sleep 0.5
shot "$shots/illdesk-lendform-$screen-refused.png" "$title"
key Tab
xdotool type --delay 15 "Journal of Testing"
key Tab
xdotool type --delay 15 "On end-to-end tests"
key Tab
xdotool type --delay 15 "Tester, T."
for v in 12 3 2024 12-30 1234-5678; do # volume, issue, year, pages, ISSN
	key Tab
	xdotool type --delay 15 "$v"
done
key Tab Tab # past ISBN
xdotool type --delay 15 "10.1000/e2e.1"
key Tab Tab Tab # past Service (copy) and Format
xdotool type --delay 15 "2027-01-15"
key Tab
xdotool type --delay 15 "phoned in"
key Tab
xdotool type --delay 15 "Stacks"
key Tab
xdotool type --delay 15 "Z1 .T4"
key Tab
xdotool type --delay 15 "39000001"
sleep 0.3
shot "$shots/illdesk-lendform-$screen-filled.png" "$title"
key Return
wait_log "for “Journal of Testing” from RAPID created" 10
shot "$shots/illdesk-lendform-$screen-created.png" "$title"
stop TERM

# 2. A partner's ISO 18626 request from RAPID (OCLC:RAPID) to us
# (ISIL:US-OURS), imported through File → Import….
mkdir -p "$work/home"
python3 - iso18626/testdata/samples/NewRequest.xml "$work/home/request.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
s = s.replace("OCLC-ABCDE", "US-OURS")
s = re.sub(r"(<ns1:requestingAgencyId>.*?<ns1:agencyIdType[^>]*>)ISIL(</ns1:agencyIdType>\s*<ns1:agencyIdValue>)OCLC-BCDEF",
           r"\1OCLC\2RAPID", s, flags=re.S)
s = s.replace("<ns1:requestingAgencyRequestId>168166854<", "<ns1:requestingAgencyRequestId>RAPID-ISO-7<")
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
HOME=$work/home start --desk rs --operator e2e
eval "$(xwininfo -id "$(wait-window "$title" 10)" |
	awk -F: '/^  Width/ {gsub(/ /, "", $2); print "w=" $2} /^  Height/ {gsub(/ /, "", $2); print "h=" $2}')"
click 27 14 --window "$title" # File
sleep 0.5
click 44 122 --window "$title" # Import…
sleep 1.5
# Fyne's Open dialog: 900x600 (ui/filedialog.go), no larger than the window
dw=$((w < 916 ? w - 16 : 900))
dh=$((h < 616 ? h - 16 : 600))
x0=$(((w - dw) / 2))
y0=$(((h - dh) / 2))
shot "$shots/illdesk-import-$screen-dialog.png" "$title"
click $((x0 + 292)) $((y0 + 135)) --window "$title" # request.xml, after (Parent)
sleep 0.5
click $((x0 + dw - 36)) $((y0 + dh - 23)) --window "$title" # Open
wait_log "Imported 1 file" 15
sleep 0.5
shot "$shots/illdesk-import-$screen-summary.png" "$title"
key Escape
stop TERM

typed=$("$bin" --db "$db" show --json RAPID-E2E-1)
for want in '"partner": "RAPID"' '"title": "Journal of Testing"' '"article_title": "On end-to-end tests"' \
	'"author": "Tester, T."' '"volume": "12"' '"number": "3"' '"year": "2024"' '"pages": "12-30"' \
	'"issn": "1234-5678"' '"doi": "10.1000/e2e.1"' '"service_type": "Copy"' '"location": "Stacks"' \
	'"call_number": "Z1 .T4"' '"item_barcode": "39000001"' '"internal_note": "phoned in"' '"needed_by": "2027-01-15' \
	'"status": "created"'; do
	grep -qF "$want" <<<"$typed" || fail "the typed request lacks $want: $typed"
done
imported=$("$bin" --db "$db" show --json RAPID-ISO-7)
for want in '"partner": "RAPID"' '"title": "Harry Potter and the Half-Blood Prince"' '"service_type": "Loan"' '"status": "created"'; do
	grep -qF "$want" <<<"$imported" || fail "the imported request lacks $want: $imported"
done

# 3. The typed request's pick slip, printed to the PDF queue.
printed=skipped
if command -v lpstat >/dev/null && lpstat -p PDF >/dev/null 2>&1 && [[ -r /etc/cups/cups-pdf.conf ]] && command -v pdftotext >/dev/null; then
	out=$(awk '$1 == "Out" {print $2}' /etc/cups/cups-pdf.conf)
	out=${out//\$\{HOME\}/$HOME}
	mark=$work/mark
	touch "$mark"
	"$bin" --db "$db" config set printer PDF >/dev/null
	"$bin" --db "$db" pick RAPID-E2E-1 --to rs >/dev/null
	"$bin" --db "$db" slip RAPID-E2E-1 --print | tee "$work/slip.out"
	grep -q "sent to the printer PDF" "$work/slip.out" || fail "the slip was not sent to PDF: $(cat "$work/slip.out")"
	pdf=
	for _ in $(seq 150); do
		pdf=$(find "$out" -name '*.pdf' -newer "$mark" 2>/dev/null | head -n 1)
		[[ -n $pdf ]] && break
		sleep 0.2
	done
	[[ -n $pdf ]] || fail "cups-pdf wrote no PDF into $out within 30 s"
	sleep 0.5 # cups-pdf finishes writing the file
	text=$(pdftotext "$pdf" -)
	for want in RAPID-E2E-1 "Journal of Testing" 39000001; do
		grep -qF "$want" <<<"$text" || fail "the printed slip $pdf lacks $want: $text"
	done
	printed="printed to PDF ($pdf)"
else
	echo "SKIP $name: print part: no CUPS queue PDF (run scripts/cups.sh) or no pdftotext"
fi
"$bin" --db "$db" check >"$work/check" || fail "check found problems after the run: $(cat "$work/check")"
echo "PASS $name ($screen): typed with Ctrl+Shift+N, a refusal kept the form, imported RAPID-ISO-7 through File → Import…, slip $printed; screenshots in $shots"
