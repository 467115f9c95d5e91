#!/usr/bin/env bats
# TLS through tlswrapper, set up by pop3ctl: POP3S (TLS from the first
# byte) and STLS (tlswrapper -n, pop3login answers STLS on fd 5), with a
# self-signed certificate made here; curl and python3 poplib as clients;
# the refuse-cleartext option, for everyone and for one client network.

load helpers
load ops_helpers

setup() {
	have_chain
	command -v tlswrapper >/dev/null || skip "tlswrapper not installed"
	chain_setup
	make_cert "$D"
	printf 'TLS_CERT=%s\nTLS_OPTS="-T 2"\n' "$D/tls.pem" >>"$CONF"
}

teardown() {
	[ -z "${CONF:-}" ] || "$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
	ops_cleanup_users
}

# py_pop MODE: a poplib session over TLS (MODE ssl: POP3_SSL, stls:
# POP3 then stls()), printing what the client sees.
py_pop() {
	python3 - "$1" "$PORT" <<'PY'
import poplib, ssl, sys
mode, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=5)
else:
    p = poplib.POP3("127.0.0.1", port, timeout=5)
    print("capa before:", " ".join(sorted(p.capa())))
    print(p.stls(ctx).decode())
print("tls:", p.sock.version())
print("capa:", " ".join(sorted(p.capa())))
print(p.user("demo").decode())
print(p.pass_("secret").decode())
print("stat:", p.stat())
resp, lines, octets = p.retr(2)
print(resp.decode(), b"|".join(lines).decode(), octets)
print(p.dele(1).decode())
print(p.quit().decode())
PY
}

@test "ops_tls: POP3S with curl --ssl-reqd" {
	echo TLS=pop3s >>"$CONF"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	run curl -sS -k --ssl-reqd --max-time 10 "pop3s://demo:secret@127.0.0.1:$PORT/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: b@example.org\r\nSubject: two\r\n\r\nHello two.\r\n.dot\r' ]
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=[a-z]* tls=yes result=ok$'
}

@test "ops_tls: POP3S with python3 poplib POP3_SSL: no STLS offered, the session as in clear" {
	echo TLS=pop3s >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run py_pop ssl
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tls: TLSv1.2" ]
	[ "${lines[1]}" = "capa: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER UTF8" ]
	[ "${lines[2]}" = "+OK send PASS" ]
	[ "${lines[3]}" = "+OK 2 messages (104 octets)" ]
	[ "${lines[4]}" = "stat: (2, 104)" ]
	[ "${lines[5]}" = "+OK 55 octets From: b@example.org|Subject: two||Hello two.|.dot 55" ]
	[ "${lines[6]}" = "+OK message 1 deleted" ]
	[ "${lines[7]}" = "+OK 1 message deleted" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
}

@test "ops_tls: POP3S port says nothing in clear" {
	echo TLS=pop3s >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run pop_talk "$PORT"
	[ "$output" = "" ]
}

@test "ops_tls: STLS with python3 poplib stls(): offered before, not after" {
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run py_pop stls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "capa before: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL STLS TOP UIDL USER UTF8" ]
	[ "${lines[1]}" = "+OK begin TLS negotiation" ]
	[ "${lines[2]}" = "tls: TLSv1.2" ]
	[ "${lines[3]}" = "capa: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER UTF8" ]
	[ "${lines[4]}" = "+OK send PASS" ]
	[ "${lines[6]}" = "stat: (2, 104)" ]
	[ "${lines[7]}" = "+OK 55 octets From: b@example.org|Subject: two||Hello two.|.dot 55" ]
	[ "${lines[9]}" = "+OK 1 message deleted" ]
	wait_log '^pop3login: stls ip=127.0.0.1$'
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
}

@test "ops_tls: STLS with curl --ssl-reqd" {
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run curl -sS -k --ssl-reqd --max-time 10 "pop3://demo:secret@127.0.0.1:$PORT/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: b@example.org\r\nSubject: two\r\n\r\nHello two.\r\n.dot\r' ]
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=[a-z]* tls=yes result=ok$'
}

@test "ops_tls: a command pipelined after STLS is never answered in clear" {
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	# tlswrapper takes the injected bytes as the start of the handshake;
	# the handshake timeout (-T 2) then ends the connection.
	run pop_talk "$PORT" "STLS" "CAPA"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK begin TLS negotiation\r' ]
}

