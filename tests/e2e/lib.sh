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

# expect_same DESC GOT WANT: ok if the two files are equal; else the diff.
expect_same() {
	if cmp -s "$2" "$3"; then ok "$1"
	else not_ok "$1"; diff "$3" "$2" | sed 's/^/#   /'; fi
}
