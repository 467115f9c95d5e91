# shellcheck shell=sh
# pop3ctl.d/data.sh: the data files the chain reads per connection (the
# tcprules file, virtual users, hostcheck rules), compiled on trial by
# "check" and for real by start, restart, reload and run.  Sourced by
# pop3ctl.
#
# Each data file is compiled beside its target and renamed over it, so
# a connection sees the old file or the new one, never half of either.
# A trial compiles into a scratch directory that is removed afterwards.
# shellcheck disable=SC2154  # path_NAME are set by validate through eval

# on_trial LABEL COMMAND...: runs COMMAND, which writes into $scratch,
# with its output discarded; a failure is reported as "LABEL: stderr".
# Removes $scratch.
on_trial() {
	label=$1; shift
	if msg=$("$@" 2>&1 >/dev/null); then st=0; else st=1; warn "$label: $msg"; fi
	rm -rf "$scratch"
	return $st
}

new_scratch() {
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/pop3ctl.XXXXXX")
}

check_tcprules() {
	new_scratch || return 1
	on_trial "TCPRULES: $1" tcprules "$scratch/tcp.cdb" "$scratch/tcp.tmp" <"$1"
}

compile_tcprules() {
	tcprules "$cfg_TCPRULES.cdb" "$cfg_TCPRULES.tmp" <"$cfg_TCPRULES" ||
		{ warn "TCPRULES: $cfg_TCPRULES: not compiled"; return 1; }
}

# compile LABEL COMMAND...: runs COMMAND; a failure is reported as
# "LABEL: its output".
compile() {
	label=$1; shift
	msg=$("$@" 2>&1) || { warn "$label: $msg"; return 1; }
}

# Virtual users: vusers-make (checkpw(8)) checks every line and writes
# the cdb under a temporary name, then renames it over USERS_CDB.
check_users() {
	new_scratch || return 1
	on_trial USERS "$path_vusers_make" "$1" "$scratch/users.cdb"
}

compile_users() {
	compile USERS "$path_vusers_make" "$cfg_USERS" "$cfg_USERS_CDB"
}

# hostcheck rules (hostcheck(8)): a text is compiled by hostcheck-rules
# into RULES.cdb (temporary file, rename), which the chain reads; a
# RULES already ending in .cdb is used as it is, checked by hostcheck -c.
rules_cdb() {
	case $cfg_RULES in
	*.cdb) echo "$cfg_RULES" ;;
	*) echo "$cfg_RULES.cdb" ;;
	esac
}

check_rules() {
	new_scratch || return 1
	case $1 in
	*.cdb) on_trial RULES "$path_hostcheck" -c "$1" ;;
	*) on_trial RULES "$path_hostcheck_rules" "$1" "$scratch/rules.cdb" ;;
	esac
}

compile_rules() {
	case $cfg_RULES in
	*.cdb) return 0 ;;
	esac
	compile RULES "$path_hostcheck_rules" "$cfg_RULES" "$(rules_cdb)"
}

compile_all() {
	[ -z "$cfg_TCPRULES" ] || compile_tcprules || return 1
	[ -z "$cfg_USERS" ] || compile_users || return 1
	[ -z "$cfg_RULES" ] || compile_rules || return 1
	return 0
}
