# Feeds assembled from rendered blocks (rcache.h) hold the same bytes as
# feeds rendered whole through libical (PLC_TEST_RENDER_WHOLE, read by
# publish.c for this test only): the demo's (three zones' worth of
# communities, moves, cancels, a skip calendar, an auto slot) and a small
# district's from `feeds`, and a running worker's, whose blocks are kept
# across cycles, after a reload that changes one community's text and
# another's name, against the whole rendering of a copy of its state.
. "$TOP/tests/e2e/lib.sh"

NOW=2026-08-20T12:00
same_feeds() {	# same_feeds DESC DIR_A DIR_B
	if diff -r "$2" "$3" >"$T/diff" 2>&1 && [ "$(ls "$2" | wc -l)" -gt 0 ]
	then ok "$1"
	else not_ok "$1"; head -n 20 "$T/diff" | sed 's/^/#   /'; fi
}

# The demo, by `feeds`: with blocks, then whole on a copy of the state.
mkdir -p "$T/a/conf" "$T/a/var"
cp "$TOP/conf/"demo-*.ics "$T/a/conf/"
cp "$TOP/conf/demo.ini" "$T/a/conf/demo.ini"
"$PLC" -q -c "$T/a/conf/demo.ini" run --once --now "$NOW" >"$T/once.log" 2>&1 ||
	{ echo "# run --once:"; sed 's/^/#   /' "$T/once.log"; }
"$PLC" -c "$T/a/conf/demo.ini" feeds --now "$NOW" >"$T/out" 2>&1
cp -a "$T/a" "$T/b"
rm -f "$T/b/var/feeds/"*.ics
PLC_TEST_RENDER_WHOLE=1 "$PLC" -c "$T/b/conf/demo.ini" feeds --now "$NOW" >"$T/out" 2>&1
contains "the whole rendering wrote every demo feed again" "$T/out" "9 written"
same_feeds "the demo's feeds from blocks are byte-identical to the whole rendering" \
    "$T/a/var/feeds" "$T/b/var/feeds"
expect "the demo's feeds hold VTIMEZONEs of two zones" \
    test "$(cat "$T/a/var/feeds/"*.ics | grep '^TZID:' | sort -u | wc -l)" -ge 2

# A district of 30 communities and 180 members (bench/feeds_conf.py).
/usr/bin/python3 "$TOP/bench/feeds_conf.py" district "$T/d1" 30 >"$T/d1.ini"
"$PLC" -c "$T/d1.ini" feeds --now "$NOW" >"$T/out" 2>&1
cp -a "$T/d1" "$T/d2"
rm -f "$T/d2/feeds/"*.ics
sed "s|$T/d1|$T/d2|" "$T/d1.ini" >"$T/d2.ini"
PLC_TEST_RENDER_WHOLE=1 "$PLC" -c "$T/d2.ini" feeds --now "$NOW" >"$T/out" 2>&1
contains "the whole rendering wrote every district feed again" "$T/out" "210 written"
same_feeds "the district's feeds from blocks are byte-identical to the whole rendering" \
    "$T/d1/feeds" "$T/d2/feeds"

# A worker keeps its blocks across cycles: after a reload that changes
# math7's description and ela8's name, its feeds are still the bytes of
# a whole rendering of the same state.
port=$(pick_port 14000 4000)
mkdir -p "$T/w/conf" "$T/w/var"
cp "$TOP/conf/"demo-*.ics "$T/w/conf/"
sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
    -e "s|^public_url .*|public_url  = http://127.0.0.1:$port|" \
    "$TOP/conf/demo.ini" >"$T/w/conf/demo.ini"
"$PLC" -c "$T/w/conf/demo.ini" run >"$T/run.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
has_feeds() { [ "$(ls "$T/w/var/feeds" 2>/dev/null | grep -c '\.ics$')" -eq 9 ]; }
up() { curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; }
expect "the worker publishes the demo's 9 feeds (within 30 s)" wait_for 30 has_feeds
expect "... and serves them" wait_for 30 up
sed -i -e 's|^description   = Norms, data review, next steps|description   = Norms and data, then next steps|' \
    -e 's|^name          = Grade 8 ELA PLC (district-wide, online)|name          = Grade 8 ELA|' \
    "$T/w/conf/demo.ini"
kill -HUP "$pid"
cr=$(printf '\r')
changed() { cat "$T/w/var/feeds/"*.ics | grep -q "^SUMMARY:Grade 8 ELA$cr\$" &&
    cat "$T/w/var/feeds/"*.ics | grep -q 'Norms and data'; }
if wait_for 30 changed; then ok "the reloaded config is published (within 30 s)"
else not_ok "the reloaded config is published (within 30 s)"; sed 's/^/#   /' "$T/run.log"; fi
kill "$pid"
expect "the worker stops on SIGTERM (within 30 s)" wait_for 30 gone "$pid"
cp -a "$T/w" "$T/x"
rm -f "$T/x/var/feeds/"*.ics
PLC_TEST_RENDER_WHOLE=1 "$PLC" -c "$T/x/conf/demo.ini" feeds >"$T/out" 2>&1
same_feeds "the worker's feeds after the reload are byte-identical to the whole rendering of its state" \
    "$T/w/var/feeds" "$T/x/var/feeds"
