#!/usr/bin/env bats
# pop3login's SASL mechanisms beyond PLAIN and UTF-8 user names: AUTH
# LOGIN (transcripts with the test checker, a raw socket, curl through
# the real chain to a virtual user of checkpw); UTF8 (RFC 6856) with
# python3 poplib; CRAM-MD5 (pop3login -C) with curl, fetchmail and mpop
# against virtual users with a plain and a hashed secret and a system
# user; OAUTHBEARER and XOAUTH2 (-O) with curl, mpop and a raw socket.

load helpers
load transcripts/login/lib

CLIENT=$BATS_TEST_DIRNAME/transcripts/login/client.py
CHECKER=$BATS_TEST_DIRNAME/transcripts/login/checker
VUID=5071

teardown() {
	stop_started
	remove_users
}

# chain OPTIONS...: pop3login OPTIONS -> checkpw -v -s -> mboxsplit ->
# pop3d on a free port, for the virtual users joe@v.example (uid $VUID,
# a plain secret, three messages) and ann@v.example (a hashed secret),
# then system users.
chain() {
	for prog in checkpw vusers-make mboxsplit pop3d; do
		[ -x "$POP3_BIN/$prog" ] || skip "$prog not built"
	done
	local v=$BATS_TEST_TMPDIR/v bin=$BATS_TEST_TMPDIR/bin dir=$BATS_TEST_TMPDIR
	while [ "$dir" != / ] && [ "$dir" != /tmp ]; do
		chmod o+x "$dir"
		dir=$(dirname "$dir")
	done
	mkdir -p "$v/joe" "$bin"
	make_mbox "$v/joe/mbox" 3
	chown -R "$VUID:$VUID" "$v/joe"
	chmod 600 "$v/joe/mbox"
	printf 'joe:%s:%s:%s::{plain}tan staaf\n' "$VUID" "$VUID" "$v/joe" >"$v/v.example.src"
	printf 'ann:%s:%s:%s::%s\n' "$VUID" "$VUID" "$v/joe" \
		"$(printf 'ann pw\n' | "$POP3_BIN/vusers-make" -h '$6$')" >>"$v/v.example.src"
	"$POP3_BIN/vusers-make" "$v/v.example.src" "$v/v.example.cdb" 2>/dev/null
	cp "$POP3_BIN/pop3login" "$POP3_BIN/checkpw" "$POP3_BIN/mboxsplit" "$POP3_BIN/pop3d" "$bin/"
	chmod 755 "$bin"
	PORT=$(free_port)
	start_tcpserver "$PORT" "$bin/pop3login" -d 0 "$@" mail.test \
		"$bin/checkpw" -v "$v/%d.cdb" -s -m '%h/mbox' "$bin/mboxsplit" "$bin/pop3d"
}

serve() {
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login "$@" mail.test "$CHECKER"
}

GREETING='+OK mail.test POP3 server ready\r\n'

@test "transcript: AUTH LOGIN prompts, cancel, initial response" { run_transcript auth_login; }
@test "transcript: AUTH LOGIN refusals" { run_transcript auth_login_bad; }

@test "LOGIN: the credentials block is user\\0password\\0\\0, method=login" {
	printf 'AUTH LOGIN Z29vZA==\r\nc2VjcmV0IHdvcmQ=\r\nQUIT\r\n' |
		CRED_SAVE=$BATS_TEST_TMPDIR/cred TCPREMOTEIP=192.0.2.7 \
		pop3login -d 0 mail.test "$CHECKER" >/dev/null 2>"$BATS_TEST_TMPDIR/log"
	printf 'good\0secret word\0\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	grep -qx 'pop3login: login user=good ip=192.0.2.7 method=login tls=no result=ok' \
		"$BATS_TEST_TMPDIR/log"
}

