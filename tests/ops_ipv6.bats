#!/usr/bin/env bats
# The chain over IPv6 loopback (::1), end to end: pop3ctl listening on
# ::1 and on :: (both families), tcpserver from ucspi-tcp-ipv6, xinetd
# and systemd socket activation, with real clients (curl, python3
# poplib) and the same session and assertions as over 127.0.0.1
# (tests/ops_chain.bats); hostcheck's IPv6 rules, pop3login's limits
# keyed by an IPv6 address, and the log lines with IPv6 addresses.

load helpers
load ops_helpers

setup() {
	have_chain
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback"
	chain_setup
	printf 'trust ::1\ntrust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	"$POP3_BIN/hostcheck-rules" "$D/rules" "$D/rules.cdb"
	POP_HOST=::1
}

teardown() {
	[ -z "${CONF:-}" ] || "$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
	ops_cleanup_users
}

# need_tcpserver6: the tcpserver on PATH takes IPv6 addresses (Debian's
# ucspi-tcp-ipv6; ucspi-tcp's binds IPv4 only).
need_tcpserver6() {
	case $(tcpserver 2>&1) in
	*"[ -4"*) ;;
	*) skip "tcpserver has no IPv6 (install ucspi-tcp-ipv6)" ;;
	esac
}

# listen ADDRESS [TCPSERVER_OPTS]: pop3ctl starts the chain on ADDRESS.
listen() {
	sed -i "s/^LISTEN=.*/LISTEN=$1/" "$CONF"
	[ -z "${2:-}" ] || echo "TCPSERVER_OPTS=\"$2\"" >>"$CONF"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ] || { echo "$output"; tail -n 5 "$D/log"; return 1; }
	[ "$output" = "pop3ctl: started pid $(head -n 1 "$D/pop3d.pid") on $1 port $PORT" ]
}

# refused_v4: nothing accepts on 127.0.0.1:PORT.
refused_v4() {
	python3 -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(0 if s.connect_ex(('127.0.0.1',$PORT)) else 1)"
}

@test "ops_ipv6: pop3ctl on ::1: the session byte for byte, status, and ip=::1 in every log line" {
	need_tcpserver6
	listen ::1
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $(head -n 1 "$D/pop3d.pid"), 0 sessions" ]
	session_ok "$PORT"
	refused_v4
	"$POP3CTL" -f "$CONF" stop
	grep -q '^hostcheck: trust ip=::1 port=[0-9]* dns=skipped match=address rule=1$' "$D/log"
	grep -q '^pop3login: login user=demo ip=::1 method=pass tls=no result=ok$' "$D/log"
	grep -q '^pop3d: end user=demo ip=::1 messages=2 octets=104 retrieved=1 sent=[0-9]* deleted=1 seconds=[0-9]* how=quit$' "$D/log"
	grep -q '^tcpserver: pid [0-9]* from ::1$' "$D/log"
	run "$POP3STATS" -n "$D/log"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[1]}" | awk '{ print $1, $2 }')" = "::/64 1" ]
}

