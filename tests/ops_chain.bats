#!/usr/bin/env bats
# The same POP3 session, byte for byte, under each way of listening:
# pop3ctl (tcpserver), tcpserver by hand, xinetd with a private
# configuration, and systemd-style socket activation (Accept=yes).

load helpers
load ops_helpers

setup() {
	have_chain
	chain_setup
}

teardown() {
	[ -z "${CONF:-}" ] || "$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
	ops_cleanup_users
	rm -f "/var/mail/$OPS_MBOX_USER" "/var/mail/$OPS_MBOX_USER.lock"
}

@test "ops_chain: session under pop3ctl, and its log lines" {
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	session_ok "$PORT"
	"$POP3CTL" -f "$CONF" stop
	grep -q '^hostcheck: trust ip=127.0.0.1 ' "$D/log"
	grep -q '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=no result=ok$' "$D/log"
	grep -q '^pop3d: end user=demo ip=127.0.0.1 messages=2 octets=104 retrieved=1 sent=[0-9]* deleted=1 seconds=[0-9]* how=quit$' "$D/log"
	! grep -q secret "$D/log"
	sent=$(sed -n 's/^pop3d: end .* sent=\([0-9]*\) .*/\1/p' "$D/log")
	run "$POP3STATS" -u "$D/log"
	[ "${lines[1]}" = "$(printf '%-32s %8d %8d %8d %12d' demo 1 0 1 "$sent")" ]
}

@test "ops_chain: pop3stats counts a refused login and a denied host" {
	printf 'deny 127.0.0.2\ntrust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	sed -i 's/^LISTEN=.*/LISTEN=0/' "$CONF"
	"$POP3CTL" -f "$CONF" start
	run pop_talk "$PORT" "USER demo" "PASS wrong" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r' ]
	python3 -c "
import socket
s = socket.socket(); s.settimeout(5); s.bind(('127.0.0.2', 0)); s.connect(('127.0.0.1', $PORT))
while s.recv(4096): pass"
	"$POP3CTL" -f "$CONF" stop
	wait_log '^hostcheck: deny ip=127.0.0.2 '
	run "$POP3STATS" -n "$D/log"
	[ "${lines[1]}" = "127.0.0.0/24                            0        1        0            0        1" ]
}

@test "ops_chain: session under tcpserver started by hand" {
	# shellcheck disable=SC2046
	start_tcpserver "$PORT" $(chain_argv)
	session_ok "$PORT"
}

@test "ops_chain: session under xinetd with a private configuration" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	xinetd_conf "$D/xinetd.conf" 127.0.0.1
	xinetd -f "$D/xinetd.conf" -dontfork -pidfile "$D/xinetd.pid" -filelog "$D/xinetd.log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$PORT"
	session_ok "$PORT"
}

@test "ops_chain: session under socket activation, one process per connection (systemd Accept=yes)" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	# shellcheck disable=SC2046
	systemd-socket-activate -l "127.0.0.1:$PORT" --inetd -a $(chain_argv) 2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$PORT"
	session_ok "$PORT"
}

@test "ops_chain: the shipped unit and inetd lines name the same chain" {
	grep -q '^Accept=yes$' "$TESTS_DIR/../scripts/systemd/pop3d.socket"
	grep -q '^StandardInput=socket$' "$TESTS_DIR/../scripts/systemd/pop3d@.service"
	for f in "$TESTS_DIR/../scripts/systemd/pop3d@.service" "$TESTS_DIR/../scripts/inetd.conf" "$TESTS_DIR/../scripts/xinetd/pop3"; do
		grep -q 'pop3login mail.example.org.*checkpw -g mail.*mboxsplit.*pop3d' "$f"
	done
	if command -v systemd-analyze >/dev/null; then
		cp "$TESTS_DIR/../scripts/systemd/pop3d.socket" "$TESTS_DIR/../scripts/systemd/pop3d@.service" "$D/"
		run systemd-analyze verify "$D/pop3d.socket"
		! echo "$output" | grep -i 'unknown\|invalid'
	fi
}

