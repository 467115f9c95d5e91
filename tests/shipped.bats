#!/usr/bin/env bats
# What `make install` ships carries no test machinery (issue 15): no
# program reads a test switch from the environment, names a test shim,
# or has fault points.  Those live on the test side: mboxsplit's fault
# points in the test build $POP3_BIN/tests/mboxsplit-fault, the heap
# count and the fake DNS in preload shims (tests/bench, tests/shims),
# pop3stress built but not installed.
#
# The programs are installed from the build under test ($POP3_BIN, as
# make check sets it) into a scratch DESTDIR by the Makefile's own
# install target, so the check covers whatever that target ships.
load helpers
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
DEST=$BATS_FILE_TMPDIR/root
BIN=$DEST/usr/local/bin
MAN=$DEST/usr/local/share/man

# Names of the test switches and test code that must not be in a shipped
# program, whole words (DEFAULT_ is no FAULT_).  Besides this list, every
# variable that C code under tests/ reads with getenv and no shipped
# source reads is forbidden too (forbidden_names), so that a new shim's
# switch is covered without editing this file.
FORBIDDEN_FIXED="MBOXSPLIT_FAULT POP3D_HEAPSTATS HOSTCHECK_TEST_DNS_DELAY
HOSTCHECK_TEST_PTR HOSTCHECK_TEST_UID_FILE fakedns fakedns.so faultshim
faultshim.so heapstats heapstats.so mboxfault fault_point fault_init
log_heap MBOX_FAULT_POINTS"

getenv_names() {
	grep -rhoE --include='*.c' 'getenv\("[A-Za-z0-9_]+"\)' "$@" |
		sed 's/getenv("\(.*\)")/\1/' | sort -u
}

forbidden_names() {
	local shipped
	shipped=$(getenv_names "$TOP"/lib "$TOP"/checkpw "$TOP"/hostcheck "$TOP"/mboxsplit \
		"$TOP"/maildirscan "$TOP"/pop3d "$TOP"/scripts)
	{
		printf '%s\n' $FORBIDDEN_FIXED
		getenv_names "$TOP"/tests | grep -vxF "$shipped"
	} | sort -u
}

