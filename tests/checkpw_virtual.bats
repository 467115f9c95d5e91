#!/usr/bin/env bats
# checkpw -v: virtual users from cdb files compiled by vusers-make, one
# file per domain chosen by the login's domain, TCPLOCALHOST or
# TCPLOCALIP; plain secrets with APOP; every hash method; templates.
load helpers
load checkpw_helpers

setup() {
	checkpw_setup
	V=$BATS_TEST_TMPDIR/v
	mkdir -p "$V/a" "$V/b"
	chown 5001:5001 "$V/a"
	chown 5002:5002 "$V/b"
	unset TCPLOCALHOST TCPLOCALIP
	export TCPREMOTEIP=127.0.0.3
	cat >"$V/a.example.src" <<EOF
# domain a.example
joe:5001:5001:$V/a:/var/spool/popmail/%1/%d/%u:{plain}tanstaaf
ann:5001:5001:$V/a:%h/Maildir/:$(mkhash '$6$' annpw)
locked:5001:5001:$V/a::!$(mkhash '$6$' lockpw)
root:0:0:$V/a::{plain}rootpw
wheel:5001:0:$V/a::{plain}wheelpw
EOF
	cat >"$V/b.example.src" <<EOF
joe:5002:5002:$V/b::{plain}other:pw
EOF
	"$POP3_BIN/vusers-make" "$V/a.example.src" "$V/a.example.cdb" 2>/dev/null
	"$POP3_BIN/vusers-make" "$V/b.example.src" "$V/b.example.cdb" 2>/dev/null
}

teardown() {
	stop_started
	remove_users
}

@test "virtual: user@domain picks the domain's file; exact environment" {
	creds joe@A.Example tanstaaf
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$err" = "checkpw: user=joe@A.Example ip=127.0.0.3 backend=virtual result=accept why=ok" ]
	[ "$(cat "$V/a/out")" = "uid=5001 gid=5001 groups=5001 
USER=joe@a.example
HOME=$V/a
SHELL=/bin/false
MAILBOX=/var/spool/popmail/j/a.example/joe
PWD=$V/a
ARGS=" ]
}

@test "virtual: the same name in two domains is two users" {
	creds joe@b.example other:pw
	ck -g mail -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "$(printf 'Groups:\t5002 ')" "$V/b/status"
	mail=$(getent group mail | cut -d: -f3)
	printf -v want 'Gid:\t5002\t%s\t%s\t%s' "$mail" "$mail" "$mail"
	grep -qx "$want" "$V/b/status"
	grep -qx "MAILBOX=/var/mail/joe" "$V/b/out"
	creds joe@b.example tanstaaf
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe@b.example ip=127.0.0.3 backend=virtual result=refuse why=badpass" ]
}

@test "virtual: TCPLOCALHOST picks the domain for a bare name" {
	creds joe other:pw
	TCPLOCALHOST=B.example ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "USER=joe@b.example" "$V/b/out"
	TCPLOCALHOST=../b.example ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe ip=127.0.0.3 backend=virtual result=unknown why=no-domain" ]
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe ip=127.0.0.3 backend=virtual result=unknown why=no-domain" ]
}

@test "virtual: TCPLOCALIP picks the file with %i" {
	cp "$V/b.example.cdb" "$V/127.0.0.44.cdb"
	creds joe other:pw
	TCPLOCALIP=127.0.0.44 ck -v "$V/%i.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "HOME=$V/b" "$V/b/out"
	TCPLOCALIP=127.0.0.45 ck -v "$V/%i.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe ip=127.0.0.3 backend=virtual result=unknown why=no-such-file" ]
}

# %i refused every IPv6 address (a ':' is not allowed in a name), so a
# server listening on IPv6 served no virtual user by address.
@test "virtual: %i works for an IPv6 TCPLOCALIP, and a non-address is refused" {
	cp "$V/b.example.cdb" "$V/2001:db8::44.cdb"
	creds joe other:pw
	TCPLOCALIP=2001:db8::44 ck -v "$V/%i.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "HOME=$V/b" "$V/b/out"
	cp "$V/b.example.cdb" "$V/x:y.cdb"
	TCPLOCALIP=x:y ck -v "$V/%i.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe ip=127.0.0.3 backend=virtual result=unknown why=no-domain" ]
}

@test "virtual: one file keyed by whole logins" {
	printf 'joe@a.example:5001:5001:%s::{plain}one\njoe:5002:5002:%s::{plain}two\n' \
		"$V/a" "$V/b" >"$V/all.src"
	"$POP3_BIN/vusers-make" "$V/all.src" "$V/all.cdb" 2>/dev/null
	creds joe@A.EXAMPLE one
	ck -v "$V/all.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "HOME=$V/a" "$V/a/out"
	creds joe two
	TCPLOCALHOST=mail.example ck -v "$V/all.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "USER=joe" "$V/b/out"
	creds joe one
	ck -v "$V/all.cdb" "$PROG"
	[ "$status" -eq 1 ]
}

