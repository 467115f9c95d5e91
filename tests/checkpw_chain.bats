#!/usr/bin/env bats
# The whole chain over loopback: tcpserver + pop3login + checkpw +
# maildirscan + pop3d serving two virtual domains from one server (the
# domain from the login, or from the local address the client reached),
# and the same chain with checkpw replaced by a ten-line shell checker.
load helpers
load checkpw_helpers

setup() {
	for p in pop3login maildirscan pop3d checkpw vusers-make; do
		[ -f "$POP3_BIN/$p" ] && [ -x "$POP3_BIN/$p" ] || skip "$p not built yet"
	done
	checkpw_setup
	V=$BATS_TEST_TMPDIR/v
	mkdir -p "$V"
	# Two domains, one local name in each, each with its own spool.
	mk_maildir a.example joe 5011 "message for joe at a"
	mk_maildir b.example joe 5012 "message for joe at b, longer"
	printf 'joe:5011:5011:%s:%s:{plain}pw-a\n' "$V/spool/a.example/joe" \
		"$V/spool/%d/%u/" | "$POP3_BIN/vusers-make" - "$V/a.example.cdb" 2>/dev/null
	printf 'joe:5012:5012:%s:%s:{plain}pw-b\n' "$V/spool/b.example/joe" \
		"$V/spool/%d/%u/" | "$POP3_BIN/vusers-make" - "$V/b.example.cdb" 2>/dev/null
}

teardown() {
	stop_started
	remove_users
	if [ -f "$BATS_TEST_TMPDIR/mboxes" ]; then
		while read -r f; do rm -f "$f" "$f.lock"; done <"$BATS_TEST_TMPDIR/mboxes"
	fi
}

# mk_maildir DOMAIN USER UID TEXT: a Maildir with one message.
mk_maildir() {
	local d=$V/spool/$1/$2 f
	mkdir -p "$d/new" "$d/cur" "$d/tmp"
	f=$d/new/1000.M1P1.test
	printf 'From: x@%s\nSubject: %s\n\n%s\n' "$1" "$4" "$4" >"$f"
	chown -R "$3:$3" "$d"
	# The size a client is told: each LF becomes CR LF.
	echo "$(( $(wc -c <"$f") + $(wc -l <"$f") ))" >"$V/size-$1"
}

# pop3 PORT USER PASS [apop]: logs in with poplib, prints the answers to
# the login and STAT, the message, and QUIT's answer.
pop3() {
	python3 - "$@" <<'EOF'
import poplib, sys
port, user, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
p = poplib.POP3("127.0.0.1", port, timeout=10)
try:
    if len(sys.argv) > 4:
        print(p.apop(user, secret).decode())
    else:
        p.user(user)
        print(p.pass_(secret).decode())
except poplib.error_proto as e:
    print(e.args[0].decode())
    sys.exit(0)
print(p.stat())
resp, lines, octets = p.retr(1)
for l in lines:
    print(l.decode())
print(p.quit().decode())
EOF
}

@test "chain: one server, two virtual domains chosen by the login" {
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -d 0 mail.test \
		checkpw -v "$V/%d.cdb" maildirscan pop3d
	run pop3 "$PORT" joe@a.example pw-a
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK"* ]]
	[ "${lines[1]}" = "(1, $(cat "$V/size-a.example"))" ]
	[ "${lines[3]}" = "Subject: message for joe at a" ]
	run pop3 "$PORT" joe@b.example pw-b
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "Subject: message for joe at b, longer" ]
	run pop3 "$PORT" joe@b.example pw-a
	[ "$output" = "-ERR [AUTH] authentication failed" ]
	wait_log '^checkpw: user=joe@a.example ip=127.0.0.1 backend=virtual result=accept why=ok$'
	wait_log '^checkpw: user=joe@b.example ip=127.0.0.1 backend=virtual result=refuse why=badpass$'
}

@test "chain: the local address picks the domain for a bare name" {
	# A file per local address: the domain is not in the login, so the
	# record names its spool outright.
	printf 'joe:5011:5011:%s:%s/:{plain}pw-a\n' "$V/spool/a.example/joe" \
		"$V/spool/a.example/joe" | "$POP3_BIN/vusers-make" - "$V/127.0.0.1.cdb" 2>/dev/null
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -d 0 mail.test \
		checkpw -v "$V/%i.cdb" maildirscan pop3d
	run pop3 "$PORT" joe pw-a
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "Subject: message for joe at a" ]
}

