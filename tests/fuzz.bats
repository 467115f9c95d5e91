#!/usr/bin/env bats
# The short fuzz run of make check: every libFuzzer harness (engine, login
# dialogue, checkpw's fd 3, mbox indexer, old servers' UIDL fields and
# records, Maildir names, host rules, PROXY header, EXPIRE's state) built
# with clang, ASan and UBSan, then run for a few seconds from its seed
# corpus.  A crash, leak, hang or sanitizer report fails the harness's
# test.  `make fuzz FUZZ_SECONDS=N` is the long run.

TOP=$BATS_TEST_DIRNAME/..
FUZZ_B=build-fuzz
: "${FUZZ_CHECK_SECONDS:=4}"

setup_file() {
	cd "$TOP"
	make -s B=$FUZZ_B CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
		fuzz-build >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
}

fuzz_one() {
	local bin=$TOP/$FUZZ_B/fuzz_$1 work=$BATS_TEST_TMPDIR/corpus
	[ -x "$bin" ] || { echo "harness fuzz_$1 not built"; return 1; }
	mkdir -p "$work"
	run "$bin" -max_total_time="$FUZZ_CHECK_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$BATS_TEST_TMPDIR/" \
		"$work" "$TOP/tests/fuzz/corpus/$1"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzz: pop3d engine" { fuzz_one engine; }
@test "fuzz: pop3login dialogue" { fuzz_one login; }
@test "fuzz: checkpw fd 3 reader" { fuzz_one checkpw; }
@test "fuzz: mbox indexer" { fuzz_one mbox; }
@test "fuzz: old servers' UIDL fields" { fuzz_one olduid; }
@test "fuzz: Maildir names" { fuzz_one maildirname; }
@test "fuzz: old servers' UIDL records" { fuzz_one olduidl; }
@test "fuzz: hostcheck rules" { fuzz_one rules; }
@test "fuzz: PROXY header" { fuzz_one proxy; }
@test "fuzz: msgfilter against the old code" { fuzz_one msgfilter; }
@test "fuzz: EXPIRE state file" { fuzz_one expire; }
