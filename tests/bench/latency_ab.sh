#!/bin/bash
# tests/bench/latency_ab.sh A_BUILD B_BUILD [ROUNDS]: session latency of
# two builds of the toolkit side by side (login + STAT + QUIT on a
# 10-message mbox, SHA-512, the chain of tests/bench/run), to show what
# a change costs a login.  Each round runs popbench's login mode (200
# sessions, after 20 to warm up) against A, then against B, on the same
# user and mailbox; prints each round's mean, then the medians over the
# rounds and B/A.  As root; makes the users popbench1..8 (peers.sh) and
# serves on 127.0.0.1 ports 21120 and 21121.
set -u
[ $# -ge 2 ] || { echo "usage: latency_ab.sh A_BUILD B_BUILD [ROUNDS]" >&2; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd) ROUNDS=${3:-9}
SESSIONS=${LATENCY_SESSIONS:-200}
export BENCH_DIR=${BENCH_DIR:-/var/tmp/pop3latency}
mkdir -p "$BENCH_DIR"
# shellcheck source=tests/bench/peers.sh
. "$(dirname "$0")/peers.sh"
trap peers_stop EXIT
bench_user
printf 'From a@b Thu Nov 26 06:00:00 2026\nSubject: m\n\nbody\n\n%.0s' $(seq 1 10) >"/var/mail/$BENCH_USER"
chown "$BENCH_USER:mail" "/var/mail/$BENCH_USER"
chmod 660 "/var/mail/$BENCH_USER"
touch -d '-1 minute' "/var/mail/$BENCH_USER"

POP3_BIN=$A CHECKPW_OPTS='-d $6$' toolkit_start 21120 "/var/mail/%u"
POP3_BIN=$B CHECKPW_OPTS='-d $6$' toolkit_start 21121 "/var/mail/%u"
pb() { "$A/popbench" -p "$1" -u "$BENCH_USER" -w "$BENCH_PASS" -n "$2" login; }
mean() { sed -n 's/.*\bmean_ms=\([^ ]*\).*/\1/p'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$BENCH_DIR/a"
: >"$BENCH_DIR/b"
for r in $(seq 1 "$ROUNDS"); do
	pb 21120 20 >/dev/null
	a=$(pb 21120 "$SESSIONS" | mean)
	pb 21121 20 >/dev/null
	b=$(pb 21121 "$SESSIONS" | mean)
	echo "round $r: A $a ms, B $b ms (load $(cut -d' ' -f1 /proc/loadavg))"
	echo "$a" >>"$BENCH_DIR/a"
	echo "$b" >>"$BENCH_DIR/b"
done
ma=$(median <"$BENCH_DIR/a") mb=$(median <"$BENCH_DIR/b")
echo "median of $ROUNDS rounds: A $ma ms, B $mb ms, B/A $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.3f", b / a }')"
rm -f "/var/mail/$BENCH_USER"
