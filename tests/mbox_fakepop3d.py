#!/usr/bin/env python3
"""tests/mbox_fakepop3d.py: a stand-in for pop3d in the mboxsplit tests.

It honours the exposer side of doc/interfaces.md without a client, so
that the scan list, the bytes of fd 6 and the write-back can be checked
alone.  Driven by the environment:
  FAKE_SCAN=FILE    copy of the scan list read from fd 4
  FAKE_DUMP=DIR     DIR/N gets message N's bytes as read from fd 6
  FAKE_DELE="1 3"   after the list, report these as deleted, then ".",
                    and print the exposer's answer on stdout; unset:
                    no QUIT (end of file on the control socket);
                    "every:K" deletes messages 1, 1+K, 1+2K ... of the list
  FAKE_RETR="2"     with FAKE_DELE: also report these as retrieved
  FAKE_WAIT=FILE    before reporting, wait (at most 60 s) until FILE exists
  FAKE_HANGUP=FILE  with FAKE_DELE: hang up right after the report, as a
                    pop3d that timed out or died waiting for the answer,
                    then create FILE
"""
import os
import sys
import time


def main():
    scan = b""
    with os.fdopen(4, "rb") as f:
        scan = f.read()
    if os.environ.get("FAKE_SCAN"):
        with open(os.environ["FAKE_SCAN"], "wb") as out:
            out.write(scan)
    dump = os.environ.get("FAKE_DUMP")
    if dump:
        os.makedirs(dump, exist_ok=True)
        for n, line in enumerate(scan.split(b"\n")[1:-1], 1):
            where = line.split(b" ")[2]
            off, length = where[1:].split(b"+")
            data = os.pread(6, int(length), int(off))
            with open(os.path.join(dump, str(n)), "wb") as out:
                out.write(data)
    wait = os.environ.get("FAKE_WAIT")
    if wait:
        for _ in range(6000):
            if os.path.exists(wait):
                break
            time.sleep(0.01)
    if "FAKE_DELE" not in os.environ:
        return 0
    dele = os.environ["FAKE_DELE"]
    if dele.startswith("every:"):
        count = int(scan.split(b"\n")[0].split(b" ")[2])
        dele = " ".join(str(n) for n in range(1, count + 1, int(dele[6:])))
    report = "".join("D %s\n" % n for n in dele.split())
    report += "".join("R %s\n" % n for n in os.environ.get("FAKE_RETR", "").split())
    os.write(5, (report + ".\n").encode())
    if os.environ.get("FAKE_HANGUP"):
        os.close(5)
        open(os.environ["FAKE_HANGUP"], "w").close()
        return 0
    answer = b""
    while not answer.endswith(b"\n"):
        got = os.read(5, 512)
        if not got:
            break
        answer += got
    sys.stdout.buffer.write(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
