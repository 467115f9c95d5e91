#!/usr/bin/env bats
# pop3d alone, behind tests/fakeexpose: golden transcripts (exact bytes
# out for exact bytes in), the control-socket report, the scan list
# checks, the ends of a session and the log line.

load helpers

T=$BATS_TEST_DIRNAME/transcripts/pop3d
FAKE=$POP3_BIN/tests/fakeexpose

teardown() {
	stop_started
	remove_users
}

# golden NAME [FAKEEXPOSE OPTIONS] -- [POP3D OPTIONS]: NAME.in in one
# write, output compared byte for byte with NAME.out.
golden() {
	local name=$1; shift
	local fopts=() popts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do fopts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	popts=("$@")
	"$FAKE" -o "$BATS_TEST_TMPDIR/report" "${fopts[@]}" "$T/mail" pop3d "${popts[@]}" \
		<"$T/$name.in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	status=$?
	if ! cmp "$BATS_TEST_TMPDIR/out" "$T/$name.out"; then
		diff <(cat -A "$T/$name.out") <(cat -A "$BATS_TEST_TMPDIR/out") || true
		return 1
	fi
	[ "$status" -eq 0 ]
}

@test "pop3d: every command, pipelined in one write, exact bytes" {
	golden commands
	cmp "$BATS_TEST_TMPDIR/report" "$T/commands.report"
	grep -Eqx 'pop3d: end user=- ip=- messages=4 octets=382 retrieved=4 sent=1579 deleted=1 seconds=[0-9]+ how=quit' "$BATS_TEST_TMPDIR/err"
}

@test "pop3d: messages as fd 6 ranges give the same bytes as files" {
	golden commands -r
	cmp "$BATS_TEST_TMPDIR/report" "$T/commands.report"
}

@test "pop3d: one line at a time, each answer flushed before the next command" {
	"$T/driver.py" "$T/commands.in" "$FAKE" "$T/mail" pop3d >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/out" "$T/commands.out"
}

@test "pop3d: bad lines get one -ERR each and the session goes on" {
	golden badinput
	[ "$(cat "$BATS_TEST_TMPDIR/report")" = "." ]
}

@test "pop3d: mboxrd and hide-status flags change sizes and bytes alike" {
	golden flags -F "mboxrd hide-status"
	cmp "$BATS_TEST_TMPDIR/report" "$T/flags.report"
	golden flags -r -F "mboxrd hide-status"
}

@test "pop3d: -n replaces NUL octets without changing the size" {
	golden nul -- -n
}

@test "pop3d: LAST only with -l, reset by RSET" {
	golden last -- -l
	run bash -c "printf 'LAST\r\nQUIT\r\n' | '$FAKE' '$T/mail' pop3d"
	[ "${lines[1]}" = $'-ERR unknown command\r' ]
}

@test "pop3d: end of input without QUIT reports and deletes nothing" {
	golden eof
	[ ! -e "$BATS_TEST_TMPDIR/report" ]
	grep -Eq ' retrieved=1 sent=218 deleted=0 seconds=[0-9]+ how=eof$' "$BATS_TEST_TMPDIR/err"
}

@test "pop3d: nothing is read after QUIT" {
	golden afterquit
	cmp "$BATS_TEST_TMPDIR/report" "$T/afterquit.report"
}

@test "pop3d: a vanished file is -ERR message N is gone; DELE of it still works" {
	cp -r "$T/mail" "$BATS_TEST_TMPDIR/mail"
	printf 'RETR 2\r\nTOP 2 0\r\nDELE 2\r\nRETR 1\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/in"
	"$FAKE" -o "$BATS_TEST_TMPDIR/report" "$BATS_TEST_TMPDIR/mail" \
		sh -c 'rm 02-crlf-status && exec pop3d' <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	head -c 100 "$BATS_TEST_TMPDIR/out" | cat -A
	[ "$(head -4 "$BATS_TEST_TMPDIR/out")" = "$(printf '+OK 4 messages (382 octets)\r\n-ERR message 2 is gone\r\n-ERR message 2 is gone\r\n+OK message 2 deleted\r')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/report")" = "$(printf 'R 1\nD 2\n.')" ]
}

@test "pop3d: a message not matching its scan list size is cut before the final dot" {
	printf 'RETR 2\r\nRETR 1\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/in"
	run bash -c "'$FAKE' -z -o '$BATS_TEST_TMPDIR/report' '$T/mail' pop3d <'$BATS_TEST_TMPDIR/in' 2>'$BATS_TEST_TMPDIR/err' >'$BATS_TEST_TMPDIR/out'"
	[ "$status" -eq 0 ]
	# RETR 2 is whole; RETR 1 stops after the body, without ".".
	tail -c 27 "$BATS_TEST_TMPDIR/out" | cmp - <(printf 'last line without newline\r\n')
	[ "$(grep -c -F -x $'.\r' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	[ ! -e "$BATS_TEST_TMPDIR/report" ]
	grep -qx 'pop3d: abort reason="message size differs from the scan list"' "$BATS_TEST_TMPDIR/err"
	grep -q ' deleted=0 seconds=[0-9]* how=error$' "$BATS_TEST_TMPDIR/err"
}

@test "pop3d: the exposer's answer to QUIT reaches the client" {
	run bash -c "printf 'DELE 1\r\nQUIT\r\n' | '$FAKE' -a '-ERR [SYS/TEMP] disk full' '$T/mail' pop3d 2>'$BATS_TEST_TMPDIR/err'"
	[ "${lines[2]}" = $'-ERR [SYS/TEMP] disk full\r' ]
	grep -q ' deleted=0 seconds=[0-9]* how=quit$' "$BATS_TEST_TMPDIR/err"
}

@test "pop3d: no answer from the exposer is -ERR [SYS/TEMP]" {
	run bash -c "printf 'DELE 1\r\nQUIT\r\n' | '$FAKE' -x '$T/mail' pop3d 2>/dev/null"
	[ "${lines[2]}" = $'-ERR [SYS/TEMP] the mailbox could not be updated\r' ]
}

@test "pop3d: alone, without fd 5, QUIT deletes nothing" {
	printf 'pop3scan 1 1 146\n146 a 01-plain\n' >"$BATS_TEST_TMPDIR/scan"
	run bash -c "cd '$T/mail' && printf 'DELE 1\r\nQUIT\r\n' | pop3d 4<'$BATS_TEST_TMPDIR/scan' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '+OK 1 messages (146 octets)\r\n+OK message 1 deleted\r\n+OK no exposer: nothing deleted\r')" ]
}

