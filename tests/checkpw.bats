#!/usr/bin/env bats
# checkpw with system accounts: every hash method libxcrypt offers, wrong
# password, unknown, locked and expired accounts, uid 0, malformed fd 3,
# unsafe names, the environment and the ids of the program it runs.
load helpers
load checkpw_helpers

U=ckpwsys1

setup() {
	checkpw_setup
	make_user $U
	H=$BATS_TEST_TMPDIR/home-$U
	UID_=$(id -u $U)
	GID_=$(id -g $U)
	export TCPREMOTEIP=127.0.0.2
}

teardown() {
	stop_started
	remove_users
}

# accepts PREFIX: the user with a hash of that method logs in, and only
# with the right password.
accepts() {
	set_password $U "$1" "pw-$1"
	creds $U "pw-$1"
	ck "$PROG"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=accept why=ok" ]
	[ -f "$H/out" ]
	rm -f "$H/out"
	creds $U "pw-$1x"
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=badpass" ]
	[ ! -e "$H/out" ]
}

@test "checkpw: yescrypt" { accepts '$y$'; }
@test "checkpw: SHA-512 crypt" { accepts '$6$'; }
@test "checkpw: SHA-256 crypt" { accepts '$5$'; }
@test "checkpw: MD5 crypt" { accepts '$1$'; }
@test "checkpw: bcrypt" { accepts '$2b$'; }
@test "checkpw: traditional DES" { accepts des; }

@test "checkpw: environment, ids, directory and arguments of PROG" {
	set_password $U '$6$' secret
	creds $U secret
	ck "$PROG" one 'two words'
	[ "$status" -eq 0 ]
	[ "$(cat "$H/out")" = "uid=$UID_ gid=$GID_ groups=$(groups_line $GID_)
USER=$U
HOME=$H
SHELL=/bin/sh
MAILBOX=/var/mail/$U
PWD=$H
ARGS=one two words" ]
}

@test "checkpw: -g mail is the effective and saved gid only, never a supplementary group" {
	set_password $U '$6$' secret
	creds $U secret
	ck -g mail "$PROG"
	[ "$status" -eq 0 ]
	mail=$(getent group mail | cut -d: -f3)
	printf -v want 'Gid:\t%s\t%s\t%s\t%s' "$GID_" "$mail" "$mail" "$mail"
	grep -qx "$want" "$H/status"
	printf -v want 'Groups:\t%s ' "$GID_"
	grep -qx "$want" "$H/status"
	! grep -q 'spool group' "$BATS_TEST_TMPDIR/err" 2>/dev/null
}

@test "checkpw: a user who is in the spool group by /etc/group keeps it, and the log says so" {
	usermod -a -G mail $U
	set_password $U '$6$' secret
	creds $U secret
	ck -g mail "$PROG"
	gpasswd -d $U mail >/dev/null
	[ "$status" -eq 0 ]
	mail=$(getent group mail | cut -d: -f3)
	grep -q "^Groups:.*\b$mail\b" "$H/status"
	[[ "$err" == *"checkpw: note=\"user is a member of the spool group\" user=$U gid=$mail"* ]]
}

@test "checkpw: the user's own supplementary groups come from the group database" {
	groupadd ckpwgrp1
	usermod -a -G ckpwgrp1 $U
	set_password $U '$6$' secret
	creds $U secret
	ck "$PROG"
	extra=$(getent group ckpwgrp1 | cut -d: -f3)
	gpasswd -d $U ckpwgrp1 >/dev/null; groupdel ckpwgrp1
	[ "$status" -eq 0 ]
	[ "$(head -n 1 "$H/out")" = "uid=$UID_ gid=$GID_ groups=$(groups_line $GID_ "$extra")" ]
}

@test "checkpw: ~/Maildir/ when it exists, -M '' and -m otherwise" {
	set_password $U '$6$' secret
	mkdir "$H/Maildir"
	creds $U secret
	ck "$PROG"
	[ "$status" -eq 0 ]
	grep -qx "MAILBOX=$H/Maildir/" "$H/out"
	ck -M '' "$PROG"
	grep -qx "MAILBOX=/var/mail/$U" "$H/out"
	ck -M '' -m '/var/spool/mail/%1/%u' "$PROG"
	grep -qx "MAILBOX=/var/spool/mail/c/$U" "$H/out"
	ck -M Mail "$PROG"
	grep -qx "MAILBOX=/var/mail/$U" "$H/out"
}

@test "checkpw: unknown user refused, logged as unknown" {
	creds ckpwnosuch secret
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$err" = "checkpw: user=ckpwnosuch ip=127.0.0.2 backend=system result=unknown why=unknown" ]
}

@test "checkpw: a login with a domain is not a system user" {
	set_password $U '$6$' secret
	creds $U@example.org secret
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U@example.org ip=127.0.0.2 backend=system result=unknown why=unknown" ]
}

@test "checkpw: locked accounts refused with the right password" {
	set_password $U '$6$' secret
	usermod -L $U
	creds $U secret
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=locked" ]
	usermod -p '*' $U
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=locked" ]
	usermod -p '' $U
	creds $U ''
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=locked" ]
}

@test "checkpw: expired account and password refused" {
	set_password $U '$6$' secret
	creds $U secret
	chage -E 1 $U
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=expired" ]
	chage -E -1 -d 0 $U
	ck "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.2 backend=system result=refuse why=expired" ]
	chage -d 2000-01-01 -M 30 $U
	ck "$PROG"
	[ "$status" -eq 1 ]
	chage -d "$(date +%Y-%m-%d)" -M 30 $U
	ck "$PROG"
	[ "$status" -eq 0 ]
}

