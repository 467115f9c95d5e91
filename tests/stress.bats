#!/usr/bin/env bats
# pop3stress, short runs: concurrent clients on one mailbox while a real
# delivery agent writes into it, then every message accounted for.  And
# proof that the accounting catches a lost, a doubled and an altered
# message.  The long run is `make stress` (tests/stress/run).

load helpers
load fault/chain

setup() {
	U=h8s$$
	PORT=$(free_port)
}

teardown() {
	stop_started
	remove_users
}

@test "pop3stress: usage errors exit 2 with one line" {
	run pop3stress -u x
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "pop3stress: fatal: usage: pop3stress [-H host] [-p port] -u user -w password "* ]]
	[ "${#lines[@]}" -eq 1 ]
	run pop3stress -H localhost -u x -w y
	[ "$status" -eq 2 ]
	[ "$output" = "pop3stress: fatal: the host must be a numeric address: localhost" ]
	run pop3stress -u x -w y -m retr=1,bogus=2
	[ "$status" -eq 2 ]
	[ "$output" = "pop3stress: fatal: unknown command in mix: bogus" ]
	run pop3stress -u x -w y -d 5
	[ "$status" -eq 2 ]
	[ "$output" = "pop3stress: fatal: -d needs a delivery agent (-a)" ]
}

@test "pop3stress: mbox, procmail delivering, 4 clients for 4 s: nothing lost" {
	chain_mbox_user "$U"
	chain_mbox "$PORT" "$CHAIN_MBOX"
	run pop3stress -p "$PORT" -u "$U" -w "$CHAIN_PASS" -c 4 -t 4 -i 0.5 \
		-a "procmail:$CHAIN_MBOX" -d 400 -D 40 -M "$CHAIN_MBOX" -k 16 -T 20
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result OK" ]
	local integ
	integ=$(grep '^integrity ' <<<"$output")
	[[ $integ == *" failures=0" ]]
	local delivered=${integ#integrity delivered=}
	delivered=${delivered%% *}
	[ "$delivered" -ge 5 ]
	grep -q '^sessions [0-9]* ' <<<"$output"
	! grep -q 'INTEGRITY' <<<"$output"
}

@test "pop3stress: Maildir, maildrop delivering, 4 clients for 4 s: nothing lost" {
	chain_user "$U"
	local md=$CHAIN_HOME/Maildir/
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	chown -R "$U:" "$CHAIN_HOME/Maildir"
	chain_maildir "$PORT" "$md"
	run pop3stress -p "$PORT" -u "$U" -w "$CHAIN_PASS" -c 4 -t 4 -i 0.5 \
		-a "maildrop:$md" -d 400 -D 10 -M "$md" -k 16 -T 20
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result OK" ]
	local integ
	integ=$(grep '^integrity ' <<<"$output")
	[[ $integ == *" failures=0" ]]
	local delivered=${integ#integrity delivered=}
	delivered=${delivered%% *}
	[ "$delivered" -ge 20 ]
	# the mix ran: deletions were committed and some mail was kept
	[[ $integ != *" deleted=0 "* ]]
}

@test "pop3stress: a lost, a doubled and an altered message are each named" {
	chain_user "$U"
	local md=$CHAIN_HOME/Maildir/
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	chown -R "$U:" "$CHAIN_HOME/Maildir"
	chain_maildir "$PORT" "$md"
	# a delivery agent that says yes to everything but drops message 2,
	# writes message 3 twice and appends a line to message 4
	cat >"$BATS_TEST_TMPDIR/agent" <<-EOF
	#!/bin/sh
	f=\$(mktemp -p "$md/tmp")
	cat >"\$f"
	id=\$(sed -n 's/^X-Stress-Id: [0-9a-f]*\.//p' "\$f")
	case \$id in
	2) rm -f "\$f"; exit 0 ;;
	3) cp "\$f" "$md/new/\$id.copy.stress" ;;
	4) echo "tampered" >>"\$f" ;;
	esac
	mv "\$f" "$md/new/\$id.stress"
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/agent"
	chmod o+r "$BATS_TEST_TMPDIR/agent"
	run pop3stress -p "$PORT" -u "$U" -w "$CHAIN_PASS" -c 0 -t 30 \
		-a "cmd:$BATS_TEST_TMPDIR/agent" -d 5 -D 0 -M "$md"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "result INTEGRITY FAILURE" ]
	grep -qx 'pop3stress: INTEGRITY final session: message 4 is altered' <<<"$output"
	grep -qx 'pop3stress: INTEGRITY message 2 is LOST' <<<"$output"
	grep -qx 'pop3stress: INTEGRITY message 3 is there 2 times' <<<"$output"
	grep -qx 'deliveries ok=5 failed=0' <<<"$output"
	[ "$(grep -c '^pop3stress: INTEGRITY' <<<"$output")" -eq 3 ]
	grep -qx 'integrity delivered=5 deleted=0 kept=3 deleted-unanswered=0 deleted-after-err=0 altered=1 resurrected=0 size-mismatch=0 failures=3' <<<"$output"
}
