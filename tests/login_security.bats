#!/usr/bin/env bats
# pop3login: regression tests from the security review (one per defect
# found; each failed before its fix).

load helpers

CLIENT=$BATS_TEST_DIRNAME/transcripts/login/client.py
CHECKER=$BATS_TEST_DIRNAME/transcripts/login/checker
LOUD=$BATS_TEST_DIRNAME/transcripts/login/loudchecker
GREETING='+OK mail.test POP3 server ready\r\n'

teardown() {
	stop_started
	remove_users
}

# Under inetd fd 2 may be the client's socket.  pop3login kept its own
# lines off it, but the checker and the rest of the chain inherited it:
# checkpw's "why=unknown" or "why=badpass" told the client which names
# exist, and pop3d's end line followed the session.
@test "fd 2 the client's socket: no log line of the checker reaches the client" {
	PORT=$(free_port)
	start_tcpserver "$PORT" sh -c 'exec pop3login -d 0 "$@" 2>&1' sh mail.test "$LOUD"
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:USER someone\r\nPASS x\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r\n' eof
}

@test "fd 2 the client's socket, started as a user: no log line of the checker reaches the client" {
	PORT=$(free_port)
	start_tcpserver "$PORT" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		sh -c 'exec pop3login -d 0 "$@" 2>&1' sh mail.test "$LOUD"
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:USER someone\r\nPASS x\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r\n' eof
}
