# Fuzz harness for pop3d's engine and scan list parser (make fuzz).
FUZZERS += fuzz_engine
$(B)/tests/fuzz/fuzz_engine.o: XCFLAGS += -Ipop3d
$(B)/fuzz_engine: $(B)/tests/fuzz/fuzz_engine.o $(B)/obj/pop3d/engine.o \
		$(B)/obj/pop3d/maildrop.o $(LIBA)
	$(FUZZ_LINK) -lmd
