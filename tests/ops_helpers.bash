# tests/ops_helpers.bash: for tests/ops*.bats, loaded after helpers.bash.
# A POP3 client that prints the exact bytes of a session, stub chain
# programs for testing the control tool alone, and a pop3ctl wrapper.

POP3CTL="$TESTS_DIR/../scripts/pop3ctl"
POP3STATS="$TESTS_DIR/../scripts/pop3stats"

# pop_talk PORT [COMMAND...]: connects to 127.0.0.1:PORT, reads the
# greeting, sends the commands (CR LF added) at once, and prints all it
# receives until the server closes or 5 seconds pass.
pop_talk() {
	python3 - "$@" <<'PY'
import socket, sys, time
port = int(sys.argv[1]); cmds = sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
out = b""
deadline = time.time() + 5
while b"\r\n" not in out and time.time() < deadline:
    b = s.recv(4096)
    if not b: break
    out += b
if cmds:
    s.sendall(b"".join(c.encode() + b"\r\n" for c in cmds))
    while time.time() < deadline:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b: break
        out += b
sys.stdout.buffer.write(out)
PY
}

# stub_chain DIR: chain programs that only greet, for control-tool tests
# that must not depend on the real programs.
stub_chain() {
	local dir=$1 p
	mkdir -p "$dir"
	for p in checkpw mboxsplit maildirscan pop3d hostcheck; do
		printf '#!/bin/sh\nexit 0\n' >"$dir/$p"
		chmod 755 "$dir/$p"
	done
	printf '#!/bin/sh\nprintf "+OK stub %%s ready\\r\\n" "$1"\n' >"$dir/pop3login"
	chmod 755 "$dir/pop3login"
}

# pid_alive PID: a live process, not a zombie.
pid_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
	[ "$st" != Z ]
}

# port_closed PORT: nothing accepts on it (bounded retries while a
# stopping server closes its socket).
port_closed() {
	local i
	for i in $(seq 1 50); do
		python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(0 if s.connect_ex(('127.0.0.1',$1)) else 1)" && return 0
		sleep 0.05
	done
	return 1
}
