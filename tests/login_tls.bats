#!/usr/bin/env bats
# pop3login and TLS: STLS through tlswrapper -n (its control pipe on fd 5)
# and through UCSPI-TLS (tests/transcripts/login/ucspitls.py, a small
# real implementation), POP3S through tlswrapper, the refuse-cleartext
# option, and the STARTTLS command-injection defence.  The certificate is
# self-signed, made by each test.

load helpers

CLIENT=$BATS_TEST_DIRNAME/transcripts/login/client.py
CHECKER=$BATS_TEST_DIRNAME/transcripts/login/checker
UCSPITLS=$BATS_TEST_DIRNAME/transcripts/login/ucspitls.py
GREETING='+OK mail.test POP3 server ready\r\n'
CAPA_HEAD='+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n'

setup() {
	PEM=$BATS_TEST_TMPDIR/tls.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" \
		-days 2 -subj /CN=localhost 2>/dev/null
	cat "$BATS_TEST_TMPDIR/key.pem" "$BATS_TEST_TMPDIR/cert.pem" >"$PEM"
}

teardown() {
	stop_started
}

# Like start_tcpserver, but waits for the listening socket without
# connecting: tlswrapper (without -n) leaves a process behind for a
# connection that closes before any handshake, as helpers' probe does.
start_tcpserver_quiet() {
	local port=$1
	shift
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$port" "$@" \
		2>>"$BATS_TEST_TMPDIR/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	python3 - "$port" <<-'PY'
	import sys, time
	want = ":%04X" % int(sys.argv[1])
	for _ in range(200):
	    with open("/proc/net/tcp") as f:
	        if any(l.split()[1].endswith(want) and l.split()[3] == "0A" for l in f.readlines()[1:]):
	            sys.exit(0)
	    time.sleep(0.05)
	sys.exit("port never opened")
	PY
}

# stls_server WRAPPER OPTIONS...: pop3login behind tlswrapper -n or
# behind the UCSPI-TLS test server, on a free port.
stls_server() {
	local wrapper=$1
	shift
	PORT=$(free_port)
	case $wrapper in
	# bats holds fds 3 to 5: tlswrapper -n refuses to start with fd 5
	# open, and a process left holding fd 3 would hang bats
	tlswrapper) start_tcpserver "$PORT" tlswrapper -n -f "$PEM" \
		pop3login "$@" mail.test "$CHECKER" 3>&- 4>&- 5>&- ;;
	ucspi) start_tcpserver "$PORT" python3 "$UCSPITLS" "$PEM" \
		pop3login "$@" mail.test "$CHECKER" ;;
	esac
}

poplib_stls() {
	python3 - "$PORT" <<-'PY'
	import poplib, ssl, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	assert "STLS" in p.capa()
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	assert p.stls(context=ctx) == b"+OK begin TLS negotiation"
	capa = p.capa()
	assert "STLS" not in capa and "USER" in capa, capa
	assert p.user("good") == b"+OK send PASS"
	assert p.pass_("secret word") == b"+OK logged in"
	assert p.stat() == (0, 0)
	assert p.quit() == b"+OK bye"
	PY
}

@test "tlswrapper -n: python3 poplib stls(), then a login inside TLS" {
	stls_server tlswrapper -d 0
	poplib_stls
	grep -q 'pop3login: login user=good ip=127.0.0.1 method=pass tls=yes result=ok' \
		"$BATS_TEST_TMPDIR/log"
}

@test "tlswrapper -n: curl --ssl-reqd logs in after STLS" {
	stls_server tlswrapper -d 0
	run curl -sS -k --ssl-reqd --max-time 10 -u 'good:secret word' "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	wait_log 'method=plain tls=yes result=ok'
}

@test "tlswrapper -n: commands sent in clear after STLS are discarded (injection)" {
	stls_server tlswrapper -d 0
	# were "USER good" kept, PASS would reach the checker and log in
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:STLS\r\nUSER good\r\n' \
		'r:+OK begin TLS negotiation\r\n' tls 's:PASS secret word\r\n' \
		'r:-ERR send USER first\r\n' 's:STLS\r\n' 'r:-ERR TLS already active\r\n' \
		's:QUIT\r\n' 'r:+OK bye\r\n'
	! grep -q 'pop3login: login' "$BATS_TEST_TMPDIR/log"
}

@test "tlswrapper -n with -s: no login offered or accepted before STLS" {
	stls_server tlswrapper -d 0 -s
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:CAPA\r\n' \
		"r:${CAPA_HEAD}"'STLS\r\nUTF8\r\nIMPLEMENTATION pop3login\r\n.\r\n' \
		's:USER good\r\n' 'r:-ERR [AUTH] cleartext login refused: use STLS first\r\n' \
		's:AUTH PLAIN AGdvb2QAc2VjcmV0IHdvcmQ=\r\n' \
		'r:-ERR [AUTH] cleartext login refused: use STLS first\r\n' \
		's:STLS\r\n' 'r:+OK begin TLS negotiation\r\n' tls 's:CAPA\r\n' \
		"r:${CAPA_HEAD}"'USER\r\nSASL PLAIN LOGIN\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n' \
		's:AUTH PLAIN AGdvb2QAc2VjcmV0IHdvcmQ=\r\n' 'r:+OK logged in\r\n' \
		's:QUIT\r\n' 'r:+OK bye\r\n'
}

