#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# hostcheck: decisions by address, prefix, name and suffix; DNS through
# nss_wrapper (a private hosts file, the system resolver untouched) and a
# preloaded fake for slow or lying PTR records; malformed rules; the deny
# line; PROXY headers; the same environment under tcpserver and xinetd.

load helpers

# The fake DNS (tests/shims/fakedns.c), built on the test side.
HOSTCHECK_PRELOAD_DIR="$POP3_BIN/tests"

setup() {
	T=$BATS_TEST_TMPDIR
	# The DNS lookup runs as nobody: it must reach the test's hosts file.
	chmod 711 "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	# The later link: dumps the variables the chain passes on, sorted,
	# then the first line it reads from the client, then answers +OK.
	# A connection that sends nothing (wait_port's probe) leaves no dump.
	cat >"$T/link" <<'SH'
#!/bin/sh
env | grep -E '^(PROTO|TCP|X_)' | sort >"$1.tmp.$$"
IFS= read -r line || exit 0
printf '%s\n' "$line" >"$1.line"
mv "$1.tmp.$$" "$1"
echo "link: diagnostics stay off the client's socket" >&2
printf '+OK\r\n'
SH
	chmod +x "$T/link"
	# The sanitizer build meets LD_PRELOAD in the DNS tests.
	export ASAN_OPTIONS=verify_asan_link_order=0
	cat >"$T/hosts" <<'HOSTS'
192.0.2.10 mail.example.org
192.0.2.11 a.dialup.example.net
192.0.2.12 pc.dialup.example.net
198.51.100.20 shop.example.com
2001:db8::10 six.example.org
HOSTS
}

teardown() {
	stop_started
	remove_users
}

# check IP RULES [hostcheck options]: runs hostcheck as tcpserver would,
# with the link's environment dump as output.
check() {
	local ip=$1 rules=$2
	shift 2
	TCPREMOTEIP=$ip TCPREMOTEPORT=40000 hostcheck "$@" "$rules" \
		sh -c 'env | grep -E "^(X_|TCPREMOTEHOST)" | sort' 2>"$T/err" </dev/null
}

# with_dns CMD...: CMD with nss_wrapper answering from $T/hosts, behind
# the fake that can delay or forge PTR answers.
with_dns() {
	# The lookup child asks for the passwd entry of nobody, which makes
	# nss_wrapper dlopen libc with RTLD_DEEPBIND: the sanitizer build
	# aborts on that unless it is turned off.
	LD_PRELOAD="$HOSTCHECK_PRELOAD_DIR/fakedns.so libnss_wrapper.so" \
		NSS_WRAPPER_HOSTS="$T/hosts" NSS_WRAPPER_DISABLE_DEEPBIND=1 "$@"
}

# client PORT HEXBYTES: connects from 127.0.0.1, sends the bytes, prints
# in hex everything received until the server closes (5 s at most).
client() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(bytes.fromhex(sys.argv[2]))
data = b""
while True:
    try:
        chunk = s.recv(4096)
    except (socket.timeout, ConnectionResetError):
        break
    if not chunk:
        break
    data += chunk
    if data.endswith(b"+OK\r\n"):
        break
print(data.hex())
PY
}

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

@test "IPv4 prefix edges: a /24 holds .0 to .255 and nothing more; .1 is not .10" {
	cat >"$T/rules" <<'R'
allow 192.168.1.0/24 X_RULE=net
deny 192.168.1.1
allow 192.168.1.10 X_RULE=ten
deny default
R
	run check 192.168.1.0 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=net" ]
	run check 192.168.1.255 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=net" ]
	run check 192.168.1.10 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=ten" ]
	run check 192.168.1.100 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=net" ]
	run check 192.168.1.1 "$T/rules"
	[ "$status" -eq 1 ] && [ "$output" = $'-ERR access denied\r' ]
	run check 192.168.2.0 "$T/rules"
	[ "$status" -eq 1 ]
	run check 192.168.0.255 "$T/rules"
	[ "$status" -eq 1 ]
}

@test "IPv6 prefix edges, and an IPv4-mapped client meets IPv4 rules" {
	cat >"$T/rules" <<'R'
allow 2001:db8::/32 X_RULE=v6net
deny 2001:db8:1::/48
warn 2001:db8:1::/127 X_RULE=pair
allow 10.0.0.0/8 X_RULE=ten
deny default
R
	run check 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=v6net" ]
	run check 2001:db9:: "$T/rules"
	[ "$status" -eq 1 ]
	run check 2001:db8:1::1 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=pair" ]
	grep -qx 'hostcheck: warn ip=2001:db8:1::1 port=40000 dns=skipped match=prefix rule=3' "$T/err"
	run check 2001:db8:1::2 "$T/rules"
	[ "$status" -eq 1 ]
	run check ::ffff:10.1.2.3 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = "X_RULE=ten" ]
}

@test "overlapping rules: the most specific wins, whatever the order of lines" {
	cat >"$T/rules" <<'R'
deny 10.1.2.3
allow 10.1.2.0/24 X_RULE=c
deny 10.1.0.0/16
allow 10.0.0.0/8 X_RULE=a
R
	run check 10.1.2.3 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.1.2.4 "$T/rules"; [ "$status" -eq 0 ] && [ "$output" = "X_RULE=c" ]
	run check 10.1.3.4 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.2.3.4 "$T/rules"; [ "$status" -eq 0 ] && [ "$output" = "X_RULE=a" ]
	# no rule matches and there is no default: refused, not allowed
	run check 11.0.0.1 "$T/rules"; [ "$status" -eq 1 ]
	grep -qx 'hostcheck: deny ip=11.0.0.1 port=40000 dns=skipped match=none rule=0' "$T/err"
}

