#!/usr/bin/env bats
# pop3ctl status (and start, stop, reload) when the server was not
# started by "pop3ctl start", so there is no pid file: "pop3ctl run"
# under runit's runsv, under daemontools' supervise, in a systemd
# service's cgroup, and a tcpserver started by hand.  Over a stub chain
# (tests/ops_helpers.bash), as in tests/ops_ctl.bats.

load helpers
load ops_helpers

setup() {
	D=$BATS_TEST_TMPDIR
	stub_chain "$D/bin"
	PORT=$(free_port)
	CONF=$D/pop3d
	cat >"$CONF" <<CONF
LISTEN=127.0.0.1
PORT=$PORT
HOSTNAME=pop.test
BINDIR=$D/bin
CONCURRENCY=5
LOG=stderr
PIDFILE=$D/run/pop3d.pid
CONF
	SV=$D/sv/pop3d
	mkdir -p "$SV"
	printf '#!/bin/sh\nexec 2>&1\nexec %s -f %s run\n' "$POP3CTL" "$CONF" >"$SV/run"
	chmod 755 "$SV/run"
}

teardown() {
	if [ -d "$SV/supervise" ]; then
		case ${SUPERVISOR:-} in
		runit) sv exit "$SV" >/dev/null 2>&1 || true ;;
		daemontools) svc -dx "$SV" >/dev/null 2>&1 || true ;;
		esac
	fi
	"$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	if [ -n "${CGROUP:-}" ] && [ -d "$CGROUP" ]; then
		for i in $(seq 1 50); do rmdir "$CGROUP" 2>/dev/null && break; sleep 0.05; done
	fi
}

# started PID: records PID for teardown.
started() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# wait_serving: waits (at most 10 s) until the chain answers on PORT.
wait_serving() {
	local i
	for i in $(seq 1 100); do
		[ "$(pop_talk "$PORT" 2>/dev/null)" = $'+OK stub pop.test ready\r' ] && return 0
		sleep 0.1
	done
	echo "the chain never answered on $PORT" >&2
	return 1
}

# wait_status CODE: waits (at most 10 s) until pop3ctl status exits CODE.
wait_status() {
	local i st
	for i in $(seq 1 100); do
		st=0
		"$POP3CTL" -f "$CONF" status >/dev/null 2>&1 || st=$?
		[ "$st" -eq "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "ops_status: a tcpserver started by hand: running, but not pop3ctl's to stop" {
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	# shellcheck disable=SC2086  # the command line, split as it was printed
	set -- ${lines[1]}
	"$@" 2>>"$D/log" 3>&- 4>&- 5>&- &
	pid=$!
	started "$pid"
	wait_serving
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $pid, 0 sessions, a tcpserver without a pid file (not started by pop3ctl start)" ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: not done: pid $pid is a tcpserver without a pid file (not started by pop3ctl start); stop it with kill $pid" ]
	pid_alive "$pid"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: already running, pid $pid, a tcpserver without a pid file (not started by pop3ctl start)" ]
	[ ! -e "$D/run/pop3d.pid" ]
	kill "$pid"
	wait_status 3
	run "$POP3CTL" -f "$CONF" status
	[ "$output" = "pop3ctl: not running" ]
}

@test "ops_status: another program on the port is not taken for the server" {
	start_tcpserver "$PORT" echo busy
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 3 ]
	[ "$output" = "pop3ctl: not running" ]
	# another configuration's chain, on another port, neither
	sed -i "s/^PORT=.*/PORT=$(free_port)/" "$CONF"
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 3 ]
}

