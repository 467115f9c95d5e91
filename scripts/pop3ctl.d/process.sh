# shellcheck shell=sh
# pop3ctl.d/process.sh: the running tcpserver: its pid file, the lock
# that serialises pop3ctl runs, launching it and stopping it.  Sourced by
# pop3ctl.
#
# The pid file holds the pid, the process start time and the command
# line; a pid is signalled only when all three still match, so a
# recycled pid is never killed.
# shellcheck disable=SC2154  # path_NAME are set by validate through eval

# Bounds on waits, in tenths of a second.
START_WAIT=100
STOP_WAIT=100

# start_time PID: field 22 of /proc/PID/stat (after the parenthesised
# command name, which may hold blanks).
start_time() {
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" != Z ] || return 1   # a zombie has finished
	shift 19
	echo "$1"
}

cmdline_of() {
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null
}

# is_tcpserver PID: PID runs the tcpserver of this configuration.
is_tcpserver() {
	case $(cmdline_of "$1") in
	"$path_tcpserver "*) return 0 ;;
	esac
	return 1
}

# running: true when the pid file names a live process with the start
# time and command line recorded at start.  Sets run_pid.
running() {
	run_pid='' run_state=none
	[ -f "$cfg_PIDFILE" ] || return 1
	run_state=stale
	{ read -r p; read -r t; IFS= read -r c; } <"$cfg_PIDFILE" || return 1
	is_uint "$p" || return 1
	now_t=$(start_time "$p") || return 1
	[ "$now_t" = "$t" ] || return 1
	[ "$(cmdline_of "$p")" = "$c" ] || return 1
	run_pid=$p run_state=running
	return 0
}

write_pidfile() {
	t=$(start_time "$1") || return 1
	c=$(cmdline_of "$1")
	printf '%s\n%s\n%s\n' "$1" "$t" "$c" >"$cfg_PIDFILE.new" &&
		mv -f "$cfg_PIDFILE.new" "$cfg_PIDFILE"
}

# listening PID PORT: PID holds a socket listening on PORT (its socket
# inodes against /proc/net/tcp*), so a port taken by another program
# is not mistaken for ours.
listening() {
	# shellcheck disable=SC2012  # the names in /proc/PID/fd are numbers
	inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
	[ -n "$inodes" ] || return 1
	hex=$(printf '%04X' "$2")
	awk -v port=":$hex" -v inodes="$inodes" '
		BEGIN { n = split(inodes, list, "\n"); for (i = 1; i <= n; i++) mine[list[i]] = 1 }
		$4 == "0A" && substr($2, length($2) - 4) == port && ($10 in mine) { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# take_lock: one pop3ctl at a time per pid file, so that a start and a
# reload cannot both launch a tcpserver.  Descriptor 9 holds the lock;
# the server never inherits it (detach closes 3 to 9).
take_lock() {
	mkdir -p "$(dirname "$cfg_PIDFILE")" 2>/dev/null
	exec 9>>"$cfg_PIDFILE.lock" || die $EX_FAIL "cannot open $cfg_PIDFILE.lock"
	if command -v flock >/dev/null; then
		flock -w 30 9 || die $EX_FAIL "another pop3ctl holds $cfg_PIDFILE.lock"
	fi
}

# detach COMMAND...: runs the chain COMMAND in a session of its own
# (setsid: a hangup of the terminal that ran pop3ctl must not reach the
# server), with no descriptor beyond 2.  The shell in between writes its
# own pid to PIDFILE.launch and execs, so the pid is tcpserver's whatever
# the log redirection.  Only for a background job, whose shell the first
# exec replaces.
detach() {
	# shellcheck disable=SC2016  # $$ and $@ are the inner shell's
	exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$cfg_PIDFILE.launch" \
		env -i "$(chain_env)" "$@" </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

launch_background() {
	chain=$(build_chain)
	mkdir -p "$(dirname "$cfg_PIDFILE")" || return 1
	rm -f "$cfg_PIDFILE.launch"
	IFS='
'
	# shellcheck disable=SC2086
	set -- $chain
	unset IFS
	case $cfg_LOG in
	syslog)
		detach "$@" 2>&1 >/dev/null |
			logger -t pop3d -p mail.info 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
		;;
	stderr) detach "$@" >/dev/null & ;;
	*) detach "$@" >/dev/null 2>>"$cfg_LOG" & ;;
	esac
	await_listening
	st=$?
	rm -f "$cfg_PIDFILE.launch"
	case $st in
	1)
		warn "tcpserver exited at once; see $cfg_LOG"
		[ -f "$cfg_LOG" ] && tail -n 3 "$cfg_LOG" >&2
		return 1
		;;
	2)
		warn "tcpserver did not listen on port $cfg_PORT in time"
		# ours only: the process we launched, still running tcpserver
		[ -n "$pid" ] && is_tcpserver "$pid" && kill "$pid" 2>/dev/null
		return 1
		;;
	esac
	write_pidfile "$pid" || { warn "cannot write $cfg_PIDFILE"; return 1; }
	echo "$PROG: started pid $pid on $cfg_LISTEN port $cfg_PORT"
}

