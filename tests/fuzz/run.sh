#!/bin/sh
# Replay each fuzzer's regression inputs, then fuzz it for SECONDS.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS fuzz_NAME...
# Prints TAP: one line per regression input (tests/fuzz/regress/NAME/*),
# one per fuzzer with its number of executions.  The committed corpus
# (tests/fuzz/corpus/NAME) is read, never written: new inputs go to a
# scratch directory, listed first, as libFuzzer writes to its first.  A
# crash or hang is kept in BUILD_DIR/artifacts/ to be committed as a
# regression input.
dir=$1 secs=$2; shift 2
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
: "${LSAN_OPTIONS:=suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
scratch=$(mktemp -d /tmp/plc-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$dir/artifacts"
# Hangs are failures too; a calendar may take a while, but not 5 s.
opts="-timeout=5 -rss_limit_mb=2048"
status=0

for f in "$@"; do
	name=${f#fuzz_}
	bin=$dir/$f
	extra=""
	# Chat limits go up to 27 KB (Teams): let inputs grow past them.
	[ "$name" = chat ] && extra="-max_len=40000"
	for r in tests/fuzz/regress/"$name"/*; do
		[ -f "$r" ] || continue
		if "$bin" $opts "$r" >"$scratch/log" 2>&1; then
			echo "ok - $f replays $r"
		else
			echo "not ok - $f replays $r"
			grep -E 'ERROR|SUMMARY|runtime error|fuzz_| in ' \
			    "$scratch/log" | grep -v BuildId | head -20 |
			    sed 's/^/#   /'
			status=1
		fi
	done
	mkdir -p "$scratch/$name"
	"$bin" $opts $extra -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$dir/artifacts/$name-" \
	    "$scratch/$name" "tests/fuzz/corpus/$name" >"$scratch/log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
	if [ "$st" -eq 0 ] && [ -n "$execs" ]; then
		echo "ok - $f: $execs executions in ${secs} s, no crash"
	else
		echo "not ok - $f: exit $st after ${execs:-?} executions"
		grep -E 'ERROR|SUMMARY|runtime error|fuzz_| in |Test unit' \
		    "$scratch/log" | grep -v BuildId | head -30 |
		    sed 's/^/#   /'
		status=1
	fi
done
exit $status
