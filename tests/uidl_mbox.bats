#!/usr/bin/env bats
# UIDL continuity for mbox (issue 17): Debian's own popa3d and
# dovecot-pop3d serve an mbox, then mboxsplit with UIDL_FORMAT serves the
# same file and must list the very ids they listed, message by message,
# and keep them through its own write-back and beside new mail.  The
# peers are the real servers (tests/bench/peers.sh); if they cannot be
# started the test fails.

load helpers

# The scratch directory (popa3d's .deb and root, the peers'
# configurations, the users' homes) must be reachable by the servers'
# own users, which bats' temporary directory is not.
setup_file() {
	BENCH_DIR=$(mktemp -d /tmp/uidlmb.XXXXXX)
	chmod 755 "$BENCH_DIR"
	export BENCH_DIR BENCH_PREFIX=uidlmb BENCH_USERS=1
	# shellcheck source=tests/bench/peers.sh
	. "$TESTS_DIR/bench/peers.sh"
	peers_install
	# no peer, no comparison: fail, never skip
	[ -x "$POPA3D_ROOT/usr/sbin/popa3d" ] || { echo "popa3d could not be unpacked" >&2; return 1; }
	[ -x /usr/lib/dovecot/pop3 ] || { echo "dovecot-pop3d is not installed" >&2; return 1; }
	bench_user
}

teardown_file() {
	. "$TESTS_DIR/bench/peers.sh"
	peers_stop
	rm -f /var/mail/uidlmb1 /var/mail/uidlmb1.lock
	bench_user_remove
	case $BENCH_DIR in /tmp/uidlmb.*) rm -rf "$BENCH_DIR" ;; esac
}

setup() {
	. "$TESTS_DIR/bench/peers.sh"
	BENCH_UID=$(id -u uidlmb1)
	MB=/var/mail/uidlmb1
}

teardown() {
	peers_stop
}

# The mailbox: headers of the kinds popa3d hashes and does not (a
# folded Received, Message-ID before and after it, Delivered-To,
# X-Delivery-ID, Status, X-UIDL), every message told apart by them.
write_mbox() {
	python3 - "$MB" <<'PY'
import sys
msgs = []
for i in range(1, 7):
    h = [f"From sender{i}@example.org Mon Jan  1 00:00:0{i} 2024"]
    if i % 2:
        h.append(f"Message-ID: <early{i}@example.org>")
    h.append(f"Received: from relay{i}.example.org by mx.example.org;\n\tMon, 1 Jan 2024 00:0{i}:00 +0000")
    h.append(f"Received: from far{i}.example.net by relay{i}.example.org")
    h.append(f"Date: Mon, 1 Jan 2024 00:00:0{i} +0000")
    h.append(f"Message-ID: <late{i}@example.org>")
    if i == 3:
        h.append("Delivered-To: uidlmb1@example.org")
        h.append("X-Delivery-ID: 3x")
    if i == 4:
        h.append("Status: O")
    if i == 5:
        h.append("X-UIDL: qpopper-era-5")
    h.append(f"Subject: test {i}")
    msgs.append("\n".join(h) + f"\n\nbody {i}\n\n")
open(sys.argv[1], "w").write("".join(msgs))
PY
	chown uidlmb1:mail "$MB"
	chmod 660 "$MB"
	touch -d '-5 seconds' "$MB"
}

append_mail() {
	printf 'From new@example.org Tue Jan  2 00:00:00 2024\nReceived: from new.example.org by mx.example.org\nMessage-ID: <new@example.org>\nSubject: after the switch\n\nnew\n\n' >>"$MB"
	touch -d '-5 seconds' "$MB"
}

# pop PORT [COMMAND...]: logs in, runs the commands (RETR N, DELE N),
# prints the UIDL list, one "N id" a line, and QUITs.
pop() {
	python3 - "$@" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user("uidlmb1"); p.pass_("bench-pass-1")
for c in sys.argv[2:]:
    verb, n = c.split()
    (p.retr if verb == "RETR" else p.dele)(int(n))
for line in p.uidl()[1]:
    print(line.decode())
p.quit()
PY
}

