#!/usr/bin/env bats
# tests/deb/install.bats (make deb-check): the Debian package built by
# make deb, installed on this machine with apt, used, and purged.
#
# - every installed program is in /usr/bin and "man" finds its page;
#   the docs are in /usr/share/doc/pop3-toolkit;
# - the configuration files are conffiles and work: the rules compiled
#   by postinst, pop3ctl's check, the PAM service (checkpw -P), logrotate;
#   systemd-analyze verify accepts the units;
# - the units run as systemd would run them: the command lines are read
#   from the installed unit files (tests/deb/unit_exec.py), under
#   systemd-socket-activate --accept (systemd is not PID 1 here) for
#   pop3d.socket (IPv4 and IPv6) and pop3s.socket (pop3tls), and as
#   the service's own ExecStartPre and ExecStart for
#   pop3d-tcpserver.service; curl and fetchmail each read the mail of a
#   system user the test makes;
# - apt-get purge leaves none of the package's files, nor what postinst
#   made.
# The package must not be installed before: the test does not touch an
# installation it did not make.  Root only.
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
UNIT_EXEC=$BATS_TEST_DIRNAME/unit_exec.py
UNITS=/lib/systemd/system
SYSTEMD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PASSWORD='h18 deb secret'
S=$BATS_FILE_TMPDIR

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port HOST PORT: bounded wait until HOST:PORT accepts.
wait_port() {
	local i
	for i in $(seq 1 100); do
		python3 -c "import socket,sys; s=socket.create_connection(('$1',$2),0.2)" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "$1 port $2 never opened" >&2
	return 1
}

installed() {
	dpkg-query -W -f='${Status}' pop3-toolkit 2>/dev/null | grep -q 'ok installed'
}

setup_file() {
	[ "$(id -u)" = 0 ] || { echo "# root only" >&3; return 1; }
	local debs
	debs=$(ls "$POP3_DEB_DIR"/pop3-toolkit_*.deb)
	[ "$(echo "$debs" | wc -l)" = 1 ] || { echo "# want one package in $POP3_DEB_DIR: $debs" >&3; return 1; }
	if installed; then
		echo "# pop3-toolkit is installed already: not touching it" >&3
		return 1
	fi
	touch "$S/ours"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$debs" >"$S/apt.log" 2>&1 ||
		{ cat "$S/apt.log" >&3; return 1; }
	dpkg -L pop3-toolkit >"$S/files"
	dpkg-query -W -f='${Conffiles}\n' pop3-toolkit | awk 'NF { print $1 }' >"$S/conffiles"
	# The test's system user: a password, a home, an mbox in /var/mail.
	USER_NAME=h18deb$(tr -dc a-z0-9 </dev/urandom | head -c 6)
	echo "$USER_NAME" >"$S/user"
	HOMEDIR=$(mktemp -d /tmp/h18deb-home.XXXXXX)
	useradd -M -d "$HOMEDIR" -s /bin/sh "$USER_NAME"
	chown "$USER_NAME:" "$HOMEDIR"
	printf '%s:%s\n' "$USER_NAME" "$PASSWORD" | chpasswd
	export USER_NAME HOMEDIR
}

teardown_file() {
	local pid
	if [ -f "$S/pids" ]; then
		while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$S/pids"
		while read -r pid; do wait "$pid" 2>/dev/null || true; done <"$S/pids"
	fi
	if [ -f "$S/user" ]; then
		userdel -f "$(cat "$S/user")" >/dev/null 2>&1 || true
		rm -f "/var/mail/$(cat "$S/user")"
	fi
	[ -z "${HOMEDIR:-}" ] || rm -rf "$HOMEDIR"
	if [ -f "$S/ours" ] && installed; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y pop3-toolkit >/dev/null 2>&1 || true
	fi
}

# fill_mbox: the user's mailbox holds three messages.
fill_mbox() {
	local box=/var/mail/$USER_NAME i
	: >"$box"
	for i in 1 2 3; do
		printf 'From sender@example.org Thu Dec  3 06:00:0%d 2026\nFrom: sender@example.org\nSubject: deb message %d\nMessage-ID: <deb%d@test>\n\nThis is deb message %d.\n\n' \
			"$i" "$i" "$i" "$i" >>"$box"
	done
	chown "$USER_NAME:mail" "$box"
	chmod 660 "$box"
}

