#!/usr/bin/env bats
# Dotlocks across hosts that share a spool (issue 19): mboxsplit writes
# PID:HOST into the dotlock, so that another host, which cannot see that
# pid, judges the lock by its age alone and never breaks a live one as
# "owner gone".  Two hosts are played on this machine with namespaces:
# host A has its own host name (a UTS namespace), host B its own name and
# its own pids (UTS and PID namespaces), so that A's pids mean nothing
# there.  The real mboxsplit on one mailbox; its test build
# (build/tests/mboxsplit-fault) is killed right after it takes the
# dotlock, to leave the lock of an owner that died.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	command -v unshare >/dev/null || { echo "unshare (util-linux) missing"; return 1; }
	MB=$BATS_TEST_TMPDIR/box/mbox
	mkdir -p "$BATS_TEST_TMPDIR/box"
	make_mbox "$MB" 2
	FAULT=$POP3_BIN/tests/mboxsplit-fault
	[ -x "$FAULT" ] || { echo "mboxsplit-fault not built"; return 1; }
}

teardown() {
	[ -z "${SLEEPER:-}" ] || kill "$SLEEPER" 2>/dev/null || true
}

# host_a CMD...: CMD as host A (its own host name, this machine's pids).
host_a() {
	unshare --uts sh -c 'hostname host-a && exec "$@"' sh "$@"
}

# host_b CMD...: CMD as host B (its own host name and pids).
host_b() {
	unshare --uts --pid --fork --mount-proc sh -c 'hostname host-b && exec "$@"' sh "$@"
}

# session WAIT STALE: one mboxsplit session on $MB (QUIT at once) with
# -w WAIT -t STALE; run as host_a or host_b by the caller.
session() {
	printf 'QUIT\r\n' | mboxsplit -m "$MB" -w "$1" -t "$2" pop3d
}

# a lock left by mboxsplit on host A when A died right after it took
# it: the whole session (the spool helper too, which would otherwise
# remove the lock) killed at once, in a process group of its own
dead_lock_of_a() {
	run setsid -w sh -c "$(declare -f host_a); host_a env MBOXSPLIT_FAULT=dotlocked:1:group '$FAULT' -m '$MB' pop3d </dev/null"
	[ "$status" -eq 137 ]
	[ -e "$MB.lock" ]
}

@test "mbox_hosts: mboxsplit's dotlock holds PID:HOST, and its unique file is named by host and pid" {
	dead_lock_of_a
	[[ "$(cat "$MB.lock")" =~ ^[0-9]+:host-a$ ]]
	# the unique file it linked the lock from carries the host too
	rm "$MB.lock"
	run setsid -w sh -c "$(declare -f host_a); host_a strace -f -e trace=link -o '$BATS_TEST_TMPDIR/trace' \
		env MBOXSPLIT_FAULT=dotlocked:1:group '$FAULT' -m '$MB' pop3d </dev/null"
	grep -q "link(\"$BATS_TEST_TMPDIR/box/.mbox.mboxsplit-lk.host-a.[0-9]*\", \"$MB.lock\")" \
		"$BATS_TEST_TMPDIR/trace"
}

@test "mbox_hosts: a live lock of host A is not broken by host B, which cannot see its pid, until -t passes" {
	sleep 300 &
	SLEEPER=$!
	printf '%s:host-a\n' "$SLEEPER" >"$MB.lock"
	touch -d '-5 seconds' "$MB.lock"
	ino=$(stat -c %i "$MB.lock")
	# B: the pid is no process there, but it is A's pid: left alone
	run --separate-stderr host_b sh -c "$(declare -f session); MB='$MB' session 1 30"
	[ "$status" -eq 111 ]
	[[ "$stderr" == *"mailbox"*"locked"* || "$stderr" == *"lock"* ]]
	[ "$(stat -c %i "$MB.lock")" = "$ino" ]
	! [[ "$stderr" == *stale_lock* ]]
	# A: its own pid, alive: left alone too
	run --separate-stderr host_a sh -c "$(declare -f session); MB='$MB' session 1 30"
	[ "$status" -eq 111 ]
	[ "$(stat -c %i "$MB.lock")" = "$ino" ]
	# older than B's -t: broken by age, as any host may
	run --separate-stderr host_b sh -c "$(declare -f session); MB='$MB' session 1 3"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stale_lock path=$MB.lock pid=0 age="*"reason=too-old action=removed"* ]]
	[ ! -e "$MB.lock" ]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
}

@test "mbox_hosts: the owner dead, its own host breaks the lock at once; the other host only after -t" {
	dead_lock_of_a
	# B cannot tell that A's process is gone: within -t the lock holds
	run --separate-stderr host_b sh -c "$(declare -f session); MB='$MB' session 1 30"
	[ "$status" -eq 111 ]
	[ -e "$MB.lock" ]
	# A can: owner gone, broken at once
	run --separate-stderr host_a sh -c "$(declare -f session); MB='$MB' session 1 30"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stale_lock path=$MB.lock pid="*"reason=owner-gone action=removed"* ]]
	[ ! -e "$MB.lock" ]
	# again, and this time B waits out -t 2
	dead_lock_of_a
	sleep 3
	run --separate-stderr host_b sh -c "$(declare -f session); MB='$MB' session 1 2"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"reason=too-old action=removed"* ]]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
}
