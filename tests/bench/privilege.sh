#!/bin/bash
# tests/bench/privilege.sh: who holds what during a real POP3 session.
#
# Starts sessions on 127.0.0.1 against four servers and, while a client
# sits at the greeting and then holds the session logged in, reads
# /proc/PID/status of every process of the session.  For each it prints
# a Markdown table, one row per process:
#
#   process      the program, and for same-named ones its role by parent
#                (pop3login parent or dialogue child, mboxsplit worker or
#                spool helper, popa3d's first process or its child);
#                Dovecot's rows carry the process title
#   parent       the name of its parent process
#   Uid, Gid     real/effective/saved (the filesystem id is left out)
#   Groups       the supplementary groups
#   CapEff, NoNewPrivs, Seccomp   as /proc/PID/status shows them
#   root         readlink /proc/PID/root (a chroot shows here)
#   other mbox   can the process's exact credentials (real uid, effective
#                gid, its groups) read another user's /var/mail/OTHER?
#                setpriv --reuid --regid --groups cat, "yes" or "no"
#   any id       the same with any uid and any gid it holds as real,
#                effective or saved (which it may switch back to)
#
# The credentials columns model the kernel's permission check only: a
# uid of 0 keeps root's capabilities under setpriv, as it would in the
# process; the seccomp filter a process runs under is not applied.
#
# The four:
#   toolkit, mbox     tcpserver pop3login checkpw -s -g mail -M '' mboxsplit pop3d
#   toolkit, Maildir  tcpserver pop3login checkpw -s -g mail -m HOME/Maildir/ maildirscan pop3d
#   popa3d            Debian's binary, unpacked (apt-get download, dpkg -x;
#                     it conflicts with dovecot-pop3d), inetd mode under tcpserver
#   Dovecot           dovecot-pop3d (installed if missing) under a master of
#                     this script's own, a minimal config in a scratch dir:
#                     shadow passdb, passwd userdb,
#                     mail_location = mbox:~/mail:INBOX=/var/mail/%u,
#                     mail_privileged_group = mail
#
# Run as root, from the top of the tree after make:
#   sh tests/bench/privilege.sh      (or bash tests/bench/privilege.sh)
# B or POP3_BIN point at another build dir; POPA3D_DEB at a popa3d .deb
# to use instead of downloading one.  It makes the users privtab1
# and privtab2 (refusing to run if they exist), their /var/mail files
# (0660 USER:mail, in Debian's 2775 root:mail /var/mail), and for popa3d
# the user popa3d, /var/lib/popa3d and /etc/pam.d/popa3d when missing;
# everything it made and every process it started (by pid) goes at exit.
# Servers listen on free loopback ports only.
#
# Not in tests/bench/run: that is `make bench`, which times the servers
# and writes results.md; this times nothing, needs the peers (Dovecot
# installed, the popa3d package downloaded) and makes system users, so
# it is run by hand, not by default.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
POP3_BIN=${POP3_BIN:-$B}
say() { echo "privilege: $*" >&2; }

[ "$(id -u)" = 0 ] || { say "run as root"; exit 2; }
for prog in pop3login checkpw mboxsplit maildirscan pop3d; do
	[ -x "$POP3_BIN/$prog" ] || { say "missing $POP3_BIN/$prog (make first)"; exit 2; }
done
for prog in tcpserver setpriv python3 openssl; do
	command -v "$prog" >/dev/null || { say "needs $prog"; exit 2; }
done
[ "$(stat -c %G /var/mail)" = mail ] || { say "/var/mail is not group mail"; exit 2; }
U=privtab1
OTHER=privtab2
PASS=privtab-pass-1
for u in $U $OTHER; do
	id "$u" >/dev/null 2>&1 && { say "user $u exists already; not touching it"; exit 2; }
done

WORK=$(mktemp -d /tmp/privtable.XXXXXX) || exit 2
chmod 711 "$WORK"
export PATH="$POP3_BIN:$PATH"
export POP3_LIMIT_DIR=$WORK/limits
SERVERS=$WORK/server.pids   # every server started, by pid
CLIENTS=$WORK/client.pids
: >"$SERVERS"
: >"$CLIENTS"
MADE_USERS=
MADE_POPA3D_USER=
MADE_POPA3D_DIR=
MADE_POPA3D_PAM=

stop_pids() {  # stop_pids FILE: TERM each, then wait (bounded) and KILL
	local f=$1 pid i
	[ -s "$f" ] || return 0
	while read -r pid; do kill "$pid" 2>/dev/null; done <"$f"
	for i in $(seq 1 100); do
		local alive=
		while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$f"
		[ -z "$alive" ] && break
		sleep 0.05
	done
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done <"$f"
	: >"$f"
}

