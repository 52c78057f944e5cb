#!/bin/sh
# Feed benchmarks, every figure the median of ROUNDS rounds (bench/lib.sh)
# with its spread, measured in this run, all on 127.0.0.1:
#  1. a district's feeds (1,000 communities, 6,000 members, 180-day
#     horizon) written by `plc-cadence feeds`, the one-shot command (it
#     reads the config and the state each time): from nothing, again
#     unchanged, and all rewritten; wall and CPU time, peak memory;
#  2. a running worker's publishing cycle (bench/districtbench: the blocks
#     of each cycle kept for the next, as `run` keeps them) at 100, 1,000
#     and 10,000 communities, to show the growth is linear; its state on
#     tmpfs, so the figure is the worker's work (see 1 for this disk's);
#  3. one large feed (500 weekly series, 5,000 all-day items; alone:
#     bench/feeds_large.sh BIN) rendered by
#     bench/feedbench (the ical module, linked from the build) whole, from
#     nothing with the block cache, and after one item changed, beside
#     Python's icalendar building the same calendar;
#  4. one ~20 KB feed served to wrk (2 threads, 50 connections, 5 s a
#     round) by `plc-cadence run` and by nginx serving the same file from
#     <state_dir>/feeds.
# Usage: bench/feeds.sh BIN   (make bench builds BIN's feedbench and
# districtbench beside it)
set -u
BIN=$(readlink -f "$1")
B=$(dirname "$BIN")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
PY=$BPY
CONF="$PY $TOP/bench/feeds_conf.py"
T=$(mktemp -d /tmp/plc-bench-feeds.XXXXXX)
PLC_PID=""
NGINX_PID=""
V=""
S_SHM=""
cleanup() {
	[ -n "$PLC_PID" ] && kill "$PLC_PID" 2>/dev/null && wait "$PLC_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$T"
	[ -n "$V" ] && rm -rf "$V"
	[ -n "$S_SHM" ] && rm -rf "$S_SHM"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# timed CMD...: run CMD under /usr/bin/time -v; appends "WALL CPU MB" to
# $T/rounds and keeps CMD's last output line in $last.
timed() {
	/usr/bin/time -v -o "$T/time" "$@" >"$T/timed.out" 2>&1 ||
		{ echo "bench: $* failed:" >&2; cat "$T/timed.out" >&2; }
	secs_of "$T/time" >>"$T/rounds"
	last=$(tail -n 1 "$T/timed.out")
}
# summary LABEL TARGET: the rounds in $T/rounds, one line; then empties it.
summary() {
	set -- "$1" "$2" $(cut -d' ' -f1 "$T/rounds" | stats) \
	    $(cut -d' ' -f2 "$T/rounds" | stats) $(cut -d' ' -f3 "$T/rounds" | stats)
	printf '  %-46s %s s  cpu %s s  %4s MB%s\n' "$1" >>"$T/summary1" \
	    "$(spread %.2f "$3" "$4" "$5")" "$(spread %.2f "$6" "$7" "$8")" "$9" "$2"
	: >"$T/rounds"
}

# 1. The district, by the one-shot command.  Its state is in /var/tmp: a
# new file is a new inode, and ext4 without a journal (this machine's
# root) checks every free inode it passes for a recent deletion, so in
# /tmp, where other test suites churn files, creating thousands costs
# seconds of kernel time that are the file system's, not plc-cadence's.
V=$(mktemp -d /var/tmp/plc-bench-feeds.XXXXXX)
: >"$T/rounds"
for r in $(seq 1 "$ROUNDS"); do
	rm -rf "$V/district"
	$CONF district "$V/district" >"$V/district.ini"
	timed "$BIN" -c "$V/district.ini" feeds --now 2026-08-20T12:00
done
d1o=$last; summary "from nothing (tokens, series, 7,000 new files)" "   (target: < 2 s)"
for r in $(seq 1 "$ROUNDS"); do
	timed "$BIN" -c "$V/district.ini" feeds --now 2026-08-21T12:00
done
d2o=$last; summary "again, nothing changed (rendered, compared)" "   (target: < 0.3 s)"
# Another description in every community changes every feed's bytes (the
# UIDs, kept in the state, no longer follow public_url): all rewritten,
# each round.
for r in $(seq 1 "$ROUNDS"); do
	sed -i "s|^description = .* for PLC|description = Round $r: norms and data for PLC|" "$V/district.ini"
	timed "$BIN" -c "$V/district.ini" feeds --now 2026-08-22T12:00
done
d3o=$last; summary "every feed changed (descriptions, rewritten)" "   (target: < 1 s)"
for r in $(seq 1 "$ROUNDS"); do
	timed "$BIN" -c "$V/district.ini" check
done
summary "of which reading the config (\`check\`)" ""
dbytes=$(du -sk "$V/district/feeds" | cut -f1)
rm -rf "$V"; V=""
echo "district, one-shot \`feeds\`: 1,000 communities, 6,000 members, horizon 180d: 7,000 feeds, $dbytes KB, state in /var/tmp"
cat "$T/summary1"
printf '  %s | %s | %s\n' "${d1o##*: }" "${d2o##*: }" "${d3o##*: }"

# 2. A worker's cycle at three sizes, from the same 100-community config
# copied 1, 10 and 100 times in memory (config.c reads at most 1 MiB, about
# 1,400 communities as feeds_conf.py writes them).
S_SHM=$(mktemp -d /dev/shm/plc-bench-feeds.XXXXXX 2>/dev/null || mktemp -d /tmp/plc-bench-feeds.XXXXXX)
$CONF district "$T/tpl" 100 >"$T/tpl.ini"
echo "district, a running worker's cycle (blocks kept across cycles), state on $(df --output=fstype "$S_SHM" | tail -n 1)"
printf '  %-12s %-20s %-20s %-20s %s\n' communities "from nothing" "nothing changed" "every feed changed" "(seconds: wall median (spread), then CPU median)"
for scale in 1 10 100; do
	: >"$T/curve"
	for r in $(seq 1 "$ROUNDS"); do
		rm -rf "$S_SHM/state"
		"$B/districtbench" "$T/tpl.ini" "$scale" "$S_SHM/state" >>"$T/curve" 2>"$T/curve.err" ||
			{ echo "bench: districtbench failed:" >&2; cat "$T/curve.err" >&2; }
	done
	rm -rf "$S_SHM/state"
	col() { cut -d' ' -f"$1" "$T/curve" | stats; }
	n=$(head -n 1 "$T/curve" | cut -d' ' -f1)
	set -- $(col 4) $(col 5) $(col 6) $(col 7) $(col 8) $(col 9)
	printf '  %-12s %-20s %-20s %-20s cpu %.3f / %.3f / %.3f\n' "${n:-?}" \
	    "$(spread %.3f "$1" "$2" "$3")" "$(spread %.3f "$4" "$5" "$6")" \
	    "$(spread %.3f "$7" "$8" "$9")" "${10}" "${13}" "${16}"
	eval "from_$scale=$1 cfrom_$scale=${10} same_$scale=$4 all_$scale=$7"
done
echo "  per 1,000 communities, from nothing: $(ratio "$from_1" 0.1) s at 100, $(ratio "$from_10" 1) s at 1,000, $(ratio "$from_100" 10) s at 10,000 (flat = linear)"
echo "  targets at 1,000: from nothing < 2 s ($from_10), nothing changed < 0.3 s ($same_10), every feed changed < 1 s ($all_10)"
# What one machine carries: the largest district whose cycle from nothing
# stays under 10 s, from the per-community cost at 10,000.
echo "  largest district regenerated from nothing in under 10 s (at the 10,000 rate): $($PY -c "import sys; print('%d communities' % (10 / float(sys.argv[1]) * 10000) if float(sys.argv[1]) > 0 else 'n/a')" "$from_100")"
rm -rf "$S_SHM"; S_SHM=""

# 3. One large feed, beside Python's icalendar.
sh "$TOP/bench/feeds_large.sh" "$BIN"

# 4. One ~20 KB feed over HTTP: the built-in server and nginx.
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
# wrk's runs are bounded by -d; the two servers alternate round by round.
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
bad() { awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf " (%s)", $0 }' "$1"; }
: >"$T/rps-plc"; : >"$T/rps-nginx"; : >"$T/bad"
for r in $(seq 1 "$ROUNDS"); do
	wrk -t2 -c50 -d5s "http://127.0.0.1:$PORT$FEEDPATH" >"$T/wrk-plc" 2>&1
	wrk -t2 -c50 -d5s "http://127.0.0.1:$NPORT$FEEDPATH" >"$T/wrk-nginx" 2>&1
	rps "$T/wrk-plc" >>"$T/rps-plc"; rps "$T/wrk-nginx" >>"$T/rps-nginx"
	bad "$T/wrk-plc" >>"$T/bad"; bad "$T/wrk-nginx" >>"$T/bad"
done
set -- $(stats <"$T/rps-plc") $(stats <"$T/rps-nginx")
echo "serving: one $size-byte feed, wrk -t2 -c50 -d5s on 127.0.0.1, $ROUNDS rounds each"
printf '  plc-cadence run  %s req/s\n' "$(spread %.0f "$1" "$2" "$3")"
printf '  nginx            %s req/s\n' "$(spread %.0f "$4" "$5" "$6")"
[ -s "$T/bad" ] && echo "  errors:$(cat "$T/bad")"
echo "  plc-cadence/nginx (medians) $(ratio "$1" "$4")   (target: >= 0.5)"
