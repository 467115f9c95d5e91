# tests/bench/startup.sh: start-up time of the session programs as built
# (static musl) and as glibc builds, beside an empty program of each kind.
.PHONY: bench-startup
bench-startup: $(B)/tests/spawntime $(B)/tests/empty-libc $(B)/tests/empty-static all
	B=$(B) tests/bench/startup.sh
$(B)/tests/spawntime: tests/bench/spawntime.c $(B)/lib/clock.o
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -o $@ $^
$(B)/tests/empty-libc: tests/bench/empty.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -o $@ $<
$(B)/tests/empty-static: $(SB)/tests/bench/empty.o
	@mkdir -p $(dir $@)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLDEND)
# tests/bench/seccomp_cost: what a seccomp attach and confine() cost
# (doc/security.md).
all: $(B)/tests/seccomp_cost
$(B)/tests/seccomp_cost: $(B)/tests/bench/seccomp_cost.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^
