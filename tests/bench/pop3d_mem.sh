#!/bin/sh
# tests/bench/pop3d_mem.sh [MESSAGES]: pop3d's heap for a large scan list.
#
# Writes a scan list of MESSAGES (default 100000) ranges with 32-octet
# UIDs (as mboxsplit writes them), runs pop3d on it with the preload shim
# $POP3_BIN/tests/heapstats.so (tests/bench/heapstats.c: mallinfo2()
# in-use bytes at pop3d's greeting, once the list is loaded and the
# session's buffers allocated), and, when valgrind is installed,
# measures the peak heap with massif as well (the peak is during
# loading, while the UID uniqueness hash exists).  Prints octets per
# message; exits 1 when either is above the goal of 64.
#
# Both need pop3d's glibc build, $POP3_BIN/dyn/pop3d beside a static musl
# one: a static program preloads nothing, and musl's malloc is not one
# massif can see.
set -eu
n=${1:-100000}
goal=64
bin=${POP3_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build}
pop3d=$bin/pop3d
[ -x "$bin/dyn/pop3d" ] && pop3d=$bin/dyn/pop3d
shim=$bin/tests/heapstats.so
[ -f "$shim" ] || { echo "pop3d_mem.sh: no $shim (make)" >&2; exit 2; }
[ "$n" -gt 0 ] || { echo "pop3d_mem.sh: MESSAGES must be at least 1" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v n="$n" 'BEGIN {
	printf "pop3scan 1 %d %d mboxrd\n", n, n * 1000
	for (i = 1; i <= n; i++)
		printf "1000 %08x%08x%08x%08x @%d+990\n", i, (i * 7919) % 2147483647,
			(i * 104729) % 2147483647, n - i, i * 1000
}' >"$tmp/scan"

printf 'STAT\r\nQUIT\r\n' >"$tmp/in"
LD_PRELOAD=$shim "$pop3d" 4<"$tmp/scan" 6</dev/null <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
head -1 "$tmp/out"
bytes=$(sed -n 's/^heapstats: bytes=\([0-9]*\)$/\1/p' "$tmp/err")
[ -n "$bytes" ] || { echo "pop3d_mem.sh: $pop3d did not load $shim" >&2; exit 2; }
per=$((bytes / n))
echo "pop3d: heap messages=$n bytes=$bytes per_message=$per"
echo "mallinfo2: $per octets per message (goal $goal)"
status=0
[ "$per" -le "$goal" ] || status=1

if command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=massif --massif-out-file="$tmp/massif" --pages-as-heap=no \
		"$pop3d" 4<"$tmp/scan" 6</dev/null <"$tmp/in" >/dev/null 2>&1
	peak=$(sed -n 's/^mem_heap_B=//p' "$tmp/massif" | sort -n | tail -1)
	extra=$(sed -n 's/^mem_heap_extra_B=//p' "$tmp/massif" | sort -n | tail -1)
	echo "massif: peak heap $peak octets + $extra malloc overhead = $(( (peak + extra) / n )) octets per message"
	[ $(( (peak + extra) / n )) -le "$goal" ] || status=1
fi
exit $status
