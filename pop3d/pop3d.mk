# pop3d: TRANSACTION and UPDATE states (doc/pop3d.8).  Objects go to
# $(B)/obj/pop3d/ because $(B)/pop3d is the program itself.
PROGRAMS += pop3d
MANPAGES += doc/pop3d.8
POP3D_ENGINE_OBJ := $(B)/obj/pop3d/engine.o $(B)/obj/pop3d/maildrop.o
POP3D_OBJ := $(B)/obj/pop3d/pop3d.o $(POP3D_ENGINE_OBJ)

$(B)/obj/pop3d/%.o: pop3d/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Ipop3d -MMD -MP -c -o $@ $<

$(B)/pop3d: $(POP3D_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
