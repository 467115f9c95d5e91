#!/usr/bin/env bats
# pop3login in the real chain: tcpserver -> pop3login -> checkpw -> mboxsplit
# -> pop3d, with a system user made by the test.  Shows that commands a
# client pipelines after PASS, in the same write, are answered by pop3d,
# and that python3 poplib and curl read the stored messages through it.
# Skipped only where the other links are not built.

load helpers

USER_NAME=plogin1
PASSWORD='secret word 1'

setup() {
	for prog in checkpw mboxsplit pop3d; do
		[ -x "$POP3_BIN/$prog" ] || skip "$prog not built"
	done
	make_user "$USER_NAME"
	# the user must reach its home: bats makes its run directory 0700
	local dir=$BATS_TEST_TMPDIR
	while [ "$dir" != / ] && [ "$dir" != /tmp ]; do
		chmod o+x "$dir"
		dir=$(dirname "$dir")
	done
	printf '%s:%s\n' "$USER_NAME" "$PASSWORD" | chpasswd
	HOMEDIR=$BATS_TEST_TMPDIR/home-$USER_NAME
	make_mbox "$HOMEDIR/mbox" 3
	chown "$USER_NAME:" "$HOMEDIR/mbox"
	chmod 600 "$HOMEDIR/mbox"
	# the links after checkpw run as the user, who may not reach the
	# build directory: they run from a copy it can reach
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	cp "$POP3_BIN/pop3login" "$POP3_BIN/checkpw" "$POP3_BIN/mboxsplit" "$POP3_BIN/pop3d" "$bin/"
	chmod 755 "$bin"
	PORT=$(free_port)
	start_tcpserver "$PORT" "$bin/pop3login" -d 0 mail.test \
		"$bin/checkpw" -s -m "$HOMEDIR/mbox" "$bin/mboxsplit" "$bin/pop3d"
}

teardown() {
	stop_started
	remove_users
}

@test "chain: USER, PASS, STAT, LIST, QUIT in one write all answered" {
	run python3 - "$PORT" "$USER_NAME" "$PASSWORD" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
	f = s.makefile("rb")
	assert f.readline() == b"+OK mail.test POP3 server ready\r\n"
	s.sendall(("USER %s\r\nPASS %s\r\nSTAT\r\nLIST\r\nQUIT\r\n" % (sys.argv[2], sys.argv[3])).encode())
	out = []
	while True:
	    line = f.readline()
	    if not line:
	        break
	    out.append(line)
	sys.stdout.write(b"".join(out).decode())
	PY
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'+OK send PASS\r' ]
	[[ ${lines[1]} == +OK* ]]
	[[ ${lines[2]} == '+OK 3 '* ]]
	[[ ${lines[3]} == +OK* ]]
	[[ ${lines[4]} == '1 '* ]] && [[ ${lines[6]} == '3 '* ]]
	[ "${lines[7]}" = $'.\r' ]
	[[ ${lines[8]} == +OK* ]]
	[ "${#lines[@]}" -eq 9 ]
}

@test "chain: python3 poplib retrieves the stored message, a wrong password is refused" {
	python3 - "$PORT" "$USER_NAME" "$PASSWORD" <<-'PY'
	import poplib, sys
	port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	p = poplib.POP3("127.0.0.1", port, timeout=10)
	p.user(user)
	try:
	    p.pass_("not it")
	    raise SystemExit("wrong password accepted")
	except poplib.error_proto as e:
	    assert e.args[0] == b"-ERR [AUTH] authentication failed", e
	p.user(user)
	p.pass_(password)
	assert p.stat()[0] == 3
	lines = p.retr(2)[1]
	assert b"Subject: message 2" in lines, lines
	assert b"This is message 2." in lines, lines
	p.quit()
	PY
}

@test "chain: curl with AUTH PLAIN lists the messages" {
	run curl -sS --max-time 10 -u "$USER_NAME:$PASSWORD" "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == '1 '* ]]
}
