#!/usr/bin/env bats
# pop3ctl: the control tool's life cycle (start, status, reload, a bad
# reload, stop, a stale pid file, edit) over a stub chain, so that these
# tests depend on tcpserver and pop3ctl only.  tests/ops_chain.bats runs
# the real chain through it.

load helpers
load ops_helpers

setup() {
	D=$BATS_TEST_TMPDIR
	stub_chain "$D/bin"
	PORT=$(free_port)
	CONF=$D/pop3d
	write_conf
}

write_conf() {
	cat >"$CONF" <<CONF
# test configuration
LISTEN=127.0.0.1
PORT=$PORT
HOSTNAME=pop.test
BINDIR=$D/bin
CONCURRENCY=${1:-5}
LOG=$D/pop3d.log
PIDFILE=$D/run/pop3d.pid   # a comment after a value
CHECKPW_OPTS="-g mail"
CONF
}

teardown() {
	"$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
}

@test "ops_ctl: check prints the chain it will run" {
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pop3ctl: $CONF: ok" ]
	[ "${lines[1]}" = "$(command -v tcpserver) -v -R -H -D -c 5 -l pop.test 127.0.0.1 $PORT $D/bin/pop3login pop.test $D/bin/checkpw -g mail $D/bin/mboxsplit $D/bin/pop3d" ]
}

@test "ops_ctl: start, status, serve; a second start is refused" {
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	pid=$(head -n 1 "$D/run/pop3d.pid")
	[ "$output" = "pop3ctl: started pid $pid on 127.0.0.1 port $PORT" ]
	[ "$(tr '\0' ' ' </proc/$pid/cmdline | cut -d' ' -f1)" = "$(command -v tcpserver)" ]
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $pid, 0 sessions" ]
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: already running, pid $pid" ]
	[ "$(head -n 1 "$D/run/pop3d.pid")" = "$pid" ]
}

@test "ops_ctl: POP3CTL_CONF names the configuration" {
	POP3CTL_CONF=$CONF run "$POP3CTL" start
	[ "$status" -eq 0 ]
	POP3CTL_CONF=$CONF run "$POP3CTL" status
	[ "$status" -eq 0 ]
}

@test "ops_ctl: reload keeps the server when only data files change, restarts it when the command changes" {
	"$POP3CTL" -f "$CONF" start
	pid=$(head -n 1 "$D/run/pop3d.pid")
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: reloaded, pid $pid" ]
	write_conf 7
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pop3ctl: command line changed: restarting tcpserver" ]
	[ "${lines[1]}" = "pop3ctl: stopped pid $pid" ]
	new=$(head -n 1 "$D/run/pop3d.pid")
	[ "$new" != "$pid" ]
	[ "${lines[2]}" = "pop3ctl: started pid $new on 127.0.0.1 port $PORT" ]
	tr '\0' ' ' </proc/$new/cmdline | grep -q -- ' -c 7 '
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
}

