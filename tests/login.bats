#!/usr/bin/env bats
# pop3login: transcripts (every AUTHORIZATION command and bad input, exact
# bytes, through a pipe) and sessions over loopback sockets under
# tcpserver: pipelining after PASS, the privilege split, the failure
# delay, the idle timeout, APOP, python3 poplib and curl, and STLS through
# tlswrapper.  The checker is tests/transcripts/login/checker.

load helpers
load transcripts/login/lib

CLIENT=$BATS_TEST_DIRNAME/transcripts/login/client.py
CHECKER=$BATS_TEST_DIRNAME/transcripts/login/checker

teardown() {
	stop_started
	remove_users
}

# children PID: the pop3login processes whose parent is PID (from /proc,
# so that the test needs no procps).
children() {
	awk -v ppid="$1" '$4 == ppid && $2 == "(pop3login)" { print $1 }' \
		/proc/[0-9]*/stat 2>/dev/null || true
}

# serve OPTIONS...: pop3login on a free port with the test checker.
serve() {
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login "$@" mail.test "$CHECKER"
}

GREETING='+OK mail.test POP3 server ready\r\n'

@test "transcript: greeting, CAPA, NOOP, QUIT" { run_transcript capa; }
@test "transcript: CAPA LOGIN-DELAY and EXPIRE from the environment" { run_transcript capa_env; }
@test "transcript: CAPA LOGIN-DELAY and EXPIRE from options" { run_transcript capa_opt; }
@test "transcript: USER/PASS, commands pipelined after PASS reach the next program" { run_transcript user_pass; }
@test "transcript: failed logins, one message, USER again" { run_transcript bad_login; }
@test "transcript: checker exit codes as response codes" { run_transcript codes; }
@test "transcript: a chain killed after it answered gets no -ERR from pop3login" { run_transcript killed_after_answer; }
@test "transcript: the failure limit ends the connection" { run_transcript failure_limit; }
@test "transcript: the command limit ends the connection" { run_transcript command_limit; }
@test "transcript: AUTH PLAIN with initial response" { run_transcript auth_plain; }
@test "transcript: AUTH PLAIN continuation and cancel" { run_transcript auth_plain_cont; }
@test "transcript: malformed AUTH PLAIN" { run_transcript auth_bad; }
@test "transcript: wrong state, unknown, NUL, bare CR, binary, bare LF" { run_transcript bad_input; }
@test "transcript: overlong lines" { run_transcript overlong; }
@test "transcript: -s refuses cleartext logins" { run_transcript require_tls; }
@test "transcript: POP3_REQUIRE_TLS refuses cleartext logins" { run_transcript require_tls_env; }
@test "transcript: POP3_TLS_ON lifts the TLS requirement" { run_transcript tls_on; }
@test "transcript: a line cut by end of input is no command" { run_transcript eof; }

@test "the credentials block on fd 3 is exact, the log names no secret" {
	printf 'USER good\r\nPASS secret word\r\nQUIT\r\n' |
		CRED_SAVE=$BATS_TEST_TMPDIR/cred TCPREMOTEIP=192.0.2.7 \
		pop3login -d 0 mail.test "$CHECKER" >/dev/null 2>"$BATS_TEST_TMPDIR/log"
	printf 'good\0secret word\0\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	grep -qx 'pop3login: login user=good ip=192.0.2.7 method=pass tls=no result=ok' \
		"$BATS_TEST_TMPDIR/log"
	! grep -q secret "$BATS_TEST_TMPDIR/log"
}

@test "a user name cannot forge log fields" {
	printf 'USER evil user" result=ok\033[2J\r\nPASS x\r\nQUIT\r\n' |
		TCPREMOTEIP=192.0.2.8 pop3login -d 0 mail.test "$CHECKER" >/dev/null \
		2>"$BATS_TEST_TMPDIR/log"
	grep -qxF 'pop3login: login user="evil user\x22 result=ok\x1b[2J" ip=192.0.2.8 method=pass tls=no result=refused' \
		"$BATS_TEST_TMPDIR/log"
}

@test "socket: everything in one write, commands after PASS reach the next program" {
	serve -d 0
	python3 "$CLIENT" "$PORT" \
		's:CAPA\r\nUSER good\r\nPASS secret word\r\nSTAT\r\nLIST\r\nQUIT\r\n' \
		"r:$GREETING"'+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN LOGIN\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n' \
		'r:+OK send PASS\r\n+OK logged in\r\n+OK 0 0\r\n+OK\r\n.\r\n+OK bye\r\n' eof
}

@test "socket: the dialogue runs as nobody in an empty deleted root, the parent only checks" {
	serve -d 0
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:NOOP\r\n' 'r:+OK\r\n' \
		"wait:$BATS_TEST_TMPDIR/go" 's:QUIT\r\n' 'r:+OK bye\r\n' eof &
	local client=$! tcp parent child i
	tcp=$(head -n 1 "$BATS_TEST_TMPDIR/pids")
	for i in $(seq 1 100); do
		parent=$(children "$tcp")
		child=${parent:+$(children "$parent")}
		[ -n "$child" ] && grep -q '^Uid:.65534' "/proc/$child/status" && break
		sleep 0.05
	done
	[ -n "$child" ]
	grep -q "^Uid:	0	0	0	0$" "/proc/$parent/status"
	grep -q "^Uid:	65534	65534	65534	65534$" "/proc/$child/status"
	grep -q "^Gid:	65534	65534	65534	65534$" "/proc/$child/status"
	grep -qE "^Groups:\s*$" "/proc/$child/status"
	grep -q "^NoNewPrivs:	1$" "/proc/$child/status"
	grep -Eq "^Max processes +0 +0 " "/proc/$child/limits"
	grep -Eq "^Max open files +1 +1 " "/proc/$child/limits"
	[[ $(readlink "/proc/$child/root") == /tmp/pop3login.*' (deleted)' ]]
	[ -z "$(ls -A "/proc/$child/root/")" ]
	touch "$BATS_TEST_TMPDIR/go"
	wait "$client"
}

