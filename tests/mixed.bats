#!/usr/bin/env bats
# A site whose users have mbox and Maildir mixed: one chain line under
# tcpserver, checkpw choosing the kind per user (a virtual users file,
# empty MAILBOX fields: HOME/Maildir/ if it is there, else -m '%h/mbox'),
# and each exposer given every option of both (lib/exposeopts.h).  Each
# user is served behind the line written for the other kind's exposer;
# each option shows its effect on its kind and none on the other.
load helpers

setup() {
	for p in pop3login checkpw mboxsplit maildirscan pop3d vusers-make; do
		[ -x "$POP3_BIN/$p" ] || skip "$p not built yet"
	done
	chmod 711 "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	V=$BATS_TEST_TMPDIR/v
	ANN=$V/home/ann        # an mbox user, uid 5031
	JOE=$V/home/joe        # a Maildir user, uid 5032
	mkdir -p "$ANN" "$JOE/Maildir/cur" "$JOE/Maildir/new" "$JOE/Maildir/tmp"
	chmod 755 "$V" "$V/home"
	mail_text 1 'Status: O\nX-UID: 7\n' >"$V/m1"
	mail_text 2 '' >"$V/m2"
	mail_text 3 '' >"$V/m3"
	{ printf 'From a@example.org Thu Nov 26 06:00:01 2026\n'; cat "$V/m1"; echo
	  printf 'From a@example.org Thu Nov 26 06:00:02 2026\n'; cat "$V/m2"; echo; } >"$ANN/mbox"
	cp "$V/m1" "$JOE/Maildir/new/1700000001.M1P1.test"
	cp "$V/m2" "$JOE/Maildir/new/1700000002.M1P1.test"
	cp "$V/m3" "$JOE/Maildir/new/1700000003.M1P1.test"
	chown -R 5031:5031 "$ANN"
	chown -R 5032:5032 "$JOE"
	printf 'ann:5031:5031:%s::{plain}pw-ann\njoe:5032:5032:%s::{plain}pw-joe\n' "$ANN" "$JOE" |
		"$POP3_BIN/vusers-make" - "$V/users.cdb" 2>/dev/null
	PORT=$(free_port)
	# Every option of both exposers, as a mixed site writes them.
	ALL=(-r -H -R -C '~/.pop3cache' -u -x -l dotlock,fcntl -w 2 -t 60 -n 2)
}

teardown() {
	stop_started
}

# mail_text N EXTRA-HEADERS: message N as a delivery agent writes it.
mail_text() {
	printf "From: a@example.org\nTo: u@example.org\nSubject: message %d\nMessage-ID: <%d@test>\n$2\nThis is message %d.\n" "$1" "$1" "$1"
}

# serve EXPOSER ARGS...: the mixed site's chain on $PORT.
serve() {
	start_tcpserver "$PORT" pop3login -d 0 mail.test \
		checkpw -v "$V/users.cdb" -m '%h/mbox' "$@" pop3d
}

# session USER [cmds]: logs in with poplib; prints the answer to PASS,
# STAT, the UIDL ids, RETR 1 (its lines joined by '|'), DELE 2 and QUIT.
session() {
	python3 - "$PORT" "$1" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user(sys.argv[2])
try:
    print(p.pass_("pw-" + sys.argv[2]).decode())
except poplib.error_proto as e:
    print(e.args[0].decode())
    sys.exit(0)
print(p.stat())
print(" ".join(u.decode().split()[1] for u in p.uidl()[1]))
print("|".join(l.decode() for l in p.retr(1)[1]))
print(p.dele(2).decode())
print(p.quit().decode())
PY
}

# RETR 1 as sent, and with -H on an mbox.
retr1_plain='From: a@example.org|To: u@example.org|Subject: message 1|Message-ID: <1@test>|Status: O|X-UID: 7||This is message 1.'
retr1_hidden='From: a@example.org|To: u@example.org|Subject: message 1|Message-ID: <1@test>||This is message 1.'

# The mbox user: -H hid the headers, -R marked message 1 read, DELE 2
# was written back, -C kept the cache at ~/.pop3cache, -u and -x, which
# are the mbox's ways anyway, changed nothing, -n 2 let 2 messages by.
check_ann() {
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	[[ "${lines[1]}" == "(2, "* ]]
	[ "${lines[3]}" = "$retr1_hidden" ]
	[[ "${lines[4]}" == "+OK"* ]]
	[ "${lines[5]}" = "+OK bye, 1 message deleted" ]
	[ "$(grep -c '^From ' "$ANN/mbox")" -eq 1 ]
	grep -q '^Status: RO$' "$ANN/mbox"
	! grep -q '^Subject: message 2$' "$ANN/mbox"
	[ -f "$ANN/.pop3cache" ]
	[ ! -e "$ANN/Maildir" ]
	wait_log 'mboxsplit: indexed user=ann .* messages=2 .*cache=miss'
	! grep -q 'option_ignored' "$BATS_TEST_TMPDIR/log"
}

