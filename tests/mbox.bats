#!/usr/bin/env bats
# mboxsplit alone: the scan list (sizes, ids, byte ranges of fd 6),
# every parsing edge, refusals, locks and the write-back, with
# tests/mbox_fakepop3d.py in the place of pop3d.
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p box
	MB=$BATS_TEST_TMPDIR/box/mbox
}

teardown() {
	stop_started
	remove_users
}

# split ARGS...: mboxsplit on $MB with the fake pop3d; scan list in
# ./scan, messages in ./dump/N, the QUIT answer in $output.
split() {
	rm -rf dump scan
	FAKE_SCAN=scan FAKE_DUMP=dump run --separate-stderr mboxsplit -m "$MB" "$@" "$FAKE"
}

# The CRLF size of a message as a client receives it.
crlf_size() {
	python3 -c 'import sys,re; d=open(sys.argv[1],"rb").read()
d=re.sub(rb"(?<!\r)\n", b"\r\n", d)
if d and not d.endswith(b"\r\n"): d+=b"\r\n"
print(len(d))' "$1"
}

@test "scan list of a plain mbox: exact header, sizes, ids and ranges" {
	make_mbox "$MB" 3
	export FAKE_DELE=
	split
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, nothing deleted" ]
	id() { printf 'From: sender@example.org\nTo: user@example.org\nSubject: message %s\nMessage-ID: <%s@test>\n' "$1" "$1" | xxhsum -H2 | cut -c1-32; }
	[ "$(cat scan)" = "pop3scan 1 3 393
131 $(id 1) @49+124
131 $(id 2) @223+124
131 $(id 3) @397+124" ]
	[ "$(cat dump/2)" = "From: sender@example.org
To: user@example.org
Subject: message 2
Message-ID: <2@test>

This is message 2.
.leading dot line" ]
	[ "$(tail -c 1 dump/3 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "ids are the header digest maildirscan computes (XXH3-128 of the header block, as xxhsum -H2 gives it)" {
	make_mbox "$MB" 1
	split
	want=$(printf 'From: sender@example.org\nTo: user@example.org\nSubject: message 1\nMessage-ID: <1@test>\n' | xxhsum -H2 | cut -c1-32)
	[ "$(sed -n 2p scan | cut -d' ' -f2)" = "$want" ]
}

@test "blank lines inside a message are kept, only the separator is dropped" {
	printf 'From a\nS: 1\n\nbody\n\n\n\nFrom b\nS: 2\n\nx\nFrom inside, not after a blank line\n\n' >"$MB"
	split
	[ "$(head -1 scan)" = "pop3scan 1 2 66" ]
	printf 'S: 1\n\nbody\n\n\n' | cmp - dump/1
	printf 'S: 2\n\nx\nFrom inside, not after a blank line\n' | cmp - dump/2
	[ "$(sed -n 2p scan | cut -d' ' -f1,3)" = "18 @7+13" ]
	[ "$(sed -n 3p scan | cut -d' ' -f1,3)" = "48 @28+44" ]
}

@test "CRLF mbox: CR LF separators, sizes not doubled" {
	printf 'From a\r\nS: 1\r\n\r\nbody\r\n\r\nFrom b\r\nS: 2\r\n\r\nlast\r\n\r\n' >"$MB"
	split
	[ "$(head -1 scan)" = "pop3scan 1 2 28" ]
	printf 'S: 1\r\n\r\nbody\r\n' | cmp - dump/1
	printf 'S: 2\r\n\r\nlast\r\n' | cmp - dump/2
}

@test "missing final newline: counted with the CR LF a client gets" {
	printf 'From a\nS: 1\n\nno newline at the end' >"$MB"
	split
	[ "$(cat scan)" = "pop3scan 1 1 31
31 $(printf 'S: 1\n' | xxhsum -H2 | cut -c1-32) @7+27" ]
	printf 'S: 1\n\nno newline at the end' | cmp - dump/1
}

@test "a From_ line alone at the end: an empty message" {
	printf 'From a\nS: 1\n\nx\n\nFrom b' >"$MB"
	split
	[ "$(head -1 scan)" = "pop3scan 1 2 11" ]
	[ "$(sed -n 3p scan | cut -d' ' -f1,3)" = "0 @22+0" ]
}

@test "huge message with a line longer than the read block: exact size" {
	python3 -c 'import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"From big\nSubject: huge\n\n")
    f.write(b"x" * 3000000 + b"\n")
    for i in range(200000): f.write(b"line %d\n" % i)
    f.write(b"\nFrom small\nS: 2\n\nend\n")' "$MB"
	split
	[ "$(wc -l <scan)" -eq 3 ]
	want=$(crlf_size dump/1)
	[ "$(sed -n 2p scan | cut -d' ' -f1)" = "$want" ]
	[ "$(sed -n 3p scan | cut -d' ' -f1)" = 13 ]
	[ "$(stat -c %s dump/1)" = "$(sed -n 2p scan | cut -d+ -f2)" ]
}

@test "empty file: an empty mailbox" {
	: >"$MB"
	split
	[ "$status" -eq 0 ]
	[ "$(cat scan)" = "pop3scan 1 0 0" ]
}

@test "no mailbox file: an empty mailbox, nothing created" {
	export FAKE_DELE=
	split
	[ "$status" -eq 0 ]
	[ "$(cat scan)" = "pop3scan 1 0 0" ]
	[ ! -e "$MB" ]
	[ ! -e "$MB.lock" ]
}

@test "not an mbox: refused with exit 2 and a clear line, file untouched" {
	printf 'Subject: hi\n\nnot an mbox\n' >"$MB"
	cp "$MB" orig
	split
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"mboxsplit: fatal: $MB is not an mbox"* ]]
	cmp "$MB" orig
	[ ! -e "$MB.lock" ]
}

@test "symbolic link, directory and FIFO refused with exit 2" {
	make_mbox real 1
	ln -s "$PWD/real" "$MB"
	split
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"is a symbolic link"* ]]
	rm "$MB"; mkdir "$MB"
	split
	[ "$status" -eq 2 ]
	rmdir "$MB"; mkfifo "$MB"
	split
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a regular file"* ]]
}

