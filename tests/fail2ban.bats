#!/usr/bin/env bats
# The fail2ban filter (scripts/fail2ban/filter.d/pop3-toolkit.conf) on
# the lines the chain really writes.  Failed and successful logins go
# through the real chain (hostcheck, pop3login, checkpw, maildirscan,
# pop3d) under tcpserver on 127.0.0.1 and under systemd-socket-activate
# on ::1, from several loopback addresses; fail2ban-regex then reads the
# chain's log as written, as syslog and the journal give it (a prefix
# "HOST pop3d[PID]: ", what rsyslog writes and fail2ban's journal reader
# makes of an entry), and as multilog writes it (a TAI64N stamp).  In
# each form every failed attempt must match once, with its client's
# address, and no successful login may match.
load helpers
load ops_helpers
bats_require_minimum_version 1.5.0

FILTER=$BATS_TEST_DIRNAME/../scripts/fail2ban/filter.d/pop3-toolkit.conf

setup() {
	command -v fail2ban-regex >/dev/null || skip "fail2ban-regex not installed"
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	have_chain
	chain_setup
	# 127.0.0.3 may fail twice: its third attempt meets the limit.
	printf 'allow 127.0.0.0/8\nallow 127.0.0.3 FAILURES_PER_IP=2\nallow ::1\ndeny default\n' >"$D/rules"
	"$POP3_BIN/hostcheck-rules" "$D/rules" "$D/rules.cdb"
	# fail2ban-regex reads its filter from a configuration directory:
	# Debian's, with this tree's filter beside its common.conf.
	F2B=$D/fail2ban
	cp -r /etc/fail2ban "$F2B"
	cp "$FILTER" "$F2B/filter.d/pop3-toolkit.conf"
	# shellcheck disable=SC2046  # chain_argv is one word per argument
	start_tcpserver "$PORT" $(chain_argv)
	PORT6=$(free_port)
	systemd-socket-activate -l "[::1]:$PORT6" --accept --inetd $(chain_argv) \
		2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port6 "$PORT6"
}

teardown() {
	stop_started
	ops_cleanup_users
	remove_users
}

wait_port6() {
	local i
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(socket.AF_INET6); s.settimeout(0.2); sys.exit(s.connect_ex(('::1',$1)))" && return 0
		sleep 0.05
	done
	return 1
}

# attempt SOURCE HOST PORT KIND USER SECRET: one login from SOURCE to
# HOST:PORT; KIND is pass (USER/PASS) or plain (AUTH PLAIN).
# Prints the server's answer to the secret.
attempt() {
	python3 - "$@" <<-'PY'
	import base64, socket, sys
	src, host, port, kind, user, secret = sys.argv[1:]
	family = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(family)
	s.settimeout(10)
	s.bind((src, 0))
	s.connect((host, int(port)))
	f = s.makefile("rb")
	f.readline()
	def say(line):
	    s.sendall(line.encode() + b"\r\n")
	    return f.readline().decode().rstrip("\r\n")
	if kind == "pass":
	    say("USER " + user)
	    answer = say("PASS " + secret)
	else:
	    token = base64.b64encode(("\0%s\0%s" % (user, secret)).encode()).decode()
	    answer = say("AUTH PLAIN " + token)
	if answer.startswith("+OK"):
	    say("STAT")
	say("QUIT")
	print(answer)
	PY
}

# f2b_ips LOG: the addresses fail2ban-regex finds in LOG, one a line, in
# order; fails if a line cannot be read.
f2b_ips() {
	fail2ban-regex -c "$F2B" -o ip "$1" pop3-toolkit
}

