#!/usr/bin/env bash
# End-to-end lending under a virtual X display, as staff would work:
# scan a request's external identifier into the scan bar, drop the scanned
# PDF on the window from a real drag source, press Ctrl+Enter, then check with
# `illdesk show --json` that the request shipped with its file.
#
# Run from the project root, with the binary already built:
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-lending.sh
set -euo pipefail
name=e2e-lending
source "$(dirname "$0")/lib.sh"

scan=$(pwd)/pdf/preflight/testdata/pdf/valid_scan_3pages.pdf
[[ -f $scan ]] || fail "missing test scan $scan"

"$bin" --db "$db" partner add RAPID --name RapidILL >/dev/null
"$bin" --db "$db" lend new --partner RAPID --external-id 18840100 --title "Journal of Documentation" --pages 1-3 >/dev/null
"$bin" --db "$db" lend new --partner RAPID --external-id 18840211 --title "Library Quarterly" --volume 75 --pages 1-3 >/dev/null

start --desk rs --operator e2e

# The scanner types the external identifier and presses Return.
scan 18840211
wait_log "Selected 18840211" 10

# A real drag and drop of the scan onto the middle of the window; the
# window checks it and logs the verdict.
drop "$scan" --to 500 400 --window "$title" || fail "the drop was not accepted"
wait_log "18840211: scan checked: accept" 20
shot "$shots/illdesk-lending-dropped.png" "$title"

# Ctrl+Enter while the scan bar has focus ships it.
key ctrl+Return
wait_log "18840211 shipped digitally" 20
sleep 0.3
shot "$shots/illdesk-lending-shipped.png" "$title"
stop TERM

out=$("$bin" --db "$db" show --json 18840211)
grep -q '"status": "shipped_digitally"' <<<"$out" || fail "18840211 is not shipped: $out"
grep -q '"name": "18840211.pdf"' <<<"$out" || fail "the shipped file is not named by the external id: $out"
grep -q '"pages": 3' <<<"$out" || fail "the shipped file does not have 3 pages: $out"
grep -q '"actor": "e2e"' <<<"$out" || fail "the operator is not in the history: $out"
cmp -s "$scan" "$work/vault/18840211.pdf" || fail "the vault file differs from the scan"
"$bin" --db "$db" check >"$work/check" || fail "check found problems after the run: $(cat "$work/check")"
echo "PASS $name: scanned, dropped, shipped with Ctrl+Enter; screenshots in $shots"
