# mboxsplit's unit tests (issue 4).
UNITTESTS += tests/unit_mbox
$(B)/tests/unit_mbox: $(B)/tests/unit/unit_mbox.o $(B)/obj/mboxsplit/index.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/tests/unit/unit_mbox.o: XCFLAGS += -Imboxsplit
