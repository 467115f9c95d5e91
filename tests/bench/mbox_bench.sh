#!/bin/bash
# tests/bench/mbox_bench.sh [DIR]: mboxsplit alone on a generated mbox of
# 10,000 messages (~200 MB), against the limits of this machine.
#
#   first STAT   index + scan list (pop3d replaced by a reader of fd 4,
#                and also the real pop3d when built), vs cat FILE >/dev/null;
#                and a STAT of the unchanged mailbox with the index cache
#   QUIT         deleting message 2 (near the head): the whole session and
#                the write-back alone (its log line), vs one sequential copy
#                (cat FILE >COPY, with and without fsync) and cp
#   peak RSS     /usr/bin/time -v, for both
#
# Warm page cache throughout (each file is read once before timing); the
# best of BENCH_REPEAT runs (default 3) is kept.  The side-by-side
# comparison with Dovecot and popa3d over the whole chain is tests/bench/run
# (make bench).  Environment: B (build dir), BENCH_MESSAGES (10000).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
SPLIT=$B/mboxsplit
[ -x "$SPLIT" ] || { echo "mbox_bench: build $SPLIT first" >&2; exit 2; }
dir=${1:-/var/tmp/mboxbench}
n=${BENCH_MESSAGES:-10000}
repeat=${BENCH_REPEAT:-3}
mkdir -p "$dir"
box=$dir/mbox-$n
if [ ! -s "$box" ]; then
	python3 - "$box" "$n" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(4)
with open(path + ".tmp", "wb") as f:
    for i in range(n):
        f.write(b"From sender%d@example.org Thu Nov 26 06:00:00 2026\n" % (i % 97))
        f.write(b"Return-Path: <sender%d@example.org>\nFrom: Sender <sender%d@example.org>\n"
                b"To: user@example.org\nSubject: benchmark message %d\n"
                b"Message-ID: <%d.bench@example.org>\nDate: Thu, 26 Nov 2026 06:00:00 +0000\n\n"
                % (i % 97, i % 97, i, i))
        target = int(rng.expovariate(1 / 20000)) + 500
        line = b"benchmark body text, line of about seventy-two octets for message %06d\n" % i
        f.write(line * (target // len(line) + 1))
        f.write(b"\n")
import os
os.rename(path + ".tmp", path)
PY
fi
bytes=$(stat -c %s "$box")
cat "$box" >/dev/null

# best SECONDS of REPEAT runs of a command (bash time, millisecond grain)
best() {
	local i t b=
	for i in $(seq 1 "$repeat"); do
		[ -n "${BEST_PREP:-}" ] && eval "$BEST_PREP"
		t=$( { TIMEFORMAT=%R; time "$@" >/dev/null 2>&1; } 2>&1 )
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
rss_kb() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
}
ratio() { echo "scale=2; $1 / $2" | bc; }

reader=(sh -c 'cat <&4 >/dev/null')
quitter=(sh -c 'cat <&4 >/dev/null; printf "D 2\n.\n" >&5; head -n 1 <&5')

t_cat=$(best cat "$box")
t_stat=$(best "$SPLIT" -m "$box" "${reader[@]}")
rss_stat=$(rss_kb "$SPLIT" -m "$box" "${reader[@]}")
rm -f "$dir/cache"
"$SPLIT" -m "$box" -c "$dir/cache" "${reader[@]}" 2>/dev/null
t_cached=$(best "$SPLIT" -m "$box" -c "$dir/cache" "${reader[@]}")
t_pop3d=
if [ -x "$B/pop3d" ]; then
	pop3d_stat() { printf 'STAT\r\nQUIT\r\n' | "$SPLIT" -m "$box" "$B/pop3d"; }
	if pop3d_stat 2>/dev/null | grep -q "^+OK $n "; then
		t_pop3d=$(best pop3d_stat)
	fi
fi

copy=$dir/copy
BEST_PREP="rm -f $copy"
t_copy=$(best sh -c "cat '$box' >'$copy'")
t_copy_sync=$(best sh -c "cat '$box' >'$copy' && sync '$copy'")
t_cp=$(best cp "$box" "$copy")
BEST_PREP="cp '$box' '$copy'; sync '$copy'"
t_quit=$(best "$SPLIT" -m "$copy" "${quitter[@]}")
cp "$box" "$copy"; sync "$copy"
wb_ms=$("$SPLIT" -m "$copy" "${quitter[@]}" 2>&1 >/dev/null | sed -n 's/.*writeback .* ms=\([0-9]*\).*/\1/p')
cp "$box" "$copy"; sync "$copy"
rss_quit=$(rss_kb "$SPLIT" -m "$copy" "${quitter[@]}")
answer=$(cp "$box" "$copy"; "$SPLIT" -m "$copy" "${quitter[@]}" 2>/dev/null)
rm -f "$copy"
wb=$(echo "scale=3; $wb_ms / 1000" | bc)

echo "## mboxsplit: $n messages, $bytes bytes (warm cache, best of $repeat)"
echo
echo "| what | seconds | ratio | goal |"
echo "|---|---|---|---|"
echo "| cat mbox >/dev/null | $t_cat | 1 | |"
echo "| first STAT: index + scan list | $t_stat | $(ratio "$t_stat" "$t_cat") x cat | <= 2 |"
echo "| STAT again, unchanged mailbox, index cache (-c) | $t_cached | $(ratio "$t_cached" "$t_cat") x cat | |"
[ -n "$t_pop3d" ] && echo "| first STAT with pop3d (STAT, QUIT) | $t_pop3d | $(ratio "$t_pop3d" "$t_cat") x cat | <= 2 |"
echo "| cat mbox >copy | $t_copy | 1 | |"
echo "| cat mbox >copy; sync copy | $t_copy_sync | | |"
echo "| cp mbox copy | $t_cp | | |"
echo "| QUIT deleting message 2: write-back alone (fsyncs) | $wb | $(ratio "$wb" "$t_copy") x cat copy, $(ratio "$wb" "$t_copy_sync") x cat+sync | <= 1.5 |"
echo "| QUIT deleting message 2: whole session | $t_quit | $(ratio "$t_quit" "$t_copy") x cat copy | |"
echo
echo "peak RSS: STAT session $rss_stat KiB, QUIT session $rss_quit KiB ($(echo "$rss_quit * 1024 / $n" | bc) bytes a message, all included)"
echo "answer to QUIT: $answer"