@test "tlswrapper -n with POP3_REQUIRE_TLS from the environment: curl without TLS is refused" {
	PORT=$(free_port)
	POP3_REQUIRE_TLS=1 start_tcpserver "$PORT" tlswrapper -n -f "$PEM" \
		pop3login -d 0 mail.test "$CHECKER" 3>&- 4>&- 5>&-
	run curl -sS --max-time 10 -u 'good:secret word' "pop3://127.0.0.1:$PORT/"
	[ "$status" -ne 0 ]
	run curl -sS -k --ssl-reqd --max-time 10 -u 'good:secret word' "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
}

@test "POP3S through tlswrapper: no STLS offered, -s satisfied by POP3_TLS_ON" {
	PORT=$(free_port)
	POP3_TLS_ON=1 start_tcpserver_quiet "$PORT" tlswrapper -f "$PEM" \
		pop3login -d 0 -s mail.test "$CHECKER"
	python3 "$CLIENT" "$PORT" tls "r:$GREETING" 's:CAPA\r\n' \
		"r:${CAPA_HEAD}"'USER\r\nSASL PLAIN LOGIN\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n' \
		's:STLS\r\n' 'r:-ERR TLS already active\r\n' \
		's:USER good\r\nPASS secret word\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n+OK logged in\r\n+OK bye\r\n'
	run curl -sS -k --max-time 10 -u 'good:secret word' "pop3s://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
}

@test "UCSPI-TLS: python3 poplib stls(), then a login inside TLS" {
	stls_server ucspi -d 0
	poplib_stls
	grep -q 'pop3login: login user=good ip=127.0.0.1 method=pass tls=yes result=ok' \
		"$BATS_TEST_TMPDIR/log"
}

@test "UCSPI-TLS: injected commands after STLS are discarded; pipelining inside TLS works" {
	stls_server ucspi -d 0
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:STLS\r\nUSER good\r\n' \
		'r:+OK begin TLS negotiation\r\n' tls \
		's:PASS secret word\r\nUSER good\r\nPASS secret word\r\nSTAT\r\nQUIT\r\n' \
		'r:-ERR send USER first\r\n+OK send PASS\r\n+OK logged in\r\n+OK 0 0\r\n+OK bye\r\n'
}

@test "-N: the STARTTLS descriptor is ignored, STLS not offered" {
	stls_server tlswrapper -d 0 -N
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:CAPA\r\n' \
		"r:${CAPA_HEAD}"'USER\r\nSASL PLAIN LOGIN\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n' \
		's:STLS\r\n' 'r:-ERR STLS not available\r\n' \
		's:USER good\r\nPASS secret word\r\nSTAT\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n+OK logged in\r\n+OK 0 0\r\n+OK bye\r\n'
}

@test "-N leaves tlswrapper's control pipe open: tlswrapper does not spin" {
	stls_server tlswrapper -d 0 -N
	python3 "$CLIENT" "$PORT" "r:$GREETING" "wait:$BATS_TEST_TMPDIR/go" \
		's:QUIT\r\n' 'r:+OK bye\r\n' &
	local client=$! tcp wrapper ticks
	tcp=$(head -n 1 "$BATS_TEST_TMPDIR/pids")
	sleep 1 # a window for a spinning tlswrapper to show, not an assertion
	# The newest tlswrapper under tcpserver is the client's: the one of
	# the port probe in stls_server may not have exited yet.
	for i in $(seq 1 100); do
		wrapper=$(awk -v ppid="$tcp" '$4 == ppid && $2 == "(tlswrapper)" { print $22, $1 }' \
			/proc/[0-9]*/stat 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2 || true)
		[ -n "$wrapper" ] && break
		sleep 0.05
	done
	[ -n "$wrapper" ]
	ticks=$(awk '{ print $14 + $15 }' "/proc/$wrapper/stat")
	touch "$BATS_TEST_TMPDIR/go"
	wait "$client"
	[ "$ticks" -lt 20 ]
}

@test "tlswrapper -n: a cleartext login without STLS still works" {
	stls_server tlswrapper -d 0
	python3 "$CLIENT" "$PORT" "r:$GREETING" \
		's:USER good\r\nPASS secret word\r\nSTAT\r\nQUIT\r\n' \
		'r:+OK send PASS\r\n+OK logged in\r\n+OK 0 0\r\n+OK bye\r\n' eof
}
