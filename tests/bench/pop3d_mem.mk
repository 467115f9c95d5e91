# make bench-pop3d-mem: pop3d's heap for a 100,000-message scan list
# (goal: at most 64 octets per message).  BENCH_MESSAGES changes the count.
.PHONY: bench-pop3d-mem
bench-pop3d-mem: $(B)/pop3d
	POP3_BIN=$(abspath $(B)) tests/bench/pop3d_mem.sh $${BENCH_MESSAGES:-100000}
