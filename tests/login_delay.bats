#!/usr/bin/env bats
# LOGIN-DELAY enforced (RFC 2449 6.8; doc/pop3login.8, checkpw(8)): a
# hostcheck rule sets LOGIN_DELAY, pop3login advertises it in CAPA and
# checkpw refuses a login sooner than that after the user's last one,
# once the password is known right.  Over loopback through the real
# chain: tcpserver -> hostcheck -> pop3login -> checkpw -> mboxsplit ->
# pop3d, with a system user made by the test and the state in the
# test's own POP3_LIMIT_DIR (tests/helpers.bash).  Also checkpw -e, the
# per-user settings that set LOGIN_DELAY, EXPIRE and UIDL_FORMAT per user.

load helpers

USER_NAME=pdelay1
PASSWORD='delay word 1'

setup() {
	chain_user "$USER_NAME" "$PASSWORD" 2
}

teardown() {
	stop_started
	remove_users
}

# login FROM PASSWORD: one connection from loopback address FROM, USER
# and PASS, then STAT and QUIT when it got in; prints the answers.
login() {
	python3 - "$PORT" "$1" "$USER_NAME" "$2" <<-'PY'
	import socket, sys
	port, src, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
	s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
	f = s.makefile("rb")
	assert f.readline() == b"+OK mail.test POP3 server ready\r\n"
	s.sendall(("USER %s\r\nPASS %s\r\n" % (user, password)).encode())
	assert f.readline() == b"+OK send PASS\r\n"
	answer = f.readline().decode().rstrip("\r\n")
	print(answer)
	if answer.startswith("+OK"):
	    s.sendall(b"STAT\r\n")
	    print(f.readline().decode().rstrip("\r\n"))
	s.sendall(b"QUIT\r\n")
	f.readline()
	PY
}

delay_lines() {
	grep -c 'checkpw: limit what=login_delay user=pdelay1 ip=127.0.0.1 delay=' \
		"$BATS_TEST_TMPDIR/log" || true
}

@test "LOGIN_DELAY=3: CAPA says it, a second login with the right password is refused [LOGIN-DELAY], the mailbox untouched, then the delay passes" {
	serve_rules 'allow 127.0.0.1 LOGIN_DELAY=3\nallow default\n'
	# curl, a real client, gets in and lists both messages
	run curl -s "pop3://$USER_NAME:$(printf %s "$PASSWORD" | sed 's/ /%20/g')@127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	run python3 -c '
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
print(p.capa().get("LOGIN-DELAY"))
p.quit()' "$PORT"
	[ "$output" = "['3']" ]
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = "-ERR [LOGIN-DELAY] too soon after the last login" ]
	# curl hears the refusal as a failed login, exit 67
	run curl -s "pop3://$USER_NAME:$(printf %s "$PASSWORD" | sed 's/ /%20/g')@127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	grep -q "login user=pdelay1 ip=127.0.0.1 method=pass tls=no result=delay" "$BATS_TEST_TMPDIR/log"
	[ "$(delay_lines)" -eq 2 ]
	# nothing of the mailbox changed, and no refusal moved the delay on
	[ "$(grep -c '^From ' "$HOMEDIR/mbox")" -eq 2 ]
	sleep 3.2
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[0]}" = "+OK "* ]]
	[[ "${lines[1]}" = "+OK 2 "* ]]
}

@test "LOGIN_DELAY: a wrong password within the delay is a plain [AUTH] failure, telling nothing; another address's rule without it is not held" {
	serve_rules 'allow 127.0.0.1 LOGIN_DELAY=30\nallow default\n'
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	run login 127.0.0.1 'not the password'
	[ "$output" = "-ERR [AUTH] authentication failed" ]
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = "-ERR [LOGIN-DELAY] too soon after the last login" ]
	# the rule for 127.0.0.2 sets no delay: the same user gets in there
	run login 127.0.0.2 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	grep -q 'checkpw: limit what=login_delay user=pdelay1 ip=127.0.0.1 delay=30 wait=' "$BATS_TEST_TMPDIR/log"
	! grep -q 'login_delay user=pdelay1 ip=127.0.0.2' "$BATS_TEST_TMPDIR/log"
}

@test "LOGIN_DELAY: of two logins at the same moment exactly one gets in" {
	serve_rules 'allow default LOGIN_DELAY=30\n'
	run python3 - "$PORT" "$USER_NAME" "$PASSWORD" <<-'PY'
	import socket, sys, threading
	port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	conns = []
	for i in range(2):
	    s = socket.create_connection(("127.0.0.1", port), timeout=10)
	    f = s.makefile("rb")
	    assert f.readline().startswith(b"+OK")
	    s.sendall(("USER %s\r\n" % user).encode())
	    assert f.readline() == b"+OK send PASS\r\n"
	    conns.append((s, f))
	answers = [None, None]
	go = threading.Barrier(2)
	def attempt(i):
	    s, f = conns[i]
	    go.wait()
	    s.sendall(("PASS %s\r\n" % password).encode())
	    answers[i] = f.readline()
	threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
	for t in threads: t.start()
	for t in threads: t.join()
	for s, f in conns:
	    s.sendall(b"QUIT\r\n")
	print(sorted(a.split(b" ")[0] + b" " + a.split(b" ")[1] for a in answers))
	PY
	echo "$output"
	[ "$output" = "[b'+OK 2', b'-ERR [LOGIN-DELAY]']" ]
}

