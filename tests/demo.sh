#!/bin/sh
# make run: the demo on conf/demo.ini (state in ./var, served on
# 127.0.0.1:8080): check the config, print the feed URLs, then run the
# worker in the foreground until Ctrl-C.
# PLC_DEMO_PORT (make run PORT=N) serves it on port N instead: on a copy of
# the config, beside it (its relative paths are read from its directory),
# with listen and public_url moved to that port.
bin=$1; conf=$2
set -e
port=${PLC_DEMO_PORT:-}
if [ -n "$port" ]; then
	case $port in
	*[!0-9]*) echo "demo: PORT=$port is not a port number" >&2; exit 64 ;;
	esac
	if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		echo "demo: PORT=$port is not in 1..65535" >&2; exit 64
	fi
	copy=$(dirname "$conf")/.$(basename "$conf" .ini)-$port.ini
	sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
	    -e "s|^public_url .*|public_url  = http://127.0.0.1:$port|" \
	    "$conf" >"$copy"
	echo "Port $port: running on $copy, a copy of $conf."
	conf=$copy
fi
# The port the worker will listen on, as the config says.
port=$(sed -n 's/^listen *= *[^;]*:\([0-9][0-9]*\).*/\1/p' "$conf" | head -n 1)
"$bin" -c "$conf" check
echo
echo "Feed URLs: subscribe to one in a calendar app, or try"
echo "  curl -i <URL>    and    curl http://127.0.0.1:$port/healthz"
echo
"$bin" -c "$conf" urls
echo
echo "sci6 has day = auto and time = auto: who is free when, and the slot"
echo "the worker will hold (from conf/demo-busy-*.ics and members' hours):"
echo
"$bin" -c "$conf" slots sci6

# A few action items for math7, once (a new var/), so that its meeting
# reminders carry the work section: two overdue, two due before the next
# meeting, one far ahead, one done since the last meeting and one done
# before it (left out).  Dates count from math7's next meeting D.
D=$("$bin" -c "$conf" check 2>/dev/null | awk '$1 == "community" { c = $2 }
    c == "math7:" && $1 == "next" { print $2; exit }')
day() { date -u -d "$D $1 days" +%F; }
seed() {	# seed CONF: the items, in CONF's state
	a() { "$bin" -c "$1" action add math7 --now "$2T09:00" --owner "$3" \
	    --due "$4" --title "$5" ${6:+--notes "$6"} 2>/dev/null; }
	a "$1" "$(day -12)" bob "$(day -6)" "Post exit-ticket data" \
	    "The grade 7 sheet, tab 3" >/dev/null
	a "$1" "$(day -12)" carol "$(day -4)" "Collect unit 3 data" >/dev/null
	a "$1" "$(day -5)" dan "$(day -1)" "Share the slides" >/dev/null
	a "$1" "$(day -5)" alice "$D" "Draft the norms" >/dev/null
	a "$1" "$(day -5)" bob "$(day 30)" "Plan the unit 5 test" >/dev/null
	n=$(a "$1" "$(day -12)" carol "$(day -3)" "Book room 204")
	"$bin" -c "$1" action done "$n" --now "$(day -2)T09:00" >/dev/null 2>&1
	n=$(a "$1" "$(day -40)" bob "$(day -30)" "Old business")
	"$bin" -c "$1" action done "$n" --now "$(day -30)T09:00" >/dev/null 2>&1
}
if [ -n "$D" ] &&
    "$bin" -c "$conf" action list --community math7 2>/dev/null |
    grep -qx '(no items)'; then
	seed "$conf"
	echo
	echo "math7's action items (plc-cadence -c $conf action list):"
	"$bin" -c "$conf" action list --community math7 2>/dev/null
	# The reminders of that meeting, the day before (its 1d lead time),
	# sent now: into var/mail and var/chat.jsonl.  A cycle at today's
	# time first, so that sci6 is placed from today; the worker below then
	# sends nothing twice (what the preview sent is recorded as sent).
	"$bin" -c "$conf" run --once >/dev/null 2>&1 || :
	echo
	echo "Previewing the reminders of math7's meeting on $D, due the day"
	echo "before at 15:30 (var/mail, var/chat.jsonl), with their action items:"
	"$bin" -c "$conf" run --once --now "$(day -1)T15:30" 2>&1 |
	    grep 'outbox: [0-9]* sent' | sed 's/^/  /'
fi
echo
echo "Starting the worker on 127.0.0.1:$port (Ctrl-C stops it; kill -HUP reloads $conf)."
exec "$bin" -c "$conf" run
