#!/bin/sh
# tests/bench/startup.sh (make bench-startup): what one exec of each
# session program costs, from posix_spawn to exit, as the Makefile builds
# it (static-pie musl where musl-gcc is installed) and as a glibc dynamic
# build ($B/dyn), beside an empty main() of each kind.  Each program gets
# arguments that make it exit at once, so the figure is its start-up.
# Rounds alternate between the two builds; the table shows the median of
# the per-round medians, in microseconds.  STARTUP_N runs per round
# (default 300), STARTUP_ROUNDS rounds (default 5).
set -eu
B=${B:-build}
N=${STARTUP_N:-300}
ROUNDS=${STARTUP_ROUNDS:-5}
[ -d "$B/dyn" ] || { echo "startup.sh: no $B/dyn (a STATIC= build has one build only)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

row() {  # row NAME STATIC_PROG DYN_PROG ARGS...
	name=$1 s=$2 d=$3
	shift 3
	: >"$T/s"; : >"$T/d"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		"$B/tests/spawntime" "$N" "$s" "$@" | cut -d' ' -f2 >>"$T/s"
		"$B/tests/spawntime" "$N" "$d" "$@" | cut -d' ' -f2 >>"$T/d"
		r=$((r + 1))
	done
	ms=$(median <"$T/s") md=$(median <"$T/d")
	echo "| $name | $md | $ms | $(awk -v a="$ms" -v b="$md" 'BEGIN { printf "%.2f", a / b }') |"
}

echo "spawn to exit, median of $ROUNDS rounds of $N, microseconds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | glibc, dynamic | as built (static) | ratio |"
echo "|---|---:|---:|---:|"
row "empty main()" "$B/tests/empty-static" "$B/tests/empty-libc"
row pop3d "$B/pop3d" "$B/dyn/pop3d"
row pop3login "$B/pop3login" "$B/dyn/pop3login"
row mboxsplit "$B/mboxsplit" "$B/dyn/mboxsplit"
row maildirscan "$B/maildirscan" "$B/dyn/maildirscan"