@test "socket: AUTH LOGIN, * cancels, then a login through the privilege split" {
	serve -d 0
	python3 "$CLIENT" "$PORT" "r:$GREETING" \
		's:AUTH LOGIN\r\n' 'r:+ VXNlcm5hbWU6\r\n' 's:*\r\n' 'r:-ERR authentication cancelled\r\n' \
		's:AUTH LOGIN\r\n' 'r:+ VXNlcm5hbWU6\r\n' 's:Z29vZA==\r\n' 'r:+ UGFzc3dvcmQ6\r\n' \
		's:*\r\n' 'r:-ERR authentication cancelled\r\n' \
		's:AUTH LOGIN Z29vZA==\r\n' 'r:+ UGFzc3dvcmQ6\r\n' 's:c2VjcmV0IHdvcmQ=\r\n' \
		'r:+OK logged in\r\n' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
}

@test "socket: an overlong AUTH LOGIN answer ends the exchange" {
	serve -d 0
	long=$(head -c 1200 /dev/zero | tr '\0' 'A')
	python3 "$CLIENT" "$PORT" "r:$GREETING" \
		's:AUTH LOGIN\r\n' 'r:+ VXNlcm5hbWU6\r\n' "s:$long\\r\\n" 'r:-ERR line too long\r\n' \
		's:Z29vZA==\r\n' 'r:-ERR unknown command\r\n' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
}

@test "-s: AUTH LOGIN is refused in cleartext and not offered" {
	serve -d 0 -s
	python3 "$CLIENT" "$PORT" "r:$GREETING" \
		's:AUTH LOGIN\r\n' 'r:-ERR [AUTH] cleartext login refused: use STLS first\r\n' \
		's:AUTH\r\n' 'r:+OK mechanisms follow\r\n.\r\n' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
}

@test "chain: curl AUTH=LOGIN to a virtual user lists the messages; a wrong password fails" {
	chain
	run curl -sS --max-time 10 --login-options AUTH=LOGIN -u 'joe@v.example:tan staaf' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == '1 '* ]]
	wait_log 'pop3login: login user=joe@v.example ip=127.0.0.1 method=login tls=no result=ok'
	run curl -sS --max-time 10 --login-options AUTH=LOGIN -u 'joe@v.example:tan staa' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ] # CURLE_LOGIN_DENIED
	wait_log 'method=login tls=no result=refused'
}

@test "UTF8: poplib's utf8(), then a UTF-8 name reaches the checker as sent" {
	PORT=$(free_port)
	CRED_SAVE=$BATS_TEST_TMPDIR/cred start_tcpserver "$PORT" pop3login -d 0 mail.test "$CHECKER"
	python3 - "$PORT" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	assert p.capa()["UTF8"] == ["USER"], p.capa()
	try:
	    p.user("jörg")
	    raise SystemExit("UTF-8 name taken before UTF8")
	except poplib.error_proto as e:
	    assert e.args[0] == b"-ERR [AUTH] non-ASCII user name: send UTF8 first", e
	assert p.utf8() == b"+OK UTF8 enabled"
	assert p.user("jörg") == b"+OK send PASS"
	try:
	    p.pass_("pässword")
	    raise SystemExit("accepted")
	except poplib.error_proto as e:
	    assert e.args[0] == b"-ERR [AUTH] authentication failed", e
	p.sock.sendall(b"USER j\xc0\xb6rg\r\n")
	assert p._getline()[0] == b"-ERR [AUTH] user name is not valid UTF-8"
	p.quit()
	PY
	printf 'j\303\266rg\0p\303\244ssword\0\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	wait_log 'pop3login: login user=j\\xc3\\xb6rg ip=127.0.0.1 method=pass tls=no result=refused'
}

@test "UTF8: checkpw refuses a UTF-8 name cleanly (its names are ASCII)" {
	chain
	python3 - "$PORT" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	p.utf8()
	p.user("jöe@v.example")
	try:
	    p.pass_("tan staaf")
	    raise SystemExit("accepted")
	except poplib.error_proto as e:
	    assert e.args[0] == b"-ERR [AUTH] authentication failed", e
	p.quit()
	PY
	wait_log 'checkpw: user=j\\xc3\\xb6e@v.example ip=127.0.0.1 backend=- result=refuse why=badname'
}

