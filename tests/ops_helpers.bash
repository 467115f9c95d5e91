# tests/ops_helpers.bash: for tests/ops*.bats, loaded after helpers.bash.
# A POP3 client that prints the exact bytes of a session, stub chain
# programs for testing the control tool alone, and a pop3ctl wrapper.

POP3CTL="$TESTS_DIR/../scripts/pop3ctl"
POP3STATS="$TESTS_DIR/../scripts/pop3stats"

# pop_talk PORT [COMMAND...]: connects to $POP_HOST:PORT (127.0.0.1
# unless set; ::1 for the IPv6 tests), reads the greeting, sends the
# commands (CR LF added) at once, and prints all it receives until the
# server closes or 5 seconds pass.
pop_talk() {
	POP_HOST=${POP_HOST:-127.0.0.1} python3 - "$@" <<'PY'
import os, socket, sys, time
port = int(sys.argv[1]); cmds = sys.argv[2:]
s = socket.create_connection((os.environ["POP_HOST"], port), timeout=5)
out = b""
deadline = time.time() + 5
while b"\r\n" not in out and time.time() < deadline:
    b = s.recv(4096)
    if not b: break
    out += b
if cmds:
    s.sendall(b"".join(c.encode() + b"\r\n" for c in cmds))
    while time.time() < deadline:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b: break
        out += b
sys.stdout.buffer.write(out)
PY
}

# stub_chain DIR: chain programs that only greet, for control-tool tests
# that must not depend on the real programs.
stub_chain() {
	local dir=$1 p
	mkdir -p "$dir"
	for p in checkpw mboxsplit maildirscan pop3d hostcheck; do
		printf '#!/bin/sh\nexit 0\n' >"$dir/$p"
		chmod 755 "$dir/$p"
	done
	printf '#!/bin/sh\nprintf "+OK stub %%s ready\\r\\n" "$1"\n' >"$dir/pop3login"
	chmod 755 "$dir/pop3login"
}

# pid_alive PID: a live process, not a zombie.
pid_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
	[ "$st" != Z ]
}

# port_closed PORT: nothing accepts on it (bounded retries while a
# stopping server closes its socket).
port_closed() {
	local i
	for i in $(seq 1 50); do
		python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(0 if s.connect_ex(('127.0.0.1',$1)) else 1)" && return 0
		sleep 0.05
	done
	return 1
}

# open_path DIR: bats's temporary directories are private; let the
# users the chain becomes reach homes made below DIR.
open_path() {
	local dir=$1
	while [ "$dir" != / ] && [ "$dir" != /tmp ]; do
		chmod o+x "$dir"
		dir=$(dirname "$dir")
	done
}

# have_chain: the real programs are built (skips the test otherwise).
have_chain() {
	local p
	for p in pop3login checkpw vusers-make maildirscan pop3d hostcheck hostcheck-rules; do
		[ -f "$POP3_BIN/$p" ] && [ -x "$POP3_BIN/$p" ] || skip "$p not built"
	done
}

