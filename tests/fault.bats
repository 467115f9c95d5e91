#!/usr/bin/env bats
# Fault injection, short runs for make check: a full disk and I/O errors
# at each write, rename and fsync of the write-back (faultshim.so), SIGKILL
# of random links while mail is delivered (killchain + pop3stress),
# clients that vanish mid-RETR, stall, or trickle bytes before login.
# After each: the mailbox is the old one or the finished session's, no
# lock is left, and the next session works.  `make stress` has the long
# runs.

load helpers
load fault/chain

TOP=$BATS_TEST_DIRNAME/..

setup() {
	U=h8f$$
	PORT=$(free_port)
	T=$BATS_TEST_TMPDIR
	# the shim is not built with ASan; under make sanitize it is loaded
	# beside the sanitizer's runtime.  No leak check at exit: killchain
	# may SIGKILL LeakSanitizer's tracer (a child of the same name), and
	# the process it was tracing then spins at exit forever.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0
}

teardown() {
	stop_started
	remove_users
}

# An mbox of 5 messages, and the same without its first message.
five_messages() {
	chain_mbox_user "$U"
	make_mbox "$T/orig" 5
	awk '/^From /{n++} n >= 2' "$T/orig" >"$T/without1"
	[ "$(grep -c '^From ' "$T/without1")" -eq 4 ]
}

fresh_copy() {
	cat "$T/orig" >"$CHAIN_MBOX"
}

# The faultshim chains run without checkpw -g: a spool group makes the
# exec of mboxsplit a secure one (AT_SECURE), for which glibc ignores
# LD_PRELOAD.  The mailbox is in the user's home and needs no group.

# write_back_faults ERRNO: the chain with faultshim in mboxsplit; for
# N = 1, 2, ...: fail mboxsplit's Nth write/rename/fsync/ftruncate of a
# DELE 1 + QUIT session, until a session meets no fault.
write_back_faults() {
	five_messages
	use_dynamic
	env LD_PRELOAD="$POP3_BIN/faultshim.so" FAULT_PROGS=mboxsplit \
		FAULT_CALLS=write,pwrite,writev,rename,fsync,fdatasync,ftruncate \
		FAULT_ERRNO="$1" FAULT_ARMED="$T/armed" FAULT_LOG="$T/faults" \
		tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$PORT" pop3login test.localhost \
		checkpw -m "$CHAIN_MBOX" mboxsplit pop3d 2>>"$T/log" &
	echo $! >>"$T/pids"
	wait_port "$PORT"
	local n injected=0 refused=0 before after out last
	: >"$T/faults"
	chmod 666 "$T/faults"
	for n in $(seq 1 40); do
		fresh_copy
		echo "$n" >"$T/armed"
		before=$(wc -l <"$T/faults")
		out=$(pop_session "$PORT" "$U" "DELE 1" QUIT)
		rm -f "$T/armed"
		after=$(wc -l <"$T/faults")
		last=$(tail -n 1 <<<"$out")
		echo "N=$n $(tail -n 1 "$T/faults" | cut -d' ' -f3-): $last"
		# the old mailbox byte for byte, or the finished session's
		case $last in
		"+OK bye, 1 message deleted") cmp "$T/without1" "$CHAIN_MBOX" ;;
		*) cmp "$T/orig" "$CHAIN_MBOX" ;;
		esac
		[[ $last != "-ERR"* ]] || [[ $last == "-ERR [SYS/TEMP] "* ]]
		[[ $last != "-ERR"* ]] || refused=$((refused + 1))
		[ ! -e "$CHAIN_MBOX.lock" ]
		# the next session works and sees what the last one left
		out=$(pop_session "$PORT" "$U" STAT QUIT)
		[[ $(sed -n 4p <<<"$out") == "+OK "[45]" "* ]]
		[ ! -e "$CHAIN_HOME/.mbox.mboxsplit-new" ]
		if [ "$after" -eq "$before" ]; then
			# every call has been failed once; this one went through
			[ "$last" = "+OK bye, 1 message deleted" ]
			break
		fi
		injected=$((injected + 1))
	done
	echo "injected=$injected refused=$refused"
	# the write-back's own write, fsync and rename were all failed
	[ "$n" -lt 40 ]
	[ "$refused" -ge 3 ]
	grep -q " mboxsplit write $1 .*/.mbox.mboxsplit-new\$" "$T/faults"
	grep -q " mboxsplit fsync $1 .*/.mbox.mboxsplit-new\$" "$T/faults"
	grep -q " mboxsplit rename $1 " "$T/faults"
}

@test "fault: ENOSPC at each write/rename/fsync of the mbox write-back leaves the old mailbox" {
	write_back_faults ENOSPC
}

@test "fault: EIO at each write/rename/fsync of the mbox write-back leaves the old mailbox" {
	write_back_faults EIO
}

