# send-test and e-mail delivery: a real SMTP server (aiosmtpd) on loopback,
# a refusing one, none at all, the maildir default, and addresses that try
# to smuggle SMTP commands.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT


# start_smtpd DIR MODE: start tests/smtpd.py, wait until it listens.
start_smtpd() {
	mkdir -p "$1"
	PORT=$(free_port)
	$PY "$TOP/tests/smtpd.py" "$PORT" "$1" "$2" 2>"$1.log" &
	SRV="$SRV $!"
	wait_for 10 test -e "$1/ready" || { not_ok "smtpd did not start"; cat "$1.log"; }
}

# smtp_conf FILE PORT: a config sending through 127.0.0.1:PORT in clear.
smtp_conf() {
	cat >"$1" <<EOC
[worker]
state_dir = $T/state
[smtp]
url      = smtp://127.0.0.1:$2
starttls = off
from     = PLC Cadence <plc@example.edu>
[channel team]
type = slack
url  = file:$T/team.jsonl
EOC
}

# --- a server that accepts
start_smtpd "$T/in" accept
smtp_conf "$T/ok.ini" "$PORT"
expect_status "send-test to a listening server exits 0" 0 \
    "$PLC" -c "$T/ok.ini" send-test --now 2026-11-23T14:00:00Z bob@example.edu
contains "the server's answer is shown" "$T/out" "250 2.0.0 Ok: queued as plc1"
expect "one message arrived" test -f "$T/in/1.eml" -a ! -e "$T/in/2.eml"
printf 'plc@example.edu\nbob@example.edu\n' >"$T/want.env"
expect "envelope: MAIL FROM and RCPT TO are the plain addresses" \
    cmp -s "$T/in/1.env" "$T/want.env"
M="$T/in/1.eml"
contains "From with display name" "$M" "From: PLC Cadence <plc@example.edu>"
contains "To" "$M" "To: bob@example.edu"
contains "Date in RFC 5322 form from --now" "$M" "Date: Mon, 23 Nov 2026 14:00:00 +0000"
contains "MIME-Version" "$M" "MIME-Version: 1.0"
contains "text/plain in UTF-8" "$M" "Content-Type: text/plain; charset=utf-8"
contains "non-ASCII subject is RFC 2047-encoded" "$M" "Subject: =?UTF-8?B?"
expect "Message-ID is <hash of the key@domain of From>" \
    grep -qE '^Message-ID: <[0-9a-f]{32}@example\.edu>' "$M"
# Parse it the way a mail client would.
$PY - "$M" >"$T/parsed" 2>&1 <<'EOP'
import sys, email, email.policy
raw = open(sys.argv[1], "rb").read()
bare = raw.replace(b"\r\n", b"").count(b"\n")
m = email.message_from_bytes(raw, policy=email.policy.default)
print("subject=" + str(m["subject"]))
print("defects=%d" % len(m.defects))
print("bare-lf=%d" % bare)
print("body=" + m.get_content().splitlines()[0])
EOP
contains "subject decodes to the original" "$T/parsed" "subject=plc-cadence test message ✔"
contains "no MIME defects" "$T/parsed" "defects=0"
contains "every line ends in CRLF" "$T/parsed" "bare-lf=0"
contains "body decodes" "$T/parsed" "body=This is a test message from plc-cadence."

# --- addresses that are not addresses: refused before any connection
for bad in "bob@x.edu
RCPT TO:<evil@x>" "bob@x.edu>
RCPT TO:<evil@x" "bob @x.edu" "bob@x.edu,evil@x.edu" "<bob@x.edu>"; do
	expect_status "bad address '$(echo "$bad" | head -1)…' exits 65" 65 \
	    "$PLC" -c "$T/ok.ini" send-test "$bad"
	contains "the error names the address" "$T/err" "is not an e-mail address"
done
expect_status "'bob' (no such channel) exits 65" 65 "$PLC" -c "$T/ok.ini" send-test bob
contains "the error names it" "$T/err" "'bob' is neither an e-mail address nor a channel"
expect "nothing more reached the server" test ! -e "$T/in/2.eml" -a ! -e "$T/in/2.env"

# --- a chat channel (a file: sink here; webhooks: tests/e2e/chat.sh)
expect_status "send-test CHANNEL posts to the channel" 0 \
    "$PLC" -c "$T/ok.ini" send-test team
contains "and says where it went" "$T/out" "send-test: team: sent: appended to $T/team.jsonl"
expect "one Slack payload was appended" $PY -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1 and "plc-cadence test message" in json.loads(lines[0])["text"]' "$T/team.jsonl"

# --- a server that refuses the recipient
start_smtpd "$T/refuse" refuse
smtp_conf "$T/refuse.ini" "$PORT"
expect_status "a refusing server exits 69" 69 \
    "$PLC" -c "$T/refuse.ini" send-test bob@example.edu