# chain_setup: a system user owning a Maildir of two messages, the
# virtual user demo/secret mapped to it, hostcheck rules that trust
# loopback, and a pop3ctl configuration $CONF for them on $PORT.
# User names unique to this bats run: the machine may run the suite twice
# at once, and make_user's "userdel -r" of a same-named user would take
# the other run's home away.
OPS_RUN=$(basename "${BATS_RUN_TMPDIR:-run-$$}" | sed 's/^bats-run-//; s/^run-//' | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9')
OPS_USER=o7m$OPS_RUN
OPS_MBOX_USER=o7b$OPS_RUN
chain_setup() {
	D=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	make_user "$OPS_USER"
	open_path "$D"
	local home="$D/home-$OPS_USER" md
	md=$home/Maildir
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	printf 'From: a@example.org\nSubject: one\n\nHello one.\n' >"$md/new/1700000000.1.host"
	printf 'From: b@example.org\nSubject: two\n\nHello two.\n.dot\n' >"$md/new/1700000001.2.host"
	chown -R "$OPS_USER:" "$home"
	printf 'demo:%s:%s:%s:%s/:{plain}secret\n' "$(id -u "$OPS_USER")" "$(id -g "$OPS_USER")" "$home" "$md" >"$D/users"
	"$POP3_BIN/vusers-make" "$D/users" "$D/users.cdb" 2>/dev/null
	printf 'trust 127.0.0.0/8\ndeny default\n' >"$D/rules"
	"$POP3_BIN/hostcheck-rules" "$D/rules" "$D/rules.cdb" 2>/dev/null
	MAILDIR=$md
	CONF=$D/pop3d.conf
	cat >"$CONF" <<CONF
LISTEN=127.0.0.1
PORT=$PORT
HOSTNAME=pop.test
CONCURRENCY=10
BINDIR=$POP3_BIN
RULES=$D/rules
USERS=$D/users
CHECKPW_OPTS="-v $D/users.cdb"
EXPOSER=maildirscan
POP3LOGIN_OPTS="-d 0"
LOG=$D/log
PIDFILE=$D/pop3d.pid
CONF
}

# The chain after the listener, for inetd-style tests.
chain_argv() {
	echo "$POP3_BIN/hostcheck $D/rules.cdb $POP3_BIN/pop3login -d 0 pop.test $POP3_BIN/checkpw -v $D/users.cdb $POP3_BIN/maildirscan $POP3_BIN/pop3d"
}

# xinetd_conf FILE BIND [FLAGS]: a private xinetd configuration serving
# chain_argv on BIND port $PORT, with FLAGS (e.g. IPv6) if given.
xinetd_conf() {
	cat >"$1" <<XI
defaults
{
	instances = 10
}
service pop3ops
{
	type        = UNLISTED
${3:+	flags       = $3
}	socket_type = stream
	protocol    = tcp
	wait        = no
	user        = root
	bind        = $2
	port        = $PORT
	server      = $POP3_BIN/hostcheck
	server_args = $(chain_argv | cut -d' ' -f2-)
	env         = PATH=$POP3_BIN:/usr/bin:/bin
}
XI
}

# The session every listener must give, byte for byte: log in, look,
# fetch message 2 (dot-stuffed), delete message 1, quit.
SESSION=("USER demo" "PASS secret" "STAT" "LIST" "RETR 2" "DELE 1" "QUIT")
SESSION_REPLY=$'+OK pop.test POP3 server ready\r
+OK send PASS\r
+OK 2 messages (104 octets)\r
+OK 2 104\r
+OK 2 messages (104 octets)\r
1 49\r
2 55\r
.\r
+OK 55 octets\r
From: b@example.org\r
Subject: two\r
\r
Hello two.\r
..dot\r
.\r
+OK message 1 deleted\r
+OK 1 message deleted\r'

# session_ok PORT: runs the session and checks the reply and that the
# deletion reached the Maildir.
session_ok() {
	run pop_talk "$1" "${SESSION[@]}"
	[ "$output" = "$SESSION_REPLY" ] || { echo "got: $output" | cat -A; grep -v "^tcpserver" "$D/log" 2>/dev/null | tail -n 8; return 1; }
	[ -z "$(ls "$MAILDIR/new")" ]
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
}

# make_cert DIR: a self-signed key+certificate PEM for pop.test.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/key.pem" -out "$1/cert.pem" -days 2 -subj /CN=pop.test \
		-addext subjectAltName=DNS:pop.test,IP:127.0.0.1 2>/dev/null
	cat "$1/key.pem" "$1/cert.pem" >"$1/tls.pem"
	chmod 600 "$1/tls.pem"
}

# wait_log PATTERN [FILE]: waits (at most 5 s) until a line of the log
# matches; a client that closes after the last +OK (curl, poplib) does
# not wait for the chain's final log lines.
wait_log() {
	local i
	for i in $(seq 1 100); do
		grep -q -- "$1" "${2:-$D/log}" && return 0
		sleep 0.05
	done
	echo "no line matching $1 in ${2:-$D/log}" >&2
	return 1
}

# ops_cleanup_users: make sure this run's users are gone, even when a
# process still runs under their uid (perhaps another suite's: uids are
# reused), which makes a plain userdel refuse.
ops_cleanup_users() {
	local u i
	for u in "$OPS_USER" "$OPS_MBOX_USER"; do
		for i in $(seq 1 20); do
			id "$u" >/dev/null 2>&1 || break
			userdel -f "$u" >/dev/null 2>&1
			sleep 0.05
		done
	done
}
