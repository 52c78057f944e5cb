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

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds.
wait_for() {
	n=$(($1 * 5)); shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2; n=$((n - 1))
	done
	return 1
}

# pick_port BASE SPAN: a port of this test's own in [BASE, BASE + SPAN),
# derived from the PID, skipping busy ones (curl's 7: connection refused).
pick_port() {
	p=$(($1 + $$ % $2))
	for i in 1 2 3 4 5 6 7 8 9 10; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"
		[ $? -eq 7 ] && break
		p=$((p + 1))
	done
	echo "$p"
}

# free_port: a port on 127.0.0.1 that the system has just handed out.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
