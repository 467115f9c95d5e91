#!/usr/bin/env bats
# UIDL_FORMAT on a Maildir: after a switch from Debian's Dovecot, from
# qmail-pop3d or from Courier, the chain gives every message the UIDL the
# old server gave it (doc/migration-dovecot.md, doc/migration-qmail.md).
# Dovecot itself writes the dovecot-uidlist here, in one real session;
# this file fails, not skips, where Dovecot is not installed.

load helpers

setup_file() {
	# The user's Maildir must be reachable by the user: not under bats'
	# private temporary directory.
	BENCH_DIR=$(mktemp -d /tmp/uidlmd.XXXXXX)
	chmod 755 "$BENCH_DIR"
	export BENCH_DIR BENCH_PREFIX=uidlmd BENCH_USERS=1
	# shellcheck source=tests/bench/peers.sh
	. "$BATS_TEST_DIRNAME/bench/peers.sh"
	bench_user
	OLD=$BENCH_DIR/dovecot/Maildir
	export OLD
	mkdir -p "$OLD/cur" "$OLD/new" "$OLD/tmp"
	# qmail's names, Courier's and Dovecot's, seen and unseen, in cur/ and new/
	put "$OLD/cur/1700000000.12345.mail.example.org:2,S" one
	put "$OLD/cur/1700000100.M20P7.mx,S=23:2," two
	put "$OLD/new/1700000200.M30P8.mx,S=27" three
	put "$OLD/new/1700000300.M40P9.mx" four
	chown -R "$BENCH_USER:" "$BENCH_DIR/dovecot"
	if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/pop3 ]; then
		echo missing >"$BENCH_DIR/no-dovecot"
		return 0
	fi
	local port
	port=$(free_port)
	dovecot_start "$port" "$OLD/" 3>&- 4>&- 5>&-
	client "$port" >"$BENCH_DIR/dovecot.uidl" 2>"$BENCH_DIR/dovecot.err" || true
	peers_stop
}

teardown_file() {
	. "$BATS_TEST_DIRNAME/bench/peers.sh"
	peers_stop
	bench_user_remove
	rm -rf "$BENCH_DIR"
}

teardown() {
	stop_started
}

# put FILE WORD: a message whose name's ,S= (if any) is its size.
put() {
	printf 'Subject: %s\n\nbody %s\n' "$2" "$2" >"$1"
}

# client PORT: logs in and prints the UIDL listing, one "N ID" a line,
# or the server's -ERR on stderr (exit 1).
client() {
	python3 - "$1" "${BENCH_PREFIX}1" "${BENCH_PASS:-bench-pass-1}" <<'PY'
import poplib, sys
try:
    p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
    p.user(sys.argv[2])
    p.pass_(sys.argv[3])
    for l in p.uidl()[1]:
        print(l.decode())
    p.quit()
except poplib.error_proto as e:
    sys.stderr.write(str(e) + '\n')
    sys.exit(1)
PY
}

# toolkit FORMAT MAILDIR: the chain on MAILDIR with UIDL_FORMAT=FORMAT;
# sets PORT.
toolkit() {
	PORT=$(free_port)
	UIDL_FORMAT=$1 start_tcpserver "$PORT" "$POP3_BIN/pop3login" uidl.localhost \
		"$POP3_BIN/checkpw" -g mail -m "$2/" "$POP3_BIN/maildirscan" "$POP3_BIN/pop3d"
}

# copy NAME: a copy of the Maildir Dovecot served, for one test to change.
copy() {
	cp -a "$OLD" "$BENCH_DIR/$1"
	echo "$BENCH_DIR/$1"
}

need_dovecot() {
	if [ -e "$BENCH_DIR/no-dovecot" ]; then
		echo "Dovecot is not installed (dovecot-core, dovecot-pop3d: .ci/packages)"
		return 1
	fi
	[ -s "$BENCH_DIR/dovecot.uidl" ] || { cat "$BENCH_DIR/dovecot.err"; return 1; }
	[ -f "$OLD/dovecot-uidlist" ] || { echo "Dovecot wrote no dovecot-uidlist"; return 1; }
}

@test "dovecot: the chain lists the UIDLs Dovecot listed, message by message" {
	need_dovecot
	# Dovecot's own listing: %08Xu%08Xv (lower-case hex, as Dovecot prints %X), uids 1..4 in delivery order
	[ "$(wc -l <"$BENCH_DIR/dovecot.uidl")" -eq 4 ]
	v=$(printf '%08x' "$(head -1 "$OLD/dovecot-uidlist" | sed 's/.* V\([0-9]*\) .*/\1/')")
	[ "$(cut -d' ' -f2 "$BENCH_DIR/dovecot.uidl" | tr '\n' ' ')" = \
		"00000001$v 00000002$v 00000003$v 00000004$v " ]
	toolkit dovecot "$OLD"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BENCH_DIR/dovecot.uidl")" ]
	grep -q 'olduidl file=dovecot-uidlist entries=4 ignored=0' "$BATS_TEST_TMPDIR/log"
}

