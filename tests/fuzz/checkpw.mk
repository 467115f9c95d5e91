# checkpw's fuzz harness: fd 3 credentials and virtual-user records.
FUZZERS += fuzz_checkpw
$(B)/fuzz_checkpw: $(B)/tests/fuzz/fuzz_checkpw.o $(CHECKPW_OBJ) $(LIBA)
	$(FUZZ_LINK) $(CHECKPW_LIBS)
