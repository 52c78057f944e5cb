#!/bin/sh
# Feed benchmarks, every figure measured in this run, all on 127.0.0.1:
#  1. a district's feeds (1,000 communities, 6,000 members, 180-day horizon)
#     written by `plc-cadence feeds`: wall time and peak memory
#     (/usr/bin/time -v), from nothing, again unchanged, and all rewritten;
#  2. one large feed (500 weekly series, 5,000 all-day items) rendered by
#     bench/feedbench (the ical module's ical_render_feed, linked from the
#     build) beside Python's icalendar building the same calendar;
#  3. one ~20 KB feed served to wrk (2 threads, 50 connections, 10 s) by
#     `plc-cadence run` and by nginx serving the same file from
#     <state_dir>/feeds.
# Usage: bench/feeds.sh BIN   (make bench builds BIN's feedbench beside it)
set -u
BIN=$(readlink -f "$1")
B=$(dirname "$BIN")
TOP=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
CONF="$PY $TOP/bench/feeds_conf.py"
T=$(mktemp -d /tmp/plc-bench-feeds.XXXXXX)
PLC_PID=""
NGINX_PID=""
V=""
cleanup() {
	[ -n "$PLC_PID" ] && kill "$PLC_PID" 2>/dev/null && wait "$PLC_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$T"
	[ -n "$V" ] && rm -rf "$V"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
ratio() { $PY -c "import sys; a, b = map(float, sys.argv[1:]); print('%.1f' % (a / b) if b > 0 else 'n/a')" "$@"; }
# timed LABEL CMD...: run CMD under /usr/bin/time -v; sets $secs and $mb.
timed() {
	/usr/bin/time -v -o "$T/time" "$@" >"$T/timed.out" 2>&1 ||
		{ echo "bench: $* failed:" >&2; cat "$T/timed.out" >&2; }
	secs=$($PY -c '
import sys
for l in open(sys.argv[1]):
    if "Elapsed (wall clock)" in l:
        v = l.rsplit(" ", 1)[1].strip().split(":")
        print("%.2f" % sum(float(x) * 60 ** i for i, x in enumerate(reversed(v))))' "$T/time")
	mb=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$T/time")
	cpu=$(awk '/User time/ { u = $NF } /System time/ { s = $NF } END { printf "user %.2f s, kernel %.2f s", u, s }' "$T/time")
}

# 1. The district.
$CONF district "$T/district" >"$T/district.ini"
timed "$BIN" -c "$T/district.ini" feeds --now 2026-08-20T12:00
d1s=$secs d1m=$mb d1o=$(tail -n 1 "$T/timed.out") d1c=$cpu
timed "$BIN" -c "$T/district.ini" feeds --now 2026-08-21T12:00
d2s=$secs d2m=$mb d2o=$(tail -n 1 "$T/timed.out") d2c=$cpu
# Another public URL changes every feed's bytes: all rewritten.
sed -i 's|^public_url .*|public_url = https://calendar.example.edu|' "$T/district.ini"
timed "$BIN" -c "$T/district.ini" feeds --now 2026-08-22T12:00
d3s=$secs d3m=$mb d3o=$(tail -n 1 "$T/timed.out") d3c=$cpu
dbytes=$(du -sk "$T/district/feeds" | cut -f1)
echo "district: 1,000 communities, 6,000 members, horizon 180d: 7,000 feeds, $dbytes KB, in $T"
printf '  from nothing (tokens, series, 7,000 new files)  %6s s  %4s MB peak  (%s)\n' "$d1s" "$d1m" "$d1c"
printf '  again, nothing changed (all rendered, compared)  %6s s  %4s MB peak  (%s)\n' "$d2s" "$d2m" "$d2c"
printf '  every feed changed (new public_url, all written) %6s s  %4s MB peak  (%s)\n' "$d3s" "$d3m" "$d3c"
printf '  %s | %s | %s\n' "${d1o##*: }" "${d2o##*: }" "${d3o##*: }"
rm -rf "$T/district"
# A new file is a new inode, and ext4 without a journal (this machine's
# root) checks every free inode it passes for a recent deletion: in a
# block group where other test suites churn files (/tmp here), creating
# thousands of files costs seconds of kernel time.  The same first run
# with the state in /var/tmp shows how much of it is the filesystem's.
V=$(mktemp -d /var/tmp/plc-bench-feeds.XXXXXX)
$CONF district "$V/district" >"$V/district.ini"
timed "$BIN" -c "$V/district.ini" feeds --now 2026-08-20T12:00
rm -rf "$V"; V=""
printf '  from nothing, state in /var/tmp                %6s s  %4s MB peak  (%s)\n' "$secs" "$mb" "$cpu"
echo "  (target: under 2 s)"

# 2. One large feed, beside Python's icalendar.
$CONF large "$T/large" >"$T/large.ini"
set -- $("$B/feedbench" "$T/large.ini" m1 5000 7 "$T/large-c.ics")
c_best=${1:-0} c_med=${2:-0} c_bytes=${3:-0} c_events=${4:-0}
set -- $($PY "$TOP/bench/feeds_icalendar.py" "$T/large.ini" m1 5000 3 "$T/large-py.ics")
p_best=${1:-0} p_med=${2:-0} p_bytes=${3:-0} p_events=${4:-0}
c_ex=$(grep -c '^EXDATE' "$T/large-c.ics"); p_ex=$(grep -c '^EXDATE' "$T/large-py.ics")
echo "large feed: 500 weekly series + 5,000 all-day items, one member, rendered in-process"
printf '  plc-cadence ical_render_feed  best %.4f s  median %.4f s  %d bytes, %d VEVENTs, %d EXDATEs\n' \
    "$c_best" "$c_med" "$c_bytes" "$c_events" "$c_ex"
printf '  python3-icalendar build       best %.4f s  median %.4f s  %d bytes, %d VEVENTs, %d EXDATEs\n' \
    "$p_best" "$p_med" "$p_bytes" "$p_events" "$p_ex"
echo "  icalendar/plc-cadence $(ratio "$p_best" "$c_best")x (best), $(ratio "$p_med" "$c_med")x (median)   (target: >= 20x)"
[ "$c_events" = "$p_events" ] && [ "$c_ex" = "$p_ex" ] ||
	echo "  bench: the two calendars differ in events or EXDATEs" >&2
# Both must be calendars: ical.js reads each (not timed).
for f in c py; do
	node "$TOP/tests/icalcheck.mjs" "$T/large-$f.ics" 2026-09-01T00:00:00Z \
	    2026-09-08T00:00:00Z >"$T/check-$f" 2>"$T/problems-$f" ||
		echo "  bench: ical.js finds problems in large-$f.ics: $(head -n 3 "$T/problems-$f" | tr '\n' ';')" >&2
done
echo "  ical.js, first week of September: $(wc -l <"$T/check-c") meetings and items in plc-cadence's, $(wc -l <"$T/check-py") in icalendar's"

# 3. One ~20 KB feed over HTTP: the built-in server and nginx.
S="$T/serve"
mkdir -p "$S"
PORT=$(free_port)
NPORT=$(free_port)
# Unprivileged: as root, both servers run as nobody.
RUNAS=""
if [ "$(id -u)" = 0 ]; then
	RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	chmod 0711 "$T"
	chown nobody:nogroup "$S"
fi
$CONF serve "$S/state" "127.0.0.1:$PORT" "http://127.0.0.1:$PORT" 22 >"$S/plc.ini"
$RUNAS "$BIN" -q -c "$S/plc.ini" run >"$S/run.log" 2>&1 &
PLC_PID=$!
i=0
while ! curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
URL=$($RUNAS "$BIN" -c "$S/plc.ini" urls --json | $PY -c '
import json, sys
print([x for x in json.load(sys.stdin) if x["id"] == "m1"][0]["url"])')
FEEDPATH=${URL#http://127.0.0.1:$PORT}
mkdir -p "$S/nginx"
cat >"$S/nginx.conf" <<EOC
worker_processes auto;
pid $S/nginx/nginx.pid;
error_log $S/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $S/nginx;
	proxy_temp_path $S/nginx;
	fastcgi_temp_path $S/nginx;
	uwsgi_temp_path $S/nginx;
	scgi_temp_path $S/nginx;
	types { text/calendar ics; }
	server {
		listen 127.0.0.1:$NPORT;
		location /feeds/ { root $S/state; }
	}
}
EOC
[ -n "$RUNAS" ] && chown -R nobody:nogroup "$S/nginx" "$S/nginx.conf"
$RUNAS nginx -p "$S/nginx" -c "$S/nginx.conf" -e "$S/nginx/error.log" -g 'daemon off;' &
NGINX_PID=$!
i=0
while ! curl -sf -o /dev/null "http://127.0.0.1:$NPORT$FEEDPATH" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -s -o "$T/via-plc" "http://127.0.0.1:$PORT$FEEDPATH"
curl -s -o "$T/via-nginx" "http://127.0.0.1:$NPORT$FEEDPATH"
size=$(wc -c <"$T/via-plc")
cmp -s "$T/via-plc" "$T/via-nginx" || echo "bench: the two servers sent different bytes" >&2
# wrk's runs are bounded by -d.
wrk -t2 -c50 -d10s "http://127.0.0.1:$PORT$FEEDPATH" >"$T/wrk-plc" 2>&1
wrk -t2 -c50 -d10s "http://127.0.0.1:$NPORT$FEEDPATH" >"$T/wrk-nginx" 2>&1
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
bad() { awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf " (%s)", $0 }' "$1"; }
plc_rps=$(rps "$T/wrk-plc"); ngx_rps=$(rps "$T/wrk-nginx")
echo "serving: one $size-byte feed, wrk -t2 -c50 -d10s on 127.0.0.1"
printf '  plc-cadence run  %10s req/s%s\n' "${plc_rps:-?}" "$(bad "$T/wrk-plc")"
printf '  nginx            %10s req/s%s\n' "${ngx_rps:-?}" "$(bad "$T/wrk-nginx")"
echo "  plc-cadence/nginx $(ratio "${plc_rps:-0}" "${ngx_rps:-0}")   (target: >= 0.5)"
