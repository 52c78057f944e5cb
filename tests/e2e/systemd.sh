# The unit under a real systemd: a throwaway volatile container booted from
# this machine's own /usr (systemd-nspawn --volatile=yes, with an overlay on
# /usr so that `make install PREFIX=/usr/local` works as on a server), the
# source tree bind-mounted read-only.  Inside it the README's "Run it as a
# service" steps: make install, systemd-sysusers, systemd-tmpfiles --create,
# a secret in /etc/plc-cadence/credentials, plc-cadence check,
# systemctl enable --now.  Then: Type=notify readiness and STATUS=, the
# feeds on the port, the link secret read through credential:plc_NAME,
# reloads good and broken, no watchdog restart, journal priorities, a clean
# stop, and a config broken at start that leaves the unit failed instead of
# restarting it forever.  The container is powered off at the end, also
# when a check fails or the script is killed.
#
# The binary installed is a plain `make` build of this tree (built into the
# test's own directory while the container boots), as a server runs it: the
# sanitizer build's LeakSanitizer needs ptrace, which the unit's
# SystemCallFilter= refuses, so it could not stop cleanly under the unit.
# run-alone: boots a container and builds the worker (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
NS=""; L=""; WD=""; BLD=""

skip() { ok "# SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "systemd-nspawn needs root"
command -v systemd-nspawn >/dev/null 2>&1 || skip "no systemd-nspawn (package systemd-container)"
command -v nsenter >/dev/null 2>&1 || skip "no nsenter (package util-linux)"
[ -x /usr/lib/systemd/systemd ] || skip "no systemd in /usr to boot"

# ct CMD...: run CMD inside the container, in all its namespaces, with a
# clean environment.
ct() { nsenter -t "$L" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# Power the container off and wait for it; SIGKILL its PID 1 (which ends
# every process in it) if it has not gone within 20 s.
poweroff() {
	[ -n "$NS" ] || return 0
	[ -n "$L" ] && kill -s RTMIN+4 "$L" 2>/dev/null
	wait_for 20 gone "$NS"
	if kill -0 "$NS" 2>/dev/null; then
		[ -n "$L" ] && kill -9 "$L" 2>/dev/null
		kill "$NS" 2>/dev/null
	fi
	wait "$NS" 2>/dev/null; NS_STATUS=$?
	NS=""
}
cleanup() {
	poweroff
	[ -n "$WD" ] && { pkill -P "$WD" 2>/dev/null; kill "$WD" 2>/dev/null; }
	[ -n "$BLD" ] && wait "$BLD" 2>/dev/null	# the build, a few seconds
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The plain build, meanwhile (make's own rule, into $T).
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$TOP" B="$T/b" "$T/b/plc-cadence" >"$T/build.log" 2>&1 &
BLD=$!

# A name of this run's own: two runs never share a container or a port.
M=plc-$(basename "$T" | tr -cd 'a-zA-Z0-9')
port=$(free_port)
base="http://127.0.0.1:$port"
systemd-nspawn --quiet --keep-unit --register=no -D / --volatile=yes \
    --machine="$M" --console=read-only --overlay=+/usr::/usr \
    --bind-ro="$TOP" --bind-ro="$T" \
    -b systemd.firstboot=off systemd.unit=basic.target \
    </dev/null >"$T/console.log" 2>&1 &
NS=$!
t0=$(date +%s)
# Should this script be killed before its trap runs, the container still
# goes: powered off after 5 minutes.
sh -c "sleep 300; kill -s RTMIN+4 \$(pgrep -P $NS) 2>/dev/null" </dev/null >/dev/null 2>&1 &
WD=$!

# up: the container's systemd has booted; "gone" when nspawn has exited
# (it cannot run here: no need to wait any longer).
up() {
	kill -0 "$NS" 2>/dev/null || { echo gone; return 0; }
	L=$(pgrep -P "$NS" | head -n 1)
	[ -n "$L" ] && [ "$(cat "/proc/$L/comm" 2>/dev/null)" = systemd ] || return 1
	s=$(ct systemctl is-system-running 2>/dev/null)
	[ "$s" = running ] || [ "$s" = degraded ]
}
if ! wait_for 60 up >"$T/up" || [ -s "$T/up" ]; then
	sed 's/^/#   /' "$T/console.log" | tail -n 20
	[ -s "$T/up" ] && skip "systemd-nspawn -b exited without booting the container"
	skip "the container did not boot within 60 s (systemd-nspawn -b)"
fi
ok "a volatile container boots from this machine's /usr ($(($(date +%s) - t0)) s)"

wait "$BLD"; st=$?; BLD=""
if [ "$st" -ne 0 ]; then not_ok "make builds the binary"; sed 's/^/#   /' "$T/build.log"; exit 1; fi

# README, "Run it as a service", step 1.
ct make -s -C "$TOP" install PREFIX=/usr/local BIN="$T/b/plc-cadence" >"$T/install.log" 2>&1
st=$?
expect "make install PREFIX=/usr/local inside the container" test "$st" = 0
[ "$st" = 0 ] || sed 's/^/#   /' "$T/install.log"
ct systemctl daemon-reload
expect "... puts the unit where systemd finds it" test "$(ct systemctl show -p FragmentPath --value plc-cadence)" = /lib/systemd/system/plc-cadence.service
ct systemd-sysusers >/dev/null 2>&1 && ct systemd-tmpfiles --create >/dev/null 2>&1
expect "systemd-sysusers creates the plc-cadence user" test -n "$(ct getent passwd plc-cadence)"
expect "systemd-tmpfiles --create makes the credentials directory (0700)" test "$(ct stat -c %a /etc/plc-cadence/credentials 2>&1)" = 700

# The config: a state in the StateDirectory, e-mail into a Maildir, a
# file: channel, the link secret from the credentials directory.  The next
# meeting (1 to 7 days ahead) is called off: its notices are due at once,
# and neither quiet hours nor lead times hold them back, so the worker
# delivers under the unit's hardening straight away.
cancel=$($PY -c '
import datetime, zoneinfo
d = datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()
d += datetime.timedelta(days=1)
while d.weekday() != 1:
    d += datetime.timedelta(days=1)
print(d)')
write_conf() {	# write_conf [EXTRA_COMMUNITY_ID]
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = /var/lib/plc-cadence
timezone   = America/New_York
listen     = 127.0.0.1:$port
public_url = $base
secret     = credential:plc_link-secret

[smtp]
url  = maildir:/var/lib/plc-cadence/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = generic
url  = file:/var/lib/plc-cadence/team.jsonl

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
notify      = team
cancel      = $cancel

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
	[ $# -eq 0 ] || cat >>"$T/plc.ini" <<EOF

[community $1]
name        = Grade 8 Science PLC
facilitator = bob
members     = bob
cadence     = biweekly
day         = TH
time        = 14:00
start       = 2026-09-03
EOF
}
conf_in() { ct install -m 0644 "$T/plc.ini" /etc/plc-cadence/plc-cadence.ini; }
write_conf
conf_in
# Step 3: the secret, mode 0600 in the credentials directory.
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$secret" >"$T/secret"
ct sh -c "umask 077; cp '$T/secret' /etc/plc-cadence/credentials/link-secret"
# Step 2: check from a shell (credential: secrets are the service's).
ct plc-cadence check >"$T/check.out" 2>"$T/check.err"; st=$?
expect "plc-cadence check accepts the config (exit $st)" test "$st" = 0
contains "... and says the credential is the service's to read" "$T/check.err" "credential: secrets (credential:plc_link-secret first) are not checked"

# A watchdog of 4 s instead of the shipped 60 s (a drop-in, nothing else
# changed): the worker pings at half of $WATCHDOG_USEC, whatever it is, so
# the six or more periods this test runs through (deliveries, HTTP, action
# commands beside it, two reloads, idle) check the same loop as "a normal
# minute" of the shipped unit does, in less than half the time, and more
# strictly: a stall of 4 s would already be caught.
expect "the installed unit's watchdog is 60 s" ct grep -qx 'WatchdogSec=60s' /lib/systemd/system/plc-cadence.service
ct mkdir -p /etc/systemd/system/plc-cadence.service.d
ct sh -c 'printf "[Service]\nWatchdogSec=4s\n" >/etc/systemd/system/plc-cadence.service.d/watchdog.conf'
ct systemctl daemon-reload

# show PROP: a property of the unit, as systemd has it.
show() { ct systemctl show -p "$1" --value plc-cadence; }
code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }

# Step 4.
t_start=$(date +%s)
timeout 60 nsenter -t "$L" -a systemctl enable --now plc-cadence >"$T/start.log" 2>&1; st=$?
expect "systemctl enable --now plc-cadence succeeds (exit $st)" test "$st" = 0
[ "$st" = 0 ] || sed 's/^/#   /' "$T/start.log"
ct systemctl status --no-pager -n 0 plc-cadence >"$T/status" 2>&1
contains "systemctl status: active (running)" "$T/status" "Active: active (running)"
expect "Type=notify: started only once READY=1 came (ActiveState=active, SubState=running)" \
    test "$(show Type) $(show ActiveState) $(show SubState)" = "notify active running"
status=$(show StatusText)
expect "STATUS= names the cycle, the feeds and the outbox ($status)" \
    sh -c "echo '$status' | grep -Eq '^cycle ok; 3 feeds; [0-9]+ messages waiting(, next due [0-9T:Z-]+)?$'"
contains "... and systemctl status shows it" "$T/status" "Status: \"cycle ok; 3 feeds"
mainpid=$(show MainPID)
# WatchdogUSec is the value of the running service.
expect "the drop-in's WatchdogSec=4s is in force" test "$(show WatchdogUSec)" = 4s
expect "the worker runs as plc-cadence, not root" test "$(ct ps -o user= -p "$mainpid" | tr -d ' ')" = plc-cadence

# The deliveries: the notices of the cancelled meeting, e-mail to both
# members into the Maildir and a post to the file: channel.
mails() { [ "$(ct sh -c 'ls /var/lib/plc-cadence/mail/new 2>/dev/null' | wc -l)" -ge "$1" ]; }
# Each member's welcome (their feed links) goes too: four in all.
expect "the worker delivers e-mail into the Maildir in its StateDirectory (within 20 s)" wait_for 20 mails 4
ct sh -c 'cat /var/lib/plc-cadence/mail/new/*' >"$T/mail" 2>&1
contains "... the notice of the cancelled meeting of $cancel" "$T/mail" "has a change:"
ct sh -c 'grep -l "has a change" /var/lib/plc-cadence/mail/new/* | xargs cat' >"$T/notices" 2>&1
expect "... one to each member" test "$(grep -c '^To: \(alice\|bob\)' "$T/notices")" = 2
expect "... and one welcome to each" test "$(grep -c '^Subject: Your PLC calendar: subscribe once' "$T/mail")" = 2
expect "... in files of the worker's user" test "$(ct stat -c %U /var/lib/plc-cadence/mail/new | tr -d ' ')" = plc-cadence
posted() { ct grep -qi 'cancelled' /var/lib/plc-cadence/team.jsonl 2>/dev/null; }
expect "the file: channel gets the community's post (within 20 s)" wait_for 20 posted

# Step 7 of the README and the feeds, from this side: no private network.
expect "/healthz answers 200 on 127.0.0.1:$port" test "$(code "$base/healthz")" = 200
# Commands from a shell as the worker's user, so that no file in the state
# directory comes to belong to root (runuser would need PAM's config, and
# /etc is empty here).
as_plc() { ct setpriv --reuid=plc-cadence --regid=plc-cadence --init-groups "$@"; }
feed() { as_plc plc-cadence urls 2>/dev/null | awk -v id="$1" '$1 == "community" && $2 == id { getline; print $1; exit }'; }
math7=$(feed math7)
expect "the community feed is served ($math7)" test "$(code "$math7")" = 200
curl -s "$math7" >"$T/math7.ics"
contains "... as iCalendar with the community's meetings" "$T/math7.ics" "Grade 7 Math PLC"

# The credential: links are signed with the secret from the file in
# /etc/plc-cadence/credentials, as credential:plc_link-secret.
as_plc plc-cadence action add math7 --owner bob --due 2030-01-15 --title "Bring the unit test data" >"$T/item" 2>&1
item=$(grep -Eo '[0-9]+' "$T/item" | head -n 1)
link() {	# link KEY: a link to $item, signed with KEY, valid for a day
	$PY -c '
import base64, hashlib, hmac, sys, time
what = "%s-%d" % (sys.argv[2], int(time.time()) + 86400)
mac = hmac.new(sys.argv[1].encode(), ("plc-cadence link v1:" + what).encode(), hashlib.sha256).digest()
print(what + "-" + base64.urlsafe_b64encode(mac).decode().rstrip("="))' "$1" "$item"
}
expect "an action item is added from a shell (#${item:-none})" test -n "$item"
curl -s --max-time 10 "$base/a/$(link "$secret")" >"$T/link.html"
expect "a link signed with the credential's secret opens the item" test "$(code "$base/a/$(link "$secret")")" = 200
contains "... naming it" "$T/link.html" "Bring the unit test data"
expect "a link signed with another secret is refused (403)" test "$(code "$base/a/$(link "not-the-secret-$secret")")" = 403

# Reload with a good config: a new community's feed appears.
write_conf sci8
conf_in
expect "systemctl reload (a good config) succeeds" ct systemctl reload plc-cadence
sci8=$(feed sci8)
expect "the new community's feed is served (within 20 s)" wait_for 20 test "$(code "$sci8")" = 200
curl -s "$sci8" >"$T/sci8.ics"
contains "... with the new community's name" "$T/sci8.ics" "Grade 8 Science PLC"

# Reload with a broken config: kept, still active, the failure logged.
printf '\n[community bad]\nfacilitator = nobody\n' >>"$T/plc.ini"
badline=$(grep -n '^facilitator = nobody' "$T/plc.ini" | cut -d: -f1)
conf_in
expect "systemctl reload (a broken config) returns 0: the unit stays up" ct systemctl reload plc-cadence
# journal [ARGS...]: the unit's journal, the messages only.
journal() { ct journalctl -u plc-cadence -o cat --no-pager "$@"; }
kept() { journal | grep -q 'the config in force is kept'; }
expect "the worker logs that the config in force is kept (within 20 s)" wait_for 20 kept
expect "the unit is still active (running)" test "$(show ActiveState)/$(show SubState)" = active/running
expect "... with the same main process" test "$(show MainPID)" = "$mainpid"
expect "the old feeds still answer" test "$(code "$math7")/$(code "$sci8")" = 200/200
journal -p err >"$T/err.log"
contains "journalctl -p err holds the error, with its line" "$T/err.log" "reload: /etc/plc-cadence/plc-cadence.ini:$badline: [community bad] facilitator: member 'nobody' is not defined"
expect "... and nothing that is not an error (every line is the failed reload)" sh -c "! grep -v '^reload: ' '$T/err.log'"
journal -p info >"$T/info.log"
contains "normal lines are there at info or above: the reload" "$T/info.log" "reloading /etc/plc-cadence/plc-cadence.ini"
journal -p warning >"$T/warn.log"
expect "... below warning: no 'reloading' line at warning or err" sh -c "! grep -q 'reloading /etc' '$T/warn.log'"
ct systemctl status --no-pager -n 20 plc-cadence >"$T/status" 2>&1
contains "systemctl status shows the failure" "$T/status" "the config in force is kept"
ct journalctl --no-pager -o cat >"$T/all.log"
expect "the secret is nowhere in the journal" sh -c "! grep -qF '$secret' '$T/all.log'"

# The watchdog: pings arrive, and it has never fired.  At least 6 of its
# 4 s periods since the start.
w0=$(show WatchdogTimestampMonotonic)
left=$((t_start + 24 - $(date +%s)))
[ "$left" -gt 3 ] || left=3	# more than one ping interval
sleep "$left"
w1=$(show WatchdogTimestampMonotonic)
expect "WATCHDOG=1 pings reach systemd (WatchdogTimestamp moves: $w0 -> $w1)" test "${w1:-0}" -gt "${w0:-0}"
expect "no watchdog restart: NRestarts=0 and the same main process after $(($(date +%s) - t_start)) s" \
    test "$(show NRestarts)/$(show MainPID)" = "0/$mainpid"
journal >"$T/unit.log"
expect "no watchdog timeout in the journal" sh -c "! grep -qi 'watchdog' '$T/unit.log'"

# Stop: clean, exit 0.
timeout 60 nsenter -t "$L" -a systemctl stop plc-cadence; st=$?
expect "systemctl stop returns 0" test "$st" = 0
expect "... the unit is inactive with Result=success" test "$(show ActiveState)/$(show Result)" = inactive/success
expect "... the worker exited with status 0" test "$(show ExecMainCode)/$(show ExecMainStatus)" = "1/0"
journal >"$T/unit.log"
contains "... and logged that it stops" "$T/unit.log" "Terminated: stopping"

# A config broken at start: failed, and no restart loop.
conf_in
ct systemctl reset-failed plc-cadence 2>/dev/null
t_bad=$(date +%s)
timeout 60 nsenter -t "$L" -a systemctl start plc-cadence >/dev/null 2>&1; st=$?
expect "systemctl start with a broken config fails (exit $st)" test "$st" -ne 0
sleep 8	# longer than RestartSec=5s
expect "8 s later the unit is failed, not restarting ($(show ActiveState)/$(show SubState))" \
    test "$(show ActiveState)/$(show SubState)" = failed/failed
expect "... NRestarts=$(show NRestarts): no restart was made" test "$(show NRestarts)" = 0
ct systemctl status --no-pager -n 0 plc-cadence >"$T/status" 2>&1
expect "... the worker's exit status is 78, EX_CONFIG ($(show ExecMainStatus))" test "$(show ExecMainStatus)" = 78
contains "... and systemctl status says so" "$T/status" "(code=exited, status=78"
journal -p err --since "@$t_bad" >"$T/err.log"
contains "journalctl -p err holds the config error at start" "$T/err.log" "plc-cadence.ini:$badline: [community bad] facilitator: member 'nobody' is not defined"

poweroff
expect "the container powers off (systemd-nspawn exit $NS_STATUS)" test "$NS_STATUS" = 0
expect "... and nothing of it is left" sh -c "! kill -0 '$L' 2>/dev/null"
echo "# took $(($(date +%s) - t0)) s"
