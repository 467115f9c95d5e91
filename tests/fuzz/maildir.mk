# Fuzz harness for Maildir file names (maildirscan, issue 5).
FUZZERS += fuzz_maildirname
$(B)/fuzz_maildirname: $(B)/tests/fuzz/fuzz_maildirname.o $(B)/obj/maildirscan/maildirname.o $(B)/obj/maildirscan/sizecache.o $(LIBA)
	$(FUZZ_LINK) -lmd
$(B)/tests/fuzz/fuzz_maildirname.o: XCFLAGS += -Imaildirscan
# Fuzz harness for the other servers' UIDL records (UIDL_FORMAT).
FUZZERS += fuzz_olduidl
$(B)/fuzz_olduidl: $(B)/tests/fuzz/fuzz_olduidl.o $(B)/obj/maildirscan/olduidl.o $(LIBA)
	$(FUZZ_LINK)
$(B)/tests/fuzz/fuzz_olduidl.o: XCFLAGS += -Imaildirscan
