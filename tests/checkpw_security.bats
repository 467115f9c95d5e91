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

# With -P, pam_unix answers an unknown user at once (PAM_USER_UNKNOWN,
# no hash) but spends a hash on a known one: the answer's time told
# which names exist.  checkpw now spends its dummy (-d) for PAM's
# unknown users as it does for -s.  The dummy here (bcrypt, cost 13)
# costs ~0.35 s, and it is spent once, for the unknown user only, so the
# answer must take at least 0.2 s; without the dummy it took 20 ms.
@test "pam: an unknown user costs the dummy hash, as with -s" {
	PAMLIB=$(ls /usr/lib/*/libpam_wrapper.so 2>/dev/null | head -n 1)
	[ -n "$PAMLIB" ] || skip "libpam-wrapper not installed"
	[ -e "$(ls /usr/lib/*/security/pam_unix.so /lib/*/security/pam_unix.so 2>/dev/null | head -n 1)" ] ||
		skip "no pam_unix"
	S=$BATS_TEST_TMPDIR/pam.d
	mkdir -p "$S"
	printf 'auth required pam_unix.so\naccount required pam_unix.so\n' >"$S/pop3"
	printf 'ckpwnosuch-f1\0x\0\0' >"$BATS_TEST_TMPDIR/creds"
	start=$(date +%s%N)
	status=0
	LD_PRELOAD=$PAMLIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$S \
		PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
		ASAN_OPTIONS=verify_asan_link_order=0 \
		"$POP3_BIN/checkpw" -d '$2b$13$abcdefghijklmnopqrstuu' -P /bin/true \
		3<"$BATS_TEST_TMPDIR/creds" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 1 ]
	grep -qx 'checkpw: user=ckpwnosuch-f1 ip=- backend=pam result=unknown why=unknown' \
		"$BATS_TEST_TMPDIR/err"
	echo "took $ms ms" >&2
	[ "$ms" -ge 200 ]
}
