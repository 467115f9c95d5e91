# shellcheck shell=sh
# pop3ctl.d/config.sh: the configuration file, parsed and checked.
# Sourced by pop3ctl.  Every setting KEY ends up in cfg_KEY, and every
# chain program validate resolves in path_NAME.

KEYS="LISTEN PORT HOSTNAME CONCURRENCY BINDIR TCPSERVER_OPTS TCPRULES
RULES HOSTCHECK_OPTS POP3LOGIN_OPTS CHECKPW CHECKPW_OPTS USERS USERS_CDB
EXPOSER EXPOSER_OPTS POP3D_OPTS TRACE_DIR TLS TLS_LINK TLS_CERT TLS_OPTS LOG PIDFILE PATH_ENV"

set_defaults() {
	cfg_LISTEN=0
	cfg_PORT=110
	cfg_HOSTNAME=
	cfg_CONCURRENCY=40
	cfg_BINDIR=
	cfg_TCPSERVER_OPTS="-v -R -H -D"
	cfg_TCPRULES=
	cfg_RULES=
	cfg_HOSTCHECK_OPTS=
	cfg_POP3LOGIN_OPTS=
	cfg_CHECKPW=checkpw
	cfg_CHECKPW_OPTS="-g mail"
	cfg_USERS=
	cfg_USERS_CDB=
	cfg_EXPOSER=mboxsplit
	cfg_EXPOSER_OPTS=
	cfg_POP3D_OPTS=
	cfg_TRACE_DIR=
	cfg_TLS=none
	cfg_TLS_LINK=tlswrapper
	cfg_TLS_CERT=
	cfg_TLS_OPTS=
	cfg_LOG=/var/log/pop3d.log
	cfg_PIDFILE=/run/pop3d.pid
	cfg_PATH_ENV=/usr/local/bin:/usr/bin:/bin
}

is_key() {
	for k in $KEYS; do
		[ "$k" = "$1" ] && return 0
	done
	return 1
}

# ---- parsing -------------------------------------------------------

# parse_config FILE: sets cfg_KEY for each KEY=value line.  Accepted:
# blank lines, "# comments", KEY=word, KEY="text" and KEY='text', each
# optionally followed by a comment.  No expansion of any kind: "$", "`"
# and "\" are refused, so the file means exactly what it shows.
# Prints every error as FILE:LINE: text and returns 1 if there was one.
parse_config() {
	file=$1 lineno=0 bad=0
	[ -r "$file" ] || { warn "$file: cannot read"; return 1; }
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		parse_line "$line" || bad=1
	done <"$file"
	return $bad
}

# bad_line TEXT: reports TEXT against the line being parsed; returns 1.
bad_line() {
	warn "$file:$lineno: $*"
	return 1
}

