# No personal link in a shared place, and no ping for everyone: a nudge to
# a member whose notify names the community's (Mattermost) channel reaches
# it without the one-click link or any URL of the worker, naming who should
# act and how, while the e-mail copy has the link; a member's own (Slack)
# channel still gets it.  Item titles with @Channel, @ALL, @here and
# <!everyone> are defused in the payloads posted to a real HTTP receiver,
# and the owner's own mention stays.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK_team="http://127.0.0.1:$HTTP/ok/team"
export HOOK_carol="http://127.0.0.1:$HTTP/ok/carol"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir   = $T/state
timezone    = America/New_York
public_url  = https://plc.example.edu

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = mattermost
url  = env:HOOK_team

[channel carol-dm]
type = slack
url  = env:HOOK_carol

[community math7]
facilitator   = alice
members       = alice, bob, carol
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-09-01
action_remind = 2d
notify        = team

[member alice]
email = alice@example.edu

[member bob]
name   = Bob Jones
email  = bob@example.edu
notify = email, team
chat   = team:bob.jones

[member carol]
name   = Carol Ng
email  = carol@example.edu
notify = email, carol-dm
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }

expect_status "action add (bob) exits 0" 0 P action add math7 --owner bob \
    --due 2026-12-10 --title 'Tell @Channel and @ALL, @here too' \
    --now 2026-12-01T12:00Z
expect_status "action add (carol) exits 0" 0 P action add math7 --owner carol \
    --due 2026-12-10 --title 'Warn <!everyone> and @Everyone' \
    --now 2026-12-01T12:00Z
# Tue 8 Dec 09:00 New York: both 2d nudges are due.
expect_status "run --once at the nudges exits 0" 0 \
    P run --once --now 2026-12-08T14:00Z

# Each payload the receiver got, by the channel it went to.
$PY - "$T/hooks" >"$T/posts.json" <<'EOF'
import glob, json, os, sys
out = {}
for f in glob.glob(os.path.join(sys.argv[1], "*.json")):
    path = open(f[:-5] + ".path").read()
    out.setdefault(path.rsplit("/", 1)[1], []).append(json.load(open(f)))
print(json.dumps(out))
EOF
expect "one post on the team channel, one on carol's own" $PY -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert sorted((k, len(v)) for k, v in p.items()) == [("carol", 1), ("team", 1)], p' "$T/posts.json"
expect "the team's copy of bob's nudge has no link and no URL of the worker" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))["team"][0]["text"]
assert "/a/" not in t and "/feeds/" not in t and "plc.example.edu" not in t, t' "$T/posts.json"
expect "it says who should act, and how" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))["team"][0]["text"]
assert "Bob Jones: mark it done with `plc-cadence action done 1` or the link in your e-mail." in t, t' "$T/posts.json"
expect "Mattermost: @Channel, @ALL and @here are defused, in any case" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))["team"][0]["text"]
low = t.lower()
for w in ("@channel", "@all", "@here", "@everyone"):
    assert w not in low, (w, t)
assert "@\u200bChannel" in t and "@\u200bALL" in t and "@\u200bhere" in t, t' "$T/posts.json"
expect "Mattermost: bob's own mention stays" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))["team"][0]["text"]
assert t.endswith("\n@bob.jones"), t' "$T/posts.json"
expect "carol's own channel gets her link" $PY -c '
import json, re, sys
t = json.load(open(sys.argv[1]))["carol"][0]["text"]
assert re.search(r"https://plc\.example\.edu/a/2-\d+-\d+-[A-Za-z0-9_-]{43}", t), t' "$T/posts.json"
expect "Slack: <!everyone> and @Everyone are defused" $PY -c '
import json, sys
p = json.load(open(sys.argv[1]))["carol"][0]
for t in (p["text"], p["blocks"][0]["text"]["text"]):
    assert "<!everyone>" not in t and "&lt;!everyone&gt;" in t, t
    assert "@everyone" not in t.lower(), t' "$T/posts.json"

# The e-mail copies keep their links.
$PY - "$T/mail/new" >"$T/mails" <<'EOF'
import email, email.policy, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    m = email.message_from_binary_file(open(os.path.join(sys.argv[1], f), "rb"),
        policy=email.policy.default)
    print(m["to"].addresses[0].addr_spec, m.get_body(("plain",)).get_content().replace("\n", " "))
EOF
expect "bob's e-mail copy has his link" grep -q '^bob@example.edu .*https://plc.example.edu/a/1-' "$T/mails"
expect "carol's e-mail copy has hers" grep -q '^carol@example.edu .*https://plc.example.edu/a/2-' "$T/mails"
