#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The confinement of lib/confine.h, one room at a time: the probe applies
# the same filter the shipped programs apply (same library, same build)
# and then tries what the room must not do.  The probe runs as nobody, so
# that what the filter lets through (in a sanitizer build, ptrace) still
# meets the kernel's own checks rather than root's powers.
load helpers

PROBE=$POP3_BIN/tests/confine-probe
FAKE=$BATS_TEST_DIRNAME/mbox_fakepop3d.py

setup() {
	T=$BATS_TEST_TMPDIR
	chmod 711 "$BATS_RUN_TMPDIR" "$T"
	mkdir -p "$T/room" && chown nobody "$T/room"
	echo mail >"$T/room/message" && chown nobody "$T/room/message"
	echo other >"$T/outside" && chmod 644 "$T/outside"
}

teardown() {
	stop_started
}

as_nobody() {
	timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# The line confine's SIGSYS handler writes, and its exit status.
killed() {
	[ "$status" -eq 111 ] || { echo "status $status: $output"; return 1; }
	[[ "$output" =~ confine-probe:\ fatal:\ system\ call\ [0-9]+\ is\ not\ allowed\ \(seccomp\) ]]
}

sanitizer_build() {
	[[ $POP3_BIN == *build-asan* ]]
}

@test "confine: no room can open a socket, exec, signal or trace another process" {
	for room in dialogue pop3d mbox maildir tls; do
		run as_nobody "$PROBE" $room - socket
		killed || { echo "room $room: socket"; false; }
		run as_nobody "$PROBE" $room - exec /bin/true
		killed || { echo "room $room: exec"; false; }
		run as_nobody "$PROBE" $room - kill $$
		killed || { echo "room $room: kill"; false; }
		run as_nobody "$PROBE" $room - ptrace $$
		# a sanitizer build lets ptrace through for LeakSanitizer;
		# the kernel still refuses nobody a root process
		if sanitizer_build; then
			[ "$status" -eq 1 ] && [[ "$output" == "refused: "* ]]
		else
			killed || { echo "room $room: ptrace"; false; }
		fi
	done
}

@test "confine: no room can start a process or map executable memory" {
	sanitizer_build && skip "LeakSanitizer needs clone and executable maps"
	for room in dialogue pop3d mbox maildir tls; do
		run as_nobody "$PROBE" $room - fork
		[ "$status" -eq 1 ] && [ "$output" = "refused: Operation not permitted" ] ||
			{ echo "room $room: fork: $output"; false; }
		run as_nobody "$PROBE" $room - mmap-exec
		killed || { echo "room $room: mmap-exec"; false; }
	done
}

@test "confine: a forbidden call is not a silent death: the log line names it" {
	run as_nobody "$PROBE" pop3d - socket
	killed
	# one line, and no verdict: the probe never got past the call
	[ "${#lines[@]}" -eq 1 ]
}

@test "confine: the dialogue opens no file at all" {
	sanitizer_build && skip "a sanitizer build lets open through for /proc"
	run as_nobody "$PROBE" dialogue "$T/room" open "$T/room/message"
	killed
	run as_nobody "$PROBE" dialogue - none
	[ "$status" -eq 0 ] && [ "$output" = allowed ]
}

@test "confine: pop3tls's record layer opens no file at all" {
	sanitizer_build && skip "a sanitizer build lets open through for /proc"
	run as_nobody "$PROBE" tls "$T/room" open "$T/room/message"
	killed
	run as_nobody "$PROBE" tls - none
	[ "$status" -eq 0 ] && [ "$output" = allowed ]
}

@test "confine: pop3d reads under its directory only, and writes nowhere" {
	run as_nobody "$PROBE" pop3d "$T/room" open "$T/room/message"
	[ "$status" -eq 0 ] && [ "$output" = allowed ]
	run as_nobody "$PROBE" pop3d "$T/room" open "$T/outside"
	[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
	run as_nobody "$PROBE" pop3d "$T/room" create "$T/room/new"
	[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
	[ ! -e "$T/room/new" ]
	# an mbox session's pop3d has no directory: nothing opens
	run as_nobody "$PROBE" pop3d - open "$T/outside"
	[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
	run as_nobody "$PROBE" pop3d - open /etc/passwd
	[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
}

@test "confine: the exposers' workers create files under their directory only" {
	for room in mbox maildir; do
		run as_nobody "$PROBE" $room "$T/room" create "$T/room/new-$room"
		[ "$status" -eq 0 ] && [ "$output" = allowed ] || { echo "$room: $output"; false; }
		[ -f "$T/room/new-$room" ]
		run as_nobody "$PROBE" $room "$T/room" create "$T/new-$room"
		[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
		run as_nobody "$PROBE" $room "$T/room" open "$T/outside"
		[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
	done
	# without a directory (mboxsplit with no index cache): nothing opens
	run as_nobody "$PROBE" mbox - open "$T/room/message"
	[ "$status" -eq 1 ] && [ "$output" = "refused: Permission denied" ]
}

@test "confine: where Landlock is absent, one log line each and the session goes on" {
	[ -d "$POP3_BIN/dyn" ] || skip "needs the glibc builds for the preload"
	use_dynamic
	make_mbox "$T/mbox" 3
	run --separate-stderr env LD_PRELOAD="$POP3_BIN/tests/nolandlock.so" \
		sh -c 'printf "STAT\r\nRETR 2\r\nQUIT\r\n" | mboxsplit -m "$1" pop3d' - "$T/mbox"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "+OK 3 "* ]]
	[[ "$output" == *"This is message 2."* ]]
	[ "$(grep -c 'confine landlock=unavailable' <<<"$stderr")" -eq 2 ]
	grep -q '^mboxsplit: confine landlock=unavailable' <<<"$stderr"
	grep -q '^pop3d: confine landlock=unavailable' <<<"$stderr"
}

# Write-backs stopped by a forbidden call at each step (mboxsplit's test
# build, tests/fault/mboxfault.c): as with a kill, the mailbox is the old
# one up to the rename and the new one after, with no lock or new file
# left behind, and the worker says why it ended.
syscall_at() {
	make_mbox "$MB" 5
	FAKE_DELE="2 4" MBOXSPLIT_FAULT=$1:syscall run --separate-stderr "$MBOXSPLIT_FAULT_BIN" -m "$MB" "$FAKE"
	[ "$status" -eq 111 ] || { echo "at $1: status $status $stderr"; return 1; }
	[[ "$stderr" =~ mboxsplit:\ fatal:\ system\ call\ [0-9]+\ is\ not\ allowed\ \(seccomp\) ]]
	[ ! -e "$MB.lock" ]
	[ ! -e "$T/box/.mbox.mboxsplit-new" ]
}

@test "confine: a forbidden call in the write-back loses nothing and leaves no lock" {
	cd "$T" && mkdir -p box
	MB=$T/box/mbox
	make_mbox before 5
	for point in dotlocked:2 locked:1 verify:1 create:1 copy:1 chmod:1 fsync:1 rename:1; do
		syscall_at "$point"
		cmp "$MB" before || { echo "at $point"; false; }
	done
	python3 -c 'd=open("before","rb").read().split(b"\n\nFrom ")
d=[d[0]+b"\n"]+[b"From "+x+b"\n" for x in d[1:-1]]+[b"From "+d[-1]]
open("after","wb").write(d[0]+b"\n"+d[2]+b"\n"+d[4])'
	for point in renamed:1 dirsync:1 unlock:1; do
		syscall_at "$point"
		cmp "$MB" after || { echo "at $point"; false; }
	done
}
