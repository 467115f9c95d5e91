#!/usr/bin/env bats
# maildirscan with the real pop3d: whole sessions, mail vanishing and
# arriving (maildrop) while sessions run, concurrent sessions.

load helpers

setup() {
	MD=$BATS_TEST_TMPDIR/Maildir
	mkdir -p "$MD/cur" "$MD/new" "$MD/tmp"
	export MAILBOX=$MD/
	CLIENT=$BATS_TEST_TMPDIR/client.py
	# client.py STEP...: runs "maildirscan [$MD_OPTS] pop3d" and plays the
	# steps: a POP3 command (its answer is printed with LF line ends),
	# "!CMD" a shell command, "@touch FILE" / "@wait FILE" to order two
	# sessions, "@eof" to hang up without QUIT.  Exit status: maildirscan's.
	cat >"$CLIENT" <<'PY'
import os, subprocess, sys, time
args = ['maildirscan'] + os.environ.get('MD_OPTS', '').split() + ['pop3d']
p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out = sys.stdout.buffer
def line():
    l = p.stdout.readline()
    if not l.endswith(b'\r\n'):
        raise SystemExit('bad or missing line: %r' % l)
    return l[:-2] + b'\n'
def send(cmd):
    p.stdin.write(cmd.encode() + b'\r\n')
    p.stdin.flush()
def answer(cmd):
    first = line()
    out.write(first)
    word = cmd.split()[0].upper() if cmd.split() else ''
    multi = word in ('RETR', 'TOP', 'CAPA') or (word in ('LIST', 'UIDL') and len(cmd.split()) == 1)
    body = 0
    if first.startswith(b'+OK') and multi:
        while True:
            l = line()
            out.write(l)
            if l == b'.\n':
                break
            body += len(l) + 1 - (1 if l.startswith(b'.') else 0)
    # The octet count announced is the one sent (RFC 1939, exact here).
    if word == 'RETR' and first.startswith(b'+OK') and int(first.split()[1]) != body:
        raise SystemExit('RETR announced %s octets, sent %d' % (first.split()[1], body))
    return first
first = line()
out.write(first)
for step in sys.argv[1:]:
    if step.startswith('!'):
        subprocess.run(step[1:], shell=True, check=True)
    elif step.startswith('@touch '):
        open(step[7:], 'w').close()
    elif step.startswith('@wait '):
        for _ in range(1000):
            if os.path.exists(step[6:]):
                break
            time.sleep(0.01)
        else:
            raise SystemExit('waited too long for ' + step[6:])
    elif step == '@eof':
        break
    elif step == '@all':
        # RETR and DELE every message, then QUIT.
        send('STAT')
        n = int(answer('STAT').split()[1])
        for i in range(1, n + 1):
            send('RETR %d' % i)
            answer('RETR %d' % i)
            send('DELE %d' % i)
            answer('DELE %d' % i)
        send('QUIT')
        answer('QUIT')
    else:
        send(step)
        answer(step)
p.stdin.close()
rest = p.stdout.read()
out.write(rest)
out.flush()
sys.exit(p.wait())
PY
	unset MD_OPTS
}

teardown() {
	stop_started
	remove_users
}

msg() {
	printf "$2" >"$MD/$1"
}

