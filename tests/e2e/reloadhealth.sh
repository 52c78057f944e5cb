# A SIGHUP with a broken config keeps the config in force and says so
# where a sysadmin looks: /healthz "degraded" with the error's file:line,
# /metrics plc_cadence_reload_failed 1, and STATUS=; a good reload clears
# all three.  An env: secret unset at reload is refused the same way.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""; ND=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; rm -rf "$T"' EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
write_conf() {	# write_conf EXTRA-WORKER-LINE
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$port
$1

[community math7]
facilitator = alice
members     = alice
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01

[member alice]
email = alice@example.edu
EOF
}
health() { curl -s "$base/healthz" | $PY -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], d.get("reload_error"))' 2>/dev/null; }
status_is() { [ "$(health | cut -d' ' -f1)" = "$1" ]; }
metric() { curl -s "$base/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
reloads() { grep -c 'RELOADING=1' "$T/notify.log"; }
reloaded() { [ "$(reloads)" -ge "$1" ] && grep -q "READY=1" "$T/notify.log"; }

write_conf ""
start_notify
NOTIFY_SOCKET=$T/notify.sock "$PLC" -c "$T/plc.ini" run >"$T/run.log" 2>&1 &
pid=$!
expect "/healthz is ok once running" wait_for 30 status_is ok
expect "/metrics: no failed reload" test "$(metric plc_cadence_reload_failed)" = 0

write_conf "horizon = forever"
kill -HUP "$pid"
expect "/healthz says degraded after a broken reload" wait_for 20 status_is degraded
health >"$T/h"
contains "... naming the file and line of the error" "$T/h" "degraded $T/plc.ini:5: [worker] horizon"

expect "/metrics: plc_cadence_reload_failed 1" test "$(metric plc_cadence_reload_failed)" = 1
expect "/metrics: degraded" test "$(metric plc_cadence_degraded)" = 1
expect "STATUS= says the reload failed" wait_for 10 grep -q "STATUS=.*reload failed: $T/plc.ini:5" "$T/notify.log"
contains "the log says the config in force is kept" "$T/run.log" "the config in force is kept"

write_conf ""
kill -HUP "$pid"
expect "/healthz is ok after a good reload" wait_for 20 status_is ok
expect "/metrics: plc_cadence_reload_failed 0" test "$(metric plc_cadence_reload_failed)" = 0
expect "STATUS= no longer says it" sh -c "grep STATUS= '$T/notify.log' | tail -1 | grep -vq 'reload failed'"

# A secret the reload cannot read is refused the same way.
write_conf "secret = env:PLC_RELOAD_UNSET"
unset PLC_RELOAD_UNSET
kill -HUP "$pid"
expect "/healthz says degraded for an unreadable secret" wait_for 20 status_is degraded
health >"$T/h"
contains "... naming the secret" "$T/h" "env:PLC_RELOAD_UNSET cannot be read"

kill "$pid"; wait "$pid"; pid=""
