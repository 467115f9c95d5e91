#!/usr/bin/env python3
"""A scripted POP3 client for pop3login's socket tests.

client.py PORT STEP...   each STEP one of
  s:TEXT      send TEXT (Python escapes: \\r \\n \\x00 ...)
  r:TEXT      receive exactly TEXT, or fail showing what came instead
  line        receive one line and print it
  greet       receive the greeting and keep its <timestamp>
  apop:U:P    send APOP U with the digest of timestamp + P
  tls         start TLS on the socket (no certificate check)
  eof         the server must close the connection now
  wait:PATH   wait (at most 10 s) until the file PATH exists
  pause:S     wait S seconds (a slow client; never an assertion)
  mark        remember the time
  since>=S    at least S seconds since mark;  since<S  less than S
Exits 0 when every step passed; 1 with the reason on stderr otherwise.
"""
import hashlib
import socket
import ssl
import sys
import time

TIMEOUT = 10


def fail(msg):
    sys.stderr.write("client.py: " + msg + "\n")
    sys.exit(1)


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        try:
            chunk = sock.recv(n - len(data))
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def recv_line(sock):
    data = b""
    while not data.endswith(b"\n") and len(data) < 4096:
        chunk = recv_exact(sock, 1)
        if not chunk:
            break
        data += chunk
    return data


def main():
    sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=TIMEOUT)
    stamp = b""
    mark = time.monotonic()
    for step in sys.argv[2:]:
        if step.startswith("s:"):
            sock.sendall(unescape(step[2:]))
        elif step.startswith("r:"):
            want = unescape(step[2:])
            got = recv_exact(sock, len(want))
            if got != want:
                fail("wanted %r, got %r" % (want, got))
        elif step == "line":
            sys.stdout.write(recv_line(sock).decode("latin-1"))
        elif step == "greet":
            greeting = recv_line(sock)
            start, end = greeting.find(b"<"), greeting.find(b">")
            if not greeting.startswith(b"+OK") or start < 0 or end < start:
                fail("no timestamp in %r" % greeting)
            stamp = greeting[start:end + 1]
            sys.stdout.write(stamp.decode("latin-1") + "\n")
        elif step.startswith("apop:"):
            _, user, password = step.split(":", 2)
            digest = hashlib.md5(stamp + password.encode()).hexdigest()
            sock.sendall(b"APOP " + user.encode() + b" " + digest.encode() + b"\r\n")
        elif step == "tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock)
        elif step == "eof":
            try:
                extra = sock.recv(100)
            except (socket.timeout, ConnectionResetError):
                fail("connection still open")
            if extra:
                fail("wanted end of connection, got %r" % extra)
        elif step.startswith("wait:"):
            for _ in range(200):
                try:
                    open(step[5:]).close()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                fail("no " + step[5:])
        elif step.startswith("pause:"):
            time.sleep(float(step[6:]))
        elif step == "mark":
            mark = time.monotonic()
        elif step.startswith("since>="):
            if time.monotonic() - mark < float(step[7:]):
                fail("%s: only %.3f s" % (step, time.monotonic() - mark))
        elif step.startswith("since<"):
            if time.monotonic() - mark >= float(step[6:]):
                fail("%s: took %.3f s" % (step, time.monotonic() - mark))
        else:
            fail("unknown step " + step)


main()