@test "fail2ban: every failed login matches once with its address, no success matches" {
	# The failures, in order, with the address each must be banned by.
	expect=()
	fail() {
		run attempt "$@"
		[[ $output == -ERR* ]] || { echo "not refused: $* -> $output"; return 1; }
		expect+=("$1")
	}
	ok() {
		run attempt "$@"
		[[ $output == +OK* ]] || { echo "not accepted: $* -> $output"; return 1; }
	}
	ok 127.0.0.1 127.0.0.1 "$PORT" pass demo secret
	fail 127.0.0.1 127.0.0.1 "$PORT" pass demo wrong
	fail 127.0.0.2 127.0.0.1 "$PORT" pass nosuchuser wrong
	fail 127.0.0.2 127.0.0.1 "$PORT" plain demo wrong
	# A name that tries to forge the address field.
	fail 127.0.0.2 127.0.0.1 "$PORT" pass 'x ip=192.0.2.9 y' wrong
	ok 127.0.0.2 127.0.0.1 "$PORT" plain demo secret
	fail 127.0.0.3 127.0.0.1 "$PORT" pass demo wrong
	fail 127.0.0.3 127.0.0.1 "$PORT" pass demo wrong2
	# Past FAILURES_PER_IP=2: refused unchecked, the right secret too.
	fail 127.0.0.3 127.0.0.1 "$PORT" pass demo secret
	ok ::1 ::1 "$PORT6" pass demo secret
	fail ::1 ::1 "$PORT6" pass demo wrong
	ok ::1 ::1 "$PORT6" plain demo secret
	ok 127.0.0.1 127.0.0.1 "$PORT" pass demo secret

	# The log is complete when the 13 attempts' login lines and the one
	# limit line are in.  Not the end lines: the port probes end
	# sessions too, so 14 of those can come before the last login line.
	for i in $(seq 1 400); do
		[ "$(grep -c '^pop3login: \(login\|limit\) ' "$D/log")" -ge 14 ] && break
		sleep 0.05
	done
	grep '^pop3login: \(login\|limit\)' "$D/log" >"$D/logins"
	cat "$D/logins"
	[ "$(grep -c 'result=ok$' "$D/logins")" -eq 5 ]
	[ "$(grep -c 'result=refused$' "$D/logins")" -eq 7 ]
	grep -qF 'pop3login: limit what=failures scope=ip user=demo ip=127.0.0.3 max=2' "$D/logins"
	grep -qF 'user="x ip=192.0.2.9 y" ip=127.0.0.2 ' "$D/logins"
	grep -q 'ip=::1 .*result=refused$' "$D/logins"

	# The three forms of the whole log (tcpserver's and the other links'
	# lines too), each read by fail2ban-regex.
	host=$(hostname)
	stamp=$(LC_ALL=C date '+%b %e %H:%M:%S')
	sed "s/^/$stamp $host pop3d[4242]: /" "$D/log" >"$D/syslog"
	python3 - "$D/log" "$D/multilog" <<-'PY'
	import sys, time
	ns = time.time_ns()
	with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
	    for line in src:
	        label = "@%016x%08x" % (2**62 + 10 + ns // 10**9, ns % 10**9)
	        dst.write(label + " " + line)
	PY
	want=$(printf '%s\n' "${expect[@]}")
	for form in log syslog multilog; do
		run --separate-stderr f2b_ips "$D/$form"
		[ "$status" -eq 0 ] || { echo "$form: fail2ban-regex: $stderr"; false; }
		[ "$output" = "$want" ] || { printf '%s: got\n%s\nwant\n%s\n' "$form" "$output" "$want"; false; }
		# No line read without a time stamp: the line count is whole.
		run fail2ban-regex -c "$F2B" "$D/$form" pop3-toolkit
		[[ $output == *"Lines: $(wc -l <"$D/log") lines, 0 ignored, ${#expect[@]} matched"* ]] ||
			{ echo "$form: $output"; false; }
	done
}

@test "fail2ban: the filter and the jails load in fail2ban's own configuration check" {
	# Only the toolkit's jails: Debian's sshd jail wants logs this
	# machine may not have.
	rm -f "$F2B"/jail.d/*
	cp "$BATS_TEST_DIRNAME/../scripts/fail2ban/jail.d/pop3-toolkit.conf" "$F2B/jail.d/"
	printf '[pop3-toolkit]\nenabled = true\n' >"$D/on-journal"
	# The file jail's log must exist: this test's own.
	printf '[pop3-toolkit-file]\nenabled = true\nlogpath = %s\n' "$D/log" >"$D/on-file"
	for on in on-journal on-file; do
		cp "$D/$on" "$F2B/jail.d/pop3-toolkit.local"
		# -t tests the configuration (fail2ban-client, no server).
		run fail2ban-client -c "$F2B" -t
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *"OK: configuration test is successful"* ]]
	done
}