@test "LOGIN_DELAY: the state file lost loses only the policy; a state directory others may write is not used, and logins go on" {
	serve_rules 'allow default LOGIN_DELAY=30\n'
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	files=$(ls "$POP3_LIMIT_DIR" | grep -c '^d\.')
	[ "$files" -eq 1 ]
	grep -q " $USER_NAME\$" "$POP3_LIMIT_DIR"/d.*
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = "-ERR [LOGIN-DELAY] too soon after the last login" ]
	rm "$POP3_LIMIT_DIR"/d.*
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	chmod 777 "$POP3_LIMIT_DIR"
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	grep -q 'error op=limits dir=.* reason="not owned by us alone"' "$BATS_TEST_TMPDIR/log"
	chmod 700 "$POP3_LIMIT_DIR"
}

@test "LOGIN_DELAY that is no number: no greeting, the connection closed, a clear line in the log" {
	serve_rules 'allow default LOGIN_DELAY=soon\n'
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
print(repr(s.makefile("rb").read()))' "$PORT"
	[ "$output" = "b''" ]
	grep -q 'pop3login: fatal: bad LOGIN_DELAY: soon' "$BATS_TEST_TMPDIR/log"
}

@test "pop3login -L 30 without a rule's variable: advertised and enforced alike" {
	serve_rules 'allow default\n' -L 30
	run login 127.0.0.1 "$PASSWORD"
	[[ "${lines[1]}" = "+OK 2 "* ]]
	run login 127.0.0.1 "$PASSWORD"
	[ "$output" = "-ERR [LOGIN-DELAY] too soon after the last login" ]
	grep -q 'checkpw: limit what=login_delay user=pdelay1 ip=127.0.0.1 delay=30 wait=' "$BATS_TEST_TMPDIR/log"
}

# session PASSWORD CMD...: logs in and plays the commands; prints the
# first line of every answer.
session() {
	python3 - "$PORT" "$USER_NAME" "$@" <<-'PY'
	import poplib, sys
	port, user, password, cmds = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
	p = poplib.POP3("127.0.0.1", port, timeout=10)
	p.user(user)
	try:
	    print(p.pass_(password).decode())
	except poplib.error_proto as e:
	    print(e.args[0].decode())
	    sys.exit(0)
	for c in cmds:
	    if c == "CAPA":
	        print(sorted((k + " " + " ".join(v)).strip() for k, v in p.capa().items()))
	    elif c.startswith("RETR"):
	        print(p.retr(int(c.split()[1]))[0].decode())
	    elif c == "QUIT":
	        print(p.quit().decode())
	PY
}

@test "checkpw -e: the user's LOGIN_DELAY and EXPIRE win over the rule's; after login CAPA says the user's" {
	mkdir -p "$BATS_TEST_TMPDIR/settings"
	printf '# this user fetches too often\nLOGIN_DELAY=30\nEXPIRE=0\n' >"$BATS_TEST_TMPDIR/settings/$USER_NAME"
	CHECKPW_OPTS="-e $BATS_TEST_TMPDIR/settings" serve_rules 'allow default LOGIN_DELAY=0 EXPIRE=NEVER\n'
	run session "$PASSWORD" CAPA "RETR 1" QUIT
	[ "${lines[1]}" = "['EXPIRE 0', 'IMPLEMENTATION pop3d', 'LOGIN-DELAY 30', 'PIPELINING', 'RESP-CODES', 'TOP', 'UIDL']" ]
	[ "${lines[3]}" = "+OK bye, 1 message deleted" ]
	[ "$(grep -c '^From ' "$HOMEDIR/mbox")" -eq 1 ]
	run session "$PASSWORD" QUIT
	[ "$output" = "-ERR [LOGIN-DELAY] too soon after the last login" ]
	# without the file the rule's values hold again
	rm "$BATS_TEST_TMPDIR/settings/$USER_NAME"
	run session "$PASSWORD" "RETR 1" QUIT
	[ "${lines[2]}" = "+OK bye, nothing deleted" ]
}

@test "checkpw -e: a line it does not know is logged with its number and ignored; a settings file it cannot read holds the login back" {
	mkdir -p "$BATS_TEST_TMPDIR/settings"
	printf 'EXPIRE=0\nHOME=/tmp\nno equals sign\n' >"$BATS_TEST_TMPDIR/settings/$USER_NAME"
	CHECKPW_OPTS="-e $BATS_TEST_TMPDIR/settings" serve_rules 'allow default\n'
	run session "$PASSWORD" "RETR 1" QUIT
	[ "${lines[2]}" = "+OK bye, 1 message deleted" ]
	grep -q "checkpw: uservars file=$BATS_TEST_TMPDIR/settings/$USER_NAME line=2 ignored=HOME=/tmp" "$BATS_TEST_TMPDIR/log"
	grep -q "line=3 ignored=\"no equals sign\"" "$BATS_TEST_TMPDIR/log"
	rm "$BATS_TEST_TMPDIR/settings/$USER_NAME"
	mkdir "$BATS_TEST_TMPDIR/settings/$USER_NAME"
	run session "$PASSWORD" QUIT
	[ "$output" = "-ERR [SYS/TEMP] temporary failure, try again later" ]
	[ "$(grep -c '^From ' "$HOMEDIR/mbox")" -eq 1 ]
}
