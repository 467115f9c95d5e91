# mboxsplit/: the Berkeley mbox exposer (issue 4).  Objects go to
# $(B)/obj/mboxsplit/ because $(B)/mboxsplit is the program itself.
MBOX_MODS := mboxsplit index linecount halves mboxuid olduid lock spool writeback cache

PROGRAMS += mboxsplit
MANPAGES += doc/mboxsplit.8

$(B)/obj/mboxsplit/%.o: mboxsplit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Imboxsplit -MMD -MP -c -o $@ $<

# A session program: $(SCC) into $(SB) (top Makefile).
$(B)/mboxsplit: $(patsubst %,$(SB)/obj/mboxsplit/%.o,$(MBOX_MODS)) $(SLIBA)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLIBMD) $(SLDEND)

# The long crash test: write-backs killed at many points, 240 trials
# (make check runs a short version of the same file), by the test build
# with fault points (tests/fault/fault.mk).
.PHONY: mbox-crash
mbox-crash: $(B)/mboxsplit $(B)/tests/mboxsplit-fault
	POP3_BIN=$(abspath $(B)) MBOX_CRASH_TRIALS=$${MBOX_CRASH_TRIALS:-240} \
		bats --tap tests/mbox_crash.bats

# The long procmail run: 4 delivery loops of 100 messages, 3 session loops.
.PHONY: mbox-stress
mbox-stress: $(B)/mboxsplit
	d=$$(mktemp -d /tmp/mbox-stress.XXXXXX) && \
	POP3_BIN=$(abspath $(B)) MBOX_MAX_SESSIONS=600 python3 tests/mbox_procmail.py $$d/w 4 100 3; \
	r=$$?; rm -rf $$d; exit $$r
