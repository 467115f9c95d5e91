#!/usr/bin/env bats
# Where the chain's log lines land (lib/die.h, log_start): on stderr when
# it is a log (a pipe, as under tcpserver and multilog), on syslog,
# facility mail, when it is not (inetd and xinetd give the client as
# descriptors 0, 1 and 2; or it is closed, or /dev/null).  Each test runs
# the chain in a mount namespace of its own whose /dev/log is the socket
# of a small syslog daemon the test starts (tests/logs_syslogd.py).

load helpers
load ops_helpers

setup() {
	have_chain
	chain_setup
	SINK=$D/syslog
	: >"$SINK"
	python3 "$TESTS_DIR/logs_syslogd.py" "$D/log.sock" "$SINK" 3>&- 4>&- 5>&- &
	echo $! >>"$D/pids"
	local i
	for i in $(seq 1 100); do
		[ -S "$D/log.sock" ] && break
		sleep 0.05
	done
	[ -S "$D/log.sock" ]
}

teardown() {
	stop_started
	remove_users
	ops_cleanup_users
}

# in_log_ns CMD...: CMD in a private mount namespace whose /dev is a
# small tmpfs with the usual devices and the test's socket as /dev/log
# (none with NO_DEV_LOG=1: a syslog daemon in the namespace makes it).
# The namespace, and every mount in it, ends with CMD's last process.
# With BG=1, CMD's pid is recorded for teardown: the caller runs it in
# the background, and $! would be the subshell's, not CMD's.
in_log_ns() {
	local sock=$D/log.sock pids=
	[ -z "${NO_DEV_LOG:-}" ] || sock=
	[ -z "${BG:-}" ] || pids=$D/pids
	unshare -m --propagation private sh -euc '
		sock=$1 dev=$2 pids=$3
		shift 3
		mkdir -p "$dev"
		mount -t tmpfs -o mode=755,size=64k h18-logs-dev "$dev"
		for d in null zero full random urandom tty; do
			touch "$dev/$d"
			mount --bind "/dev/$d" "$dev/$d"
		done
		ln -s /proc/self/fd "$dev/fd"
		if [ -n "$sock" ]; then
			touch "$dev/log"
			mount --bind "$sock" "$dev/log"
		fi
		mount --move "$dev" /dev
		[ -z "$pids" ] || echo $$ >>"$pids"
		exec "$@"
	' sh "$sock" "$D/dev" "$pids" "$@"
}

# wait_sink PATTERN: waits (at most 5 s) for a datagram matching the
# extended regular expression.
wait_sink() {
	local i
	for i in $(seq 1 100); do
		grep -Eq -- "$1" "$SINK" && return 0
		sleep 0.05
	done
	echo "no datagram matching $1; got:" >&2
	cat "$SINK" >&2
	return 1
}

# start_xinetd_in_ns [SYSLOGD...]: xinetd serving the chain on $PORT in
# a namespace of in_log_ns, with SYSLOGD started there first.
start_xinetd_in_ns() {
	xinetd_conf "$D/xinetd.conf" 127.0.0.1
	# xinetd's own lines go to its file, so that syslog holds the
	# chain's alone
	BG=1 in_log_ns sh -c '
		conf=$1 base=$2 pids=$3
		shift 3
		if [ $# -gt 0 ]; then
			"$@" &
			echo $! >>"$pids"
			for i in $(seq 1 100); do [ -S /dev/log ] && break; sleep 0.05; done
		fi
		exec xinetd -f "$conf" -dontfork -pidfile "$base.pid" -filelog "$base.log"
	' sh "$D/xinetd.conf" "$D/xinetd" "$D/pids" "$@" 3>&- 4>&- 5>&- &
	echo $! >>"$D/pids"
	wait_port "$PORT"
}

# add_mbox_user: the virtual user mbx/secret2, an mbox of two messages
# in the same home, served by mboxsplit behind the maildirscan line.
add_mbox_user() {
	local home="$D/home-$OPS_USER"
	make_mbox "$home/mbox" 2
	chown "$OPS_USER:" "$home/mbox"
	printf 'mbx:%s:%s:%s:%s:{plain}secret2\n' "$(id -u "$OPS_USER")" "$(id -g "$OPS_USER")" "$home" "$home/mbox" >>"$D/users"
	"$POP3_BIN/vusers-make" "$D/users" "$D/users.cdb" 2>/dev/null
}

@test "logs: under xinetd (fd 2 the client) every line goes to syslog, facility mail, none to the client" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	add_mbox_user
	start_xinetd_in_ns
	run pop_talk "$PORT" "USER mbx" "PASS secret2" "STAT" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK send PASS\r\n+OK 2 messages (262 octets)\r\n+OK 2 262\r\n+OK bye, nothing deleted\r' ]
	# session_ok compares every byte the client got: no log text among them
	session_ok "$PORT"
	run pop_talk "$PORT" "USER demo" "PASS wrong" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r' ]
	wait_sink '^<22>pop3login: login user=demo ip=127\.0\.0\.1 method=pass tls=no result=refused$'
	wait_sink '^<22>maildirscan: commit deleted=1 '
	cat "$SINK"  # shown if the test fails
	wait_sink '^<22>pop3d: end user=demo ip=127\.0\.0\.1 messages=2 octets=104 retrieved=1 sent=[0-9]+ deleted=1 seconds=[0-9]+ how=quit$'
	# each link's line, those of the confined ones (maildirscan's commit
	# after pop3d has started, pop3d's end) among them
	grep -Eq '^<22>hostcheck: trust ip=127\.0\.0\.1 port=[0-9]+ dns=skipped match=prefix rule=1$' "$SINK"
	grep -Eq '^<22>pop3login: login user=demo ip=127\.0\.0\.1 method=pass tls=no result=ok$' "$SINK"
	grep -qx '<22>checkpw: user=demo ip=127.0.0.1 backend=virtual result=accept why=ok' "$SINK"
	grep -qx '<22>checkpw: user=demo ip=127.0.0.1 backend=virtual result=refuse why=badpass' "$SINK"
	grep -qx '<22>pop3login: end ip=127.0.0.1 how=quit commands=3 failures=1' "$SINK"
	grep -Eq '^<22>maildirscan: scan user=demo ' "$SINK"
	grep -Eq '^<22>maildirscan: commit deleted=1 ' "$SINK"
	# mboxsplit's index line comes from its confined worker
	grep -Eq '^<22>mboxsplit: indexed user=mbx mailbox=[^ ]+/mbox messages=2 ' "$SINK"
	grep -Eq '^<22>pop3d: end user=mbx ip=127\.0\.0\.1 messages=2 octets=262 retrieved=0 sent=[0-9]+ deleted=0 seconds=[0-9]+ how=quit$' "$SINK"
	# every datagram is one line of the chain, facility mail (16..23)
	! grep -Ev '^<(1[6-9]|2[0-3])>(hostcheck|pop3login|checkpw|maildirscan|mboxsplit|pop3d): [^ ]' "$SINK"
	! grep -q secret "$SINK"
	[ ! -s "$D/log" ]
}

