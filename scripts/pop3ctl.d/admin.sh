# shellcheck shell=sh
# pop3ctl.d/admin.sh: day-to-day administration: who.  Sourced by pop3ctl; conf is the configuration file.
# shellcheck disable=SC2154  # path_NAME are set by validate through eval
#
# A session is found as a pop3d: the process that runs this
# configuration's pop3d binary (its /proc/PID/exe) and whose environment
# (set by tcpserver, or hostcheck under inetd, and by the checker) says
# it was accepted on this configuration's port and address.  Sessions
# outlive a stopped tcpserver, so they are not found by its pid; and a
# session that has not logged in yet has no pop3d and no user to show.

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