contains "the refusal is shown" "$T/err" "550 5.1.1 <bob@example.edu>: recipient refused by policy"
contains "as a permanent failure" "$T/err" "permanent failure"
expect "nothing was stored by the refusing server" test ! -e "$T/refuse/1.eml"

# --- nothing listening
smtp_conf "$T/none.ini" "$(free_port)"
expect_status "no server exits 69" 69 "$PLC" -c "$T/none.ini" send-test bob@example.edu
contains "as a temporary failure" "$T/err" "temporary failure"
contains "naming the connection problem" "$T/err" "onnect"

# --- the maildir default when [smtp] has no url
cat >"$T/md.ini" <<EOC
[worker]
state_dir = $T/state
EOC
expect_status "send-test into the default maildir exits 0" 0 \
    "$PLC" -c "$T/md.ini" send-test --now 2026-11-23T14:00:00Z bob@example.edu
contains "it says where" "$T/out" "delivered to $T/state/mail/new/"
expect "exactly one file in new/" test "$(ls "$T/state/mail/new" | wc -l)" -eq 1
expect "tmp/ is left empty" test "$(ls "$T/state/mail/tmp" | wc -l)" -eq 0
expect "cur/ exists" test -d "$T/state/mail/cur"
expect "maildir folders are 0700" test "$(stat -c %a "$T/state/mail/new") $(stat -c %a "$T/state/mail/tmp") $(stat -c %a "$T/state/mail/cur")" = "700 700 700"
F=$(ls "$T/state/mail/new"/* | head -1)
contains "the maildir message has its Date" "$F" "Date: Mon, 23 Nov 2026 14:00:00 +0000"
expect "maildir lines end in LF alone" sh -c "! grep -q \"\$(printf '\r')\" '$F'"

# --- STARTTLS: "required" never falls back to clear text; "optional" may
sed 's/^starttls = off/starttls = required/' "$T/ok.ini" >"$T/tls.ini"
expect_status "starttls = required with a server without STARTTLS exits 69" 69 \
    "$PLC" -c "$T/tls.ini" send-test bob@example.edu
expect "and nothing was sent in clear text" test ! -e "$T/in/2.eml"
sed 's/^starttls = off/starttls = optional/' "$T/ok.ini" >"$T/opt.ini"
expect_status "starttls = optional sends in clear text when it must" 0 \
    "$PLC" -c "$T/opt.ini" send-test bob@example.edu
expect "the second message arrived" test -f "$T/in/2.eml"

# --- STARTTLS with a verified certificate (a private CA given as ca_file)
# and AUTH from a secret file: the password never shows.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test CA" \
    -keyout "$T/ca.key" -out "$T/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$T/srv.key" -out "$T/srv.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/srv.pem" >/dev/null 2>&1
mkdir -p "$T/tlsin"
PORT=$(free_port)
$PY "$TOP/tests/smtpd.py" "$PORT" "$T/tlsin" tls "$T/srv.pem" "$T/srv.key" 2>"$T/tlsin.log" &
SRV="$SRV $!"
wait_for 10 test -e "$T/tlsin/ready"
printf 's3cret pw\n' >"$T/pw"
chmod 600 "$T/pw"
tls_conf() {	# tls_conf FILE CA-LINE
	cat >"$1" <<EOC
[worker]
state_dir = $T/state
[smtp]
url      = smtp://127.0.0.1:$PORT
starttls = required
from     = PLC Cadence <plc@example.edu>
username = plc
password = file:$T/pw
$2
EOC
}
tls_conf "$T/auth.ini" "ca_file = $T/ca.pem"
expect_status "STARTTLS + AUTH with the CA given: exit 0" 0 \
    "$PLC" -c "$T/auth.ini" send-test bob@example.edu
expect "the message arrived over TLS" test -f "$T/tlsin/1.eml"
contains "the server saw a successful login as plc" "$T/tlsin/auth.log" "plc ok"
expect "the password is not printed" sh -c "! grep -q 's3cret' '$T/out' '$T/err'"
tls_conf "$T/noca.ini" ""
expect_status "an untrusted certificate is refused: exit 69" 69 \
    "$PLC" -c "$T/noca.ini" send-test bob@example.edu
expect "and nothing was sent" test ! -e "$T/tlsin/2.eml"
printf 'wrong\n' >"$T/pw"
expect_status "a wrong password: exit 69" 69 \
    "$PLC" -c "$T/auth.ini" send-test bob@example.edu
contains "the server's refusal is shown" "$T/err" "535"
expect "nothing was sent" test ! -e "$T/tlsin/2.eml"
expect_status "a ca_file that does not exist is a config error (78)" 78 \
    sh -c "sed 's|^ca_file = .*|ca_file = $T/nope.pem|' '$T/auth.ini' >'$T/bad.ini' && '$PLC' -c '$T/bad.ini' check"
contains "naming the file" "$T/err" "$T/nope.pem"
