#!/usr/bin/env bats
# TLS 1.3 through pop3tls, set up by pop3ctl (TLS_LINK=pop3tls): POP3S
# and STLS checked with openssl s_client -tls1_3, curl and python3
# poplib; a certificate replaced on disk serves the next connection
# while an open session goes on; the running TLS process read from
# /proc (not root, no new privileges, seccomp); the handshake timeout,
# the STARTTLS injection and a bad key file.

load helpers
load ops_helpers

setup() {
	have_chain
	[ -x "$POP3_BIN/pop3tls" ] || skip "pop3tls not built"
	chain_setup
	make_cert "$D"
	printf 'TLS_LINK=pop3tls\nTLS_CERT=%s\nTLS_OPTS="-T 2"\n' "$D/tls.pem" >>"$CONF"
}

teardown() {
	[ -z "${CONF:-}" ] || "$POP3CTL" -f "$CONF" stop >/dev/null 2>&1 || true
	stop_started
	remove_users
	ops_cleanup_users
}

start_mode() {
	echo "TLS=$1" >>"$CONF"
	run "$POP3CTL" -f "$CONF" start
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

# s_client_session ARGS...: the session of ops_helpers.bash through
# openssl s_client, printing what it shows.
s_client_session() {
	printf 'USER demo\nPASS secret\nSTAT\nRETR 2\nDELE 1\nQUIT\n' |
		timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -crlf -ign_eof \
			-servername pop.test "$@" 2>&1
}

# The session's answers, in order, as s_client shows them.
session_seen() {
	printf '%s\n' "$1" | tr -d '\r' | grep -E '^(\+OK|-ERR|From:|Hello|\.\.dot)' | tr '\n' '|'
}
SEEN='+OK send PASS|+OK 2 messages (104 octets)|+OK 2 104|+OK 55 octets|From: b@example.org|Hello two.|..dot|+OK message 1 deleted|+OK 1 message deleted|'

@test "ops_tls13: POP3S: openssl s_client -tls1_3 negotiates TLS 1.3 and runs the session" {
	start_mode pop3s
	run s_client_session -tls1_3
	[ "$status" -eq 0 ]
	[[ "$output" == *"New, TLSv1.3, Cipher is TLS_"* ]]
	[[ "$output" == *"+OK pop.test POP3 server ready"* ]]
	[ "$(session_seen "$output")" = "+OK pop.test POP3 server ready|$SEEN" ] || { session_seen "$output"; false; }
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
	wait_log '^pop3tls: tls ip=127.0.0.1 version=TLSv1.3 cipher=TLS_[A-Z0-9_]*$'
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
	wait_log '^pop3tls: end ip=127.0.0.1 in=[0-9]* out=[0-9]* how=done$'
}

@test "ops_tls13: STLS: openssl s_client -starttls pop3 -tls1_3 negotiates TLS 1.3 and runs the session" {
	start_mode stls
	run s_client_session -starttls pop3 -tls1_3
	[ "$status" -eq 0 ]
	[[ "$output" == *"New, TLSv1.3, Cipher is TLS_"* ]]
	# s_client shows a piece of the greeting it read itself before STLS
	[[ "$(session_seen "$output")" == *"$SEEN" ]] || { session_seen "$output"; false; }
	[ "$(ls "$MAILDIR/cur")" = "1700000001.2.host:2," ]
	wait_log '^pop3login: stls ip=127.0.0.1$'
	wait_log '^pop3tls: tls ip=127.0.0.1 version=TLSv1.3 cipher=TLS_[A-Z0-9_]*$'
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
}

@test "ops_tls13: TLS 1.2 is still accepted, on both ports" {
	start_mode pop3s
	run s_client_session -tls1_2
	[[ "$output" == *"New, TLSv1.2, Cipher is "* ]]
	[[ "$output" == *"+OK 2 messages (104 octets)"* ]]
	"$POP3CTL" -f "$CONF" stop
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run s_client_session -starttls pop3 -tls1_2
	[[ "$output" == *"New, TLSv1.2, Cipher is "* ]]
	[[ "$output" == *"+OK 1 messages (55 octets)"* ]] || { echo "$output" | tail -20; false; }
}

@test "ops_tls13: TLS 1.1 is refused, by the server's word" {
	start_mode pop3s
	# the client's own floor lowered, so that the refusal is the server's
	run s_client_session -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
	[[ "$output" != *"+OK pop.test"* ]]
	wait_log '^pop3tls: handshake ip=127.0.0.1 result=failed why="unsupported protocol"$'
	! grep -q '^pop3login' "$D/log"
}

@test "ops_tls13: curl --tlsv1.3 over pop3s:// and pop3:// --ssl-reqd" {
	start_mode pop3s
	run curl -sS -k --tlsv1.3 --ssl-reqd --max-time 10 "pop3s://demo:secret@127.0.0.1:$PORT/2"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: b@example.org\r\nSubject: two\r\n\r\nHello two.\r\n.dot\r' ]
	"$POP3CTL" -f "$CONF" stop
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run curl -sS -k --tlsv1.3 --ssl-reqd --max-time 10 "pop3://demo:secret@127.0.0.1:$PORT/1"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: a@example.org\r\nSubject: one\r\n\r\nHello one.\r' ]
	[ "$(grep -c '^pop3tls: tls ip=127.0.0.1 version=TLSv1.3 ' "$D/log")" -eq 2 ]
}

# py_session MODE [HOLD]: a poplib session (MODE ssl: POP3_SSL, stls:
# POP3 then stls()).  With HOLD it logs in, says so in $D/ready, and
# goes on only when $D/go appears (at most 20 s), so that a test can
# look at the running processes and the certificate in between.
py_session() {
	python3 - "$1" "$PORT" "${2:-}" "$D" <<'PY'
import hashlib, os, poplib, ssl, sys, time
mode, port, hold, d = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
else:
    p = poplib.POP3("127.0.0.1", port, timeout=10)
    print("capa before:", " ".join(sorted(p.capa())))
    print(p.stls(ctx).decode())
print("tls:", p.sock.version())
print("cert:", hashlib.sha256(p.sock.getpeercert(binary_form=True)).hexdigest()[:16])
print(p.user("demo").decode())
print(p.pass_("secret").decode())
if hold:
    open(os.path.join(d, "ready"), "w").close()
    for _ in range(400):
        if os.path.exists(os.path.join(d, "go")):
            break
        time.sleep(0.05)
print("stat:", p.stat())
resp, lines, octets = p.retr(2)
print(resp.decode(), b"|".join(lines).decode(), octets)
print(p.quit().decode())
PY
}

# cert_of: the fingerprint (as py_session prints it) of $D/cert.pem.
cert_of() {
	openssl x509 -in "$D/cert.pem" -outform DER | sha256sum | cut -c1-16
}

wait_file() {
	local i
	for i in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "ops_tls13: python3 poplib POP3_SSL and stls() get TLS 1.3" {
	start_mode pop3s
	run py_session ssl
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tls: TLSv1.3" ]
	[ "${lines[2]}" = "+OK send PASS" ]
	[ "${lines[4]}" = "stat: (2, 104)" ]
	[ "${lines[5]}" = "+OK 55 octets From: b@example.org|Subject: two||Hello two.|.dot 55" ]
	"$POP3CTL" -f "$CONF" stop
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	run py_session stls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "capa before: AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL STLS TOP UIDL USER UTF8" ]
	[ "${lines[1]}" = "+OK begin TLS negotiation" ]
	[ "${lines[2]}" = "tls: TLSv1.3" ]
	[ "${lines[6]}" = "stat: (2, 104)" ]
	[ "${lines[8]}" = "+OK 0 messages deleted" ]
}

# tls_pids: the pop3tls processes of this test's listener (children of
# the chain it forked).
tls_pids() {
	local listener p parent
	listener=$(head -n 1 "$D/pop3d.pid")
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = pop3tls ] || continue
		parent=$(awk '$1 == "PPid:" { print $2 }' "$p/status" 2>/dev/null)
		[ -n "$parent" ] && [ "$(awk '$1 == "PPid:" { print $2 }' "/proc/$parent/status" 2>/dev/null)" = "$listener" ] &&
			echo "${p#/proc/}"
	done
}

