#!/usr/bin/env python3
"""tests/mbox_crash.py TRIALS WORKDIR: kill mboxsplit's write-back at
many points and check that no message is ever lost, duplicated or
altered.

Each trial builds an mbox, runs a session (mboxsplit with
tests/mbox_fakepop3d.py) that deletes a random set of messages, often
appends a message (as a delivery agent would) while the session runs,
a third of the time also marks retrieved mail read (-R),
and kills mboxsplit: at the Nth fault point it reaches
(MBOXSPLIT_FAULT=any:N, every step of locking and write-back, in
mboxsplit's test build tests/mboxsplit-fault), or with SIGKILL after a
random delay on a larger mailbox (the installed mboxsplit).  The
mailbox must then be byte for byte either the old one or the finished one (plus the
appended message either way), and the next session must remove what
the killed one left (its dotlock, its new file) and leave the mailbox
as it is.  Prints one summary line; exits 1 on any failure.
"""
import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("POP3_BIN", os.path.join(HERE, "..", "build"))
SPLIT = os.path.join(BIN, "mboxsplit")
# mboxsplit's test build, the one with fault points (tests/fault/fault.mk)
SPLIT_FAULT = os.path.join(BIN, "tests", "mboxsplit-fault")
FAKE = os.path.join(HERE, "mbox_fakepop3d.py")


def message(rng, trial, i, big):
    lines = [b"From sender%d@example.org Thu Nov 26 06:00:00 2026" % i,
             b"From: sender%d@example.org" % i,
             b"Subject: trial %d message %d" % (trial, i),
             b"Message-ID: <%d.%d@crash>" % (trial, i), b""]
    body_lines = rng.randint(1, 2000 if big else 40)
    for k in range(body_lines):
        lines.append(b"line %d of message %d %s" % (k, i, b"x" * rng.randint(0, 70)))
    if rng.random() < 0.2:
        lines.append(b"")  # a message ending in a blank line of its own
    return b"\n".join(lines) + b"\n\n"


def wait_indexed(proc, log, limit=10.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            return
        with open(log, "rb") as f:
            if b"indexed" in f.read():
                return
        time.sleep(0.005)


def trial(t, work):
    rng = random.Random(t)
    timed = t % 3 == 2
    n = rng.randint(20, 60) if timed else rng.randint(3, 25)
    msgs = [message(rng, t, i, timed) for i in range(n)]
    dele = sorted(rng.sample(range(1, n + 1), rng.randint(1, n)))
    appended = (b"From late@example.org Thu Nov 26 06:01:00 2026\n"
                b"Subject: appended in trial %d\n\nlate\n\n" % t) if rng.random() < 0.5 else b""
    box = os.path.join(work, "mbox")
    for leftover in ("mbox.lock", ".mbox.mboxsplit-new"):
        if os.path.exists(os.path.join(work, leftover)):
            os.unlink(os.path.join(work, leftover))
    with open(box, "wb") as f:
        f.write(b"".join(msgs))
    before = b"".join(msgs) + appended
    # A third of the trials also mark retrieved mail read (-R).
    mark = rng.random() < 0.33
    kept = [i for i in range(1, n + 1) if i not in dele]
    retr = sorted(rng.sample(kept, rng.randint(0, len(kept)))) if mark else []

    def marked(m):
        cut = m.index(b"\n\n") + 1
        return m[:cut] + b"Status: RO\n" + m[cut:]
    after = b"".join(marked(m) if i in retr else m
                     for i, m in enumerate(msgs, 1) if i not in dele) + appended
    go = os.path.join(work, "go")
    log = os.path.join(work, "log")
    if os.path.exists(go):
        os.unlink(go)
    env = dict(os.environ, FAKE_DELE=" ".join(map(str, dele)), FAKE_WAIT=go,
               FAKE_RETR=" ".join(map(str, retr)))
    point = None
    if not timed:
        point = rng.randint(1, 24)
        env["MBOXSPLIT_FAULT"] = "any:%d" % point
    with open(log, "wb") as errf:
        split = SPLIT_FAULT if point else SPLIT
        proc = subprocess.Popen([split, "-m", box, "-w", "5"] + (["-R"] if mark else []) + [FAKE], env=env,
                                stdout=subprocess.PIPE, stderr=errf)
    wait_indexed(proc, log)
    if appended:
        with open(box, "ab") as f:
            f.write(appended)
    open(go, "w").close()
    if timed:
        time.sleep(rng.uniform(0, 0.06))
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    out, _ = proc.communicate(timeout=30)
    with open(box, "rb") as f:
        now = f.read()
    state = "before" if now == before else "after" if now == after else None
    problems = []
    if state is None:
        problems.append("mailbox is neither the old nor the new one")
    if state == "after" and proc.returncode == 0 and not out.startswith(b"+OK"):
        problems.append("changed but answered %r" % out)
    if state == "before" and out.startswith(b"+OK") and (dele or retr):
        problems.append("answered +OK but nothing deleted")
    # The next session cleans up and leaves the mailbox alone.
    rec = subprocess.run([SPLIT, "-m", box, "-w", "5", FAKE], env=dict(os.environ, FAKE_DELE=""),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    if rec.returncode != 0 or rec.stdout != b"+OK bye, nothing deleted\n":
        problems.append("next session failed: %d %r %r" % (rec.returncode, rec.stdout, rec.stderr))
    with open(box, "rb") as f:
        if f.read() != now:
            problems.append("next session changed the mailbox")
    for leftover in ("mbox.lock", ".mbox.mboxsplit-new"):
        if os.path.exists(os.path.join(work, leftover)):
            problems.append("%s left after the next session" % leftover)
    killed = proc.returncode == -signal.SIGKILL
    return state, killed, problems, point


def main():
    trials = int(sys.argv[1])
    work = sys.argv[2]
    os.makedirs(work, exist_ok=True)
    counts = {"before": 0, "after": 0, None: 0}
    killed_n = 0
    failures = 0
    for t in range(trials):
        state, killed, problems, point = trial(t, work)
        counts[state] += 1
        killed_n += killed
        if problems:
            failures += 1
            print("# trial %d (fault any:%s): %s" % (t, point, "; ".join(problems)))
    print("trials=%d killed=%d before=%d after=%d failures=%d"
          % (trials, killed_n, counts["before"], counts["after"], failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