@test "fault: mboxsplit killed just before and after each write, fsync and rename of the write-back" {
	five_messages
	use_dynamic
	env LD_PRELOAD="$POP3_BIN/faultshim.so" FAULT_PROGS=mboxsplit \
		FAULT_CALLS=write,pwrite,writev,rename,fsync,fdatasync,ftruncate \
		FAULT_ACTION_FILE="$T/action" FAULT_ARMED="$T/armed" FAULT_LOG="$T/faults" \
		tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$PORT" pop3login test.localhost \
		checkpw -m "$CHAIN_MBOX" mboxsplit pop3d 2>>"$T/log" &
	echo $! >>"$T/pids"
	wait_port "$PORT"
	: >"$T/faults"
	chmod 666 "$T/faults"
	local act n before after out last changed=0 lied=0 total=0
	for act in kill-before kill-after; do
		echo "$act" >"$T/action"
		for n in $(seq 1 40); do
			fresh_copy
			echo "$n" >"$T/armed"
			before=$(wc -l <"$T/faults")
			out=$(pop_session "$PORT" "$U" "DELE 1" QUIT)
			rm -f "$T/armed"
			after=$(wc -l <"$T/faults")
			[ "$after" -gt "$before" ] || break
			total=$((total + 1))
			last=$(tail -n 1 <<<"$out")
			echo "$act N=$n $(tail -n 1 "$T/faults" | cut -d' ' -f3,5-): $last"
			# the old mailbox or the new one, byte for byte
			if cmp -s "$T/without1" "$CHAIN_MBOX"; then
				changed=$((changed + 1))
				# "-ERR" promises that nothing changed
				[[ $last != "-ERR"* ]] || lied=$((lied + 1))
			else
				cmp "$T/orig" "$CHAIN_MBOX"
				[[ $last != "+OK bye, 1 message deleted" ]]
			fi
			# the dead process's lock is recovered: the next session works
			out=$(pop_session "$PORT" "$U" STAT QUIT)
			[[ $(sed -n 4p <<<"$out") == "+OK "[45]" "* ]]
			[ ! -e "$CHAIN_MBOX.lock" ]
		done
	done
	echo "kills=$total changed=$changed answered-ERR-but-changed=$lied"
	[ "$total" -ge 6 ]
	[ "$changed" -ge 1 ]
	# no -ERR after the mailbox was rewritten: pop3d checks fd 6's link
	# count and pop3login stays silent about a killed chain
	[ "$lied" -eq 0 ]
}

