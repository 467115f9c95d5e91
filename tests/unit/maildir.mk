# maildirscan's unit tests and fuzz-free helpers (issue 5).
UNITTESTS += tests/unit_maildir_uiddigest
$(B)/tests/unit_maildir_uiddigest: $(B)/tests/unit/unit_maildir_uiddigest.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
UNITTESTS += tests/unit_maildir_expose
$(B)/tests/unit_maildir_expose: $(B)/tests/unit/unit_maildir_expose.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
UNITTESTS += tests/unit_maildir_name
$(B)/tests/unit_maildir_name: $(B)/tests/unit/unit_maildir_name.o $(B)/obj/maildirscan/maildirname.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/tests/unit/unit_maildir_name.o: XCFLAGS += -Imaildirscan
UNITTESTS += tests/unit_maildir_olduidl
$(B)/tests/unit_maildir_olduidl: $(B)/tests/unit/unit_maildir_olduidl.o $(B)/obj/maildirscan/olduidl.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/tests/unit/unit_maildir_olduidl.o: XCFLAGS += -Imaildirscan
