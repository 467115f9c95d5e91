# tests/fault/chain.bash: loaded by tests/stress*.bats and tests/fault*.bats
# after helpers.bash.  A user with a password, the chain on a free port,
# and a small POP3 client in bash that prints the status lines it gets.

# chain_user NAME: make_user plus a SHA-512 password (CHAIN_PASS), and
# directories the user can reach (bats makes its tmp dirs 0700).
CHAIN_PASS=stress-pass-1
chain_user() {
	make_user "$1"
	echo "$1:$CHAIN_PASS" | chpasswd -c SHA512
	local d=$BATS_TEST_TMPDIR
	while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	CHAIN_HOME=$BATS_TEST_TMPDIR/home-$1
}

# chain_mbox PORT MBOX [pop3d options]: the mbox chain on PORT.
chain_mbox() {
	local port=$1 mbox=$2
	shift 2
	start_tcpserver "$port" pop3login test.localhost \
		checkpw -g mail -m "$mbox" mboxsplit pop3d "$@"
}

# chain_maildir PORT DIR/: the Maildir chain on PORT.
chain_maildir() {
	start_tcpserver "$1" pop3login test.localhost \
		checkpw -m "$2" maildirscan pop3d
}

# pop_session PORT USER COMMAND...: logs in with CHAIN_PASS, sends each
# command, prints every status line (CR removed); multi-line answers are
# read to their end and not printed.  "(eof)" when the server hangs up.
pop_session() {
	local port=$1 user=$2 line cmd
	shift 2
	exec 8<>"/dev/tcp/127.0.0.1/$port" || return 1
	if IFS= read -r -t 20 line <&8; then echo "${line%$'\r'}"; fi
	for cmd in "USER $user" "PASS $CHAIN_PASS" "$@"; do
		printf '%s\r\n' "$cmd" >&8
		if ! IFS= read -r -t 20 line <&8; then
			echo "(eof)"
			break
		fi
		echo "${line%$'\r'}"
		case $cmd in
		RETR*|TOP*|LIST|UIDL|CAPA)
			if [[ $line == +OK* ]]; then
				while IFS= read -r -t 20 line <&8 && [ "$line" != $'.\r' ]; do :; done
			fi ;;
		esac
	done
	exec 8<&-
}

# chain_mbox_user NAME: a user whose mbox sits in its home, owned as
# procmail leaves it; sets CHAIN_MBOX.
chain_mbox_user() {
	chain_user "$1"
	CHAIN_MBOX=$CHAIN_HOME/mbox
	: >"$CHAIN_MBOX"
	chown "$1:mail" "$CHAIN_MBOX"
	chmod 660 "$CHAIN_MBOX"
}
