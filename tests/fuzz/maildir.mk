# Fuzz harness for Maildir file names (maildirscan, issue 5).
FUZZERS += fuzz_maildirname
$(B)/fuzz_maildirname: $(B)/tests/fuzz/fuzz_maildirname.o $(B)/obj/maildirscan/maildirname.o $(B)/obj/maildirscan/sizecache.o $(LIBA)
	$(FUZZ_LINK) -lmd
$(B)/tests/fuzz/fuzz_maildirname.o: XCFLAGS += -Imaildirscan
