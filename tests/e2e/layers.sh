#!/bin/sh
# The layering rule, checked on the sources (README: "Source code layout"):
#  1. a core module (pure: no I/O, no clock, no process) includes no adapter
#     header and no library that does I/O;
#  2. the include graph of worker/ has no cycle.
# A module is its worker/NAME.c and include/NAME.h together; the files of a
# split module (worker/config_scan.c, include/config_int.h, worker/cmd_run.c)
# count as the module before the first '_' when NAME itself has no .c or .h.
# Edges are the #include "x.h" lines of every file of the module.
# LAYERS_SRC (default $TOP) names the tree to check.
. "$TOP/tests/e2e/lib.sh"
S=${LAYERS_SRC:-$TOP}

# The core: add every new pure module here.
CORE="civil tz recur cadence avail slots plan nudge feed message chat page
metrics text token hex welcome worksum meeting prompt report roll rcache"
# Adapters, and jail (it forks): no core module may include them.
ADAPTERS="store http mail webhook fetch jail"
# Libraries that do I/O, as the start of what follows "#include <".
LIBS="curl/ sqlite3.h microhttpd.h libical/ ical.h iniparser.h"
# tz and recur wrap libical's zone and recurrence maths for the core (no
# I/O: the zones are read once through tz_find); nothing else may.
LIB_ALLOWED="tz:libical/ recur:libical/"

module_of() {	# module_of FILE-BASENAME-WITHOUT-EXTENSION
	if [ -e "$S/worker/$1.c" ] || [ -e "$S/include/$1.h" ]; then
		case $1 in
		*_*)	p=${1%%_*}
			# config_int.h has no .c: it is config's.
			if [ ! -e "$S/worker/$1.c" ] && { [ -e "$S/worker/$p.c" ] ||
			    [ -e "$S/include/$p.h" ]; }; then
				echo "$p"; return
			fi
			if [ ! -e "$S/include/$1.h" ] && { [ -e "$S/worker/$p.c" ] ||
			    [ -e "$S/include/$p.h" ]; }; then
				echo "$p"; return
			fi;;
		esac
	fi
	echo "$1"
}

# Every "module file included-module" edge, and every "<lib>" include.
: >"$T/edges"; : >"$T/libs"
for f in "$S"/worker/*.c "$S"/include/*.h; do
	b=${f##*/}; b=${b%.*}
	m=$(module_of "$b")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
	while read -r h; do
		echo "$m ${f#"$S"/} $(module_of "$h")"
	done >>"$T/edges"
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$f" |
	while read -r l; do
		echo "$m ${f#"$S"/} $l"
	done >>"$T/libs"
done
expect "the include graph was read" test -s "$T/edges"

# 1. Core modules include no adapter and no I/O library.
: >"$T/bad"
for c in $CORE; do
	for a in $ADAPTERS; do
		awk -v c="$c" -v a="$a" '$1 == c && $3 == a {
		    print $2 ": core module " c " includes " a ".h" }' \
		    "$T/edges" >>"$T/bad"
	done
	for l in $LIBS; do
		case " $LIB_ALLOWED " in *" $c:$l "*) continue;; esac
		awk -v c="$c" -v l="$l" '$1 == c && index($3, l) == 1 {
		    print $2 ": core module " c " includes <" $3 ">" }' \
		    "$T/libs" >>"$T/bad"
	done
done
sed 's/^/# /' "$T/bad"
expect "no core module includes an adapter or an I/O library" \
    test ! -s "$T/bad"

# 2. Cycles: the strongly connected components of more than one module,
# found from the transitive closure (a few dozen modules).
awk '$1 != $3 { print $1, $3 }' "$T/edges" | sort -u >"$T/graph"
awk '
{ n[$1]; n[$2]; r[$1, $2] = 1 }
END {
	for (k in n) for (i in n) if (r[i, k]) for (j in n)
		if (r[k, j]) r[i, j] = 1
	for (i in n) {
		s = ""
		for (j in n) if (i == j || (r[i, j] && r[j, i])) s = s " " j
		if (split(s, a, " ") > 1) print s
	}
}' "$T/graph" | while read -r line; do
	echo "$line" | tr ' ' '\n' | sort | paste -sd' ' - | sed 's/ /<->/g'
done | sort -u >"$T/cycles"
while read -r cyc; do
	echo "# cycle: $cyc"
	for m in $(echo "$cyc" | sed 's/<->/ /g'); do
		for o in $(echo "$cyc" | sed 's/<->/ /g'); do
			awk -v m="$m" -v o="$o" '$1 == m && $3 == o && m != o {
			    print "#   " $2 " includes " o ".h" }' "$T/edges"
		done
	done
done <"$T/cycles"
expect "the include graph of worker/ has no cycle" test ! -s "$T/cycles"
