# Fuzz harness for EXPIRE's state file (lib/expire.c).
FUZZERS += fuzz_expire
$(B)/fuzz_expire: $(B)/tests/fuzz/fuzz_expire.o $(LIBA)
	$(FUZZ_LINK) -lmd
