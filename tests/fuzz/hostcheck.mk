# hostcheck's fuzz harnesses: the rules text, and the PROXY header.
FUZZERS += fuzz_rules fuzz_proxy
$(B)/fuzz_rules: $(B)/tests/fuzz/fuzz_rules.o $(HOSTCHECK_OBJ) $(LIBA)
	$(FUZZ_LINK) -lcdb
$(B)/fuzz_proxy: $(B)/tests/fuzz/fuzz_proxy.o $(HOSTCHECK_OBJ) $(LIBA)
	$(FUZZ_LINK) -lcdb