@test "checkpw: a wrong password never reaches the log" {
	set_password $U '$6$' secret
	creds $U 'Wr0ngSecret'
	ck "$PROG"
	[ "$status" -eq 1 ]
	! grep -q Wr0ngSecret "$BATS_TEST_TMPDIR/err"
}

@test "checkpw: malformed fd 3 is misuse (exit 2)" {
	printf 'user pw ts' >"$BATS_TEST_TMPDIR/creds"
	ck "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: malformed credentials on fd 3 (10 octets)" ]
	: >"$BATS_TEST_TMPDIR/creds"
	ck "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: malformed credentials on fd 3 (0 octets)" ]
	printf '%s\0secret\0' $U >"$BATS_TEST_TMPDIR/creds"
	ck "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: malformed credentials on fd 3 (16 octets)" ]
	{ printf '%s\0secret\0' $U; head -c 500 /dev/zero | tr '\0' x; printf '\0'; } >"$BATS_TEST_TMPDIR/creds"
	ck "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: malformed credentials on fd 3 (513 octets)" ]
	[ ! -e "$H/out" ]
}

@test "checkpw: exactly 512 octets are read" {
	set_password $U '$6$' secret
	{ printf '%s\0secret\0' $U; head -c 495 /dev/zero | tr '\0' x; printf '\0'; } >"$BATS_TEST_TMPDIR/creds"
	[ "$(wc -c <"$BATS_TEST_TMPDIR/creds")" -eq 512 ]
	ck "$PROG"
	[ "$status" -eq 0 ]
}

@test "checkpw: no fd 3 is misuse" {
	run "$POP3_BIN/checkpw" "$PROG" 3<&-
	[ "$status" -eq 2 ]
	[ "$output" = "checkpw: fatal: cannot read fd 3: Bad file descriptor" ]
}

@test "checkpw: unsafe names refused before any lookup" {
	for name in ../../etc/passwd a/b .. . -x 'a b' "$(printf 'a\tb')" \
		"$(printf 'a\033b')" 'a:b' 'a%d' 'a@b@c' '@x' 'x@' 'x@../y' \
		"$(head -c 65 /dev/zero | tr '\0' a)" ''; do
		creds "$name" secret
		ck "$PROG"
		[ "$status" -eq 1 ]
		case "$err" in
		"checkpw: user="*" ip=127.0.0.2 backend=- result=refuse why=badname") ;;
		*) echo "name [$name]: $err"; return 1 ;;
		esac
	done
	creds "$(printf 'a\033[2Jb')" secret
	ck "$PROG"
	[ "$err" = "checkpw: user=a\x1b[2Jb ip=127.0.0.2 backend=- result=refuse why=badname" ]
}