cleanup() {
	touch "$WORK/go" 2>/dev/null
	sleep 0.2
	stop_pids "$CLIENTS"
	stop_pids "$SERVERS"
	local u
	for u in $MADE_USERS; do
		rm -f "/var/mail/$u" "/var/mail/$u.lock"
		userdel -f "$u" >/dev/null 2>&1
	done
	[ -n "$MADE_POPA3D_USER" ] && userdel -f popa3d >/dev/null 2>&1
	[ -n "$MADE_POPA3D_DIR" ] && rmdir /var/lib/popa3d 2>/dev/null
	[ -n "$MADE_POPA3D_PAM" ] && rm -f /etc/pam.d/popa3d
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
	local i
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
		sleep 0.1
	done
	say "port $1 never opened"
	return 1
}

# ---- users and mailboxes ------------------------------------------
mbox() {  # mbox PATH N: N small messages, as a delivery agent writes them
	local i
	: >"$1"
	for i in $(seq 1 "$2"); do
		printf 'From sender@example.org Thu Nov 26 06:00:%02d 2026\nFrom: sender@example.org\nSubject: message %d\n\nThis is message %d.\n\n' \
			"$i" "$i" "$i" >>"$1"
	done
}
hash=$(openssl passwd -6 -salt privtab "$PASS")
for u in $U $OTHER; do
	useradd -M -d "$WORK/home-$u" -s /bin/sh "$u" || exit 1
	MADE_USERS="$MADE_USERS $u"
	usermod -p "$hash" "$u"
	mkdir -p "$WORK/home-$u"
	chown "$u:" "$WORK/home-$u"
	mbox "/var/mail/$u" 3
	chown "$u:mail" "/var/mail/$u"
	chmod 660 "/var/mail/$u"
done
md=$WORK/home-$U/Maildir
mkdir -p "$md/cur" "$md/new" "$md/tmp"
printf 'From: sender@example.org\nSubject: one\n\nbody\n' >"$md/new/1700000000.1.privtab"
chown -R "$U:" "$md"

# ---- the client ---------------------------------------------------
# client.py MODE PORT: MODE greet reads the greeting, login also logs in
# as $U; then it creates $WORK/in, waits for $WORK/go (at most 30 s),
# and ends with QUIT.
cat >"$WORK/client.py" <<'PY'
import os, poplib, sys, time
mode, port, user, password, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
p = poplib.POP3("127.0.0.1", port, timeout=30)
if mode == "login":
    p.user(user)
    p.pass_(password)
    print("stat", p.stat()[0])
open(work + "/in", "w").close()
for _ in range(600):
    if os.path.exists(work + "/go"):
        break
    time.sleep(0.05)
print(p.quit().decode()[:3])
PY

hold() {  # hold MODE PORT: a client at the greeting or logged in
	rm -f "$WORK/in" "$WORK/go"
	python3 "$WORK/client.py" "$1" "$2" "$U" "$PASS" "$WORK" >"$WORK/client.out" 2>&1 &
	CLIENT=$!
	echo "$CLIENT" >>"$CLIENTS"
	local i
	for i in $(seq 1 200); do
		[ -e "$WORK/in" ] && { sleep 0.3; return 0; }   # let the server settle
		kill -0 "$CLIENT" 2>/dev/null || break
		sleep 0.05
	done
	say "the $1 client never got there: $(cat "$WORK/client.out")"
	return 1
}
release() {
	touch "$WORK/go"
	local i
	for i in $(seq 1 200); do
		kill -0 "$CLIENT" 2>/dev/null || break
		sleep 0.05
	done
	kill "$CLIENT" 2>/dev/null
	wait "$CLIENT" 2>/dev/null
	grep -q '^+OK' "$WORK/client.out" || say "client: $(tr '\n' ' ' <"$WORK/client.out")"
}

# ---- reading /proc ------------------------------------------------
# descendants PID: its descendants, parents before children
descendants() {
	local d pp
	declare -A kids=()
	for d in /proc/[0-9]*; do
		pp=$(awk '$1 == "PPid:" { print $2; exit }' "$d/status" 2>/dev/null) || continue
		[ -n "$pp" ] && kids[$pp]="${kids[$pp]:-} ${d#/proc/}"
	done
	walk() {
		local c
		for c in ${kids[$1]:-}; do
			echo "$c"
			walk "$c"
		done
	}
	walk "$1"
}