# toolkit FORMAT PORT [EXPOSER OPTIONS]
toolkit() {
	UIDL_FORMAT=$1 CHECKPW_OPTS='-d $6$' TOOLKIT_EXPOSER_OPTS="-R ${3:-}" \
		toolkit_start "$2" /var/mail/%u
}

# The list less message 1, renumbered.
drop_first() {
	awk 'NR > 1 { print NR - 1, $2 }'
}

@test "popa3d: the same ids from mboxsplit, kept through its write-back" {
	write_mbox
	local pp tp
	pp=$(free_port) tp=$(free_port)
	popa3d_start "$pp"
	pop "$pp" >"$BATS_TEST_TMPDIR/popa3d"
	peers_stop
	[ "$(wc -l <"$BATS_TEST_TMPDIR/popa3d")" -eq 6 ]
	[ "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/popa3d" | sort -u | wc -l)" -eq 6 ]
	grep -Eq '^1 [0-9a-f]{16}$' "$BATS_TEST_TMPDIR/popa3d"
	toolkit popa3d "$tp"
	pop "$tp" >"$BATS_TEST_TMPDIR/toolkit"
	diff "$BATS_TEST_TMPDIR/popa3d" "$BATS_TEST_TMPDIR/toolkit"
	# a write-back that drops message 1 and adds Status: RO to message 2
	pop "$tp" "RETR 2" "DELE 1" >/dev/null
	grep -q '^Status: RO' "$MB"
	pop "$tp" >"$BATS_TEST_TMPDIR/after"
	drop_first <"$BATS_TEST_TMPDIR/popa3d" | diff - "$BATS_TEST_TMPDIR/after"
	# new mail: popa3d itself agrees on every id, the old ones unchanged
	append_mail
	pop "$tp" >"$BATS_TEST_TMPDIR/toolkit2"
	peers_stop
	head -5 "$BATS_TEST_TMPDIR/toolkit2" | diff "$BATS_TEST_TMPDIR/after" -
	popa3d_start "$pp"
	pop "$pp" >"$BATS_TEST_TMPDIR/popa3d2"
	diff "$BATS_TEST_TMPDIR/popa3d2" "$BATS_TEST_TMPDIR/toolkit2"
}

@test "dovecot: X-UID and X-IMAPbase give Dovecot's ids, kept when their holder goes" {
	write_mbox
	local dp tp
	dp=$(free_port) tp=$(free_port)
	dovecot_start "$dp" /var/mail/%u
	pop "$dp" >"$BATS_TEST_TMPDIR/dovecot"
	peers_stop
	# Dovecot (default settings, its index elsewhere) wrote its uids
	# into the mailbox during that session
	[ "$(grep -c '^X-UID: ' "$MB")" -eq 6 ]
	[ "$(grep -c '^X-IMAPbase: ' "$MB")" -eq 1 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dovecot")" -eq 6 ]
	grep -Eq '^1 00000001[0-9a-f]{8}$' "$BATS_TEST_TMPDIR/dovecot"
	toolkit dovecot "$tp"
	pop "$tp" >"$BATS_TEST_TMPDIR/toolkit"
	diff "$BATS_TEST_TMPDIR/dovecot" "$BATS_TEST_TMPDIR/toolkit"
	# message 1 holds the X-IMAPbase: its deletion hands it on
	pop "$tp" "RETR 2" "DELE 1" >/dev/null
	grep -q '^Status: RO' "$MB"
	[ "$(grep -c '^X-IMAPbase: ' "$MB")" -eq 1 ]
	pop "$tp" >"$BATS_TEST_TMPDIR/after"
	drop_first <"$BATS_TEST_TMPDIR/dovecot" | diff - "$BATS_TEST_TMPDIR/after"
	# new mail gets the toolkit's own id; the old ones stay
	append_mail
	pop "$tp" >"$BATS_TEST_TMPDIR/toolkit2"
	head -5 "$BATS_TEST_TMPDIR/toolkit2" | diff "$BATS_TEST_TMPDIR/after" -
	grep -Eq '^6 [0-9a-f]{32}$' "$BATS_TEST_TMPDIR/toolkit2"
	# and Dovecot, back on the rewritten file, still knows the old ones
	peers_stop
	dovecot_start "$dp" /var/mail/%u
	pop "$dp" | head -5 | diff "$BATS_TEST_TMPDIR/after" -
}

