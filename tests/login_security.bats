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

# A listener that ignores SIGCHLD passes that on through exec; waitpid
# then fails with ECHILD and every refusal was answered as a temporary
# failure (and a served session was followed by an -ERR).
@test "SIGCHLD ignored by the caller: the checker's status still decides" {
	run sh -c 'printf "USER nobody\r\nPASS x\r\nUSER temp\r\nPASS x\r\nQUIT\r\n" |
		python3 -c "import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])" pop3login -d 0 mail.test "$1" 2>/dev/null' sh "$CHECKER"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '+OK mail.test POP3 server ready\r\n+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK send PASS\r\n-ERR [SYS/TEMP] temporary failure, try again later\r\n+OK bye\r')" ]
}