@test "virtual: APOP against a plain secret (RFC 1939 example)" {
	ts='<1896.697170952@dbc.mtview.ca.us>'
	creds joe@a.example c4c9334bac560ecc979e58001b3e22fb "$ts"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	creds joe@a.example C4C9334BAC560ECC979E58001B3E22FB "$ts"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	creds joe@a.example c4c9334bac560ecc979e58001b3e22fa "$ts"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe@a.example ip=127.0.0.3 backend=virtual result=refuse why=badpass" ]
	creds joe@a.example c4c9334bac560ecc979e58001b3e22fb '<other@host>'
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
}

@test "virtual: APOP needs a plain secret (a hashed user is refused)" {
	ts='<1.2@host>'
	creds ann@a.example "$(printf '%s%s' "$ts" annpw | md5sum | cut -c1-32)" "$ts"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=ann@a.example ip=127.0.0.3 backend=virtual result=refuse why=badpass" ]
}

# cram USER DIGEST CHALLENGE [METHOD]: a CRAM-MD5 block, four fields.
cram() {
	printf '%s\0%s\0%s\0%s\0' "$1" "$2" "$3" "${4:-cram-md5}" >"$BATS_TEST_TMPDIR/creds"
}

@test "virtual: CRAM-MD5 against a plain secret; no password taken for it" {
	ch='<1896.697170952@postoffice.reston.mci.net>'
	cram joe@a.example 85a2deaeb5209b0f54d40759dacc24c4 "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	[ "$err" = "checkpw: user=joe@a.example ip=127.0.0.3 backend=virtual result=accept why=ok" ]
	cram joe@a.example 85A2DEAEB5209B0F54D40759DACC24C4 "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	cram joe@a.example 85a2deaeb5209b0f54d40759dacc24c5 "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe@a.example ip=127.0.0.3 backend=virtual result=refuse why=badpass" ]
	cram joe@a.example 85a2deaeb5209b0f54d40759dacc24c4 '<other@host>'
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	# the APOP digest of the same challenge is no CRAM-MD5 answer
	cram joe@a.example "$(printf '%s%s' "$ch" tanstaaf | md5sum | cut -c1-32)" "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	cram joe@a.example tanstaaf "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
}

@test "virtual: CRAM-MD5 needs a plain secret; an unknown method is refused" {
	ch='<1.2@host>'
	cram ann@a.example "$(python3 -c 'import hmac,hashlib,sys; print(hmac.new(b"annpw", sys.argv[1].encode(), hashlib.md5).hexdigest())' "$ch")" "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=ann@a.example ip=127.0.0.3 backend=virtual result=refuse why=cram-needs-plain" ]
	cram joe@a.example tanstaaf '' xoauth9
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe@a.example ip=127.0.0.3 backend=- result=refuse why=method" ]
	cram nobody@a.example 85a2deaeb5209b0f54d40759dacc24c4 "$ch"
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=nobody@a.example ip=127.0.0.3 backend=virtual result=unknown why=unknown" ]
}

@test "virtual: a password sent with a timestamp still works" {
	creds joe@a.example tanstaaf '<1.2@host>'
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
}

@test "virtual: every hash method; mailbox template with %h" {
	for p in '$y$' '$6$' '$5$' '$1$' '$2b$' des; do
		echo "u:5001:5001:$V/a:%h/Maildir/:$(mkhash "$p" "pw$p")" >"$V/h.src"
		"$POP3_BIN/vusers-make" "$V/h.src" "$V/h.cdb" 2>/dev/null
		creds u "pw$p"
		ck -v "$V/h.cdb" "$PROG"
		[ "$status" -eq 0 ] || { echo "method $p: $err"; return 1; }
		grep -qx "MAILBOX=$V/a/Maildir/" "$V/a/out"
		creds u "pw$p-"
		ck -v "$V/h.cdb" "$PROG"
		[ "$status" -eq 1 ] || { echo "method $p accepts a wrong password"; return 1; }
	done
}

@test "virtual: locked, unknown user, unknown domain" {
	creds locked@a.example lockpw
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=locked@a.example ip=127.0.0.3 backend=virtual result=refuse why=locked" ]
	creds nobody@a.example x
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=nobody@a.example ip=127.0.0.3 backend=virtual result=unknown why=unknown" ]
	creds joe@c.example x
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=joe@c.example ip=127.0.0.3 backend=virtual result=unknown why=no-such-file" ]
}