# The Maildir user: -n 2 listed the oldest two of three, -R flagged
# message 1 seen, DELE 2 unlinked, -H had no effect (logged once), -C
# kept the cache in the Maildir, not at ~/.pop3cache, -u gave header ids.
check_joe() {
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	[[ "${lines[1]}" == "(2, "* ]]
	[ "${lines[3]}" = "$retr1_plain" ]
	[[ "${lines[4]}" == "+OK"* ]]
	[ "${lines[5]}" = "+OK 1 messages deleted" ] || [ "${lines[5]}" = "+OK 1 message deleted" ]
	[ "$(ls "$JOE/Maildir/cur")" = "$(printf '1700000001.M1P1.test:2,S\n1700000003.M1P1.test:2,')" ]
	[ -f "$JOE/Maildir/maildirscan.sizes" ]
	[ ! -e "$JOE/.pop3cache" ]
	[[ "${lines[2]}" != *1700000001* ]]
	wait_log 'maildirscan: scan user=joe messages=2 .* over_limit=1 '
	[ "$(grep -c 'maildirscan: option_ignored option=-H' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
}

@test "mixed: behind the mboxsplit line with every option, the Maildir user gets maildirscan" {
	serve mboxsplit "${ALL[@]}"
	run session joe
	check_joe
	! grep -q 'fatal: usage' "$BATS_TEST_TMPDIR/log"
}

@test "mixed: behind the maildirscan line with every option, the mbox user gets mboxsplit" {
	serve maildirscan "${ALL[@]}"
	run session ann
	check_ann
	! grep -q 'fatal: usage' "$BATS_TEST_TMPDIR/log"
}

@test "mixed: each behind its own kind's line, the same effects" {
	serve mboxsplit "${ALL[@]}"
	run session ann
	check_ann
	stop_started
	: >"$BATS_TEST_TMPDIR/log"
	PORT=$(free_port)
	serve maildirscan "${ALL[@]}"
	run session joe
	check_joe
}

@test "mixed: -u gives a message the same id in an mbox and in a Maildir" {
	serve mboxsplit -u
	run session ann
	[ "$status" -eq 0 ]
	local ann_ids=${lines[2]}
	run session joe
	[ "$status" -eq 0 ]
	# message 1 is the same text in both: the same UIDL
	[ "${ann_ids%% *}" = "${lines[2]%% *}" ]
	[[ "${ann_ids%% *}" != *1700000001* ]]
}

@test "mixed: without -u the Maildir id is the file's unique name" {
	serve mboxsplit
	run session joe
	[ "$status" -eq 0 ]
	[ "${lines[2]%% *}" = "1700000001.M1P1.test" ]
}

@test "mixed: -x: a second Maildir session is refused; the mbox is alone anyway" {
	serve mboxsplit -x -w 1
	run python3 - "$PORT" <<'PY'
import poplib, sys
port = int(sys.argv[1])
for user in ("joe", "ann"):
    first = poplib.POP3("127.0.0.1", port, timeout=10)
    first.user(user)
    first.pass_("pw-" + user)
    second = poplib.POP3("127.0.0.1", port, timeout=10)
    second.user(user)
    try:
        print(second.pass_("pw-" + user).decode())
    except poplib.error_proto as e:
        print(e.args[0].decode())
    print(first.quit().decode())
PY
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "-ERR [IN-USE] mailbox in use by another session" ]
	[ "${lines[2]}" = "-ERR [IN-USE] mailbox in use by another session" ]
}

