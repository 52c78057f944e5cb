# The worker inside the unit's hardening, checked without a running systemd:
# `run` (as an unprivileged user, as the unit runs it) is traced with strace
# through a busy session (notify socket, HTTP, a reload, e-mail to the
# Maildir, webhook posts, SIGTERM), and what it did is held against the unit
# file's own lines: every system call inside SystemCallFilter= (the groups
# expanded by systemd-analyze), sockets only of RestrictAddressFamilies=,
# no writable and executable memory (MemoryDenyWriteExecute=), and writes
# only inside the state directory (ProtectSystem=strict + StateDirectory=).
# run-alone: traces the worker with strace (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""; ND=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; rm -rf "$T"' EXIT
UNIT=$TOP/systemd/plc-cadence.service

if ! strace -f -qq -o /dev/null true 2>/dev/null; then
	ok "# SKIP strace cannot trace here (ptrace not permitted)"
	exit 0
fi
start_receiver
export HOOK="http://127.0.0.1:$HTTP/ok"
port=$(free_port)
base="http://127.0.0.1:$port"
chmod 755 "$T"
mkdir "$T/state"
# A holiday calendar, parsed in the jail's child (fork, prlimit64, prctl,
# seccomp, close_range): its system calls are held against the unit too.
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:h@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261126\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$T/hol.ics"
chmod 644 "$T/hol.ics"
cat >"$T/plc.ini" <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York
listen    = 127.0.0.1:$port

[channel team]
type = generic
url  = env:HOOK

[calendar district]
source = $T/hol.ics

[community math7]
skip        = district
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
notify      = team

[member alice]
email  = alice@example.edu
notify = email, team
chat   = team:alice

[member bob]
email  = bob@example.edu
EOF
# As the unit does: not root (SQLite, for one, chowns its files as root).
# setpriv drops to nobody before strace starts, so its own calls are not
# in the trace.
mkdir "$T/tr"
as_user=""
if [ "$(id -u)" = 0 ]; then
	chown nobody:nogroup "$T/state" "$T/tr"
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
start_notify
chmod 777 "$T/notify.sock"
for_others

# LeakSanitizer cannot run under ptrace; the other tests run it.
NOTIFY_SOCKET=$T/notify.sock ASAN_OPTIONS=detect_leaks=0 $as_user strace -f -qq -o "$T/tr/trace" "$PLC_OTHERS" -c "$T/plc.ini" run --now 2026-11-02T15:31 >"$T/run.log" 2>&1 &
pid=$!
expect "the traced worker answers /healthz" wait_for 60 sh -c "curl -sf -o /dev/null '$base/healthz'"
# One post on team, for math7 and alice (her notify names team too).
expect "... and sent the reminders (e-mail and webhook)" wait_for 30 sh -c "[ \$(ls '$T/hooks' | grep -c '\\.json\$') -ge 1 ] && [ \$(ls '$T/state/mail/new' 2>/dev/null | wc -l) -ge 1 ]"
curl -s -o /dev/null "$base/metrics"
feed=$("$PLC" -c "$T/plc.ini" urls 2>/dev/null | awk '$1 == "member" && $2 == "alice" { getline; print $1; exit }')
curl -s -o /dev/null --compressed "$feed"
# strace is the parent: signal the worker itself.
wpid=$(pgrep -P "$pid" -f "plc-cadence" | head -n 1)
[ -n "$wpid" ] || wpid=$pid
kill -HUP "$wpid"
expect "the reload completes" wait_for 30 sh -c "[ \$(grep -c '^READY=1\$' '$T/notify.log') -ge 2 ]"
kill -TERM "$wpid"
wait "$pid"; st=$?; pid=""
expect "the traced worker exits 0 on SIGTERM (got $st)" test "$st" = 0
expect "STOPPING=1 reached the notify socket" grep -q '^STOPPING=1$' "$T/notify.log"
expect "e-mail went into the Maildir" sh -c "ls '$T/state/mail/new' | grep -q ."
expect "the holiday calendar was parsed in a filtered child" sh -c "grep -q 'seccomp(SECCOMP_SET_MODE_FILTER, 0' '$T/tr/trace' && ! grep -q 'killed by SIGSYS' '$T/tr/trace'"

expect "every system call is inside the unit's SystemCallFilter=" "$PY" - "$UNIT" "$T/tr/trace" <<'PY'
import re, subprocess, sys
def expand(name, cache={}):
    if not name.startswith("@"):
        return {name}
    if name not in cache:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                             capture_output=True, text=True, check=True).stdout
        s = set()
        for line in out.splitlines()[1:]:
            t = line.strip()
            if t and not t.startswith("#"):
                s |= expand(t)
        cache[name] = s
    return cache[name]
# As systemd reads them: in order, the first line an allow list, then
# each ~ line takes its calls out and each later allow line puts them back.
allow, seen = set(), False
for line in open(sys.argv[1]):
    m = re.match(r"SystemCallFilter=(~?)(.*)", line.strip())
    if m:
        names = set().union(*(expand(n) for n in m.group(2).split()))
        if m.group(1):
            allow -= names
        else:
            allow |= names
            seen = True
assert seen and allow, "no SystemCallFilter= in the unit"
deny = set()
used = set()
for line in open(sys.argv[2]):
    m = re.match(r"^\d+\s+([a-z_0-9]+)\(", line)
    if m:
        used.add(m.group(1))
# execve is strace starting the worker: systemd execs it before the filter.
used.discard("execve")
bad = sorted(used - (allow - deny))
assert len(used) > 30 and not bad, ("outside the filter:", bad, len(used))
PY
expect "sockets only of the unit's RestrictAddressFamilies=" "$PY" - "$UNIT" "$T/tr/trace" <<'PY'
import re, sys
fams = set()
for line in open(sys.argv[1]):
    m = re.match(r"RestrictAddressFamilies=(.*)", line.strip())
    if m:
        fams |= set(m.group(1).split())
used = set(re.findall(r"\bsocket\((AF_[A-Z0-9]+)", open(sys.argv[2]).read()))
assert fams and "AF_INET" in used and "AF_UNIX" in used and used <= fams, (used, fams)
PY
expect "no memory both writable and executable (MemoryDenyWriteExecute=)" sh -c "! grep -E '(mmap|mprotect|pkey_mprotect)\\(.*PROT_WRITE\\|PROT_EXEC|PROT_EXEC\\|PROT_WRITE' '$T/tr/trace' >/dev/null"
expect "writes only inside the state directory (ProtectSystem=strict)" "$PY" - "$T/tr/trace" "$T/state" <<'PY'
import re, sys
state = sys.argv[2].rstrip("/") + "/"
bad, inside = set(), 0
for line in open(sys.argv[1]):
    if re.search(r"= -1 ", line):
        continue
    m = re.search(r'\b(?:openat|open)\((?:AT_FDCWD|\d+), "([^"]*)", ([A-Z_|]+)', line)
    if m and re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", m.group(2)):
        path = m.group(1)
    else:
        m = re.search(r'\b(?:mkdir|mkdirat|unlink|unlinkat|rmdir|rename|renameat2?|link|linkat|symlink|chmod|fchmodat|truncate)\((?:AT_FDCWD, |\d+, )?"([^"]*)"', line)
        if not m:
            continue
        path = m.group(1)
    if path.startswith(state) or path + "/" == state or path == "/dev/null":
        inside += 1
        continue
    bad.add(path)
assert inside > 10 and not bad, (inside, sorted(bad))
PY
sed 's/^/# run: /' "$T/run.log"
