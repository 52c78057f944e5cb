#!/bin/sh
# Delivery benchmark: 1,000 reminders as webhook posts to nginx and 1,000
# as e-mails to postfix's smtp-sink on 127.0.0.1 (a C sink made for this,
# counting and keeping nothing: Python's aiosmtpd, or a sink writing files
# to this machine's /tmp, was the bottleneck itself), timed from planning
# to the last acknowledgement, beside Apprise (one call, many targets) and
# curl --parallel (no state at all: the near-limit).  Every figure is
# measured in this run.  Usage: bench/deliver.sh BIN
set -u
BIN=$(readlink -f "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
T=$(mktemp -d /tmp/plc-bench.XXXXXX)
PIDS=""
cleanup() {
	[ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null
	[ -n "$PIDS" ] && kill $PIDS 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
rate() { $PY -c "import sys; n, a, b = map(float, sys.argv[1:]); print('%.0f' % (n / (b - a)))" "$@"; }
ratio() { $PY -c "import sys; a, b = map(float, sys.argv[1:]); print('%.2f' % (a / b))" "$@"; }

# Each of MEMBERS members is in each of ten communities meeting the same
# afternoon, one reminder each: N messages.  Of several lead times of one
# meeting due at once only the latest goes (the others are stale,
# skipped), and members sharing a chat channel get one post per meeting,
# so each member has a channel of their own, all on the same receiver.
MEMBERS=100
COMMUNITIES=10
N=$((MEMBERS * COMMUNITIES))

# nginx answers every POST with 200 and logs it, so arrivals can be counted.
HTTP=$(free_port)
mkdir -p "$T/nginx"
cat >"$T/nginx.conf" <<EOC
worker_processes 1;
pid $T/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$HTTP;
		location / { return 200 "ok"; }
	}
}
EOC
nginx -c "$T/nginx.conf" -p "$T" || exit 1
posts() { wc -l <"$T/nginx/access.log"; }

SMTP=$(free_port)
mkdir -p "$T/smtp"
# smtp-sink counts what it accepts (-c: "mesg=N" on its output) and keeps
# nothing, so no disk is timed; as root it must be told whom to run as.
as=""
[ "$(id -u)" = 0 ] && as="-u nobody"
/usr/sbin/smtp-sink $as -c 127.0.0.1:$SMTP 256 >"$T/sink.count" 2>"$T/sink.log" &
PIDS="$PIDS $!"
i=0
while ! $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$SMTP" 2>/dev/null &&
    [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mails() { tail -c 80 "$T/sink.count" | tr '\r' '\n' | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1 | grep . || echo 0; }
printf 'From: plc@example.edu\r\nTo: m@example.edu\r\nSubject: Reminder: bench\r\n\r\nTue 3 Nov 15:30\r\n' >"$T/msg.eml"
for i in $(seq 1 $N); do
	# "next" between URLs only: one after the last starts an empty group.
	[ "$i" -gt 1 ] && echo next
	printf 'url = "smtp://127.0.0.1:%s"\nmail-from = "plc@example.edu"\nmail-rcpt = "m%d@example.edu"\nupload-file = "%s"\n' \
	    "$SMTP" "$i" "$T/msg.eml"
done >"$T/curl-mails.cfg"

# plc-cadence: MEMBERS members, ten reminders each, all due at --now.
conf() {	# conf NOTIFY
	cat <<EOC
[worker]
state_dir = $T/state-$1
timezone  = America/New_York
horizon   = 1d
[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>
EOC
	[ "$1" = hook ] && for i in $(seq 1 $MEMBERS); do
		printf '[channel hook%d]\ntype = generic\nurl  = env:HOOK\nrate = 100000/s\n' "$i"
	done
	for c in $(seq 1 $COMMUNITIES); do
		cat <<EOC
[community bench$c]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 $MEMBERS)
cadence     = weekly
day         = TU
time        = 15:$((29 + c))
start       = 2026-09-01
remind      = 15h
EOC
	done
	for i in $(seq 1 $MEMBERS); do
		n=$1
		[ "$n" = hook ] && n=hook$i
		printf '[member m%d]\nemail = m%d@example.edu\nnotify = %s\n' \
		    "$i" "$i" "$n"
	done
}
export HOOK="http://127.0.0.1:$HTTP/plc"
conf hook >"$T/hook.ini"
conf email >"$T/mail.ini"
AT=2026-11-03T01:00	# 14.5 h before the meetings: every reminder is due

# One round of one tool: round NAME SETUP COUNT CMD...: SETUP (untimed),
# then CMD timed; appends "seconds arrivals" to $T/NAME.
round() {
	name=$1; setup=$2; count=$3; shift 3
	$setup
	c0=$($count); t0=$(now)
	"$@" >/dev/null 2>>"$T/tools.err" || echo "bench: $1 failed" >&2
	t1=$(now)
	echo "$($PY -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1") $(($($count) - c0))" >>"$T/$name"
}
# Two figures for plc-cadence.  "whole cycle": a fresh state, its feeds
# already written, as a running worker has them; timed are planning,
# sending and recording, and the cycle's other work (feeds, quorum...).
# "delivery": the reminders planned beforehand (a cycle at AT0, before they
# are due, as the running worker plans them a day ahead); the cycle at AT
# that sends them, less the same cycle run again with nothing left to send
# (timed right after, in each round; its median): claiming, sending and
# recording each message durably, what curl does plus the outbox.
AT0=2026-11-03T00:00	# 15.5 h before: planned, none due yet
fresh_hook() { rm -rf "$T/state-hook"; "$BIN" -q -c "$T/hook.ini" feeds --now $AT >/dev/null; }
fresh_mail() { rm -rf "$T/state-email"; "$BIN" -q -c "$T/mail.ini" feeds --now $AT >/dev/null; }
planned_hook() { rm -rf "$T/state-hook"; "$BIN" -q -c "$T/hook.ini" run --once --now $AT0 >/dev/null; }
planned_mail() { rm -rf "$T/state-email"; "$BIN" -q -c "$T/mail.ini" run --once --now $AT0 >/dev/null; }
nothing() { :; }

# Apprise: one call, N targets; curl --parallel: the same posts and mails,
# nothing recorded.
printf 'Reminder: bench, Tue 3 Nov 15:30\n' >"$T/body"
ap_posts=$(seq -f "json://127.0.0.1:$HTTP/apprise/%g" 1 $N)
ap_mails=$(seq -f "mailto://127.0.0.1:$SMTP?from=plc@example.edu&to=m%g@example.edu&secure=no" 1 $N)
printf '{"title":"Reminder: bench","text":"Tue 3 Nov 15:30"}' >"$T/payload.json"
for i in $(seq 1 $N); do
	printf 'url = "http://127.0.0.1:%s/curl/%d"\noutput = "/dev/null"\n' "$HTTP" "$i"
done >"$T/curl-posts.cfg"

# ROUNDS rounds, each tool once per round in turn, so that a busy moment
# of the shared machine falls on all of them alike; each figure is the
# median round, with the slowest and fastest beside it.  APPRISE=0 leaves
# Apprise out (it takes most of the time) when only curl's ratio matters.
ROUNDS=${ROUNDS:-5}
APPRISE=${APPRISE:-1}
PLC() { "$BIN" -q -c "$T/$1.ini" run --once --now $AT; }
for r in $(seq 1 "$ROUNDS"); do
	round plc_posts fresh_hook posts PLC hook
	round plcd_posts planned_hook posts PLC hook
	round plci_posts nothing posts PLC hook
	round cu_posts nothing posts curl -s --parallel --parallel-max 64 \
	    -H 'Content-Type: application/json' -d @"$T/payload.json" \
	    -K "$T/curl-posts.cfg"
	round plc_mails fresh_mail mails PLC mail
	round plcd_mails planned_mail mails PLC mail
	round plci_mails nothing mails PLC mail
	round cu_mails nothing mails curl -s --parallel --parallel-max 64 \
	    -K "$T/curl-mails.cfg"
	[ "$APPRISE" = 0 ] && continue
	round ap_posts nothing posts apprise -t "Reminder: bench" -b "$(cat "$T/body")" $ap_posts
	round ap_mails nothing mails apprise -t "Reminder: bench" -b "$(cat "$T/body")" $ap_mails
done
sent=$("$BIN" -c "$T/hook.ini" outbox --json | $PY -c 'import json,sys; print(sum(r["status"]=="sent" for r in json.load(sys.stdin)))')
sentm=$("$BIN" -c "$T/mail.ini" outbox --json | $PY -c 'import json,sys; print(sum(r["status"]=="sent" for r in json.load(sys.stdin)))')

# The table: per tool the median rate (min-max) and the fewest arrivals of
# any round; each ratio is the median (min-max) of the per-round ratios,
# plc-cadence and its peer measured one after the other in the same round.
$PY - "$T" "$ROUNDS" "$N" "$sent" "$sentm" <<'EOP'
import statistics, sys, os
t, rounds, n, sent, sentm = sys.argv[1:]
n = int(n)
def load(name):
    p = os.path.join(t, name)
    if not os.path.exists(p):
        return None
    return [tuple(map(float, l.split())) for l in open(p) if l.strip()]
def rates(name):
    v = load(name)
    if v is None:
        return None
    if name.startswith("plcd_"):	# less the idle cycle's median: a
        # round's own idle cycle made one busy moment count twice
        idle = statistics.median(i for i, _ in load("plci_" + name[5:]))
        return [n / max(s - idle, 1e-3) for s, _ in v], int(min(a for _, a in v))
    return [n / s for s, _ in v], int(min(a for _, a in v))
def fig(name):
    d = rates(name)
    if d is None:
        return "-"
    r, got = d
    return "%6.0f/s (%.0f-%.0f; %d arrived)" % (statistics.median(r), min(r), max(r), got)
def ratio(a, b):
    da, db = rates(a), rates(b)
    if da is None or db is None:
        return "-"
    q = [x / y for x, y in zip(da[0], db[0])]
    return "%.2f (%.2f-%.2f)" % (statistics.median(q), min(q), max(q))
def ms(name):
    v = load(name)
    return "%.0f ms" % (1000 * statistics.median(s for s, _ in v))
print("delivery: %d webhook posts to nginx, %d e-mails to smtp-sink (127.0.0.1);"
      " median of %s rounds (min-max), tools interleaved" % (n, n, rounds))
for kind, rec in (("posts", sent), ("mails", sentm)):
    print("  %s (%s recorded sent in the last round)" % (kind, rec))
    print("    plc-cadence, delivery        %s  (the cycle sending them less the same cycle with none, %s)" % (
        fig("plcd_" + kind), ms("plci_" + kind)))
    print("    plc-cadence, whole cycle     %s" % fig("plc_" + kind))
    print("    curl --parallel              %s" % fig("cu_" + kind))
    print("    apprise                      %s" % fig("ap_" + kind))
    print("    plc-cadence/curl: delivery %s, whole cycle %s (target >= 0.7);"
          " whole cycle/apprise %sx (target >= 3)" % (
        ratio("plcd_" + kind, "cu_" + kind), ratio("plc_" + kind, "cu_" + kind),
        ratio("plc_" + kind, "ap_" + kind)))
EOP

# A district's morning: one reminder for each of MORNING_MEMBERS (default
# 6,000, the members of bench/feeds.sh's 1,000 communities) by e-mail, all
# due at once, planned, sent and recorded by one run --once.  Communities of
# 100 (a config line holds at most 1,000 characters), each member in one,
# each meeting at 15:30 with a 15-hour reminder.
MORNING=${MORNING_MEMBERS:-6000}
conf_morning() {
	cat <<EOC
[worker]
state_dir = $T/state-morning
timezone  = America/New_York
horizon   = 1d
[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>
EOC
	c=0
	while [ $((c * 100)) -lt "$MORNING" ]; do
		lo=$((c * 100 + 1)); hi=$(((c + 1) * 100))
		[ "$hi" -gt "$MORNING" ] && hi=$MORNING
		printf '[community c%d]\nfacilitator = m%d\nmembers = %s\ncadence = weekly\nday = TU\ntime = 15:30\nstart = 2026-09-01\nremind = 15h\n' \
		    "$c" "$lo" "$(seq -s ',' -f 'm%g' "$lo" "$hi")"
		c=$((c + 1))
	done
	for i in $(seq 1 "$MORNING"); do
		printf '[member m%d]\nemail = m%d@example.edu\n' "$i" "$i"
	done
}
conf_morning >"$T/morning.ini"
fresh_morning() { rm -rf "$T/state-morning"; "$BIN" -q -c "$T/morning.ini" feeds --now $AT >/dev/null; }
for r in $(seq 1 "$ROUNDS"); do
	round morning fresh_morning mails PLC morning
done
$PY - "$T/morning" "$MORNING" "$ROUNDS" <<'EOP'
import statistics, sys
v = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
n, rounds = int(sys.argv[2]), sys.argv[3]
s = [x for x, _ in v]
m = statistics.median(s)
print("  a morning: %d members, one reminder each by e-mail, planned, sent and"
      " recorded by run --once: %.1f s (%.1f-%.1f), median of %s rounds"
      " (%d arrived in the worst round; target: < 60 s); at this rate a"
      " minute carries %d members" % (n, m, min(s), max(s), rounds,
      int(min(a for _, a in v)), 60 * n / m))
EOP
