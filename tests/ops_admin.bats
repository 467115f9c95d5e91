#!/usr/bin/env bats
# pop3ctl's day-to-day commands against the real chain it starts: who
# lists live sessions from /proc, kick ends them all-or-nothing,
# auth-test runs the checker alone, stats counts a period of the log.

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
# for stop_started.  Returns once the last DELE has been answered.  The
# client sends QUIT when the file $D/quit-USER appears.
hold() {
	python3 - "$PORT" "$D/held-$1" "$@" <<'PY' &
import os, select, socket, sys, time
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
quit = flag.replace("/held-", "/quit-")
for i in range(400):
    if os.path.exists(quit):
        s.sendall(b"QUIT\r\n")
        break
    # the server spoke or hung up (a kick): read what it is at once
    if select.select([s], [], [], 0.05)[0]:
        break
# what comes after the ready point, until the server closes
try:
    after = f.read()
except OSError as e:   # a reset is a close too, with nothing said
    after = b""
open(flag.replace("/held-", "/after-"), "wb").write(after)
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

# messages_of MAILDIR: each message's unique name and its text, whether
# in new/ or cur/ and whatever its flags.
messages_of() {
	local f
	for f in "$1"/new/* "$1"/cur/*; do
		[ -f "$f" ] || continue
		printf '%s %s\n' "$(basename "$f" | sed 's/:.*//')" "$(md5sum <"$f" | cut -c1-32)"
	done | sort
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

@test "ops_admin: kick during a session with DELE leaves the Maildir whole" {
	"$POP3CTL" -f "$CONF" start
	before=$(messages_of "$MAILDIR")
	hold demo secret 1 2
	pid=$("$POP3CTL" -f "$CONF" who | awk '$1 == "demo" { print $4 }')
	[ -n "$pid" ]
	run "$POP3CTL" -f "$CONF" kick demo
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: kicked demo pid $pid from 127.0.0.1" ]
	! pid_alive "$pid"
	# none of the deletions was committed: both messages, as they were
	# (the login moved them from new/ to cur/)
	[ "$(messages_of "$MAILDIR")" = "$before" ]
	[ "$("$POP3CTL" -f "$CONF" who | wc -l)" -eq 1 ]
	wait_log "^maildirscan: child signal=15\$"
	! grep -q "^maildirscan: commit " "$D/log"
	# the client was mid-session: pop3login hangs up without a word that
	# could contradict what pop3d said, and logs the session as killed
	wait_log "^pop3login: login user=demo ip=127.0.0.1 method=pass tls=no result=killed\$"
	for i in $(seq 1 100); do [ -e "$D/after-demo" ] && break; sleep 0.05; done
	[ -e "$D/after-demo" ] && [ ! -s "$D/after-demo" ]
}

@test "ops_admin: kick during a session with DELE leaves the mbox whole" {
	"$POP3CTL" -f "$CONF" start
	cp "$MBOX" "$D/mbox.before"
	hold mdemo msecret 1 3
	run "$POP3CTL" -f "$CONF" kick mdemo
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "^pop3ctl: kicked mdemo pid [0-9]* from 127.0.0.1\$"
	cmp "$MBOX" "$D/mbox.before"
	[ ! -e "$MBOX.lock" ]
	wait_log "^mboxsplit: child signal=15\$"
	# the session that follows sees all three messages
	run pop_talk "$PORT" "USER mdemo" "PASS msecret" "STAT" "QUIT"
	[ "${lines[3]}" = $'+OK 3 393\r' ]
}

# quit_held USER: stops the exposer of USER's session, makes the held
# client send QUIT, and returns once pop3d has written its deletion
# report and waits for the exposer's answer: pop3d is back in poll(2)
# (/proc/PID/syscall, 7 on x86-64) with another pollfd array than the
# one it waits for commands with.  Sets pop3d and exposer.
quit_held() {
	pop3d=$("$POP3CTL" -f "$CONF" who | awk -v u="$1" '$1 == u { print $4 }')
	exposer=$(sed 's/.*) //' "/proc/$pop3d/stat" | cut -d' ' -f2)
	local before now i
	before=$(cat "/proc/$pop3d/syscall")
	case $before in "7 "*) ;; *) echo "pop3d $pop3d is not in poll: $before" >&2; return 1 ;; esac
	kill -STOP "$exposer"
	touch "$D/quit-$1"
	for i in $(seq 1 100); do
		now=$(cat "/proc/$pop3d/syscall")
		case $now in "7 "*) [ "$now" != "$before" ] && return 0 ;; esac
		sleep 0.05
	done
	kill -CONT "$exposer"
	echo "pop3d $pop3d never waited for the answer" >&2
	return 1
}

