#!/bin/bash
# tests/bench/latency_breakdown.sh [ROUNDS]: where a login's time goes.
# Runs the chain of tests/bench/run (login + STAT + QUIT on a 10-message
# mbox, SHA-512) under `perf record` of the scheduler's tracepoints
# (fork, exec, exit, switch), ROUNDS rounds of 200 sessions (default 3),
# and prints per session, medians over the rounds:
#   - the client's latency (popbench's mean);
#   - each program's CPU time (run time between context switches,
#     charged to the program the process was running then: a process
#     that execs is charged to each program in turn);
#   - the milestones on the wall clock, from the fork of tcpserver's
#     child: pop3login's exec, checkpw's exec (PASS has arrived and
#     pop3login has handed it on), the exposer's exec (the password
#     checked, ids set), pop3d's exec, and the last exit.
# The gaps between milestones minus the CPU time spent in them are
# waits: for the client's next command (a round trip), for a CPU.
# As root; uses perf, makes the users popbench1..8 (peers.sh), serves on
# 127.0.0.1 port 21130.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$top/build}
case $B in /*) ;; *) B=$top/$B ;; esac
POP3_BIN=${POP3_BIN:-$B}
export POP3_BIN
ROUNDS=${1:-3}
SESSIONS=${LATENCY_SESSIONS:-200}
export BENCH_DIR=${BENCH_DIR:-/var/tmp/pop3latency}
command -v perf >/dev/null || { echo "latency_breakdown: needs perf (linux-perf)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
# shellcheck source=tests/bench/peers.sh
. "$top/tests/bench/peers.sh"
trap peers_stop EXIT
bench_user
printf 'From a@b Thu Nov 26 06:00:00 2026\nSubject: m\n\nbody\n\n%.0s' $(seq 1 10) >"/var/mail/$BENCH_USER"
chown "$BENCH_USER:mail" "/var/mail/$BENCH_USER"
chmod 660 "/var/mail/$BENCH_USER"
touch -d '-1 minute' "/var/mail/$BENCH_USER"
port=21130
CHECKPW_OPTS='-d $6$' toolkit_start "$port" "/var/mail/%u"
pb() { "$POP3_BIN/popbench" -p "$port" -u "$BENCH_USER" -w "$BENCH_PASS" -n "$1" login; }
pb 20 >/dev/null
for r in $(seq 1 "$ROUNDS"); do
	perf record -q -a -o "$BENCH_DIR/lat.$r.data" -e sched:sched_switch -e sched:sched_process_fork \
		-e sched:sched_process_exec -e sched:sched_process_exit -- \
		"$POP3_BIN/popbench" -p "$port" -u "$BENCH_USER" -w "$BENCH_PASS" -n "$SESSIONS" login \
		>"$BENCH_DIR/lat.$r.client" 2>/dev/null
	perf script -i "$BENCH_DIR/lat.$r.data" -F pid,cpu,time,event,trace 2>/dev/null >"$BENCH_DIR/lat.$r.txt"
done
python3 - "$BENCH_DIR" "$ROUNDS" "$TOOLKIT_PID" <<'PY'
import re, statistics, sys
d, rounds, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
progs = ["tcpserver", "pop3login", "checkpw", "mboxsplit", "pop3d"]
marks = ["pop3login", "checkpw", "mboxsplit", "pop3d"]
per_round = []
for r in range(1, rounds + 1):
    client = open(f"{d}/lat.{r}.client").read()
    mean = float(re.search(r"mean_ms=([0-9.]+)", client).group(1))
    prog = {}        # pid -> program it runs now
    session = {}     # pid -> session id (the pid of tcpserver's child)
    start = {}       # session -> fork time
    mark = {}        # session -> {milestone: time}
    end = {}         # session -> last exit
    cpu = {}         # program -> seconds
    running = {}     # cpu -> (pid, since)
    for line in open(f"{d}/lat.{r}.txt"):
        m = re.match(r"\s*(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s*(.*)", line)
        if not m:
            continue
        pid, c, t, ev, rest = int(m.group(1)), int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
        if ev == "sched_process_fork":
            parent = int(re.search(r"\bpid=(\d+)", rest).group(1))
            child = int(re.search(r"child_pid=(\d+)", rest).group(1))
            if parent == root:
                session[child] = child
                start[child] = t
                mark[child] = {}
                prog[child] = "tcpserver"
            elif parent in session:
                session[child] = session[parent]
                prog[child] = prog.get(parent)
        elif ev == "sched_process_exec" and pid in session:
            name = re.search(r"filename=(\S+)", rest).group(1).rsplit("/", 1)[-1]
            # the run so far was the old program's
            if running.get(c, (None,))[0] == pid:
                old = prog.get(pid)
                if old:
                    cpu[old] = cpu.get(old, 0) + (t - running[c][1])
                running[c] = (pid, t)
            prog[pid] = name
            s = session[pid]
            if name in marks and name not in mark[s]:
                mark[s][name] = t
        elif ev == "sched_process_exit" and pid in session:
            end[session[pid]] = max(end.get(session[pid], 0), t)
        elif ev == "sched_switch":
            prev = int(re.search(r"prev_pid=(\d+)", rest).group(1))
            nxt = int(re.search(r"next_pid=(\d+)", rest).group(1))
            if c in running:
                p, since = running.pop(c)
                name = prog.get(p) if p in session else ("tcpserver" if p == root else None)
                if name:
                    cpu[name] = cpu.get(name, 0) + (t - since)
            running[c] = (nxt, t)
    full = [s for s in start if s in end and all(k in mark[s] for k in marks)]
    n = len(full)
    row = {"client": mean, "sessions": n}
    for p in progs:
        row["cpu " + p] = 1000 * cpu.get(p, 0) / max(n, 1)
    prev = "fork"
    for k in marks + ["exit"]:
        gaps = [((end[s] if k == "exit" else mark[s][k]) -
                 (start[s] if prev == "fork" else mark[s][prev])) * 1000 for s in full]
        row[f"{prev} -> {k}"] = statistics.median(gaps) if gaps else float("nan")
        prev = k
    row["fork -> exit"] = statistics.median([(end[s] - start[s]) * 1000 for s in full]) if full else float("nan")
    per_round.append(row)
keys = list(per_round[0].keys())
print(f"| per session (median of {rounds} rounds of {per_round[0]['sessions']} sessions) | ms |")
print("|---|---:|")
for k in keys:
    if k == "sessions":
        continue
    v = statistics.median(r[k] for r in per_round)
    label = {"client": "client: connect to QUIT answered (popbench mean)"}.get(k, k)
    print(f"| {label} | {v:.3f} |")
PY
