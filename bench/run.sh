#!/bin/sh
# make bench: every benchmark, each beside its peer tool, figures measured
# in this run.  Usage: bench/run.sh BIN
set -u
dir=$(dirname "$0")
for b in "$dir"/deliver.sh "$dir"/feeds.sh "$dir"/slots.sh "$dir"/soak.sh; do
	echo "== $(basename "$b" .sh)"
	sh "$b" "$1"
done
for b in "$dir"/busy.sh "$dir"/latency.sh; do echo "== $(basename "$b" .sh)"; sh "$b" "$1"; done