@test "mixed: -w waits for a held dotlock on the mbox; the Maildir user waits for none" {
	sleep 30 &
	local holder=$!
	echo "$holder" >>"$BATS_TEST_TMPDIR/pids"
	echo "$holder" >"$ANN/mbox.lock"
	serve maildirscan -w 3
	# let go once the session is surely waiting, well within -w
	(sleep 1.2; rm -f "$ANN/mbox.lock") &
	run session ann
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	wait_log 'mboxsplit: lock_waited'
	local t0=$SECONDS
	run session joe
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	[ $((SECONDS - t0)) -le 1 ]
	[ "$(grep -c 'lock_waited' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
}

@test "mixed: -w bounds the wait: a dotlock held throughout gives -ERR [SYS/TEMP]" {
	sleep 30 &
	local holder=$!
	echo "$holder" >>"$BATS_TEST_TMPDIR/pids"
	echo "$holder" >"$ANN/mbox.lock"
	serve maildirscan -w 1
	local t0=$SECONDS
	run session ann
	[ "${lines[0]}" = "-ERR [SYS/TEMP] temporary failure, try again later" ]
	[ $((SECONDS - t0)) -ge 1 ]
	wait_log 'mboxsplit: fatal: mailbox .* is locked by another program'
	rm -f "$ANN/mbox.lock"
}

@test "mixed: -t: a pid-less dotlock older than -t is stale and removed; the Maildir has none" {
	: >"$ANN/mbox.lock"
	touch -d '-120 seconds' "$ANN/mbox.lock"
	serve maildirscan -t 60 -w 1
	run session ann
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	wait_log 'mboxsplit: stale_lock path=.*mbox.lock .*action=removed'
	[ ! -e "$ANN/mbox.lock" ]
	run session joe
	[[ "${lines[0]}" == "+OK"* ]]
	[ "$(grep -c 'stale_lock' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
}

@test "mixed: -n refuses an mbox over the limit and lists a Maildir's oldest" {
	{ printf 'From a@example.org Thu Nov 26 06:00:03 2026\n'; cat "$V/m3"; echo; } >>"$ANN/mbox"
	serve mboxsplit -n 2
	run session ann
	[ "${lines[0]}" = "-ERR [SYS/PERM] login failed" ]
	wait_log 'mboxsplit: fatal: .*mbox has more than 2 messages'
	run session joe
	[[ "${lines[1]}" == "(2, "* ]]
	wait_log 'maildirscan: scan user=joe messages=2 .* over_limit=1 '
}

@test "mixed: -R and -H without the rest: read/seen on both kinds, headers hidden on the mbox only" {
	serve maildirscan -R -H
	run session ann
	[ "${lines[3]}" = "$retr1_hidden" ]
	grep -q '^Status: RO$' "$ANN/mbox"
	run session joe
	[ "${lines[3]}" = "$retr1_plain" ]
	[ -f "$JOE/Maildir/cur/1700000001.M1P1.test:2,S" ]
	[ "$(grep -c 'option_ignored option=-H' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
}

@test "mixed: old spellings behind mboxsplit: -s (now -H) and -c FILE (now -C) warn, and reach maildirscan as -H and -C" {
	serve mboxsplit -s -c '~/.pop3cache'
	run session ann
	[ "${lines[3]}" = "$retr1_hidden" ]
	[ -f "$ANN/.pop3cache" ]
	wait_log 'mboxsplit: warning: -s is now -H (hide bookkeeping headers); -s goes in the next release'
	wait_log 'mboxsplit: warning: -c FILE is now -C FILE (index cache); -c goes in the next release'
	: >"$BATS_TEST_TMPDIR/log"
	run session joe
	[ "${lines[3]}" = "$retr1_plain" ]
	# -s was mboxsplit's "hide", not maildirscan's old "seen"
	[ -f "$JOE/Maildir/cur/1700000001.M1P1.test:2," ]
	[ -f "$JOE/Maildir/maildirscan.sizes" ]
	wait_log 'maildirscan: option_ignored option=-H'
	[ "$(grep -c 'warning: -s' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
	! grep -q 'maildirscan: warning' "$BATS_TEST_TMPDIR/log"
}

@test "mixed: old spellings behind maildirscan: -s (now -R) and -c (now -C) warn, and reach mboxsplit as -R" {
	serve maildirscan -s -c
	run session joe
	[ -f "$JOE/Maildir/cur/1700000001.M1P1.test:2,S" ]
	[ -f "$JOE/Maildir/maildirscan.sizes" ]
	wait_log 'maildirscan: warning: -s is now -R (mark retrieved mail seen); -s goes in the next release'
	wait_log 'maildirscan: warning: -c is now -C FILE'
	: >"$BATS_TEST_TMPDIR/log"
	run session ann
	# -s was maildirscan's "seen", not mboxsplit's old "hide"
	[ "${lines[3]}" = "$retr1_plain" ]
	grep -q '^Status: RO$' "$ANN/mbox"
	# the old -c named no mbox cache file: none is kept
	wait_log 'mboxsplit: indexed user=ann .*cache=off'
	[ "$(grep -c 'warning: -s' "$BATS_TEST_TMPDIR/log")" -eq 1 ]
	! grep -q 'mboxsplit: warning' "$BATS_TEST_TMPDIR/log"
}

@test "mixed: a bad option is refused for every user, whatever their kind" {
	serve mboxsplit -l flock
	run session joe
	[ "${lines[0]}" = "-ERR [SYS/PERM] login failed" ]
	run session ann
	[ "${lines[0]}" = "-ERR [SYS/PERM] login failed" ]
	wait_log 'usage: mboxsplit'
}
