# Unit tests of pop3login's parts: lib/lineexact, lib/base64, pop3d/authdialog.
UNITTESTS += tests/unit_login
$(B)/tests/unit_login: $(B)/tests/unit/unit_login.o $(B)/obj/pop3d/authdialog.o $(B)/obj/pop3d/authsasl.o $(B)/obj/pop3d/authoauth.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
# pop3d/loginlimit: session slots and failure counts in a temporary directory.
UNITTESTS += tests/unit_loginlimit
$(B)/tests/unit_loginlimit: $(B)/tests/unit/unit_loginlimit.o $(B)/obj/pop3d/loginlimit.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