@test "socket: a failed login is answered after the delay (-d 1)" {
	serve -d 1
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:USER good\r\n' 'r:+OK send PASS\r\n' \
		mark 's:PASS wrong\r\n' 'r:-ERR [AUTH] authentication failed\r\n' \
		'since>=1' 'since<3' \
		mark 's:USER good\r\nPASS secret word\r\n' 'r:+OK send PASS\r\n+OK logged in\r\n' \
		'since<1' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
}

@test "socket: the idle timeout before login (-t 1)" {
	serve -d 0 -t 1
	python3 "$CLIENT" "$PORT" "r:$GREETING" mark 's:NOOP\r\n' 'r:+OK\r\n' \
		'r:-ERR [SYS/TEMP] idle timeout\r\n' eof 'since>=1' 'since<4'
	wait_log 'pop3login: end ip=127.0.0.1 how=timeout'
}

@test "socket: the whole dialogue has a bound too (-T 2), however lively the client" {
	serve -d 0 -t 5 -T 2
	python3 "$CLIENT" "$PORT" mark "r:$GREETING" 's:NOOP\r\n' 'r:+OK\r\n' pause:0.8 \
		's:NOOP\r\n' 'r:+OK\r\n' pause:0.8 's:NOOP\r\n' 'r:+OK\r\n' \
		'r:-ERR [SYS/TEMP] login took too long\r\n' eof 'since>=2' 'since<4'
}

@test "socket: a slow client cannot stretch one line past the timeout" {
	serve -d 0 -t 1
	python3 "$CLIENT" "$PORT" "r:$GREETING" mark 's:NO' 'r:' 's:O' \
		'r:-ERR [SYS/TEMP] idle timeout\r\n' eof 'since<4'
}

@test "socket: APOP with the greeting's timestamp" {
	PORT=$(free_port)
	CRED_SAVE=$BATS_TEST_TMPDIR/cred start_tcpserver "$PORT" \
		pop3login -d 0 -a mail.test "$CHECKER"
	run python3 "$CLIENT" "$PORT" greet apop:good:'secret word' 'r:+OK logged in\r\n' \
		's:QUIT\r\n' 'r:+OK bye\r\n' eof
	[ "$status" -eq 0 ]
	[[ $output =~ ^\<[0-9]+\.[0-9]+\.[0-9a-f]{16}@mail\.test\>$ ]]
	local digest
	digest=$(printf '%s%s' "$output" 'secret word' | md5sum | cut -c1-32)
	printf 'good\0%s\0%s\0' "$digest" "$output" | cmp - "$BATS_TEST_TMPDIR/cred"
}

@test "socket: two connections get different APOP timestamps" {
	serve -d 0 -a
	local a b
	a=$(python3 "$CLIENT" "$PORT" greet 's:QUIT\r\n' 'r:+OK bye\r\n')
	b=$(python3 "$CLIENT" "$PORT" greet 's:QUIT\r\n' 'r:+OK bye\r\n')
	[ -n "$a" ] && [ "$a" != "$b" ]
}

@test "python3 poplib: USER/PASS, STAT, QUIT" {
	serve -d 0
	python3 - "$PORT" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	assert p.getwelcome() == b"+OK mail.test POP3 server ready", p.getwelcome()
	assert "SASL" in p.capa()
	assert p.user("good") == b"+OK send PASS"
	assert p.pass_("secret word") == b"+OK logged in"
	assert p.stat() == (0, 0)
	assert p.quit() == b"+OK bye"
	PY
}

@test "python3 poplib: a wrong password, then APOP" {
	serve -d 0 -a
	python3 - "$PORT" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	p.user("good")
	try:
	    p.pass_("wrong")
	    raise SystemExit("wrong password accepted")
	except poplib.error_proto as e:
	    assert e.args[0] == b"-ERR [AUTH] authentication failed", e
	assert p.apop("good", "secret word") == b"+OK logged in"
	assert p.quit() == b"+OK bye"
	PY
}

@test "curl: AUTH PLAIN (its choice from CAPA), then LIST" {
	serve -d 0
	run curl -sS --max-time 10 -u 'good:secret word' "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ -z "$(printf '%s' "$output" | tr -d '\r\n')" ]
	wait_log 'pop3login: login user=good ip=127.0.0.1 method=plain tls=no result=ok'
}

@test "curl: APOP with the greeting's timestamp; a wrong password fails" {
	serve -d 0 -a
	run curl -sS --max-time 10 --login-options 'AUTH=+APOP' -u 'good:secret word' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	wait_log 'method=apop tls=no result=ok'
	run curl -sS --max-time 10 --login-options 'AUTH=+APOP' -u 'good:bad' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ] # CURLE_LOGIN_DENIED
}

@test "socket: with fd 2 the client's socket (inetd), no log line reaches the client" {
	PORT=$(free_port)
	start_tcpserver "$PORT" sh -c 'exec pop3login -d 0 "$@" 2>&1' sh mail.test "$CHECKER"
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:USER nobody\r\nPASS x\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r\n' eof
}