@test "a rule's variables reach the next link, quoted values whole" {
	printf 'allow default X_GREETING="POP3 server ready" X_LOGIN_DELAY=2 X_REQUIRE_TLS=1\n' >"$T/rules"
	run check 203.0.113.5 "$T/rules"
	[ "$status" -eq 0 ]
	[ "$output" = $'X_GREETING=POP3 server ready\nX_LOGIN_DELAY=2\nX_REQUIRE_TLS=1' ]
	[ "$(cat "$T/err")" = 'hostcheck: allow ip=203.0.113.5 port=40000 dns=skipped match=default rule=1' ]
}

@test "a denied client gets one -ERR line, or nothing with -q, and the link never runs" {
	printf 'deny 203.0.113.0/24\nallow default\n' >"$T/rules"
	TCPREMOTEIP=203.0.113.9 hostcheck "$T/rules" touch "$T/ran" >"$T/out" 2>"$T/err" && false || [ $? -eq 1 ]
	[ "$(hex "$(cat "$T/out"; echo x)")" = "$(hex $'-ERR access denied\r\nx')" ]
	[ ! -e "$T/ran" ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=203.0.113.9 port=0 dns=skipped match=prefix rule=1' ]
	TCPREMOTEIP=203.0.113.9 hostcheck -q "$T/rules" touch "$T/ran" >"$T/out" 2>/dev/null || [ $? -eq 1 ]
	[ ! -s "$T/out" ] && [ ! -e "$T/ran" ]
	TCPREMOTEIP=203.0.113.9 hostcheck -m "[SYS/PERM] not from here" "$T/rules" true >"$T/out" 2>/dev/null || [ $? -eq 1 ]
	[ "$(hex "$(cat "$T/out"; echo x)")" = "$(hex $'-ERR [SYS/PERM] not from here\r\nx')" ]
}

@test "malformed rules: exit 2 naming file and line, and the link never runs" {
	local bad
	while IFS='|' read -r bad msg; do
		printf '# rules\nallow 127.0.0.1\n%s\n' "$bad" >"$T/rules"
		run env TCPREMOTEIP=127.0.0.1 hostcheck "$T/rules" touch "$T/ran"
		[ "$status" -eq 2 ]
		[ "$output" = "hostcheck: fatal: $T/rules:3: $msg" ]
		[ ! -e "$T/ran" ]
		run hostcheck -c "$T/rules"
		[ "$status" -eq 2 ] && [ "$output" = "hostcheck: fatal: $T/rules:3: $msg" ]
	done <<'CASES'
allw 10.0.0.0/8|unknown action "allw" (allow, deny, warn or trust)
allow 10.1.0.0/8|"10.1.0.0/8": address has bits set beyond the prefix length
allow 192.168.1.|"192.168.1.": not an IP address (write a prefix as 192.0.2.0/24)
allow 2001:db8::/129|"2001:db8::/129": bad prefix length
deny|action without a pattern
allow mail..example.org|"mail..example.org" is not a host name, .domain, address or prefix: empty label
allow default X_GREETING="unclosed|unterminated quote
allow default TCPREMOTEIP=1.2.3.4|variable TCPREMOTEIP is set by hostcheck itself
CASES
	run env TCPREMOTEIP=127.0.0.1 hostcheck "$T/missing" true
	[ "$status" -eq 2 ] && [ "$output" = "hostcheck: fatal: $T/missing: open: No such file or directory" ]
	printf 'allow 127.0.0.1\n' >"$T/good"
	run hostcheck -c "$T/good"
	[ "$status" -eq 0 ] && [ "$output" = "" ]
}

# name_case: prints "PATTERN|WHAT IS WRONG" for the patterns no host
# name can match (RFC 1123), long ones built here.
name_cases() {
	local l63 l64
	l63=$(printf 'c%.0s' $(seq 63))
	l64=${l63}c
	cat <<CASES
-1.2.3.4|label "-1" begins with '-'
my_host.example|'_' is not allowed in a host name (letters, digits, '-')
.my_domain.example|'_' is not allowed in a host name (letters, digits, '-')
$l64.example.org|a label of 64 octets, at most 63
host-.example.org|label "host-" ends with '-'
.-dialup.example.net|label "-dialup" begins with '-'
a..b|empty label
$l63.$l63.$l63.${l63%c}|254 octets, a host name has at most 253
mail.example.123|the last label is all digits: neither a host name nor an IP address
*.example.org|'*' is not allowed in a host name (letters, digits, '-') (write a domain as .example.org)
CASES
}

@test "a name pattern no host can have is refused with its line: at connection time, by -c, by hostcheck-rules" {
	local pattern why n=0
	printf 'allow 127.0.0.1\n' >"$T/good"
	hostcheck-rules "$T/good" "$T/rules.cdb"
	cp "$T/rules.cdb" "$T/before.cdb"
	while IFS='|' read -r pattern why; do
		n=$((n + 1))
		printf '# rules\nallow 127.0.0.1\ndeny %s X_RULE=bad\nallow default\n' "$pattern" >"$T/rules"
		local msg="$T/rules:3: \"$pattern\" is not a host name, .domain, address or prefix: $why"
		run env TCPREMOTEIP=127.0.0.1 hostcheck "$T/rules" touch "$T/ran"
		[ "$status" -eq 2 ] && [ "$output" = "hostcheck: fatal: $msg" ]
		[ ! -e "$T/ran" ]
		run hostcheck -c "$T/rules"
		[ "$status" -eq 2 ] && [ "$output" = "hostcheck: fatal: $msg" ]
		run hostcheck-rules "$T/rules" "$T/rules.cdb"
		[ "$status" -eq 2 ] && [ "$output" = "hostcheck-rules: fatal: $msg" ]
		cmp "$T/before.cdb" "$T/rules.cdb"
		[ ! -e "$T/rules.cdb.tmp" ]
	done < <(name_cases)
	[ "$n" -eq 10 ]
	# a pattern too long to print whole is cut, and says so
	printf 'allow %s\n' "$(printf 'b%.0s' $(seq 300))" >"$T/rules"
	run hostcheck -c "$T/rules"
	[ "$status" -eq 2 ]
	[ "$output" = "hostcheck: fatal: $T/rules:1: \"$(printf 'b%.0s' $(seq 255))...\" is not a host name, .domain, address or prefix: 300 octets, a host name has at most 253" ]
}

@test "a rules file with a dead name pattern serves no client over TCP, and the log names the line" {
	printf 'allow 127.0.0.0/8 X_RULE=loopback\n\nallow my_host.example\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck "$T/rules" "$T/link" "$T/env"
	run client "$port" "$(hex $'CAPA\r\n')"
	[ "$output" = "" ]
	[ ! -e "$T/env" ]
	grep -qxF "hostcheck: fatal: $T/rules:3: \"my_host.example\" is not a host name, .domain, address or prefix: '_' is not allowed in a host name (letters, digits, '-')" "$T/log"
	# fixed, the next connection is served: the file is read per connection
	printf 'allow 127.0.0.0/8 X_RULE=loopback\n\nallow my-host.example\n' >"$T/rules"
	run client "$port" "$(hex $'CAPA\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	grep -qx 'X_RULE=loopback' "$T/env"
}

# The my_pc case: a name from the DNS may hold what no rule can
# name (an underscore), and a .domain rule still matches it.
@test "valid name patterns, .domain forms included, decide real sessions through forward-confirmed DNS" {
	local l63 long port name rule want n=0
	l63=$(printf 'c%.0s' $(seq 63))
	long=$l63.$l63.$l63.$(printf 'd%.0s' $(seq 57)).org  # 253 octets
	[ "${#long}" -eq 253 ]
	port=$(free_port)
	# only hostcheck meets nss_wrapper; 127.0.0.1's name is $T/hosts.lo
	start_tcpserver "$port" env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_HOSTS="$T/hosts.lo" \
		NSS_WRAPPER_DISABLE_DEEPBIND=1 hostcheck "$T/rules" "$T/link" "$T/env"
	# NAME (127.0.0.1's PTR) | RULE | X_RULE wanted ("-": denied)
	while IFS='|' read -r name rule want; do
		n=$((n + 1))
		rm -f "$T/env"
		printf '127.0.0.1 %s\n' "$name" >"$T/hosts.lo"
		printf '%s\ndeny .example.com\ndeny default\n' "$rule" >"$T/rules"
		hostcheck -c "$T/rules"
		run client "$port" "$(hex $'CAPA\r\n')"
		if [ "$want" = - ]; then
			[ "$output" = "$(hex $'-ERR access denied\r\n')" ]
			[ ! -e "$T/env" ]
		else
			[ "$output" = "$(hex $'+OK\r\n')" ]
			grep -qx "X_RULE=$want" "$T/env"
			grep -qix "TCPREMOTEHOST=$name" "$T/env"
		fi
	done <<CASES
xn--bcher-kva.A-1.example.org|allow xn--bcher-kva.a-1.example.org X_RULE=idn|idn
mail.example.org|allow MAIL.example.org. X_RULE=fqdn|fqdn
pc-7.0ffice.example.net|allow .0ffice.example.net X_RULE=suffix|suffix
0ffice.example.net|allow .0ffice.example.net X_RULE=suffix|-
my_pc.0ffice.example.net|allow .0ffice.example.net X_RULE=suffix|suffix
a.b.c.d.e.example.net|warn .example.net. X_RULE=warned|warned
$long|allow $long X_RULE=longest|longest
x.$l63.example|allow .$l63.example X_RULE=label63|label63
CASES
	[ "$n" -eq 8 ]
	grep -q "^hostcheck: warn ip=127.0.0.1 port=[0-9]* host=a.b.c.d.e.example.net dns=ok match=suffix rule=1\$" "$T/log"
	grep -q "^hostcheck: allow ip=127.0.0.1 port=[0-9]* host=$long dns=ok match=name rule=1\$" "$T/log"
}

@test "compiled rules: same decisions; a bad text leaves the old database in place" {
	cat >"$T/rules" <<'R'
allow 10.0.0.0/8 X_RULE=ten
deny 10.9.9.9
allow 2001:db8::/32 X_RULE=six
deny default
R
	hostcheck-rules "$T/rules" "$T/rules.cdb"
	[ ! -e "$T/rules.cdb.tmp" ]
	run check 10.1.1.1 "$T/rules.cdb"; [ "$status" -eq 0 ] && [ "$output" = "X_RULE=ten" ]
	run check 10.9.9.9 "$T/rules.cdb"; [ "$status" -eq 1 ]
	run check 2001:db8::7 "$T/rules.cdb"; [ "$status" -eq 0 ] && [ "$output" = "X_RULE=six" ]
	run check 192.0.2.1 "$T/rules.cdb"; [ "$status" -eq 1 ]
	cp "$T/rules.cdb" "$T/before.cdb"
	printf 'allow 10.0.0.0/8\nallow everything\nallow !\n' >"$T/bad"
	run hostcheck-rules "$T/bad" "$T/rules.cdb"
	[ "$status" -eq 2 ] && [ "$output" = "hostcheck-rules: fatal: $T/bad:3: \"!\" is not a host name, .domain, address or prefix: '!' is not allowed in a host name (letters, digits, '-')" ]
	cmp "$T/before.cdb" "$T/rules.cdb"
	[ ! -e "$T/rules.cdb.tmp" ]
	printf 'allow 10.0.0.0/8\ndeny 10.0.0.0/8\n' >"$T/dup"
	run hostcheck-rules "$T/dup" "$T/dup.cdb"
	[ "$status" -eq 0 ] && [ "$output" = "hostcheck-rules: warning: $T/dup:2: this pattern repeats an earlier rule, which wins" ]
	# a file that is not a rules database is refused, not read as empty
	printf 'junk' >"$T/junk.cdb"
	run env TCPREMOTEIP=10.1.1.1 hostcheck "$T/junk.cdb" true
	[ "$status" -eq 2 ]
}

@test "host names and .suffixes, forward-confirmed through nss_wrapper" {
	cat >"$T/rules" <<'R'
allow mail.example.org X_RULE=name
deny .dialup.example.net
allow .example.com X_RULE=suffix
allow six.example.org X_RULE=six
allow default X_RULE=default
R
	run with_dns check 192.0.2.10 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=mail.example.org\nX_RULE=name' ]
	[ "$(cat "$T/err")" = 'hostcheck: allow ip=192.0.2.10 port=40000 host=mail.example.org dns=ok match=name rule=1' ]
	run with_dns check 192.0.2.11 "$T/rules"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=192.0.2.11 port=40000 host=a.dialup.example.net dns=ok match=suffix rule=2' ]
	run with_dns check 198.51.100.20 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=shop.example.com\nX_RULE=suffix' ]
	run with_dns check 2001:db8::10 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=six.example.org\nX_RULE=six' ]
	# no PTR: the default, and no TCPREMOTEHOST even if tcpserver set one
	TCPREMOTEHOST=stale.example run with_dns check 192.0.2.99 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = 'X_RULE=default' ]
	grep -q ' dns=noname match=default rule=5$' "$T/err"
}

