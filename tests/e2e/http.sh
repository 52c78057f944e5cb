# The built-in HTTP server: `run` in the background on a fixture config,
# then feeds over HTTP (headers, HEAD, 304s, gzip), 404s for everything that
# is not a live feed, a token rotated by another process while it runs, a
# SIGHUP reload, a second `run` refused, and a clean stop on SIGTERM.
. "$TOP/tests/e2e/lib.sh"

port=$(pick_port 10000 14000)
base="http://127.0.0.1:$port"

write_conf() {	# write_conf COMMUNITY_NAME
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$port
public_url = $base

[community math7]
name        = $1
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
duration    = 45m
start       = 2026-09-01
until       = 2027-06-15
location    = Room 204

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name  = Bob Jones
email = bob@example.edu
EOF
}
write_conf "Grade 7 Math PLC"

# url_of KIND ID: the https URL `urls` prints for it.
url_of() {
	"$PLC" -c "$T/plc.ini" urls | awk -v k="$1" -v id="$2" \
	    '$1 == k && $2 == id { getline; print $1; exit }'
}
# code [CURL ARGS...] URL: the status code only.
code() { curl -s --path-as-is -o /dev/null -w '%{http_code}' "$@"; }
# header NAME FILE: a header's value from a curl -D dump.
header() { grep -i "^$1:" "$2" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# matches STRING REGEX: expr's anchored match, quietly.
matches() { expr "$1" : "$2" >/dev/null; }
is_code() { [ "$(code "$2")" = "$1" ]; }

"$PLC" -c "$T/plc.ini" run >"$T/run.log" 2>&1 &
pid=$!
# Never leave a server behind, whatever happens below.
trap 'kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
	ok "run serves /healthz on 127.0.0.1:$port"
else
	not_ok "run serves /healthz on 127.0.0.1:$port"
	sed 's/^/#   /' "$T/run.log"; kill "$pid" 2>/dev/null; exit 1
fi

# /healthz
curl -s -D "$T/h" -o "$T/health" "$base/healthz"
contains "/healthz is JSON" "$T/h" "Content-Type: application/json"
expect "/healthz says ok, its last cycle and the outbox depth" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok", d
assert d["last_cycle"].endswith("Z") and d["last_cycle_ok"] is True, d
assert d["outbox_depth"] == 0, d
assert d["feeds"] == 3, d' "$T/health"

# A feed: the bytes on disk, with the right headers.
bob=$(url_of member bob)
tok=${bob##*/feeds/}; tok=${tok%.ics}
expect "urls gives bob a URL under public_url" test "$bob" = "$base/feeds/$tok.ics"
curl -s -D "$T/h" -o "$T/body" "$bob"
contains "GET a feed: 200" "$T/h" "HTTP/1.1 200"
contains "GET a feed: Content-Type" "$T/h" "Content-Type: text/calendar; charset=utf-8"
expect "GET a feed: the bytes of its file" cmp -s "$T/body" "$T/state/feeds/$tok.ics"
expect "GET a feed: a calendar" grep -q '^BEGIN:VCALENDAR' "$T/body"
etag=$(header ETag "$T/h"); lm=$(header Last-Modified "$T/h")
expect "GET a feed: a strong ETag" matches "$etag" '"[0-9a-f]\{32\}"$'
expect "GET a feed: Last-Modified is an HTTP date" matches "$lm" '[A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] 20[0-9][0-9] ..:..:.. GMT$'
contains "GET a feed: Cache-Control" "$T/h" "Cache-Control: max-age="
contains "GET a feed: Vary" "$T/h" "Vary: Accept-Encoding"
expect "GET a feed: no Content-Encoding unless asked" sh -c "! grep -qi '^Content-Encoding' '$T/h'"

# HEAD: the same headers, no body (checked on the wire, not through curl).
expect "HEAD: headers without a body" python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2]).encode())
d = b""
while True:
    c = s.recv(65536)
    if not c: break
    d += c
head, _, rest = d.partition(b"\r\n\r\n")
assert head.startswith(b"HTTP/1.1 200"), head
assert b"ETag: " + sys.argv[3].encode() in head, head
assert ("Content-Length: %d" % int(sys.argv[4])).encode() in head, head
assert rest == b"", rest' "$port" "/feeds/$tok.ics" "$etag" "$(wc -c <"$T/body")"

