#!/usr/bin/env python3
"""A minimal UCSPI-TLS server for pop3login's tests.

ucspitls.py PEMFILE PROG...   (under tcpserver: fd 0/1 are the client)

Runs PROG with SSLCTLFD (a socket), SSLREADFD and SSLWRITEFD (pipes) in
its environment and the client, in clear, on fd 0/1.  When PROG writes
'y' (or 'Y') on the control socket, this program does the TLS handshake
on the client socket as a server and relays between the TLS session and
the two pipes until PROG's side is closed.
"""
import os
import select
import socket
import ssl
import sys


def main():
    pem, prog = sys.argv[1], sys.argv[2:]
    ctl_here, ctl_there = socket.socketpair()
    to_prog_r, to_prog_w = os.pipe()
    from_prog_r, from_prog_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        ctl_here.close()
        os.close(to_prog_w)
        os.close(from_prog_r)
        for fd in (ctl_there.fileno(), to_prog_r, from_prog_w):
            os.set_inheritable(fd, True)
        os.environ["SSLCTLFD"] = str(ctl_there.fileno())
        os.environ["SSLREADFD"] = str(to_prog_r)
        os.environ["SSLWRITEFD"] = str(from_prog_w)
        os.execvp(prog[0], prog)
    ctl_there.close()
    os.close(to_prog_r)
    os.close(from_prog_w)
    command = ctl_here.recv(1)
    if command not in (b"y", b"Y"):
        os.waitpid(pid, 0)
        return
    client = socket.socket(fileno=os.dup(0))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pem)
    tls = ctx.wrap_socket(client, server_side=True)
    if command == b"Y":
        ctl_here.sendall(b"\0\0")
    relay(tls, to_prog_w, from_prog_r)
    os.waitpid(pid, 0)


def relay(tls, to_prog_w, from_prog_r):
    while True:
        ready = [tls] if tls.pending() else select.select([tls, from_prog_r], [], [], 60)[0]
        if not ready:
            return
        if tls in ready:
            data = tls.recv(4096)
            if not data:
                return
            os.write(to_prog_w, data)
        if from_prog_r in ready:
            data = os.read(from_prog_r, 4096)
            if not data:
                return
            tls.sendall(data)


main()