# The resolver parses what the owner of the client's reverse zone
# writes; the lookup ran as root, against the rule that no untrusted byte
# is parsed by a root process (checkpw's fd 3 apart).
@test "the DNS lookup does not run as root" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to see the drop"
	printf 'allow mail.example.org X_RULE=name\nallow default X_RULE=default\n' >"$T/rules"
	: >"$T/uid"
	chmod 666 "$T/uid"
	HOSTCHECK_TEST_UID_FILE=$T/uid run with_dns check 192.0.2.10 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=mail.example.org\nX_RULE=name' ]
	[ "$(cat "$T/uid")" = "$(id -u nobody)" ]
}

@test "-h looks the name up for TCPREMOTEHOST; without a lookup the listener's value passes unchanged" {
	printf 'allow 192.0.2.0/24 X_RULE=net\n' >"$T/rules"
	TCPREMOTEHOST=from.tcpserver run with_dns check 192.0.2.10 "$T/rules"
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=from.tcpserver\nX_RULE=net' ]
	grep -q ' dns=skipped ' "$T/err"
	TCPREMOTEHOST=from.tcpserver run with_dns check 192.0.2.10 "$T/rules" -h
	[ "$status" -eq 0 ] && [ "$output" = $'TCPREMOTEHOST=mail.example.org\nX_RULE=net' ]
	[ "$(cat "$T/err")" = 'hostcheck: allow ip=192.0.2.10 port=40000 host=mail.example.org dns=ok match=prefix rule=1' ]
}

