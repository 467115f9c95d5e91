#!/usr/bin/env bats
# I/O errors at each step of the write-back, injected by an LD_PRELOAD
# shim (tests/unit/mbox_ioshim.c) on the new file only: the mailbox stays
# as it was, no new file is left, QUIT answers -ERR [SYS/TEMP].  And the read/write fallback
# when copy_file_range cannot be used.
#
# The shim fails every call of the named kind on the new file, not the
# Nth one.  The write-back copies a range with copy_file_range only where
# source and destination offsets agree within a 4096-octet block (the
# first message, when nothing before it is deleted), and with pread and
# write elsewhere; so "write:5" fails in the middle of the copy, after
# message 1 is in the new file, and "copy_file_range:5" at its start.
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	SHIM=$POP3_BIN/tests/mbox_ioshim.so
	[ -f "$SHIM" ] || skip "mbox_ioshim.so not built"
	# a shim reaches only a dynamically linked mboxsplit (helpers.bash
	# has use_dynamic where the session programs are linked statically)
	if declare -F use_dynamic >/dev/null; then use_dynamic; fi
	cd "$BATS_TEST_TMPDIR"
	mkdir box
	MB=$BATS_TEST_TMPDIR/box/mbox
	make_mbox "$MB" 6
	cp "$MB" orig
	# an ASan build of mboxsplit lets the shim come first
	export ASAN_OPTIONS=verify_asan_link_order=0
}

teardown() {
	stop_started
}

# big_mbox PATH: 6 messages of about 2 MiB, "Subject: big N", so that the
# 8.4 MB kept when 2 and 5 are deleted take several copy calls and the
# write-back starts writeback (sync_file_range) at 4 and 8 MiB.
big_mbox() {
	python3 - "$1" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(1, 7):
        f.write(b"From sender@example.org Thu Nov 26 06:00:00 2026\nSubject: big %d\n\n" % i)
        f.write(b"line of message %d, long enough to make it two megabytes\n" % i * 36000)
        f.write(b"\n")
PY
}

# fail SPEC STEP [ERROR]: deleting messages 2 and 5 with MBOX_IOSHIM=SPEC
# fails at STEP with ERROR (EIO).
fail() {
	local error=${3:-Input/output error}
	FAKE_DELE="2 5" MBOX_IOSHIM=$1 LD_PRELOAD="$SHIM" run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$status" -eq 0 ]
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox ($error); nothing deleted" ]
	[[ "$stderr" == *"writeback_failed mailbox=$MB step=$2 error=\"$error\""* ]]
	cmp "$MB" orig
	[ "$(ls -A box)" = mbox ]
}

@test "EIO in copy_file_range, write, fchmod, fsync, close, rename: mailbox unchanged" {
	# the spool helper gives the new file its mode when it creates it
	fail copy_file_range:5 copy
	fail write:5 copy
	fail copy_file_range:18,write:5 copy
	fail fchmod:5 create
	fail fsync:5 fsync
	fail close:5 close
	fail rename:5 rename
}

@test "EIO in the middle of copying a large mailbox: mailbox unchanged" {
	big_mbox "$MB"
	cp "$MB" orig
	fail write:5 copy
	fail copy_file_range:18,write:5 copy
	fail fsync:5 fsync
}

@test "copy_file_range unavailable (EXDEV): the read/write copy gives the same mailbox" {
	FAKE_DELE="2 5" MBOX_IOSHIM=copy_file_range:18 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "+OK bye, 2 messages deleted" ]
	cp orig box2; MB2=$PWD/box2
	FAKE_DELE="2 5" run --separate-stderr mboxsplit -m "$MB2" "$FAKE"
	[ "$output" = "+OK bye, 2 messages deleted" ]
	cmp "$MB" "$MB2"
	[ "$(grep -c '^From ' "$MB")" = 4 ]
}

@test "a range moved by whole blocks is copied with copy_file_range: same bytes as read/write" {
	# message 1 is exactly 4096 octets: deleting it moves the rest by one
	# block, which is copied with copy_file_range (the EIO case shows it)
	python3 - "$MB" <<'PY'
import sys
head = b"From sender@example.org Thu Nov 26 06:00:00 2026\nSubject: %s\n\n"
with open(sys.argv[1], "wb") as f:
    one = head % b"one"
    f.write(one + b"x" * (4096 - len(one) - 2) + b"\n\n")
    f.write(head % b"two" + b"y\n" * 3000 + b"\n")
    f.write(head % b"three" + b"z\n" * 10 + b"\n")
PY
	cp "$MB" orig
	cp "$MB" box2; MB2=$PWD/box2
	tail -c +4097 "$MB" >want
	[ "$(head -c 5 want)" = "From " ]
	FAKE_DELE="1" MBOX_IOSHIM=copy_file_range:5 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox (Input/output error); nothing deleted" ]
	cmp "$MB" orig
	FAKE_DELE="1" run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "+OK bye, 1 message deleted" ]
	cmp "$MB" want
	FAKE_DELE="1" MBOX_IOSHIM=copy_file_range:18 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB2" "$FAKE"
	[ "$output" = "+OK bye, 1 message deleted" ]
	cmp "$MB2" want
}

