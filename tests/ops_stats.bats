#!/usr/bin/env bats
# pop3stats over log lines in every form a site keeps them: pop3ctl's
# file, multilog (TAI64N), syslog, tcpserver -v lines in between.

load helpers
load ops_helpers

setup() {
	LOG=$BATS_TEST_TMPDIR/log
	cat >"$LOG" <<'LOG'
tcpserver: status: 1/40
tcpserver: pid 100 from 127.0.0.1
@400000006a3f1c2b0a1b2c3d pop3d: end user=demo ip=127.0.0.1 messages=3 octets=900 retrieved=2 sent=600 deleted=1 seconds=1 how=quit
Nov 26 06:00:00 host pop3d[12]: pop3login: login user=demo ip=127.0.0.1 method=pass tls=no result=refused
checkpw: user=demo ip=127.0.0.1 backend=virtual result=refuse why=badpass
pop3login: login user=bob ip=2001:db8::1 method=apop tls=yes result=ok
pop3d: end user=bob ip=2001:db8::1 messages=1 octets=10 retrieved=1 sent=10 deleted=0 seconds=0 how=eof
pop3d: end user=bob ip=10.1.2.3 messages=1 octets=10 retrieved=0 sent=0 deleted=0 seconds=0 how=timeout
notpop3d: end user=evil ip=1.1.1.1 retrieved=99 sent=99
pop3login: login user="a b" ip=::ffff:192.168.7.9 method=plain tls=no result=temp
tcpserver: end 100 status 0
hostcheck: deny ip=10.1.2.200 port=4242 dns=skipped match=default rule=9
2026-11-26_06:00:01.50000 hostcheck: drop ip=192.168.7.1 proxy=bad reason=timeout
hostcheck: trust ip=127.0.0.1 port=1 dns=skipped match=prefix rule=1
LOG
}

@test "ops_stats: per user and per network, with totals" {
	run "$POP3STATS" "$LOG"
	[ "$status" -eq 0 ]
	expected="user                             sessions failures messages       octets
a b                                     0        1        0            0
bob                                     2        0        1           10
demo                                    1        1        2          600

network                          sessions failures messages       octets   denied
10.1.2.0/24                             1        0        0            0        1
127.0.0.0/24                            1        1        2          600        0
192.168.7.0/24                          0        1        0            0        1
2001:db8::/64                           1        0        1           10        0

total                                   3        2        3          610        2"
	[ "$output" = "$expected" ]
}

@test "ops_stats: -n with other prefix lengths, from stdin" {
	run sh -c "\"$POP3STATS\" -n -4 8 -6 32 <\"$LOG\""
	[ "$status" -eq 0 ]
	expected="network                          sessions failures messages       octets   denied
10.0.0.0/8                              1        0        0            0        1
127.0.0.0/8                             1        1        2          600        0
192.0.0.0/8                             0        1        0            0        1
2001:db8::/32                           1        0        1           10        0"
	[ "$output" = "$expected" ]
}

@test "ops_stats: -u only; bad usage and a missing file are refused" {
	run "$POP3STATS" -u "$LOG"
	[ "${lines[0]}" = "user                             sessions failures messages       octets" ]
	[ "${#lines[@]}" -eq 4 ]
	run "$POP3STATS" -4 33 "$LOG"
	[ "$status" -eq 2 ]
	run "$POP3STATS" "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 1 ]
	[ "$output" = "pop3stats: cannot read $BATS_TEST_TMPDIR/none" ]
}

@test "ops_stats: escaped log values stay escaped, and a quoted one ends at its quote" {
	printf '%s\n' \
		'pop3login: login user="evil user\x22 result=ok\x1b[2J" ip=192.0.2.8 method=pass tls=no result=refused' \
		'pop3d: end user=a\x5cb ip=192.0.2.8 messages=1 octets=5 retrieved=1 sent=5 deleted=0 seconds=0 how=quit' \
		>"$BATS_TEST_TMPDIR/esc"
	run "$POP3STATS" -u "$BATS_TEST_TMPDIR/esc"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = 'a\x5cb                                  1        0        1            5' ]
	[ "${lines[2]}" = 'evil user\x22 result=ok\x1b[2J          0        1        0            0' ]
}

@test "ops_stats: -s and -e count the lines stamped in the period, by tai64n or ISO 8601 stamp" {
	# 0x6a3f1c2b - 10 s is 2026-06-27 00:41:05 UTC
	[ "$(date -u -d @$((0x6a3f1c2b - 10)) '+%F %T')" = "2026-06-27 00:41:05" ]
	run "$POP3STATS" -u -s '2026-06-27 00:41:05' -e '2026-06-27 00:41:06' "$LOG"
	[ "$status" -eq 0 ]
	[ "$output" = "user                             sessions failures messages       octets
demo                                    1        0        2          600" ]
	run "$POP3STATS" -u -s '2026-06-27 00:41:06' "$LOG"
	[ "${#lines[@]}" -eq 1 ]
	printf '%s\n' \
		'2026-12-04T19:00:00Z pop3d: end user=z ip=192.0.2.1 retrieved=1 sent=1' \
		'2026-12-04 20:30:00+01:00 pop3d: end user=p ip=192.0.2.1 retrieved=1 sent=1' \
		'2026-12-04T18:00:00.123456-01:00 pop3d: end user=m ip=192.0.2.1 retrieved=1 sent=1' \
		'2026-12-04_19:59:59.99999 pop3d: end user=late ip=192.0.2.1 retrieved=1 sent=1' \
		'2026-12-04T20:00:00Z pop3d: end user=out ip=192.0.2.1 retrieved=1 sent=1' \
		'Dec  4 19:30:00 host pop3d: end user=nostamp ip=192.0.2.1 retrieved=1 sent=1' \
		'pop3d: end user=nostamp ip=192.0.2.1 retrieved=1 sent=1' >"$BATS_TEST_TMPDIR/iso"
	run "$POP3STATS" -u -s '2026-12-04 19:00' -e '2026-12-04 20:00' "$BATS_TEST_TMPDIR/iso"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" = "late m p z " ]
	run "$POP3STATS" -s yesterday-is-not-a-time "$LOG"
	[ "$status" -eq 2 ]
	[ "$output" = "pop3stats: not a time: yesterday-is-not-a-time" ]
}

@test "ops_stats: -t gives the totals one a line, with logins accepted and messages deleted" {
	run "$POP3STATS" -t "$LOG"
	[ "$status" -eq 0 ]
	[ "$output" = "logins_ok 1
logins_failed 2
sessions 3
messages_retrieved 3
octets_sent 610
messages_deleted 1
denied 2" ]
}