@test "a PTR record that does not resolve back is no name at all" {
	printf 'allow mail.example.org X_RULE=name\ndeny default\n' >"$T/rules"
	HOSTCHECK_TEST_PTR="203.0.113.66 mail.example.org" run with_dns check 203.0.113.66 "$T/rules"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=203.0.113.66 port=40000 dns=unconfirmed match=default rule=2' ]
	# a PTR record that repeats the address resolves to itself: no name either
	HOSTCHECK_TEST_PTR="203.0.113.66 203.0.113.66." run with_dns check 203.0.113.66 "$T/rules" -h
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=203.0.113.66 port=40000 dns=unconfirmed match=default rule=2' ]
}

@test "-r refuses clients without forward-confirmed DNS; trust rules are exempt" {
	printf 'trust 192.0.2.128/25\nallow default\n' >"$T/rules"
	run with_dns check 192.0.2.10 "$T/rules" -r
	[ "$status" -eq 0 ]
	run with_dns check 192.0.2.99 "$T/rules" -r
	[ "$status" -eq 1 ] && [ "$output" = $'-ERR access denied\r' ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=192.0.2.99 port=40000 dns=noname match=default rule=2 reason=no-fcrdns' ]
	run with_dns check 192.0.2.200 "$T/rules" -r
	[ "$status" -eq 0 ]
	[ "$(cat "$T/err")" = 'hostcheck: trust ip=192.0.2.200 port=40000 dns=skipped match=prefix rule=1' ]
	# a client the rules deny costs no DNS query, -r or not
	printf 'deny 192.0.2.10\nallow default\n' >"$T/rules"
	run with_dns check 192.0.2.10 "$T/rules" -r
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'hostcheck: deny ip=192.0.2.10 port=40000 dns=skipped match=address rule=1' ]
}