# await_listening: waits until the launched tcpserver listens on PORT;
# sets pid.  Returns 1 when it has exited instead, 2 when time ran out.
await_listening() {
	i=0 pid=
	while [ $i -lt $START_WAIT ]; do
		if [ -z "$pid" ] && [ -s "$cfg_PIDFILE.launch" ]; then
			pid=$(cat "$cfg_PIDFILE.launch")
		fi
		if [ -n "$pid" ]; then
			is_tcpserver "$pid" && listening "$pid" "$cfg_PORT" && return 0
			start_time "$pid" >/dev/null || return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 2
}

stop_server() {
	kill -TERM "$run_pid" 2>/dev/null
	i=0
	while [ $i -lt $STOP_WAIT ]; do
		t=$(start_time "$run_pid") || break
		[ "$t" = "$(sed -n 2p "$cfg_PIDFILE")" ] || break
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -ge $STOP_WAIT ]; then
		warn "pid $run_pid did not stop after SIGTERM"
		return 1
	fi
	rm -f "$cfg_PIDFILE"
	echo "$PROG: stopped pid $run_pid"
}

# sessions: tcpserver's live children, one per connection.
sessions() {
	n=0
	set +f   # the one glob in pop3ctl
	for st in /proc/[0-9]*/stat; do
		line=$(cat "$st" 2>/dev/null) || continue
		line=${line##*) }
		# shellcheck disable=SC2086
		set -- $line
		[ "$1" != Z ] && [ "$2" = "$run_pid" ] && n=$((n + 1))
	done
	set -f
	echo "$n"
}

# ---- a server without a pid file -----------------------------------
# "pop3ctl run" under runit, daemontools or systemd (or a tcpserver
# started by hand) writes no pid file: the server is found by what it
# is, a tcpserver whose command line holds this configuration's address
# and port and then a pop3login, and which listens on that port; who
# runs it, by its parent (runsv or supervise, in the service directory)
# or its systemd cgroup.

# find_server: sets run_pid, run_how (runit, daemontools, systemd or
# unsupervised) and run_where (the service directory or the unit).
find_server() {
	addr=$(tcpserver_address)
	set +f
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = tcpserver ] || continue
		p=${d#/proc/}
		case " $(cmdline_of "$p")" in
		*" $addr $cfg_PORT "*/pop3login" "*) ;;
		*) continue ;;
		esac
		listening "$p" "$cfg_PORT" || continue
		set -f
		run_pid=$p
		supervisor_of "$p"
		return 0
	done
	set -f
	return 1
}

ppid_of() {
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo "$2"
}

# supervisor_of PID: runsv and supervise run ./run in the service
# directory, their working directory; systemd puts a service's processes
# in the cgroup named after the unit (the name=systemd hierarchy under
# cgroup v1, the unified one under v2).
supervisor_of() {
	run_how=unsupervised run_where=
	pp=$(ppid_of "$1")
	case $(cat "/proc/$pp/comm" 2>/dev/null) in
	runsv) run_how=runit run_where=$(readlink "/proc/$pp/cwd") ;;
	supervise) run_how=daemontools run_where=$(readlink "/proc/$pp/cwd") ;;
	esac
	[ "$run_how" = unsupervised ] || return 0
	unit=$(sed -n 's|^[0-9]*:\(name=systemd\)\{0,1\}:.*/\([^/]*\.service\)$|\2|p' \
		"/proc/$1/cgroup" 2>/dev/null | head -n 1)
	[ -z "$unit" ] || run_how=systemd run_where=$unit
}

# run_by: who runs the server found, for a message.
run_by() {
	case $run_how in
	runit) echo "supervised by runit in $run_where" ;;
	daemontools) echo "supervised by daemontools in $run_where" ;;
	systemd) echo "run by systemd as $run_where" ;;
	*) echo "a tcpserver without a pid file (not started by pop3ctl start)" ;;
	esac
}

# supervisor_says VERB: the command that does VERB (status, stop,
# restart) to the server found, through whoever runs it.
supervisor_says() {
	case $run_how:$1 in
	runit:stop) echo "sv down $run_where" ;;
	runit:*) echo "sv $1 $run_where" ;;
	daemontools:status) echo "svstat $run_where" ;;
	daemontools:stop) echo "svc -d $run_where" ;;
	daemontools:restart) echo "svc -t $run_where" ;;
	systemd:*) echo "systemctl $1 $run_where" ;;
	*:status) ;;
	*) echo "kill $run_pid" ;;
	esac
}