@test "maildir session: STAT LIST UIDL RETR TOP exact, DELE committed at QUIT" {
	msg 'new/1700000002.M1P2.host' 'From: a\nSubject: two\n\nline\n.dot\n'
	msg 'cur/1700000001.M1P1.host,S=26,W=29:2,S' 'From: b\r\nSubject: one\r\n\r\nbody'
	run python3 "$CLIENT" STAT LIST UIDL 'RETR 2' 'TOP 1 0' 'DELE 2' QUIT
	[ "$status" -eq 0 ]
	[ "$(sed '/^maildirscan: \|^pop3d: /d' <<<"$output")" = "+OK 2 messages (66 octets)
+OK 2 66
+OK 2 messages (66 octets)
1 29
2 37
.
+OK unique-id listing follows
1 1700000001.M1P1.host
2 1700000002.M1P2.host
.
+OK 37 octets
From: a
Subject: two

line
..dot
.
+OK top of message follows
From: b
Subject: one

.
+OK message 2 deleted
+OK 1 message deleted" ]
	[ "$(ls "$MD/cur")" = "1700000001.M1P1.host,S=26,W=29:2,S" ]
	[ "$(ls "$MD/new")" = "" ]
}

@test "maildir session: a hang-up deletes nothing" {
	msg 'cur/1.a:2,' 'a\n'
	run python3 "$CLIENT" 'DELE 1' @eof
	[ "$status" -eq 0 ]
	[ -f "$MD/cur/1.a:2," ]
}

@test "maildir session: messages vanishing mid-session (reader deletes one, renames another)" {
	msg 'cur/1.a:2,' 'a\n'
	msg 'cur/2.b:2,' 'b\n'
	msg 'cur/3.c:2,' 'c\n'
	run python3 "$CLIENT" "!rm '$MD/cur/1.a:2,'; mv '$MD/cur/2.b:2,' '$MD/cur/2.b:2,S'" \
		'RETR 1' 'DELE 1' 'DELE 2' 'RETR 3' QUIT
	[ "$status" -eq 0 ]
	[ "$(sed '/^maildirscan: \|^pop3d: /d' <<<"$output")" = "+OK 3 messages (9 octets)
-ERR message 1 is gone
+OK message 1 deleted
+OK message 2 deleted
+OK 3 octets
c
.
+OK 2 messages deleted" ]
	[ "$(ls "$MD/cur")" = "3.c:2," ]
	grep -q 'commit deleted=1 gone=1 failed=0' <<<"$output"
}

@test "maildir session: two concurrent sessions on one Maildir" {
	msg 'cur/1.a:2,' 'a\n'
	msg 'cur/2.b:2,' 'b\n'
	msg 'cur/3.c:2,' 'c\n'
	local sync=$BATS_TEST_TMPDIR/sync
	python3 "$CLIENT" STAT "@touch $sync.a" "@wait $sync.b" 'DELE 1' 'DELE 2' QUIT \
		>"$BATS_TEST_TMPDIR/a.out" 2>/dev/null &
	local a=$!
	python3 "$CLIENT" STAT "@touch $sync.b" "@wait $sync.a" "@wait $sync.done" \
		'RETR 1' 'RETR 3' 'DELE 1' 'DELE 3' QUIT >"$BATS_TEST_TMPDIR/b.out" 2>/dev/null &
	local b=$!
	wait "$a"
	touch "$sync.done"
	wait "$b"
	[ "$(cat "$BATS_TEST_TMPDIR/a.out")" = "+OK 3 messages (9 octets)
+OK 3 9
+OK message 1 deleted
+OK message 2 deleted
+OK 2 messages deleted" ]
	[ "$(cat "$BATS_TEST_TMPDIR/b.out")" = "+OK 3 messages (9 octets)
+OK 3 9
-ERR message 1 is gone
+OK 3 octets
c
.
+OK message 1 deleted
+OK message 3 deleted
+OK 2 messages deleted" ]
	[ "$(ls "$MD/cur")" = "" ]
}

# hold_session SYNC: a -x session that has answered STAT and holds its
# lock until the file SYNC.done exists; $HELD is its pid.
hold_session() {
	MD_OPTS=-x python3 "$CLIENT" STAT "@touch $1.a" "@wait $1.done" QUIT \
		>"$BATS_TEST_TMPDIR/a.out" 2>/dev/null &
	HELD=$!
	local i
	for i in $(seq 1 500); do [ -e "$1.a" ] && break; sleep 0.01; done
}

@test "maildir session: with -x the second session is refused with exit 4, then served" {
	msg 'cur/1.a:2,' 'a\n'
	local sync=$BATS_TEST_TMPDIR/sync
	hold_session "$sync"
	run maildirscan -x pop3d </dev/null
	touch "$sync.done"
	wait "$HELD"
	[ "$status" -eq 4 ]
	[ "$output" = "maildirscan: fatal: $MD/ is in use by another POP3 session" ]
	MD_OPTS=-x run python3 "$CLIENT" QUIT
	[ "$status" -eq 0 ]
}

@test "maildir session: with -x a lock let go within a second is waited for" {
	msg 'cur/1.a:2,' 'a\n'
	# flock(1) stands for a session that is ending: it holds 0.3 s
	flock -x "$MD" sleep 0.3 &
	local holder=$! i
	for i in $(seq 1 100); do flock -xn "$MD" true || break; sleep 0.01; done
	run maildirscan -x pop3d <<<$'STAT\r\nQUIT\r'
	wait "$holder"
	[ "$status" -eq 0 ]
	[[ "$output" == *"session_lock_waited ms="* ]]
	[[ "$output" == *"+OK 1 "* ]]
}

@test "maildir session: -x holds an OFD lock on maildirscan.lock, the lock another host sees; one held there alone refuses the session" {
	msg 'cur/1.a:2,' 'a\n'
	local sync=$BATS_TEST_TMPDIR/sync i
	hold_session "$sync"
	# /proc/locks: an OFD write lock on the lock file, a flock on the
	# Maildir (for a maildirscan of an earlier release on this host)
	local file dir
	file=$(stat -c %i "$MD/maildirscan.lock")
	dir=$(stat -c %i "$MD")
	grep -Eq "OFDLCK +ADVISORY +WRITE +-?[0-9]+ +[0-9a-f]+:[0-9a-f]+:$file " /proc/locks
	grep -Eq "FLOCK +ADVISORY +WRITE +[0-9]+ +[0-9a-f]+:[0-9a-f]+:$dir " /proc/locks
	touch "$sync.done"
	wait "$HELD"
	# another host's session, seen through a network file system: its
	# fcntl lock on the file arrives, its flock on the directory does not
	python3 - "$MD/maildirscan.lock" "$sync" <<-'PY' &
	import fcntl, os, struct, sys, time
	fd = os.open(sys.argv[1], os.O_RDWR)
	fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
	open(sys.argv[2] + ".b", "w").close()
	for _ in range(500):
	    if os.path.exists(sys.argv[2] + ".end"):
	        break
	    time.sleep(0.01)
	PY
	local b=$!
	for i in $(seq 1 500); do [ -e "$sync.b" ] && break; sleep 0.01; done
	run maildirscan -x pop3d </dev/null
	touch "$sync.end"
	wait "$b"
	[ "$status" -eq 4 ]
	[ "$output" = "maildirscan: fatal: $MD/ is in use by another POP3 session" ]
	MD_OPTS=-x run python3 "$CLIENT" QUIT
	[ "$status" -eq 0 ]
}

# deliver FIRST LAST: maildrop delivers messages FIRST..LAST into $MD.
deliver() {
	local i
	for i in $(seq "$1" "$2"); do
		printf 'From: sender@example.org\nTo: user@example.org\nSubject: msg %d\nMessage-ID: <%d@maildrop.test>\n\nThis is message %d.\n.leading dot\n' \
			"$i" "$i" "$i" | maildrop "$BATS_TEST_TMPDIR/mailfilter" || return 1
	done
}

# MAILDIR_STRESS_MESSAGES and MAILDIR_STRESS_SESSIONS make it longer
# (make maildir-stress); make check runs 80 messages, 2 session loops.
@test "maildir session: maildrop delivering while session loops retrieve and delete: nothing lost or altered" {
	printf 'to "%s"\n' "$MD/" >"$BATS_TEST_TMPDIR/mailfilter"
	chmod 600 "$BATS_TEST_TMPDIR/mailfilter"
	local n=${MAILDIR_STRESS_MESSAGES:-80} loops=${MAILDIR_STRESS_SESSIONS:-2}
	local log=$BATS_TEST_TMPDIR/sessions
	deliver 1 "$n" &
	local d=$! loop pids=""
	echo $d >>"$BATS_TEST_TMPDIR/pids"
	for loop in $(seq 1 "$loops"); do
		(
			# Bounded: at most one session per message and a few more.
			for k in $(seq 1 $((n + 20))); do
				python3 "$CLIENT" @all >>"$log.$loop" 2>/dev/null || exit 1
				[ -e "$BATS_TEST_TMPDIR/delivered" ] && [ -z "$(ls "$MD/cur" "$MD/new")" ] && break
			done
			exit 0
		) &
		pids="$pids $!"
	done
	wait "$d"
	touch "$BATS_TEST_TMPDIR/delivered"
	for loop in $pids; do wait "$loop"; done
	cat "$log".* >"$log"
	# Every message retrieved was delivered whole: its Subject, body and
	# dot-stuffed line belong together, in order ...
	awk '
		/^Subject: msg / {n = $3; state = 1; next}
		state == 1 && /^This is message / {if ($4 != n ".") bad++; state = 2; next}
		state == 2 {if ($0 != "..leading dot") bad++; state = 0; ok++; next}
		END {if (bad || ok == 0) exit 1}' "$log"
	local got left
	got=$(grep '^Subject: msg ' "$log" | sed 's/.* //')
	[ "$(grep -c '^\.\.leading dot$' "$log")" -eq "$(grep -c '^Subject: msg ' "$log")" ]
	# ... and every message delivered was retrieved or is still there.
	left=$(cat "$MD"/cur/* "$MD"/new/* 2>/dev/null | grep '^Subject: msg ' | sed 's/.* //')
	[ "$(printf '%s\n' $got $left | sort -nu)" = "$(seq 1 "$n")" ]
	# Sessions did run while mail arrived: more than one saw mail.
	[ "$(grep -c '^+OK [1-9][0-9]* messages\? (' "$log")" -ge 2 ]
}

@test "maildir session: the whole chain: -x answers a second login -ERR [IN-USE], the first session goes on" {
	# A checkpassword stand-in: user "u", password "p", this Maildir.
	local checker=$BATS_TEST_TMPDIR/checker
	cat >"$checker" <<SH
#!/bin/sh
creds=\$(head -c 512 <&3 | tr '\\0' ' ')
[ "\$creds" = "u p  " ] || exit 1
MAILBOX='$MD/' exec "\$@"
SH
	chmod +x "$checker"
	msg 'cur/1700000001.a.host:2,' 'Subject: one\n\nbody\n'
	local port
	port=$(free_port)
	start_tcpserver "$port" pop3login -d 0 mail.test "$checker" maildirscan -x pop3d
	run python3 - "$port" <<'PY'
import poplib, sys
port = int(sys.argv[1])
first = poplib.POP3("127.0.0.1", port, timeout=10)
first.user("u")
print(first.pass_("p").decode())
second = poplib.POP3("127.0.0.1", port, timeout=10)
second.user("u")
try:
    second.pass_("p")
except poplib.error_proto as e:
    print(e.args[0].decode())
print(first.stat())
print(first.uidl()[1])
print(first.quit().decode())
PY
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK 1 "*"(22 octets)" ]]
	[ "${lines[1]}" = "-ERR [IN-USE] mailbox in use by another session" ]
	[ "${lines[2]}" = "(1, 22)" ]
	[ "${lines[3]}" = "[b'1 1700000001.a.host']" ]
	[ "${lines[4]}" = "+OK 0 messages deleted" ]
	wait_log "^maildirscan: fatal: $MD/ is in use by another POP3 session$"
}

@test "maildir session: deletions are recorded in a Maildir++ quota file (maildirsize) as maildrop expects" {
	rm -rf "$MD"
	maildirmake "$MD"
	timeout 10 maildirmake -q 1000000S "$MD"
	printf 'to "%s"\n' "$MD/" >"$BATS_TEST_TMPDIR/mailfilter"
	chmod 600 "$BATS_TEST_TMPDIR/mailfilter"
	local i
	for i in 1 2 3; do
		printf 'From: x@example.org\nSubject: quota %d\n\n%s\n' "$i" "$(printf '%0*d' $((i * 100)) 0)" |
			timeout 10 maildrop "$BATS_TEST_TMPDIR/mailfilter"
	done
	run python3 "$CLIENT" 'DELE 1' 'DELE 3' QUIT
	[ "$status" -eq 0 ]
	[ "$(sed '/^maildirscan: \|^pop3d: /d' <<<"$output" | tail -1)" = "+OK 2 messages deleted" ]
	local left
	left=$(cat "$MD"/cur/* | wc -c)
	[ "$(ls "$MD/cur" | wc -l)" -eq 1 ]
	# The quota file's deltas add up to what is left, as a recount would.
	[ "$(tail -n +2 "$MD/maildirsize" | awk '{b += $1; n += $2} END {print b, n}')" = "$left 1" ]
	# One line for the session: maildrop's lines 3 and 5 (messages 1 and 3) taken back.
	[ "$(wc -l <"$MD/maildirsize")" -eq 6 ]
	[ "$(tail -1 "$MD/maildirsize")" = "$(awk 'NR == 3 || NR == 5 {s += $1} END {print "-" s " -2"}' "$MD/maildirsize")" ]
}
