# tests/bench/peers.sh: sourced by tests/bench/run and the stress and
# fault drivers.  Finds or installs the peers (Dovecot, popa3d), makes the
# benchmark users, and starts each server on its own loopback port:
# Dovecot under its own master (its normal way of running), popa3d and
# the toolkit under tcpserver.  Every pid started is appended to
# $PEER_PIDS so that peers_stop stops exactly those.
#
# Needs: BENCH_DIR (a scratch directory), POP3_BIN (the toolkit's build).

: "${BENCH_DIR:?}"
: "${POP3_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}"
BENCH_PASS=${BENCH_PASS:-bench-pass-1}
PEER_PIDS=$BENCH_DIR/pids
POPA3D_ROOT=${POPA3D_ROOT:-$BENCH_DIR/popa3d-root}

# The same users for every server: system accounts (popa3d and checkpw
# read /etc/shadow) PREFIX1..PREFIX$BENCH_USERS, one password, hashed
# SHA-512 unless BENCH_HASH=yescrypt; Dovecot gets the very same hashes
# in its passwd-file.  BENCH_USER is the first.
BENCH_PREFIX=${BENCH_PREFIX:-popbench}
BENCH_USERS=${BENCH_USERS:-8}
BENCH_USER=${BENCH_PREFIX}1
bench_user() {
	local method=SHA512 i u
	[ "${BENCH_HASH:-sha512}" = yescrypt ] && method=YESCRYPT
	mkdir -p "$BENCH_DIR/home"
	for i in $(seq 1 "$BENCH_USERS"); do
		u=$BENCH_PREFIX$i
		id "$u" >/dev/null 2>&1 || useradd -M -d "$(bench_home "$u")" -s /bin/sh "$u"
		usermod -d "$(bench_home "$u")" "$u" >/dev/null 2>&1
		mkdir -p "$(bench_home "$u")"
		chown "$u:" "$(bench_home "$u")"
		echo "$u:$BENCH_PASS" | chpasswd -c "$method"
	done
	BENCH_UID=$(id -u "$BENCH_USER")
	BENCH_GID=$(id -g "$BENCH_USER")
}

# A home of its own per user (the first keeps $BENCH_DIR/home, where the
# stress and fault drivers put its mailboxes), for the exposers' caches.
bench_home() {
	if [ "$1" = "$BENCH_USER" ]; then
		echo "$BENCH_DIR/home"
	else
		echo "$BENCH_DIR/homes/$1"
	fi
}

# Removes the users bench_user made.
bench_user_remove() {
	local i
	for i in $(seq 1 "$BENCH_USERS"); do
		userdel "$BENCH_PREFIX$i" >/dev/null 2>&1 || true
	done
}

# dovecot_passwd FILE: Dovecot's passwd-file from /etc/shadow as it is now.
dovecot_passwd() {
	local i u
	for i in $(seq 1 "$BENCH_USERS"); do
		u=$BENCH_PREFIX$i
		printf '%s:{CRYPT}%s:%s:%s::%s\n' "$u" "$(getent shadow "$u" | cut -d: -f2)" \
			"$(id -u "$u")" "$(id -g "$u")" "$(bench_home "$u")"
	done >"$1.new"
	chmod 640 "$1.new"
	chgrp dovecot "$1.new"
	mv "$1.new" "$1"
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

# dovecot_start PORT TEMPLATE: TEMPLATE a file (mbox) or a dir/
# (Maildir), %u the user.  Indexes go to $BENCH_DIR/dovecot-PORT/index/
# USER, which dovecot_forget PORT removes (for a "first" STAT).
dovecot_start() {
	local port=$1 mailbox=$2 d=$BENCH_DIR/dovecot-$1 loc
	mkdir -p "$d/run" "$d/index"
	chmod 777 "$d/index"
	case $mailbox in
	*/) loc="maildir:${mailbox%/}:INDEX=$d/index/%u" ;;
	*) loc="mbox:$d/index/%u/mail:INBOX=$mailbox:INDEX=$d/index/%u" ;;
	esac
	dovecot_passwd "$d/passwd"
	{
		echo "protocols = pop3"
		echo "listen = 127.0.0.1"
		echo "base_dir = $d/run"
		echo "state_dir = $d/run"
		echo "log_path = $d/log"
		echo "ssl = no"
		echo "disable_plaintext_auth = no"
		echo "auth_mechanisms = plain"
		echo "mail_location = $loc"
		echo "mail_privileged_group = mail"
		echo "pop3_uidl_format = %08Xu%08Xv"
		echo "passdb {"
		echo "  driver = passwd-file"
		echo "  args = $d/passwd"
		echo "}"
		echo "userdb {"
		echo "  driver = passwd-file"
		echo "  args = $d/passwd"
		echo "}"
		echo "service pop3-login {"
		echo "  inet_listener pop3 {"
		echo "    address = 127.0.0.1"
		echo "    port = $port"
		echo "  }"
		echo "  inet_listener pop3s {"
		echo "    port = 0"
		echo "  }"
		echo "}"
		echo "service imap-login {"
		echo "  inet_listener imap {"
		echo "    port = 0"
		echo "  }"
		echo "  inet_listener imaps {"
		echo "    port = 0"
		echo "  }"
		echo "}"
	} >"$d/dovecot.conf"
	dovecot -F -c "$d/dovecot.conf" 2>>"$d/log" &
	DOVECOT_PID=$!
	echo "$DOVECOT_PID" >>"$PEER_PIDS"
	peer_wait_port "$port"
}

dovecot_forget() {
	rm -rf "$BENCH_DIR/dovecot-$1/index/"*
}

# Dovecot re-reads its passwd-file when it changes (after a rehash).
dovecot_rehash() {
	dovecot_passwd "$BENCH_DIR/dovecot-$1/passwd"
}

# popa3d_start PORT: serves /var/mail/USER (its compiled-in spool).
popa3d_start() {
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$1" \
		"$POPA3D_ROOT/usr/sbin/popa3d" 2>>"$BENCH_DIR/popa3d.log" &
	POPA3D_PID=$!
	echo "$POPA3D_PID" >>"$PEER_PIDS"
	peer_wait_port "$1"
}

# toolkit_start PORT TEMPLATE: the chain, checkpw given the mailbox
# template (%u the user); TOOLKIT_EXPOSER=maildirscan for Maildirs,
# TOOLKIT_EXPOSER_OPTS its options (the benchmark's caches);
# CHECKPW_OPTS checkpw's (e.g. -d '$6$' where hashes are SHA-512);
# TOOLKIT_CHAIN replaces everything after pop3login's host name;
# TOOLKIT_SESSION_BIN is where the exposer and pop3d come from (the glibc
# builds in $POP3_BIN/dyn, for an LD_PRELOAD shim).
toolkit_start() {
	local port=$1 mailbox=$2 sb=${TOOLKIT_SESSION_BIN:-$POP3_BIN}
	# shellcheck disable=SC2086
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$port" \
		"$POP3_BIN/pop3login" bench.localhost \
		${TOOLKIT_CHAIN:-"$POP3_BIN/checkpw" -g mail ${CHECKPW_OPTS:-} -m "$mailbox" "$sb/${TOOLKIT_EXPOSER:-mboxsplit}" ${TOOLKIT_EXPOSER_OPTS:-} "$sb/pop3d"} \
		2>>"$BENCH_DIR/toolkit.log" &
	TOOLKIT_PID=$!
	echo "$TOOLKIT_PID" >>"$PEER_PIDS"
	peer_wait_port "$port"
}

# Stops what these functions started, by pid.
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
