# maildirscan/: the Maildir exposer (issue 5).  Objects go to
# $(B)/obj/maildirscan/ because $(B)/maildirscan is the program itself.
MAILDIRSCAN_MODS := scan commit maildirname sizecache
MAILDIRSCAN_OBJ  := $(patsubst %,$(B)/obj/maildirscan/%.o,$(MAILDIRSCAN_MODS))

PROGRAMS += maildirscan
MANPAGES += doc/maildirscan.8

$(B)/obj/maildirscan/%.o: maildirscan/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Imaildirscan -MMD -MP -c -o $@ $<

$(B)/maildirscan: $(B)/obj/maildirscan/maildirscan.o $(MAILDIRSCAN_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
