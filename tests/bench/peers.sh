# tests/bench/peers.sh: sourced by tests/bench/run and the stress and
# fault drivers.  Finds or installs the peers (Dovecot, popa3d), makes the
# benchmark user, and starts each server on its own loopback port:
# Dovecot under its own master (its normal way of running), popa3d and
# the toolkit under tcpserver.  Every pid started is appended to
# $PEER_PIDS so that peers_stop stops exactly those.
#
# Needs: BENCH_DIR (a scratch directory), POP3_BIN (the toolkit's build).

: "${BENCH_DIR:?}"
: "${POP3_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}"
BENCH_USER=${BENCH_USER:-popbench}
BENCH_PASS=${BENCH_PASS:-bench-pass-1}
PEER_PIDS=$BENCH_DIR/pids
POPA3D_ROOT=${POPA3D_ROOT:-$BENCH_DIR/popa3d-root}

# The same user for every server: a system account (popa3d and checkpw
# read /etc/shadow), hash SHA-512 unless BENCH_HASH=yescrypt; Dovecot gets
# the very same hash in its passwd-file.
bench_user() {
	local method=SHA512
	[ "${BENCH_HASH:-sha512}" = yescrypt ] && method=YESCRYPT
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		useradd -M -d "$BENCH_DIR/home" -s /bin/sh "$BENCH_USER"
	fi
	mkdir -p "$BENCH_DIR/home"
	chown "$BENCH_USER:" "$BENCH_DIR/home"
	echo "$BENCH_USER:$BENCH_PASS" | chpasswd -c "$method"
	BENCH_HASHED=$(getent shadow "$BENCH_USER" | cut -d: -f2)
	BENCH_UID=$(id -u "$BENCH_USER")
	BENCH_GID=$(id -g "$BENCH_USER")
}

# Dovecot and popa3d from Debian.  popa3d conflicts with dovecot-pop3d
# (both provide pop3-server), so it is unpacked beside it, not installed.
peers_install() {
	if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/pop3 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-core dovecot-pop3d >&2
	fi
	if [ ! -x "$POPA3D_ROOT/usr/sbin/popa3d" ]; then
		mkdir -p "$POPA3D_ROOT"
		(cd "$BENCH_DIR" && apt-get download popa3d >&2) &&
			dpkg-deb -x "$BENCH_DIR"/popa3d_*.deb "$POPA3D_ROOT"
	fi
	# popa3d drops to its own user in an empty chroot and asks PAM
	# for service "popa3d"
	id popa3d >/dev/null 2>&1 || useradd -r -M -d /var/lib/popa3d -s /usr/sbin/nologin popa3d
	mkdir -p /var/lib/popa3d
	[ -f /etc/pam.d/popa3d ] || cp "$POPA3D_ROOT/etc/pam.d/popa3d" /etc/pam.d/popa3d
}

peer_wait_port() {
	local i
	for i in $(seq 1 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "peers: port $1 never opened" >&2
	return 1
}

# dovecot_start PORT MAILBOX: MAILBOX a file (mbox) or a dir/ (Maildir).
dovecot_start() {
	local port=$1 mailbox=$2 d=$BENCH_DIR/dovecot-$1 loc
	mkdir -p "$d/run" "$d/index"
	chown "$BENCH_USER:" "$d/index"
	case $mailbox in
	*/) loc="maildir:${mailbox%/}:INDEX=$d/index" ;;
	*) loc="mbox:$d/index/mail:INBOX=$mailbox:INDEX=$d/index" ;;
	esac
	printf '%s:%s\n' "$BENCH_USER" "{CRYPT}$BENCH_HASHED" >"$d/passwd"
	chmod 640 "$d/passwd"
	chgrp dovecot "$d/passwd"
	cat >"$d/dovecot.conf" <<EOF
protocols = pop3
listen = 127.0.0.1
base_dir = $d/run
state_dir = $d/run
log_path = $d/log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = $loc
mail_privileged_group = mail
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = static
  args = uid=$BENCH_UID gid=$BENCH_GID home=$BENCH_DIR/home
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
	dovecot -F -c "$d/dovecot.conf" 2>>"$d/log" &
	echo $! >>"$PEER_PIDS"
	peer_wait_port "$port"
}

# popa3d_start PORT: serves /var/mail/$BENCH_USER (its compiled-in spool).
popa3d_start() {
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$1" \
		"$POPA3D_ROOT/usr/sbin/popa3d" 2>>"$BENCH_DIR/popa3d.log" &
	echo $! >>"$PEER_PIDS"
	peer_wait_port "$1"
}

# toolkit_start PORT MAILBOX: the chain, checkpw told the mailbox path.
# TOOLKIT_CHAIN overrides the part after pop3login (for the fault drivers).
toolkit_start() {
	local port=$1 mailbox=$2
	# shellcheck disable=SC2086
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$port" \
		"$POP3_BIN/pop3login" bench.localhost \
		${TOOLKIT_CHAIN:-"$POP3_BIN/checkpw" -g mail -m "$mailbox" "$POP3_BIN/mboxsplit" "$POP3_BIN/pop3d"} \
		2>>"$BENCH_DIR/toolkit.log" &
	echo $! >>"$PEER_PIDS"
	peer_wait_port "$port"
}

# Stops what these functions started, by pid, and their sessions.
peers_stop() {
	local pid
	[ -f "$PEER_PIDS" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$PEER_PIDS"
	while read -r pid; do
		wait "$pid" 2>/dev/null || true
	done <"$PEER_PIDS"
	rm -f "$PEER_PIDS"
}
