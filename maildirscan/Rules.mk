# maildirscan/: the Maildir exposer (issue 5).  Objects go to
# $(B)/obj/maildirscan/ because $(B)/maildirscan is the program itself.
MAILDIRSCAN_MODS := maildirscan scan newmail order duplicates commit maildirname sizecache olduidl oldids

PROGRAMS += maildirscan
MANPAGES += doc/maildirscan.8

$(B)/obj/maildirscan/%.o: maildirscan/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Imaildirscan -MMD -MP -c -o $@ $<

# A session program: $(SCC) into $(SB) (top Makefile).
$(B)/maildirscan: $(patsubst %,$(SB)/obj/maildirscan/%.o,$(MAILDIRSCAN_MODS)) $(SLIBA)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLIBMD) $(SLDEND)

# The maildrop-while-sessions test, longer: 500 messages, 4 session loops
# (make check runs 80 and 2).
.PHONY: maildir-stress
maildir-stress: $(B)/maildirscan $(B)/pop3d
	POP3_BIN=$(abspath $(B)) MAILDIR_STRESS_MESSAGES=$${MAILDIR_STRESS_MESSAGES:-500} \
		MAILDIR_STRESS_SESSIONS=$${MAILDIR_STRESS_SESSIONS:-4} \
		bats --tap -f 'nothing lost' tests/maildir_session.bats
