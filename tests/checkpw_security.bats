#!/usr/bin/env bats
# checkpw: regression tests from the security review (each failed
# before its fix).
load helpers

teardown() {
	stop_started
	remove_users
}

# on_socket USER: checkpw -s with descriptors 0, 1 and 2 one end of a
# socket pair, as inetd gives them to qmail-popup and so to its checker;
# prints what reached the other end (the client) and the exit status.
on_socket() {
	python3 - "$POP3_BIN/checkpw" "$1" <<'EOP'
import os, socket, subprocess, sys
client, server = socket.socketpair()
r, w = os.pipe()
os.write(w, sys.argv[2].encode() + b"\0x\0\0")
os.close(w)
def fds():
    os.dup2(r, 3)
p = subprocess.Popen([sys.argv[1], "-s", "/bin/true"], stdin=server, stdout=server,
                     stderr=server, pass_fds=(3,), preexec_fn=fds)
server.close()
os.close(r)
client.settimeout(10)
got = b""
while True:
    chunk = client.recv(4096)
    if not chunk:
        break
    got += chunk
print("status=%d got=%r" % (p.wait(), got))
EOP
}

# qmail-popup under inetd runs its checker with descriptor 2 the
# client's socket.  checkpw's decision line went there, and its why=
# (unknown or badpass) told the client which names exist.
@test "fd 2 the client's socket: no log line reaches the client" {
	run on_socket nosuchuser-ckpw
	[ "$status" -eq 0 ]
	[ "$output" = "status=1 got=b''" ]
}
