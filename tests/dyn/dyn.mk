# tests/dyn: glibc builds of the session programs, for the tests that
# preload a shim (tests/fault, tests/confine, the rogue dialogue child)
# or run valgrind: neither reaches into a static program.  The same
# sources and objects as the unit tests; never installed.
ifneq ($(SB),$(B))
all: $(addprefix $(B)/dyn/,$(SESSION_PROGRAMS))
$(B)/dyn/pop3d: $(patsubst %,$(B)/obj/pop3d/%.o,$(POP3D_MODS)) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/dyn/pop3login: $(patsubst %,$(B)/obj/pop3d/%.o,$(POP3LOGIN_MODS)) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/dyn/mboxsplit: $(patsubst %,$(B)/obj/mboxsplit/%.o,$(MBOX_MODS)) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
$(B)/dyn/maildirscan: $(patsubst %,$(B)/obj/maildirscan/%.o,$(MAILDIRSCAN_MODS)) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
endif
