# The fuzzers (tests/fuzz): each replays every input that once broke it,
# then runs 10 s on its committed corpus; a crash, hang or leak fails.
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
sh tests/fuzz/run.sh build/fuzz 10 $fuzzers
