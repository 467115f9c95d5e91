# shellcheck shell=sh
# pop3ctl.d/admin.sh: day-to-day administration: who, kick, auth-test
# and stats.  Sourced by pop3ctl; conf is the configuration file.
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

# is_session PID: PID is a live pop3d of this configuration (also one
# started before its program file was replaced by an upgrade).
is_session() {
	case $(readlink "/proc/$1/exe" 2>/dev/null) in
	"$path_pop3d" | "$path_pop3d (deleted)") ;;
	*) return 1 ;;
	esac
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

# auth_run PROGRAM: the checker as pop3login runs it, credentials on
# descriptor 3 (here from standard input), in the environment a login
# from loopback has: the chain's PATH and what tcpserver sets (-R -H: no
# remote host name).  Option strings split on blanks (set -f).
auth_run() {
	lip=$cfg_LISTEN
	case $lip in 0 | :: | ::0) lip=127.0.0.1 ;; esac
	# shellcheck disable=SC2086
	env -i "PATH=$cfg_PATH_ENV" PROTO=TCP "TCPLOCALHOST=$cfg_HOSTNAME" \
		"TCPLOCALIP=$lip" "TCPLOCALPORT=$cfg_PORT" TCPREMOTEIP=127.0.0.1 \
		TCPREMOTEPORT=0 "$path_checkpw" $cfg_CHECKPW_OPTS "$1" 3<&0 </dev/null
}

# read_password: sets pass from the terminal, not echoed, or from the
# first line of standard input when that is not a terminal.
read_password() {
	pass=
	if [ -t 0 ]; then
		# echo off before the prompt: what is typed at once stays unseen
		trap 'stty echo' EXIT
		trap 'stty echo; exit 130' INT TERM
		stty -echo
		printf 'Password for %s: ' "$1" >&2
		IFS= read -r pass
		stty echo
		trap - EXIT INT TERM
		echo >&2
	else
		IFS= read -r pass || [ -n "$pass" ]
	fi
}

# auth-test USER: the configured checker with its configured options,
# given USER and the password on descriptor 3 as pop3login gives them,
# in a login's environment.  The program it runs after an acceptance is
# env, not the exposer: the mailbox is neither opened nor locked, and
# env's output shows the USER, HOME and MAILBOX the checker set.
cmd_auth_test() {
	load_config "$conf" || die $EX_FAIL "$conf: configuration errors"
	envprog=$(command -v env) || die $EX_FAIL "env: not found"
	read_password "$1"
	out=$(mktemp) || die $EX_FAIL "cannot make a temporary file"
	errs=$(printf '%s\0%s\0\0' "$1" "$pass" | auth_run "$envprog" 2>&1 >"$out")
	st=$?
	unset pass
	mailbox=$(sed -n 's/^MAILBOX=//p' "$out")
	rm -f "$out"
	[ -z "$errs" ] || printf '%s\n' "$errs" >&2
	auth_verdict "$1" "$st" "$(printf '%s\n' "$errs" | sed -n 's/^checkpw: user=.* backend=\([^ ]*\) result=\([^ ]*\) why=\(.*\)$/\1 \2 \3/p' | tail -n 1)"
}

# auth_verdict USER STATUS "BACKEND RESULT WHY": the one-line answer and
# the exit status (0 accepted, 1 anything else).
auth_verdict() {
	# shellcheck disable=SC2086
	set -- "$1" "$2" $3
	if [ "$2" = 0 ]; then
		echo "$PROG: $1: accepted by ${3:-the checker}, mailbox ${mailbox:--}"
		exit 0
	fi
	case $4 in
	refuse) echo "$PROG: $1: refused by $3: $5" ;;
	unknown) echo "$PROG: $1: no such user (asked $3)" ;;
	temp) echo "$PROG: $1: temporary failure of $3: $5" ;;
	*) echo "$PROG: $1: not accepted (the checker exited $2)" ;;
	esac
	exit $EX_FAIL
}

# stats [--since TIME] [--until TIME] [FILE...]: pop3stats's totals
# (-t: logins accepted and refused, sessions, messages retrieved, octets
# sent, messages deleted, hosts denied) over the log (LOG, unless FILEs
# are named), counting the lines stamped in the period.  pop3stats reads the timestamps; LOG's own file has none
# (tcpserver's stderr as it is), so a period needs a log kept by
# multilog, svlogd or a syslog daemon, named as FILE.
cmd_stats() {
	set_defaults
	parse_config "$conf" 2>/dev/null
	since='' until='' files=''
	set -- "$@" --
	while [ "$1" != -- ]; do
		case $1 in
		--since) [ "$2" != -- ] || usage; since=$2; shift 2 ;;
		--until) [ "$2" != -- ] || usage; until=$2; shift 2 ;;
		- | [!-]*) files=1; set -- "$@" "$1"; shift ;;
		*) usage ;;
		esac
	done
	shift
	if [ -z "$files" ]; then
		case $cfg_LOG in
		syslog | stderr) die $EX_FAIL "LOG=$cfg_LOG: name the log files to read" ;;
		esac
		set -- "$cfg_LOG"
	fi
	[ -z "$until" ] || set -- -e "$until" "$@"
	[ -z "$since" ] || set -- -s "$since" "$@"
	stats=$(find_prog pop3stats) || die $EX_FAIL "pop3stats: not found"
	exec "$stats" -t "$@"
}