@test "chain: APOP with a plain secret" {
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -a -d 0 mail.test \
		checkpw -v "$V/%d.cdb" maildirscan pop3d
	run pop3 "$PORT" joe@b.example pw-b apop
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "Subject: message for joe at b, longer" ]
	run pop3 "$PORT" joe@b.example pw-a apop
	[ "$output" = "-ERR [AUTH] authentication failed" ]
}

@test "chain: the same chain with a ten-line shell checker" {
	cat >"$V/checker" <<'EOF'
#!/bin/bash
# checkpassword in ten lines: USER:PASSWORD:UID:GID:HOME:MAILBOX in $V/pw.
IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3; exec 3<&-
while IFS=: read -r -u 4 u p uid gid home mbox; do  # fd 0 is the client
	[ "$u" = "$user" ] && [ "$p" = "$pass" ] || continue
	cd "$home" || exit 111
	exec 4<&- setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		env USER="$u" HOME="$home" SHELL=/bin/false MAILBOX="$mbox" "$@"
done 4<"${0%/*}/pw"
exit 1
EOF
	chmod 755 "$V/checker"
	[ "$(grep -vc '^#!' "$V/checker")" -le 10 ]
	for d in a b; do
		printf 'joe@%s.example:pw-%s:501%s:501%s:%s:%s/\n' $d $d \
			"$([ $d = a ] && echo 1 || echo 2)" "$([ $d = a ] && echo 1 || echo 2)" \
			"$V/spool/$d.example/joe" "$V/spool/$d.example/joe"
	done >"$V/pw"
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -d 0 mail.test "$V/checker" maildirscan pop3d
	run pop3 "$PORT" joe@a.example pw-a
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "Subject: message for joe at a" ]
	run pop3 "$PORT" joe@b.example pw-b
	[ "${lines[3]}" = "Subject: message for joe at b, longer" ]
	run pop3 "$PORT" joe@b.example pw-a
	[ "$output" = "-ERR [AUTH] authentication failed" ]
}

@test "chain: commands pipelined after PASS pass through checkpw unread" {
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -d 0 mail.test \
		checkpw -v "$V/%d.cdb" maildirscan pop3d
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"USER joe@a.example\r\nPASS pw-a\r\nSTAT\r\nQUIT\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode().replace("\r\n", "|\n"))
' "$PORT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[1]}" == "+OK"*"|" ]]
	[[ "${lines[2]}" == "+OK"*"|" ]]
	[ "${lines[3]}" = "+OK 1 $(cat "$V/size-a.example")|" ]
	[[ "${lines[4]}" == "+OK"*"|" ]]
}

@test "chain: a system user's mbox in root:mail /var/mail, dotlocked with -g mail" {
	[ -f "$POP3_BIN/mboxsplit" ] || skip "mboxsplit not built yet"
	[ "$(stat -c %G /var/mail)" = mail ] || skip "/var/mail is not group mail"
	make_user ckpwmbox1
	usermod -p "$(mkhash '$6$' mboxpw)" ckpwmbox1
	MBOX=/var/mail/ckpwmbox1
	echo "$MBOX" >>"$BATS_TEST_TMPDIR/mboxes"
	make_mbox "$MBOX" 2
	chown ckpwmbox1:mail "$MBOX"
	chmod 660 "$MBOX"
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login -d 0 mail.test \
		checkpw -s -g mail -M '' mboxsplit pop3d
	run python3 -c '
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("ckpwmbox1")
p.pass_("mboxpw")
print(p.stat()[0])
p.dele(1)
print(p.quit().decode()[:3])
' "$PORT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = "+OK" ]
	[ "$(grep -c '^From ' "$MBOX")" -eq 1 ]
	grep -q '^Subject: message 2$' "$MBOX"
	[ ! -e "$MBOX.lock" ]
	wait_log '^checkpw: user=ckpwmbox1 ip=127.0.0.1 backend=system result=accept why=ok$'
}