setup_file() {
	# Install what was built, nothing else: the build must be up to date
	# (make check builds all first), and is installed with the same
	# B and STATIC it was made with.
	local b=$POP3_BIN static=
	case $b in "$TOP"/*) b=${b#"$TOP"/} ;; esac
	[ -d "$POP3_BIN/musl" ] && static=musl
	make -C "$TOP" -q B="$b" STATIC="$static" all || {
		echo "# $POP3_BIN is not up to date: run make first" >&3
		return 1
	}
	make -C "$TOP" -s B="$b" STATIC="$static" PREFIX=/usr/local DESTDIR="$DEST" install >"$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&3
		return 1
	}
}

@test "make install ships the programs, and no test tool" {
	for p in hostcheck pop3login checkpw mboxsplit maildirscan pop3d pop3trace pop3ctl; do
		[ -x "$BIN/$p" ] || { echo "not installed: $p"; false; }
	done
	for p in pop3stress popbench mkmailbox fakeexpose mboxsplit-fault; do
		[ ! -e "$BIN/$p" ] || { echo "installed: $p"; false; }
	done
	[ ! -e "$MAN/man8/pop3stress.8" ]
	run find "$DEST" -name '*.so' -o -name 'unit_*' -o -name '*fault*'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "no installed program contains a test switch or a test shim's name" {
	command -v strings >/dev/null
	names=$(forbidden_names)
	# The list holds at least the switches this file was written for.
	for n in MBOXSPLIT_FAULT POP3D_HEAPSTATS HOSTCHECK_TEST_PTR FAULT_PROGS MBOX_IOSHIM; do
		grep -qxF "$n" <<<"$names" || { echo "missing from the list: $n"; false; }
	done
	found=
	count=0
	for f in "$BIN"/*; do
		count=$((count + 1))
		hits=$(strings -a "$f" | grep -owF "$names" | sort -u | tr '\n' ' ') || true
		[ -z "$hits" ] || found="$found$(basename "$f"): $hits"$'\n'
	done
	echo "$found"
	[ "$count" -ge 10 ]
	[ -z "$found" ]
}

@test "no installed program contains a generic test or fault variable name" {
	# Upper-case words like X_FAULT, FAULT_X, X_TEST_Y, X_TEST: the shape
	# of a test switch.  Words with DEFAULT in them are not one.
	found=
	for f in "$BIN"/*; do
		hits=$(strings -a "$f" | grep -oE '\b([A-Z0-9]+_)+(FAULT|TEST)(_[A-Z0-9]+)*\b|\bFAULT(_[A-Z0-9]+)+\b' |
			sort -u | tr '\n' ' ') || true
		[ -z "$hits" ] || found="$found$(basename "$f"): $hits"$'\n'
	done
	echo "$found"
	[ -z "$found" ]
}

@test "the installed manual pages document no test switch" {
	run grep -rlwE 'MBOXSPLIT_FAULT|POP3D_HEAPSTATS|HOSTCHECK_TEST_[A-Z_]+|fakedns|faultshim' "$MAN"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "the installed mboxsplit does the same with MBOXSPLIT_FAULT set as without" {
	mkdir -p "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/armed"
	make_mbox "$BATS_TEST_TMPDIR/plain/mbox" 4
	make_mbox "$BATS_TEST_TMPDIR/armed/mbox" 4
	fake=$BATS_TEST_DIRNAME/mbox_fakepop3d.py
	FAKE_DELE="2 3" run --separate-stderr "$BIN/mboxsplit" -m "$BATS_TEST_TMPDIR/plain/mbox" "$fake"
	[ "$status" -eq 0 ]
	plain=$output
	[[ $plain == "+OK "* ]]
	# any:1 killed the test build at its first fault point.
	FAKE_DELE="2 3" MBOXSPLIT_FAULT=any:1 run --separate-stderr "$BIN/mboxsplit" \
		-m "$BATS_TEST_TMPDIR/armed/mbox" "$fake"
	[ "$status" -eq 0 ]
	[ "$output" = "$plain" ]
	cmp "$BATS_TEST_TMPDIR/plain/mbox" "$BATS_TEST_TMPDIR/armed/mbox"
	[ "$(grep -c '^From ' "$BATS_TEST_TMPDIR/armed/mbox")" -eq 2 ]
}

@test "the installed pop3d logs no heap statistics with POP3D_HEAPSTATS=1" {
	cd "$BATS_TEST_TMPDIR"
	printf 'pop3scan 1 1 990 mboxrd\n990 00000001000000020000000300000004 @0+990\n' >scan
	head -c 990 /dev/zero >box
	printf 'STAT\r\nQUIT\r\n' >in
	POP3D_HEAPSTATS=1 "$BIN/pop3d" 4<scan 6<box <in >out 2>err
	printf '%s\r\n' "+OK 1 messages (990 octets)" | cmp - <(head -n 1 out)
	grep -q '^pop3d: end ' err
	run grep -c 'heap' err
	[ "$output" = 0 ]
}

# The service files are used as they are installed: inetd's and
# xinetd's PATH is not the chain's, so every program in a chain line is
# named by the path make install gave it (issue 18), and that path is
# one this install wrote (or Debian's /usr/bin/tlswrapper).
@test "the installed inetd, xinetd, systemd and daemontools files name every program by its installed path" {
	local share=$DEST/usr/local/share/pop3-toolkit f line w n=0 progs=" hostcheck pop3login checkpw mboxsplit maildirscan pop3d pop3ctl tlswrapper "
	for f in inetd.conf xinetd.d/pop3 systemd/pop3d@.service systemd/pop3d-tcpserver.service daemontools/run; do
		[ -f "$share/$f" ] || { echo "not installed: $f"; false; }
		# the chain lines, commented-out examples included
		while IFS= read -r line; do
			line=${line#\#}
			case $f:$line in
			inetd.conf:pop3*) line=$(echo "$line" | cut -f 6,7 | sed 's/\t[a-z]* / /') ;;  # argv0 is a bare name by inetd's design
			xinetd.d/pop3:*server*=*) line=${line#*=} ;;
			systemd/*:Exec*=*) line=${line#*=} ;;
			daemontools/run:exec\ /*) line=${line#exec } ;;
			*) continue ;;
			esac
			for w in $line; do
				case $w in /etc/*) continue ;; esac  # configuration, not programs
				case $progs in *" ${w##*/} "*) ;; *) continue ;; esac
				n=$((n + 1))
				case $w in
				/usr/bin/tlswrapper) ;;
				/usr/local/bin/*) [ -x "$DEST$w" ] || { echo "$f: $w: not installed there"; false; } ;;
				*) echo "$f: not an installed path: $w"; false ;;
				esac
			done
		done <"$share/$f"
	done
	# every chain line was seen: 4 inetd lines of 5 or 6 programs, ...
	[ "$n" -ge 40 ]
}