@test "a mailbox not owned by the user is refused" {
	make_mbox "$MB" 1
	chown 54321 "$MB"
	split
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"is not owned by uid 0"* ]]
}

@test "X-UIDL preferred; duplicates get -2, -3 in file order; overlong ones fall back" {
	long=$(printf 'L%.0s' $(seq 1 70))
	{
		printf 'From a\nX-UIDL: abc\nS: 1\n\n1\n\n'
		printf 'From a\nX-UIDL:  abc \nS: 2\n\n2\n\n'
		printf 'From a\nX-UIDL: abc-2\nS: 3\n\n3\n\n'
		printf 'From a\nX-UIDL: abc\nS: 4\n\n4\n\n'
		printf 'From a\nX-UIDL: %s\nS: 5\n\n5\n\n' "$long"
		printf 'From a\nX-UIDL: %s\nS: 6\n\n6\n\n' "$long"
		printf 'From a\nS: 7\n\n7\n\n'
		printf 'From a\nS: 7\n\n7\n\n'
	} >"$MB"
	split
	d6=$(printf 'S: 6\n' | xxhsum -H2 | cut -c1-32)
	d7=$(printf 'S: 7\n' | xxhsum -H2 | cut -c1-32)
	[ "$(cut -d' ' -f2 scan | tail -n +2 | tr '\n' ' ')" = "abc abc-2 abc-2-2 abc-3 $long $d6 $d7 $d7-2 " ]
}

