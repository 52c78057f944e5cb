#!/bin/sh
# The large-feed benchmark (bench/feeds.sh's section 3, which runs this):
# one member's feed of 500 weekly series and 5,000 all-day items rendered
# by bench/feedbench (the ical module, linked from the build) whole, from
# nothing with the block cache, and after one item changed, beside
# Python's icalendar building the same calendar, each the median of ROUNDS
# rounds (bench/lib.sh) with its spread.  Alone, it measures the renderer
# without the district's minutes of the rest of feeds.sh.
# Usage: bench/feeds_large.sh BIN   (BIN's feedbench beside it)
set -u
BIN=$(readlink -f "$1")
B=$(dirname "$BIN")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
PY=$BPY
CONF="$PY $TOP/bench/feeds_conf.py"
T=$(mktemp -d /tmp/plc-bench-large.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

$CONF large "$T/large" >"$T/large.ini"
set -- $("$B/feedbench" "$T/large.ini" m1 5000 "$ROUNDS" "$T/large-c.ics")
c_bytes=${1:-0} c_events=${2:-0}
w_med=${3:-0} w_lo=${4:-0} w_hi=${5:-0}
k_med=${6:-0} k_lo=${7:-0} k_hi=${8:-0}
h_med=${9:-0} h_lo=${10:-0} h_hi=${11:-0}
set -- $($PY "$TOP/bench/feeds_icalendar.py" "$T/large.ini" m1 5000 "$ROUNDS" "$T/large-py.ics")
p_bytes=${3:-0} p_events=${4:-0}
shift 4 2>/dev/null
set -- $(for x in "$@"; do echo "$x"; done | stats)
p_med=$1 p_lo=$2 p_hi=$3
c_ex=$(grep -c '^EXDATE' "$T/large-c.ics"); p_ex=$(grep -c '^EXDATE' "$T/large-py.ics")
echo "large feed: 500 weekly series + 5,000 all-day items, one member, rendered in-process, $ROUNDS rounds"
printf '  plc-cadence, whole through libical       %s s   %d bytes, %d VEVENTs, %d EXDATEs\n' \
    "$(spread %.4f "$w_med" "$w_lo" "$w_hi")" "$c_bytes" "$c_events" "$c_ex"
printf '  plc-cadence, from nothing (block cache)  %s s\n' "$(spread %.4f "$k_med" "$k_lo" "$k_hi")"
printf '  plc-cadence, after one item changed      %s s\n' "$(spread %.5f "$h_med" "$h_lo" "$h_hi")"
printf '  python3-icalendar build                  %s s   %d bytes, %d VEVENTs, %d EXDATEs\n' \
    "$(spread %.4f "$p_med" "$p_lo" "$p_hi")" "$p_bytes" "$p_events" "$p_ex"
echo "  icalendar/plc-cadence (medians): whole $(ratio "$p_med" "$w_med")x, from nothing $(ratio "$p_med" "$k_med")x (target >= 25x), one item changed $(ratio "$p_med" "$h_med")x (target >= 200x)"
[ "$c_events" = "$p_events" ] && [ "$c_ex" = "$p_ex" ] ||
	echo "  bench: the two calendars differ in events or EXDATEs" >&2
# Both must be calendars: ical.js reads each (not timed).
for f in c py; do
	node "$TOP/tests/icalcheck.mjs" "$T/large-$f.ics" 2026-09-01T00:00:00Z \
	    2026-09-08T00:00:00Z >"$T/check-$f" 2>"$T/problems-$f" ||
		echo "  bench: ical.js finds problems in large-$f.ics: $(head -n 3 "$T/problems-$f" | tr '\n' ';')" >&2
done
echo "  ical.js, first week of September: $(wc -l <"$T/check-c") meetings and items in plc-cadence's, $(wc -l <"$T/check-py") in icalendar's"
