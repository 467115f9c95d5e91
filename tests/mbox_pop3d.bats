#!/usr/bin/env bats
# mboxsplit with the real pop3d: exact transcripts, octet counts that
# match what RETR sends for every kind of mbox, deletions only after QUIT.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	[ -x "$POP3_BIN/pop3d" ] || skip "pop3d not built"
	cd "$BATS_TEST_TMPDIR"
	MB=$BATS_TEST_TMPDIR/mbox
}

teardown() {
	stop_started
}

@test "transcript: STAT LIST UIDL RETR (dot-stuffed) DELE QUIT, then the deletion is on disk" {
	make_mbox "$MB" 3
	id2=$(printf 'From: sender@example.org\nTo: user@example.org\nSubject: message 2\nMessage-ID: <2@test>\n' | xxhsum -H2 | cut -c1-32)
	printf 'STAT\r\nLIST\r\nUIDL 2\r\nRETR 1\r\nDELE 2\r\nQUIT\r\n' |
		MAILBOX=$MB mboxsplit pop3d >out 2>log
	printf '%s\r\n' "+OK 3 messages (393 octets)" "+OK 3 393" "+OK 3 messages (393 octets)" \
		"1 131" "2 131" "3 131" "." "+OK 2 $id2" \
		"+OK 131 octets" "From: sender@example.org" "To: user@example.org" \
		"Subject: message 1" "Message-ID: <1@test>" "" "This is message 1." \
		"..leading dot line" "." "+OK message 2 deleted" "+OK bye, 1 message deleted" >want
	cmp out want
	[ "$(grep -c '^From ' "$MB")" = 2 ]
	! grep -q 'message 2' "$MB"
	grep -q 'pop3d: end .* deleted=1 .*how=quit' log
}

@test "no QUIT (client gone): DELE is not committed" {
	make_mbox "$MB" 2
	cp "$MB" orig
	printf 'DELE 1\r\nDELE 2\r\n' | MAILBOX=$MB mboxsplit pop3d >out 2>log
	cmp "$MB" orig
	grep -q 'how=eof' log
}

@test "LIST sizes equal the octets RETR sends: LF, CRLF, no final newline, mboxrd, hide-status" {
	{
		printf 'From a\nStatus: RO\nX-Status: F\nSubject: lf\n\nline\n.dot\n>From quoted\n\n'
		printf 'From b\r\nSubject: crlf\r\n\r\nline\r\n.dot\r\n\r\n'
		printf 'From c\nSubject: mixed\n\nbare\rcr\r\nlf\n\n\n'
		printf 'From d\nSubject: last\n\nno final newline'
	} >"$MB"
	for opts in "" "-r" "-s" "-r -s"; do
		# shellcheck disable=SC2086
		printf 'LIST\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nQUIT\r\n' |
			MAILBOX=$MB mboxsplit $opts pop3d >out 2>log
		run python3 -c 'import sys
data = open("out", "rb").read()
lines = data.split(b"\r\n")
i = 2  # after the greeting line and "+OK 4 messages (...)" of LIST
sizes = []
while lines[i] != b".":
    sizes.append(int(lines[i].split()[1])); i += 1
i += 1
for n in range(4):
    head = lines[i]; assert head.startswith(b"+OK "), head
    i += 1; body = b""
    while lines[i] != b".":
        l = lines[i]
        body += (l[1:] if l.startswith(b".") else l) + b"\r\n"; i += 1
    i += 1
    assert len(body) == sizes[n], (n, len(body), sizes[n])
    assert head == b"+OK %d octets" % sizes[n], head
print("ok")' 
		[ "$output" = ok ] || { echo "opts=$opts $output"; false; }
	done
	# stored form by default; unquoted with -r; bookkeeping hidden with -H
	printf 'RETR 1\r\nQUIT\r\n' | MAILBOX=$MB mboxsplit pop3d >out 2>log
	grep -q $'^>From quoted\r$' out
	grep -q $'^Status: RO\r$' out
	printf 'RETR 1\r\nQUIT\r\n' | MAILBOX=$MB mboxsplit -r -H pop3d >out 2>log
	grep -q $'^From quoted\r$' out
	! grep -q 'Status:' out
	# the old spelling of -H, for one release, with a warning
	printf 'RETR 1\r\nQUIT\r\n' | MAILBOX=$MB mboxsplit -s pop3d >out 2>log
	! grep -q 'Status:' out
	grep -q '^mboxsplit: warning: -s is now -H (hide bookkeeping headers)' log
}

