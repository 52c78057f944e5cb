#!/bin/sh
# make bench: every benchmark, each figure the median of 5 rounds with its
# spread, beside its peer tool, all measured in this run.
# Usage: bench/run.sh BIN [BENCH...]   (default: every bench below, in order;
# BENCH_ROUNDS=N changes the rounds)
# A new bench is one function bench_NAME here and one word in ALL.
set -u
dir=$(dirname "$0")
BIN=$1
shift

bench_deliver() { sh "$dir/deliver.sh" "$BIN"; }
bench_feeds()   { sh "$dir/feeds.sh" "$BIN"; }
bench_slots()   { sh "$dir/slots.sh" "$BIN"; }
bench_soak()    { sh "$dir/soak.sh" "$BIN"; }
bench_busy()    { sh "$dir/busy.sh" "$BIN"; }
bench_latency() { sh "$dir/latency.sh" "$BIN"; }

ALL="deliver feeds slots soak busy latency"
for b in ${*:-$ALL}; do
	echo "== $b"
	"bench_$b"
done
