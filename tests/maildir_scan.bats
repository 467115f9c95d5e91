#!/usr/bin/env bats
# maildirscan's scan list and write-back, driven by a stand-in for pop3d
# that records fd 4, runs a hook (another program touching the Maildir
# mid-session), sends a report on fd 5 and records the answer.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	MD=$BATS_TEST_TMPDIR/Maildir
	mkdir -p "$MD/cur" "$MD/new" "$MD/tmp"
	FAKE=$BATS_TEST_TMPDIR/fakepop3d
	cat >"$FAKE" <<'SH'
#!/bin/sh
cat <&4 >"$OUT/list"
[ -n "$FAKE_HOOK" ] && sh -c "$FAKE_HOOK"
printf "${FAKE_REPORT-.\n}" >&5
# A real pop3d reads the answer only after its ".".
case "${FAKE_REPORT-.\n}" in
*'.\n') IFS= read -r ans <&5 && printf '%s\n' "$ans" >"$OUT/answer" ;;
esac
exit 0
SH
	chmod +x "$FAKE"
	export OUT=$BATS_TEST_TMPDIR
	export MAILBOX=$MD/
	unset FAKE_HOOK FAKE_REPORT
}

teardown() {
	stop_started
	remove_users
}

# Ordinary users must reach their homes under the test's tmp dir.
let_users_in() {
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# msg FILE TEXT: writes TEXT (printf format) as a message file.
msg() {
	printf "$2" >"$MD/$1"
}

@test "maildir: scan list of qmail, Courier and Dovecot names, delivery order, new/ moved to cur/" {
	msg 'new/1700000300.4321.host' 'From: q\nSubject: qmail\n\nbody\n'
	msg 'cur/1700000100.M20P11V00000803I0000ab1e_0.host,S=31:2,S' 'From: c\r\nSubject: courier\r\n\r\nbody'
	msg 'cur/1700000200.M9P12.host,S=2,W=77:2,RS' 'xx'
	msg 'cur/1700000200.M10P12.host,S=3:2,' 'a\nb'
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	cat "$OUT/list"
	[ "$(cat "$OUT/list")" = "pop3scan 1 4 151
35 1700000100.M20P11V00000803I0000ab1e_0.host cur/1700000100.M20P11V00000803I0000ab1e_0.host,S=31:2,S
77 1700000200.M9P12.host cur/1700000200.M9P12.host,S=2,W=77:2,RS
6 1700000200.M10P12.host cur/1700000200.M10P12.host,S=3:2,
33 1700000300.4321.host cur/1700000300.4321.host:2," ]
	[ "$(ls "$MD/new")" = "" ]
	[ -f "$MD/cur/1700000300.4321.host:2," ]
	[ "$(cat "$OUT/answer")" = "+OK 0 messages deleted" ]
}

@test "maildir: sizes are msgfilter's CR LF counts (bare CR, CR LF, no final LF, empty)" {
	msg 'cur/1.a' 'a\rb\nc\r\n'
	msg 'cur/2.b' ''
	msg 'cur/3.c' '\n\n'
	msg 'cur/4.d' 'no newline at all'
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/list")" = "pop3scan 1 4 31
8 1.a cur/1.a
0 2.b cur/2.b
4 3.c cur/3.c
19 4.d cur/4.d" ]
}

@test "maildir: dotfiles, symlinks, directories and names with spaces are not listed" {
	msg 'cur/1.ok' 'x\n'
	msg 'cur/.hidden' 'x\n'
	msg 'cur/2.with space' 'x\n'
	ln -s /etc/passwd "$MD/cur/3.link"
	ln -s /etc/passwd "$MD/new/4.link"
	mkdir "$MD/cur/5.dir"
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/list")" = "pop3scan 1 1 3
3 1.ok cur/1.ok" ]
	[ -L "$MD/new/4.link" ]
}

@test "maildir: tmp/ files untouched for 36 hours are removed, younger ones kept" {
	msg 'tmp/old' 'x'
	msg 'tmp/young' 'x'
	touch -d '37 hours ago' "$MD/tmp/old"
	touch -d '35 hours ago' "$MD/tmp/young"
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/tmp")" = "young" ]
}

@test "maildir: deletions are unlinked after the report, retrieved kept, answer +OK" {
	msg 'cur/1.a:2,' 'a\n'
	msg 'cur/2.b:2,' 'b\n'
	msg 'cur/3.c:2,' 'c\n'
	FAKE_REPORT='D 1\nR 2\nD 3\n.\n' run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/cur")" = "2.b:2," ]
	[ "$(cat "$OUT/answer")" = "+OK 2 messages deleted" ]
}