@test "dovecot: a cached index gives the same ids and hands X-IMAPbase on" {
	write_mbox
	local dp tp
	dp=$(free_port) tp=$(free_port)
	dovecot_start "$dp" /var/mail/%u
	pop "$dp" >"$BATS_TEST_TMPDIR/dovecot"
	peers_stop
	rm -f "$BENCH_DIR/home/.pop3cache"
	toolkit dovecot "$tp" "-C ~/.pop3cache"
	pop "$tp" >/dev/null
	[ -s "$BENCH_DIR/home/.pop3cache" ]
	pop "$tp" >"$BATS_TEST_TMPDIR/hit"
	diff "$BATS_TEST_TMPDIR/dovecot" "$BATS_TEST_TMPDIR/hit"
	pop "$tp" "DELE 1" >/dev/null
	[ "$(grep -c 'cache=hit' "$BENCH_DIR/toolkit.log")" -ge 2 ]
	[ "$(grep -c '^X-IMAPbase: ' "$MB")" -eq 1 ]
	pop "$tp" >"$BATS_TEST_TMPDIR/after"
	drop_first <"$BATS_TEST_TMPDIR/dovecot" | diff - "$BATS_TEST_TMPDIR/after"
	# the same cache under another format is not used
	peers_stop
	toolkit own "$tp" "-C ~/.pop3cache"
	pop "$tp" >"$BATS_TEST_TMPDIR/own"
	[ "$(grep -Ec '^[0-9]+ [0-9a-f]{32}$|qpopper-era-5' "$BATS_TEST_TMPDIR/own")" -eq 5 ]
}

@test "dovecot: the pseudo message Dovecot leaves in an emptied mailbox is hidden, as Dovecot hides it" {
	write_mbox
	local dp tp
	dp=$(free_port) tp=$(free_port)
	dovecot_start "$dp" /var/mail/%u
	pop "$dp" "DELE 1" "DELE 2" "DELE 3" "DELE 4" "DELE 5" "DELE 6" >/dev/null
	grep -q "^Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA" "$MB"
	grep -q '^X-IMAP: ' "$MB"
	append_mail
	append_mail
	pop "$dp" >"$BATS_TEST_TMPDIR/dovecot"
	peers_stop
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dovecot")" -eq 2 ]
	grep -Eq '^1 00000007[0-9a-f]{8}$' "$BATS_TEST_TMPDIR/dovecot"
	toolkit dovecot "$tp"
	pop "$tp" >"$BATS_TEST_TMPDIR/toolkit"
	diff "$BATS_TEST_TMPDIR/dovecot" "$BATS_TEST_TMPDIR/toolkit"
	pop "$tp" "RETR 1" "DELE 1" >/dev/null
	grep -q '^X-IMAP: ' "$MB"
	pop "$tp" >"$BATS_TEST_TMPDIR/after"
	drop_first <"$BATS_TEST_TMPDIR/dovecot" | diff - "$BATS_TEST_TMPDIR/after"
}

@test "UIDL_FORMAT: an unknown value refuses the session" {
	write_mbox
	local tp
	tp=$(free_port)
	toolkit nosuchserver "$tp"
	run pop "$tp"
	[ "$status" -ne 0 ]
	grep -q 'mboxsplit: fatal: UIDL_FORMAT names no format' "$BENCH_DIR/toolkit.log"
}