@test "a message appended during the session is not listed, and is kept" {
	make_mbox "$MB" 2
	{
		printf 'STAT\r\n'
		# wait until the session has indexed, then deliver and delete
		for i in $(seq 1 100); do grep -q indexed log 2>/dev/null && break; sleep 0.05; done
		printf 'From new\nSubject: new\n\nnew\n\n' >>"$MB"
		printf 'DELE 1\r\nQUIT\r\n'
	} | MAILBOX=$MB mboxsplit pop3d >out 2>log
	[ "$(sed -n 1p out)" = $'+OK 2 messages (262 octets)\r' ]
	[ "$(tail -n 1 out)" = $'+OK bye, 1 message deleted\r' ]
	[ "$(grep -c '^From ' "$MB")" = 2 ]
	[ "$(tail -n 4 "$MB" | head -n 1)" = "Subject: new" ]
}

@test "-R: a message retrieved with RETR (not TOP) is marked Status: RO at QUIT" {
	make_mbox "$MB" 3
	printf 'RETR 2\r\nTOP 3 0\r\nQUIT\r\n' | MAILBOX=$MB mboxsplit -R pop3d >out 2>log
	[ "$(tail -n 1 out)" = $'+OK bye, nothing deleted\r' ]
	grep -q 'writeback .*deleted=0 marked=1 ' log
	[ "$(grep -c '^Status: RO$' "$MB")" = 1 ]
	[ "$(grep -A1 '^Subject: message 2$' "$MB" | tail -n 1)" = "Message-ID: <2@test>" ]
	[ "$(grep -A1 '^Message-ID: <2@test>$' "$MB" | tail -n 1)" = "Status: RO" ]
}

@test "mboxsplit killed after its rename: pop3d does not answer -ERR (which promises nothing changed), and says so in its log" {
	make_mbox "$MB" 2
	make_mbox want 2
	python3 -c 'd=open("want","rb").read(); i=d.index(b"\nFrom ",1)+1; open("want","wb").write(d[i:])'
	printf 'DELE 1\r\nQUIT\r\n' | MBOXSPLIT_FAULT=renamed:1 MAILBOX=$MB "$MBOXSPLIT_FAULT_BIN" pop3d >out 2>log || true
	# the pipeline ends when mboxsplit dies; pop3d, its orphan, may still
	# be writing: wait for its last log line
	wait_log 'pop3d: end ' log
	cmp "$MB" want
	printf '%s\r\n' "+OK 2 messages (262 octets)" "+OK message 1 deleted" | cmp - out
	grep -q 'pop3d: quit_unconfirmed reason="no answer from the exposer, and the mailbox served was replaced"' log
	grep -q 'pop3d: end .* deleted=0 .*how=quit' log
}

@test "mboxsplit killed before its rename: pop3d answers -ERR [SYS/TEMP], the mailbox as it was" {
	make_mbox "$MB" 2
	cp "$MB" orig
	printf 'DELE 1\r\nQUIT\r\n' | MBOXSPLIT_FAULT=rename:1 MAILBOX=$MB "$MBOXSPLIT_FAULT_BIN" pop3d >out 2>log || true
	wait_log 'pop3d: end ' log
	cmp "$MB" orig
	printf '%s\r\n' "+OK 2 messages (262 octets)" "+OK message 1 deleted" \
		"-ERR [SYS/TEMP] the mailbox could not be updated" | cmp - out
}