# start_socket_unit SERVICE LISTEN [NAME=VALUE...]: SERVICE's ExecStart,
# with the environment its unit gives (and the test's NAME=VALUE), for
# each connection to LISTEN, as systemd does for an Accept=yes socket.
start_socket_unit() {
	local service=$1 listen=$2 line
	shift 2
	local -a argv envs=()
	mapfile -t argv < <("$UNIT_EXEC" argv "$UNITS/$service" ExecStart "$@")
	[ "${#argv[@]}" -gt 5 ]
	while IFS= read -r line; do envs+=(-E "$line"); done < <("$UNIT_EXEC" env "$UNITS/$service" "$@")
	printf '%s\n' "${argv[*]}" >>"$S/commands"
	systemd-socket-activate -l "$listen" --accept --inetd "${envs[@]}" "${argv[@]}" \
		2>>"$S/log" 3>&- 4>&- 5>&- &
	echo $! >>"$S/pids"
}

# A private limits directory (pop3login(8), POP3_LIMIT_DIR): other
# suites on this machine count in /run/pop3-toolkit.
LIMITS="POP3_LIMIT_DIR=$BATS_FILE_TMPDIR/limits"

LIST_REPLY=$'1 101\r\n2 101\r\n3 101\r\n'

# curl_session URL [CURL OPTION...]: lists the mailbox and fetches message 2.
curl_session() {
	local url=$1
	shift
	run curl -sS --max-time 20 "$@" "$url/"
	[ "$status" -eq 0 ] || { echo "curl: $output"; tail -n 5 "$S/log"; return 1; }
	[ "$output" = "${LIST_REPLY%$'\n'}" ] || { echo "list: $output" | cat -A; return 1; }
	run curl -sS --max-time 20 "$@" "$url/2"
	[ "$status" -eq 0 ]
	[[ $output == *$'Subject: deb message 2\r\n'* ]]
	[[ $output == *'This is deb message 2.'* ]]
}

# fetchmail_session HOST PORT [ssl]: fetchmail takes the three messages
# (and deletes them, its default), handing each to an MDA file.
fetchmail_session() {
	local host=$1 port=$2 ssl=${3:-} rc=$S/fetchmailrc out=$S/fetched
	rm -f "$out"
	{
		printf 'set no syslog\n'
		printf 'poll "%s" protocol pop3 port %s timeout 20\n' "$host" "$port"
		printf '  user "%s" there with password "%s" is root here\n' "$USER_NAME" "$PASSWORD"
		printf '  mda "cat >>%s"\n' "$out"
		# Without TLS, no STLS: fetchmail tries it whenever it may.
		if [ -n "$ssl" ]; then printf '  ssl no sslcertck\n'; else printf "  sslproto ''\n"; fi
	} >"$rc"
	chmod 600 "$rc"
	HOME=$S timeout 60 fetchmail -f "$rc" --nosyslog >"$S/fetchmail.log" 2>&1 ||
		{ cat "$S/fetchmail.log"; tail -n 5 "$S/log"; return 1; }
	[ "$(grep -c '^Subject: deb message' "$out")" = 3 ]
	grep -q '3 messages for' "$S/fetchmail.log"
	# fetchmail's deletions were written back to the mbox.
	[ ! -s "/var/mail/$USER_NAME" ]
}

