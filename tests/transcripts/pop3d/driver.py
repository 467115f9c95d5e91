#!/usr/bin/env python3
"""driver.py IN CMD...: runs CMD with a socket as its stdin and stdout,
sends IN one line at a time and waits for each whole answer before the
next line (so an answer that is never flushed is a failure, not a hang).
Writes every byte received to stdout; exits 1 on a missing answer."""
import socket
import subprocess
import sys

MULTI = {b"CAPA", b"LIST", b"UIDL", b"RETR", b"TOP"}
TIMEOUT = 5.0


def read_answer(sock, buf, multiline):
    """Returns (answer, rest) once buf holds a whole answer."""
    while True:
        end = buf.find(b"\r\n")
        if end >= 0:
            if not (multiline and buf.startswith(b"+OK")):
                return buf[:end + 2], buf[end + 2:]
            if buf[end + 2:].startswith(b".\r\n"):
                return buf[:end + 5], buf[end + 5:]
            stop = buf.find(b"\r\n.\r\n", end)
            if stop >= 0:
                return buf[:stop + 5], buf[stop + 5:]
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk


def main():
    lines = open(sys.argv[1], "rb").read().split(b"\n")
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen(sys.argv[2:], stdin=theirs, stdout=theirs)
    theirs.close()
    ours.settimeout(TIMEOUT)
    out = sys.stdout.buffer
    status = 0
    try:
        greeting, buf = read_answer(ours, b"", False)
        out.write(greeting)
        for line in lines:
            if not line:
                continue
            ours.sendall(line + b"\n")
            words = line.strip().split(b" ")
            multi = words[0].upper() in MULTI and (
                words[0].upper() not in (b"LIST", b"UIDL") or len(words) == 1)
            answer, buf = read_answer(ours, buf, multi)
            out.write(answer)
    except (socket.timeout, EOFError) as e:
        sys.stderr.write("driver: no whole answer: %r\n" % e)
        status = 1
    ours.close()
    proc.wait(timeout=TIMEOUT)
    out.write(buf)
    sys.exit(status)


main()