# Conditional requests.
expect "If-None-Match with the ETag: 304" test "$(code -H "If-None-Match: $etag" "$bob")" = 304
expect "If-None-Match in a list, weak: 304" test "$(code -H "If-None-Match: \"x\", W/$etag" "$bob")" = 304
expect "If-None-Match with another tag: 200" test "$(code -H 'If-None-Match: "0000"' "$bob")" = 200
expect "If-Modified-Since Last-Modified: 304" test "$(code -H "If-Modified-Since: $lm" "$bob")" = 304
expect "If-Modified-Since long before: 200" test "$(code -H 'If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT' "$bob")" = 200
expect "If-None-Match wins over If-Modified-Since" test "$(code -H 'If-None-Match: "0000"' -H "If-Modified-Since: $lm" "$bob")" = 200
curl -s -D "$T/h" -o /dev/null -H "If-None-Match: $etag" "$bob"
contains "a 304 carries the ETag" "$T/h" "ETag: $etag"

# gzip
curl -s --compressed -D "$T/h" -o "$T/gz" "$bob"
contains "Accept-Encoding gzip: Content-Encoding gzip" "$T/h" "Content-Encoding: gzip"
expect "the gzip body is the feed" cmp -s "$T/gz" "$T/body"
gzlen=$(header Content-Length "$T/h")
expect "the gzip body is smaller" test "$gzlen" -lt "$(wc -c <"$T/body")"
curl -s -D "$T/h" -o /dev/null -H 'Accept-Encoding: gzip;q=0, identity' "$bob"
expect "gzip;q=0 is refused" sh -c "! grep -qi '^Content-Encoding' '$T/h'"
curl -s -D "$T/h" -o /dev/null -H 'Accept-Encoding: br, *;q=0.5' "$bob"
contains "* allows gzip" "$T/h" "Content-Encoding: gzip"
gzetag=$(curl -s --compressed -D - -o /dev/null "$bob" | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')
expect "gzip 304 by its own ETag" test "$(code --compressed -H "If-None-Match: $gzetag" "$bob")" = 304

# Keep-alive: two requests on one connection.
curl -sv -o /dev/null -o /dev/null "$bob" "$base/healthz" 2>"$T/v"
contains "connections are kept alive" "$T/v" "Re-using existing connection"

# Everything else is 404; other methods on real paths 405.
long=$(printf '%03000d' 0)
expect "an unknown token: 404" test "$(code "$base/feeds/0123456789abcdef0123456789abcdef.ics")" = 404
upper=$(echo "$tok" | tr a-f A-F)
expect "the token in upper case: 404" test "$(code "$base/feeds/$upper.ics")" = 404
expect "a token without .ics: 404" test "$(code "$base/feeds/$tok")" = 404
expect "a trailing slash: 404" test "$(code "$base/feeds/$tok.ics/")" = 404
expect "/feeds/../state.db: 404" test "$(code "$base/feeds/../state.db")" = 404
expect "/feeds/%2e%2e/state.db: 404" test "$(code "$base/feeds/%2e%2e/state.db")" = 404
expect "/feeds/%2e%2e%2fstate.db: 404" test "$(code "$base/feeds/%2e%2e%2fstate.db")" = 404
expect "//feeds/TOKEN.ics: 404" test "$(code "$base//feeds/$tok.ics")" = 404
expect "/feeds//TOKEN.ics: 404" test "$(code "$base/feeds//$tok.ics")" = 404
expect "an over-long path: 404" test "$(code "$base/feeds/$long.ics")" = 404
expect "/: 404" test "$(code "$base/")" = 404
expect "/feeds/: 404" test "$(code "$base/feeds/")" = 404
expect "POST a feed: 405" test "$(code -X POST -d x "$bob")" = 405
expect "DELETE /healthz: 405" test "$(code -X DELETE "$base/healthz")" = 405
expect "POST an unknown feed: 404" test "$(code -X POST "$base/feeds/0123456789abcdef0123456789abcdef.ics")" = 404
expect "a query string does not matter" test "$(code "$bob?x=1")" = 200

# /metrics: Prometheus text with the counters so far.
curl -s -D "$T/h" -o "$T/metrics" "$base/metrics"
contains "/metrics is Prometheus text" "$T/h" "Content-Type: text/plain; version=0.0.4"
contains "/metrics has the process start time" "$T/metrics" "plc_cadence_start_time_seconds "
contains "/metrics has the last cycle's duration" "$T/metrics" "plc_cadence_cycle_duration_seconds "
contains "/metrics says the last cycle was ok" "$T/metrics" "plc_cadence_last_cycle_ok 1"
expect "/metrics counts feed 200s" awk '/^plc_cadence_feed_requests_total\{code="200"\}/ { exit !($2 >= 5) }' "$T/metrics"
expect "/metrics counts feed 304s" awk '/^plc_cadence_feed_requests_total\{code="304"\}/ { exit !($2 >= 2) }' "$T/metrics"
expect "/metrics counts feed 404s" awk '/^plc_cadence_feed_requests_total\{code="404"\}/ { exit !($2 >= 1) }' "$T/metrics"
expect "POST /metrics: 405" test "$(code -X POST "$base/metrics")" = 405

# Another process rotates bob's token: the old URL dies, the new one works.
expect_status "token rotate while running" 0 "$PLC" -c "$T/plc.ini" token rotate bob
new=$(head -n 1 "$T/out")
expect "the rotated URL is new" test "$new" != "$bob"
expect "the old token answers 404 (within 10 s)" wait_for 10 is_code 404 "$bob"
expect "the new token answers 200 (within 10 s)" wait_for 10 is_code 200 "$new"
expect "alice's feed still answers" test "$(code "$(url_of member alice)")" = 200

# A second worker on the same state directory is refused.
expect_status "a second run is refused (75)" 75 "$PLC" -c "$T/plc.ini" run --once
contains "the refusal says why" "$T/err" "another plc-cadence run"

# SIGHUP: an invalid config is logged and the old one kept; a valid one is
# taken (the community feed's calendar name follows the config).
math7=$(url_of community math7)
cp "$T/plc.ini" "$T/good.ini"
printf '[community bad]\nfacilitator = nobody\n' >>"$T/plc.ini"
kill -HUP "$pid"
expect "an invalid config on SIGHUP is logged (within 10 s)" wait_for 10 grep -q "reload:.*plc.ini" "$T/run.log"
expect "... and the old one keeps serving" test "$(code "$math7")" = 200
write_conf "Grade Seven Mathematics"
kill -HUP "$pid"
has_new_name() { curl -s "$math7" | grep -q "Grade Seven Mathematics"; }
expect "a valid config on SIGHUP is published (within 10 s)" wait_for 10 has_new_name

# A new name is a new SUMMARY, which subscribers should see: SEQUENCE 1.
# A reload of the same config changes nothing: the same ETag, the same
# SEQUENCE, the file untouched.
has_seq0() { curl -s "$math7" | grep -q '^SEQUENCE:1'; }
expect "a new name raises SEQUENCE to 1" has_seq0
cycles() { curl -s "$base/metrics" | awk '/^plc_cadence_cycles_total / { print $2 }'; }
m7file="$T/state/feeds/${math7##*/}"
curl -s -D "$T/h" -o /dev/null "$math7"; e1=$(header ETag "$T/h")
mt1=$(stat -c %Y.%y "$m7file"); c0=$(cycles)
nreload=$(grep -c 'reloading' "$T/run.log")
kill -HUP "$pid"
reloaded() { [ "$(grep -c 'reloading' "$T/run.log")" -gt "$nreload" ] && [ "$(cycles)" -gt "$c0" ]; }
expect "a no-op SIGHUP is reloaded and a cycle runs (within 10 s)" wait_for 10 reloaded
curl -s -D "$T/h" -o /dev/null "$math7"
expect "after a no-op reload: the same ETag" test "$(header ETag "$T/h")" = "$e1"
expect "after a no-op reload: the file is not rewritten" test "$(stat -c %Y.%y "$m7file")" = "$mt1"
expect "after a no-op reload: SEQUENCE still 1" has_seq0

# SIGTERM stops it cleanly.
kill -TERM "$pid"
wait "$pid"; st=$?
expect "SIGTERM: exit 0 (got $st)" test "$st" -eq 0
expect "the port is closed afterwards" test "$(code "$base/healthz")" = 000
sed 's/^/# run: /' "$T/run.log"