# parse_line LINE: sets the cfg_KEY of one line, or says what is wrong.
parse_line() {
	line=${1#"${1%%[! 	]*}"}   # leading blanks
	case $line in
	'' | '#'*) return 0 ;;
	export\ *) line=${line#export } ;;
	esac
	case $line in
	[A-Z_]*=*) ;;
	*) bad_line "not KEY=value: $line"; return ;;
	esac
	key=${line%%=*} rest=${line#*=}
	case $key in
	*[!A-Z0-9_]*) bad_line "bad name: $key"; return ;;
	esac
	is_key "$key" || { bad_line "unknown setting: $key"; return; }
	parse_value || return
	case $val in
	*[\$\`\\]*)
		bad_line "\$, \` and \\ are not allowed (no expansion is done): $val"
		return ;;
	esac
	rest=${rest#"${rest%%[! 	]*}"}
	case $rest in
	'' | '#'*) ;;
	*) bad_line "text after the value: $rest"; return ;;
	esac
	eval "cfg_$key=\$val"
}

# parse_value: splits $rest, the text after "KEY=", into the value
# ($val, its quotes removed) and what follows it ($rest).
parse_value() {
	case $rest in
	'"'* | "'"*)
		quote=${rest%"${rest#?}"} rest=${rest#?}
		case $rest in
		*"$quote"*) ;;
		*) bad_line "unterminated quote"; return ;;
		esac
		val=${rest%%"$quote"*} rest=${rest#*"$quote"}
		;;
	*)
		val=${rest%%[ 	]*} rest=${rest#"$val"}
		case $val in
		*[\$\`\\]*) ;;   # reported by parse_line
		*[\"\'\;\&\|\<\>\(\)]*)
			bad_line "quote or shell character in value: $val"
			return ;;
		esac
		;;
	esac
}

# ---- validation ----------------------------------------------------

is_uint() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ ${#1} -le 9 ]
}

# find_prog NAME: an absolute path for a chain program: NAME itself if
# it has a slash, else BINDIR, else beside pop3ctl, else the build tree
# beside scripts/, else PATH.
find_prog() {
	case $1 in
	/*) [ -x "$1" ] && { echo "$1"; return 0; }; return 1 ;;
	*/*) return 1 ;;
	esac
	for d in $cfg_BINDIR "$selfdir" "$selfdir/../build"; do
		if [ -n "$d" ] && [ -f "$d/$1" ] && [ -x "$d/$1" ]; then
			(cd "$d" && echo "$(pwd -P)/$1")
			return 0
		fi
	done
	p=$(command -v "$1" 2>/dev/null) || return 1
	case $p in /*) echo "$p"; return 0 ;; esac
	return 1
}

# need PROGRAM [VAR]: sets path_VAR (VAR is PROGRAM by default) to where
# find_prog finds PROGRAM, or reports it missing.
need() {
	p=$(find_prog "$1") || { warn "$1: not found"; bad=1; }
	eval "path_${2:-$1}=\$p"
}

# validate: semantic checks after parsing; resolves program paths into
# path_NAME variables.  Every problem is reported, then 1 is returned.
# The validate_ parts each set bad=1 for what they find wrong; the data
# files are compiled on trial only when all the rest is right.
validate() {
	bad=0
	validate_address
	validate_links
	validate_paths
	if [ $bad = 0 ] && [ -n "$cfg_TCPRULES" ]; then
		check_tcprules "$cfg_TCPRULES" || bad=1
	fi
	if [ $bad = 0 ] && [ -n "$cfg_USERS" ]; then
		check_users "$cfg_USERS" || bad=1
	fi
	if [ $bad = 0 ] && [ -n "$cfg_RULES" ]; then
		check_rules "$cfg_RULES" || bad=1
	fi
	return $bad
}

# validate_address: where tcpserver listens, and the name it gives.
# shellcheck disable=SC2015  # the warning is for any test failing
validate_address() {
	is_uint "$cfg_PORT" && [ "$cfg_PORT" -ge 1 ] && [ "$cfg_PORT" -le 65535 ] ||
		{ warn "PORT: not a port number: $cfg_PORT"; bad=1; }
	is_uint "$cfg_CONCURRENCY" && [ "$cfg_CONCURRENCY" -ge 1 ] ||
		{ warn "CONCURRENCY: not a positive number: $cfg_CONCURRENCY"; bad=1; }
	if [ "$cfg_LISTEN" = 0 ] || is_ipv4 "$cfg_LISTEN"; then
		:
	elif is_ipv6 "$cfg_LISTEN"; then
		# ucspi-tcp as Debian ships it binds IPv4 only; ucspi-tcp-ipv6,
		# the same programs with IPv6, takes the same options.  Asked
		# only for an IPv6 LISTEN: a missing tcpserver is reported by
		# validate_links.
		p=$(find_prog tcpserver) && ! tcpserver_has_ipv6 "$p" &&
			{ warn "LISTEN: $p has no IPv6 (Debian: install ucspi-tcp-ipv6): $cfg_LISTEN"; bad=1; }
	else
		warn "LISTEN: not an IPv4 or IPv6 address: $cfg_LISTEN"; bad=1
	fi
	if [ -z "$cfg_HOSTNAME" ]; then
		cfg_HOSTNAME=$(hostname -f 2>/dev/null || hostname)
	fi
	case $cfg_HOSTNAME in
	'' | *[!A-Za-z0-9.-]*) warn "HOSTNAME: not a host name: $cfg_HOSTNAME"; bad=1 ;;
	esac
}

# is_ipv4 TEXT: a dotted quad as inet_pton reads it (no leading zeros).
is_ipv4() {
	case $1 in
	*[!0-9.]* | .* | *. | *..*) return 1 ;;
	esac
	(
		IFS=.
		# shellcheck disable=SC2086  # split at the dots (set -f is on)
		set -- $1
		[ $# = 4 ] || exit 1
		for o; do
			case $o in 0?*) exit 1 ;; esac
			[ ${#o} -le 3 ] && [ "$o" -le 255 ] || exit 1
		done
	)
}

# is_ipv6 TEXT: an RFC 4291 text form: eight groups of 1 to 4 hex digits,
# one "::" standing for one or more zero groups, the last two groups
# perhaps a dotted quad.  No zone index: for a link-local address, give
# tcpserver -I in TCPSERVER_OPTS.
is_ipv6() {
	a=$1
	case $a in
	*:*) ;;
	*) return 1 ;;
	esac
	case $a in
	*.*)
		v4=${a##*:}
		is_ipv4 "$v4" || return 1
		a=${a%"$v4"}0:0 ;;
	esac
	case $a in
	*[!0-9A-Fa-f:]* | *:::* | *::*::*) return 1 ;;
	*::*) groups_ok "${a%%::*}" "${a#*::}" 7 ;;
	*) groups_ok "$a" '' 8 ;;
	esac
}

# groups_ok LEFT RIGHT MAX: the colon-separated groups of LEFT and RIGHT
# (either may be empty) are 1 to 4 hex digits each, MAX of them at most
# (exactly 8 when there is no "::").
groups_ok() {
	n=0
	for side in "$1" "$2"; do
		[ -n "$side" ] || continue
		case $side in :* | *:) return 1 ;; esac
		for g in $(echo "$side" | tr : ' '); do
			[ ${#g} -le 4 ] || return 1
			n=$((n + 1))
		done
	done
	[ "$n" -le "$3" ] && { [ "$3" = 7 ] || [ "$n" = 8 ]; }
}

# tcpserver_has_ipv6 PATH: the tcpserver of ucspi-tcp-ipv6 (or of
# ucspi-tcp6) lists -4 and -I in its usage line; ucspi-tcp's does not.
tcpserver_has_ipv6() {
	case $("$1" 2>&1 </dev/null) in
	*"[ -4"* | *"-I interface"*) return 0 ;;
	esac
	return 1
}

# tcpserver_address: LISTEN as tcpserver reads it.  Its address parser
# refuses a trailing "::" (even "::" alone), so a 0 group is added:
# "::0" is the same address.
tcpserver_address() {
	case $cfg_LISTEN in
	*::) echo "${cfg_LISTEN}0" ;;
	*) echo "$cfg_LISTEN" ;;
	esac
}

# validate_links: the programs of the chain and the files they read.
validate_links() {
	need tcpserver
	need pop3login
	need pop3d
	path_checkpw=$(find_prog "$cfg_CHECKPW") ||
		{ warn "CHECKPW: not found: $cfg_CHECKPW"; bad=1; }
	path_exposer=$(find_prog "$cfg_EXPOSER") ||
		{ warn "EXPOSER: not found: $cfg_EXPOSER"; bad=1; }
	if [ -n "$cfg_RULES" ]; then
		need hostcheck
		need hostcheck-rules hostcheck_rules
		[ -r "$cfg_RULES" ] || { warn "RULES: cannot read $cfg_RULES"; bad=1; }
	fi
	if [ -n "$cfg_TCPRULES" ]; then
		[ -r "$cfg_TCPRULES" ] || { warn "TCPRULES: cannot read $cfg_TCPRULES"; bad=1; }
		command -v tcprules >/dev/null || { warn "tcprules: not found"; bad=1; }
	fi
	if [ -n "$cfg_USERS" ]; then
		[ -r "$cfg_USERS" ] || { warn "USERS: cannot read $cfg_USERS"; bad=1; }
		[ -n "$cfg_USERS_CDB" ] || cfg_USERS_CDB=$cfg_USERS.cdb
		need vusers-make vusers_make
	fi
	if [ -n "$cfg_TRACE_DIR" ]; then
		need pop3trace
		[ -d "$cfg_TRACE_DIR" ] || { warn "TRACE_DIR: not a directory: $cfg_TRACE_DIR"; bad=1; }
	fi
	case $cfg_TLS in
	none) ;;
	pop3s | stls)
		case $cfg_TLS_LINK in
		tlswrapper | pop3tls) need "$cfg_TLS_LINK" tls_link ;;
		*) warn "TLS_LINK: tlswrapper or pop3tls, not: $cfg_TLS_LINK"; bad=1 ;;
		esac
		[ -r "$cfg_TLS_CERT" ] || { warn "TLS_CERT: cannot read: $cfg_TLS_CERT"; bad=1; }
		;;
	*) warn "TLS: none, pop3s or stls, not: $cfg_TLS"; bad=1 ;;
	esac
}

# validate_paths: the pid file and the log.
validate_paths() {
	case $cfg_PIDFILE in
	/*) ;;
	*) warn "PIDFILE: not an absolute path: $cfg_PIDFILE"; bad=1 ;;
	esac
	case $cfg_LOG in
	syslog | stderr) ;;
	/*) [ -d "$(dirname "$cfg_LOG")" ] || { warn "LOG: no directory for $cfg_LOG"; bad=1; } ;;
	*) warn "LOG: an absolute path, syslog or stderr, not: $cfg_LOG"; bad=1 ;;
	esac
}

load_config() {
	set_defaults
	parse_config "$1" || return 1
	validate
}
