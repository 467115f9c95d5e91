#!/usr/bin/env bats
# Write-backs killed at every step: the mailbox is always either the old
# one or the finished one, and the next session cleans up.  make check
# runs 20 random trials; `make mbox-crash` runs 240 (MBOX_CRASH_TRIALS).
load helpers
bats_require_minimum_version 1.5.0

FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p box
	MB=$BATS_TEST_TMPDIR/box/mbox
}

teardown() {
	stop_started
}

# kill_at STAGE:N with messages 2 and 4 of 5 deleted (mboxsplit's test
# build); leaves the mailbox and the verdict of the next session, which
# the installed mboxsplit runs.
kill_at() {
	make_mbox "$MB" 5
	FAKE_DELE="2 4" MBOXSPLIT_FAULT=$1 run --separate-stderr "$MBOXSPLIT_FAULT_BIN" -m "$MB" "$FAKE"
	[ "$status" -eq 137 ]
	FAKE_DELE= run --separate-stderr mboxsplit -w 2 -m "$MB" "$FAKE"
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye, nothing deleted" ]
	[ ! -e "$MB.lock" ]
	[ ! -e box/.mbox.mboxsplit-new ]
}

@test "killed at each step up to the rename: the old mailbox, intact" {
	make_mbox before 5
	for point in dotlocked:1 dotlocked:2 locked:1 verify:1 create:1 copy:1 copy:2 \
	             copy:3 chmod:1 fsync:1 rename:1; do
		kill_at "$point"
		cmp "$MB" before || { echo "at $point"; false; }
	done
}

@test "killed after the rename: the new mailbox, complete" {
	make_mbox all 5
	python3 -c 'd=open("all","rb").read().split(b"\n\nFrom ")
d=[d[0]+b"\n"]+[b"From "+x+b"\n" for x in d[1:-1]]+[b"From "+d[-1]]
open("after","wb").write(d[0]+b"\n"+d[2]+b"\n"+d[4])'
	for point in renamed:1 dirsync:1 unlock:1; do
		kill_at "$point"
		cmp "$MB" after || { echo "at $point"; false; }
	done
}

@test "random kills (fault points and SIGKILL after a delay): nothing lost, duplicated or altered" {
	trials=${MBOX_CRASH_TRIALS:-20}
	run python3 "$BATS_TEST_DIRNAME/mbox_crash.py" "$trials" "$BATS_TEST_TMPDIR/crash"
	echo "$output"
	echo "# ${output##*$'\n'}" >&3
	[ "$status" -eq 0 ]
	[[ "$output" == *"trials=$trials "*" failures=0" ]]
	# both outcomes occurred, so the kills landed on both sides of rename
	[[ "$output" != *" before=0 "* ]]
	[[ "$output" != *" after=0 "* ]]
}
