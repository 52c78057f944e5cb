# send-test to chat channels of every service type, posted to a real HTTP
# receiver on loopback: each payload in the shape its service documents,
# Teams' 202 taken as success, refusals reported without the secret URL.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK="http://127.0.0.1:$HTTP"

{
	echo "[worker]"
	echo "state_dir = $T/state"
	for t in slack teams mattermost discord googlechat generic; do
		path=/ok
		[ $t = teams ] && path=/teams
		printf '[channel %s]\ntype = %s\nurl = env:HOOK_%s\n' $t $t $t
		export "HOOK_$t=$HOOK$path"
	done
	printf '[channel busy]\ntype = slack\nurl = env:HOOK_busy\n'
	printf '[channel gone]\ntype = slack\nurl = env:HOOK_gone\n'
	printf '[channel dead]\ntype = slack\nurl = env:HOOK_dead\n'
} >"$T/plc.ini"
export HOOK_busy="$HOOK/busy?token=SECRET-IN-URL"
export HOOK_gone="$HOOK/bad/SECRET-IN-PATH"
export HOOK_dead="http://127.0.0.1:9/SECRET-IN-PATH"
P() { "$PLC" -c "$T/plc.ini" "$@"; }
last() { ls -t "$T/hooks/"*.json | head -1; }

check_shape() {	# check_shape TYPE PYTHON-ASSERTIONS
	expect_status "send-test $1 exits 0" 0 P send-test "$1"
	expect "the $1 payload has its service's shape" $PY -c "
import json, sys
p = json.load(open(sys.argv[1]))
$2" "$(last)"
}
check_shape slack '
b = p["blocks"][0]
assert b["type"] == "section" and b["text"]["type"] == "mrkdwn"
assert "plc-cadence test message" in b["text"]["text"] and p["text"]'
check_shape teams '
assert p["type"] == "message"
a = p["attachments"][0]
assert a["contentType"] == "application/vnd.microsoft.card.adaptive"
assert a["content"]["type"] == "AdaptiveCard" and a["content"]["version"] == "1.4"
assert a["content"]["body"][0]["type"] == "TextBlock"'
contains "Teams: 202 Accepted counts as sent" "$T/out" "sent: 202 from $HOOK"
check_shape mattermost '
assert set(p) == {"text"} and "plc-cadence test message" in p["text"]'
check_shape discord '
assert "plc-cadence test message" in p["content"]
assert p["allowed_mentions"] == {"parse": [], "users": []}'
check_shape googlechat '
assert set(p) == {"text"} and "plc-cadence test message" in p["text"]'
check_shape generic '
assert p["title"].startswith("plc-cadence test message") and p["text"]
assert p["mentions"] == []'

expect_status "a 429 answer exits 69" 69 P send-test busy
contains "the answer is shown" "$T/err" "temporary failure: 429 from $HOOK"
expect "the secret query string is not" sh -c "! grep -q SECRET '$T/err' '$T/out'"
expect_status "a 400 answer exits 69" 69 P send-test gone
contains "it is a permanent failure" "$T/err" "permanent failure: 400"
expect "the secret path is not shown" sh -c "! grep -q SECRET '$T/err' '$T/out'"
expect_status "nothing listening exits 69" 69 P send-test dead
contains "it is a temporary failure" "$T/err" "temporary failure: http://127.0.0.1:9"
expect "the secret path is not shown" sh -c "! grep -q SECRET '$T/err' '$T/out'"
