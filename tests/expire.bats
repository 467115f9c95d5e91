#!/usr/bin/env bats
# EXPIRE enforced (RFC 2449 6.7; lib/expire.h, maildirscan(8),
# mboxsplit(8)): a message retrieved EXPIRE days ago or more is deleted at
# the next QUIT, asked or not; EXPIRE 0 at the QUIT of the session that
# retrieved it; a session without QUIT deletes and records nothing.  The
# exposers with the real pop3d, the time passing played by ageing the
# state file's records, and once through the whole chain with curl.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	MD=$BATS_TEST_TMPDIR/Maildir
	mkdir -p "$MD/cur" "$MD/new" "$MD/tmp"
	for i in 1 2 3; do
		printf 'From: a@example.org\nSubject: m%d\n\nbody %d\n' "$i" "$i" >"$MD/cur/100$i.M1P1.host:2,"
	done
	MB=$BATS_TEST_TMPDIR/mbox
	make_mbox "$MB" 3
	CLIENT=$BATS_TEST_TMPDIR/client.py
	# client.py EXPOSER [OPTION...] -- STEP...: runs "EXPOSER OPTION...
	# pop3d", sends each STEP as a command and prints the first line of
	# each answer ("@eof" hangs up without QUIT).
	cat >"$CLIENT" <<-'PY'
	import subprocess, sys
	sep = sys.argv.index('--')
	p = subprocess.Popen([sys.argv[1]] + sys.argv[2:sep] + ['pop3d'],
	                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
	def answer(multi):
	    first = p.stdout.readline()
	    print(first.decode().rstrip('\r\n'))
	    if multi and first.startswith(b'+OK'):
	        while p.stdout.readline() != b'.\r\n':
	            pass
	answer(False)
	for step in sys.argv[sep + 1:]:
	    if step == '@eof':
	        break
	    p.stdin.write(step.encode() + b'\r\n')
	    p.stdin.flush()
	    word = step.split()[0].upper()
	    answer(word in ('RETR', 'CAPA') or (word in ('UIDL', 'LIST') and ' ' not in step))
	p.stdin.close()
	sys.exit(p.wait())
	PY
}

teardown() {
	stop_started
	remove_users
}

maildir_count() {
	ls "$MD/cur" | wc -l
}

# age FILE SECONDS: every record of state file FILE made SECONDS older.
age() {
	awk -v s="$2" 'NR == 1 { print; next } { $1 = $1 - s; print }' "$1" >"$1.aged"
	mv "$1.aged" "$1"
}

@test "expire: Maildir, EXPIRE=0: what was retrieved goes at this QUIT, undeleted or not; CAPA says EXPIRE 0" {
	EXPIRE=0 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- CAPA "RETR 2" QUIT
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "+OK 1 message deleted" ]
	[ "$(maildir_count)" -eq 2 ]
	! ls "$MD/cur" | grep -q '^1002\.'
	EXPIRE=0 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- CAPA QUIT
	[ "${lines[-1]}" = "+OK 0 messages deleted" ]
	[ "$(maildir_count)" -eq 2 ]
	# pop3d's CAPA after login names the policy that holds
	EXPIRE=0 MAILBOX=$MD/ run --separate-stderr python3 - <<-'PY'
	import subprocess
	p = subprocess.run(['maildirscan', 'pop3d'], input=b'CAPA\r\nQUIT\r\n', capture_output=True)
	print(p.stdout.decode())
	PY
	[[ "$output" = *$'\r\nEXPIRE 0\r\n'* ]]
}

@test "expire: EXPIRE=0, a session that ends without QUIT deletes nothing" {
	EXPIRE=0 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "RETR 1" "RETR 2" @eof
	[ "$(maildir_count)" -eq 3 ]
	[ ! -e "$MD/maildirscan.expire" ]
}

@test "expire: Maildir, EXPIRE=2: retrieval recorded, nothing deleted until two days have passed, then only what was retrieved" {
	EXPIRE=2 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "RETR 1" "RETR 2" QUIT
	[ "${lines[-1]}" = "+OK 0 messages deleted" ]
	[ "$(maildir_count)" -eq 3 ]
	[ "$(head -n 1 "$MD/maildirscan.expire")" = "pop3expire 1" ]
	[ "$(grep -c ' 100[12]\.M1P1\.host$' "$MD/maildirscan.expire")" -eq 2 ]
	now=$(date +%s)
	t=$(awk 'NR == 2 { print $1 }' "$MD/maildirscan.expire")
	[ $((now - t)) -le 5 ]
	# a day later: not yet
	age "$MD/maildirscan.expire" 86400
	EXPIRE=2 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "$(maildir_count)" -eq 3 ]
	# a second retrieval does not move the first one's time
	EXPIRE=2 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "RETR 1" QUIT
	age "$MD/maildirscan.expire" 86400
	EXPIRE=2 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "${lines[0]%% *}" = "+OK" ]
	[ "${lines[-1]}" = "+OK 2 messages deleted" ]
	[ "$(ls "$MD/cur")" = "1003.M1P1.host:2," ]
	# the expired ones are out of the state once gone
	EXPIRE=2 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ ! -e "$MD/maildirscan.expire" ]
}

