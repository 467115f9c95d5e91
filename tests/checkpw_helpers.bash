# tests/checkpw_helpers.bash: shared by tests/checkpw*.bats (after
# `load helpers`).  Credentials go to checkpw on fd 3 from a file; PROG is
# a script that records its ids, its environment and its directory.

checkpw_setup() {
	# Homes live under the test's tmp dir; bats makes its run directory
	# 0700, so the users could not even reach them.
	chmod 711 "$BATS_RUN_TMPDIR"
	PROG=$BATS_TEST_TMPDIR/prog
	cat >"$PROG" <<'EOS'
#!/bin/sh -p
# Records who it runs as and what checkpw gave it, in $HOME/out.
# (-p: dash would otherwise drop the effective gid that -g gives.)
{
	echo "uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')"
	echo "USER=$USER"
	echo "HOME=$HOME"
	echo "SHELL=$SHELL"
	echo "MAILBOX=$MAILBOX"
	echo "PWD=$(pwd)"
	echo "ARGS=$*"
} >"$HOME/out"
grep -E '^(Gid|Groups):' /proc/$$/status >"$HOME/status"
EOS
	chmod 755 "$PROG"
}

# creds USER SECRET [TIMESTAMP]: writes user\0secret\0timestamp\0.
creds() {
	printf '%s\0%s\0%s\0' "$1" "$2" "${3:-}" >"$BATS_TEST_TMPDIR/creds"
}

# ck ARGS...: runs checkpw ARGS with fd 3 the credentials; status in
# $status, stdout in $output (must stay empty: fd 1 is the client),
# stderr in $BATS_TEST_TMPDIR/err and $err.
ck() {
	status=0
	"$POP3_BIN/checkpw" "$@" 3<"$BATS_TEST_TMPDIR/creds" \
		>"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/stdout")
	err=$(cat "$BATS_TEST_TMPDIR/err")
}

# mkhash PREFIX PASSWORD: a crypt(5) hash made by vusers-make -h.
mkhash() {
	printf '%s\n' "$2" | "$POP3_BIN/vusers-make" -h "$1"
}

# set_password USER PREFIX PASSWORD: stores a hash of that method.
set_password() {
	usermod -p "$(mkhash "$2" "$3")" "$1"
}

# The groups line the prog writes for a primary GID and extra groups.
groups_line() {
	echo "$@" | tr ' ' '\n' | sort -n | tr '\n' ' '
}
