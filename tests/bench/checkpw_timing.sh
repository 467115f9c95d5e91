#!/bin/sh
# tests/bench/checkpw_timing.sh [ROUNDS]: checkpw's benchmark (make bench).
#  1. Time to refuse a known system user with a wrong password against an
#     unknown user (with -d the user's method, and with the dummy taken
#     from shadow) (goal: means within 5 % of each other), both through
#     the real program, interleaved so that machine load hits both alike.
#  2. The same for a virtual user in a 100,000-user cdb.
#  3. Lookups per second in that file (checkpw_lookup: the per-login
#     open + cdb lookup + record parse, without the hash), and the time
#     vusers-make takes to compile it.
# Needs root (a system user is made and removed).  Prints key=value lines.
set -eu
ROUNDS=${1:-40}
B=${B:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
BIN=$(cd "$B" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "checkpw_timing: needs root" >&2; exit 2; }
make -s ${CHECKPW_MAKEFILE:+-f "$CHECKPW_MAKEFILE"} B="$B" "$B/checkpw" "$B/vusers-make" "$B/tests/checkpw_lookup" >/dev/null

work=$(mktemp -d /tmp/checkpw-bench.XXXXXX)
user=ckpwbench
cleanup() {
	userdel "$user" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
chmod 755 "$work"
mkdir "$work/home"
userdel "$user" >/dev/null 2>&1 || true
useradd -M -d "$work/home" -s /bin/sh "$user"
# chpasswd hashes as the system does by default (yescrypt on Debian 12).
echo "$user:right-password" | chpasswd
method=$(getent shadow "$user" | cut -d: -f2 | cut -d'$' -f2)
echo "system_hash_method=$method"

# A 100,000-user virtual file: one real hash shared by every line, so
# that making it takes seconds, not an hour of yescrypt.
users=100000
vhash=$(echo right-password | "$BIN/vusers-make" -h)
awk -v n=$users -v h="$vhash" -v d="$work/home" \
	'BEGIN { for (i = 0; i < n; i++) printf "user%d:5000:5000:%s::%s\n", i, d, h }' \
	>"$work/users.src"
start=$(date +%s%N)
"$BIN/vusers-make" "$work/users.src" "$work/example.org.cdb" 2>"$work/make.log"
end=$(date +%s%N)
echo "vusers_make: $(cut -d' ' -f3 "$work/make.log")" \
	"ms=$(( (end - start) / 1000000 ))" \
	"cdb_bytes=$(stat -c %s "$work/example.org.cdb")"

# Times checkpw answering each of two logins ROUNDS times, interleaved.
compare() {
	label=$1 known=$2 unknown=$3
	shift 3
	python3 - "$ROUNDS" "$known" "$unknown" "$BIN/checkpw" "$@" <<'EOF'
import os, statistics, subprocess, sys, time
rounds = int(sys.argv[1])
logins = {"known": sys.argv[2], "unknown": sys.argv[3]}
cmd = sys.argv[4:] + ["/bin/true"]
times = {"known": [], "unknown": []}
def once(user):
    r, w = os.pipe()
    os.write(w, user.encode() + b"\0wrong-password\0\0")
    os.close(w)
    t = time.perf_counter()
    p = subprocess.run(cmd, pass_fds=(3,), stdin=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL,
                       preexec_fn=lambda: (os.dup2(r, 3), None)[1])
    dt = time.perf_counter() - t
    os.close(r)
    if p.returncode != 1:
        sys.exit("checkpw exited %d for %s" % (p.returncode, user))
    return dt
for k in logins:  # warm the caches
    once(logins[k])
for i in range(rounds):
    for k in (("known", "unknown") if i % 2 == 0 else ("unknown", "known")):
        times[k].append(once(logins[k]))
m = {k: statistics.mean(v) * 1000 for k, v in times.items()}
md = {k: statistics.median(v) * 1000 for k, v in times.items()}
diff = abs(m["known"] - m["unknown"]) / max(m["known"], m["unknown"]) * 100
print("known_ms_mean=%.2f unknown_ms_mean=%.2f known_ms_median=%.2f "
      "unknown_ms_median=%.2f diff_percent=%.1f rounds=%d within_5_percent=%s"
      % (m["known"], m["unknown"], md["known"], md["unknown"], diff, rounds,
         "yes" if diff <= 5 else "no"))
EOF
}

# -d names the user's method, as a site should when its hashes mix
# methods; the second line shows the default (the first usable hash in
# shadow), which on a shared machine may be another method.
printf 'system: '
compare system "$user" ckpwnosuchuser -s -d "\$$method\$"
printf 'system_dummy_from_shadow: '
compare system "$user" ckpwnosuchuser -s
printf 'virtual: '
compare virtual user4242@example.org nosuchuser@example.org -v "$work/%d.cdb"
printf 'virtual_unknown_domain: '
compare virtual-domain user4242@example.org user4242@nosuch.example -v "$work/%d.cdb"

"$BIN/tests/checkpw_lookup" "$work/example.org.cdb" 200000 $users