@test "expire: Maildir, a client's own DELE and EXPIRE together; NEVER and no EXPIRE keep everything and leave the state alone" {
	EXPIRE=1 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "RETR 1" "RETR 2" QUIT
	cp "$MD/maildirscan.expire" "$BATS_TEST_TMPDIR/state"
	age "$MD/maildirscan.expire" 90000
	cp "$MD/maildirscan.expire" "$BATS_TEST_TMPDIR/aged"
	EXPIRE=NEVER MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "RETR 3" QUIT
	MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "$(maildir_count)" -eq 3 ]
	cmp "$MD/maildirscan.expire" "$BATS_TEST_TMPDIR/aged"
	EXPIRE=1 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- "DELE 3" QUIT
	[ "${lines[-1]}" = "+OK 3 messages deleted" ]
	[ "$(maildir_count)" -eq 0 ]
}

@test "expire: a damaged or foreign state file loses the policy, never a message not due" {
	printf 'garbage\n1 1001.M1P1.host\n' >"$MD/maildirscan.expire"
	EXPIRE=1 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "$(maildir_count)" -eq 3 ]
	printf 'pop3expire 1\n1 1001.M1P1.host\nx1 1002.M1P1.host\n1 bad\xffuid\n1 1003.M1P1' >"$MD/maildirscan.expire"
	EXPIRE=1 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "${lines[-1]}" = "+OK 1 message deleted" ]
	[ "$(maildir_count)" -eq 2 ]
	ls "$MD/cur" | grep -q '^1002\.'
	ls "$MD/cur" | grep -q '^1003\.'
	# a record in the future (the clock set back) is not due
	printf 'pop3expire 1\n%s 1002.M1P1.host\n' $(( $(date +%s) + 86400 * 10 )) >"$MD/maildirscan.expire"
	EXPIRE=1 MAILBOX=$MD/ run --separate-stderr python3 "$CLIENT" maildirscan -- STAT QUIT
	[ "$(maildir_count)" -eq 2 ]
}

@test "expire: mbox with -C: times beside the cache, due messages cut out by the write-back, the rest byte for byte" {
	C=$BATS_TEST_TMPDIR/cache/idx
	mkdir -p "$(dirname "$C")"
	EXPIRE=3 run --separate-stderr python3 "$CLIENT" mboxsplit -m "$MB" -C "$C" -- "RETR 1" "RETR 3" QUIT
	[ "$status" -eq 0 ]
	[ "$(grep -c '^From ' "$MB")" -eq 3 ]
	[ "$(sed -n 1p "$C.expire")" = "pop3expire 1" ]
	[ "$(wc -l <"$C.expire")" -eq 3 ]
	age "$C.expire" $((3 * 86400))
	make_mbox "$BATS_TEST_TMPDIR/want" 3
	EXPIRE=3 run --separate-stderr python3 "$CLIENT" mboxsplit -m "$MB" -C "$C" -- STAT QUIT
	[ "${lines[-1]}" = "+OK bye, 2 messages deleted" ]
	[ "$(grep -c '^From ' "$MB")" -eq 1 ]
	grep -q '^Subject: message 2$' "$MB"
	# what is left is message 2 exactly as it was
	awk '/^From /{n++} n == 2' "$BATS_TEST_TMPDIR/want" | cmp - "$MB"
}

@test "expire: mbox without -C: EXPIRE=0 still acts, EXPIRE=2 has nowhere to keep times and says so" {
	EXPIRE=2 run --separate-stderr python3 "$CLIENT" mboxsplit -m "$MB" -- "RETR 1" QUIT
	[ "$(grep -c '^From ' "$MB")" -eq 3 ]
	[ "${lines[-1]}" = "+OK bye, nothing deleted" ]
	EXPIRE=2 python3 "$CLIENT" mboxsplit -m "$MB" -- "RETR 1" QUIT 2>&1 >/dev/null |
		grep -q 'expire note="no state file: retrieval times not kept"'
	EXPIRE=0 run --separate-stderr python3 "$CLIENT" mboxsplit -m "$MB" -- "RETR 1" QUIT
	[ "${lines[-1]}" = "+OK bye, 1 message deleted" ]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
	! grep -q '^Subject: message 1$' "$MB"
}

@test "expire: EXPIRE that is neither days nor NEVER is refused before a byte is served" {
	EXPIRE=soon MAILBOX=$MD/ run sh -c 'maildirscan pop3d </dev/null 2>&1 >/dev/null'
	[ "$status" -eq 2 ]
	[ "$output" = 'maildirscan: fatal: bad EXPIRE: soon (days, or NEVER)' ]
	EXPIRE=99999 run sh -c "mboxsplit -m '$MB' pop3d </dev/null 2>&1 >/dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" = *'bad EXPIRE: 99999'* ]]
}

@test "expire: through the whole chain, a hostcheck rule's EXPIRE=0: curl retrieves message 1 without DELE, and it is gone after its QUIT" {
	chain_user pexpire1 'expire word' 3
	MB=$HOMEDIR/mbox
	serve_rules 'allow default EXPIRE=0\n'
	run curl -s "pop3://pexpire1:expire%20word@127.0.0.1:$PORT/1"
	[ "$status" -eq 0 ]
	[[ "$output" = *"Subject: message 1"* ]]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
	! grep -q '^Subject: message 1$' "$MB"
	# the list is what is left; before login CAPA said the policy
	run curl -s "pop3://pexpire1:expire%20word@127.0.0.1:$PORT/"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
	run python3 -c '
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
print(p.capa().get("EXPIRE"))
p.quit()' "$PORT"
	[ "$output" = "['0']" ]
	grep -q 'mboxsplit: expire days=0 expired=1 recorded=1' "$BATS_TEST_TMPDIR/log"
}