@test "maildir: -R marks retrieved messages seen by rename, flags in order" {
	msg 'cur/1.a:2,' 'a\n'
	msg 'cur/2.b:2,RT' 'b\n'
	msg 'cur/3.c' 'c\n'
	FAKE_REPORT='R 1\nR 2\nR 3\n.\n' run maildirscan -R "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/cur" | tr '\n' ' ')" = "1.a:2,S 2.b:2,RST 3.c:2,S " ]
}

@test "maildir: the old -s still marks seen, with a warning that names -R" {
	msg 'cur/1.a:2,' 'a\n'
	FAKE_REPORT='R 1\n.\n' run --separate-stderr maildirscan -s "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/cur")" = "1.a:2,S" ]
	[[ "$stderr" == *"maildirscan: warning: -s is now -R (mark retrieved mail seen)"* ]]
}

@test "maildir: a message renamed mid-session (flags changed) is still deleted; one removed counts as gone" {
	msg 'cur/1.a:2,' 'a\n'
	msg 'cur/2.b:2,' 'b\n'
	msg 'cur/3.c:2,' 'c\n'
	FAKE_HOOK="mv '$MD/cur/1.a:2,' '$MD/cur/1.a:2,FS'; rm '$MD/cur/2.b:2,'" \
	FAKE_REPORT='D 1\nD 2\n.\n' run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/cur")" = "3.c:2," ]
	[ "$(cat "$OUT/answer")" = "+OK 2 messages deleted" ]
	grep -q 'commit deleted=1 gone=1 failed=0' <<<"$output"
}

@test "maildir: no report, a truncated one or a bad one changes nothing" {
	msg 'cur/1.a:2,' 'a\n'
	FAKE_REPORT='D 1\n' run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	FAKE_REPORT='' run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	FAKE_REPORT='D 2\n.\n' run maildirscan "$FAKE"
	FAKE_REPORT='D 1\nD 1\n.\n' run maildirscan "$FAKE"
	[ -f "$MD/cur/1.a:2," ]
	[ ! -e "$OUT/answer" ]
}

@test "maildir: an unlink that fails answers -ERR [SYS/TEMP] and keeps the message" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a user"
	make_user mdfail
	let_users_in
	local home=$BATS_TEST_TMPDIR/home-mdfail
	mkdir -p "$home/Maildir/cur" "$home/Maildir/new" "$home/Maildir/tmp"
	printf 'a\n' >"$home/Maildir/cur/1.a:2,"
	cp "$FAKE" "$home/fake"
	chown -R mdfail: "$home"
	chmod 555 "$home/Maildir/cur"
	chmod 777 "$OUT"
	run setpriv --reuid=mdfail --regid=mdfail --clear-groups env OUT="$OUT" FAKE_REPORT='D 1\n.\n' \
		MAILBOX="$home/Maildir/" maildirscan "$home/fake"
	[ "$status" -eq 0 ]
	[ -f "$home/Maildir/cur/1.a:2," ]
	[ "$(cat "$OUT/answer")" = "-ERR [SYS/TEMP] 1 of 1 messages could not be deleted" ]
}