@test "pop3d: bad scan lists exit 111 before any answer" {
	local bad=(
		''
		'pop3scan 2 0 0\n'
		'pop3scan 1 0 0 fancy\n'
		'pop3scan 1 1 5\n'
		'pop3scan 1 1 5\n5 a x\n5 b y\n'
		'pop3scan 1 1 6\n5 a x\n'
		'pop3scan 1 2 10\n5 a x\n5 a y\n'
		'pop3scan 1 1 5\n5 a\n'
		'pop3scan 1 1 5\n5 a b c\n'
		'pop3scan 1 1 5\n5  a x\n'
		'pop3scan 1 1 5\n-5 a x\n'
		'pop3scan 1 1 5\n5 a\001 x\n'
		'pop3scan 1 1 5\n5 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x\n'
		'pop3scan 1 1 5\n5 a @1\n'
		'pop3scan 1 1 5\n5 a @1+x\n'
		'pop3scan 1 1 5\n5 a @9223372036854775807+1\n'
		'pop3scan 1 1 5\n5 a @0+5\n'
		'pop3scan 1 1 5\r\n5 a x\n'
		'pop3scan 1 1 5\n5 a x'
		'pop3scan 1 1 18446744073709551615\n18446744073709551615 a x\n1 b y\n'
		'pop3scan 1 99999999 5\n'
	)
	local i
	for i in "${!bad[@]}"; do
		printf "${bad[$i]}" >"$BATS_TEST_TMPDIR/scan"
		run bash -c "pop3d 4<'$BATS_TEST_TMPDIR/scan' </dev/null 6<&- 5<&- 2>'$BATS_TEST_TMPDIR/err'"
		echo "case $i: status $status output '$output' $(cat "$BATS_TEST_TMPDIR/err")"
		[ "$status" -eq 111 ]
		[ -z "$output" ]
		[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
		grep -q '^pop3d: fatal: bad scan list' "$BATS_TEST_TMPDIR/err"
	done
}

@test "pop3d: a good scan list with 4 GiB sizes and odd UIDs loads" {
	printf 'pop3scan 1 2 8589934592 mboxrd hide-status\n4294967296 !~ a\n4294967296 %s b\n' \
		"$(printf 'u%.0s' $(seq 70))" >"$BATS_TEST_TMPDIR/scan"
	run bash -c "printf 'LIST\r\nUIDL 1\r\n' | pop3d 4<'$BATS_TEST_TMPDIR/scan' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'+OK 2 messages (8589934592 octets)\r' ]
	[ "${lines[3]}" = $'2 4294967296\r' ]
	[ "${lines[5]}" = $'+OK 1 !~\r' ]
}

@test "pop3d: idle timeout answers -ERR and deletes nothing" {
	run bash -c "{ printf 'DELE 1\r\n'; sleep 3; } | '$FAKE' -o '$BATS_TEST_TMPDIR/report' '$T/mail' pop3d -t 1 2>'$BATS_TEST_TMPDIR/err'"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = $'-ERR [SYS/TEMP] idle timeout\r' ]
	[ ! -e "$BATS_TEST_TMPDIR/report" ]
	grep -Eq ' deleted=0 seconds=[12] how=timeout$' "$BATS_TEST_TMPDIR/err"
}

@test "pop3d: bad options exit 2 with one line and no answer" {
	for opt in -x "-t 0" "-t x" "-t 86401" extra; do
		run bash -c "pop3d $opt </dev/null 2>&1 >'$BATS_TEST_TMPDIR/out'"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[ ! -s "$BATS_TEST_TMPDIR/out" ]
	done
}

@test "pop3d: the summary log line names user and address, quoting spaces" {
	run bash -c "printf 'RETR 1\r\nQUIT\r\n' | USER='bob smith' TCPREMOTEIP=127.0.0.9 '$FAKE' '$T/mail' pop3d 2>&1 >/dev/null"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^'pop3d: end user="bob smith" ip=127.0.0.9 messages=4 octets=382 retrieved=1 sent=206 deleted=0 seconds='[0-9]+' how=quit'$ ]]
}

@test "pop3d: python poplib over tcpserver gets the stored messages" {
	local port
	port=$(free_port)
	start_tcpserver "$port" "$FAKE" -r "$T/mail" pop3d
	run python3 - "$port" "$T/mail" <<'PY'
import os, poplib, sys
port, mail = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=10)
names = sorted(os.listdir(mail))
count, size = p.stat()
assert count == len(names), (count, names)
for i, name in enumerate(names, 1):
    stored = open(os.path.join(mail, name), "rb").read()
    want = stored.replace(b"\r\n", b"\n").split(b"\n")
    if want and want[-1] == b"":
        want.pop()
    resp, lines, octets = p.retr(i)
    got = [l.replace(b"\r", b"\r") for l in lines]
    assert [l for l in got] == [l for l in want], (name, got, want)
    assert p.uidl(i).split()[2].decode() == name
print(p.quit().decode())
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye" ]
}
