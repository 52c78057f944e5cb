# The fuzzers (tests/fuzz): each replays every input that once broke it,
# then runs 10 s on its committed corpus; a crash, hang or leak fails.
# Two run at a time (the same 10 s each, in half the wall time), so this
# script runs alone: it keeps both of a 2-CPU machine busy.
# run-alone
. "$TOP/tests/e2e/lib.sh"
cd "$TOP" || exit 1
fuzzers=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
missing=""
for f in $fuzzers; do
	[ -x "build/fuzz/$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	not_ok "fuzzers built (missing:$missing; make check builds them)"
	exit 1
fi
# Every other fuzzer in a second run.sh; their TAP is printed one after
# the other.
a=""; b=""; i=0
for f in $fuzzers; do
	if [ $((i % 2)) -eq 0 ]; then a="$a $f"; else b="$b $f"; fi
	i=$((i + 1))
done
sh tests/fuzz/run.sh build/fuzz 10 $a >"$T/a" 2>&1 &
pa=$!
sh tests/fuzz/run.sh build/fuzz 10 $b >"$T/b" 2>&1; sb=$?
wait $pa; sa=$?
cat "$T/a" "$T/b"
[ "$sa" -eq 0 ] && [ "$sb" -eq 0 ]
