# pop3login: the AUTHORIZATION state (doc/pop3login.8).  Objects go to
# $(B)/obj/pop3d/, because $(B)/pop3d is the pop3d program itself.
PROGRAMS += pop3login
MANPAGES += doc/pop3login.8
POP3LOGIN_MODS := pop3login authdialog authsasl authoauth loginlimit jail

$(B)/obj/pop3d/pop3login.o: pop3d/pop3login.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<
$(B)/obj/pop3d/authdialog.o: pop3d/authdialog.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

# A session program: $(SCC) into $(SB) (top Makefile).
$(B)/pop3login: $(patsubst %,$(SB)/obj/pop3d/%.o,$(POP3LOGIN_MODS)) $(SLIBA)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLDEND)
