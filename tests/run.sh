#!/bin/sh
# Run the tests and print one closing line "N passed, N failed, N skipped".
# Usage: tests/run.sh [-e E2E] BUILD_DIR UNIT...
# UNIT... are the unit tests to run; E2E is "all" (the default: every
# script in tests/e2e), "" (none) or the names of the e2e scripts to run
# (nudge for tests/e2e/nudge.sh).
# Unit tests are cmocka binaries printing TAP; end-to-end tests are the
# scripts in tests/e2e, which print TAP through tests/e2e/lib.sh.  A program
# that dies without reporting its failure counts as one failed test; a TAP
# line "ok ... # SKIP reason" counts as skipped, not passed.
e2e=all
if [ "${1:-}" = -e ]; then e2e=$2; shift 2; fi
dir=$1; shift
unset T PLC_DEMO_PORT	# make check T=NAME exports T; the e2e scripts set their own
log=$(mktemp); trap 'rm -f "$log"' EXIT
passed=0; failed=0; skipped=0

tally() {	# name status: read TAP in $log
	s=$(grep -ciE '^ok .*#[[:space:]]*skip' "$log")
	p=$(($(grep -c '^ok ' "$log") - s)); f=$(grep -c '^not ok ' "$log")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $1 exited with status $2"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0
for t in "$@"; do
	echo "# unit: $t"
	CMOCKA_MESSAGE_OUTPUT=TAP "$dir/$t" >"$log" 2>&1; st=$?
	grep -E '^(not ok|ok) |^#|ERROR|runtime error' "$log" | grep -v '^# *$'
	grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$log" && st=1 && cat "$log"
	tally "$t" $st
done

case $e2e in
all) scripts=$(ls tests/e2e/*.sh) ;;
*) scripts=$(for n in $e2e; do echo "tests/e2e/$n.sh"; done) ;;
esac
export PLC="$(pwd)/$dir/plc-cadence" TOP="$(pwd)"
for t in $scripts; do
	case $t in */lib.sh) continue ;; esac
	if [ ! -f "$t" ]; then
		echo "not ok - $t: no such test"; failed=$((failed + 1)); continue
	fi
	echo "# e2e: $t"
	t0=$(date +%s)
	sh "$t" >"$log" 2>&1; st=$?
	cat "$log"
	grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$log" && st=1
	tally "$t" $st
	echo "# $t: $(($(date +%s) - t0)) s"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
