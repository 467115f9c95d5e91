#!/usr/bin/env bats
# I/O errors at each step of the write-back, injected by an LD_PRELOAD
# shim (tests/unit/mbox_ioshim.c) on the new file only: the mailbox stays
# as it was, no new file is left, QUIT answers -ERR [SYS/TEMP].  And the
# read/write fallback when copy_file_range cannot be used.
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	SHIM=$POP3_BIN/tests/mbox_ioshim.so
	[ -f "$SHIM" ] || skip "mbox_ioshim.so not built"
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

# fail SPEC STEP: deleting messages 2 and 5 with MBOX_IOSHIM=SPEC fails at STEP.
fail() {
	FAKE_DELE="2 5" MBOX_IOSHIM=$1 LD_PRELOAD=$SHIM run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$status" -eq 0 ]
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox (Input/output error); nothing deleted" ]
	[[ "$stderr" == *"writeback_failed mailbox=$MB step=$2 error=\"Input/output error\""* ]]
	cmp "$MB" orig
	[ "$(ls -A box)" = mbox ]
}

@test "EIO in copy_file_range, write, fchmod, fsync, close, rename: mailbox unchanged" {
	fail copy_file_range:5 copy
	fail copy_file_range:18,write:5 copy
	fail fchmod:5 chmod
	fail fsync:5 fsync
	fail close:5 close
	fail rename:5 rename
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
}