@test "mboxrd and hide-status: declared in the header, counted in the sizes" {
	printf 'From a\nStatus: RO\nX-Status: A\nS: 1\n\n>From me\n\n' >"$MB"
	split
	[ "$(cat scan)" = "pop3scan 1 1 43
43 $(printf 'S: 1\n' | xxhsum -H2 | cut -c1-32) @7+38" ]
	split -r -s
	[ "$(head -1 scan)" = "pop3scan 1 1 17 mboxrd hide-status" ]
	split -s
	[ "$(head -1 scan)" = "pop3scan 1 1 18 hide-status" ]
}

@test "QUIT with deletions removes exactly them; owner, group and mode kept" {
	make_mbox "$MB" 5
	chgrp mail "$MB"; chmod 0660 "$MB"
	make_mbox expect 5
	python3 -c 'import sys
d=open("expect","rb").read().split(b"\nFrom ")
keep=[d[0]]+[b"From "+x for x in d[1:]]
open("expect","wb").write(b"\n".join([keep[0], keep[2]]) + b"\n" + keep[4])'
	cp "$MB" orig
	FAKE_DELE="2 4 2" split
	[ "$output" = "" ]
	cmp "$MB" orig
	FAKE_DELE="2 4" split
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, 2 messages deleted" ]
	cmp "$MB" expect
	[ "$(stat -c '%U %G %a' "$MB")" = "root mail 660" ]
	[ ! -e "$MB.lock" ]
	[ -z "$(ls -A box | grep -v '^mbox$')" ]
}

@test "deleting every message leaves an empty file" {
	make_mbox "$MB" 3
	FAKE_DELE="1 2 3" split
	[ "$output" = "+OK bye, 3 messages deleted" ]
	[ -f "$MB" ]
	[ "$(stat -c %s "$MB")" = 0 ]
}

@test "no QUIT: nothing changes" {
	make_mbox "$MB" 3
	cp "$MB" orig
	unset FAKE_DELE
	split
	[ "$status" -eq 0 ]
	cmp "$MB" orig
}

@test "mail appended during the session is kept" {
	make_mbox "$MB" 3
	FAKE_WAIT=$PWD/go FAKE_DELE="1" mboxsplit -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	printf 'From new\nS: appended\n\nnew\n\n' >>"$MB"
	touch go
	wait $pid
	[ "$(cat answer)" = "+OK bye, 1 message deleted" ]
	make_mbox expect 3
	python3 -c 'd=open("expect","rb").read(); i=d.index(b"\nFrom ",1)+1
open("expect","wb").write(d[i:]+b"From new\nS: appended\n\nnew\n\n")'
	cmp "$MB" expect
}

@test "changed other than by appending: write-back abandoned, nothing lost" {
	make_mbox "$MB" 3
	FAKE_WAIT=$PWD/go FAKE_DELE="1" mboxsplit -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	# A mail reader expunged message 2 in place.
	python3 -c 'import sys; p=sys.argv[1]; d=open(p,"rb").read().split(b"\n\nFrom ")
open(p,"r+b").write(b"\n\nFrom ".join([d[0], d[2]])); open(p,"r+b").truncate(len(b"\n\nFrom ".join([d[0], d[2]])))' "$MB"
	cp "$MB" after-reader
	touch go
	wait $pid
	[ "$(cat answer)" = "-ERR [SYS/TEMP] mailbox changed by another program; nothing deleted" ]
	cmp "$MB" after-reader
	grep -q 'writeback_abandoned' log
}

@test "a deleted message expunged by a mail reader and replaced by new mail of the same length: abandoned, new mail kept" {
	make_mbox "$MB" 3
	FAKE_WAIT=$PWD/go FAKE_DELE="3" mboxsplit -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	# A mail reader expunged message 3 in place (truncated the file at
	# its From_ line), then a delivery appended a new message with a
	# From_ line and a length equal to the old one's: every From_ line
	# is where it was, but message 3 is not the one the client deleted.
	python3 -c 'import sys; p=sys.argv[1]; d=open(p,"rb").read(); i=d.rindex(b"\n\nFrom ")+2
new=d[i:].replace(b"message 3", b"message 7").replace(b"<3@test>", b"<7@test>")
assert len(new) == len(d) - i
f=open(p,"r+b"); f.truncate(i); f.close(); f=open(p,"ab"); f.write(new); f.close()' "$MB"
	grep -q '^Subject: message 7$' "$MB"
	cp "$MB" after-reader
	touch go
	wait $pid
	[ "$(cat answer)" = "-ERR [SYS/TEMP] mailbox changed by another program; nothing deleted" ]
	cmp "$MB" after-reader
	grep -q 'writeback_abandoned' log
}

@test "a session lock let go within a second is waited for: reconnecting right after QUIT works" {
	make_mbox "$MB" 2
	# flock(1) stands for the ending session: it holds the lock 0.3 s
	flock -x "$MB" sleep 0.3 &
	pid=$!
	for i in $(seq 1 100); do flock -xn "$MB" true || break; sleep 0.01; done
	split
	wait $pid
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"session_lock_waited ms="* ]]
	[[ "$stderr" != *"in use"* ]]
}

@test "a second session gets exit 4 (in use) while the first runs" {
	make_mbox "$MB" 2
	FAKE_WAIT=$PWD/go FAKE_DELE="" mboxsplit -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	split
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"in use by another POP3 session"* ]]
	touch go
	wait $pid
	[ "$(cat answer)" = "+OK bye, nothing deleted" ]
}

@test "stale dotlock of a dead pid is broken at once and logged" {
	make_mbox "$MB" 1
	sh -c 'exit 0' & dead=$!; wait $dead
	echo "$dead" >"$MB.lock"
	split -w 0
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stale_lock path=$MB.lock pid=$dead"*"reason=owner-gone action=removed"* ]]
	[ ! -e "$MB.lock" ]
}