@test "DNS timeout: a hung resolver costs -t seconds, then the address rules decide" {
	printf 'allow mail.example.org X_RULE=name\nallow 192.0.2.0/24 X_RULE=net\ntrust 198.51.100.0/24 X_RULE=trusted\n' >"$T/rules"
	local start=$SECONDS
	HOSTCHECK_TEST_DNS_DELAY=30 run with_dns check 192.0.2.10 "$T/rules" -t 1
	[ "$status" -eq 0 ] && [ "$output" = 'X_RULE=net' ]
	[ $((SECONDS - start)) -lt 10 ]
	[ "$(cat "$T/err")" = 'hostcheck: allow ip=192.0.2.10 port=40000 dns=timeout match=prefix rule=2' ]
	# a trusted network never waits for DNS at all
	start=$SECONDS
	HOSTCHECK_TEST_DNS_DELAY=30 run with_dns check 198.51.100.20 "$T/rules" -t 20
	[ "$status" -eq 0 ] && [ "$output" = 'X_RULE=trusted' ]
	[ $((SECONDS - start)) -lt 10 ]
	grep -q ' dns=skipped ' "$T/err"
}

@test "PROXY v1 from a listed balancer: the next link sees the real client, and its first line unread" {
	printf 'allow 192.0.2.0/24 X_RULE=proxied\ndeny default\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck -p 127.0.0.0/8 "$T/rules" "$T/link" "$T/env"
	run client "$port" "$(hex $'PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\r\nCAPA\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	[ "$(cat "$T/env")" = $'PROTO=TCP\nTCPLOCALHOST=127.0.0.1\nTCPLOCALIP=198.51.100.1\nTCPLOCALPORT=110\nTCPREMOTEIP=192.0.2.7\nTCPREMOTEPORT=56324\nX_RULE=proxied' ]
	[ "$(cat "$T/env.line")" = $'CAPA\r' ]
	grep -q "^hostcheck: allow ip=192.0.2.7 port=56324 proxy=127.0.0.1 dns=skipped match=prefix rule=1\$" "$T/log"
}

@test "PROXY v2 (TCP6, with a TLV) from a listed balancer" {
	printf 'allow 2001:db8::/32 X_RULE=six\ndeny default\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck -p 127.0.0.1 "$T/rules" "$T/link" "$T/env"
	# signature, v2 PROXY, TCP6, 36 + 4 octets: 2001:db8::9 -> 2001:db8::1, 4000 -> 995, a NOOP TLV
	local header=0d0a0d0a000d0a515549540a2121002820010db80000000000000000000000092001
	header+=0db8000000000000000000000001 # destination's last 14 octets
	header+=0fa003e3040001ff
	run client "$port" "${header}$(hex $'STAT\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	[ "$(cat "$T/env")" = $'PROTO=TCP6\nTCPLOCALHOST=127.0.0.1\nTCPLOCALIP=2001:db8::1\nTCPLOCALPORT=995\nTCPREMOTEIP=2001:db8::9\nTCPREMOTEPORT=4000\nX_RULE=six' ]
	[ "$(cat "$T/env.line")" = $'STAT\r' ]
}

@test "PROXY malformed, or never sent, from a balancer: the connection drops with no answer" {
	printf 'allow default\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck -t 1 -p 127.0.0.1 "$T/rules" "$T/link" "$T/env"
	run client "$port" "$(hex $'PROXY TCP4 192.0.2.7 198.51.100.1 56324 99999\r\nCAPA\r\n')"
	[ "$output" = "" ]
	run client "$port" "$(hex $'CAPA\r\n')"
	[ "$output" = "" ]
	run client "$port" ""
	[ "$output" = "" ]
	[ ! -e "$T/env" ]
	[ "$(grep -c '^hostcheck: drop ip=127.0.0.1 proxy=bad reason=malformed$' "$T/log")" -eq 2 ]
	[ "$(grep -c '^hostcheck: drop ip=127.0.0.1 proxy=bad reason=timeout$' "$T/log")" -eq 1 ]
}

@test "PROXY from an unlisted address is not read: the client is who the socket says" {
	printf 'allow 127.0.0.1 X_RULE=local\nallow 192.0.2.7 X_RULE=forged\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck -p 10.0.0.0/8 "$T/rules" "$T/link" "$T/env"
	run client "$port" "$(hex $'PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\r\nCAPA\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	grep -qx 'TCPREMOTEIP=127.0.0.1' "$T/env"
	grep -qx 'X_RULE=local' "$T/env"
	[ "$(cat "$T/env.line")" = $'PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\r' ]
}