# kick_after_report USER: kicks USER while the exposer, stopped, has the
# whole report waiting but has not read it; the exposer goes on once
# pop3d is gone.
kick_after_report() {
	quit_held "$1"
	"$POP3CTL" -f "$CONF" kick "$1" >"$D/kick.out" 2>&1 &
	local kick=$! i
	for i in $(seq 1 100); do
		pid_alive "$pop3d" || break
		sleep 0.05
	done
	kill -CONT "$exposer"
	wait "$kick"
}

@test "ops_admin: kick after the report: maildirscan commits every deletion" {
	"$POP3CTL" -f "$CONF" start
	hold demo secret 1 2
	kick_after_report demo
	[ "$(cat "$D/kick.out")" = "pop3ctl: kicked demo pid $pop3d from 127.0.0.1" ]
	# kick returned after the write-back: both deletions are done
	[ -z "$(ls "$MAILDIR/new" "$MAILDIR/cur" | grep host)" ]
	grep -q "^maildirscan: commit deleted=2 gone=0 failed=0 " "$D/log"
}

@test "ops_admin: kick after the report: mboxsplit, its pop3d gone, renames nothing" {
	"$POP3CTL" -f "$CONF" start
	cp "$MBOX" "$D/mbox.before"
	hold mdemo msecret 2
	kick_after_report mdemo
	grep -q "^pop3ctl: kicked mdemo pid $pop3d from 127.0.0.1\$" "$D/kick.out"
	cmp "$MBOX" "$D/mbox.before"
	[ -z "$(ls -A "$(dirname "$MBOX")" | grep mboxsplit)" ]
	[ ! -e "$MBOX.lock" ]
}

@test "ops_admin: kick of a user without a session fails and signals nothing" {
	"$POP3CTL" -f "$CONF" start
	hold demo secret
	pid=$("$POP3CTL" -f "$CONF" who | awk '$1 == "demo" { print $4 }')
	run "$POP3CTL" -f "$CONF" kick mdemo
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: no session of mdemo" ]
	pid_alive "$pid"
	run "$POP3CTL" -f "$CONF" kick
	[ "$status" -eq 2 ]
}

@test "ops_admin: auth-test names the backend, says why it refused, and leaves the mailbox alone" {
	before=$(cd "$MAILDIR" && find . | sort)
	cp "$MBOX" "$D/mbox.before"
	run "$POP3CTL" -f "$CONF" auth-test demo <<<secret
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "checkpw: user=demo ip=127.0.0.1 backend=virtual result=accept why=ok" ]
	[ "${lines[1]}" = "pop3ctl: demo: accepted by virtual, mailbox $MAILDIR/" ]
	run "$POP3CTL" -f "$CONF" auth-test mdemo <<<wrong
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "checkpw: user=mdemo ip=127.0.0.1 backend=virtual result=refuse why=badpass" ]
	[ "${lines[1]}" = "pop3ctl: mdemo: refused by virtual: badpass" ]
	run "$POP3CTL" -f "$CONF" auth-test nosuch <<<x
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "pop3ctl: nosuch: no such user (asked virtual)" ]
	[ "$(cd "$MAILDIR" && find . | sort)" = "$before" ]
	cmp "$MBOX" "$D/mbox.before"
	[ ! -e "$MBOX.lock" ]
	! grep -q secret "$D/log" 2>/dev/null
}