@test "ops_ipv6: curl over [::1] lists, retrieves and deletes" {
	need_tcpserver6
	listen ::1
	url="pop3://demo:secret@[::1]:$PORT"
	run curl -gsS --max-time 10 "$url/"
	[ "$status" -eq 0 ]
	[ "$output" = $'1 49\r\n2 55\r' ]
	run curl -gsS --max-time 10 "$url/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: b@example.org\r\nSubject: two\r\n\r\nHello two.\r\n.dot\r' ]
	run curl -gsS --max-time 10 -X DELE -I "$url/1"
	[ "$status" -eq 0 ]
	run curl -gsS --max-time 10 "$url/"
	[ "$output" = $'1 55\r' ]
	[ -z "$(ls "$MAILDIR/new")" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
	wait_log '^pop3d: end user=demo ip=::1 .* deleted=1 '
}

@test "ops_ipv6: python3 poplib over ::1: stat, list, uidl, retr, dele, quit" {
	need_tcpserver6
	listen ::1
	run python3 - "$PORT" <<'PY'
import poplib, sys
p = poplib.POP3("::1", int(sys.argv[1]), timeout=10)
print(p.getwelcome().decode())
p.user("demo"); p.pass_("secret")
print(p.stat())
print(p.list()[1])
print(len(p.uidl()[1]))
print(p.retr(1)[1])
print(p.dele(2).decode())
print(p.quit().decode())
PY
	[ "$status" -eq 0 ]
	[ "$output" = "+OK pop.test POP3 server ready
(2, 104)
[b'1 49', b'2 55']
2
[b'From: a@example.org', b'Subject: one', b'', b'Hello one.']
+OK message 2 deleted
+OK 1 message deleted" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000000.1.host:2," ]
}

@test "ops_ipv6: pop3ctl on :: serves both families; an IPv4 client keeps its IPv4 address" {
	need_tcpserver6
	listen ::
	tr '\0' ' ' </proc/"$(head -n 1 "$D/pop3d.pid")"/cmdline | grep -q -- " -l pop.test ::0 $PORT "
	POP_HOST=127.0.0.1 run pop_talk "$PORT" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK bye\r' ]
	session_ok "$PORT"
	wait_log '^pop3d: end user=demo ip=::1 '
	grep -q '^hostcheck: trust ip=127.0.0.1 port=[0-9]* dns=skipped match=prefix rule=2$' "$D/log"
	grep -q '^pop3login: end ip=127.0.0.1 how=quit ' "$D/log"
	grep -q '^hostcheck: trust ip=::1 port=[0-9]* dns=skipped match=address rule=1$' "$D/log"
}

@test "ops_ipv6: tcpserver -6 hands IPv4 clients over as ::ffff:a.b.c.d, and the IPv4 rules still apply" {
	need_tcpserver6
	printf 'deny 127.0.0.2\ntrust ::1\ntrust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	listen :: "-v -R -H -D -6"
	POP_HOST=127.0.0.1 session_ok "$PORT"
	wait_log '^pop3d: end user=demo ip=::ffff:127.0.0.1 messages=2 '
	grep -q '^hostcheck: trust ip=127.0.0.1 port=[0-9]* dns=skipped match=prefix rule=3$' "$D/log"
	grep -q '^pop3login: login user=demo ip=::ffff:127.0.0.1 method=pass tls=no result=ok$' "$D/log"
	run python3 -c "
import socket
s = socket.socket(); s.settimeout(5); s.bind(('127.0.0.2', 0)); s.connect(('127.0.0.1', $PORT))
print(s.recv(100).decode().strip())"
	[ "$output" = "-ERR access denied" ]
	wait_log '^hostcheck: deny ip=127.0.0.2 port=[0-9]* dns=skipped match=address rule=1$'
}

@test "ops_ipv6: hostcheck denies and allows by IPv6 address and prefix" {
	need_tcpserver6
	printf 'deny ::1\ntrust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	listen ::
	run pop_talk "$PORT"
	[ "$output" = $'-ERR access denied\r' ]
	wait_log '^hostcheck: deny ip=::1 port=[0-9]* dns=skipped match=address rule=1$'
	POP_HOST=127.0.0.1 run pop_talk "$PORT" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK bye\r' ]
	# a prefix: ::/127 holds :: and ::1; the rules are read per connection
	printf 'allow ::/127\ndeny default\n' >"$D/rules"
	"$POP3CTL" -f "$CONF" reload
	session_ok "$PORT"
	grep -q '^hostcheck: allow ip=::1 port=[0-9]* dns=skipped match=prefix rule=1$' "$D/log"
	printf 'deny ::/127\nallow ::/0\n' >"$D/rules"
	"$POP3CTL" -f "$CONF" reload
	run pop_talk "$PORT"
	[ "$output" = $'-ERR access denied\r' ]
	wait_log '^hostcheck: deny ip=::1 port=[0-9]* dns=skipped match=prefix rule=1$'
}

@test "ops_ipv6: pop3login's failure limit keys an IPv6 client by address and keeps its state in a file" {
	need_tcpserver6
	printf 'trust ::1 FAILURES_PER_IP=2 POP3_LIMIT_DIR=%s\ndeny default\n' "$D/limits" >"$D/rules"
	mkdir -m 700 "$D/limits"
	listen ::1
	for i in 1 2; do
		run pop_talk "$PORT" "USER demo" "PASS wrong$i" "QUIT"
		[ "${lines[2]}" = $'-ERR [AUTH] authentication failed\r' ]
	done
	run pop_talk "$PORT" "USER demo" "PASS secret" "QUIT"
	[ "${lines[2]}" = $'-ERR [SYS/TEMP] temporary failure, try again later\r' ] || { echo "$output"; false; }
	wait_log '^pop3login: limit what=failures scope=ip user=demo ip=::1 max=2 window=900$'
	ls "$D/limits" | grep -q '^f\.[0-9a-f]\{16\}$'
	[ "$(cat "$D/limits"/f.* | grep -c '^[0-9]*$')" -eq 2 ]
}

@test "ops_ipv6: the session under xinetd on ::1 (flags = IPv6)" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	xinetd_conf "$D/xinetd.conf" ::1 IPv6
	xinetd -f "$D/xinetd.conf" -dontfork -pidfile "$D/xinetd.pid" -filelog "$D/xinetd.log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(socket.AF_INET6); s.settimeout(0.2); sys.exit(s.connect_ex(('::1',$PORT)))" && break
		sleep 0.05
	done
	session_ok "$PORT"
}

@test "ops_ipv6: the session under socket activation on [::1] (systemd Accept=yes)" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	# shellcheck disable=SC2046
	systemd-socket-activate -l "[::1]:$PORT" --inetd -a $(chain_argv) 2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(socket.AF_INET6); s.settimeout(0.2); sys.exit(s.connect_ex(('::1',$PORT)))" && break
		sleep 0.05
	done
	session_ok "$PORT"
	wait_log '^pop3d: end user=demo ip=::1 messages=2 '
	grep -q '^hostcheck: trust ip=::1 port=[0-9]* dns=skipped match=address rule=1$' "$D/log"
}