@test "a denied client over TCP: exactly one -ERR line, then the close" {
	printf 'deny 127.0.0.0/8\nallow default\n' >"$T/rules"
	local port; port=$(free_port)
	start_tcpserver "$port" hostcheck "$T/rules" "$T/link" "$T/env"
	# a client waits for the greeting before it speaks
	run client "$port" ""
	[ "$output" = "$(hex $'-ERR access denied\r\n')" ]
	[ ! -e "$T/env" ]
}

# xinetd in the foreground on a private configuration and a free port.
start_xinetd() {
	local port=$1; shift
	cat >"$T/xinetd.conf" <<CONF
service hostcheck-test
{
	type        = UNLISTED
	socket_type = stream
	protocol    = tcp
	wait        = no
	user        = root
	bind        = 127.0.0.1
	port        = $port
	flags       = IPv4
	server      = $(command -v hostcheck)
	server_args = $*
}
CONF
	xinetd -dontfork -stayalive -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid" \
		2>>"$T/xinetd.log" &
	echo $! >>"$T/pids"
	wait_port "$port"
}

@test "the same chain under tcpserver, xinetd and systemd socket activation: the same environment" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	printf 'allow 127.0.0.0/8 X_RULE=loopback X_GREETING="hello there"\ndeny default\n' >"$T/rules"
	local tport xport
	tport=$(free_port)
	start_tcpserver "$tport" hostcheck "$T/rules" "$T/link" "$T/env.tcpserver"
	run client "$tport" "$(hex $'CAPA\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	xport=$(free_port)
	start_xinetd "$xport" -l 127.0.0.1 "$T/rules" "$T/link" "$T/env.xinetd"
	# under xinetd fd 2 is the client too: nothing but +OK may arrive
	run client "$xport" "$(hex $'CAPA\r\n')"
	[ "$output" = "$(hex $'+OK\r\n')" ]
	[ "$(cat "$T/env.xinetd.line")" = $'CAPA\r' ]
	# the ports differ by construction; everything else is the same but
	# the TCP6 copies ucspi-tcp-ipv6's tcpserver adds (hostcheck(8))
	grep -qx "TCPLOCALPORT=$tport" "$T/env.tcpserver"
	grep -qx "TCPLOCALPORT=$xport" "$T/env.xinetd"
	grep -Eqx 'TCPREMOTEPORT=[1-9][0-9]*' "$T/env.xinetd"
	sed -E '/^TCP6/d; s/^(TCPLOCALPORT|TCPREMOTEPORT)=.*/\1=N/' "$T/env.tcpserver" >"$T/a"
	sed -E 's/^(TCPLOCALPORT|TCPREMOTEPORT)=.*/\1=N/' "$T/env.xinetd" >"$T/b"
	diff "$T/a" "$T/b"
	# and under systemd's Accept=yes (fd 0 the connection), where available
	if command -v systemd-socket-activate >/dev/null; then
		local sport; sport=$(free_port)
		systemd-socket-activate --inetd -a -l "127.0.0.1:$sport" \
			"$(command -v hostcheck)" -l 127.0.0.1 "$T/rules" "$T/link" "$T/env.systemd" \
			2>>"$T/log" &
		echo $! >>"$T/pids"
		wait_port "$sport"
		run client "$sport" "$(hex $'CAPA\r\n')"
		[ "$output" = "$(hex $'+OK\r\n')" ]
		grep -qx "TCPLOCALPORT=$sport" "$T/env.systemd"
		sed -E 's/^(TCPLOCALPORT|TCPREMOTEPORT)=.*/\1=N/' "$T/env.systemd" >"$T/c"
		diff "$T/a" "$T/c"
	fi
	[ "$(cat "$T/a")" = $'PROTO=TCP\nTCPLOCALHOST=127.0.0.1\nTCPLOCALIP=127.0.0.1\nTCPLOCALPORT=N\nTCPREMOTEIP=127.0.0.1\nTCPREMOTEPORT=N\nX_GREETING=hello there\nX_RULE=loopback' ]
}

@test "under xinetd a denied client gets the -ERR line and no diagnostics" {
	command -v xinetd >/dev/null || skip "xinetd not installed"
	printf 'deny 127.0.0.0/8\n' >"$T/rules"
	local xport; xport=$(free_port)
	start_xinetd "$xport" "$T/rules" "$T/link" "$T/env"
	run client "$xport" ""
	[ "$output" = "$(hex $'-ERR access denied\r\n')" ]
	# a broken rules file: the client hears nothing at all, not the error
	printf 'allow 127.0.0.1/8\n' >"$T/rules"
	run client "$xport" ""
	[ "$output" = "" ]
	[ ! -e "$T/env" ]
}

@test "inetd mode without a TCP socket on fd 0 refuses to guess" {
	printf 'allow default\n' >"$T/rules"
	run env -u TCPREMOTEIP hostcheck "$T/rules" true </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "hostcheck: fatal: no TCPREMOTEIP, and fd 0 is not a TCP connection" ]
}

