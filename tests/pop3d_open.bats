#!/usr/bin/env bats
# pop3d opens a listed message file only if it is still a regular file:
# a FIFO or a symlink put in its place after the scan is neither read
# nor followed, and the session goes on.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkdir cur
	printf 'Subject: real\n\nbody\n' >cur/real
	printf 'Subject: target\n\nsecret\n' >target
}

session() {
	# $1: the path to list as message 1; message 2 is cur/real.
	printf 'pop3scan 1 2 40\n20 one %s\n20 two cur/real\n' "$1" >list
	printf 'RETR 1\r\nRETR 2\r\nQUIT\r\n' |
		timeout 10 pop3d 4<list 2>/dev/null
}

@test "pop3d: a FIFO in place of a message is refused without blocking" {
	mkfifo cur/fifo
	run session cur/fifo
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'-ERR [SYS/TEMP] cannot open message 1\r' ]
	[ "${lines[2]}" = $'+OK 20 octets\r' ]
	[ "${lines[3]}" = $'Subject: real\r' ]
}

@test "pop3d: a symlink in place of a message is not followed" {
	ln -s ../target cur/link
	run session cur/link
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'-ERR [SYS/TEMP] cannot open message 1\r' ]
	[[ "$output" != *secret* ]]
}
