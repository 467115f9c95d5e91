#!/bin/bash
# tests/bench/retr_window.sh: RETR of every message of the 10,000-message
# mbox with 1, 2, 8, 32 and 128 RETRs in flight (popbench retrp -W), for
# the toolkit, popa3d and Dovecot, each from a fresh copy with its index
# warm; the median of BENCH_REPEAT runs per cell.  Uses the mailbox and
# users that `make bench` (tests/bench/run) left in BENCH_DIR; run that
# first.  Ports BENCH_PORT_BASE+20.. (default 21130-21132).
#
#   B=build tests/bench/retr_window.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
POP3_BIN=${POP3_BIN:-$B}
export POP3_BIN
BENCH_DIR=${BENCH_DIR:-/var/tmp/pop3bench}
REPEAT=${BENCH_REPEAT:-3}
WINDOWS=${BENCH_WINDOWS:-1 2 8 32 128}
base=$((${BENCH_PORT_BASE:-21110} + 20))
data=$BENCH_DIR/data
[ -e "$data/mbox10k.done" ] || { echo "retr_window: run make bench first" >&2; exit 2; }
# shellcheck source=tests/bench/peers.sh
. "$top/tests/bench/peers.sh"
trap 'peers_stop' EXIT
bench_user

fresh_mbox() {
	cp "$data/mbox10k" "/var/mail/$BENCH_USER.new"
	chown "$BENCH_USER:mail" "/var/mail/$BENCH_USER.new"
	chmod 660 "/var/mail/$BENCH_USER.new"
	mv "/var/mail/$BENCH_USER.new" "/var/mail/$BENCH_USER"
	rm -f "/var/mail/$BENCH_USER.lock"
}
pb() { "$POP3_BIN/popbench" -p "$1" -u "$BENCH_USER" -w "$BENCH_PASS" "${@:2}"; }
median() { sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }

# shellcheck disable=SC2016  # checkpw expands $6$ itself
CHECKPW_OPTS='-d $6$' TOOLKIT_EXPOSER_OPTS="-C ~/.mboxsplit.idx" toolkit_start "$base" "/var/mail/%u"
popa3d_start $((base + 1))
dovecot_start $((base + 2)) "/var/mail/%u"

printf '| RETRs in flight | toolkit MB/s | popa3d MB/s | Dovecot MB/s |\n|---:|---:|---:|---:|\n'
for w in $WINDOWS; do
	line="| $w"
	for port in "$base" $((base + 1)) $((base + 2)); do
		for i in $(seq 1 "$REPEAT"); do
			fresh_mbox
			pb "$port" stat >/dev/null
			pb "$port" -W "$w" retrp | sed -n 's/.*mb_per_s=\([^ ]*\).*/\1/p'
		done >"$BENCH_DIR/t.window"
		line="$line | $(median <"$BENCH_DIR/t.window")"
	done
	echo "$line |"
done