@test "mpopd2hostcheck converts mpopd_allow_deny and mpopd_trusted" {
	cat >"$T/allow_deny" <<'M'
# mpopd rules
ALLOW 192.168.1.
deny 10.0.0.213
WARN 172.16.
allow mail.example.org
DENY ALL
M
	printf '127.0.0.\n10.1.*\n' >"$T/trusted"
	run --separate-stderr "$TESTS_DIR/../hostcheck/mpopd2hostcheck" "$T/allow_deny" "$T/trusted"
	[ "$status" -eq 0 ] && [ "$stderr" = "" ]
	printf '%s\n' "$output" >"$T/rules"
	[ "$output" = '# converted from mpopd by mpopd2hostcheck
trust 127.0.0.0/24
trust 10.1.0.0/16
allow 192.168.1.0/24
deny 10.0.0.213
warn 172.16.0.0/16
allow mail.example.org
deny default' ]
	hostcheck -c "$T/rules"
	run check 10.1.200.3 "$T/rules"; [ "$status" -eq 0 ]
	run check 10.0.0.213 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.0.0.21 "$T/rules"; [ "$status" -eq 1 ]
	grep -q ' match=default rule=8$' "$T/err"
	# misuse: exit 2 and nothing on stdout
	run --separate-stderr "$TESTS_DIR/../hostcheck/mpopd2hostcheck"
	[ "$status" -eq 2 ] && [ "$output" = "" ]
	[ "$stderr" = "usage: mpopd2hostcheck mpopd_allow_deny [mpopd_trusted]" ]
	run --separate-stderr "$TESTS_DIR/../hostcheck/mpopd2hostcheck" "$T/allow_deny" "$T/missing"
	[ "$status" -eq 2 ] && [ "$output" = "" ]
	[ "$stderr" = "mpopd2hostcheck: fatal: cannot read $T/missing" ]
}

@test "mpopd2hostcheck: regular-expression lines converted where exact, every other line named" {
	cat >"$T/allow_deny" <<'M'
# regular expressions as mpopd read them: IP =~ /^P/, NAME =~ /^P$/i
ALLOW ^198\.18\.
allow ^198\.51\.100\.7$
DENY \.dialup\.example\.net$
deny *.example.com
deny 10.2
allow ^(10|11)\.
allow ^10\.[0-9]+\.
ALLOW my_host.example
allow -1.2.3.4
allow host\d.example.org
allow 10.0$
allow 2001:db8::
   ALLOW 10.9.9.9
ALLOW 1.2.3.4.
allow ^.*\.office\.example\.org$
allow 256.1.
allow 010.1.
FROB 192.0.2.
ALLOW
M
	printf '203.0.113.\nhost.example.org\n' >"$T/trusted"
	run --separate-stderr "$TESTS_DIR/../hostcheck/mpopd2hostcheck" "$T/allow_deny" "$T/trusted"
	[ "$status" -eq 1 ]
	local A=$T/allow_deny R="is a regular expression; hostcheck has addresses, prefixes, names and .domains"
	[ "$stderr" = "mpopd2hostcheck: $T/trusted:2: cannot convert \"host.example.org\": a name in mpopd_trusted: hostcheck trusts addresses, never a name; trust the host's address instead
mpopd2hostcheck: $A:7: cannot convert \"allow ^(10|11)\\.\": \"(\" $R
mpopd2hostcheck: $A:8: cannot convert \"allow ^10\\.[0-9]+\\.\": \"[\" $R
mpopd2hostcheck: $A:9: cannot convert \"ALLOW my_host.example\": \"_\" is not allowed in a host name, hostcheck could never match it
mpopd2hostcheck: $A:10: cannot convert \"allow -1.2.3.4\": label \"-1\" begins with \"-\"
mpopd2hostcheck: $A:11: cannot convert \"allow host\\d.example.org\": \\d $R
mpopd2hostcheck: $A:12: cannot convert \"allow 10.0\$\": anchored at its end with less than a whole address: matches no address
mpopd2hostcheck: $A:13: cannot convert \"allow 2001:db8::\": mpopd compared IPv4 addresses only
mpopd2hostcheck: warning: $A:14: mpopd ignored this line: it begins with a blank
mpopd2hostcheck: $A:15: cannot convert \"ALLOW 1.2.3.4.\": a dot after the fourth octet: matches no address
mpopd2hostcheck: $A:17: cannot convert \"allow 256.1.\": \"256\" is no octet of an address as mpopd saw it: matches no address
mpopd2hostcheck: $A:18: cannot convert \"allow 010.1.\": \"010\" is no octet of an address as mpopd saw it: matches no address
mpopd2hostcheck: $A:19: cannot convert \"FROB 192.0.2.\": unknown action (ALLOW, DENY or WARN)
mpopd2hostcheck: $A:20: cannot convert \"ALLOW\": no pattern" ]
	printf '%s\n' "$output" >"$T/rules"
	# the converted rules, and nothing for the lines named above
	[ "$(grep -v '^#' "$T/rules")" = 'trust 203.0.113.0/24
allow 198.18.0.0/16
allow 198.51.100.7
deny .dialup.example.net
deny .example.com
deny 10.2.0.0/16
deny 10.20.0.0/14
deny 10.24.0.0/14
deny 10.28.0.0/15
deny 10.200.0.0/13
deny 10.208.0.0/12
deny 10.224.0.0/11
allow .office.example.org
allow default' ]
	# each unconverted line stays in the output as a comment with its number
	[ "$(grep -c '^# could not convert' "$T/rules")" -eq 13 ]
	grep -qxF "# could not convert ($A line 9): ALLOW my_host.example" "$T/rules"
	grep -qxF '# mpopd compared "10.2" with the start of the address text: it also matched 10.20-29.*, 10.200-255.*; the rules below keep that' "$T/rules"
	hostcheck -c "$T/rules"
	# and they decide as mpopd did: 10.2 was a text prefix, so 10.25.x.x too
	run check 10.2.3.4 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.25.3.4 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.255.0.1 "$T/rules"; [ "$status" -eq 1 ]
	run check 10.3.0.1 "$T/rules"; [ "$status" -eq 0 ]
	run check 10.199.0.1 "$T/rules"; [ "$status" -eq 0 ]
	run check 198.51.100.70 "$T/rules"; [ "$status" -eq 0 ]
	grep -q ' match=default rule=' "$T/err"
	run check 198.18.200.1 "$T/rules"; [ "$status" -eq 0 ]
	# the domains, through forward-confirmed names
	local dialup shop
	dialup=$(grep -nx 'deny .dialup.example.net' "$T/rules" | cut -d: -f1)
	shop=$(grep -nx 'deny .example.com' "$T/rules" | cut -d: -f1)
	run with_dns check 192.0.2.11 "$T/rules"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "hostcheck: deny ip=192.0.2.11 port=40000 host=a.dialup.example.net dns=ok match=suffix rule=$dialup" ]
	run with_dns check 198.51.100.20 "$T/rules"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "hostcheck: deny ip=198.51.100.20 port=40000 host=shop.example.com dns=ok match=suffix rule=$shop" ]
	run with_dns check 192.0.2.10 "$T/rules"
	[ "$status" -eq 0 ]
	grep -q ' host=mail.example.org dns=ok match=default ' "$T/err"
}