@test "virtual: an unreadable database is a temporary failure" {
	mkdir "$V/d.example.cdb"
	creds joe@d.example x
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 111 ]
	[ "$err" = "checkpw: user=joe@d.example ip=127.0.0.3 backend=virtual result=temp why=db-unreadable" ]
}

@test "virtual: uid 0 refused unless -r" {
	creds root@a.example rootpw
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=root@a.example ip=127.0.0.3 backend=virtual result=refuse why=root" ]
	[ ! -e "$V/a/out" ]
	ck -r -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -q '^uid=0 gid=0 groups=0 $' "$V/a/out"
}

@test "virtual: gid 0 refused unless -r" {
	creds wheel@a.example wheelpw
	ck -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=wheel@a.example ip=127.0.0.3 backend=virtual result=refuse why=root" ]
	ck -r -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	grep -q '^uid=5001 gid=0 groups=0 $' "$V/a/out"
}

@test "virtual: traversal through the domain never opens a file" {
	for name in 'joe@..' 'joe@../a.example' 'joe@a.example/../a.example' '../a.example/joe'; do
		creds "$name" tanstaaf
		ck -v "$V/%d.cdb" "$PROG"
		[ "$status" -eq 1 ]
		[[ "$err" == *"backend=- result=refuse why=badname" ]]
	done
}

@test "virtual: backends in order, system then virtual" {
	make_user ckpwvirt1
	usermod -p "$(mkhash '$6$' syspw)" ckpwvirt1
	creds joe@a.example tanstaaf
	ck -s -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	[ "$err" = "checkpw: user=joe@a.example ip=127.0.0.3 backend=virtual result=accept why=ok" ]
	creds ckpwvirt1 syspw
	ck -s -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 0 ]
	[ "$err" = "checkpw: user=ckpwvirt1 ip=127.0.0.3 backend=system result=accept why=ok" ]
	creds ckpwvirt1 wrong
	ck -s -v "$V/%d.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=ckpwvirt1 ip=127.0.0.3 backend=system result=refuse why=badpass" ]
}

@test "vusers-make: a bad line or a repeated name leaves the target as it was" {
	before=$(md5sum <"$V/a.example.cdb")
	printf 'ok:1:1:/h::{plain}x\nbad:1:1:relative::{plain}x\n' >"$V/bad.src"
	run "$POP3_BIN/vusers-make" "$V/bad.src" "$V/a.example.cdb"
	[ "$status" -eq 2 ]
	[ "$output" = "vusers-make: fatal: $V/bad.src:2: malformed line (want NAME:UID:GID:HOME:MAILBOX:SECRET)" ]
	printf 'x:1:1:/h::{plain}x\nx:1:1:/h::{plain}y\n' >"$V/dup.src"
	run "$POP3_BIN/vusers-make" "$V/dup.src" "$V/a.example.cdb"
	[ "$status" -eq 2 ]
	[ "$output" = "vusers-make: fatal: $V/dup.src:2: x given twice" ]
	[ "$(md5sum <"$V/a.example.cdb")" = "$before" ]
	[ -z "$(find "$V" -name '*.tmp.*')" ]
}

@test "vusers-make: replaces the target by rename, mode 0600, stdin source" {
	ino=$(stat -c %i "$V/a.example.cdb")
	run "$POP3_BIN/vusers-make" - "$V/a.example.cdb" <"$V/b.example.src"
	[ "$status" -eq 0 ]
	[ "$output" = "vusers-make: target=$V/a.example.cdb users=1" ]
	[ "$(stat -c %i "$V/a.example.cdb")" != "$ino" ]
	[ "$(stat -c %a "$V/a.example.cdb")" = 600 ]
	[ "$(cdb -q "$V/a.example.cdb" joe)" = "5002:5002:$V/b::{plain}other:pw" ]
}

@test "vusers-make: CR LF line ends are read as LF" {
	printf 'crlf:5001:5001:%s::{plain}dospw\r\n' "$V/a" >"$V/dos.src"
	"$POP3_BIN/vusers-make" "$V/dos.src" "$V/dos.cdb" 2>/dev/null
	[ "$(cdb -q "$V/dos.cdb" crlf)" = "5001:5001:$V/a::{plain}dospw" ]
	creds crlf dospw
	ck -v "$V/dos.cdb" "$PROG"
	[ "$status" -eq 0 ]
}

@test "vusers-make: the first hash becomes the dummy for unknown users" {
	h=$(mkhash '$5$' x)
	printf 'a:1:1:/h::{plain}p\nb:1:1:/h::%s\nc:1:1:/h::%s\n' "$h" "$(mkhash '$6$' y)" >"$V/d.src"
	"$POP3_BIN/vusers-make" "$V/d.src" "$V/d.cdb" 2>/dev/null
	[ "$(cdb -q "$V/d.cdb" ' dummy')" = "$h" ]
}