@test "ops_tls: refuse-cleartext (pop3login -s) holds before STLS and lifts after" {
	echo TLS=stls >>"$CONF"
	sed -i 's/^POP3LOGIN_OPTS=.*/POP3LOGIN_OPTS="-d 0 -s"/' "$CONF"
	"$POP3CTL" -f "$CONF" start
	run pop_talk "$PORT" "CAPA" "USER demo" "PASS secret" "AUTH PLAIN AGRlbW8Ac2VjcmV0" "APOP demo 0123456789abcdef0123456789abcdef" "STAT" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r
+OK capability list follows\r
TOP\r
UIDL\r
RESP-CODES\r
AUTH-RESP-CODE\r
PIPELINING\r
STLS\r
UTF8\r
IMPLEMENTATION pop3login\r
.\r
-ERR [AUTH] cleartext login refused: use STLS first\r
-ERR [AUTH] cleartext login refused: use STLS first\r
-ERR [AUTH] cleartext login refused: use STLS first\r
-ERR [AUTH] cleartext login refused: use STLS first\r
-ERR not logged in\r
+OK bye\r' ]
	! grep -q 'result=ok' "$D/log"
	run py_pop stls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "capa before: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES STLS TOP UIDL UTF8" ]
	[ "${lines[3]}" = "capa: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER UTF8" ]
	[ "${lines[6]}" = "stat: (2, 104)" ]
}

@test "ops_tls: refuse-cleartext set for one client network by a hostcheck rule" {
	echo TLS=stls >>"$CONF"
	printf 'trust 127.0.0.2 POP3_REQUIRE_TLS=1\ntrust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	sed -i 's/^LISTEN=.*/LISTEN=0/' "$CONF"
	"$POP3CTL" -f "$CONF" start
	# from 127.0.0.1: cleartext allowed
	run pop_talk "$PORT" "USER demo" "PASS secret" "QUIT"
	[ "${lines[2]}" = $'+OK 2 messages (104 octets)\r' ]
	# from 127.0.0.2: refused
	run python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(5); s.bind(('127.0.0.2', 0)); s.connect(('127.0.0.1', $PORT))
s.sendall(b'USER demo\r\nPASS secret\r\nQUIT\r\n')
out = b''
while True:
    b = s.recv(4096)
    if not b: break
    out += b
sys.stdout.write(out.decode())"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n-ERR [AUTH] cleartext login refused: use STLS first\r\n-ERR [AUTH] cleartext login refused: use STLS first\r\n+OK bye\r' ]
}

# start_ucspitls: the chain behind tests/ops_ucspitls.py, a stand-in for
# s6-ucspitlsd or sslserver's delayed mode (UCSPI-TLS: SSLCTLFD...).
start_ucspitls() {
	# shellcheck disable=SC2046
	python3 "$TESTS_DIR/ops_ucspitls.py" "$PORT" "$D/tls.pem" $(chain_argv) 2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$PORT"
}

@test "ops_tls: STLS over UCSPI-TLS (SSLCTLFD) with python3 poplib stls()" {
	start_ucspitls
	run py_pop stls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "capa before: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL STLS TOP UIDL USER UTF8" ]
	[ "${lines[1]}" = "+OK begin TLS negotiation" ]
	[ "${lines[2]}" = "tls: TLSv1.3" ]
	[ "${lines[3]}" = "capa: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER UTF8" ]
	[ "${lines[6]}" = "stat: (2, 104)" ]
	[ "${lines[7]}" = "+OK 55 octets From: b@example.org|Subject: two||Hello two.|.dot 55" ]
	[ "${lines[9]}" = "+OK 1 message deleted" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
}

@test "ops_tls: UCSPI-TLS with curl --ssl-reqd, and nothing pipelined after STLS is answered" {
	start_ucspitls
	run curl -sS -k --ssl-reqd --max-time 10 "pop3://demo:secret@127.0.0.1:$PORT/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: b@example.org\r\nSubject: two\r\n\r\nHello two.\r\n.dot\r' ]
	run pop_talk "$PORT" "STLS" "CAPA"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK begin TLS negotiation\r' ]
}

@test "ops_tls: the stunnel recipe of doc/tls.md: TLS 1.3 in front, PROXY header, hostcheck -p, pop3login -S" {
	# the backend exactly as doc/tls.md configures it, on a loopback port
	cat >>"$CONF" <<CONF
HOSTCHECK_OPTS="-p 127.0.0.1"
POP3LOGIN_OPTS="-d 0 -S"
CONF
	printf 'trust 127.0.0.0/8\nallow 192.0.2.0/24\ndeny default\n' >"$D/rules"
	"$POP3CTL" -f "$CONF" start
	front=$(free_port)
	python3 "$TESTS_DIR/ops_tlsproxy.py" "$front" "$D/tls.pem" "$PORT" 2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$front"
	PORT=$front run py_pop ssl
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tls: TLSv1.3" ]
	[ "${lines[1]}" = "capa: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER UTF8" ]
	[ "${lines[4]}" = "stat: (2, 104)" ]
	[ "${lines[7]}" = "+OK 1 message deleted" ]
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
	grep -q '^hostcheck: trust ip=127.0.0.1 port=[0-9]* proxy=127.0.0.1 ' "$D/log"
	# a client that reaches the backend directly, from the balancer's
	# address, without a header, is dropped: it is not taken for a session
	run python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', $PORT), timeout=5)
s.sendall(b'USER demo\r\n')
try:
    print(repr(s.recv(4096)))
except ConnectionResetError:
    print('reset')"
	[ "$output" = "b''" ] || [ "$output" = reset ]
	wait_log '^hostcheck: drop ip=127.0.0.1 proxy=bad reason=malformed$'
}
