#!/usr/bin/env bats
# mboxsplit beside procmail: concurrent deliveries and sessions lose,
# duplicate and alter nothing; and the Debian spool layout (root:mail
# 2775) works for a user who has only the mail group, as checkpw -g mail
# leaves him.
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	command -v procmail >/dev/null || skip "procmail not installed"
	cd "$BATS_TEST_TMPDIR"
	SPOOL=
}

teardown() {
	stop_started
	remove_users
	[ -z "$SPOOL" ] || rm -rf "$SPOOL"
}

@test "procmail delivering in loops while sessions delete: every message deleted once or present once, byte-identical" {
	run python3 "$BATS_TEST_DIRNAME/mbox_procmail.py" "$BATS_TEST_TMPDIR/pm" 3 25 2
	echo "$output"
	echo "# ${output##*$'\n'}" >&3
	[ "$status" -eq 0 ]
	[[ "$output" == *"delivered=75 "*" problems=0" ]]
	[[ "$output" != *" deleted=0 "* ]]
	[[ "$output" != *" ok=0 "* ]]
}

# A /var/mail-like spool with USER's mailbox in it, owned USER:mail 0660.
make_spool() {
	make_user mboxtest1
	SPOOL=$(mktemp -d /tmp/mboxspool.XXXXXX)
	chmod 755 "$SPOOL"
	mkdir "$SPOOL/mail"
	chown root:mail "$SPOOL/mail"
	chmod 2775 "$SPOOL/mail"
	MB=$SPOOL/mail/mboxtest1
	make_mbox "$MB" 4
	chown mboxtest1:mail "$MB"
	chmod 0660 "$MB"
}

as_user() {
	setpriv --reuid=mboxtest1 --regid="$(id -g mboxtest1)" "$@"
}

@test "Debian spool root:mail 2775: with the mail group the user locks and writes back; owner, group and mode kept" {
	make_spool
	make_mbox expect 4
	python3 -c 'd=open("expect","rb").read(); i=d.index(b"\nFrom ",1)+1
open("expect","wb").write(d[i:])'
	FAKE_DELE=1 run --separate-stderr as_user --groups="$(getent group mail | cut -d: -f3)" \
		env MAILBOX="$MB" mboxsplit "$FAKE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, 1 message deleted" ]
	cmp "$MB" expect
	[ "$(stat -c '%U %G %a' "$MB")" = "mboxtest1 mail 660" ]
	[ "$(ls -A "$SPOOL/mail")" = mboxtest1 ]
}

@test "Debian spool without the mail group: no dotlock can be made, exit 111, mailbox untouched" {
	make_spool
	cp "$MB" orig
	FAKE_DELE=1 run --separate-stderr as_user --clear-groups env MAILBOX="$MB" mboxsplit "$FAKE"
	[ "$status" -eq 111 ]
	[[ "$stderr" == "mboxsplit: fatal: cannot lock $MB: Permission denied" ]]
	cmp "$MB" orig
}
