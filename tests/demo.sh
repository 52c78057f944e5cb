#!/bin/sh
# make run: the demo on conf/demo.ini (state in ./var, served on
# 127.0.0.1:8080): check the config, print the feed URLs, then run the
# worker in the foreground until Ctrl-C.
bin=$1; conf=$2
set -e
"$bin" -c "$conf" check
echo
echo "Feed URLs: subscribe to one in a calendar app, or try"
echo "  curl -i <URL>    and    curl http://127.0.0.1:8080/healthz"
echo
"$bin" -c "$conf" urls
echo
echo "sci6 has day = auto and time = auto: who is free when, and the slot"
echo "the worker will hold (from conf/demo-busy-*.ics and members' hours):"
echo
"$bin" -c "$conf" slots sci6
echo
echo "Starting the worker (Ctrl-C stops it; kill -HUP reloads $conf)."
exec "$bin" -c "$conf" run