@test "ops_status: pop3ctl run under runit's runsv: status names the service, stop and a changed command line go to sv" {
	command -v runsv >/dev/null || skip "runit not installed"
	SUPERVISOR=runit
	runsv "$SV" >"$D/runsv.log" 2>&1 3>&- 4>&- 5>&- &
	started $!
	wait_serving
	for i in $(seq 1 50); do [ -s "$SV/supervise/pid" ] && break; sleep 0.1; done
	pid=$(cat "$SV/supervise/pid")
	sv status "$SV" | grep -q "^run: $SV: (pid $pid) "
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $pid, 0 sessions, supervised by runit in $SV (sv status $SV)" ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: not done: pid $pid is supervised by runit in $SV; stop it with sv down $SV" ]
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: already running, pid $pid, supervised by runit in $SV" ]
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: reloaded, pid $pid, supervised by runit in $SV" ]
	sed -i 's/^CONCURRENCY=.*/CONCURRENCY=6/' "$CONF"
	run "$POP3CTL" -f "$CONF" reload
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: data files compiled; the command line changed: restart pid $pid, supervised by runit in $SV, with sv restart $SV" ]
	sv restart "$SV"
	wait_serving
	new=$(cat "$SV/supervise/pid")
	[ "$new" != "$pid" ]
	tr '\0' ' ' </proc/"$new"/cmdline | grep -q -- ' -c 6 '
	run "$POP3CTL" -f "$CONF" status
	[ "$output" = "pop3ctl: running, pid $new, 0 sessions, supervised by runit in $SV (sv status $SV)" ]
	sv down "$SV"
	wait_status 3
	run "$POP3CTL" -f "$CONF" status
	[ "$output" = "pop3ctl: not running" ]
	port_closed "$PORT"
}

@test "ops_status: pop3ctl run under daemontools' supervise: status names the service, stop goes to svc" {
	command -v supervise >/dev/null || skip "daemontools not installed"
	SUPERVISOR=daemontools
	supervise "$SV" >"$D/supervise.log" 2>&1 3>&- 4>&- 5>&- &
	started $!
	wait_serving
	run svstat "$SV"
	[[ "$output" =~ ^"$SV: up (pid "([0-9]+)") " ]]
	pid=${BASH_REMATCH[1]}
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $pid, 0 sessions, supervised by daemontools in $SV (svstat $SV)" ]
	run pop_talk "$PORT"
	[ "$output" = $'+OK stub pop.test ready\r' ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: not done: pid $pid is supervised by daemontools in $SV; stop it with svc -d $SV" ]
	pid_alive "$pid"
	svc -d "$SV"
	wait_status 3
	run "$POP3CTL" -f "$CONF" status
	[ "$output" = "pop3ctl: not running" ]
}

# systemd is not PID 1 where this was written, so a unit cannot be run:
# the test puts "pop3ctl run" where systemd puts a service's processes,
# in the cgroup named after the unit, which is what status reads.
@test "ops_status: a server in a systemd service's cgroup: status names the unit" {
	[ "$(cat /proc/1/comm)" != systemd ] || skip "systemd is PID 1: a test by systemd-run is not written"
	local root
	root=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/ { print $2; exit }' /proc/mounts)
	[ -n "$root" ] || root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$root" ] && [ -w "$root" ] || skip "no writable cgroup hierarchy"
	unit=pop3d-o7s$OPS_RUN.service
	CGROUP=$root/$unit
	mkdir "$CGROUP" || skip "cannot make a cgroup in $root"
	# the shell moves itself into the cgroup, then becomes pop3ctl run
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -f "$3" run' sh "$CGROUP" "$POP3CTL" "$CONF" \
		2>>"$D/log" 3>&- 4>&- 5>&- &
	pid=$!
	started "$pid"
	wait_serving
	grep -q "/$unit\$" /proc/"$pid"/cgroup
	run "$POP3CTL" -f "$CONF" status
	[ "$status" -eq 0 ]
	[ "$output" = "pop3ctl: running, pid $pid, 0 sessions, run by systemd as $unit (systemctl status $unit)" ]
	run "$POP3CTL" -f "$CONF" stop
	[ "$status" -eq 1 ]
	[ "$output" = "pop3ctl: not done: pid $pid is run by systemd as $unit; stop it with systemctl stop $unit" ]
	kill "$pid"
	wait_status 3
}
