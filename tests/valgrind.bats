#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Every program of the chain under valgrind (memcheck): a whole session
# through pop3login, checkpw, each exposer and pop3d, plus hostcheck, with
# --trace-children so that each exec'd link is checked too.  Any invalid
# read or write, use of uninitialised memory or definite leak makes
# valgrind exit 99 and the test fail.  ASan builds cannot run under
# valgrind: under make sanitize these tests use the plain build.
load helpers

setup() {
	BIN=$POP3_BIN
	if [[ $BIN == *build-asan* ]]; then
		BIN=$BATS_TEST_DIRNAME/../build
		# not with the sanitizer build's flags, which make passes down
		env -u MAKEFLAGS -u MFLAGS -u CFLAGS -u LDFLAGS -u STATIC \
			make -s -C "$BATS_TEST_DIRNAME/.." B=build all >/dev/null
	fi
	export PATH="$BIN:$PATH"
	# valgrind replaces malloc only in dynamically linked programs
	[ -d "$BIN/dyn" ] && export PATH="$BIN/dyn:$PATH"
	T=$BATS_TEST_TMPDIR
	# links that run as the user write their reports here too
	mkdir -m 1777 "$T/vg"
	chmod 711 "$BATS_RUN_TMPDIR" "$T"
	# the seccomp filter would bind valgrind itself, which shares the
	# process: the shim keeps it off (tests/confine/noconfine.c)
	VG=(env LD_PRELOAD="$BIN/tests/noconfine.so" valgrind -q --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --trace-children=yes
		--child-silent-after-fork=yes --vgdb=no --log-file="$T/vg/%p")
}

teardown() {
	stop_started
	remove_users
}

# Prints valgrind's reports, if any, for the failure message.
vg_reports() {
	cat "$T"/vg/* 2>/dev/null || true
}

@test "valgrind: mboxsplit + pop3d session with RETR, TOP, DELE, write-back" {
	make_mbox "$T/mbox" 5
	printf 'STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 1\r\nDELE 3\r\nQUIT\r\n' >"$T/in"
	run --separate-stderr "${VG[@]}" env MAILBOX="$T/mbox" mboxsplit pop3d <"$T/in"
	vg_reports
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK 5 messages ("*" octets)"* ]]
	[[ "${lines[-1]}" == "+OK"*"1 message"* ]]
	[ "$(grep -c '^From ' "$T/mbox")" -eq 4 ]
}

@test "valgrind: maildirscan + pop3d session" {
	mkdir -p "$T/md/new" "$T/md/cur" "$T/md/tmp"
	for i in 1 2 3; do
		printf 'Subject: %d\n\nbody %d\n.dot\n' "$i" "$i" >"$T/md/new/100$i.M1P1.host,S=25"
	done
	printf 'STAT\r\nUIDL\r\nRETR 2\r\nDELE 1\r\nQUIT\r\n' >"$T/in"
	run --separate-stderr "${VG[@]}" env MAILBOX="$T/md/" maildirscan pop3d <"$T/in"
	vg_reports
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "+OK 3 messages"* ]]
	[[ "${lines[-1]}" == "+OK"* ]]
	[ "$(ls "$T/md/cur" | wc -l)" -eq 2 ]
}

@test "valgrind: maildirscan with the old servers' ids (UIDL_FORMAT)" {
	mkdir -p "$T/md/new" "$T/md/cur" "$T/md/tmp"
	for i in 1 2 3; do
		printf 'Subject: %d\n\nbody %d\n' "$i" "$i" >"$T/md/cur/100$i.M1P1.host,S=21:2,"
	done
	printf '3 V7 N3 G0\n1 :1001.M1P1.host,S=21\n2 Pold2 :1002.M1P1.host,S=21\nbad\n' \
		>"$T/md/dovecot-uidlist"
	printf '/3 3 7\n1001.M1P1.host,S=21:2, 22 1:7:0\nbad\n' >"$T/md/courierpop3dsizelist"
	printf 'UIDL\r\nQUIT\r\n' >"$T/in"
	for want in "dovecot 0000000100000007 old2 1003.M1P1.host" \
		"courier UID1-7 1002.M1P1.host,S=21 1003.M1P1.host,S=21" \
		"qmail 1001.M1P1.host,S=21 1002.M1P1.host,S=21 1003.M1P1.host,S=21"; do
		run --separate-stderr "${VG[@]}" env UIDL_FORMAT="${want%% *}" MAILBOX="$T/md/" \
			maildirscan pop3d <"$T/in"
		vg_reports
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | tr -d '\r' | sed -n 's/^[123] //p' | tr '\n' ' ')" = "${want#* } " ]
	done
}

@test "valgrind: pop3login (root, privilege split) + checkpw (virtual user) + chain over a socket" {
	local port uidn
	make_user vgpop
	uidn=$(id -u vgpop)
	mkdir -p "$T/home-vgpop/Maildir/"{new,cur,tmp}
	printf 'Subject: hi\n\nhello\n' >"$T/home-vgpop/Maildir/new/1.M1P1.h"
	chown -R vgpop: "$T/home-vgpop"
	printf 'joe:%s:%s:%s:%s/Maildir/:{plain}sesame\n' "$uidn" "$(id -g vgpop)" \
		"$T/home-vgpop" "$T/home-vgpop" >"$T/vusers"
	vusers-make "$T/vusers" "$T/vusers.cdb"
	port=$(free_port)
	# reports go to the chain's log: a link running as the user may not
	# open a file in the test's directory
	start_tcpserver "$port" "${VG[@]/--log-file=*/--log-fd=2}" pop3login -d 0 test.localhost \
		checkpw -v "$T/vusers.cdb" maildirscan pop3d
	run --separate-stderr python3 - "$port" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=60)
	try:
	    p.user("joe"); p.pass_("wrong")
	    raise SystemExit("wrong password accepted")
	except poplib.error_proto:
	    pass
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=60)
	p.user("joe"); p.pass_("sesame")
	print(p.stat())
	print(b"\n".join(p.retr(1)[1]).decode())
	p.quit()
	PY
	echo "$output"
	cat "$BATS_TEST_TMPDIR/log"
	stop_started
	vg_reports
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "(1, 22)" ]
	[ "${lines[2]}" = "hello" ]  # bats drops the empty line
	# no valgrind report from any process of the chain
	! grep -E '^==[0-9]+== ' "$BATS_TEST_TMPDIR/log"
}

@test "valgrind: hostcheck allow and deny" {
	printf 'allow 127.0.0.1\ndeny default\n' >"$T/rules"
	run --separate-stderr env TCPREMOTEIP=127.0.0.1 "${VG[@]}" hostcheck "$T/rules" sh -c 'echo allowed'
	vg_reports
	[ "$status" -eq 0 ]
	[ "$output" = "allowed" ]
	run --separate-stderr env TCPREMOTEIP=192.0.2.1 "${VG[@]}" hostcheck "$T/rules" sh -c 'echo allowed'
	vg_reports
	[ "$status" -eq 1 ]
	[[ "$output" == *"-ERR"* ]]
}
