# Differential fuzz harness for lib/msgfilter: the SSE2 and portable
# loops against the code they replaced (make fuzz).
FUZZERS += fuzz_msgfilter
$(B)/fuzz_msgfilter: $(B)/tests/fuzz/fuzz_msgfilter.o \
		$(B)/tests/fuzz/fuzz_msgfilter_portable.o $(LIBA)
	$(FUZZ_LINK)
