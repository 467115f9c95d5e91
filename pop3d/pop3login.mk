# pop3login: the AUTHORIZATION state (doc/pop3login.8).  Objects go to
# $(B)/obj/pop3d/, because $(B)/pop3d is the pop3d program itself.
PROGRAMS += pop3login
MANPAGES += doc/pop3login.8
POP3LOGIN_OBJ := $(B)/obj/pop3d/pop3login.o $(B)/obj/pop3d/authdialog.o

$(B)/obj/pop3d/pop3login.o: pop3d/pop3login.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<
$(B)/obj/pop3d/authdialog.o: pop3d/authdialog.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

$(B)/pop3login: $(POP3LOGIN_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^
