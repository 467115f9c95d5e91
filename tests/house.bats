#!/usr/bin/env bats
# The shape doc/HACKING.md promises (tests/house.py): no C file of a
# shipped program over 600 lines, no function over 60, and one
# definition of each shared piece, in lib/.  house.py prints one line
# per breach, shown when the test fails.

@test "house: file and function sizes, one definition of each shared piece" {
	run python3 "$BATS_TEST_DIRNAME/house.py" "$BATS_TEST_DIRNAME/.."
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
