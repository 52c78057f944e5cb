# Shared helpers for end-to-end tests: TAP output and a scratch directory.
# Each test script sources this, uses $PLC (the binary under test) and $TOP
# (the source tree), and prints "ok - …" / "not ok - …" lines.
set -u
T=$(mktemp -d /tmp/plc-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# expect DESC COND...: run COND; ok if it succeeds.
expect() {
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# expect_status DESC WANT CMD...: run CMD, compare the exit status.
# Its stdout and stderr are kept in $T/out and $T/err.
expect_status() {
	d=$1; want=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"
	else not_ok "$d (exit $got, wanted $want)"; sed 's/^/#   /' "$T/err"; fi
}

# contains DESC FILE TEXT: ok if FILE has TEXT as a fixed string.
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"
	else not_ok "$1 (no '$3' in $2)"; sed 's/^/#   /' "$2"; fi
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	_n=$(($1 * 10)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1; _n=$((_n - 1))
	done
	return 1
}

# gone PID: true once the process PID has ended (for wait_for).
gone() { ! kill -0 "$1" 2>/dev/null; }

# pick_port BASE SPAN: a port of this test's own in [BASE, BASE + SPAN),
# derived from the PID, skipping busy ones (curl's 7: connection refused).
# Keep the range below Linux's ephemeral ports (32768 up), where the
# tests' own outgoing connections would take it first.
pick_port() {
	p=$(($1 + $$ % $2))
	for i in 1 2 3 4 5 6 7 8 9 10; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"
		[ $? -eq 7 ] && break
		p=$((p + 1))
	done
	echo "$p"
}

# start_receiver: tests/receiver.py on a free port, keeping what it is sent
# in $T/hooks.  Sets SRV (its pid: the script's EXIT trap kills it) and HTTP
# (its port).
start_receiver() {
	mkdir -p "$T/hooks"
	/usr/bin/python3 "$TOP/tests/receiver.py" "$T/hooks" 2>"$T/hooks.log" &
	SRV=$!
	wait_for 10 test -e "$T/hooks/port"
	HTTP=$(cat "$T/hooks/port")
}

# free_port: a loopback TCP port the OS says is free now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_notify: tests/notifyd.py listening on $T/notify.sock (for
# NOTIFY_SOCKET), each datagram a line of $T/notify.log.  Sets ND (its pid:
# the script's EXIT trap kills it).
start_notify() {
	: >>"$T/notify.log"
	/usr/bin/python3 "$TOP/tests/notifyd.py" "$T/notify.sock" "$T/notify.log" &
	ND=$!
	wait_for 10 test -S "$T/notify.sock"
}

# expect_same DESC GOT WANT: ok if the two files are equal; else the diff.
expect_same() {
	if cmp -s "$2" "$3"; then ok "$1"
	else not_ok "$1"; diff "$3" "$2" | sed 's/^/#   /'; fi
}

# for_others: set PLC_OTHERS to a copy of $PLC that another user id can run,
# with LeakSanitizer's suppressions beside it.  The checkout may sit in a
# directory only its owner can enter (a home, a mktemp -d).
for_others() {
	mkdir -p "$T/others"
	cp "$PLC" "$T/others/plc-cadence"
	cp "$TOP/tests/lsan.supp" "$T/others/lsan.supp"
	chmod 755 "$T" "$T/others" "$T/others/plc-cadence"
	chmod 644 "$T/others/lsan.supp"
	LSAN_OPTIONS=$(echo "${LSAN_OPTIONS:-}" | sed "s|suppressions=[^:]*|suppressions=$T/others/lsan.supp|")
	export LSAN_OPTIONS
	PLC_OTHERS=$T/others/plc-cadence
}
