#!/bin/sh
# Delivery benchmark: 1,000 reminders as webhook posts to nginx and 1,000
# as e-mails to postfix's smtp-sink on 127.0.0.1 (a C sink made for this,
# counting and keeping nothing: Python's aiosmtpd, or a sink writing files
# to this machine's /tmp, was the bottleneck itself), timed from planning
# to the last acknowledgement, beside Apprise (one call, many targets) and
# curl --parallel (no state at all: the near-limit).  Then a district's
# morning: one reminder for each of MORNING_MEMBERS (default 6,000, the
# members of bench/feeds.sh's 1,000 communities) by e-mail.  Every figure
# is the median of ROUNDS rounds (bench/lib.sh) with its spread, measured
# in this run.  Usage: bench/deliver.sh BIN
set -u
BIN=$(readlink -f "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
PY=$BPY
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
ratio2() { $PY -c "import sys; a, b = map(float, sys.argv[1:]); print('%.2f' % (a / b) if b > 0 else 'n/a')" "$@"; }

MEMBERS=100
LEADS="1d, 23h, 22h, 21h, 20h, 19h, 18h, 17h, 16h, 15h"
N=$((MEMBERS * 10))

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
conf() {	# conf NOTIFY [STATE]
	cat <<EOC
[worker]
state_dir = $T/state-${2:-$1}
timezone  = America/New_York
horizon   = 1d
[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>
[channel hook]
type = generic
url  = env:HOOK
rate = 100000/s
[community bench]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 $MEMBERS)
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = $LEADS
EOC
	for i in $(seq 1 $MEMBERS); do
		printf '[member m%d]\nemail = m%d@example.edu\nnotify = %s\n' \
		    "$i" "$i" "$1"
	done
}
export HOOK="http://127.0.0.1:$HTTP/plc"
conf hook >"$T/hook.ini"
conf email >"$T/mail.ini"
AT=2026-11-03T01:00	# 14.5 h before the meeting: all ten leads are due

# timed SETUP COUNT CMD...: ROUNDS rounds of SETUP (untimed) then CMD;
# prints the median, lowest and highest round's rate (N messages over the
# round's time) and the fewest arrivals (COUNT before and after) of any
# round.
timed() {
	setup=$1; count=$2; shift 2
	: >"$T/rates"; fewest=$N
	for r in $(seq 1 "$ROUNDS"); do
		$setup
		c0=$($count); t0=$(now)
		"$@" >/dev/null 2>>"$T/tools.err" ||
		    echo "bench: $1 failed" >&2
		t1=$(now); got=$(($($count) - c0))
		rate $N "$t0" "$t1" >>"$T/rates"
		[ "$got" -lt "$fewest" ] && fewest=$got
	done
	echo "$(stats <"$T/rates") $fewest"
}
# A fresh state each round, its feeds already written, as a running worker
# has them: the figure is planning, sending and recording.
fresh_hook() { rm -rf "$T/state-hook"; "$BIN" -q -c "$T/hook.ini" feeds --now $AT >/dev/null; }
fresh_mail() { rm -rf "$T/state-email"; "$BIN" -q -c "$T/mail.ini" feeds --now $AT >/dev/null; }
nothing() { :; }

set -- $(timed fresh_hook posts "$BIN" -q -c "$T/hook.ini" run --once --now $AT)
plc_posts=$1; plc_posts_s=$(spread %.0f "$1" "$2" "$3"); got=$4
sent=$("$BIN" -c "$T/hook.ini" outbox --json | $PY -c 'import json,sys; print(sum(r["status"]=="sent" for r in json.load(sys.stdin)))')
set -- $(timed fresh_mail mails "$BIN" -q -c "$T/mail.ini" run --once --now $AT)
plc_mails=$1; plc_mails_s=$(spread %.0f "$1" "$2" "$3"); gotm=$4

# Apprise: one call, N targets.
printf 'Reminder: bench, Tue 3 Nov 15:30\n' >"$T/body"
targets=$(seq -f "json://127.0.0.1:$HTTP/apprise/%g" 1 $N)
set -- $(timed nothing posts apprise -t "Reminder: bench" -b "$(cat "$T/body")" $targets)
ap_posts=$1; ap_posts_s=$(spread %.0f "$1" "$2" "$3"); apgot=$4
targets=$(seq -f "mailto://127.0.0.1:$SMTP?from=plc@example.edu&to=m%g@example.edu&secure=no" 1 $N)
set -- $(timed nothing mails apprise -t "Reminder: bench" -b "$(cat "$T/body")" $targets)
ap_mails=$1; ap_mails_s=$(spread %.0f "$1" "$2" "$3"); apgotm=$4

# curl --parallel: the same posts and mails, nothing recorded.
printf '{"title":"Reminder: bench","text":"Tue 3 Nov 15:30"}' >"$T/payload.json"
for i in $(seq 1 $N); do
	printf 'url = "http://127.0.0.1:%s/curl/%d"\noutput = "/dev/null"\n' "$HTTP" "$i"
done >"$T/curl-posts.cfg"
set -- $(timed nothing posts curl -s --parallel --parallel-max 64 \
    -H 'Content-Type: application/json' -d @"$T/payload.json" \
    -K "$T/curl-posts.cfg")
cu_posts=$1; cu_posts_s=$(spread %.0f "$1" "$2" "$3"); cugot=$4
set -- $(timed nothing mails curl -s --parallel --parallel-max 64 \
    -K "$T/curl-mails.cfg")
cu_mails=$1; cu_mails_s=$(spread %.0f "$1" "$2" "$3"); cugotm=$4

# A district's morning: one reminder per member, all due at once.
MORNING=${MORNING_MEMBERS:-6000}
# Communities of 100 (a config line holds at most 1,000 characters), each
# member in one, each meeting at 15:30 with a 15-hour reminder.
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
N0=$N; N=$MORNING
set -- $(timed fresh_morning mails "$BIN" -q -c "$T/morning.ini" run --once --now $AT)
N=$N0
mo_rate=$1; mo_s=$(spread %.0f "$1" "$2" "$3"); mo_got=$4

echo "delivery: $N webhook posts to nginx, $N e-mails to smtp-sink (127.0.0.1), median (lowest-highest) of $ROUNDS rounds each"
printf '  posts  plc-cadence %s/s (%d arrived, %d recorded sent)  apprise %s/s (%d)  curl --parallel %s/s (%d)\n' \
    "$plc_posts_s" "$got" "$sent" "$ap_posts_s" "$apgot" "$cu_posts_s" "$cugot"
printf '         plc-cadence/apprise %sx   plc-cadence/curl %s   (medians; targets: >= 1000/s, >= 3x, >= 0.7)\n' \
    "$(ratio2 "$plc_posts" "$ap_posts")" "$(ratio2 "$plc_posts" "$cu_posts")"
printf '  mails  plc-cadence %s/s (%d arrived)  apprise %s/s (%d)  curl --parallel %s/s (%d)\n' \
    "$plc_mails_s" "$gotm" "$ap_mails_s" "$apgotm" "$cu_mails_s" "$cugotm"
printf '         plc-cadence/apprise %sx   plc-cadence/curl %s   (medians; targets: >= 500/s, >= 3x, >= 0.7)\n' \
    "$(ratio2 "$plc_mails" "$ap_mails")" "$(ratio2 "$plc_mails" "$cu_mails")"
printf '  a morning: %d members, one reminder each by e-mail, planned, sent and recorded by run --once: %s/s (%d arrived)\n' \
    "$MORNING" "$mo_s" "$mo_got"
printf '         %s s for the morning (target: < 60 s); at this rate a minute carries %s members\n' \
    "$($PY -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[2])) if float(sys.argv[2]) > 0 else 'n/a')" "$MORNING" "$mo_rate")" \
    "$($PY -c "import sys; print('%d' % (60 * float(sys.argv[1])))" "$mo_rate")"