@test "ops_ctl: a bad configuration is refused by reload and the server keeps serving" {
	"$POP3CTL" -f "$CONF" start
	pid=$(head -n 1 "$D/run/pop3d.pid")
	cp "$CONF" "$D/good"
	echo 'PORT=$(touch /tmp/pwned)' >>"$CONF"
	echo 'CONCURENCY=9' >>"$CONF"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: $CONF:10: \$, \` and \\ are not allowed (no expansion is done): \$(touch" ]
	[ "${lines[1]}" = "pop3ctl: $CONF:11: unknown setting: CONCURENCY" ]
	[ "${lines[2]}" = "pop3ctl: $CONF: not reloaded, server unchanged: configuration errors" ]
	[ ! -e /tmp/pwned ]
	[ "$(head -n 1 "$D/run/pop3d.pid")" = "$pid" ]
	pid_alive "$pid"
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
	# a well-formed file that names a missing program is refused too
	cp "$D/good" "$CONF"
	echo "EXPOSER=$D/bin/nosuch" >>"$CONF"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: EXPOSER: not found: $D/bin/nosuch" ]
	pid_alive "$pid"
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
}

@test "ops_ctl: stop ends the server and frees the port" {
	"$POP3CTL" -f "$CONF" start
	pid=$(head -n 1 "$D/run/pop3d.pid")
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: stopped pid $pid" ]
	! pid_alive "$pid"
	[ ! -e "$D/run/pop3d.pid" ]
	port_closed "$PORT"
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 3 ]
	[ "$output" = "pop3ctl: not running" ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: not running" ]
}

@test "ops_ctl: after a crash, status and stop report the stale pid file and start works" {
	"$POP3CTL" -f "$CONF" start
	pid=$(head -n 1 "$D/run/pop3d.pid")
	kill -KILL "$pid"
	for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.05; done
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: not running, stale pid file $D/run/pop3d.pid" ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: not running (stale pid file $D/run/pop3d.pid removed)" ]
	[ ! -e "$D/run/pop3d.pid" ]
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
}

@test "ops_ctl: start over a stale pid file replaces it" {
	mkdir -p "$D/run"
	printf '999999\n1\n/usr/bin/tcpserver x\n' >"$D/run/pop3d.pid"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pop3ctl: removing stale pid file $D/run/pop3d.pid" ]
	[ "$(head -n 1 "$D/run/pop3d.pid")" != 999999 ]
}

@test "ops_ctl: a pid file naming someone else's process never gets it killed" {
	sleep 60 3>&- 4>&- 5>&- &
	other=$!
	echo "$other" >>"$BATS_TEST_TMPDIR/pids"
	mkdir -p "$D/run"
	# right pid, wrong start time and command line: a recycled pid
	printf '%s\n1\n/usr/bin/tcpserver -c 5\n' "$other" >"$D/run/pop3d.pid"
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: not running (stale pid file $D/run/pop3d.pid removed)" ]
	pid_alive "$other"
	# right pid and start time, but another command
	st=$(sed 's/.*) //' /proc/$other/stat | cut -d' ' -f20)
	printf '%s\n%s\n/usr/bin/tcpserver -c 5\n' "$other" "$st" >"$D/run/pop3d.pid"
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 0 ]
	pid_alive "$other"
}

@test "ops_ctl: start fails cleanly when the port is taken" {
	start_tcpserver "$PORT" echo busy
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: tcpserver exited at once; see $D/pop3d.log" ]
	[ ! -e "$D/run/pop3d.pid" ]
	grep -q 'tcpserver: fatal: unable to bind: address already used' "$D/pop3d.log"
}

@test "ops_ctl: run execs tcpserver in the foreground with logs on stderr" {
	sed -i 's|^LOG=.*|LOG=stderr|' "$CONF"
	"$POP3CTL" -f "$CONF" run 2>"$D/stderr" 3>&- 4>&- 5>&- &
	pid=$!
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$PORT"
	[ "$(tr '\0' ' ' </proc/$pid/cmdline | cut -d' ' -f1)" = "$(command -v tcpserver)" ]
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
	grep -q "^tcpserver: status: 0/5" "$D/stderr"
}

@test "ops_ctl: the parser refuses what it cannot read exactly" {
	cat >"$CONF" <<CONF
BINDIR=$D/bin
PORT=110 extra
HOSTNAME="unterminated
LOG='/var/log/x'y
lowercase=1
PIDFILE=a\`b\`
CONF
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: $CONF:2: text after the value: extra" ]
	[ "${lines[1]}" = "pop3ctl: $CONF:3: unterminated quote" ]
	[ "${lines[2]}" = "pop3ctl: $CONF:4: text after the value: y" ]
	[ "${lines[3]}" = "pop3ctl: $CONF:5: not KEY=value: lowercase=1" ]
	[ "${lines[4]}" = "pop3ctl: $CONF:6: \$, \` and \\ are not allowed (no expansion is done): a\`b\`" ]
}

@test "ops_ctl: edit replaces the file only with a copy that validates" {
	cp "$CONF" "$D/orig"
	printf '#!/bin/sh\necho "PORT=99999" >>"$1"\n' >"$D/bad-editor"
	printf '#!/bin/sh\nsed -i "s/^CONCURRENCY=.*/CONCURRENCY=9/" "$1"\n' >"$D/good-editor"
	chmod 755 "$D/bad-editor" "$D/good-editor"
	EDITOR=$D/bad-editor run "$POP3CTL" -f "$CONF" edit
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: PORT: not a port number: 99999" ]
	cmp "$CONF" "$D/orig"
	EDITOR=$D/good-editor run "$POP3CTL" -f "$CONF" edit
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: $CONF updated; \"pop3ctl reload\" applies it" ]
	grep -qx 'CONCURRENCY=9' "$CONF"
}

@test "ops_ctl: tcprules and users files compile to cdb by temp file and rename" {
	[ -x "$POP3_BIN/vusers-make" ] || skip "vusers-make not built"
	printf '127.0.0.1:allow,RELAYCLIENT=""\n:deny\n' >"$D/tcp"
	printf '# virtual users\ndemo:1000:1000:/home/demo:/var/mail/demo:{plain}secret\n' >"$D/users"
	echo "TCPRULES=$D/tcp" >>"$CONF"
	echo "USERS=$D/users" >>"$CONF"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: data files compiled; server not running" ]
	[ "$(cdb -q "$D/users.cdb" demo)" = '1000:1000:/home/demo:/var/mail/demo:{plain}secret' ]
	[ -s "$D/tcp.cdb" ]
	run "$POP3CTL" -f "$CONF" check
	echo "${lines[1]}" | grep -q -- " -x $D/tcp.cdb 127.0.0.1 $PORT "
	# a bad users file is refused and the compiled one stays
	echo 'demo:again' >>"$D/users"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: USERS: vusers-make: fatal: $D/users:3: malformed line (want NAME:UID:GID:HOME:MAILBOX:SECRET)" ]
	[ "$(cdb -q "$D/users.cdb" demo)" = '1000:1000:/home/demo:/var/mail/demo:{plain}secret' ]
	[ -z "$(ls "$D" | grep -v -e '^bin$' -e '^run$' -e '^users' -e '^tcp' -e '^pop3d')" ]
}

@test "ops_ctl: hostcheck rules compile to RULES.cdb, and a bad rule stops a reload" {
	[ -x "$POP3_BIN/hostcheck-rules" ] || skip "hostcheck-rules not built"
	printf 'trust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	cp "$POP3_BIN/hostcheck" "$D/bin/hostcheck"
	echo "RULES=$D/rules" >>"$CONF"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ]
	[ -s "$D/rules.cdb" ]
	tr '\0' ' ' </proc/$(head -n 1 "$D/run/pop3d.pid")/cmdline | grep -q -- " 127.0.0.1 $PORT $D/bin/hostcheck $D/rules.cdb $D/bin/pop3login pop.test "
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
	cp "$D/rules.cdb" "$D/before.cdb"
	echo 'permit 10.0.0.0/8' >>"$D/rules"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 1 ]
	echo "${lines[0]}" | grep -q "^pop3ctl: RULES: .*:3: unknown action"
	cmp "$D/rules.cdb" "$D/before.cdb"
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
}

@test "ops_ctl: two starts at once launch one server" {
	"$POP3CTL" -f "$CONF" start >"$D/out1" 2>&1 &
	p1=$!
	"$POP3CTL" -f "$CONF" start >"$D/out2" 2>&1 &
	p2=$!
	s1=0; wait "$p1" || s1=$?
	s2=0; wait "$p2" || s2=$?
	[ $((s1 + s2)) -eq 1 ]
	pid=$(head -n 1 "$D/run/pop3d.pid")
	cat "$D/out1" "$D/out2" | sort >"$D/out"
	[ "$(cat "$D/out")" = "pop3ctl: already running, pid $pid
pop3ctl: started pid $pid on 127.0.0.1 port $PORT" ]
	n=0
	for c in /proc/[0-9]*/cmdline; do
		case $(tr '\0' ' ' <"$c" 2>/dev/null) in
		"$(command -v tcpserver) "*" 127.0.0.1 $PORT "*) n=$((n + 1)) ;;
		esac
	done
	[ "$n" -eq 1 ]
}

@test "ops_ctl: edit rules keeps a broken edit out" {
	[ -x "$POP3_BIN/hostcheck-rules" ] || skip "hostcheck-rules not built"
	printf 'trust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	cp "$D/rules" "$D/rules.orig"
	echo "RULES=$D/rules" >>"$CONF"
	printf '#!/bin/sh\necho "allow 300.1.2.3" >>"$1"\n' >"$D/bad-editor"
	printf '#!/bin/sh\necho "allow 192.0.2.0/24" >>"$1"\n' >"$D/good-editor"
	chmod 755 "$D/bad-editor" "$D/good-editor"
	EDITOR=$D/bad-editor run "$POP3CTL" -f "$CONF" edit rules
	[ "$status" -eq 1 ]
	echo "${lines[0]}" | grep -q '^pop3ctl: RULES: .*:3: '
	cmp "$D/rules" "$D/rules.orig"
	EDITOR=$D/good-editor run "$POP3CTL" -f "$CONF" edit rules
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: $D/rules updated; \"pop3ctl reload\" applies it" ]
	[ "$(tail -n 1 "$D/rules")" = "allow 192.0.2.0/24" ]
}

@test "ops_ctl: the shipped template parses, and its commented values are the defaults" {
	cp "$TESTS_DIR/../scripts/pop3d.conf" "$CONF"
	printf 'BINDIR=%s\nLOG=%s\nPIDFILE=%s\nHOSTNAME=pop.test\n' "$D/bin" "$D/pop3d.log" "$D/run/pop3d.pid" >>"$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(command -v tcpserver) -v -R -H -D -c 40 -l pop.test 0 110 $D/bin/pop3login pop.test $D/bin/checkpw -g mail $D/bin/mboxsplit $D/bin/pop3d" ]
	# every commented KEY=value of the template is accepted as it stands
	grep '^#[A-Z_0-9]*=' "$TESTS_DIR/../scripts/pop3d.conf" | sed 's/^#//' >"$D/uncommented"
	sed -i -e '/^BINDIR=/d' -e '/^LOG=/d' -e '/^PIDFILE=/d' -e '/^HOSTNAME=/d' "$D/uncommented"
	cat "$D/uncommented" >>"$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(command -v tcpserver) -v -R -H -D -c 40 -l pop.test 0 110 $D/bin/pop3login pop.test $D/bin/checkpw -g mail $D/bin/mboxsplit $D/bin/pop3d" ]
}

# fake_tcpserver v4|v6: a tcpserver in BINDIR that only prints the usage
# line of ucspi-tcp's (IPv4 only) or of ucspi-tcp-ipv6's, whichever is
# installed here: pop3ctl tells them apart by it.
fake_tcpserver() {
	local usage='[ -1UXpPhHrRoOdDqQv ] [ -c limit ] [ -x rules.cdb ] [ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] [ -l localname ] [ -t timeout ] host port program'
	[ "$1" = v4 ] ||
		usage='[ -461UXpPhHrRoOdDqQv ] [ -c limit ] [ -x rules.cdb ] [ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] [ -l localname ] [ -t timeout ] [ -I interface ] host port program'
	printf '#!/bin/sh\necho "tcpserver: usage: tcpserver %s" >&2\nexit 100\n' "$usage" >"$D/bin/tcpserver"
	chmod 755 "$D/bin/tcpserver"
}

@test "ops_ctl: an IPv6 LISTEN needs ucspi-tcp-ipv6's tcpserver, and check says so" {
	sed -i 's/^LISTEN=.*/LISTEN=::1/' "$CONF"
	fake_tcpserver v4
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: LISTEN: $D/bin/tcpserver has no IPv6 (Debian: install ucspi-tcp-ipv6): ::1" ]
	fake_tcpserver v6
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$D/bin/tcpserver -v -R -H -D -c 5 -l pop.test ::1 $PORT $D/bin/pop3login pop.test $D/bin/checkpw -g mail $D/bin/mboxsplit $D/bin/pop3d" ]
	# tcpserver's parser refuses a trailing "::": pop3ctl writes "::0"
	sed -i 's/^LISTEN=.*/LISTEN=::/' "$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	echo "${lines[1]}" | grep -q -- " -l pop.test ::0 $PORT "
	# an IPv4 LISTEN needs no IPv6
	fake_tcpserver v4
	sed -i 's/^LISTEN=.*/LISTEN=0/' "$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
}

@test "ops_ctl: LISTEN takes IPv4 and IPv6 text forms and refuses malformed ones" {
	fake_tcpserver v6
	for a in 0 127.0.0.1 192.0.2.255 ::1 :: 2001:db8::7 2001:DB8::7 0:0:0:0:0:0:0:1 ::ffff:127.0.0.1 fe80:: 1:2:3:4:5:6:7::; do
		sed -i "s/^LISTEN=.*/LISTEN=$a/" "$CONF"
		run "$POP3CTL" -f "$CONF" check
		[ "$status" -eq 0 ] || { echo "refused: $a: $output"; false; }
	done
	for a in '' 1.2.3 1.2.3.4.5 01.2.3.4 256.0.0.1 1..2.3 localhost 1::2::3 :1:: 12345::1 1:2:3:4:5:6:7 1:2:3:4:5:6:7:8:9 ::1.2.3 ::1.2.3.4:5 fe80::1%lo 1:2:3:4:5:6:7:8::; do
		sed -i "s/^LISTEN=.*/LISTEN=$a/" "$CONF"
		run "$POP3CTL" -f "$CONF" check
		[ "$status" -eq 1 ] || { echo "accepted: $a"; false; }
		[ "${lines[0]}" = "pop3ctl: LISTEN: not an IPv4 or IPv6 address: $a" ]
	done
}

@test "ops_ctl: every shipped shell script parses under dash" {
	local s
	for s in pop3ctl pop3stats demo daemontools/run daemontools/log/run; do
		sh -n "$TESTS_DIR/../scripts/$s"
		[ -x "$TESTS_DIR/../scripts/$s" ]
	done
}

@test "ops_ctl: the mixed-site example of pop3d.conf: one exposer line with the options of both kinds" {
	cat >>"$CONF" <<'CONF'
CHECKPW_OPTS="-g mail -m %h/mbox"
EXPOSER_OPTS="-H -R -C ~/.pop3cache -x -w 10 -n 50000"
CONF
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(command -v tcpserver) -v -R -H -D -c 5 -l pop.test 127.0.0.1 $PORT $D/bin/pop3login pop.test $D/bin/checkpw -g mail -m %h/mbox $D/bin/mboxsplit -H -R -C ~/.pop3cache -x -w 10 -n 50000 $D/bin/pop3d" ]
	# the example in the shipped file is the same
	grep -qxF '#   EXPOSER_OPTS="-H -R -C ~/.pop3cache -x -w 10 -n 50000"' "$BATS_TEST_DIRNAME/../scripts/pop3d.conf"
}
