#!/usr/bin/env bats
# pop3ctl's day-to-day commands against the real chain it starts: who
# lists live sessions from /proc.

load helpers
load ops_helpers

setup() {
	have_chain
	chain_setup
	# a second virtual user of the same account, with an mbox
	MBOX=$D/home-$OPS_USER/mbox
	make_mbox "$MBOX" 3
	chown "$OPS_USER:" "$MBOX"
	chmod 600 "$MBOX"
	printf 'mdemo:%s:%s:%s:%s:{plain}msecret\n' "$(id -u "$OPS_USER")" \
		"$(id -g "$OPS_USER")" "$D/home-$OPS_USER" "$MBOX" >>"$D/users"
	"$POP3_BIN/vusers-make" "$D/users" "$D/users.cdb" 2>/dev/null
}

teardown() {
	"$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
	ops_cleanup_users
}

# hold USER PASS DELE...: a client, in the background, that logs in,
# deletes the messages named and stays connected; its pid is recorded
# for stop_started.  Returns once the last DELE has been answered.
hold() {
	python3 - "$PORT" "$D/held-$1" "$@" <<'PY' &
import socket, sys, time
port, flag, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
def cmd(c):
    if c: s.sendall(c.encode() + b"\r\n")
    line = f.readline()
    if not line.startswith(b"+OK"): sys.exit("bad answer to %s: %r" % (c, line))
cmd(None); cmd("USER " + user); cmd("PASS " + pw)
for n in sys.argv[5:]: cmd("DELE " + n)
open(flag, "w").write("ready\n")
f.read()   # until the server closes
PY
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	local i
	for i in $(seq 1 100); do
		[ -f "$D/held-$1" ] && return 0
		sleep 0.05
	done
	echo "client for $1 never got ready" >&2
	return 1
}

@test "ops_admin: who lists each live session with its user, address, pid and mailbox" {
	"$POP3CTL" -f "$CONF" start
	run "$POP3CTL" -f "$CONF" who
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%-20s %-39s %-20s %8s %s' USER ADDRESS SINCE PID MAILBOX)" ]
	hold demo secret
	hold mdemo msecret
	run "$POP3CTL" -f "$CONF" who
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	for u in demo mdemo; do
		line=$(printf '%s\n' "${lines[@]}" | grep "^$u ")
		pid=$(echo "$line" | awk '{ print $4 }')
		[ "$(cat "/proc/$pid/comm")" = pop3d ]
		[ "$(echo "$line" | awk '{ print $2 }')" = 127.0.0.1 ]
		echo "$line" | awk '{ print $3 }' | grep -q '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$'
	done
	printf '%s\n' "${lines[@]}" | grep -q "^demo .* $MAILDIR/\$"
	printf '%s\n' "${lines[@]}" | grep -q "^mdemo .* $MBOX\$"
}
