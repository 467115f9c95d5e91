# shellcheck shell=sh
# pop3ctl.d/commands.sh: start, stop, restart, status, reload, check and
# run; conf is the configuration file named on the command line.
# Sourced by pop3ctl.

cmd_start() {
	load_config "$conf" || die $EX_FAIL "$conf: not started: configuration errors"
	take_lock
	if running; then
		die $EX_FAIL "already running, pid $run_pid"
	fi
	if find_server; then
		die $EX_FAIL "already running, pid $run_pid, $(run_by)"
	fi
	[ "$run_state" = stale ] && { warn "removing stale pid file $cfg_PIDFILE"; rm -f "$cfg_PIDFILE"; }
	compile_all || die $EX_FAIL "not started"
	launch_background || exit $EX_FAIL
}

# refuse_unrecorded VERB: a server that pop3ctl did not start (no pid
# file) is left to whoever runs it: a supervisor would start it again,
# and a tcpserver started by hand is not pop3ctl's to signal.
refuse_unrecorded() {
	find_server || return 0
	die $EX_FAIL "not done: pid $run_pid is $(run_by); $1 it with $(supervisor_says "$1")"
}

# stop reads only the pid file's settings: it must work with a
# configuration that no longer validates.
cmd_stop() {
	set_defaults
	parse_config "$conf" 2>/dev/null
	take_lock
	if running; then
		stop_server || exit $EX_FAIL
		return 0
	fi
	refuse_unrecorded stop
	if [ "$run_state" = stale ]; then
		rm -f "$cfg_PIDFILE"
		echo "$PROG: not running (stale pid file $cfg_PIDFILE removed)"
	else
		echo "$PROG: not running"
	fi
}

cmd_status() {
	set_defaults
	parse_config "$conf" 2>/dev/null
	if running; then
		echo "$PROG: running, pid $run_pid, $(sessions) sessions"
		exit 0
	fi
	stale=$run_state
	if find_server; then
		how=$(supervisor_says status)
		echo "$PROG: running, pid $run_pid, $(sessions) sessions, $(run_by)${how:+ ($how)}"
		exit 0
	fi
	if [ "$stale" = stale ]; then
		echo "$PROG: not running, stale pid file $cfg_PIDFILE"
		exit $EX_FAIL
	fi
	echo "$PROG: not running"
	exit $EX_NOTRUNNING
}

cmd_restart() {
	load_config "$conf" || die $EX_FAIL "$conf: not restarted: configuration errors"
	take_lock
	if running; then
		stop_server || exit $EX_FAIL
	else
		refuse_unrecorded restart
	fi
	rm -f "$cfg_PIDFILE"
	compile_all || die $EX_FAIL "not started"
	launch_background || exit $EX_FAIL
}

# reload: rules and users are read per connection, so recompiling them
# is the whole reload; a changed command line (port, options, programs)
# needs a new tcpserver, and sessions in progress run on untouched.
cmd_reload() {
	load_config "$conf" || die $EX_FAIL "$conf: not reloaded, server unchanged: configuration errors"
	take_lock
	compile_all || die $EX_FAIL "not reloaded"
	new=$(build_chain | tr '\n' ' ')
	if ! running; then
		if ! find_server; then
			echo "$PROG: data files compiled; server not running"
			return 0
		fi
		# a supervisor's server is restarted by the supervisor
		[ "$(cmdline_of "$run_pid")" = "$new" ] ||
			die $EX_FAIL "data files compiled; the command line changed: restart pid $run_pid, $(run_by), with $(supervisor_says restart)"
		echo "$PROG: reloaded, pid $run_pid, $(run_by)"
		return 0
	fi
	old=$(sed -n 3p "$cfg_PIDFILE")
	if [ "$new" = "$old" ]; then
		echo "$PROG: reloaded, pid $run_pid"
		return 0
	fi
	echo "$PROG: command line changed: restarting tcpserver"
	stop_server || exit $EX_FAIL
	launch_background || exit $EX_FAIL
}

cmd_check() {
	load_config "$conf" || die $EX_FAIL "$conf: configuration errors"
	echo "$PROG: $conf: ok"
	build_chain | tr '\n' ' ' | sed 's/ $//'
	echo
}

# run: the server in the foreground, logs on stderr: for daemontools,
# runit and systemd (Type=simple).
cmd_run() {
	load_config "$conf" || die $EX_FAIL "$conf: configuration errors"
	compile_all || exit $EX_FAIL
	chain=$(build_chain)
	IFS='
'
	# shellcheck disable=SC2086
	set -- $chain
	unset IFS
	exec env -i "$(chain_env)" "$@"
}
