# pop3login: the AUTHORIZATION state (doc/pop3login.8).
PROGRAMS += pop3login
MANPAGES += doc/pop3login.8
$(B)/pop3login: $(B)/pop3d/pop3login.o $(B)/pop3d/authdialog.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^
