# tests/helpers.bash: shared by every tests/*.bats.  Servers run on
# 127.0.0.1 only, on ports picked free at run time; every process a test
# starts is recorded and stopped by its pid in teardown.

: "${POP3_BIN:=$BATS_TEST_DIRNAME/../build}"
export PATH="$POP3_BIN:$PATH"
TESTS_DIR=$BATS_TEST_DIRNAME

# pop3login's abuse limits (doc/pop3login.8, LIMITS) keep their state
# in a directory: each test its own, so that neither runs before it nor
# other suites on the machine count against it (/run is shared).  bats
# loads this file once with no test directory, to count the tests.
if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
	export POP3_LIMIT_DIR=$BATS_TEST_TMPDIR/limits
fi

# Beside a static musl build of the session programs, $POP3_BIN/dyn holds
# their glibc builds: an LD_PRELOAD shim or valgrind's malloc reaches only
# those.  A test that needs either calls use_dynamic first.
POP3_DYN_BIN=$POP3_BIN
[ -d "$POP3_BIN/dyn" ] && POP3_DYN_BIN=$POP3_BIN/dyn
use_dynamic() {
	export PATH="$POP3_DYN_BIN:$PATH"
}

# mboxsplit's test build, with the fault points that MBOXSPLIT_FAULT
# arms (tests/fault/fault.mk); the installed mboxsplit has none.
MBOXSPLIT_FAULT_BIN=$POP3_BIN/tests/mboxsplit-fault

# A free TCP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_tcpserver PORT PROG ARGS...: tcpserver on 127.0.0.1:PORT in the
# background, its pid appended to $BATS_TEST_TMPDIR/pids; waits until the
# port accepts.  Its stderr (the chain's logs) goes to $BATS_TEST_TMPDIR/log.
start_tcpserver() {
	local port=$1; shift
	# bats holds fds 3-5 open; the chain uses them (checkpassword's fd 3,
	# tlswrapper's fd 5), and a server holding bats' fd 3 hangs the run.
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$port" "$@" \
		2>>"$BATS_TEST_TMPDIR/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$port"
}

wait_port() {
	local i
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
		sleep 0.05
	done
	echo "port $1 never opened" >&2
	return 1
}

# Stops what this test started, by pid.
stop_started() {
	local f="$BATS_TEST_TMPDIR/pids" pid
	[ -f "$f" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$f"
	while read -r pid; do
		wait "$pid" 2>/dev/null || true
	done <"$f"
	rm -f "$f"
}

# make_user NAME: an ordinary system user with a home under the test's
# tmp dir, for tests that need one; removed by remove_users.
make_user() {
	local name=$1 home="$BATS_TEST_TMPDIR/home-$1"
	userdel "$name" >/dev/null 2>&1 || true
	useradd -M -d "$home" -s /bin/sh "$name"
	# bats makes its run directory 0700: let the user reach the home.
	chmod 711 "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	mkdir -p "$home"
	chown "$name:" "$home"
	echo "$name" >>"$BATS_TEST_TMPDIR/users"
}

remove_users() {
	local f="$BATS_TEST_TMPDIR/users" u
	[ -f "$f" ] || return 0
	while read -r u; do
		userdel -f "$u" >/dev/null 2>&1 || true
	done <"$f"
	rm -f "$f"
}

# chain_user NAME PASSWORD N: a system user NAME with PASSWORD and an
# mbox of N messages in its home ($HOMEDIR/mbox, where it may make the
# dotlock), and $BIN, a copy of the chain's programs: the links after
# checkpw run as the user, who may not reach the build directory.
chain_user() {
	local prog dir=$BATS_TEST_TMPDIR
	for prog in hostcheck checkpw mboxsplit pop3d; do
		[ -x "$POP3_BIN/$prog" ] || skip "$prog not built"
	done
	make_user "$1"
	while [ "$dir" != / ] && [ "$dir" != /tmp ]; do
		chmod o+x "$dir"
		dir=$(dirname "$dir")
	done
	printf '%s:%s\n' "$1" "$2" | chpasswd
	HOMEDIR=$BATS_TEST_TMPDIR/home-$1
	make_mbox "$HOMEDIR/mbox" "$3"
	chown "$1:" "$HOMEDIR/mbox"
	chmod 600 "$HOMEDIR/mbox"
	BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$BIN"
	cp "$POP3_BIN/hostcheck" "$POP3_BIN/pop3login" "$POP3_BIN/checkpw" \
		"$POP3_BIN/mboxsplit" "$POP3_BIN/pop3d" "$BIN/"
	chmod 755 "$BIN"
}

# serve_rules RULES [POP3LOGIN-OPTION...]: the chain of chain_user on a
# free port $PORT: hostcheck reading RULES (printf %b), pop3login with
# the options, checkpw -s with $CHECKPW_OPTS on $HOMEDIR/mbox.
serve_rules() {
	printf '%b' "$1" >"$BATS_TEST_TMPDIR/rules"
	shift
	PORT=$(free_port)
	# shellcheck disable=SC2086
	start_tcpserver "$PORT" "$BIN/hostcheck" "$BATS_TEST_TMPDIR/rules" \
		"$BIN/pop3login" -d 0 "$@" mail.test \
		"$BIN/checkpw" -s ${CHECKPW_OPTS:-} -m "$HOMEDIR/mbox" "$BIN/mboxsplit" "$BIN/pop3d"
}

# An mbox of N numbered messages, written as a delivery agent would.
make_mbox() {
	local path=$1 n=$2 i
	: >"$path"
	for i in $(seq 1 "$n"); do
		printf 'From sender@example.org Thu Nov 26 06:00:%02d 2026\nFrom: sender@example.org\nTo: user@example.org\nSubject: message %d\nMessage-ID: <%d@test>\n\nThis is message %d.\n.leading dot line\n\n' \
			$((i % 60)) "$i" "$i" "$i" >>"$path"
	done
}

# wait_log PATTERN [FILE]: waits (at most 5 s) for a line matching the
# grep pattern in the chain's log.  A link logs after its client has gone
# (pop3login's result line comes when the session ends), so a test that
# has just seen the client finish may look a moment too early.
wait_log() {
	local pattern=$1 file=${2:-$BATS_TEST_TMPDIR/log} i
	for i in $(seq 1 100); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "log line never came: $pattern" >&2
	return 1
}
