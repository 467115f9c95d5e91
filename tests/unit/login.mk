# Unit tests of pop3login's parts: lib/lineexact, lib/base64, pop3d/authdialog.
UNITTESTS += tests/unit_login
$(B)/tests/unit_login: $(B)/tests/unit/unit_login.o $(B)/obj/pop3d/authdialog.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