@test "-R: a retrieved message replaced by new mail of the same length is not marked read" {
	make_mbox "$MB" 3
	FAKE_WAIT=$PWD/go FAKE_DELE="" FAKE_RETR="3" mboxsplit -R -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	python3 -c 'import sys; p=sys.argv[1]; d=open(p,"rb").read(); i=d.rindex(b"\n\nFrom ")+2
new=d[i:].replace(b"message 3", b"message 7").replace(b"<3@test>", b"<7@test>")
f=open(p,"r+b"); f.truncate(i); f.close(); f=open(p,"ab"); f.write(new); f.close()' "$MB"
	cp "$MB" after-reader
	touch go
	wait $pid
	[ "$(cat answer)" = "-ERR [SYS/TEMP] mailbox changed by another program; nothing deleted" ]
	cmp "$MB" after-reader
	! grep -q '^Status: RO' "$MB"
}

@test "dotlock PID:HOST (Dovecot's form): a dead pid of this host is broken at once, another host's lock is left alone" {
	make_mbox "$MB" 1
	sh -c 'exit 0' & dead=$!; wait $dead
	printf '%s:%s' "$dead" "$(hostname)" >"$MB.lock"
	split -w 0
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stale_lock path=$MB.lock pid=$dead"*"reason=owner-gone action=removed"* ]]
	[ ! -e "$MB.lock" ]
	# the same dead pid, but on another host: it cannot be checked here
	printf '%s:%s' "$dead" "elsewhere.invalid" >"$MB.lock"
	split -w 0
	[ "$status" -eq 111 ]
	[ "$(cat "$MB.lock")" = "$dead:elsewhere.invalid" ]
	rm -f "$MB.lock"
}

@test "stale dotlock without a pid (procmail's) is broken when older than -t" {
	make_mbox "$MB" 1
	: >"$MB.lock"
	touch -d '-20 seconds' "$MB.lock"
	split -w 0 -t 10
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"reason=too-old action=removed"* ]]
}

@test "a live dotlock is waited for, then exit 111; the lock is left alone" {
	make_mbox "$MB" 1
	sleep 30 & live=$!
	echo $live >>"$BATS_TEST_TMPDIR/pids"
	echo "$live" >"$MB.lock"
	split -w 1
	[ "$status" -eq 111 ]
	[[ "$stderr" == *"is locked by another program"* ]]
	[ "$(cat "$MB.lock")" = "$live" ]
	# released within the bound: the session goes on
	( sleep 0.3; rm -f "$MB.lock" ) &
	split -w 5
	[ "$status" -eq 0 ]
}

@test "an fcntl write lock (a delivery in progress) is waited for" {
	make_mbox "$MB" 1
	python3 -c 'import fcntl,sys,time
f=open(sys.argv[1],"ab"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2],"w").close(); time.sleep(30)' "$MB" locked &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for i in $(seq 1 100); do [ -e locked ] && break; sleep 0.05; done
	split -w 1 -l fcntl
	[ "$status" -eq 111 ]
	split -w 1 -l dotlock
	[ "$status" -eq 0 ]
}

# elapsed_ms T0: milliseconds since T0 (date +%s%N).
elapsed_ms() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

@test "a live dotlock released after 100 ms holds the session up for well under a second" {
	make_mbox "$MB" 1
	sleep 30 & live=$!
	echo $live >>"$BATS_TEST_TMPDIR/pids"
	echo "$live" >"$MB.lock"
	t0=$(date +%s%N)
	( sleep 0.1; rm -f "$MB.lock" ) &
	FAKE_DELE= split -w 5
	ms=$(elapsed_ms "$t0")
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, nothing deleted" ]
	# it did wait: the lock was held when mboxsplit first tried it
	[[ "$stderr" == *"lock_waited mailbox=$MB"* ]]
	echo "# session took ${ms} ms" >&3
	[ "$ms" -lt 800 ]
}

@test "an fcntl lock released after 100 ms holds the session up for well under a second" {
	make_mbox "$MB" 1
	python3 -c 'import fcntl,os,sys,time
f=open(sys.argv[1],"ab"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2],"w").close()
for i in range(10000):
    if os.path.exists(sys.argv[3]): break
    time.sleep(0.001)
