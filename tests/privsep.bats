#!/usr/bin/env bats
# Least privilege, read from /proc during live sessions: which process of
# a session holds the spool group, and what exactly pop3d's credentials
# can open.  The chain is the one doc/checkpw.8 recommends, checkpw -g
# mail mboxsplit pop3d, over Debian's root:mail 2775 /var/mail.
load helpers

U=psuser1
OTHER=psother1

setup() {
	[ "$(stat -c %G /var/mail)" = mail ] || skip "/var/mail is not group mail"
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	make_user $U
	make_user $OTHER
	usermod -p "$(python3 -c 'import crypt; print(crypt.crypt("pspass", "$6$psalt"))' 2>/dev/null ||
		openssl passwd -6 -salt psalt pspass)" $U
	MAILGID=$(getent group mail | cut -d: -f3)
	UGID=$(id -g $U)
	for u in $U $OTHER; do
		make_mbox /var/mail/$u 3
		chown $u:mail /var/mail/$u
		chmod 660 /var/mail/$u
	done
}

teardown() {
	[ -f "$T/go" ] || touch "$T/go" 2>/dev/null || true
	stop_started
	rm -f /var/mail/$U /var/mail/$OTHER /var/mail/$U.lock
	rm -rf "$T/Maildir"
	remove_users
}

# hold_session: logs in as $U, says so by creating $T/in, stays logged in
# until $T/go exists (at most 20 s), then STAT and QUIT; the answers go
# to $T/client.
hold_session() {
	python3 - "$PORT" "$T" >"$T/client" 2>&1 <<'PY' &
import os, poplib, sys, time
port, t = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=20)
p.user("psuser1")
p.pass_("pspass")
open(t + "/in", "w").close()
for _ in range(400):
    if os.path.exists(t + "/go"):
        break
    time.sleep(0.05)
print(p.stat()[0])
print(p.quit().decode()[:3])
PY
	echo $! >>"$T/pids"
	local i
	for i in $(seq 1 200); do [ -e "$T/in" ] && return 0; sleep 0.05; done
	echo "never logged in: $(cat "$T/client")" >&2
	return 1
}

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

# confinement comes right after the answer that lets the client on
# (the greeting, the +OK to PASS): wait for it, at most 2 s
wait_confined() {
	local i
	for i in $(seq 1 40); do
		[ "$(status_field "$1" Seccomp)" = 2 ] && return 0
		sleep 0.05
	done
	return 1
}

end_session() {
	touch "$T/go"
	local i
	for i in $(seq 1 200); do grep -q '^+OK' "$T/client" && return 0; sleep 0.05; done
	cat "$T/client" >&2
	return 1
}