@test "mpopd2hostcheck: a whole address without \$ was a text prefix too; DENY with \"all\" inside was DENY ALL" {
	printf 'allow 192.0.2.1\nallow 192.0.2.25\nallow 192.0.2.250\nDENY smallville.example\n' >"$T/allow_deny"
	run --separate-stderr "$TESTS_DIR/../hostcheck/mpopd2hostcheck" "$T/allow_deny"
	[ "$status" -eq 0 ]
	[ "$stderr" = "mpopd2hostcheck: warning: $T/allow_deny:4: mpopd read \"DENY smallville.example\" as DENY ALL (its pattern holds \"all\"): deny default" ]
	printf '%s\n' "$output" >"$T/rules"
	grep -qxF '# mpopd compared "192.0.2.1" with the start of the address text: it also matched 192.0.2.10-19, 192.0.2.100-199; the rules below keep that' "$T/rules"
	hostcheck -c "$T/rules"
	local ip
	for ip in 1 10 19 25 100 150 199 250 251 255; do
		run check "192.0.2.$ip" "$T/rules"; [ "$status" -eq 0 ]
	done
	for ip in 2 9 20 26 99 200 249; do
		run check "192.0.2.$ip" "$T/rules"; [ "$status" -eq 1 ]
	done
	[ "$(tail -n 1 "$T/rules")" = "deny default" ]
}

@test "rule variables take effect in pop3login: TLS required and LOGIN-DELAY for one network only" {
	[ -x "$POP3_BIN/pop3login" ] || skip "pop3login not built"
	printf 'allow 192.0.2.0/24 POP3_REQUIRE_TLS=1 LOGIN_DELAY=30\nallow default\n' >"$T/rules"
	printf 'CAPA\r\nUSER alice\r\nQUIT\r\n' >"$T/in"
	TCPREMOTEIP=192.0.2.5 hostcheck "$T/rules" pop3login mail.example.org false \
		<"$T/in" >"$T/out" 2>/dev/null
	grep -qx $'LOGIN-DELAY 30\r' "$T/out"
	grep -qxF -e $'-ERR [AUTH] cleartext login refused: use STLS first\r' "$T/out"
	TCPREMOTEIP=198.51.100.5 hostcheck "$T/rules" pop3login mail.example.org false \
		<"$T/in" >"$T/out" 2>/dev/null
	! grep -q 'LOGIN-DELAY' "$T/out"
	! grep -q 'cleartext login refused' "$T/out"
}

@test "inetd mode over IPv6 (systemd Accept=yes on ::1): PROTO=TCP6 and the v6 rules" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback"
	printf 'allow ::1 X_RULE=v6loopback\ndeny default\n' >"$T/rules"
	local port; port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])')
	systemd-socket-activate --inetd -a -l "[::1]:$port" \
		"$(command -v hostcheck)" "$T/rules" "$T/link" "$T/env" 2>>"$T/log" &
	echo $! >>"$T/pids"
	run python3 - "$port" <<'PY'
import socket, sys, time
for attempt in range(100):
    try:
        s = socket.create_connection(("::1", int(sys.argv[1])), timeout=5)
        break
    except ConnectionRefusedError:
        time.sleep(0.05)
s.sendall(b"CAPA\r\n")
data = b""
while not data.endswith(b"+OK\r\n"):
    chunk = s.recv(100)
    if not chunk:
        break
    data += chunk
print(data.hex(), s.getsockname()[1])
PY
	local cport=${output#* }
	[ "${output% *}" = "$(hex $'+OK\r\n')" ]
	[ "$(cat "$T/env")" = "PROTO=TCP6
TCPLOCALIP=::1
TCPLOCALPORT=$port
TCPREMOTEIP=::1
TCPREMOTEPORT=$cport
X_RULE=v6loopback" ]
	grep -qx "hostcheck: allow ip=::1 port=$cport dns=skipped match=address rule=1" "$T/log"
}