@test "maildir: refuses a directory without cur/ new/ tmp/, a missing one, and one owned by another user" {
	rmdir "$MD/tmp"
	run maildirscan "$FAKE"
	[ "$status" -eq 2 ]
	[ "$output" = "maildirscan: fatal: $MD/ is not a Maildir: no tmp/ directory" ]
	MAILBOX=$BATS_TEST_TMPDIR/nothere/ run maildirscan "$FAKE"
	[ "$status" -eq 2 ]
	[ "$output" = "maildirscan: fatal: $BATS_TEST_TMPDIR/nothere/ is not a Maildir: No such file or directory" ]
	mkdir "$MD/tmp"
	chown nobody "$MD"
	run maildirscan "$FAKE"
	[ "$status" -eq 2 ]
	[ "$output" = "maildirscan: fatal: $MD/ is not owned by uid 0" ]
	chown root "$MD"
	chown nobody "$MD/new"
	run maildirscan "$FAKE"
	[ "$status" -eq 2 ]
	[ "$output" = "maildirscan: fatal: $MD/new/ is not owned by uid 0" ]
}

@test "maildir: a symlinked cur/ is refused" {
	mv "$MD/cur" "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$MD/cur"
	run maildirscan "$FAKE"
	[ "$status" -eq 2 ]
	[ "$output" = "maildirscan: fatal: $MD/ is not a Maildir: no cur/ directory" ]
}

@test "maildir: -d picks the Maildir, HOME/Maildir/ is the default" {
	msg 'cur/1.a' 'a\n'
	unset MAILBOX
	HOME=$BATS_TEST_TMPDIR run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$OUT/list")" = "3 1.a cur/1.a" ]
	MAILBOX=/nonexistent run maildirscan -d "$MD" "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$OUT/list")" = "3 1.a cur/1.a" ]
}

@test "maildir: MAILBOX without a trailing / is an mbox: mboxsplit is exec'd" {
	make_mbox "$BATS_TEST_TMPDIR/mbox" 2
	MAILBOX=$BATS_TEST_TMPDIR/mbox run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(head -c 11 "$OUT/list")" = "pop3scan 1 " ]
	[ "$(sed -n 2p "$OUT/list" | cut -d' ' -f3 | cut -c1)" = "@" ]
}

@test "maildir: -x refuses a Maildir another session holds with exit 4" {
	exec 8<"$MD"
	flock -x 8
	run maildirscan -x "$FAKE"
	exec 8<&-
	[ "$status" -eq 4 ]
	[ "$output" = "maildirscan: fatal: $MD/ is in use by another POP3 session" ]
	run maildirscan -x "$FAKE"
	[ "$status" -eq 0 ]
}

@test "maildir: long or 8-bit unique parts map to ~MD5; duplicates by name are listed once" {
	local long
	long=$(printf '1700000000.%080d' 7)
	msg "cur/$long" 'a\n'
	msg "cur/1700000001.caf$(printf '\351').host:2," 'b\n'
	msg 'cur/1700000002.dup.host:2,' 'c\n'
	msg 'cur/1700000002.dup.host,S=2:2,S' 'c\n'
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	local want1 want2
	want1="~$(printf '%s' "$long" | md5sum | cut -c1-32)"
	want2="~$(printf '1700000001.caf\351.host' | md5sum | cut -c1-32)"
	[ "$(sed -n 1p "$OUT/list")" = "pop3scan 1 3 9" ]
	[ "$(sed -n 2p "$OUT/list" | cut -d' ' -f2)" = "$want1" ]
	[ "$(sed -n 3p "$OUT/list" | cut -d' ' -f2)" = "$want2" ]
	[ "$(sed -n 4p "$OUT/list" | cut -d' ' -f2)" = "1700000002.dup.host" ]
}