@test "deb: the programs are in /usr/bin and man finds the page of each" {
	for p in hostcheck hostcheck-rules mpopd2hostcheck pop3login checkpw vusers-make \
		mboxsplit maildirscan pop3d pop3ctl pop3stats pop3trace; do
		grep -qx "/usr/bin/$p" "$S/files" || { echo "not installed: $p"; false; }
	done
	n=0
	for p in $(grep '^/usr/bin/' "$S/files"); do
		[ -x "$p" ]
		page=$(man -w "$(basename "$p")") || { echo "man finds no page for $p"; false; }
		grep -qxF "$page" "$S/files" || { echo "$p: $page is not the package's"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 12 ]
	man -w 7 pop3-toolkit
	for f in "$TOP"/doc/*.md "$TOP"/README.md; do
		d=/usr/share/doc/pop3-toolkit/$(basename "$f")
		[ -f "$d" ] || [ -f "$d.gz" ] || { echo "not installed: $d"; false; }
	done
	# pop3ctl finds its pieces where they were installed.
	run pop3ctl -V
	[ "$output" = "pop3ctl 1" ]
}

@test "deb: the configuration files are conffiles, and each works" {
	for f in /etc/pop3d /etc/pop3d.rules /etc/default/pop3-toolkit /etc/pam.d/pop3 \
		/etc/logrotate.d/pop3-toolkit /etc/fail2ban/filter.d/pop3-toolkit.conf \
		/etc/fail2ban/jail.d/pop3-toolkit.conf; do
		grep -qx "$f" "$S/conffiles" || { echo "not a conffile: $f"; false; }
	done
	# The units as systemd reads them: known keys, executable programs.
	run systemd-analyze verify $UNITS/pop3d.socket $UNITS/pop3d@test.service \
		$UNITS/pop3s.socket $UNITS/pop3s@test.service $UNITS/pop3d-tcpserver.service
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; false; }
	# postinst compiled the rules the socket units read.
	hostcheck -c /etc/pop3d.rules.cdb
	run pop3ctl -f /etc/pop3d check
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "/usr/bin/tcpserver "*" /usr/bin/pop3login "*" /usr/bin/checkpw -g mail /usr/bin/mboxsplit /usr/bin/pop3d" ]]
	logrotate -d /etc/logrotate.d/pop3-toolkit
	# checkpw -P asks /etc/pam.d/pop3: the right password runs the next
	# program as the user, a wrong one is refused (exit 1).
	run bash -c 'printf "%s\0%s\0\0" "$1" "$2" | checkpw -P /usr/bin/id -un 3<&0' _ "$USER_NAME" "$PASSWORD"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$USER_NAME" ]
	run bash -c 'printf "%s\0%s\0\0" "$1" "not it" | checkpw -P /usr/bin/id -un 3<&0' _ "$USER_NAME"
	[ "$status" -eq 1 ]
	[[ $output == *"user=$USER_NAME ip=- backend=pam result=refuse"* ]]
}

@test "deb: pop3d.socket's service serves curl and fetchmail, on IPv4 and IPv6" {
	grep -qx 'ListenStream=110' "$UNITS/pop3d.socket"
	grep -qx 'Accept=yes' "$UNITS/pop3d.socket"
	grep -qx 'StandardInput=socket' "$UNITS/pop3d@.service"
	port=$(free_port)
	port6=$(free_port)
	start_socket_unit pop3d@.service "127.0.0.1:$port" "$LIMITS"
	start_socket_unit pop3d@.service "[::1]:$port6" "$LIMITS"
	wait_port 127.0.0.1 "$port"
	wait_port ::1 "$port6"
	fill_mbox
	curl_session "pop3://$USER_NAME:${PASSWORD// /%20}@127.0.0.1:$port"
	fetchmail_session 127.0.0.1 "$port"
	fill_mbox
	curl_session "pop3://$USER_NAME:${PASSWORD// /%20}@[::1]:$port6" -g
	fetchmail_session ::1 "$port6"
	grep -q "^pop3login: login user=$USER_NAME ip=127.0.0.1 method=[a-z]* tls=no result=ok" "$S/log"
	grep -q "^pop3login: login user=$USER_NAME ip=::1 method=[a-z]* tls=no result=ok" "$S/log"
	# The greeting names this host (%H), the unit's default.
	run curl -sS --max-time 10 -v "pop3://127.0.0.1:$port/" -u "x:y"
	[[ $output == *"+OK $(hostname) POP3 server ready"* ]]
}

@test "deb: pop3s.socket's service (pop3tls) serves TLS 1.3 to openssl, curl and fetchmail" {
	grep -qx 'ListenStream=995' "$UNITS/pop3s.socket"
	grep -qx 'Accept=yes' "$UNITS/pop3s.socket"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$S/key.pem" -out "$S/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
	cat "$S/key.pem" "$S/cert.pem" >"$S/tls.pem"
	chmod 600 "$S/tls.pem"
	port=$(free_port)
	# the unit's own default link, with the test's certificate
	grep -q '"POP3S_TLS=/usr/bin/pop3tls -f /etc/pop3d.pem"' "$UNITS/pop3s@.service"
	start_socket_unit pop3s@.service "127.0.0.1:$port" "$LIMITS" \
		"POP3S_TLS=/usr/bin/pop3tls -f $S/tls.pem"
	wait_port 127.0.0.1 "$port"
	grep -q "/usr/bin/hostcheck /etc/pop3d.rules.cdb /usr/bin/pop3tls -f $S/tls.pem /usr/bin/pop3login -S " "$S/commands"
	run sh -c "printf 'QUIT\r\n' | timeout 10 openssl s_client -tls1_3 -connect 127.0.0.1:$port 2>&1"
	[[ $output == *"TLSv1.3"* ]]
	fill_mbox
	curl_session "pop3s://$USER_NAME:${PASSWORD// /%20}@127.0.0.1:$port" -k
	fetchmail_session 127.0.0.1 "$port" ssl
	grep -q "^pop3login: login user=$USER_NAME ip=127.0.0.1 method=[a-z]* tls=yes result=ok" "$S/log"
}

@test "deb: pop3d-tcpserver.service runs its ExecStartPre and ExecStart (tcpserver, Accept=no)" {
	port=$(free_port)
	# The site's settings, in the installed /etc/pop3d (a conffile, which
	# the purge below removes with its changes).
	printf 'LISTEN=127.0.0.1\nPORT=%s\nPOP3LOGIN_OPTS="-d 0"\n' "$port" >>/etc/pop3d
	service=$UNITS/pop3d-tcpserver.service
	mapfile -t pre < <("$UNIT_EXEC" argv "$service" ExecStartPre)
	mapfile -t argv < <("$UNIT_EXEC" argv "$service" ExecStart)
	[ "${argv[*]}" = "/usr/bin/pop3ctl -f /etc/pop3d run" ]
	env -i PATH=$SYSTEMD_PATH POP3_LIMIT_DIR="$S/limits" "${pre[@]}"
	env -i PATH=$SYSTEMD_PATH POP3_LIMIT_DIR="$S/limits" "${argv[@]}" \
		</dev/null >/dev/null 2>>"$S/log" 3>&- 4>&- 5>&- &
	echo $! >>"$S/pids"
	wait_port 127.0.0.1 "$port"
	fill_mbox
	curl_session "pop3://$USER_NAME:${PASSWORD// /%20}@127.0.0.1:$port"
	fetchmail_session 127.0.0.1 "$port"
}

@test "deb: apt-get purge leaves nothing of the package behind" {
	# Stop the servers first: nothing may hold the package's files.
	while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$S/pids"
	while read -r pid; do wait "$pid" 2>/dev/null || true; done <"$S/pids"
	rm -f "$S/pids"
	DEBIAN_FRONTEND=noninteractive apt-get purge -y pop3-toolkit >"$S/purge.log" 2>&1 ||
		{ cat "$S/purge.log"; false; }
	! installed
	left=
	while read -r f; do
		[ -d "$f" ] && continue   # directories (and /lib, a link to one) shared with others
		if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
	done <"$S/files"
	for f in /usr/share/doc/pop3-toolkit /usr/share/pop3-toolkit /usr/libexec/pop3-toolkit \
		/etc/pop3d /etc/pop3d.rules /etc/pop3d.rules.cdb /etc/default/pop3-toolkit \
		/etc/pam.d/pop3 /var/log/pop3d.log; do
		if [ -e "$f" ]; then left="$left $f"; fi
	done
	run find /etc/systemd /var/lib/systemd -name 'pop3d*' -o -name 'pop3s*'
	left="$left $output"
	echo "left behind:$left"
	[ -z "${left// /}" ]
	run dpkg-query -W -f='${Status}' pop3-toolkit
	[ "$status" -ne 0 ] || [[ $output == *not-installed* ]]
}
