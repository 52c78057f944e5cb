#!/bin/sh
# Run every test and print one closing line "N passed, N failed".
# Usage: tests/run.sh BUILD_DIR TEST...
# Unit tests are cmocka binaries printing TAP; end-to-end tests are the
# scripts in tests/e2e, which print TAP through tests/e2e/lib.sh.  A program
# that dies without reporting its failure counts as one failed test.
dir=$1; shift
log=$(mktemp); trap 'rm -f "$log"' EXIT
passed=0; failed=0

tally() {	# name status: read TAP in $log
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $1 exited with status $2"
	fi
	passed=$((passed + p)); failed=$((failed + f))
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

export PLC="$(pwd)/$dir/plc-cadence" TOP="$(pwd)"
for t in tests/e2e/*.sh; do
	case $t in */lib.sh) continue ;; esac
	[ -f "$t" ] || continue
	echo "# e2e: $t"
	sh "$t" >"$log" 2>&1; st=$?
	cat "$log"
	grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$log" && st=1
	tally "$t" $st
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
