# shellcheck shell=sh
# pop3ctl.d/admin.sh: day-to-day administration: who, kick.  Sourced by pop3ctl; conf is the configuration file.
# shellcheck disable=SC2154  # path_NAME are set by validate through eval
#
# A session is found as a pop3d: the process that runs this
# configuration's pop3d binary (its /proc/PID/exe) and whose environment
# (set by tcpserver, or hostcheck under inetd, and by the checker) says
# it was accepted on this configuration's port and address.  Sessions
# outlive a stopped tcpserver, so they are not found by its pid; and a
# session that has not logged in yet has no pop3d and no user to show.

KICK_WAIT=100   # tenths of a second kick waits for the write-back

# env_of PID NAME: the value of NAME in PID's environment as it started.
env_of() {
	tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n "s/^$2=//p" | head -n 1
}

# is_session PID: PID is a live pop3d of this configuration.
is_session() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$path_pop3d" ] || return 1
	start_time "$1" >/dev/null || return 1
	[ "$(env_of "$1" TCPLOCALPORT)" = "$cfg_PORT" ] || return 1
	case $cfg_LISTEN in
	0 | :: | ::0) return 0 ;;
	esac
	[ "$(env_of "$1" TCPLOCALIP)" = "$cfg_LISTEN" ]
}

# session_pids: the pids of this configuration's sessions, one a line.
session_pids() {
	set +f   # /proc/[0-9]* is the glob
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		is_session "$p" && echo "$p"
	done
	set -f
}

# since_of PID: the process start time as UTC ISO 8601 (field 22 of
# /proc/PID/stat is in clock ticks after boot, btime in /proc/stat).
since_of() {
	ticks=$(start_time "$1") || return 1
	boot=$(sed -n 's/^btime //p' /proc/stat)
	hz=$(getconf CLK_TCK 2>/dev/null) || hz=100
	date -u -d "@$((boot + ticks / hz))" +%Y-%m-%dT%H:%M:%SZ
}

cmd_who() {
	load_config "$conf" || die $EX_FAIL "$conf: configuration errors"
	printf '%-20s %-39s %-20s %8s %s\n' USER ADDRESS SINCE PID MAILBOX
	for p in $(session_pids); do
		u=$(env_of "$p" USER) ip=$(env_of "$p" TCPREMOTEIP)
		since=$(since_of "$p") || continue
		printf '%-20s %-39s %-20s %8s %s\n' "${u:--}" "${ip:--}" "$since" \
			"$p" "$(env_of "$p" MAILBOX)"
	done
}

# kick USER: SIGTERM to each of USER's pop3d processes, never to the
# exposer (mboxsplit, maildirscan) that is pop3d's parent.  pop3d
# catches no signal, so SIGTERM ends it at once.  The exposer commits
# only a complete deletion report, which pop3d sends at QUIT: killed
# before or during it, the report ends early and the exposer changes
# nothing; killed after it, the exposer alone does the write-back and
# finishes it (mboxsplit renames the new mailbox over the old only while
# pop3d is still there to pass the answer on, else it removes the new
# file; maildirscan's unlinks run to the end).  Signalling the exposer
# instead could stop maildirscan between two unlinks: half a commit.
# kick then waits until the exposer has exited, so that what it prints
# is the mailbox's final state.
cmd_kick() {
	[ -n "$1" ] || usage
	load_config "$conf" || die $EX_FAIL "$conf: configuration errors"
	n=0
	for p in $(session_pids); do
		[ "$(env_of "$p" USER)" = "$1" ] || continue
		kick_one "$p" "$1" && n=$((n + 1))
	done
	[ $n -gt 0 ] || die $EX_FAIL "no session of $1"
}

# kick_one PID USER: signals one session found by session_pids, unless
# its pid has meanwhile been reused, and waits for it and its exposer.
kick_one() {
	t=$(start_time "$1") || return 1
	parent=$(ppid_of "$1")
	pt=$(start_time "$parent")
	ip=$(env_of "$1" TCPREMOTEIP)
	is_session "$1" && [ "$(start_time "$1")" = "$t" ] || return 1
	kill -TERM "$1" 2>/dev/null || return 1
	i=0
	while [ $i -lt $KICK_WAIT ]; do
		if [ "$(start_time "$1")" != "$t" ] &&
			{ [ -z "$pt" ] || [ "$(start_time "$parent")" != "$pt" ]; }; then
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt $KICK_WAIT ] || warn "pid $1: its exposer, pid $parent, has not finished yet"
	echo "$PROG: kicked $2 pid $1 from ${ip:--}"
}