time.sleep(0.1); fcntl.lockf(f, fcntl.LOCK_UN); time.sleep(30)' "$MB" locked go &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for i in $(seq 1 100); do [ -e locked ] && break; sleep 0.05; done
	[ -e locked ]
	t0=$(date +%s%N)
	touch go
	FAKE_DELE= split -w 5 -l fcntl
	ms=$(elapsed_ms "$t0")
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, nothing deleted" ]
	[[ "$stderr" == *"lock_waited mailbox=$MB"* ]]
	echo "# session took ${ms} ms" >&3
	[ "$ms" -lt 800 ]
}

@test "a dotlock that cannot be made at QUIT (not held by anyone) is named as such, not as a lock held by another program" {
	make_mbox "$MB" 2
	cp "$MB" orig
	FAKE_WAIT=$PWD/go FAKE_DELE="1" mboxsplit -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	# the unique file of the NFS-safe dotlock (named by the host and
	# the spool helper's pid) cannot be created
	helper=$(hostname).$(pgrep -P $pid -x mboxsplit)
	mkdir "box/.mbox.mboxsplit-lk.$helper"
	touch go
	wait $pid
	rmdir "box/.mbox.mboxsplit-lk.$helper"
	[ "$(cat answer)" = "-ERR [SYS/TEMP] cannot lock the mailbox (File exists); nothing deleted" ]
	grep -q 'writeback_failed mailbox=.* step=lock error="File exists"' log
	cmp "$MB" orig
	[ ! -e "$MB.lock" ]
}

@test "pop3d gone before the rename (timed out waiting for a long write-back): nothing is committed" {
	make_mbox "$MB" 2
	cp "$MB" orig
	sleep 30 & live=$!
	echo $live >>"$BATS_TEST_TMPDIR/pids"
	FAKE_WAIT=$PWD/go FAKE_DELE="1" FAKE_HANGUP=$PWD/gone mboxsplit -w 10 -m "$MB" "$FAKE" >answer 2>log &
	pid=$!
	for i in $(seq 1 100); do grep -q indexed log && break; sleep 0.05; done
	# a delivery holds the dotlock while pop3d reports and gives up
	echo "$live" >"$MB.lock"
	touch go
	for i in $(seq 1 200); do [ -e gone ] && break; sleep 0.05; done
	[ -e gone ]
	rm -f "$MB.lock"
	wait $pid || true
	cmp "$MB" orig
	grep -q 'writeback_failed mailbox=.* step=pop3d error="hung up before the rename"' log
	[ ! -e "$MB.lock" ]
	[ "$(ls -A box)" = mbox ]
}

@test "a new file left by a killed write-back is removed by the next session" {
	make_mbox "$MB" 2
	cp "$MB" orig
	echo partial >"box/.mbox.mboxsplit-new"
	split
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"leftover_removed path=$BATS_TEST_TMPDIR/box/.mbox.mboxsplit-new"* ]]
	[ ! -e box/.mbox.mboxsplit-new ]
	cmp "$MB" orig
}

@test "MAILBOX ending in / runs maildirscan with the same arguments" {
	[ -x "$POP3_BIN/maildirscan" ] || skip "maildirscan not built"
	mkdir -p md/new md/cur md/tmp
	FAKE_SCAN=$PWD/scan MAILBOX=$PWD/md/ run --separate-stderr mboxsplit "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(cat scan)" = "pop3scan 1 0 0" ]
}

@test "bad options: exit 2 with the usage line" {
	run mboxsplit -w x "$FAKE"
	[ "$status" -eq 2 ]
	[[ "$output" == "mboxsplit: fatal: usage:"* ]]
	run mboxsplit -l flock "$FAKE"
	[ "$status" -eq 2 ]
	run mboxsplit
	[ "$status" -eq 2 ]
}

@test "-R: retrieved mail kept gets Status: RO (replacing another Status:), ids unchanged, the rest byte-identical" {
	{
		printf 'From a\nSubject: one\n\nbody 1\n\n'
		printf 'From b\r\nSubject: two\r\nStatus: O\r\nX-Other: y\r\n\r\nbody 2\r\n\r\n'
		printf 'From c\nSubject: three\nStatus: RO\n\nbody 3\n\n'
		printf 'From d\nSubject: four\n\nbody 4\n\n'
		printf 'From e\nSubject: five\n\nbody 5\n\n'
	} >"$MB"
	split
	cut -d' ' -f2 scan | tail -n +2 >ids-before
	FAKE_DELE="5" FAKE_RETR="1 2 3" split -R
	[ "$output" = "+OK bye, 1 message deleted" ]
	[[ "$stderr" == *"deleted=1 marked=2 "* ]]
	{
		printf 'From a\nSubject: one\nStatus: RO\n\nbody 1\n\n'
		printf 'From b\r\nSubject: two\r\nX-Other: y\r\nStatus: RO\r\n\r\nbody 2\r\n\r\n'
		printf 'From c\nSubject: three\nStatus: RO\n\nbody 3\n\n'
		printf 'From d\nSubject: four\n\nbody 4\n\n'
	} | cmp - "$MB"
	split
	cut -d' ' -f2 scan | tail -n +2 >ids-after
	head -n 4 ids-before | cmp - ids-after
}