@test "dovecot: mail after the switch gets an own id, the old ids stay" {
	need_dovecot
	md=$(copy after)
	put "$md/new/1700000400.M50P1.mx,S=25" five
	chown "$BENCH_USER:" "$md/new/1700000400.M50P1.mx,S=25"
	toolkit dovecot "$md"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BENCH_DIR/dovecot.uidl")
5 1700000400.M50P1.mx" ]
	# and a second session sees the same
	run client "$PORT"
	[ "$output" = "$(cat "$BENCH_DIR/dovecot.uidl")
5 1700000400.M50P1.mx" ]
}

@test "dovecot: a saved pop3_uidl wins; a broken uidlist leaves own ids" {
	need_dovecot
	md=$(copy saved)
	sed -i 's/^2 \(.*\):/2 \1Pold-server-id-2 :/' "$md/dovecot-uidlist"
	toolkit dovecot "$md"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 2p)" = "2 old-server-id-2" ]
	printf '9 garbage\n' >"$md/dovecot-uidlist"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1700000000.12345.mail.example.org
2 1700000100.M20P7.mx
3 1700000200.M30P8.mx
4 1700000300.M40P9.mx" ]
	grep -q 'olduidl file=dovecot-uidlist used=0 why="not a version 1 or 3 dovecot-uidlist"' \
		"$BATS_TEST_TMPDIR/log"
}

@test "qmail: the name up to ':', its ,S= included; own ids unchanged" {
	md=$(copy qmail)
	toolkit qmail "$md"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1700000000.12345.mail.example.org
2 1700000100.M20P7.mx,S=23
3 1700000200.M30P8.mx,S=27
4 1700000300.M40P9.mx" ]
	stop_started
	toolkit own "$md"
	run client "$PORT"
	[ "$output" = "1 1700000000.12345.mail.example.org
2 1700000100.M20P7.mx
3 1700000200.M30P8.mx
4 1700000300.M40P9.mx" ]
}

@test "courier: ids from a courierpop3dsizelist, names for mail it does not list" {
	md=$(copy courier)
	rm -f "$md"/dovecot-*
	# As Courier's pop3d writes it (version 3): NAME SIZE UID:UIDV:UTF8,
	# the names with the flags they had then.
	cat >"$md/courierpop3dsizelist" <<-'EOF'
	/3 4 1699990000
	1700000000.12345.mail.example.org:2,S 22 1:1699990000:0
	1700000100.M20P7.mx,S=23:2,S 26 2:1699990000:0
	1700000200.M30P8.mx,S=27 28 3:1690000000:0
	EOF
	chown "$BENCH_USER:" "$md/courierpop3dsizelist"
	toolkit courier "$md"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "1 UID1-1699990000
2 UID2-1699990000
3 UID3-1690000000
4 1700000300.M40P9.mx" ]
	grep -q 'olduidl file=courierpop3dsizelist entries=3 ignored=0' "$BATS_TEST_TMPDIR/log"
}

@test "an unknown UIDL_FORMAT refuses the session, with a log line" {
	md=$(copy unknown)
	toolkit dovecott "$md"
	run client "$PORT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"-ERR [SYS/PERM]"* ]]
	grep -q 'maildirscan: fatal: UIDL_FORMAT="dovecott" names no UIDL format' \
		"$BATS_TEST_TMPDIR/log"
}

@test "ids stay unique: an old id taken twice, or equal to another message's own id" {
	md=$(copy unique)
	# A recorded uidlist: messages 1 and 2 saved with one pop3_uidl, and
	# message 1's equal to message 4's own id (message 4 is not listed).
	cat >"$md/dovecot-uidlist" <<-'EOF'
	3 V1700000000 N4 G00000000000000000000000000000000
	1 P1700000300.M40P9.mx :1700000000.12345.mail.example.org
	2 P1700000300.M40P9.mx :1700000100.M20P7.mx,S=23
	3 :1700000200.M30P8.mx,S=27
	EOF
	chown "$BENCH_USER:" "$md/dovecot-uidlist"
	toolkit dovecot "$md"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1700000300.M40P9.mx
2 1700000100.M20P7.mx
3 000000036553f100
4 1700000300.M40P9.mx-2" ]
	grep -q 'olduidl format=dovecot old_ids=3 own_ids=1' "$BATS_TEST_TMPDIR/log"
	# An old id equal to the own id of a message delivered before it: the
	# old one keeps it, whatever the order.
	printf '3 V1700000000 N4 G0\n3 P1700000000.12345.mail.example.org :1700000200.M30P8.mx,S=27\n' \
		>"$md/dovecot-uidlist"
	run client "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1700000000.12345.mail.example.org-2
2 1700000100.M20P7.mx
3 1700000000.12345.mail.example.org
4 1700000300.M40P9.mx" ]
}
