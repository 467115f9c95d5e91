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

# The root parent ran a checker for every block the dialogue child sent:
# a child taken over by the client (it parses every client byte) could
# try passwords without end and without the failure delay.  The parent
# now keeps the -f limit itself and ends the child that goes past it.
@test "a subverted dialogue child gets no more checker runs than -f allows" {
	command -v cc >/dev/null || skip "no C compiler"
	cc -shared -fPIC -o "$BATS_TEST_TMPDIR/rogue.so" \
		"$BATS_TEST_DIRNAME/transcripts/login/rogue_child.c" -ldl
	[ "$(id -u)" -eq 0 ] || skip "the privilege split needs root"
	chmod 755 "$BATS_TEST_TMPDIR/rogue.so"
	chmod 711 "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	COUNT=$BATS_TEST_TMPDIR/count
	use_dynamic
	run sh -c 'printf "USER someone\r\nPASS x\r\nQUIT\r\n" |
		COUNT_FILE=$1 ROGUE_REPEAT=20 LD_PRELOAD=$2 ASAN_OPTIONS=verify_asan_link_order=0 \
		pop3login -d 0 -f 3 mail.test "$3" 2>/dev/null' sh "$COUNT" \
		"$BATS_TEST_TMPDIR/rogue.so" "$BATS_TEST_DIRNAME/transcripts/login/countchecker"
	[ "$(wc -l <"$COUNT")" -eq 3 ]
}

# forged_block OPTIONS BLOCK-PRINTF: pop3login (as root, so split) whose
# child sends BLOCK instead of the client's credentials; prints how many
# times the checker ran.
forged_block() {
	cc -shared -fPIC -o "$BATS_TEST_TMPDIR/rogue.so" \
		"$BATS_TEST_DIRNAME/transcripts/login/rogue_child.c" -ldl
	chmod 755 "$BATS_TEST_TMPDIR/rogue.so"
	chmod 711 "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	printf "$2" >"$BATS_TEST_TMPDIR/block"
	chmod 644 "$BATS_TEST_TMPDIR/block"
	: >"$BATS_TEST_TMPDIR/count"
	use_dynamic
	printf 'USER good\r\nPASS x\r\nQUIT\r\n' |
		COUNT_FILE=$BATS_TEST_TMPDIR/count ROGUE_REPEAT=0 \
		ROGUE_BLOCK_FILE=$BATS_TEST_TMPDIR/block LD_PRELOAD=$BATS_TEST_TMPDIR/rogue.so \
		ASAN_OPTIONS=verify_asan_link_order=0 \
		pop3login -d 0 $1 mail.test "$BATS_TEST_DIRNAME/transcripts/login/countchecker" \
		>/dev/null 2>&1 || true
	wc -l <"$BATS_TEST_TMPDIR/count"
}

# The parent passed any block to the checker: a subverted child could
# pair a digest sniffed from another session with that session's
# timestamp (APOP replay), or add fields a checker might misread.
@test "a subverted child cannot choose the APOP timestamp or add fields" {
	command -v cc >/dev/null || skip "no C compiler"
	[ "$(id -u)" -eq 0 ] || skip "the privilege split needs root"
	# the harness works: a well-formed block reaches the checker
	[ "$(forged_block -a 'good\0x\0\0')" -eq 1 ]
	[ "$(forged_block -a 'good\0000123456789abcdef0123456789abcdef\0<1.2.3@mail.test>\0')" -eq 0 ]
	[ "$(forged_block '' 'good\0000123456789abcdef0123456789abcdef\0<1.2.3@mail.test>\0')" -eq 0 ]
	[ "$(forged_block -a 'good\0x\0\0extra\0')" -eq 0 ]
	[ "$(forged_block -a 'good\0x\0')" -eq 0 ]
}

# A CRAM-MD5 block carries the challenge the digest answers: the parent
# takes only this connection's, and only under -C.
@test "a subverted child cannot choose the CRAM-MD5 challenge" {
	command -v cc >/dev/null || skip "no C compiler"
	[ "$(id -u)" -eq 0 ] || skip "the privilege split needs root"
	[ "$(forged_block -C 'good\0x\0\0')" -eq 1 ]
	[ "$(forged_block -C 'good\0000123456789abcdef0123456789abcdef\0<1.2.3@mail.test>\0cram-md5\0')" -eq 0 ]
	[ "$(forged_block -C 'good\0000123456789abcdef0123456789abcdef\0\0cram-md5\0')" -eq 0 ]
	[ "$(forged_block -a 'good\0000123456789abcdef0123456789abcdef\0<1.2.3@mail.test>\0cram-md5\0')" -eq 0 ]
}

# -u refused uid 0 but took an account whose group is root's: the
# dialogue child then kept gid 0 (group root) with every client byte.
@test "-u: an account with gid 0 is refused for the dialogue" {
	[ "$(id -u)" -eq 0 ] || skip "the privilege split needs root"
	u=f1gid0$$
	userdel "$u" >/dev/null 2>&1 || true
	useradd -M -d /nonexistent -s /usr/sbin/nologin -g 0 "$u"
	echo "$u" >>"$BATS_TEST_TMPDIR/users"
	run sh -c 'printf "QUIT\r\n" | pop3login -u "$1" mail.test "$2" 2>&1' sh "$u" "$CHECKER"
	[ "$status" -eq 2 ]
	[ "$output" = "pop3login: fatal: user $u has root's uid or gid" ]
}
