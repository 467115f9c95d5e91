#!/usr/bin/env bats
# pop3login's abuse limits that outlast a connection (doc/pop3login.8,
# LIMITS), set per client by hostcheck rules, over loopback sockets
# through the real chain: tcpserver -> hostcheck -> pop3login -> checkpw
# -> mboxsplit -> pop3d, with a system user made by the test.  The
# state lives in the test's own POP3_LIMIT_DIR (tests/helpers.bash).

load helpers

USER_NAME=plimit1
PASSWORD='limit word 1'

setup() {
	chain_user "$USER_NAME" "$PASSWORD" 2
}

teardown() {
	stop_started
	remove_users
}

# login FROM PASSWORD: one connection from loopback address FROM, USER
# and PASS, then QUIT; prints the answer to PASS.
login() {
	python3 - "$PORT" "$1" "$USER_NAME" "$2" <<-'PY'
	import socket, sys
	port, src, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
	s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
	f = s.makefile("rb")
	assert f.readline() == b"+OK mail.test POP3 server ready\r\n"
	s.sendall(("USER %s\r\n" % user).encode())
	assert f.readline() == b"+OK send PASS\r\n"
	s.sendall(("PASS %s\r\n" % password).encode())
	print(f.readline().decode().rstrip("\r\n"))
	s.sendall(b"QUIT\r\n")
	f.readline()
	PY
}

@test "SESSIONS_PER_IP=2: a third session from the address is refused, another address gets in" {
	serve_rules 'allow 127.0.0.1 SESSIONS_PER_IP=2\nallow default\n'
	run python3 - "$PORT" "$USER_NAME" "$PASSWORD" <<-'PY'
	import socket, sys
	port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	GREETING = b"+OK mail.test POP3 server ready\r\n"
	def connect(src):
	    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
	    return s, s.makefile("rb")
	def rest(f):
	    out = b""
	    while True:
	        chunk = f.read1(4096)
	        if not chunk:
	            return out
	        out += chunk
	# the first logs in and holds a session in pop3d, the second waits
	# at the greeting: both hold a slot
	a, fa = connect("127.0.0.1")
	assert fa.readline() == GREETING
	a.sendall(("USER %s\r\nPASS %s\r\nSTAT\r\n" % (user, password)).encode())
	assert fa.readline() == b"+OK send PASS\r\n"
	assert fa.readline().startswith(b"+OK")
	assert fa.readline().startswith(b"+OK 2 "), "not in pop3d"
	b, fb = connect("127.0.0.1")
	assert fb.readline() == GREETING
	c, fc = connect("127.0.0.1")
	got = rest(fc)
	assert got == b"-ERR [SYS/TEMP] too many sessions from your address\r\n", got
	# another address, the same server: no cap
	d, fd = connect("127.0.0.2")
	assert fd.readline() == GREETING
	# the logged-in session ends: its slot is free for the next one
	a.sendall(b"QUIT\r\n")
	assert fa.readline().startswith(b"+OK")
	assert rest(fa) == b""
	for attempt in range(50):
	    e, fe = connect("127.0.0.1")
	    line = fe.readline()
	    if line == GREETING:
	        break
	    assert line.startswith(b"-ERR [SYS/TEMP] too many sessions"), line
	    import time; time.sleep(0.1)  # the parent may still be ending
	assert line == GREETING, line
	print("done")
	PY
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	grep -qx 'pop3login: limit what=sessions ip=127.0.0.1 max=2' "$BATS_TEST_TMPDIR/log"
	[ "$(grep -c 'limit what=sessions' "$BATS_TEST_TMPDIR/log")" -ge 1 ]
	! grep -q 'limit what=sessions ip=127.0.0.2' "$BATS_TEST_TMPDIR/log"
}

@test "FAILURES_PER_USER=3 in 2 s: across connections the right password is refused until the window passes" {
	serve_rules 'allow default FAILURES_PER_USER=3 FAILURE_WINDOW=2\n'
	local i
	for i in 1 2 3; do
		run login 127.0.0.1 'not it'
		[ "$output" = '-ERR [AUTH] authentication failed' ]
	done
	# from another address too: the count is the user's
	run login 127.0.0.2 "$PASSWORD"
	[ "$output" = '-ERR [SYS/TEMP] temporary failure, try again later' ]
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = '-ERR [SYS/TEMP] temporary failure, try again later' ]
	wait_log "pop3login: limit what=failures scope=user user=$USER_NAME ip=127.0.0.2 max=3 window=2"
	# no checker ran for the refused attempts: checkpw logged three
	[ "$(grep -c "^checkpw: .*$USER_NAME" "$BATS_TEST_TMPDIR/log")" -eq 3 ]
	sleep 2.2
	run login 127.0.0.1 "$PASSWORD"
	[[ $output == '+OK'* ]]
}

@test "FAILURES_PER_IP=2: the address is refused even with the right password, another address is not" {
	serve_rules 'allow 127.0.0.1 FAILURES_PER_IP=2 FAILURE_WINDOW=2\nallow default\n'
	run login 127.0.0.1 'wrong 1'
	[ "$output" = '-ERR [AUTH] authentication failed' ]
	run login 127.0.0.1 'wrong 2'
	[ "$output" = '-ERR [AUTH] authentication failed' ]
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = '-ERR [SYS/TEMP] temporary failure, try again later' ]
	run login 127.0.0.2 "$PASSWORD"
	[[ $output == '+OK'* ]]
	wait_log "pop3login: limit what=failures scope=ip user=$USER_NAME ip=127.0.0.1 max=2 window=2"
	sleep 2.2
	run login 127.0.0.1 "$PASSWORD"
	[[ $output == '+OK'* ]]
}

@test "the state is files in the limit directory, root's alone, removed when nothing is counted" {
	serve_rules 'allow default FAILURES_PER_USER=5 FAILURE_WINDOW=1 SESSIONS_PER_IP=3\n'
	run login 127.0.0.1 'wrong'
	local dir=$POP3_LIMIT_DIR
	[ "$(stat -c '%U %a' "$dir")" = 'root 700' ]
	# one failure file of the user, one of the address, one time each
	[ "$(cat "$dir"/f.* | wc -l)" -eq 2 ]
	[ "$(ls "$dir" | grep -c '^f\.[0-9a-f]\{16\}$')" -eq 2 ]
	wait_log 'pop3login: end ip=127.0.0.1'
	sleep 1.2
	run login 127.0.0.1 "$PASSWORD"
	[[ $output == '+OK'* ]]
	wait_log 'pop3login: login user=plimit1 ip=127.0.0.1 method=pass tls=no result=ok'
	local i
	for i in $(seq 1 50); do
		[ -z "$(ls -A "$dir" | grep '^s\.')" ] && break
		sleep 0.05
	done
	[ -z "$(ls -A "$dir" | grep '^s\.')" ]
}
