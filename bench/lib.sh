# Shared helpers of the benchmarks (sourced; POSIX sh).  Every figure a
# bench prints is the median of ROUNDS rounds (BENCH_ROUNDS, default 5)
# with its spread (the lowest and highest round), measured beside its peer
# in the same run: on a machine shared with other work the spread says how
# far to trust the median.

ROUNDS=${BENCH_ROUNDS:-5}
BPY=/usr/bin/python3

# stats: the numbers on stdin (one a line) as "MEDIAN MIN MAX"; "? ? ?"
# when there are none.
stats() {
	sort -g | awk '{ v[NR] = $1 }
	END {
		if (NR == 0) { print "? ? ?"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR]
	}'
}

# spread FMT MEDIAN MIN MAX: "MEDIAN (MIN-MAX)", each printed with FMT.
spread() {
	# shellcheck disable=SC2059
	printf "$1 ($1-$1)" "$2" "$3" "$4"
}

# ratio A B: A / B with one decimal ("n/a" when B is not a positive number).
ratio() {
	$BPY -c "import sys
try:
    a, b = map(float, sys.argv[1:])
    print('%.1f' % (a / b) if b > 0 else 'n/a')
except ValueError:
    print('n/a')" "$@"
}

# secs_of TIMEFILE: wall seconds, CPU seconds (user + kernel) and peak MB
# of a /usr/bin/time -v report, as "WALL CPU MB".
secs_of() {
	awk '/Elapsed \(wall clock\)/ {
		n = split($NF, p, ":"); w = 0
		for (i = 1; i <= n; i++) w = w * 60 + p[i]
	}
	/User time/ { u = $NF } /System time/ { s = $NF }
	/Maximum resident set size/ { m = $NF / 1024 }
	END { printf "%.3f %.3f %.0f\n", w, u + s, m }' "$1"
}
