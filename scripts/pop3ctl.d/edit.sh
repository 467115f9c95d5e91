# shellcheck shell=sh
# pop3ctl.d/edit.sh: "edit [config|rules|tcprules|users]": a copy is
# edited and checked, and only a copy that passes replaces the file.
# Sourced by pop3ctl.

cmd_edit() {
	what=${1:-config}
	set_defaults
	parse_config "$conf" 2>/dev/null
	case $what in
	config) target=$conf ;;
	rules) target=$cfg_RULES ;;
	tcprules) target=$cfg_TCPRULES ;;
	users) target=$cfg_USERS ;;
	*) usage ;;
	esac
	[ -n "$target" ] || die $EX_FAIL "no $what file in $conf"
	edit_copy
	${EDITOR:-vi} "$edit_tmp" || { rm -f "$edit_tmp"; die $EX_FAIL "editor failed; $target unchanged"; }
	edit_passes || die $EX_FAIL "$target unchanged; your edit is in $edit_tmp"
	mv -f "$edit_tmp" "$target" || die $EX_FAIL "cannot replace $target; your edit is in $edit_tmp"
	echo "$PROG: $target updated; \"$PROG reload\" applies it"
}

# edit_copy: edit_tmp, beside the target so that the rename is atomic:
# a copy of the target, or for a new configuration the commented
# template.
edit_copy() {
	dir=$(dirname "$target")
	edit_tmp=$(mktemp "$dir/.$(basename "$target").XXXXXX") || die $EX_FAIL "cannot create a copy in $dir"
	if [ -f "$target" ]; then
		cat "$target" >"$edit_tmp"
		chmod "$(stat -c %a "$target")" "$edit_tmp"
	elif [ "$what" = config ]; then
		for t in "$selfdir/pop3d.conf" "$selfdir/../share/pop3-toolkit/pop3d.conf"; do
			[ -f "$t" ] && { cat "$t" >"$edit_tmp"; break; }
		done
	fi
}

# edit_passes: the configuration validates with the edited copy in the
# place of the file it stands for.
edit_passes() {
	if [ "$what" = config ]; then
		load_config "$edit_tmp"
		return
	fi
	set_defaults
	parse_config "$conf" || return 1
	case $what in
	rules) cfg_RULES=$edit_tmp ;;
	tcprules) cfg_TCPRULES=$edit_tmp ;;
	users) cfg_USERS=$edit_tmp ;;
	esac
	validate
}