@test "logs: under a tcpserver-like pipe on fd 2 the lines stay on stderr, none go to syslog" {
	mkfifo "$D/fifo"
	cat "$D/fifo" >>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$D/pids"
	# shellcheck disable=SC2046
	BG=1 in_log_ns tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$PORT" $(chain_argv) \
		2>"$D/fifo" 3>&- 4>&- 5>&- &
	echo $! >>"$D/pids"
	wait_port "$PORT"
	session_ok "$PORT"
	wait_log '^pop3d: end user=demo ip=127.0.0.1 messages=2 octets=104 retrieved=1 sent=[0-9]* deleted=1 seconds=[0-9]* how=quit$'
	wait_log '^maildirscan: commit deleted=1 '
	grep -q '^hostcheck: trust ip=127.0.0.1 ' "$D/log"
	grep -q '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=no result=ok$' "$D/log"
	grep -q '^checkpw: user=demo ip=127.0.0.1 ' "$D/log"
	[ ! -s "$SINK" ]
}

@test "logs: stderr closed or /dev/null: a fatal line goes to syslog as LOG_ERR" {
	# the redirections inside: bats's run gives its command a pipe as fd 2
	run in_log_ns sh -c '"$1" -x 2>/dev/null' sh "$POP3_BIN/pop3d"
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
	run in_log_ns sh -c '"$1" 2>&-' sh "$POP3_BIN/maildirscan"
	[ "$status" -eq 2 ]
	run in_log_ns sh -c '"$1" -Q 2>/dev/null' sh "$POP3_BIN/mboxsplit"
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
	wait_sink '^<19>mboxsplit: fatal: usage: mboxsplit '
	[ "$(sed -n 1p "$SINK")" = '<19>pop3d: fatal: usage: pop3d [-l] [-n] [-t SECONDS]' ]
	grep -Eq '^<19>maildirscan: fatal: usage: maildirscan ' "$SINK"
	# one datagram each: getopt's own complaint is not written
	[ "$(wc -l <"$SINK")" -eq 3 ]
}

@test "logs: without a syslog daemon, fd 2 the client still gets no log text" {
	# the namespace's /dev/log refuses: its daemon is gone
	kill "$(head -n 1 "$D/pids")"
	wait "$(head -n 1 "$D/pids")" 2>/dev/null || true
	command -v xinetd >/dev/null || skip "xinetd not installed"
	start_xinetd_in_ns
	run pop_talk "$PORT" "USER demo" "PASS wrong" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r' ]
	session_ok "$PORT"
}

@test "logs: a real syslog daemon (busybox syslogd) files the lines as mail, and pop3stats reads them" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	command -v busybox >/dev/null || skip "busybox not installed"
	NO_DEV_LOG=1 start_xinetd_in_ns busybox syslogd -n -O "$D/messages"
	session_ok "$PORT"
	run pop_talk "$PORT" "USER demo" "PASS wrong" "QUIT"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n+OK bye\r' ]
	wait_log ' mail\.info pop3login: login user=demo ip=127\.0\.0\.1 method=pass tls=no result=refused$' "$D/messages"
	# the daemon stamps the time: the line after it is the stderr line
	grep -Eq '^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ mail\.info pop3d: end user=demo ip=127\.0\.0\.1 messages=2 octets=104 retrieved=1 sent=[0-9]+ deleted=1 seconds=[0-9]+ how=quit$' "$D/messages"
	grep -q ' mail\.info maildirscan: commit deleted=1 ' "$D/messages"
	sent=$(sed -n 's/.* pop3d: end .* sent=\([0-9]*\) .*/\1/p' "$D/messages")
	run "$POP3STATS" -u "$D/messages"
	[ "${lines[1]}" = "$(printf '%-32s %8d %8d %8d %12d' demo 1 1 1 "$sent")" ]
	! grep -q secret "$D/messages"
}