@test "maildir: -u ids are mboxsplit's for the same mail (digest, X-UIDL, -2 for a copy)" {
	make_mbox "$BATS_TEST_TMPDIR/mbox" 3
	printf 'From a@b Thu Nov 26 06:00:00 2026\nFrom: x\nX-UIDL: legacy-id-1\n\nbody\n' >>"$BATS_TEST_TMPDIR/mbox"
	# The same messages as Maildir files: CR LF line ends, a Status: header added by a reader.
	python3 - "$BATS_TEST_TMPDIR/mbox" "$MD/cur" <<'PY'
import sys
msgs = open(sys.argv[1], 'rb').read().split(b'\nFrom ')
for i, m in enumerate(msgs):
    body = m.split(b'\n', 1)[1]
    if i == 1:
        body = b'Status: RO\n' + body
    open('%s/%d.%d.host:2,' % (sys.argv[2], 1700000000 + i, i), 'wb').write(body.replace(b'\n', b'\r\n'))
    if i == 2:
        open('%s/%d.copy.host:2,' % (sys.argv[2], 1700000000 + 9), 'wb').write(body)
PY
	MAILBOX=$BATS_TEST_TMPDIR/mbox run mboxsplit "$FAKE"
	[ "$status" -eq 0 ]
	cut -d' ' -f2 "$OUT/list" | sed 1d >"$OUT/mbox_ids"
	run maildirscan -u "$FAKE"
	[ "$status" -eq 0 ]
	cut -d' ' -f2 "$OUT/list" | sed 1d >"$OUT/maildir_ids"
	cat "$OUT/mbox_ids" "$OUT/maildir_ids"
	[ "$(head -4 "$OUT/maildir_ids")" = "$(cat "$OUT/mbox_ids")" ]
	[ "$(sed -n 4p "$OUT/maildir_ids")" = "legacy-id-1" ]
	[ "$(sed -n 5p "$OUT/maildir_ids")" = "$(sed -n 3p "$OUT/maildir_ids")-2" ]
}

