#!/usr/bin/env bats
# A full disk during write-back: a 1 MiB tmpfs mounted by the test holds
# a mailbox of about 700 KB, so the new file cannot be written.  The
# mailbox must stay as it was, no new file may be left, and QUIT must
# answer -ERR [SYS/TEMP].
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	cd "$BATS_TEST_TMPDIR"
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o size=1m,mode=0755 tmpfs "$SMALL" 2>/dev/null || skip "cannot mount a tmpfs here"
	MOUNTED=1
	MB=$SMALL/mbox
	python3 -c 'import sys
with open(sys.argv[1], "wb") as f:
    for i in range(70):
        f.write(b"From s Thu Nov 26 06:00:00 2026\nSubject: %d\n\n" % i)
        f.write((b"%d " % i) * 3000 + b"\n\n")' "$MB"
	cp "$MB" orig
}

teardown() {
	stop_started
	[ -z "${MOUNTED:-}" ] || umount "$SMALL"
}

@test "full disk: mailbox unchanged, no new file left, QUIT answers -ERR [SYS/TEMP]" {
	FAKE_DELE="1" run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$status" -eq 0 ]
	[ "$output" = "-ERR [SYS/TEMP] cannot update the mailbox (No space left on device); nothing deleted" ]
	[[ "$stderr" == *"writeback_failed mailbox=$MB step=copy error=\"No space left on device\""* ]]
	cmp "$MB" orig
	[ "$(ls -A "$SMALL")" = mbox ]
	# with room again, the same deletion goes through
	rm orig; cp "$MB" orig
	dd if=/dev/zero of="$SMALL/filler" bs=1k count=1 2>/dev/null
	rm "$SMALL/filler"
	FAKE_DELE="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40" \
		run --separate-stderr mboxsplit -m "$MB" "$FAKE"
	[ "$output" = "+OK bye, 40 messages deleted" ]
	[ "$(grep -c '^From ' "$MB")" = 30 ]
	[ "$(sed -n 2p "$MB")" = "Subject: 40" ]
}
