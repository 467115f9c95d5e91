# mboxsplit's unit tests (issue 4).
UNITTESTS += tests/unit_mbox
$(B)/tests/unit_mbox: $(B)/tests/unit/unit_mbox.o $(B)/obj/mboxsplit/index.o $(B)/obj/mboxsplit/linecount.o $(B)/obj/mboxsplit/halves.o $(B)/obj/mboxsplit/mboxuid.o $(B)/obj/mboxsplit/olduid.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/tests/unit/unit_mbox.o: XCFLAGS += -Imboxsplit

# The LD_PRELOAD shim of the I/O error tests (tests/mbox_ioerr.bats).
all: $(B)/tests/mbox_ioshim.so
$(B)/tests/mbox_ioshim.so: tests/unit/mbox_ioshim.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -fPIC -shared -o $@ $< -ldl

# The old servers' ids (issue 17).
UNITTESTS += tests/unit_olduid
$(B)/tests/unit_olduid: $(B)/tests/unit/unit_olduid.o $(B)/obj/mboxsplit/index.o $(B)/obj/mboxsplit/linecount.o $(B)/obj/mboxsplit/halves.o $(B)/obj/mboxsplit/mboxuid.o $(B)/obj/mboxsplit/olduid.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/tests/unit/unit_olduid.o: XCFLAGS += -Imboxsplit