@test "CRAM-MD5: offered only with -C" {
	serve -d 0
	python3 "$CLIENT" "$PORT" "r:$GREETING" 's:AUTH CRAM-MD5\r\n' \
		'r:-ERR unsupported mechanism\r\n' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
}

@test "chain: curl AUTH=CRAM-MD5 to a virtual user with a plain secret; a wrong one fails" {
	chain -C
	run curl -sS --max-time 10 --login-options AUTH=CRAM-MD5 -u 'joe@v.example:tan staaf' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == '1 '* ]]
	wait_log 'pop3login: login user=joe@v.example ip=127.0.0.1 method=cram-md5 tls=no result=ok'
	wait_log 'checkpw: user=joe@v.example ip=127.0.0.1 backend=virtual result=accept why=ok'
	run curl -sS --max-time 10 --login-options AUTH=CRAM-MD5 -u 'joe@v.example:tan staa' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	wait_log 'checkpw: user=joe@v.example ip=127.0.0.1 backend=virtual result=refuse why=badpass'
	! grep -q 'tan sta' "$BATS_TEST_TMPDIR/log"
}

@test "chain: CRAM-MD5 refused cleanly for a hashed secret and a system user" {
	chain -C
	make_user pcram1
	printf 'pcram1:%s\n' 'sys pw' | chpasswd
	run curl -sS --max-time 10 --login-options AUTH=CRAM-MD5 -u 'ann@v.example:ann pw' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	wait_log 'checkpw: user=ann@v.example ip=127.0.0.1 backend=virtual result=refuse why=cram-needs-plain'
	run curl -sS --max-time 10 --login-options AUTH=CRAM-MD5 -u 'pcram1:sys pw' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	wait_log 'checkpw: user=pcram1 ip=127.0.0.1 backend=system result=refuse why=cram-needs-plain'
	# the same users with a password still log in, over the same chain
	run curl -sS --max-time 10 --login-options AUTH=PLAIN -u 'ann@v.example:ann pw' \
		"pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "CRAM-MD5: the challenge is <...@hostname>, the block carries it and the method" {
	PORT=$(free_port)
	CRED_SAVE=$BATS_TEST_TMPDIR/cred start_tcpserver "$PORT" pop3login -d 0 -C mail.test "$CHECKER"
	python3 - "$PORT" "$BATS_TEST_TMPDIR/want" <<-'PY'
	import base64, hmac, hashlib, socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
	f = s.makefile("rb")
	f.readline()
	s.sendall(b"AUTH CRAM-MD5\r\n")
	line = f.readline()
	assert line.startswith(b"+ "), line
	challenge = base64.b64decode(line[2:].strip())
	assert challenge.startswith(b"<") and challenge.endswith(b"@mail.test>"), challenge
	digest = hmac.new(b"secret word", challenge, hashlib.md5).hexdigest()
	s.sendall(base64.b64encode(b"good " + digest.upper().encode()) + b"\r\n")
	with open(sys.argv[2], "wb") as want:
	    want.write(b"good\0" + digest.encode() + b"\0" + challenge + b"\0cram-md5\0")
	# the test checker knows no CRAM-MD5: it takes the HMAC for a password
	assert f.readline() == b"-ERR [AUTH] authentication failed\r\n"
	s.sendall(b"QUIT\r\n")
	assert f.readline() == b"+OK bye\r\n"
	PY
	wait_log 'pop3login: login user=good ip=127.0.0.1 method=cram-md5 tls=no result=refused'
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/cred"
}

