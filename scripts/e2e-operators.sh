#!/usr/bin/env bash
# End-to-end sign-in under a virtual X display: with an operator set up, the
# window asks who works here; the operator types the PIN, then receives a
# borrowed item by scanner, and the history records the operator.
#
#   go build -tags no_emoji -o illdesk ./app && ../shared/tools/gui/session scripts/e2e-operators.sh
set -euo pipefail
name=e2e-operators
source "$(dirname "$0")/lib.sh"

export ILLDESK_PIN=2468
"$bin" --db "$db" operator add finn --roles fulfillment,requests,circulation >/dev/null
"$bin" --db "$db" --operator finn partner add NYPL --name "New York Public Library" >/dev/null
"$bin" --db "$db" --operator finn borrow new --partner NYPL --external-id NYPL-B-1 --title "Silent Spring" \
	--requester "Grace Hopper" --pickup "Main Library" >/dev/null
unset ILLDESK_PIN

start --desk rs
shot "$shots/illdesk-signin.png" "$title"
xdotool type --delay 15 "2468"
key Return
wait_log "finn signed in at the RS desk" 10

scan NYPL-B-1
wait_log "Selected NYPL-B-1" 10
scan 39200000999
wait_log "39200000999 received for Grace Hopper" 10
stop TERM

out=$("$bin" --db "$db" show --json NYPL-B-1)
grep -q '"status": "received"' <<<"$out" || fail "not received: $out"
grep -q '"actor": "finn"' <<<"$out" || fail "the operator is not in the history: $out"
code=0
"$bin" --db "$db" --operator finn cancel NYPL-B-1 2>"$work/err" || code=$?
((code == 1)) || fail "a change without the PIN was not refused (exit $code)"
echo "PASS $name: signed in with the PIN, received by scanner as finn; a change without sign-in refused"