declare -A UNAME=() GNAME=()
uname_of() {
	[ -n "${UNAME[$1]:-}" ] || UNAME[$1]=$(getent passwd "$1" | cut -d: -f1)
	echo "${UNAME[$1]:-$1}"
}
gname_of() {
	[ -n "${GNAME[$1]:-}" ] || GNAME[$1]=$(getent group "$1" | cut -d: -f1)
	echo "${GNAME[$1]:-$1}"
}
names() {  # names u|g ID...: the names, joined by /
	local kind=$1 out='' id
	shift
	for id in "$@"; do
		if [ "$kind" = u ]; then out="$out/$(uname_of "$id")"; else out="$out/$(gname_of "$id")"; fi
	done
	echo "${out#/}"
}

opens() {  # opens UID GID GROUPS(comma list, may be empty)
	local g=--clear-groups
	[ -n "$3" ] && g=--groups=$3
	setpriv --reuid="$1" --regid="$2" "$g" cat "/var/mail/$OTHER" >/dev/null 2>&1 && echo yes || echo no
}

header() {
	echo "| process | parent | Uid r/e/s | Gid r/e/s | Groups | CapEff | NoNewPrivs | Seccomp | root | other mbox | any id |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
}

row() {  # row PID ROLE
	local pid=$1 role=$2 st uid gid groups cap nnp sec root gl grp o any u g
	st=$(cat "/proc/$pid/status" 2>/dev/null) || return 0
	f() { echo "$st" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ +/, ""); print; exit }'; }
	read -r -a uid <<<"$(f Uid)"
	read -r -a gid <<<"$(f Gid)"
	groups=$(f Groups)
	cap=$(f CapEff)
	nnp=$(f NoNewPrivs)
	sec=$(f Seccomp)
	root=$(readlink "/proc/$pid/root" 2>/dev/null)
	gl=$(echo "$groups" | tr -s ' ' ',' | sed 's/^,//; s/,$//')
	grp=-
	# shellcheck disable=SC2086  # one word per group
	[ -n "$gl" ] && grp=$(names g ${gl//,/ } | tr / ,)
	o=$(opens "${uid[0]}" "${gid[1]}" "$gl")
	any=no
	for u in $(printf '%s\n' "${uid[@]:0:3}" | sort -u); do
		for g in $(printf '%s\n' "${gid[@]:0:3}" | sort -u); do
			[ "$(opens "$u" "$g" "$gl")" = yes ] && any=yes
		done
	done
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${role//|/\\|}" \
		"$(comm_of "$(ppid_of "$pid")")" \
		"$(names u "${uid[@]:0:3}")" "$(names g "${gid[@]:0:3}")" "$grp" \
		"$cap" "$nnp" "$sec" "${root//|/\\|}" "$o" "$any"
}

comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
ppid_of() { awk '$1 == "PPid:" { print $2; exit }' "/proc/$1/status" 2>/dev/null; }

# role_tree PID: by program, and for a program that forked itself, by
# which one is the parent
role_tree() {
	local p c pc
	for p in $(descendants "$1"); do
		c=$(comm_of "$p")
		[ -n "$c" ] || continue
		pc=$(comm_of "$(ppid_of "$p")")
		case $c/$pc in
		pop3login/pop3login) row "$p" "pop3login (dialogue child)" ;;
		pop3login/*) row "$p" "pop3login (root parent)" ;;
		mboxsplit/mboxsplit) row "$p" "mboxsplit (spool helper)" ;;
		mboxsplit/*) row "$p" "mboxsplit (worker)" ;;
		popa3d/popa3d) row "$p" "popa3d (its forked child)" ;;
		popa3d/*) row "$p" "popa3d (tcpserver's child)" ;;
		*) row "$p" "$c" ;;
		esac
	done
}

# dovecot_tree MASTER: the master and all it started, by process title
dovecot_tree() {
	local p t
	for p in "$1" $(descendants "$1"); do
		t=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed 's/ *$//')
		[ -n "$t" ] || continue
		case $t in *"dovecot -F -c "*) t="dovecot (master)" ;; esac
		row "$p" "$t"
	done
}

# measure TITLE MODE PORT TREEFN ROOTPID
measure() {
	echo
	echo "#### $1"
	echo
	if hold "$2" "$3"; then
		header
		"$4" "$5"
	else
		echo "(no session)"
	fi
	release
}

# ---- 1. toolkit, mbox ---------------------------------------------
start_tcpserver() {  # start_tcpserver PORT PROG ARGS...
	local port=$1
	shift
	tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$port" "$@" 2>>"$WORK/server.log" &
	SERVER=$!
	echo "$SERVER" >>"$SERVERS"
	wait_port "$port"
}

echo "# Process credentials during a POP3 session"
echo
echo "Read from /proc/PID/status while a client sat at the greeting or held the"
echo "session logged in as $U; \"other mbox\": whether the process's uid, effective"
echo "gid and groups can read /var/mail/$OTHER (0660 $OTHER:mail); \"any id\": the"
echo "same with any of its real/effective/saved uids and gids."

echo
echo "## 1. toolkit, mbox: pop3login -d 0 mail.test checkpw -s -g mail -M '' mboxsplit pop3d"
port=$(free_port)
if start_tcpserver "$port" pop3login -d 0 mail.test checkpw -s -g mail -M '' mboxsplit pop3d; then
	measure "at the greeting (pre-auth)" greet "$port" role_tree "$SERVER"
	measure "logged in" login "$port" role_tree "$SERVER"
fi
stop_pids "$SERVERS"

# ---- 2. toolkit, Maildir ------------------------------------------
echo
echo "## 2. toolkit, Maildir: pop3login -d 0 mail.test checkpw -s -g mail -m HOME/Maildir/ maildirscan pop3d"
port=$(free_port)
if start_tcpserver "$port" pop3login -d 0 mail.test checkpw -s -g mail -m "$md/" maildirscan pop3d; then
	measure "logged in" login "$port" role_tree "$SERVER"
fi
stop_pids "$SERVERS"

# ---- 3. popa3d ----------------------------------------------------
echo
echo "## 3. popa3d (Debian package, inetd mode under tcpserver)"
POPA3D=$WORK/popa3d/usr/sbin/popa3d
# POPA3D_DEB: a popa3d .deb already at hand, instead of apt-get download
deb=${POPA3D_DEB:-}
if [ -z "$deb" ] && (cd "$WORK" && apt-get download popa3d >/dev/null 2>&1); then
	deb=$(echo "$WORK"/popa3d_*.deb)
fi
if [ -n "$deb" ] && dpkg-deb -x "$deb" "$WORK/popa3d"; then
	# it drops to its own user in an empty chroot, and asks PAM
	# (service popa3d) for the password
	if ! id popa3d >/dev/null 2>&1; then
		useradd -r -M -d /var/lib/popa3d -s /usr/sbin/nologin popa3d && MADE_POPA3D_USER=1
	fi
	if [ ! -d /var/lib/popa3d ]; then
		mkdir /var/lib/popa3d && MADE_POPA3D_DIR=1
	fi
	if [ ! -e /etc/pam.d/popa3d ]; then
		cp "$WORK/popa3d/etc/pam.d/popa3d" /etc/pam.d/popa3d && MADE_POPA3D_PAM=1
	fi
	echo
	"$POPA3D" -V 2>&1 | head -n 1
	port=$(free_port)
	if start_tcpserver "$port" "$POPA3D"; then
		measure "at the greeting (pre-auth)" greet "$port" role_tree "$SERVER"
		measure "logged in" login "$port" role_tree "$SERVER"
	fi
	stop_pids "$SERVERS"
else
	echo
	echo "(popa3d could not be downloaded)"
fi

# ---- 4. Dovecot ---------------------------------------------------
echo
echo "## 4. Dovecot (dovecot-pop3d; shadow passdb, mbox:~/mail:INBOX=/var/mail/%u, mail_privileged_group = mail)"
if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/pop3 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-pop3d >&2
fi
if command -v dovecot >/dev/null 2>&1; then
	d=$WORK/dovecot
	mkdir -p "$d/run" "$d/state"
	port=$(free_port)
	cat >"$d/dovecot.conf" <<EOF
protocols = pop3
listen = 127.0.0.1
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
verbose_proctitle = yes
mail_location = mbox:~/mail:INBOX=/var/mail/%u
mail_privileged_group = mail
passdb {
  driver = shadow
}
userdb {
  driver = passwd
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
EOF
	echo
	echo "Dovecot $(dovecot --version)"
	dovecot -F -c "$d/dovecot.conf" 2>>"$d/log" &
	DOVECOT=$!
	echo "$DOVECOT" >>"$SERVERS"
	if wait_port "$port"; then
		measure "at the greeting (pre-auth)" greet "$port" dovecot_tree "$DOVECOT"
		measure "logged in" login "$port" dovecot_tree "$DOVECOT"
	else
		sed 's/^/dovecot log: /' "$d/log" >&2
	fi
	stop_pids "$SERVERS"
else
	echo
	echo "(Dovecot is not installed)"
fi
