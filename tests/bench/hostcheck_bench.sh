#!/bin/sh
# tests/bench/hostcheck_bench.sh [RULES] [CHECKS]: hostcheck against
# 10,000 rules (make bench).
#  1. Compile time of the text (hostcheck-rules) and size of the cdb.
#  2. In-process checks (hostcheck_bench): open time, mean and worst time
#     per decision over CHECKS clients, the goal being under 1 ms.
#  3. The whole program, fork + exec + decide + exec true, from the cdb
#     and from the text compiled per connection.
# Prints key=value lines.
set -eu
NRULES=${1:-10000}
CHECKS=${2:-200000}
RUNS=${RUNS:-300}
B=${B:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
make -s ${HOSTCHECK_MAKEFILE:+-f "$HOSTCHECK_MAKEFILE"} B="$B" "$B/hostcheck" \
	"$B/hostcheck-rules" "$B/tests/hostcheck_bench" >/dev/null
BIN=$(cd "$B" && pwd)
work=$(mktemp -d /tmp/hostcheck-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# Run as root, hostcheck's lookup child is nobody: it must be able to
# reach the hosts file nss_wrapper reads, or the DNS case would time a
# failed lookup (mktemp -d makes the directory 0700).
chmod 711 "$work"

# NRULES rules: IPv4 addresses and prefixes of every length from /8 to
# /32 under 10/8, 11/8 and 12/8, IPv6 prefixes from /32 to /128 under
# 2001:db8::/32, host names and .suffixes; then a default.
awk -v n="$((NRULES * 2))" 'BEGIN {
	srand(42)
	print "allow 10.200.0.1 X_RULE=bench"
	for (i = 0; i < n; i++) {
		kind = i % 10
		act = (i % 3 == 0) ? "deny" : "allow"
		if (kind < 5) {
			bits = 8 + int(rand() * 25)
			a = 10 + i % 3; b = int(rand() * 256); c = int(rand() * 256); d = int(rand() * 256)
			v = ((a * 256 + b) * 256 + c) * 256 + d
			m = 2 ^ (32 - bits)
			v = int(v / m) * m
			d = v % 256; v = int(v / 256); c = v % 256; v = int(v / 256); b = v % 256; a = int(v / 256)
			printf "%s %d.%d.%d.%d/%d X_RULE=%d\n", act, a, b, c, d, bits, i
		} else if (kind < 7) {
			# /32 to /128 in 16-bit steps keeps the text simple
			groups = 2 + int(rand() * 7)
			s = "2001:db8"
			for (g = 2; g < groups; g++)
				s = s ":" sprintf("%x", int(rand() * 4096))
			printf "%s %s%s/%d X_RULE=%d\n", act, s, (groups < 8 ? "::" : ""), groups * 16, i
		} else if (kind < 9) {
			printf "%s host%d.zone%d.example.net X_RULE=%d\n", act, i, i % 1500, i
		} else {
			printf "%s .zone%d.example.net X_RULE=%d\n", act, i, i
		}
	}
}' | awk '!seen[$2]++' | head -n "$((NRULES - 1))" >"$work/rules"
echo "allow default X_RULE=default" >>"$work/rules"
printf '10.200.0.1 bench.example.org\n10.0.0.77 host77.zone77.example.net\n' >"$work/hosts"
chmod 644 "$work/hosts"

echo "rules=$(wc -l <"$work/rules")"
t0=$(date +%s%N)
"$BIN/hostcheck-rules" "$work/rules" "$work/rules.cdb"
t1=$(date +%s%N)
echo "compile_ms=$(((t1 - t0) / 1000000)) cdb_octets=$(wc -c <"$work/rules.cdb")"

echo "cdb: $("$BIN/tests/hostcheck_bench" "$work/rules.cdb" "$CHECKS")"
echo "text: $("$BIN/tests/hostcheck_bench" "$work/rules" 2000)"

# whole program, RUNS connections' worth: decided by the address alone
# (no DNS), from the cdb and from the text; then a client whose decision
# needs its name, with nss_wrapper answering from a local hosts file, so
# the figure is the cost of the lookup child, not of a network resolver.
run_hostcheck() {  # LABEL IP RULESFILE [ENV...]
	label=$1 ip=$2 file=$3
	shift 3
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$RUNS" ]; do
		env "$@" TCPREMOTEIP="$ip" "$BIN/hostcheck" -q "$work/$file" true 2>/dev/null || true
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo "process_${label}_us=$(((t1 - t0) / 1000 / RUNS)) runs=$RUNS"
}
run_hostcheck cdb_address 10.200.0.1 rules.cdb
run_hostcheck text_address 10.200.0.1 rules
# the DNS case must time a lookup that succeeds: say what it got
dns=$(env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_HOSTS="$work/hosts" TCPREMOTEIP=10.0.0.77 \
	"$BIN/hostcheck" "$work/rules.cdb" true 2>&1 | sed -n 's/.* dns=\([a-z]*\).*/\1/p')
echo "fcrdns_lookup=${dns:-none}"
run_hostcheck cdb_fcrdns 10.0.0.77 rules.cdb LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_HOSTS="$work/hosts"
t0=$(date +%s%N)
i=0
while [ $i -lt "$RUNS" ]; do
	env /bin/true
	i=$((i + 1))
done
t1=$(date +%s%N)
echo "process_baseline_true_us=$(((t1 - t0) / 1000 / RUNS))"
