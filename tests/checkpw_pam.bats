#!/usr/bin/env bats
# checkpw -P / -p SERVICE: PAM through pam_wrapper and pam_matrix, with
# service files in the test's own directory (the system's /etc/pam.d is
# never read nor touched).  pam_matrix's passdb lines are
# user:password:service, and its account module refuses a user whose
# service differs: that is how pam_acct_mgmt is tested.
load helpers
load checkpw_helpers

U=ckpwpam1

setup() {
	PAMLIB=$(ls /usr/lib/*/libpam_wrapper.so 2>/dev/null | head -n 1)
	MATRIX=$(ls /usr/lib/*/pam_wrapper/pam_matrix.so 2>/dev/null | head -n 1)
	[ -n "$PAMLIB" ] && [ -n "$MATRIX" ] || skip "libpam-wrapper not installed"
	checkpw_setup
	make_user $U
	H=$BATS_TEST_TMPDIR/home-$U
	S=$BATS_TEST_TMPDIR/pam.d
	mkdir -p "$S"
	for svc in pop3 mypop; do
		printf 'auth required %s passdb=%s\naccount required %s passdb=%s\n' \
			"$MATRIX" "$BATS_TEST_TMPDIR/passdb" "$MATRIX" \
			"$BATS_TEST_TMPDIR/passdb" >"$S/$svc"
	done
	printf '%s:pampw:pop3\n' $U >"$BATS_TEST_TMPDIR/passdb"
	export TCPREMOTEIP=127.0.0.4
}

teardown() {
	stop_started
	remove_users
}

# pamck ARGS: ck under pam_wrapper; pam_wrapper's own diagnostics
# (PWRAP_...) are dropped from $err.
pamck() {
	# Under make sanitize the ASan runtime cannot come first with a
	# preload, and pam_wrapper must not dlopen with RTLD_DEEPBIND; its
	# manual names PAM_WRAPPER_DISABLE_DEEPBIND, but Debian 12's 1.1.4
	# reads UID_WRAPPER_DISABLE_DEEPBIND: both are set.  libpam itself
	# leaks 96 octets when pam_start fails; LeakSanitizer is told so.
	echo 'leak:libpam.so' >"$BATS_TEST_TMPDIR/lsan.supp"
	LD_PRELOAD=$PAMLIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$S \
		PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
		ASAN_OPTIONS=verify_asan_link_order=0 \
		LSAN_OPTIONS=suppressions=$BATS_TEST_TMPDIR/lsan.supp:print_suppressions=0 ck "$@"
	err=$(printf '%s\n' "$err" | grep -v '^PWRAP' || true)
}

@test "pam: right password, exact environment, default service pop3" {
	creds $U pampw
	pamck -P "$PROG" x
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=accept why=ok" ]
	[ "$(cat "$H/out")" = "uid=$(id -u $U) gid=$(id -g $U) groups=$(groups_line "$(id -g $U)")
USER=$U
HOME=$H
SHELL=/bin/sh
MAILBOX=/var/mail/$U
PWD=$H
ARGS=x" ]
}

@test "pam: wrong password refused" {
	creds $U pampx
	pamck -P "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=refuse why=badpass" ]
	[ ! -e "$H/out" ]
}

@test "pam: pam_acct_mgmt refusing the account refuses the login" {
	printf '%s:pampw:imap\n' $U >"$BATS_TEST_TMPDIR/passdb"
	creds $U pampw
	pamck -P "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=refuse why=account" ]
	[ ! -e "$H/out" ]
}

@test "pam: -p names the service" {
	printf '%s:pampw:mypop\n' $U >"$BATS_TEST_TMPDIR/passdb"
	creds $U pampw
	pamck -p mypop "$PROG"
	[ "$status" -eq 0 ]
	pamck -P "$PROG"
	[ "$status" -eq 1 ]
}

@test "pam: unknown user refused" {
	creds ckpwnosuch pampw
	pamck -P "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=ckpwnosuch ip=127.0.0.4 backend=pam result=refuse why=badpass" ]
}

@test "pam: accepted by PAM but not in passwd is refused" {
	printf 'ckpwnopasswd:pampw:pop3\n' >"$BATS_TEST_TMPDIR/passdb"
	creds ckpwnopasswd pampw
	pamck -P "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=ckpwnopasswd ip=127.0.0.4 backend=pam result=refuse why=no-passwd-entry" ]
}

