#!/usr/bin/env bats
# scripts/demo, the README's first command: set up, serve the demo user
# over curl, rerun (restarts cleanly, mailbox reset), stop, clean.
# Uses the programs of this build (POP3_DEMO_BIN) so make is not rerun.

load helpers
load ops_helpers

DEMO="$BATS_TEST_DIRNAME/../scripts/demo"
TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd -P)

setup() {
	have_chain
	export POP3_DEMO_BIN=$POP3_BIN
	export POP3_DEMO_DIR=$BATS_TEST_TMPDIR/demo
	export POP3_DEMO_PORT=$(free_port)
	export POP3_DEMO_USER=o7d$OPS_RUN
	open_path "$BATS_TEST_TMPDIR"
}

teardown() {
	"$DEMO" clean >/dev/null 2>&1 || true
	stop_started
}

@test "ops_demo: demo serves three messages to curl, reruns cleanly, stops and cleans up" {
	run "$DEMO"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx "  curl pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/1          # fetch message 1"
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = $'1 312\r\n2 312\r\n3 312\r' ]
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/2"
	[ "${lines[2]}" = $'Subject: demo message 2\r' ]
	curl -sS --max-time 10 -X DELE -I "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/1"
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$output" = $'1 312\r\n2 312\r' ]
	pid=$(head -n 1 "$POP3_DEMO_DIR/pop3d.pid")
	# a second run restarts the server and puts the three messages back
	run "$DEMO"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pop3ctl: stopped pid $pid" ]
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$output" = $'1 312\r\n2 312\r\n3 312\r' ]
	run "$DEMO" stop
	[ "$status" -eq 0 ]
	port_closed "$POP3_DEMO_PORT"
	run "$DEMO" clean
	[ "$status" -eq 0 ]
	[ ! -e "$POP3_DEMO_DIR" ]
	! id "$POP3_DEMO_USER"
}

# in_private_locks COMMAND...: runs COMMAND in a mount namespace of its
# own in which each apt and dpkg lock file is a private empty file
# ($LOCKS/1 to 4, in the order of the demo's list) and .ci/packages is
# $D/packages: a lock the test holds there blocks no real apt on the
# machine, and the demo sees the test's package list.
in_private_locks() {
	mkdir -p "$LOCKS"
	unshare -m --propagation private sh -ec '
		locks=$1 top=$2 pkgs=$3; shift 3
		n=0
		for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
			n=$((n + 1))
			: >"$locks/$n"
			[ -e "$f" ] && mount --bind "$locks/$n" "$f"
		done
		mount --bind "$pkgs" "$top/.ci/packages"
		exec "$@"' sh "$LOCKS" "$TOP" "$D/packages" "$@"
}

# hold_lock FILE SECONDS: a process holds an fcntl write lock on FILE (as
# apt and dpkg take theirs) for SECONDS; returns once it holds it.
hold_lock() {
	: >"$1"
	python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))' "$1" "$2" 3>&- 4>&- 5>&- &
	HOLDER=$!
	echo "$HOLDER" >>"$BATS_TEST_TMPDIR/pids"
	for i in $(seq 1 100); do [ -e "$1.held" ] && return 0; sleep 0.05; done
	return 1
}

# apt_setup: a package list of one package that apt knows and this
# machine lacks, and an apt configuration that only simulates: apt-get
# runs for real but changes nothing (and, simulating, takes no lock).
apt_setup() {
	D=$BATS_TEST_TMPDIR
	LOCKS=$D/locks
	mkdir -p "$LOCKS"
	PKG=
	for p in hello sl cowsay; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && continue
		apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]' || continue
		PKG=$p
		break
	done
	[ -n "$PKG" ] || skip "no package apt knows and this machine lacks"
	echo "$PKG" >"$D/packages"
	printf 'APT::Get::Simulate "true";\n' >"$D/apt.conf"
	export APT_CONFIG=$D/apt.conf
}

@test "ops_demo: with dpkg's lock held, the demo says who holds it, waits, then installs and serves" {
	apt_setup
	hold_lock "$LOCKS/1" 3
	start=$SECONDS
	run in_private_locks "$DEMO"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "demo: installing: $PKG" ]
	[ "${lines[1]}" = "demo: waiting for another apt or dpkg to finish ($HOLDER (python3) holds /var/lib/dpkg/lock-frontend; 0 of at most 600 s)" ]
	[[ "${lines[2]}" =~ ^"demo: apt and dpkg are free after "[0-9]+" s"$ ]]
	[ $((SECONDS - start)) -ge 2 ]
	echo "$output" | grep -q "^Inst $PKG "
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$output" = $'1 312\r\n2 312\r\n3 312\r' ]
}

@test "ops_demo: the wait is bounded: POP3_DEMO_APT_WAIT seconds, then a clear error and nothing started" {
	apt_setup
	hold_lock "$LOCKS/3" 10
	POP3_DEMO_APT_WAIT=1 run in_private_locks "$DEMO"
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "demo: waiting for another apt or dpkg to finish ($HOLDER (python3) holds /var/lib/apt/lists/lock; 0 of at most 1 s)" ]
	[ "${lines[2]}" = "demo: another apt or dpkg still runs after 1 s ($HOLDER (python3) holds /var/lib/apt/lists/lock); rerun scripts/demo when it has finished" ]
	[ ! -e "$POP3_DEMO_DIR/pop3d.pid" ]
	POP3_DEMO_APT_WAIT=soon run "$DEMO"
	[ "$status" -eq 1 ]
	[ "$output" = "demo: POP3_DEMO_APT_WAIT: not a number of seconds: soon" ]
}
