# pop3d: TRANSACTION and UPDATE states (doc/pop3d.8).  Objects go to
# $(B)/obj/pop3d/ because $(B)/pop3d is the program itself.
PROGRAMS += pop3d
MANPAGES += doc/pop3d.8
POP3D_MODS := pop3d engine maildrop

$(B)/obj/pop3d/%.o: pop3d/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Ipop3d -MMD -MP -c -o $@ $<

# A session program: $(SCC) into $(SB) (top Makefile).
$(B)/pop3d: $(patsubst %,$(SB)/obj/pop3d/%.o,$(POP3D_MODS)) $(SLIBA)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLIBMD) $(SLDEND)
