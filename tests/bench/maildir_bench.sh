#!/bin/bash
# tests/bench/maildir_bench.sh [DIR]: maildirscan alone on generated
# Maildirs of 100,000 messages (BENCH_MESSAGES), one with Dovecot-style
# ",S=...,W=..." names and one with plain names, against the floor of
# this machine: a bare readdir of new/ and cur/ (maildir_readdir).
#
#   readdir      maildir_readdir DIR
#   scan         maildirscan -d DIR with a reader of fd 4 (cat) for pop3d
#   first STAT   printf 'STAT\r\nQUIT\r\n' | maildirscan -d DIR pop3d
#   from new/    the same after moving every message back to new/ (so the
#                session renames them all into cur/; one run)
#   size cache   -c on the plain Maildir: the run that writes the cache,
#                then the runs that use it
#   peak RSS     /usr/bin/time -f %M: maildirscan with cat, and
#                maildirscan + pop3d (the larger of the two)
#   CPU time     perf task-clock of the W= cases (less moved by other
#                load on a shared machine than wall time)
#
# Warm page cache (every file is read once first); wall times in ms, the
# best of BENCH_REPEAT (default 3).  Mailboxes are generated once by
# mkmailbox (deterministic, no multi-megabyte messages) and kept in DIR
# (default /var/tmp/maildirbench).  The comparison with Dovecot over the
# whole chain is tests/bench/run (make bench).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
for p in maildirscan pop3d mkmailbox tests/maildir_readdir; do
	[ -x "$B/$p" ] || { echo "maildir_bench: build $B/$p first" >&2; exit 2; }
done
dir=${1:-/var/tmp/maildirbench}
n=${BENCH_MESSAGES:-100000}
repeat=${BENCH_REPEAT:-3}
mkdir -p "$dir"

gen() { # gen NAME [w]
	local md=$dir/$1-$n
	if [ ! -d "$md/cur" ] || [ "$(ls -U "$md/cur" | wc -l)" -ne "$n" ]; then
		rm -rf "$md"
		"$B/mkmailbox" maildir "$n" "$md" ${2:-} -a 0 >/dev/null
	fi
	find "$md/cur" -type f -exec cat {} + >/dev/null
}
gen plain
gen w w
plain=$dir/plain-$n
wdir=$dir/w-$n

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# best CMD...: runs CMD (a shell string) $repeat times, prints the best ms.
best() {
	local i t0 t1 dt min=
	for i in $(seq 1 "$repeat"); do
		t0=$(now_us)
		sh -c "$1" >/dev/null 2>&1 || { echo "maildir_bench: failed: $1" >&2; exit 1; }
		t1=$(now_us)
		dt=$(( (t1 - t0) / 1000 ))
		if [ -z "$min" ] || [ "$dt" -lt "$min" ]; then min=$dt; fi
	done
	echo "$min"
}

# cpu CMD: CPU time (task-clock of the command and its children, ms,
# mean of $repeat runs) by perf, when there is perf: on a shared machine
# it moves less than wall time.  "-" without perf.
cpu() {
	command -v perf >/dev/null 2>&1 || { echo -; return; }
	perf stat -x, -e task-clock -r "$repeat" sh -c "$1" 2>&1 >/dev/null |
		awk -F, '/task-clock/ {printf "%.0f", $1; found = 1} END {if (!found) print "-"}'
}

rss() { # rss CMD: peak RSS in kB
	/usr/bin/time -f %M sh -c "exec $1" 2>&1 >/dev/null | tail -1
}

stat_cmd() { # stat_cmd DIR [OPTS]: a whole first-STAT session
	echo "printf 'STAT\\r\\nQUIT\\r\\n' | '$B/maildirscan' ${2:-} -d '$1' '$B/pop3d'"
}
scan_cmd() {
	echo "'$B/maildirscan' ${2:-} -d '$1' sh -c 'exec cat <&4 >/dev/null'"
}

# The session must really see every message.
got=$(sh -c "$(stat_cmd "$wdir")" 2>/dev/null | sed -n 2p)
case $got in "+OK $n "*) ;; *) echo "maildir_bench: STAT said: $got" >&2; exit 1 ;; esac

r_plain=$(best "'$B/tests/maildir_readdir' '$plain'")
r_w=$(best "'$B/tests/maildir_readdir' '$wdir'")
scan_w=$(best "$(scan_cmd "$wdir")")
stat_w=$(best "$(stat_cmd "$wdir")")
scan_plain=$(best "$(scan_cmd "$plain")")
stat_plain=$(best "$(stat_cmd "$plain")")
cpu_r_w=$(cpu "'$B/tests/maildir_readdir' '$wdir'")
cpu_scan_w=$(cpu "$(scan_cmd "$wdir")")
cpu_stat_w=$(cpu "$(stat_cmd "$wdir")")
rss_scan_w=$(rss "$(scan_cmd "$wdir")")
rss_stat_w=$(rss "$(stat_cmd "$wdir")")
rss_stat_plain=$(rss "$(stat_cmd "$plain")")

# Mail waiting in new/: hard links in a scratch copy, moved back to new/
# without their info, so the session's renames are timed.
fresh=$dir/fresh-$n
rm -rf "$fresh"
cp -al "$wdir" "$fresh"
python3 - "$fresh" <<'PY'
import os, sys
d = sys.argv[1]
for name in os.listdir(d + '/cur'):
    os.rename(d + '/cur/' + name, d + '/new/' + name.split(':')[0])
PY
t0=$(now_us)
sh -c "$(stat_cmd "$fresh")" >/dev/null 2>&1
t1=$(now_us)
new_w=$(( (t1 - t0) / 1000 ))
stat_after_new=$(best "$(stat_cmd "$fresh")")
rm -rf "$fresh"

# The size cache on the plain Maildir.
rm -f "$plain/maildirscan.sizes"
t0=$(now_us)
sh -c "$(stat_cmd "$plain" -c)" >/dev/null 2>&1
t1=$(now_us)
cache_first=$(( (t1 - t0) / 1000 ))
cache_repeat=$(best "$(stat_cmd "$plain" -c)")
rss_cache=$(rss "$(stat_cmd "$plain" -c)")
rm -f "$plain/maildirscan.sizes"

ratio() { python3 -c "print('%.2f' % ($1 / max($2, 1)))"; }
size=$(du -sm "$plain" | cut -f1)
cat <<EOT
maildirscan on $n messages ($size MB), warm cache, best of $repeat, ms
| case | plain names | W= names |
|---|---|---|
| bare readdir of new/ and cur/ | $r_plain | $r_w |
| scan list only (fd 4 to cat) | $scan_plain | $scan_w ($(ratio "$scan_w" "$r_w")x readdir) |
| first STAT, maildirscan + pop3d | $stat_plain | $stat_w ($(ratio "$stat_w" "$r_w")x readdir) |
| first STAT with all mail in new/ (renames, 1 run) | | $new_w |
| repeat STAT after that | | $stat_after_new |
| size cache (-c): run that writes it, then repeat | $cache_first, $cache_repeat ($(ratio "$cache_repeat" "$r_plain")x readdir) | |
| peak RSS kB: maildirscan alone / with pop3d | $rss_stat_plain (with pop3d), $rss_cache (-c) | $rss_scan_w / $rss_stat_w |
| CPU ms (perf task-clock): readdir / scan list / first STAT | | $cpu_r_w / $cpu_scan_w / $cpu_stat_w |
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
EOT