@test "ops_chain: pop3trace records a traced user's session and changes no byte of it" {
	[ -x "$POP3_BIN/pop3trace" ] || skip "pop3trace not built"
	mkdir -p "$D/traces/demo" "$D/traces/other"
	chown "$OPS_USER" "$D/traces/demo"
	echo "TRACE_DIR=$D/traces" >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	session_ok "$PORT"
	"$POP3CTL" -f "$CONF" stop
	f=$(ls "$D/traces/demo")
	[[ "$f" =~ ^[0-9]{8}T[0-9]{6}Z\.[0-9]+$ ]]
	[ "$(stat -c '%U %a' "$D/traces/demo/$f")" = "$OPS_USER 600" ]
	run sed 's/^[0-9]*\.[0-9]* //' "$D/traces/demo/$f"
	[ "${lines[0]}" = "# pop3trace user=demo ip=127.0.0.1 pid=${f##*.}" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | grep '^C: ')" = "C: STAT
C: LIST
C: RETR 2
C: DELE 1
C: QUIT" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | grep '^S: ')" = "S: +OK 2 messages (104 octets)
S: +OK 2 104
S: +OK 2 messages (104 octets)
S: +OK 55 octets
S: +OK message 1 deleted
S: +OK 1 message deleted" ]
	[[ "${lines[12]}" =~ ^end\ client_octets=34\ server_octets=[0-9]+$ ]]
	grep -q "^pop3trace: trace user=demo pid=" "$D/log"
	[ -z "$(ls "$D/traces/other")" ]
}

@test "ops_chain: pop3trace leaves untraced users alone and ignores a directory the user does not own" {
	[ -x "$POP3_BIN/pop3trace" ] || skip "pop3trace not built"
	mkdir -p "$D/traces/demo"   # root's, not the user's
	echo "TRACE_DIR=$D/traces" >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	session_ok "$PORT"
	"$POP3CTL" -f "$CONF" stop
	[ -z "$(ls "$D/traces/demo")" ]
	grep -q "^pop3trace: skip user=demo why=\"$D/traces/demo is not the user's\"$" "$D/log"
}

@test "ops_chain: pop3ctl stop leaves a session in progress to finish, deletions included" {
	"$POP3CTL" -f "$CONF" start
	run python3 - "$PORT" "$POP3CTL" "$CONF" <<'PY'
import socket, subprocess, sys
port, ctl, conf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
f = s.makefile("rb")
def send(line):
    s.sendall(line.encode() + b"\r\n")
    return f.readline().decode().rstrip("\r\n")
print(f.readline().decode().rstrip("\r\n"))
print(send("USER demo"))
print(send("PASS secret"))
print(subprocess.run([ctl, "-f", conf, "status"], capture_output=True, text=True).stdout.strip().split(", ")[-1])
print(subprocess.run([ctl, "-f", conf, "stop"], capture_output=True, text=True).stdout.strip().split(" pid ")[0])
print(send("DELE 1"))
print(send("QUIT"))
PY
	[ "$status" -eq 0 ]
	[ "$output" = "+OK pop.test POP3 server ready
+OK send PASS
+OK 2 messages (104 octets)
1 sessions
pop3ctl: stopped
+OK message 1 deleted
+OK 1 message deleted" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
	port_closed "$PORT"
}

@test "ops_chain: the default chain (system password, checkpw -g mail, mboxsplit, /var/mail) under pop3ctl" {
	[ -d /var/mail ] || skip "no /var/mail"
	local u=$OPS_MBOX_USER
	make_user "$u"
	echo "$u:Secret-7" | chpasswd
	make_mbox "/var/mail/$u" 3
	chown "$u:mail" "/var/mail/$u"
	chmod 660 "/var/mail/$u"
	sed -i -e '/^USERS=/d' -e '/^CHECKPW_OPTS=/d' -e '/^EXPOSER=/d' "$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	echo "${lines[1]}" | grep -q " $POP3_BIN/checkpw -g mail $POP3_BIN/mboxsplit $POP3_BIN/pop3d$"
	"$POP3CTL" -f "$CONF" start
	run pop_talk "$PORT" "USER $u" "PASS Secret-7" "STAT" "DELE 1" "QUIT"
	cp "/var/mail/$u" "$D/after"
	rm -f "/var/mail/$u" "/var/mail/$u.lock"
	[ "${lines[0]}" = $'+OK pop.test POP3 server ready\r' ]
	# 3 messages of 7 lines, 124 octets with LF, 131 with CR LF
	[ "${lines[2]}" = $'+OK 3 messages (393 octets)\r' ]
	[ "${lines[3]}" = $'+OK 3 393\r' ]
	[ "${lines[4]}" = $'+OK message 1 deleted\r' ]
	[ "${lines[5]}" = $'+OK bye, 1 message deleted\r' ]
	[ "$(grep -c '^From ' "$D/after")" -eq 2 ]
	! grep -q '^Subject: message 1$' "$D/after"
	grep -q "^pop3d: end user=$u ip=127.0.0.1 messages=3 " "$D/log"
}