# memory_has PID STRING...: for each STRING, 1 if it is anywhere in the
# writable memory of PID (mappings up to 1 GiB), else 0.
memory_has() {
	python3 - "$@" <<'PY'
import re, sys
pid, needles = sys.argv[1], [n.encode() for n in sys.argv[2:]]
found = dict.fromkeys(needles, 0)
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        if "w" not in perms:
            continue
        lo, hi = (int(x, 16) for x in addr.split("-"))
        # a sanitizer build's shadow memory: terabytes, none of it data
        if hi - lo > 1 << 30:
            continue
        try:
            mem.seek(lo)
            chunk = mem.read(hi - lo)
        except OSError:
            continue
        for n in needles:
            if n in chunk:
                found[n] = 1
for n in needles:
    print(f"{n.decode()}: {found[n]}")
PY
}

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

check_and_renew() {
	local mode=$1
	start_mode "$([ "$mode" = ssl ] && echo pop3s || echo stls)"
	old=$(cert_of)
	py_session "$mode" hold >"$D/held" 2>&1 &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_file "$D/ready"
	# the TLS process of the open session
	pids=$(tls_pids)
	[ "$(echo "$pids" | wc -w)" -eq 1 ] || { echo "pop3tls pids: $pids"; cat "$D/held" "$D/log"; return 1; }
	nobody=$(id -u nobody)
	[ "$(status_field "$pids" Uid)" = "$nobody $nobody $nobody $nobody" ]
	[ "$(status_field "$pids" Groups)" = "" ]
	[ "$(status_field "$pids" Gid)" = "$(id -g nobody) $(id -g nobody) $(id -g nobody) $(id -g nobody)" ]
	[ "$(status_field "$pids" CapEff)" = 0000000000000000 ]
	[ "$(status_field "$pids" CapPrm)" = 0000000000000000 ]
	[ "$(status_field "$pids" NoNewPrivs)" = 1 ]
	[ "$(status_field "$pids" Seccomp)" = 2 ]
	# not dumpable: its /proc files stay root's
	[ "$(stat -c %U "/proc/$pids/status")" = root ]
	# it relayed PASS and keeps no copy of it: OpenSSL's record and the
	# relay's buffers are wiped (the environment, never wiped, shows the
	# scan finds what is there)
	run memory_has "$pids" "PASS secret" "TCPREMOTEIP=127.0.0.1"
	[ "$output" = "PASS secret: 0
TCPREMOTEIP=127.0.0.1: 1" ] || { echo "$output"; false; }
	# a renewed certificate, put in place as certbot's hook would
	mkdir "$D/new"
	make_cert "$D/new"
	mv "$D/new/tls.pem" "$D/tls.pem"
	cp "$D/new/cert.pem" "$D/cert.pem"
	new=$(cert_of)
	[ "$old" != "$new" ]
	run py_session "$mode"
	[ "$status" -eq 0 ]
	[[ "$output" == *"cert: $new"* ]]
	# the open session goes on, with the certificate it started with
	touch "$D/go"
	wait "$(tail -n 1 "$BATS_TEST_TMPDIR/pids")"
	grep -qx "cert: $old" "$D/held"
	grep -qx 'stat: (2, 104)' "$D/held"
	grep -qx '+OK 55 octets From: b@example.org|Subject: two||Hello two.|.dot 55' "$D/held"
	grep -qx "+OK 0 messages deleted" "$D/held"
}

@test "ops_tls13: POP3S: the TLS process is unprivileged and confined; a new certificate serves the next connection, the open session goes on" {
	check_and_renew ssl
}

@test "ops_tls13: STLS: the TLS process is unprivileged and confined; a new certificate serves the next connection, the open session goes on" {
	check_and_renew stls
}

@test "ops_tls13: STLS: a session that stays in clear works, and its TLS process goes when the dialogue ends" {
	start_mode stls
	session_ok "$PORT"
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=no result=ok$'
	for _ in $(seq 1 40); do
		[ -z "$(tls_pids)" ] && break
		sleep 0.05
	done
	[ -z "$(tls_pids)" ]
	! grep -q '^pop3tls: tls ' "$D/log"
}

@test "ops_tls13: a command pipelined after STLS is never answered in clear" {
	start_mode stls
	run pop_talk "$PORT" "STLS" "CAPA"
	[ "$output" = $'+OK pop.test POP3 server ready\r\n+OK begin TLS negotiation\r' ]
	wait_log '^pop3tls: handshake ip=127.0.0.1 result=failed why='
}

@test "ops_tls13: POP3S: a client that never says hello is dropped after -T, before pop3login starts" {
	start_mode pop3s
	start=$(date +%s)
	run pop_talk "$PORT"
	[ "$output" = "" ]
	wait_log '^pop3tls: handshake ip=127.0.0.1 result=failed why=timeout$'
	[ $(( $(date +%s) - start )) -le 8 ]
	! grep -q '^pop3login' "$D/log"
}

@test "ops_tls13: a key file without a key, or unreadable, is refused with a clear line" {
	cp "$D/cert.pem" "$D/tls.pem"
	start_mode pop3s
	run curl -sS -k --max-time 5 "pop3s://demo:secret@127.0.0.1:$PORT/1"
	[ "$status" -ne 0 ]
	wait_log "^pop3tls: fatal: $D/tls.pem: no usable private key (an unencrypted PEM key)\$"
	rm "$D/tls.pem"
	run curl -sS -k --max-time 5 "pop3s://demo:secret@127.0.0.1:$PORT/1"
	[ "$status" -ne 0 ]
	wait_log "^pop3tls: fatal: cannot read $D/tls.pem: No such file or directory\$"
	! grep -q '^pop3login' "$D/log"
}

@test "ops_tls13: bad usage is refused" {
	run "$POP3_BIN/pop3tls" -f "$D/tls.pem"
	[ "$status" -eq 2 ]
	[ "$output" = "pop3tls: fatal: usage: pop3tls [-n] [-T seconds] [-u user] -f pemfile prog [arg...]" ]
	run "$POP3_BIN/pop3tls" -T 0 -f "$D/tls.pem" true
	[ "$status" -eq 2 ]
	[ "$output" = "pop3tls: fatal: bad handshake timeout: 0 (1 to 600 seconds)" ]
	run "$POP3_BIN/pop3tls" -u root -f "$D/tls.pem" true
	[ "$status" -eq 2 ]
	[ "$output" = "pop3tls: fatal: user root has root's uid or gid" ]
}

@test "ops_tls13: pop3ctl check shows pop3tls in the chain, and refuses an unknown TLS_LINK" {
	echo TLS=stls >>"$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *" $POP3_BIN/hostcheck $D/rules.cdb $(cd "$POP3_BIN" && pwd -P)/pop3tls -n -T 2 -f $D/tls.pem $POP3_BIN/pop3login -d 0 pop.test "* ]] ||
		{ echo "${lines[1]}"; false; }
	echo TLS_LINK=stunnel >>"$CONF"
	run "$POP3CTL" -f "$CONF" check
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "pop3ctl: TLS_LINK: tlswrapper or pop3tls, not: stunnel" ]
}

