#!/usr/bin/env bats
# pop3d in a chain over tcpserver on loopback: pop3login, a checker that
# accepts anyone, tests/fakeexpose, pop3d.  curl and python3 poplib do
# whole sessions and the bytes they get equal the stored messages.

load helpers

T=$BATS_TEST_DIRNAME/transcripts/pop3d
FAKE=$POP3_BIN/tests/fakeexpose

setup() {
	[ -x "$POP3_BIN/pop3login" ] || skip "pop3login not built"
	cat >"$BATS_TEST_TMPDIR/okcheck" <<'SH'
#!/bin/bash
# A checkpassword stand-in: reads fd 3, accepts, sets USER.
IFS= read -r -d '' user <&3
USER=$user
export USER
exec "$@"
SH
	chmod +x "$BATS_TEST_TMPDIR/okcheck"
	PORT=$(free_port)
	start_tcpserver "$PORT" pop3login mail.example.org "$BATS_TEST_TMPDIR/okcheck" \
		"$FAKE" -r -o "$BATS_TEST_TMPDIR/report" "$T/mail" pop3d
}

teardown() {
	stop_started
	remove_users
}

# The stored message as a client must receive it (CR LF, final CR LF).
wire_form() {
	python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
lines = b.replace(b"\r\n", b"\n").split(b"\n")
if lines[-1] == b"":
    lines.pop()
sys.stdout.buffer.write(b"".join(l + b"\r\n" for l in lines))' "$1"
}

@test "pop3d chain: curl RETR gets every stored message byte for byte" {
	command -v curl >/dev/null || skip "no curl"
	local i=0 f
	for f in "$T"/mail/*; do
		i=$((i + 1))
		curl -sS --max-time 10 "pop3://127.0.0.1:$PORT/$i" -u bob:secret >"$BATS_TEST_TMPDIR/got"
		if [ -s "$f" ]; then
			wire_form "$f" | cmp - "$BATS_TEST_TMPDIR/got"
		else
			# curl's end-of-body scan prints the CR LF of "+OK 0 octets"
			# for an empty message ("+OK 0 octets\r\n.\r\n" on the wire).
			printf '\r\n' | cmp - "$BATS_TEST_TMPDIR/got"
		fi
	done
	[ "$i" -eq 4 ]
}

@test "pop3d chain: curl LIST, UIDL, TOP and DELE" {
	command -v curl >/dev/null || skip "no curl"
	run curl -sS --max-time 10 "pop3://127.0.0.1:$PORT/" -u bob:secret
	[ "$output" = "$(printf '1 146\r\n2 136\r\n3 100\r\n4 0\r')" ]
	run curl -sS --max-time 10 "pop3://127.0.0.1:$PORT/" -u bob:secret -X UIDL
	[ "$output" = "$(printf '1 01-plain\r\n2 02-crlf-status\r\n3 03-mboxrd-nul\r\n4 04-empty\r')" ]
	run curl -sS --max-time 10 "pop3://127.0.0.1:$PORT/" -u bob:secret -X 'TOP 1 1'
	[ "$output" = "$(printf 'From: alice@example.org\r\nTo: bob@example.org\r\nSubject: plain\r\n\r\nHello Bob.\r')" ]
	curl -sS --max-time 10 "pop3://127.0.0.1:$PORT/2" -u bob:secret -X DELE -I
	[ "$(cat "$BATS_TEST_TMPDIR/report")" = "$(printf 'D 2\n.')" ]
	wait_log 'pop3d: end user=bob ip=127.0.0.1 messages=4 octets=382 retrieved=0 sent=[0-9]* deleted=1 seconds=[0-9]* how=quit'
}

@test "pop3d chain: python3 poplib session (LIST, UIDL, RETR, TOP, DELE, QUIT)" {
	run python3 - "$PORT" "$T/mail" <<'PY'
import os, poplib, sys
port, mail = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("bob")
p.pass_("secret")
names = sorted(os.listdir(mail))
resp, listing, _ = p.list()
assert len(listing) == len(names)
for i, name in enumerate(names, 1):
    stored = open(os.path.join(mail, name), "rb").read()
    want = stored.replace(b"\r\n", b"\n").split(b"\n")
    if want[-1] == b"":
        want.pop()
    resp, lines, octets = p.retr(i)
    assert lines == want, (name, lines, want)
    assert p.uidl(i).split()[2].decode() == name
resp, lines, _ = p.top(1, 0)
assert lines == [b"From: alice@example.org", b"To: bob@example.org", b"Subject: plain", b""], lines
p.dele(1)
p.dele(3)
print(p.quit().decode())
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "+OK bye" ]
	[ "$(cat "$BATS_TEST_TMPDIR/report")" = "$(printf 'D 1\nR 2\nD 3\nR 4\n.')" ]
}
