#!/usr/bin/env python3
"""logs_syslogd.py SOCKET OUT: a syslog daemon for tests/logs.bats.

Binds a Unix datagram socket at SOCKET (the test mounts it over
/dev/log in a namespace of its own) and appends every datagram to OUT as
one line, its octets as they came except that a newline or a backslash
in it is written \\n or \\\\, so that a datagram is always one line.
Ends on SIGTERM or after 120 seconds, whichever comes first."""
import os
import signal
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)  # the chain writes as the user it becomes
deadline = time.monotonic() + 120
with open(out, "ab", buffering=0) as f:
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        f.write(d.replace(b"\\", b"\\\\").replace(b"\n", b"\\n") + b"\n")
