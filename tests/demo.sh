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
echo
echo "Starting the worker on 127.0.0.1:$port (Ctrl-C stops it; kill -HUP reloads $conf)."
exec "$bin" -c "$conf" run