@test "-R with nothing to change: no write-back at all (same file)" {
	printf 'From a\nSubject: one\nStatus: RO\n\nbody 1\n\n' >"$MB"
	ino=$(stat -c %i "$MB")
	FAKE_DELE="" FAKE_RETR="1" split -R
	[ "$output" = "+OK bye, nothing deleted" ]
	[ "$(stat -c %i "$MB")" = "$ino" ]
	FAKE_DELE="" FAKE_RETR="1" split
	[ "$output" = "+OK bye, nothing deleted" ]
	[ "$(stat -c %i "$MB")" = "$ino" ]
}

@test "-c index cache: used only while the mailbox is unchanged (even a same-size rewrite with mtime put back is seen)" {
	make_mbox "$MB" 5
	C=$PWD/cache
	split -c "$C"
	[[ "$stderr" == *"cache=miss"* ]]
	[ "$(stat -c %a "$C")" = 600 ]
	cp scan scan-nocache
	split -c "$C"
	[[ "$stderr" == *"cache=hit"* ]]
	cmp scan scan-nocache
	# appended: the cache is not used, the new message is listed
	printf 'From n\nSubject: new\n\nnew\n\n' >>"$MB"
	split -c "$C"
	[[ "$stderr" == *"cache=miss"* ]]
	[ "$(head -1 scan)" = "pop3scan 1 6 676" ]
	# same size, same mtime, other bytes: ctime tells
	touch -r "$MB" stamp
	python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(60); f.write(b"X")' "$MB"
	touch -r stamp "$MB"
	split -c "$C"
	[[ "$stderr" == *"cache=miss"* ]]
	cp scan scan-cached
	split
	cmp scan scan-cached
	# other flags: not used
	split -c "$C" -s
	[[ "$stderr" == *"cache=miss"* ]]
}

@test "-c: a damaged or foreign cache file is not used" {
	make_mbox "$MB" 3
	C=$PWD/cache
	split -c "$C"
	cp scan good
	head -c 200 "$C" >short; mv short "$C"
	split -c "$C"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cache=miss"* ]]
	cmp scan good
	# the size of message 1 (the sum no longer matches)
	python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[120]^=0xff; open(sys.argv[1],"wb").write(d)' "$C"
	split -c "$C"
	[ "$status" -eq 0 ]
	cmp scan good
	chown 54321 "$C"
	split -c "$C"
	[[ "$stderr" == *"cache=miss"* ]]
}

@test "a large mbox is read in two halves by the confined worker: the scan list of one pass" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: always one pass"
	python3 - "$MB" <<'PY'
import random, sys
rng = random.Random(5)
with open(sys.argv[1], "wb") as f:
    n = k = 0
    while n < 9 << 20:
        eol = b"\r\n" if k % 7 == 0 else b"\n"
        m = b"From s%d@example.org Thu Nov 26 06:00:00 2026" % k + eol
        m += b"Subject: %d" % k + eol + (b"Status: RO" + eol if k % 5 == 0 else b"")
        m += (b"X-UIDL: id%d" % (k % 40) + eol if k % 11 == 0 else b"") + eol
        for _ in range(rng.randrange(1, 30)):
            m += rng.choice([b"text", b"From here, not a message", b">From quoted", b""]) + eol
        m += eol
        f.write(m)
        n += len(m)
        k += 1
PY
	mboxsplit -m "$MB" -H sh -c 'cat <&4' >two 2>log2
	taskset -c 0 mboxsplit -m "$MB" -H sh -c 'cat <&4' >one 2>log1
	grep -q 'mboxsplit: indexed .* parts=2 ' log2
	grep -q 'mboxsplit: indexed .* parts=1 ' log1
	[ "$(wc -l <one)" -gt 10000 ]
	cmp one two
}
