#!/usr/bin/env python3
"""A minimal UCSPI-TLS server for tests/ops_tls.bats.

    ops_ucspitls.py PORT CERT.pem PROG [ARG...]

Listens on 127.0.0.1:PORT; for each connection runs PROG with the client
on fds 0 and 1 and the UCSPI-TLS variables SSLCTLFD, SSLREADFD and
SSLWRITEFD set, as s6-ucspitlsd and sslserver's delayed mode do.  When
PROG writes 'y' (or 'Y') on the control descriptor, the server does the
TLS handshake on the client socket and from then on relays between the
TLS session and the two pipes.  It also sets the tcpserver variables, so
the chain logs the client's address.  Test scaffolding only: one
connection at a time is enough.
"""
import os
import select
import socket
import ssl
import sys


def relay_tls(tls, to_app, from_app):
    """Copies TLS <-> pipes until PROG closes its end."""
    tls.setblocking(False)
    client_open = True
    while True:
        if client_open and tls.pending():
            ready = [tls]
        else:
            rlist = [from_app] + ([tls] if client_open else [])
            ready, _, _ = select.select(rlist, [], [], 600)
            if not ready:
                return
        if tls in ready:
            try:
                data = tls.recv(16384)
            except ssl.SSLWantReadError:
                data = None
            except (ssl.SSLError, OSError):
                data = b""
            if data == b"":
                client_open = False
                os.close(to_app)    # PROG sees the client's end of file
                to_app = -1
            elif data:
                os.write(to_app, data)
        if from_app in ready:
            data = os.read(from_app, 16384)
            if not data:
                break
            tls.setblocking(True)
            tls.sendall(data)
            tls.setblocking(False)
    if to_app >= 0:
        os.close(to_app)


def serve(conn, addr, ctx, prog):
    ctl_app, ctl_srv = socket.socketpair()
    app_read, tls_write = os.pipe()      # TLS -> PROG
    tls_read, app_write = os.pipe()      # PROG -> TLS
    env = dict(os.environ)
    env.update({
        "PROTO": "TCP",
        "TCPREMOTEIP": addr[0], "TCPREMOTEPORT": str(addr[1]),
        "TCPLOCALIP": "127.0.0.1", "TCPLOCALPORT": str(conn.getsockname()[1]),
        "SSLCTLFD": str(ctl_app.fileno()),
        "SSLREADFD": str(app_read), "SSLWRITEFD": str(app_write),
    })
    keep = (ctl_app.fileno(), app_read, app_write)
    pid = os.fork()
    if pid == 0:
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        for fd in keep:
            os.set_inheritable(fd, True)
        os.execvpe(prog[0], prog, env)
    os.close(app_read)
    os.close(app_write)
    ctl_app.close()
    try:
        command = ctl_srv.recv(1)
        if command in (b"y", b"Y"):
            tls = ctx.wrap_socket(conn, server_side=True)
            relay_tls(tls, tls_write, tls_read)
            tls_write = -1
    except (OSError, ssl.SSLError) as e:
        print("ops_ucspitls: %s" % e, file=sys.stderr)
    finally:
        for fd in (tls_write, tls_read):
            if fd >= 0:
                os.close(fd)
        ctl_srv.close()
        conn.close()
        os.waitpid(pid, 0)


def main():
    port, cert, prog = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    while True:
        conn, addr = listener.accept()
        serve(conn, addr, ctx, prog)


if __name__ == "__main__":
    main()
