# tests/transcripts/login/lib.bash: runs pop3login transcripts.
# A transcript NAME.t holds, one per line:
#   A: options       pop3login's options (word-split), before HOSTNAME
#   E: VAR=value     environment for pop3login
#   C: text          a client line; CR LF is appended
#   R: text          raw client bytes, nothing appended
#   S: text          a line the client must receive; CR LF is appended
# Text goes through printf %b, so \0, \r, \n, \t and \0NNN write those
# octets.  All client bytes are written at once (pipelined, on a pipe);
# the whole output must equal the S: lines, byte for byte.  The checker
# is tests/transcripts/login/checker.

LOGIN_TDIR=$BATS_TEST_DIRNAME/transcripts/login

run_transcript() {
	local file=$LOGIN_TDIR/$1.t line
	local in=$BATS_TEST_TMPDIR/$1.in want=$BATS_TEST_TMPDIR/$1.want
	local got=$BATS_TEST_TMPDIR/$1.got
	local -a args=() envs=()
	: >"$in"
	: >"$want"
	while IFS= read -r line; do
		case $line in
		'A: '*) read -ra args <<<"${line#A: }" ;;
		'E: '*) envs+=("${line#E: }") ;;
		'C: '*) printf '%b\r\n' "${line#C: }" >>"$in" ;;
		'R: '*) printf '%b' "${line#R: }" >>"$in" ;;
		'S: '*) printf '%b\r\n' "${line#S: }" >>"$want" ;;
		'#'* | '') ;;
		*) echo "bad transcript line: $line" >&2; return 1 ;;
		esac
	done <"$file"
	local code=0
	env TCPREMOTEIP=127.0.0.9 "${envs[@]}" pop3login "${args[@]}" mail.test \
		"$LOGIN_TDIR/checker" <"$in" >"$got" 2>"$BATS_TEST_TMPDIR/$1.log" || code=$?
	echo "exit $code" >>"$BATS_TEST_TMPDIR/$1.log"
	if ! cmp -s "$want" "$got"; then
		echo "transcript $1: output differs (want, got):" >&2
		diff <(od -An -c "$want") <(od -An -c "$got") >&2
		cat "$BATS_TEST_TMPDIR/$1.log" >&2
		return 1
	fi
}