@test "checkpw: usage errors exit 2, a missing PROG or HOME 111" {
	creds $U secret
	ck
	[ "$status" -eq 2 ]
	ck -x "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: usage: checkpw [-s] [-P | -p SERVICE] [-v FILE] [-g GROUP] [-r] [-m TEMPLATE] [-M NAME] [-d SETTING] [-e DIR] PROG [ARG...]" ]
	ck -g ckpwnosuchgroup "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: no group ckpwnosuchgroup" ]
	ck -d '$unknown$' "$PROG"
	[ "$status" -eq 2 ]
	[ "$err" = "checkpw: fatal: libxcrypt refuses the dummy setting" ]
	set_password $U '$6$' secret
	ck "$BATS_TEST_TMPDIR/nosuchprog"
	[ "$status" -eq 111 ]
	[ "${err##*$'\n'}" = "checkpw: fatal: cannot run $BATS_TEST_TMPDIR/nosuchprog: No such file or directory" ]
	usermod -d /nonexistent/ckpw $U
	ck "$PROG"
	[ "$status" -eq 111 ]
	[ "${err##*$'\n'}" = "checkpw: fatal: cannot chdir to /nonexistent/ckpw: No such file or directory" ]
}

@test "checkpw: fd 0 is left unread for PROG" {
	set_password $U '$6$' secret
	creds $U secret
	cat >"$BATS_TEST_TMPDIR/reader" <<'EOS'
#!/bin/sh
cat >"$HOME/stdin"
EOS
	chmod 755 "$BATS_TEST_TMPDIR/reader"
	printf 'STAT\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/client"
	run "$POP3_BIN/checkpw" "$BATS_TEST_TMPDIR/reader" 3<"$BATS_TEST_TMPDIR/creds" <"$BATS_TEST_TMPDIR/client"
	[ "$status" -eq 0 ]
	[ "$(od -c "$H/stdin")" = "$(od -c "$BATS_TEST_TMPDIR/client")" ]
}

@test "checkpw: fd 3 is closed for PROG, the caller's other descriptors pass" {
	set_password $U '$6$' secret
	creds $U secret
	cat >"$BATS_TEST_TMPDIR/fds" <<'EOS'
#!/bin/sh
# Which of fds 0-9 are open, tested by the shell itself: a pipeline
# would show its own pipes.
out=
for fd in 0 1 2 3 4 5 6 7 8 9; do
	if { true >&$fd; } 2>/dev/null; then out="$out$fd "; fi
done
echo "$out" >"$HOME/fds"
EOS
	chmod 755 "$BATS_TEST_TMPDIR/fds"
	# (bats itself may leave other descriptors open: closed here.)
	"$POP3_BIN/checkpw" "$BATS_TEST_TMPDIR/fds" 3<"$BATS_TEST_TMPDIR/creds" \
		4<&- 5<&- 6<&- 8<&- 9<&- 7</dev/null 2>/dev/null
	[ "$(cat "$H/fds")" = "0 1 2 7 " ]
}

# The list of open descriptors comes from /proc/self/fd, whole: one the
# caller gave above the 1,024 the old scan looked at passes too, and the
# closing of new ones leaves it alone.
@test "checkpw: a caller's descriptor above 1023 passes" {
	[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -gt 1100 ] ||
		skip "descriptor limit $(ulimit -n)"
	set_password $U '$6$' secret
	creds $U secret
	# bash: dash takes one-digit descriptors only.
	cat >"$BATS_TEST_TMPDIR/fds" <<'EOS'
#!/bin/bash
out=
for fd in 0 1 2 3 4 5 6 7 8 9 1100; do
	if { true >&$fd; } 2>/dev/null; then out="$out$fd "; fi
done
echo "$out" >"$HOME/fds"
EOS
	chmod 755 "$BATS_TEST_TMPDIR/fds"
	bash -c 'exec "$@" 1100</dev/null' - "$POP3_BIN/checkpw" \
		"$BATS_TEST_TMPDIR/fds" 3<"$BATS_TEST_TMPDIR/creds" \
		4<&- 5<&- 6<&- 7<&- 8<&- 9<&- 2>/dev/null
	[ "$(cat "$H/fds")" = "0 1 2 1100 " ]
}

# maxrss_kib ARGS...: runs checkpw ARGS with fd 3 the credentials and
# prints its exit status and peak resident size in KiB (GNU time).
maxrss_kib() {
	local st=0
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$POP3_BIN/checkpw" "$@" \
		3<"$BATS_TEST_TMPDIR/creds" >/dev/null 2>&1 || st=$?
	echo "$st $(tail -n 1 "$BATS_TEST_TMPDIR/rss")"
}

