#!/usr/bin/env python3
"""tests/mbox_procmail.py WORKDIR [DELIVERERS MESSAGES SESSIONLOOPS]:
procmail delivering in loops while POP3 sessions run and delete.

Several threads deliver numbered messages with procmail (which takes
MAILBOX.lock and an fcntl lock, as on Debian), while other threads run
mboxsplit sessions (tests/mbox_fakepop3d.py deleting every other
message).  A session whose QUIT got "+OK" deleted the messages it dumped;
any other answer deleted nothing.  At the end every delivered message
must be either deleted through a session exactly once, or present in
the mailbox exactly once, and byte-identical to what was delivered.
Prints one summary line; exits 1 on any failure.
"""
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("POP3_BIN", os.path.join(HERE, "..", "build"))
SPLIT = os.path.join(BIN, "mboxsplit")
FAKE = os.path.join(HERE, "mbox_fakepop3d.py")
MAX_SESSIONS = int(os.environ.get("MBOX_MAX_SESSIONS", 120))


def message(d, k):
    head = b"From sender%d@example.org Thu Nov 26 06:00:00 2026\n" % d
    body = (b"From: sender%d@example.org\nTo: user@example.org\n"
            b"Subject: delivery %d number %d\nMessage-ID: <%d.%d@procmail>\n\n"
            % (d, d, k, d, k))
    for i in range((d * 7 + k * 13) % 50 + 1):
        body += b"body line %d of %d.%d%s\n" % (i, d, k, b" pad" * (i % 9))
    return head, body


def main():
    work = sys.argv[1]
    deliverers, per, loops = (int(x) for x in (sys.argv[2:5] or (3, 25, 2)))
    os.makedirs(work, exist_ok=True)
    box = os.path.join(work, "mbox")
    rc = os.path.join(work, "procmailrc")
    with open(rc, "w") as f:
        f.write("LOCKSLEEP=1\n:0:\n%s\n" % box)
    open(box, "wb").close()
    sent = {}
    problems = []
    lock = threading.Lock()
    deleted = {}
    stats = {"sessions": 0, "ok": 0, "inuse": 0, "other": 0}

    def deliver(d):
        for k in range(per):
            head, body = message(d, k)
            r = subprocess.run(["procmail", "-m", rc], input=head + body,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            with lock:
                if r.returncode != 0:
                    problems.append("procmail failed: %r" % r.stderr)
                sent[b"<%d.%d@procmail>" % (d, k)] = body

    def sessions(s, done):
        n = 0
        while n < MAX_SESSIONS // loops and not (done.is_set() and n > 0):
            n += 1
            dump = os.path.join(work, "dump-%d-%d" % (s, n))
            env = dict(os.environ, FAKE_DUMP=dump, FAKE_SCAN=dump + ".scan",
                       FAKE_DELE="every:2")
            r = subprocess.run([SPLIT, "-m", box, FAKE], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(0.02)  # pacing only, so that sessions spread over the deliveries
            with lock:
                stats["sessions"] += 1
                if r.returncode == 4:
                    stats["inuse"] += 1
                    continue
                if r.returncode != 0 or not r.stdout.startswith(b"+OK"):
                    stats["other"] += 1
                    if r.returncode != 0:
                        problems.append("session exit %d: %r" % (r.returncode, r.stderr))
                    continue
                stats["ok"] += 1
                m = re.match(rb"\+OK bye, (\d+) messages? deleted", r.stdout)
                if not m:
                    continue
                count = int(open(dump + ".scan", "rb").readline().split()[2])
                for num in range(1, count + 1, 2):
                    data = open(os.path.join(dump, str(num)), "rb").read()
                    mid = re.search(rb"Message-ID: (<[^>]*>)", data).group(1)
                    if mid in deleted:
                        problems.append("%s deleted twice" % mid)
                    deleted[mid] = data

    done = threading.Event()
    dthreads = [threading.Thread(target=deliver, args=(d,)) for d in range(deliverers)]
    sthreads = [threading.Thread(target=sessions, args=(s, done)) for s in range(loops)]
    for t in dthreads + sthreads:
        t.start()
    for t in dthreads:
        t.join()
    done.set()
    for t in sthreads:
        t.join()

    final = os.path.join(work, "final")
    r = subprocess.run([SPLIT, "-m", box, FAKE], env=dict(os.environ, FAKE_DUMP=final,
                       FAKE_SCAN=final + ".scan"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        problems.append("final session exit %d: %r" % (r.returncode, r.stderr))
    count = int(open(final + ".scan", "rb").readline().split()[2])
    present = {}
    for num in range(1, count + 1):
        data = open(os.path.join(final, str(num)), "rb").read()
        mid = re.search(rb"Message-ID: (<[^>]*>)", data).group(1)
        if mid in present:
            problems.append("%s present twice" % mid)
        present[mid] = data
    for mid, body in sent.items():
        here, gone = mid in present, mid in deleted
        if here and gone:
            problems.append("%s deleted and still present" % mid)
        elif not here and not gone:
            problems.append("%s lost" % mid)
        elif (present.get(mid) or deleted.get(mid)) != body:
            problems.append("%s altered" % mid)
    for mid in list(present) + list(deleted):
        if mid not in sent:
            problems.append("%s never delivered" % mid)
    for p in problems[:20]:
        print("# " + p.replace("\n", " "))
    print("delivered=%d deleted=%d present=%d sessions=%d ok=%d inuse=%d other=%d problems=%d"
          % (len(sent), len(deleted), len(present), stats["sessions"], stats["ok"],
             stats["inuse"], stats["other"], len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
