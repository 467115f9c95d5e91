#!/usr/bin/env python3
"""A stand-in for stunnel with "protocol = proxy", for tests/ops_tls.bats.

    ops_tlsproxy.py PORT CERT.pem BACKEND_PORT

Accepts TLS on 127.0.0.1:PORT (TLS 1.3 where the library has it),
connects to 127.0.0.1:BACKEND_PORT, sends a PROXY protocol v1 header
naming the client, and relays plaintext both ways.  Test scaffolding:
one connection at a time.
"""
import select
import socket
import ssl
import sys


def relay(tls, backend):
    tls.setblocking(False)
    while True:
        if tls.pending():
            ready = [tls]
        else:
            ready, _, _ = select.select([tls, backend], [], [], 60)
            if not ready:
                return
        if tls in ready:
            try:
                data = tls.recv(16384)
            except ssl.SSLWantReadError:
                continue
            except (ssl.SSLError, OSError):
                data = b""
            if not data:
                backend.shutdown(socket.SHUT_WR)
                continue
            backend.sendall(data)
        if backend in ready:
            data = backend.recv(16384)
            if not data:
                return
            tls.setblocking(True)
            tls.sendall(data)
            tls.setblocking(False)


def main():
    port, cert, backend_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    while True:
        conn, addr = listener.accept()
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
            backend = socket.create_connection(("127.0.0.1", backend_port))
            header = "PROXY TCP4 %s 127.0.0.1 %d %d\r\n" % (addr[0], addr[1], port)
            backend.sendall(header.encode())
            relay(tls, backend)
            backend.close()
            tls.close()
        except (OSError, ssl.SSLError) as e:
            print("ops_tlsproxy: %s" % e, file=sys.stderr)
            conn.close()


if __name__ == "__main__":
    main()