@test "OAuth (-O): OAUTHBEARER (curl) and XOAUTH2 hand the token and the method to the checker" {
	PORT=$(free_port)
	CRED_SAVE=$BATS_TEST_TMPDIR/cred start_tcpserver "$PORT" pop3login -d 0 -O mail.test "$CHECKER"
	run curl -sS --max-time 10 --login-options AUTH=OAUTHBEARER -u good: \
		--oauth2-bearer 'tok.en-1~/+' "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	printf 'good\0tok.en-1~/+\0\0oauthbearer\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	wait_log 'pop3login: login user=good ip=127.0.0.1 method=oauthbearer tls=no result=refused'
	# curl picks OAUTHBEARER whenever it is offered: XOAUTH2 by hand
	xo=$(printf 'user=good\001auth=Bearer tok2\001\001' | base64 -w0)
	python3 "$CLIENT" "$PORT" "r:$GREETING" "s:AUTH XOAUTH2 $xo\\r\\n" \
		'r:-ERR [AUTH] authentication failed\r\n' 's:QUIT\r\n' 'r:+OK bye\r\n' eof
	printf 'good\0tok2\0\0xoauth2\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	wait_log 'method=xoauth2 tls=no result=refused'
}

@test "OAuth: checkpw refuses a token (it cannot ask the issuer)" {
	chain -O
	run curl -sS --max-time 10 --login-options AUTH=OAUTHBEARER -u joe@v.example: \
		--oauth2-bearer 'tok' "pop3://127.0.0.1:$PORT/"
	[ "$status" -eq 67 ]
	wait_log 'checkpw: user=joe@v.example ip=127.0.0.1 backend=- result=refuse why=method'
}

# fetched CLIENT: mail the client delivered, one message per "From ".
fetched() {
	grep -c '^Subject: message ' "$BATS_TEST_TMPDIR/out" 2>/dev/null || echo 0
}

@test "chain: fetchmail --auth cram-md5 fetches a virtual user's mail; a wrong secret fails" {
	chain -C
	rc=$BATS_TEST_TMPDIR/fetchmailrc
	for pw in 'tan staa' 'tan staaf'; do
		printf 'set no syslog\npoll 127.0.0.1 protocol pop3 port %s auth cram-md5 timeout 20\n  user "joe@v.example" there with password "%s" is root here keep\n  mda "cat >>%s"\n  sslproto %s\n' \
			"$PORT" "$pw" "$BATS_TEST_TMPDIR/out" "''" >"$rc"
		chmod 600 "$rc"
		run env HOME=$BATS_TEST_TMPDIR timeout 60 fetchmail -f "$rc" --nosyslog
		# fetchmail's exit 3: authentication failed
		[ "$pw" = 'tan staaf' ] || [ "$status" -eq 3 ]
	done
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	wait_log 'checkpw: user=joe@v.example ip=127.0.0.1 backend=virtual result=refuse why=badpass'
	wait_log 'pop3login: login user=joe@v.example ip=127.0.0.1 method=cram-md5 tls=no result=ok'
}

@test "chain: mpop --auth=cram-md5 fetches a virtual user's mail; mpop --auth=oauthbearer hands its token to the checker" {
	chain -C
	: >"$BATS_TEST_TMPDIR/out"
	run timeout 60 mpop -C /dev/null --host=127.0.0.1 --port="$PORT" --tls=off \
		--auth=cram-md5 --user=joe@v.example --passwordeval="echo 'tan staaf'" \
		--keep=on --uidls-file="$BATS_TEST_TMPDIR/uidls" \
		--delivery=mbox,"$BATS_TEST_TMPDIR/out" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	wait_log 'pop3login: login user=joe@v.example ip=127.0.0.1 method=cram-md5 tls=no result=ok'
	# OAUTHBEARER to a checker that saves the block: token and method
	PORT=$(free_port)
	CRED_SAVE=$BATS_TEST_TMPDIR/cred start_tcpserver "$PORT" pop3login -d 0 -O mail.test "$CHECKER"
	run timeout 60 mpop -C /dev/null --host=127.0.0.1 --port="$PORT" --tls=off \
		--auth=oauthbearer --user=good --passwordeval="echo tok.mpop-1" \
		--uidls-file="$BATS_TEST_TMPDIR/uidls2" --delivery=mbox,"$BATS_TEST_TMPDIR/out2" --quiet
	[ "$status" -ne 0 ]
	printf 'good\0tok.mpop-1\0\0oauthbearer\0' | cmp - "$BATS_TEST_TMPDIR/cred"
	wait_log 'pop3login: login user=good ip=127.0.0.1 method=oauthbearer tls=no result=refused'
}
