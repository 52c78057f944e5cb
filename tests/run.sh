#!/bin/sh
# Run the tests and print one closing line "N passed, N failed, N skipped".
# Usage: tests/run.sh [-j JOBS] [-e E2E] BUILD_DIR UNIT...
# UNIT... are the unit tests to run; E2E is "all" (the default: every
# script in tests/e2e), "" (none) or the names of the e2e scripts to run
# (nudge for tests/e2e/nudge.sh).
# Unit tests are cmocka binaries printing TAP; end-to-end tests are the
# scripts in tests/e2e, which print TAP through tests/e2e/lib.sh.  A program
# that dies without reporting its failure counts as one failed test; a TAP
# line "ok ... # SKIP reason" counts as skipped, not passed.
# Tests run JOBS at a time (default 2), each into a log of its own, and the
# logs are printed in order, so the output reads as if they ran one after
# another.  An e2e script with a line "# run-alone" (its assertions depend on
# timing, or it loads the machine) runs after the others, with nothing else
# running beside it.

# --job DIR N KIND PATH (from xargs, below): run one test into DIR/N.log,
# then write DIR/N.st, "STATUS SECONDS", last, as the sign that it is done.
if [ "${1:-}" = --job ]; then
	t0=$(date +%s)
	case $4 in
	unit) CMOCKA_MESSAGE_OUTPUT=TAP "$5" >"$2/$3.log" 2>&1 ;;
	*) sh "$5" >"$2/$3.log" 2>&1 ;;
	esac
	st=$?
	echo "$st $(($(date +%s) - t0))" >"$2/$3.tmp" && mv "$2/$3.tmp" "$2/$3.st"
	exit 0
fi

e2e=all; jobs=2
while :; do
	case ${1:-} in
	-e) e2e=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	*) break ;;
	esac
done
case $jobs in
''|*[!0-9]*|0) echo "tests/run.sh: -j takes a number of jobs from 1 up" >&2; exit 2 ;;
esac
dir=$1; shift
unset T PLC_DEMO_PORT	# make check T=NAME exports T; the e2e scripts set their own
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0; failed=0; skipped=0

tally() {	# name status log: read TAP in log
	s=$(grep -ciE '^ok .*#[[:space:]]*skip' "$3")
	p=$(($(grep -c '^ok ' "$3") - s)); f=$(grep -c '^not ok ' "$3")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $1 exited with status $2"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0
export PLC="$(pwd)/$dir/plc-cadence" TOP="$(pwd)"

case $e2e in
all) scripts=$(ls tests/e2e/*.sh) ;;
*) scripts=$(for n in $e2e; do echo "tests/e2e/$n.sh"; done) ;;
esac
# The list of tests, "N KIND PATH" a line, in the order they are printed:
# units, the e2e scripts that run together, those that run alone.
n=0
for t in "$@"; do
	n=$((n + 1)); echo "$n unit $dir/$t"
done >"$out/together"
: >"$out/alone"
for t in $scripts; do
	case $t in */lib.sh) continue ;; esac
	n=$((n + 1))
	if [ ! -f "$t" ]; then echo "$n missing $t" >>"$out/together"
	elif grep -q '^# run-alone' "$t"; then echo "$n e2e $t" >>"$out/alone"
	else echo "$n e2e $t" >>"$out/together"
	fi
done

# report N KIND PATH: wait for test N (or for its runner to end without
# it: then it failed), print its output and count it.
report() {
	while [ ! -e "$out/$1.st" ] && [ "$2" != missing ]; do
		if [ -e "$out/ran" ]; then
			[ -e "$out/$1.st" ] || echo "127 0" >"$out/$1.st"
			break
		fi
		sleep 0.1
	done
	case $2 in
	missing)
		echo "not ok - $3: no such test"; failed=$((failed + 1))
		return ;;
	unit)
		read -r st secs <"$out/$1.st"
		log=$out/$1.log
		echo "# unit: ${3##*/}"
		grep -E '^(not ok|ok) |^#|ERROR|runtime error' "$log" | grep -v '^# *$'
		grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$log" && st=1 && cat "$log"
		tally "${3##*/}" "$st" "$log" ;;
	e2e)
		read -r st secs <"$out/$1.st"
		log=$out/$1.log
		echo "# e2e: $3"
		cat "$log"
		grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$log" && st=1
		tally "$3" "$st" "$log"
		echo "# $3: $secs s" ;;
	esac
	rm -f "$out/$1.log"
}

{
	grep -v ' missing ' "$out/together" |
	    xargs -r -n 3 -P "$jobs" sh "$0" --job "$out"
	: >"$out/ran"
} &
xpid=$!
while read -r i kind t; do report "$i" "$kind" "$t"; done <"$out/together"
wait "$xpid"
while read -r i kind t; do
	sh "$0" --job "$out" "$i" "$kind" "$t" </dev/null
	report "$i" "$kind" "$t"
done <"$out/alone"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
