#!/bin/sh
# tests/bench/pop3d_mem.sh [MESSAGES]: pop3d's heap for a large scan list.
#
# Writes a scan list of MESSAGES (default 100000) ranges with 32-octet
# UIDs (as mboxsplit writes them), runs pop3d on it with
# POP3D_HEAPSTATS=1 (pop3d logs mallinfo2() in-use bytes for the session
# once the list is loaded), and, when valgrind is installed, measures the
# peak heap with massif as well (the peak is during loading, while the
# UID uniqueness hash exists).  Prints octets per message; exits 1 when
# either is above the goal of 64.
set -eu
n=${1:-100000}
goal=64
bin=${POP3_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v n="$n" 'BEGIN {
	printf "pop3scan 1 %d %d mboxrd\n", n, n * 1000
	for (i = 1; i <= n; i++)
		printf "1000 %08x%08x%08x%08x @%d+990\n", i, (i * 7919) % 2147483647,
			(i * 104729) % 2147483647, n - i, i * 1000
}' >"$tmp/scan"

printf 'STAT\r\nQUIT\r\n' >"$tmp/in"
POP3D_HEAPSTATS=1 "$bin/pop3d" 4<"$tmp/scan" 6</dev/null <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
head -1 "$tmp/out"
line=$(grep '^pop3d: heap ' "$tmp/err")
echo "$line"
per=$(echo "$line" | sed 's/.*per_message=\([0-9]*\).*/\1/')
echo "mallinfo2: $per octets per message (goal $goal)"
status=0
[ "$per" -le "$goal" ] || status=1

if command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=massif --massif-out-file="$tmp/massif" --pages-as-heap=no \
		"$bin/pop3d" 4<"$tmp/scan" 6</dev/null <"$tmp/in" >/dev/null 2>&1
	peak=$(sed -n 's/^mem_heap_B=//p' "$tmp/massif" | sort -n | tail -1)
	extra=$(sed -n 's/^mem_heap_extra_B=//p' "$tmp/massif" | sort -n | tail -1)
	echo "massif: peak heap $peak octets + $extra malloc overhead = $(( (peak + extra) / n )) octets per message"
	[ $(( (peak + extra) / n )) -le "$goal" ] || status=1
fi
exit $status