@test "sync_file_range fails (EIO) after 4 MiB of a large mailbox: nothing deleted, mailbox unchanged" {
	big_mbox "$MB"
	cp "$MB" orig
	MBOX_IOSHIM_COUNT=$PWD/count fail sync_file_range:5 copy
	# the first call failed, and the write-back stopped there
	[ "$(cat count)" = sync_file_range ]
	MBOX_IOSHIM_COUNT=$PWD/count2 fail sync_file_range:28 copy "No space left on device"
	[ "$(cat count2)" = sync_file_range ]
}

@test "sync_file_range unavailable (ENOSYS): the write-back goes on without it, same mailbox" {
	big_mbox "$MB"
	cp "$MB" box2; MB2=$PWD/box2
	FAKE_DELE="2 5" MBOX_IOSHIM=sync_file_range:38 MBOX_IOSHIM_COUNT=$PWD/count \
		LD_PRELOAD="$SHIM" run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "+OK bye, 2 messages deleted" ]
	# asked once, then never again
	[ "$(cat count)" = sync_file_range ]
	FAKE_DELE="2 5" run --separate-stderr mboxsplit -m "$MB2" "$FAKE"
	[ "$output" = "+OK bye, 2 messages deleted" ]
	cmp "$MB" "$MB2"
	[ "$(grep '^Subject: ' "$MB" | tr '\n' ' ')" = "Subject: big 1 Subject: big 3 Subject: big 4 Subject: big 6 " ]
}

@test "fallocate refused (ENOSPC, EOPNOTSUPP): the write-back goes on without it, same mailbox" {
	MB2=$PWD/box2
	big_mbox "$MB2"
	# six messages of one length, four kept
	KEPT=$(( $(stat -c %s "$MB2") / 6 * 4 ))
	FAKE_DELE="2 5" run --separate-stderr mboxsplit -m "$MB2" "$FAKE"
	[ "$output" = "+OK bye, 2 messages deleted" ]
	[ "$(grep '^Subject: ' "$MB2" | tr '\n' ' ')" = "Subject: big 1 Subject: big 3 Subject: big 4 Subject: big 6 " ]
	# the preallocation never shows: the size is what was written, and
	# no more than that is left allocated
	[ "$(stat -c %s "$MB2")" = "$KEPT" ]
	[ $(( $(stat -c %b "$MB2") * $(stat -c %B "$MB2") )) -le $(( KEPT + 65536 )) ]
	for errno in 28 95; do
		big_mbox "$MB"
		rm -f count
		FAKE_DELE="2 5" MBOX_IOSHIM=fallocate:$errno MBOX_IOSHIM_COUNT=$PWD/count \
			LD_PRELOAD="$SHIM" run --separate-stderr mboxsplit -m "$MB" "$FAKE"
		[ "$output" = "+OK bye, 2 messages deleted" ]
		[ "$(cat count)" = fallocate ]
		cmp "$MB" "$MB2"
	done
}

@test "fchown refused (EPERM): logged, the write-back goes on with the mode kept" {
	chmod 0620 "$MB"
	FAKE_DELE="1" MBOX_IOSHIM=fchown:1 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "+OK bye, 1 message deleted" ]
	[[ "$stderr" == *"cannot keep the mailbox's group"* ]]
	[ "$(stat -c %a "$MB")" = 620 ]
}

@test "ENOSPC from the copy (full disk, where no tmpfs can be mounted): mailbox unchanged" {
	FAKE_DELE="2 5" MBOX_IOSHIM=copy_file_range:28 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox (No space left on device); nothing deleted" ]
	cmp "$MB" orig
	[ "$(ls -A box)" = mbox ]
	FAKE_DELE="2 5" MBOX_IOSHIM=write:28 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox (No space left on device); nothing deleted" ]
	cmp "$MB" orig
	[ "$(ls -A box)" = mbox ]
}