@test "ops_tls13: a 4 MB message comes through POP3S and STLS intact" {
	python3 -c "
import sys
sys.stdout.write('From: big@example.org\nSubject: big\n\n')
for i in range(60000):
    sys.stdout.write('line %06d %s\n' % (i, 'x' * 56))" >"$MAILDIR/new/1700000002.3.host"
	chown "$OPS_USER:" "$MAILDIR/new/1700000002.3.host"
	sed 's/$/\r/' "$MAILDIR/new/1700000002.3.host" >"$D/want"
	start_mode pop3s
	curl -sS -k --tlsv1.3 --ssl-reqd --max-time 30 "pop3s://demo:secret@127.0.0.1:$PORT/3" >"$D/got"
	[ "$(stat -c %s "$D/want")" -gt 4000000 ]
	cmp "$D/want" "$D/got"
	"$POP3CTL" -f "$CONF" stop
	echo TLS=stls >>"$CONF"
	"$POP3CTL" -f "$CONF" start
	curl -sS -k --tlsv1.3 --ssl-reqd --max-time 30 "pop3://demo:secret@127.0.0.1:$PORT/3" >"$D/got"
	cmp "$D/want" "$D/got"
	wait_log '^pop3tls: end ip=127.0.0.1 in=[0-9]* out=4[0-9]\{6\} how=done$'
}

@test "ops_tls13: POP3S under a systemd socket (Accept=yes, as pop3d@.service runs it)" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	# shellcheck disable=SC2046
	systemd-socket-activate -l "127.0.0.1:$PORT" --inetd -a \
		"$POP3_BIN/hostcheck" "$D/rules.cdb" "$POP3_BIN/pop3tls" -f "$D/tls.pem" \
		$(chain_argv | cut -d' ' -f3-) 2>>"$D/log" 3>&- 4>&- 5>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	wait_port "$PORT"
	run s_client_session -tls1_3
	[[ "$output" == *"New, TLSv1.3, Cipher is TLS_"* ]]
	[ "$(session_seen "$output")" = "+OK pop.test POP3 server ready|$SEEN" ]
	wait_log '^pop3login: login user=demo ip=127.0.0.1 method=pass tls=yes result=ok$'
}