@test "pam: a missing service or password database is a temporary failure" {
	creds $U pampw
	pamck -p nosuchservice "$PROG"
	[ "$status" -eq 111 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=temp why=pam-start" ]
	rm "$BATS_TEST_TMPDIR/passdb"
	pamck -P "$PROG"
	[ "$status" -eq 111 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=temp why=pam-error" ]
}

@test "pam: then virtual: PAM's refusal stands, a virtual user still logs in" {
	V=$BATS_TEST_TMPDIR/v
	mkdir -p "$V/h"
	chown 5003:5003 "$V/h"
	echo "vjoe:5003:5003:$V/h::{plain}vpw" | "$POP3_BIN/vusers-make" - "$V/x.cdb" 2>/dev/null
	creds vjoe vpw
	pamck -P -v "$V/x.cdb" "$PROG"
	[ "$status" -eq 0 ]
	[ "$err" = "checkpw: user=vjoe ip=127.0.0.4 backend=virtual result=accept why=ok" ]
	creds $U wrong
	pamck -P -v "$V/x.cdb" "$PROG"
	[ "$status" -eq 1 ]
	[ "$err" = "checkpw: user=$U ip=127.0.0.4 backend=pam result=refuse why=badpass" ]
}

@test "pam: nothing PAM opened as root reaches PROG" {
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
	LEAK=$POP3_BIN/tests/checkpw_pamleak.so
	[ -f "$LEAK" ] || skip "checkpw_pamleak.so not built"
	# A module that opens /etc/shadow as root and leaves it open.
	{ echo "auth optional $LEAK"; cat "$S/pop3"; } >"$S/leaky"
	printf '%s:pampw:leaky\n' $U >"$BATS_TEST_TMPDIR/passdb"
	creds $U pampw
	pamck -p leaky "$BATS_TEST_TMPDIR/fds" 4<&- 5<&- 6<&- 7<&- 8<&- 9<&-
	[ "$status" -eq 0 ]
	[ "$(cat "$H/fds")" = "0 1 2 " ]
}

# libpam is loaded (dlopen) only for a PAM backend: the system and
# virtual backends start without it and without what it drags in.
# LD_DEBUG=libs makes the dynamic loader name each library it looks for.
@test "pam: libpam, libaudit and libcap-ng are loaded for -P only" {
	creds $U pampw
	LD_DEBUG=libs pamck -P "$PROG"
	[ "$status" -eq 0 ]
	printf '%s\n' "$err" | grep -q 'find library=libpam\.so\.0'
	printf '%s\n' "$err" | grep -q 'find library=libaudit\.so\.1'
	for backend in -s "-v $BATS_TEST_TMPDIR/none.cdb"; do
		# shellcheck disable=SC2086 # two words for -v
		LD_DEBUG=libs "$POP3_BIN/checkpw" $backend "$PROG" \
			3<"$BATS_TEST_TMPDIR/creds" 2>"$BATS_TEST_TMPDIR/err" || true
		grep -q 'find library=libc\.so\.6' "$BATS_TEST_TMPDIR/err"
		grep -q 'result=' "$BATS_TEST_TMPDIR/err"
		! grep -E 'libpam\.|libaudit|libcap-ng' "$BATS_TEST_TMPDIR/err"
	done
}

# in_mount_ns SCRIPT ARGS...: runs SCRIPT under sh in a private mount
# namespace (unshare -m), so that what it mounts is seen by nothing else.
in_mount_ns() {
	unshare -m --propagation private true 2>/dev/null ||
		skip "no mount namespaces here"
	unshare -m --propagation private sh -c "$@"
}

@test "pam: a missing libpam is a temporary failure, logged" {
	LIB=$(ls /usr/lib/*/libpam.so.0 /lib/*/libpam.so.0 2>/dev/null | head -n 1)
	[ -n "$LIB" ] || skip "no libpam.so.0"
	creds $U pampw
	# An empty file where libpam was: dlopen fails ("file too short").
	in_mount_ns 'mount --bind /dev/null "$(readlink -f "$1")" && shift &&
		exec "$@"' - "$LIB" "$POP3_BIN/checkpw" -P "$PROG" \
		3<"$BATS_TEST_TMPDIR/creds" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 111 ]
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/err" | sed 's/reason=".*"$/reason=R/')" = \
		"checkpw: error op=dlopen lib=libpam.so.0 reason=R" ]
	[ "$(sed -n '2,$p' "$BATS_TEST_TMPDIR/err")" = \
		"checkpw: user=$U ip=127.0.0.4 backend=pam result=temp why=pam-load" ]
	[ ! -e "$H/out" ]
}

# Without procfs at /proc (a chroot) the descriptors are found by the
# old scan of the first 1,024 numbers; a directory that only looks like
# /proc/self/fd (here an empty one on tmpfs: it would say nothing is
# open, and every descriptor would be closed) is not believed.
@test "pam: no /proc: PAM's leftover is still closed, the caller's kept" {
	LEAK=$POP3_BIN/tests/checkpw_pamleak.so
	[ -f "$LEAK" ] || skip "checkpw_pamleak.so not built"
	# The sanitizers read their options from /proc/self/environ.
	! ldd "$POP3_BIN/checkpw" | grep -q libasan || skip "ASan needs /proc"
	cat >"$BATS_TEST_TMPDIR/fds" <<'EOS'
#!/bin/sh
out=
for fd in 0 1 2 3 4 5 6 7 8 9; do
	if { true >&$fd; } 2>/dev/null; then out="$out$fd "; fi
done
echo "$out" >"$HOME/fds"
EOS
	chmod 755 "$BATS_TEST_TMPDIR/fds"
	{ echo "auth optional $LEAK"; cat "$S/pop3"; } >"$S/leaky"
	printf '%s:pampw:leaky\n' $U >"$BATS_TEST_TMPDIR/passdb"
	creds $U pampw
	status=0
	in_mount_ns 'mount -t tmpfs none /proc && mkdir -p /proc/self/fd &&
		exec "$@"' - env LD_PRELOAD="$PAMLIB" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$S" PAM_WRAPPER_DISABLE_DEEPBIND=1 \
		UID_WRAPPER_DISABLE_DEEPBIND=1 ASAN_OPTIONS=verify_asan_link_order=0 \
		"$POP3_BIN/checkpw" -p leaky "$BATS_TEST_TMPDIR/fds" \
		3<"$BATS_TEST_TMPDIR/creds" 4<&- 5<&- 6<&- 8<&- 9<&- 7</dev/null \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 0 ]
	[ "$(cat "$H/fds")" = "0 1 2 7 " ]
}