# checkpw used to prove its dummy setting by hashing with it at every
# start: with yescrypt (16 MiB, tens of ms) every SHA-512 login paid for
# a second hash.  Now only an unknown user's answer runs the dummy, so
# only it shows yescrypt's 16 MiB; a bare "$y$" is given its default cost.
@test "checkpw: the dummy is hashed for an unknown user only" {
	[ -x /usr/bin/time ] || skip "GNU time not installed"
	set_password $U '$6$' secret
	creds $U wrong
	read -r st known < <(maxrss_kib -d '$y$' "$PROG")
	[ "$st" -eq 1 ]
	creds ckpwnosuchuser wrong
	read -r st unknown < <(maxrss_kib -d '$y$' "$PROG")
	[ "$st" -eq 1 ]
	echo "known=$known KiB unknown=$unknown KiB" >&2
	[ "$((unknown - known))" -ge 8192 ]
}

# in_mount_ns SCRIPT ARGS...: runs SCRIPT under sh in a private mount
# namespace (unshare -m), so that what it mounts is seen by nothing else.
in_mount_ns() {
	unshare -m --propagation private true 2>/dev/null ||
		skip "no mount namespaces here"
	unshare -m --propagation private sh -c "$@"
}

# Without -d the dummy takes the method of the first usable hash of
# /etc/shadow (here a copy bound over it): yescrypt there makes an
# unknown user's answer cost yescrypt's 16 MiB, SHA-512 does not.  The
# file is read as a file: through NSS, endspent() went to every source
# of nsswitch.conf and loaded libnss_systemd at every login.
@test "checkpw: without -d the dummy has /etc/shadow's method, read as a file" {
	[ -x /usr/bin/time ] || skip "GNU time not installed"
	creds ckpwnosuchuser wrong
	for m in '$y$' '$6$'; do
		printf 'root:*:20000:0:99999:7:::\nfirst:%s:20000:0:99999:7:::\n' \
			"$(mkhash "$m" x)" >"$BATS_TEST_TMPDIR/shadow-$m"
		in_mount_ns 'mount --bind "$1" /etc/shadow && shift && exec "$@"' - \
			"$BATS_TEST_TMPDIR/shadow-$m" env LD_DEBUG=libs /usr/bin/time -f %M \
			-o "$BATS_TEST_TMPDIR/rss-$m" "$POP3_BIN/checkpw" "$PROG" \
			3<"$BATS_TEST_TMPDIR/creds" 2>"$BATS_TEST_TMPDIR/err-$m" || true
		grep -qx 'checkpw: user=ckpwnosuchuser ip=127.0.0.2 backend=system result=unknown why=unknown' \
			"$BATS_TEST_TMPDIR/err-$m"
	done
	y=$(tail -n 1 "$BATS_TEST_TMPDIR/rss-\$y\$")
	six=$(tail -n 1 "$BATS_TEST_TMPDIR/rss-\$6\$")
	echo "yescrypt=$y KiB sha512=$six KiB" >&2
	[ "$((y - six))" -ge 8192 ]
	# A name refused before any lookup: no NSS module is loaded, so
	# none was for the dummy either.
	printf 'bad/name\0x\0\0' >"$BATS_TEST_TMPDIR/creds"
	in_mount_ns 'mount --bind "$1" /etc/shadow && shift && exec "$@"' - \
		"$BATS_TEST_TMPDIR/shadow-\$6\$" env LD_DEBUG=libs "$POP3_BIN/checkpw" \
		"$PROG" 3<"$BATS_TEST_TMPDIR/creds" 2>"$BATS_TEST_TMPDIR/err" || true
	grep -q 'result=refuse why=badname' "$BATS_TEST_TMPDIR/err"
	grep -q 'find library=libc\.so\.6' "$BATS_TEST_TMPDIR/err"
	! grep 'find library=libnss_' "$BATS_TEST_TMPDIR/err"
}

@test "checkpw: -d takes a prefix, a setting or a hash; refuses unknown methods" {
	creds ckpwnosuchuser wrong
	for d in '$6$' '$y$' '$2b$' '$1$' '$6$rounds=6000$abcdefgh' "$(mkhash '$5$' x)"; do
		ck -d "$d" "$PROG"
		[ "$status" -eq 1 ]
		[ "$err" = "checkpw: user=ckpwnosuchuser ip=127.0.0.2 backend=system result=unknown why=unknown" ]
	done
	for d in '' '*' '!' '$unknown$' 'a'; do
		ck -d "$d" "$PROG"
		[ "$status" -eq 2 ]
		[ "$err" = "checkpw: fatal: libxcrypt refuses the dummy setting" ]
	done
}
