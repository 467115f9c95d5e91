# make bench-pop3d-mem: pop3d's heap for a 100,000-message scan list
# (goal: at most 64 octets per message).  BENCH_MESSAGES changes the count.
# The heap is counted by a preload shim, tests/bench/heapstats.c, in the
# glibc build of pop3d ($(B)/dyn/pop3d; $(B)/pop3d where STATIC= makes it
# the same): pop3d itself has no statistics switch.  The shim is built
# with everything so that it keeps compiling; it is never installed, and
# built without the sanitizers, since it is loaded into another program.
.PHONY: bench-pop3d-mem
all: $(B)/tests/heapstats.so
$(B)/tests/heapstats.so: tests/bench/heapstats.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g -fPIC -shared -o $@ $< -ldl
bench-pop3d-mem: $(B)/pop3d $(B)/dyn/pop3d $(B)/tests/heapstats.so
	POP3_BIN=$(abspath $(B)) tests/bench/pop3d_mem.sh $${BENCH_MESSAGES:-100000}
