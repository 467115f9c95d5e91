#!/usr/bin/env bats
# scripts/demo, the README's first command: set up, serve the demo user
# over curl, rerun (restarts cleanly, mailbox reset), stop, clean.
# Uses the programs of this build (POP3_DEMO_BIN) so make is not rerun.

load helpers
load ops_helpers

DEMO="$BATS_TEST_DIRNAME/../scripts/demo"

setup() {
	have_chain
	export POP3_DEMO_BIN=$POP3_BIN
	export POP3_DEMO_DIR=$BATS_TEST_TMPDIR/demo
	export POP3_DEMO_PORT=$(free_port)
	export POP3_DEMO_USER=o7d$OPS_RUN
	open_path "$BATS_TEST_TMPDIR"
}

teardown() {
	"$DEMO" clean >/dev/null 2>&1 || true
	stop_started
}

@test "ops_demo: demo serves three messages to curl, reruns cleanly, stops and cleans up" {
	run "$DEMO"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx "  curl pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/1          # fetch message 1"
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$status" -eq 0 ]
	[ "$output" = $'1 312\r\n2 312\r\n3 312\r' ]
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/2"
	[ "${lines[2]}" = $'Subject: demo message 2\r' ]
	curl -sS --max-time 10 -X DELE -I "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/1"
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$output" = $'1 312\r\n2 312\r' ]
	pid=$(head -n 1 "$POP3_DEMO_DIR/pop3d.pid")
	# a second run restarts the server and puts the three messages back
	run "$DEMO"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pop3ctl: stopped pid $pid" ]
	run curl -sS --max-time 10 "pop3://demo:demo@127.0.0.1:$POP3_DEMO_PORT/"
	[ "$output" = $'1 312\r\n2 312\r\n3 312\r' ]
	run "$DEMO" stop
	[ "$status" -eq 0 ]
	port_closed "$POP3_DEMO_PORT"
	run "$DEMO" clean
	[ "$status" -eq 0 ]
	[ ! -e "$POP3_DEMO_DIR" ]
	! id "$POP3_DEMO_USER"
}