@test "fault: EIO on unlink and rename in maildirscan loses no message" {
	chain_user "$U"
	local md=$CHAIN_HOME/Maildir/ i n out last files uniq
	for n in $(seq 1 12); do
		rm -rf "$md"
		mkdir -p "$md/new" "$md/cur" "$md/tmp"
		for i in 1 2 3 4 5; do
			printf 'From: a@example.org\nSubject: m%d\n\nbody %d\n' "$i" "$i" >"$md/new/100$i.M$i.test"
		done
		chown -R "$U:" "$md"
		if [ "$n" -eq 1 ]; then
			use_dynamic
			env LD_PRELOAD="$POP3_BIN/faultshim.so" FAULT_PROGS=maildirscan \
				FAULT_CALLS=unlink,rename,fsync FAULT_ARMED="$T/armed" FAULT_LOG="$T/faults" \
				tcpserver -D -R -H -l 127.0.0.1 127.0.0.1 "$PORT" pop3login test.localhost \
				checkpw -m "$md" maildirscan pop3d 2>>"$T/log" &
			echo $! >>"$T/pids"
			wait_port "$PORT"
			: >"$T/faults"
			chmod 666 "$T/faults"
		fi
		echo "$n" >"$T/armed"
		out=$(pop_session "$PORT" "$U" "DELE 1" "DELE 2" QUIT)
		rm -f "$T/armed"
		last=$(tail -n 1 <<<"$out")
		echo "N=$n: $last"
		# numbers follow the scan order, which a failed new/ to cur/
		# move changes; so count: every message at most once, and as
		# many gone as QUIT said it deleted
		files=$(cat "$md"/new/* "$md"/cur/* 2>/dev/null | grep -c '^Subject: ')
		uniq=$(cat "$md"/new/* "$md"/cur/* 2>/dev/null | grep '^Subject: ' | sort -u | wc -l)
		[ "$files" -eq "$uniq" ]
		case $last in
		"+OK 2 messages deleted") [ "$files" -eq 3 ] ;;
		"-ERR [SYS/TEMP] 1 of 2 messages could not be deleted") [ "$files" -eq 4 ] ;;
		*) false ;;
		esac
		out=$(pop_session "$PORT" "$U" STAT QUIT)
		[[ $(sed -n 4p <<<"$out") == "+OK "* ]]
	done
	[ "$(wc -l <"$T/faults")" -ge 2 ]
}

@test "fault: SIGKILL of random links while procmail delivers: nothing lost (mbox)" {
	chain_mbox_user "$U"
	chain_mbox "$PORT" "$CHAIN_MBOX"
	local root
	root=$(tail -n 1 "$T/pids")
	KILL_WATCH="$CHAIN_HOME/.mbox.mboxsplit-new" KILL_GAP_MS=100 \
		"$TOP/tests/fault/killchain" "$root" 5 400 >"$T/kills" &
	local killer=$!
	# -P: pop3d answers -ERR to QUIT when mboxsplit dies even after its
	# rename (the test above pins that down); count those apart
	run pop3stress -P -p "$PORT" -u "$U" -w "$CHAIN_PASS" -c 3 -t 5 -i 1 \
		-a "procmail:$CHAIN_MBOX" -d 1000 -D 50 -M "$CHAIN_MBOX" -k 16 -T 20
	wait "$killer"
	echo "$output"
	cat "$T/kills"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result OK" ]
	local kills
	kills=$(sed -n 's/^kills=\([0-9]*\) .*/\1/p' "$T/kills")
	[ "$kills" -ge 10 ]
	[ ! -e "$CHAIN_MBOX.lock" ]
}

@test "fault: SIGKILL of random links while maildrop delivers: nothing lost (Maildir)" {
	chain_user "$U"
	local md=$CHAIN_HOME/Maildir/
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	chown -R "$U:" "$CHAIN_HOME/Maildir"
	chain_maildir "$PORT" "$md"
	local root
	root=$(tail -n 1 "$T/pids")
	KILL_GAP_MS=100 "$TOP/tests/fault/killchain" "$root" 5 400 >"$T/kills" &
	local killer=$!
	run pop3stress -P -p "$PORT" -u "$U" -w "$CHAIN_PASS" -c 3 -t 5 -i 1 \
		-a "maildrop:$md" -d 1000 -D 10 -M "$md" -k 16 -T 20
	wait "$killer"
	echo "$output"
	cat "$T/kills"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result OK" ]
	local kills
	kills=$(sed -n 's/^kills=\([0-9]*\) .*/\1/p' "$T/kills")
	[ "$kills" -ge 10 ]
}

@test "fault: a client vanishing mid-RETR of a 3 MB message changes nothing" {
	chain_mbox_user "$U"
	make_mbox "$T/orig" 2
	{
		printf 'From big@example.org Thu Nov 26 06:00:00 2026\nFrom: big@example.org\nSubject: big\n\n'
		head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 70
		printf '\n\n'
	} >>"$T/orig"
	cat "$T/orig" >"$CHAIN_MBOX"
	chain_mbox "$PORT" "$CHAIN_MBOX"
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"
	local line i
	IFS= read -r -t 10 line <&8
	printf 'USER %s\r\nPASS %s\r\nDELE 1\r\nRETR 3\r\n' "$U" "$CHAIN_PASS" >&8
	for i in 1 2 3 4 5 6 7 8 9 10; do IFS= read -r -t 10 line <&8; done
	[[ $line == xxxx* ]]
	exec 8<&-
	# the session is gone without QUIT: DELE 1 is forgotten
	cmp "$T/orig" "$CHAIN_MBOX"
	run pop_session "$PORT" "$U" STAT QUIT
	echo "$output"
	[[ ${lines[3]} == "+OK 3 "* ]]
	[[ ${lines[4]} == "+OK"* ]]
	[ ! -e "$CHAIN_MBOX.lock" ]
}

@test "fault: a stalled client is cut off at pop3d's timeout and frees the mailbox" {
	chain_mbox_user "$U"
	make_mbox "$CHAIN_MBOX" 3
	chain_mbox "$PORT" "$CHAIN_MBOX" -t 2
	exec 4<>"/dev/tcp/127.0.0.1/$PORT"
	local line
	IFS= read -r -t 10 line <&4
	printf 'USER %s\r\nPASS %s\r\n' "$U" "$CHAIN_PASS" >&4
	IFS= read -r -t 10 line <&4
	IFS= read -r -t 10 line <&4
	[[ $line == "+OK"* ]]
	local t0=$SECONDS
	# while it stalls, the mailbox is held
	run pop_session "$PORT" "$U" STAT
	[[ ${lines[2]} == "-ERR [IN-USE]"* ]]
	IFS= read -r -t 10 line <&4
	[ "${line%$'\r'}" = "-ERR [SYS/TEMP] idle timeout" ]
	! IFS= read -r -t 5 line <&4
	exec 4<&-
	[ $((SECONDS - t0)) -le 5 ]
	run pop_session "$PORT" "$U" STAT QUIT
	[[ ${lines[3]} == "+OK 3 "* ]]
}

@test "fault: a slowloris trickle before login is cut off at the line timeout" {
	chain_mbox_user "$U"
	start_tcpserver "$PORT" pop3login -t 2 test.localhost \
		checkpw -g mail -m "$CHAIN_MBOX" mboxsplit pop3d
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	local line="" i got="" t0=$EPOCHSECONDS
	IFS= read -r -t 10 line <&5
	[[ $line == "+OK"* ]]
	# one byte every 0.3 s: each byte comes well within 2 s, the line never
	for i in $(seq 1 30); do
		printf 'U' >&5 2>/dev/null || break
		if IFS= read -r -t 0.3 line <&5; then
			got=${line%$'\r'}
			break
		fi
	done
	echo "after $((EPOCHSECONDS - t0)) s: $got"
	[ "$got" = "-ERR [SYS/TEMP] idle timeout" ]
	[ $((EPOCHSECONDS - t0)) -le 5 ]
	exec 5<&-
}