@test "privsep: in an mbox session only the spool helper holds group mail, as its saved gid" {
	start_tcpserver "$PORT" pop3login -d 0 mail.test checkpw -s -g mail -M '' mboxsplit pop3d
	hold_session
	pop3d=$(pgrep -u $U -x pop3d)
	worker=$(awk '$1 == "PPid:" { print $2 }' /proc/$pop3d/status)
	helper=$(pgrep -P "$worker" -x mboxsplit)
	[ -n "$pop3d" ] && [ -n "$worker" ] && [ -n "$helper" ]
	[ "$(cat /proc/$worker/comm)" = mboxsplit ]
	# pop3d and the worker: the user's gid in all four slots, the user's
	# own groups only
	for pid in $pop3d $worker; do
		[ "$(status_field $pid Gid)" = "$UGID $UGID $UGID $UGID" ]
		[ "$(status_field $pid Groups)" = "$UGID" ]
	done
	# the helper: group mail as saved gid only, lowered while idle, and
	# not dumpable (so its /proc files are root's, and no ptrace by uid)
	[ "$(status_field $helper Gid)" = "$UGID $UGID $MAILGID $UGID" ]
	[ "$(status_field $helper Groups)" = "$UGID" ]
	[ "$(stat -c %U /proc/$helper/status)" = root ]
	# pop3d's mailbox descriptor is read-only
	flags=$(awk '$1 == "flags:" { print $2 }' /proc/$pop3d/fdinfo/6)
	[ $((8#$flags & 3)) -eq 0 ]
	# pop3d and the worker parse mail and client bytes: both confined
	# (lib/confine.h); the helper, which parses nothing, is not
	for pid in $pop3d $worker; do
		wait_confined $pid
		[ "$(status_field $pid Seccomp)" = 2 ]
		[ "$(status_field $pid NoNewPrivs)" = 1 ]
	done
	[ "$(status_field $helper Seccomp)" = 0 ]
	end_session
	[ "$(head -n 1 "$T/client")" = 3 ]
}

@test "privsep: with exactly pop3d's credentials another user's mailbox cannot be opened" {
	start_tcpserver "$PORT" pop3login -d 0 mail.test checkpw -s -g mail -M '' mboxsplit pop3d
	hold_session
	pop3d=$(pgrep -u $U -x pop3d)
	uid=$(status_field $pop3d Uid | cut -d' ' -f1)
	gid=$(status_field $pop3d Gid | cut -d' ' -f1)
	groups=$(status_field $pop3d Groups | tr ' ' ,)
	end_session
	run setpriv --reuid="$uid" --regid="$gid" --groups="$groups" cat /var/mail/$OTHER
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	run setpriv --reuid="$uid" --regid="$gid" --groups="$groups" sh -c "echo x >>/var/mail/$OTHER"
	[ "$status" -ne 0 ]
	run setpriv --reuid="$uid" --regid="$gid" --groups="$groups" rm -f /var/mail/$OTHER
	[ "$status" -ne 0 ]
	[ -f /var/mail/$OTHER ]
	# the check can fail: the group the helper keeps would open it
	run setpriv --reuid="$uid" --regid="$MAILGID" --groups="$groups" cat /var/mail/$OTHER
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: message 1"* ]]
}

@test "privsep: a Maildir session behind checkpw -g mail drops the group in maildirscan and pop3d" {
	mkdir -p "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp"
	printf 'Subject: one\n\nbody\n' >"$T/Maildir/new/1700000000.1.test"
	chown -R $U: "$T/Maildir"
	chmod 711 "$T"
	start_tcpserver "$PORT" pop3login -d 0 mail.test checkpw -s -g mail -m "$T/Maildir/" maildirscan pop3d
	hold_session
	pop3d=$(pgrep -u $U -x pop3d)
	scan=$(awk '$1 == "PPid:" { print $2 }' /proc/$pop3d/status)
	[ "$(cat /proc/$scan/comm)" = maildirscan ]
	for pid in $pop3d $scan; do
		[ "$(status_field $pid Gid)" = "$UGID $UGID $UGID $UGID" ]
		[ "$(status_field $pid Groups)" = "$UGID" ]
		wait_confined $pid
		[ "$(status_field $pid Seccomp)" = 2 ]
		[ "$(status_field $pid NoNewPrivs)" = 1 ]
	done
	end_session
	[ "$(head -n 1 "$T/client")" = 1 ]
}

@test "privsep: the pre-auth dialogue is chrooted, unprivileged and confined" {
	start_tcpserver "$PORT" pop3login -d 0 mail.test checkpw -s -g mail -M '' mboxsplit pop3d
	python3 - "$PORT" "$T" >"$T/client" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.recv(512)
open(sys.argv[2] + "/in", "w").close()
for _ in range(400):
    if os.path.exists(sys.argv[2] + "/go"):
        break
    time.sleep(0.05)
s.sendall(b"QUIT\r\n")
print(s.recv(512).decode().strip())
PY
	echo $! >>"$T/pids"
	for i in $(seq 1 200); do [ -e "$T/in" ] && break; sleep 0.05; done
	# this test's own: tcpserver's pop3login (root), and its child
	parent=$(pgrep -P "$(head -n 1 "$T/pids")" -x pop3login)
	child=$(pgrep -P "$parent" -x pop3login)
	[ -n "$parent" ] && [ -n "$child" ]
	[ "$(status_field $child Uid)" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ]
	[ "$(status_field $child Groups)" = "" ]
	wait_confined $child
	[ "$(status_field $child Seccomp)" = 2 ]
	[ "$(status_field $child NoNewPrivs)" = 1 ]
	[ "$(status_field $child CapEff)" = 0000000000000000 ]
	# its root is the removed directory it was made for
	[[ "$(readlink /proc/$child/root)" == "/tmp/pop3login."*" (deleted)" ]]
	touch "$T/go"
	for i in $(seq 1 200); do grep -q '^+OK' "$T/client" && break; sleep 0.05; done
	[[ "$(cat "$T/client")" == "+OK"* ]]
}