@test "maildir: -c size cache: written once, then sizes without reading; stale and cut-short caches" {
	msg 'cur/1700000001.a.host:2,' 'a\nb\n'
	msg 'cur/1700000002.b.host,S=1,W=9:2,' 'x'
	msg 'cur/1700000003.c.host:2,S' 'ccc\n'
	run maildirscan -c "$FAKE"
	[ "$status" -eq 0 ]
	[[ "$output" == *" read=2 cached=0 "* ]]
	[ "$(cat "$MD/maildirscan.sizes")" = "maildirscan-sizes 2
1700000001.a.host 6
1700000003.c.host 5
." ]
	local list1
	list1=$(cat "$OUT/list")
	# The cache is believed: a wrong size in it shows (so it is used).
	sed -i 's/^1700000003.c.host 5$/1700000003.c.host 7/' "$MD/maildirscan.sizes"
	run maildirscan -c "$FAKE"
	[[ "$output" == *" read=0 cached=2 "* ]]
	[ "$(sed -n 4p "$OUT/list")" = "7 1700000003.c.host cur/1700000003.c.host:2,S" ]
	# A message gone and one arrived: the cache is rewritten.
	rm "$MD/cur/1700000001.a.host:2,"
	msg 'new/1700000004.d.host' 'dd\n'
	run maildirscan -c "$FAKE"
	[[ "$output" == *" read=1 cached=1 "* ]]
	[ "$(cat "$MD/maildirscan.sizes")" = "maildirscan-sizes 2
1700000003.c.host 7
1700000004.d.host 4
." ]
	# Cut short (no final dot): ignored whole, sizes read again.
	printf 'maildirscan-sizes 2\n1700000003.c.host 7\n' >"$MD/maildirscan.sizes"
	run maildirscan -c "$FAKE"
	[[ "$output" == *'sizecache ignored="bad header or cut short"'* ]]
	[[ "$output" == *" read=2 cached=0 "* ]]
	[ "$(sed -n 3p "$OUT/list")" = "5 1700000003.c.host cur/1700000003.c.host:2,S" ]
	# Without -c the cache is neither read nor written.
	rm "$MD/maildirscan.sizes"
	run maildirscan "$FAKE"
	[ ! -e "$MD/maildirscan.sizes" ]
	[ "$list1" != "" ]
}

@test "maildir: delivery order: seconds, then M microseconds as numbers, then name; untimed names last" {
	local n
	for n in 1700000002.b 1700000001.M5P1.x 1700000001.M40P1.x 1700000002.a zzz.nt aaa.nt 1600000000.old; do
		msg "cur/$n" 'x\n'
	done
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(sed 1d "$OUT/list" | cut -d' ' -f2 | tr '\n' ' ')" = "1600000000.old 1700000001.M5P1.x 1700000001.M40P1.x 1700000002.a 1700000002.b aaa.nt zzz.nt " ]
	# A microsecond field too large to pack takes the comparison path: same rules.
	msg 'cur/1700000001.M2000000P1.x' 'x\n'
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(sed 1d "$OUT/list" | cut -d' ' -f2 | tr '\n' ' ')" = "1600000000.old 1700000001.M5P1.x 1700000001.M40P1.x 1700000001.M2000000P1.x 1700000002.a 1700000002.b aaa.nt zzz.nt " ]
}

@test "maildir: a new message whose name is taken in cur/ by another message is kept under a .dup name" {
	msg 'cur/1700000001.same.host:2,S' 'old\n'
	msg 'cur/1700000002.same2.host:2,' 'old2\n'
	msg 'new/1700000002.same2.host' 'new one\n'
	local ino
	ino=$(stat -c %i "$MD/new/1700000002.same2.host")
	ln "$MD/cur/1700000001.same.host:2,S" "$MD/new/1700000001.same.host:2,S"
	run maildirscan "$FAKE"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/list")" = "pop3scan 1 3 20
5 1700000001.same.host cur/1700000001.same.host:2,S
9 1700000002.same2.host.dup$ino cur/1700000002.same2.host.dup$ino:2,
6 1700000002.same2.host cur/1700000002.same2.host:2," ]
	[ "$(ls "$MD/new")" = "" ]
	[ "$(cat "$MD/cur/1700000002.same2.host:2,")" = "old2" ]
}

@test "maildir: an unreadable message is left out (logged), the others are served" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a user"
	make_user mdskip
	let_users_in
	local home=$BATS_TEST_TMPDIR/home-mdskip
	mkdir -p "$home/Maildir/cur" "$home/Maildir/new" "$home/Maildir/tmp"
	printf 'a\n' >"$home/Maildir/cur/1.a:2,"
	printf 'b\n' >"$home/Maildir/cur/2.b:2,"
	cp "$FAKE" "$home/fake"
	chown -R mdskip: "$home"
	chmod 000 "$home/Maildir/cur/1.a:2,"
	chmod 777 "$OUT"
	run setpriv --reuid=mdskip --regid=mdskip --clear-groups env OUT="$OUT" \
		MAILBOX="$home/Maildir/" maildirscan "$home/fake"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/list")" = "pop3scan 1 1 3
3 2.b cur/2.b:2," ]
	[[ "$output" == *'maildirscan: skip name="1.a:2," error="Permission denied"'* ]]
}

@test "maildir: -u -c caches header ids too: the next login reads no file and lists the same ids" {
	msg 'cur/1700000001.a.host:2,' 'From: a\nSubject: one\n\nbody\n'
	msg 'cur/1700000002.b.host,S=30,W=33:2,' 'From: b\nX-UIDL: legacy-7\n\nbody\n'
	run maildirscan -u -c "$FAKE"
	[ "$status" -eq 0 ]
	[[ "$output" == *" read=2 cached=0 "* ]]
	local first d1 d2
	first=$(cat "$OUT/list")
	d1=$(printf 'From: a\nSubject: one\n' | xxhsum -H2 | cut -c1-32)
	d2=$(printf 'From: b\n' | xxhsum -H2 | cut -c1-32)
	[ "$(cat "$MD/maildirscan.sizes")" = "maildirscan-sizes 2
1700000001.a.host 31 $d1
1700000002.b.host 33 $d2 legacy-7
." ]
	run maildirscan -u -c "$FAKE"
	[[ "$output" == *" read=0 cached=1 "* ]]
	[ "$(cat "$OUT/list")" = "$first" ]
	[ "$(sed -n 2p "$OUT/list")" = "31 $d1 cur/1700000001.a.host:2," ]
	[ "$(sed -n 3p "$OUT/list")" = "33 legacy-7 cur/1700000002.b.host,S=30,W=33:2," ]
	# A digest that is not 32 hex digits makes the whole cache unusable.
	sed -i "s/ $d1\$/ ${d1:0:31}/" "$MD/maildirscan.sizes"
	run maildirscan -u -c "$FAKE"
	[[ "$output" == *'sizecache ignored="malformed or repeated line"'* ]]
	[[ "$output" == *" read=2 cached=0 "* ]]
	[ "$(cat "$OUT/list")" = "$first" ]
}