@test "ops_admin: stats counts exactly the sessions stamped in the period" {
	# the chain as daemontools runs it: pop3ctl run, stamped by tai64n
	sh -c 'echo $$ >"$1"; exec "$2" -f "$3" run 2>&1' x "$D/run.pid" "$POP3CTL" "$CONF" |
		tai64n >"$D/current" &
	wait_port "$PORT"
	cat "$D/run.pid" >>"$BATS_TEST_TMPDIR/pids"
	t0=$(date -u +%s)
	run pop_talk "$PORT" "USER demo" "PASS secret" "RETR 1" "QUIT"
	run pop_talk "$PORT" "USER demo" "PASS wrong" "QUIT"
	run pop_talk "$PORT" "USER mdemo" "PASS msecret" "DELE 2" "QUIT"
	wait_log "^@[0-9a-f]* pop3d: end user=mdemo " "$D/current"
	wait_log "^@[0-9a-f]* pop3login: login user=demo .*result=refused\$" "$D/current"
	t1=$(($(date -u +%s) + 1))
	# a session of the day before and one after the period, stamped so
	{
		printf '@4000000%09x00000000 pop3d: end user=demo ip=127.0.0.1 retrieved=5 sent=500\n' $((t0 - 86400 + 10))
		cat "$D/current"
		printf '@4000000%09x00000000 pop3d: end user=mdemo ip=127.0.0.1 retrieved=5 sent=500\n' $((t1 + 3600 + 10))
	} >"$D/stamped"
	sent=$(sed -n 's/.* pop3d: end user=demo .* sent=\([0-9]*\) .*/\1/p' "$D/current")
	msent=$(sed -n 's/.* pop3d: end user=mdemo .* sent=\([0-9]*\) .*/\1/p' "$D/current")
	[ "$sent" -gt 0 ] && [ "$msent" -gt 0 ]
	run "$POP3CTL" -f "$CONF" stats --since "@$t0" --until "@$t1" "$D/stamped"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'logins_ok 2' 'logins_failed 1' 'sessions 2' \
		'messages_retrieved 1' "octets_sent $((sent + msent))" 'messages_deleted 1' 'denied 0')" ]
	# the same through pop3stats's tables, per user
	run "$POP3STATS" -u -s "@$t0" -e "@$t1" "$D/stamped"
	[ "${lines[1]}" = "$(printf '%-32s %8d %8d %8d %12d' demo 1 1 1 "$sent")" ]
	[ "${lines[2]}" = "$(printf '%-32s %8d %8d %8d %12d' mdemo 1 0 0 "$msent")" ]
	# without a period, the sessions stamped before and after count too
	run "$POP3CTL" -f "$CONF" stats "$D/stamped"
	[ "${lines[2]}" = "sessions 4" ]
	[ "${lines[3]}" = "messages_retrieved 11" ]
	run "$POP3CTL" -f "$CONF" stats --since "$(date -u -d "@$t1" '+%Y-%m-%d %H:%M:%S')" "$D/stamped"
	[ "${lines[2]}" = "sessions 1" ]
	[ "${lines[4]}" = "octets_sent 500" ]
	# lines as pop3ctl's own LOG file keeps them have no stamps: all of
	# them count without a period, none in one
	sed 's/^@[0-9a-f]* //' "$D/current" >"$D/log"
	run "$POP3CTL" -f "$CONF" stats
	[ "${lines[2]}" = "sessions 2" ]
	run "$POP3CTL" -f "$CONF" stats --since "@$t0"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "sessions 0" ]
}

@test "ops_admin: auth-test reads the password from a terminal without echo" {
	run python3 - "$POP3CTL" "$CONF" <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "-f", sys.argv[2], "auth-test", "demo"])
out = b""
def until(pattern):
    global out
    deadline = time.time() + 10
    while pattern not in out and time.time() < deadline:
        try:
            b = os.read(fd, 4096)
        except OSError:
            break
        if not b: break
        out += b
until(b"Password for demo: ")
os.write(fd, b"secret\n")
until(b"accepted by")
until(b"\n")   # the rest of that line
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(st))
PY
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Password for demo: " ]
	[ "${lines[1]}" = "checkpw: user=demo ip=127.0.0.1 backend=virtual result=accept why=ok" ]
	[ "${lines[2]}" = "pop3ctl: demo: accepted by virtual, mailbox $MAILDIR/" ]
	! grep -q secret <<<"$output"
}

@test "ops_admin: who and kick still find a session whose pop3d file an upgrade replaced" {
	mkdir "$D/bin"
	cp -p "$POP3_BIN"/* "$D/bin/" 2>/dev/null || true
	sed -i "s|^BINDIR=.*|BINDIR=$D/bin|" "$CONF"
	"$POP3CTL" -f "$CONF" start
	hold demo secret 1
	cp -p "$D/bin/pop3d" "$D/bin/pop3d.new"
	mv -f "$D/bin/pop3d.new" "$D/bin/pop3d"
	pid=$("$POP3CTL" -f "$CONF" who | awk '$1 == "demo" { print $4 }')
	[ -n "$pid" ]
	[ "$(readlink "/proc/$pid/exe")" = "$D/bin/pop3d (deleted)" ]
	run "$POP3CTL" -f "$CONF" kick demo
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: kicked demo pid $pid from 127.0.0.1" ]
}
