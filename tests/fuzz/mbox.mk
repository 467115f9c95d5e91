# Fuzz harness for mboxsplit's indexer (issue 4).
FUZZERS += fuzz_mbox
$(B)/fuzz_mbox: $(B)/tests/fuzz/fuzz_mbox.o $(B)/obj/mboxsplit/index.o $(B)/obj/mboxsplit/linecount.o $(B)/obj/mboxsplit/halves.o $(B)/obj/mboxsplit/mboxuid.o $(B)/obj/mboxsplit/olduid.o $(LIBA)
	$(FUZZ_LINK) -lmd
$(B)/tests/fuzz/fuzz_mbox.o: XCFLAGS += -Imboxsplit

# Fuzz harness for the old servers' header fields (issue 17).
FUZZERS += fuzz_olduid
$(B)/fuzz_olduid: $(B)/tests/fuzz/fuzz_olduid.o $(B)/obj/mboxsplit/index.o $(B)/obj/mboxsplit/linecount.o $(B)/obj/mboxsplit/halves.o $(B)/obj/mboxsplit/mboxuid.o $(B)/obj/mboxsplit/olduid.o $(LIBA)
	$(FUZZ_LINK) -lmd
$(B)/tests/fuzz/fuzz_olduid.o: XCFLAGS += -Imboxsplit
