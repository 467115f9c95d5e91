# shellcheck shell=sh
# pop3ctl.d/chain.sh: the tcpserver command line that runs the chain,
# and the environment it starts with.  Sourced by pop3ctl; needs a
# configuration that validate has accepted (the path_NAME variables).
# shellcheck disable=SC2154  # path_NAME are set by validate through eval
# shellcheck disable=SC2086  # option strings split on blanks (set -f)

# build_chain: prints the tcpserver command, one argument per line.
build_chain() {
	# Built back to front, each link prepended; set -f is on, so the
	# unquoted option strings split on blanks only.
	set -- "$path_pop3d" $cfg_POP3D_OPTS
	set -- "$path_exposer" $cfg_EXPOSER_OPTS "$@"
	[ -z "$cfg_TRACE_DIR" ] || set -- "$path_pop3trace" "$cfg_TRACE_DIR" "$@"
	set -- "$path_checkpw" $cfg_CHECKPW_OPTS "$@"
	# Under POP3S the session is encrypted from its first byte: -S tells
	# pop3login so (no STLS offered, logins allowed when -s is set).
	# tlswrapper and pop3tls take the same -n, -f and -T.
	tls_on=
	[ "$cfg_TLS" = pop3s ] && tls_on=-S
	set -- "$path_pop3login" $tls_on $cfg_POP3LOGIN_OPTS "$cfg_HOSTNAME" "$@"
	case $cfg_TLS in
	pop3s) set -- "$path_tls_link" $cfg_TLS_OPTS -f "$cfg_TLS_CERT" "$@" ;;
	stls) set -- "$path_tls_link" -n $cfg_TLS_OPTS -f "$cfg_TLS_CERT" "$@" ;;
	esac
	[ -z "$cfg_RULES" ] || set -- "$path_hostcheck" $cfg_HOSTCHECK_OPTS "$(rules_cdb)" "$@"
	[ -z "$cfg_TCPRULES" ] || set -- -x "$cfg_TCPRULES.cdb" "$@"
	set -- "$path_tcpserver" $cfg_TCPSERVER_OPTS -c "$cfg_CONCURRENCY" \
		-l "$cfg_HOSTNAME" "$@"
	# tcpserver takes its options before the address: move the -x pair
	# and the address in place.
	chain_argv "$@"
}

# chain_argv: print the final argv, one per line, address and port
# after all the options.
chain_argv() {
	tcpserver_path=$1; shift
	printf '%s\n' "$tcpserver_path"
	while [ $# -gt 0 ]; do
		case $1 in
		-x | -c | -l | -b | -B | -t | -T | -u | -g | -I) printf '%s\n%s\n' "$1" "$2"; shift 2 ;;
		-*) printf '%s\n' "$1"; shift ;;
		*) break ;;
		esac
	done
	printf '%s\n%s\n' "$(tcpserver_address)" "$cfg_PORT"
	printf '%s\n' "$@"
}

# The environment the chain starts with: nothing inherited from the
# shell that ran pop3ctl.
chain_env() {
	echo "PATH=$cfg_PATH_ENV"
}
