# checkpw's unit tests (issue 3): the pure parts of checkpw/, linked with
# its modules.
UNITTESTS += tests/unit_checkpw
$(B)/tests/unit_checkpw: $(B)/tests/unit/unit_checkpw.o $(CHECKPW_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)

# A PAM module that leaks a root descriptor, for tests/checkpw_pam.bats.
# Listed with the unit tests so that `make` builds it; tests/run runs only
# unit_* programs, so it is never run as one.
UNITTESTS += tests/checkpw_pamleak.so
$(B)/tests/checkpw_pamleak.so: tests/unit/unit_checkpw_pamleak.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -fPIC -shared -o $@ $<

# checkpw/logindelay: LOGIN-DELAY's last-login files in a temporary directory.
UNITTESTS += tests/unit_logindelay
$(B)/tests/unit_logindelay: $(B)/tests/unit/unit_logindelay.o $(B)/obj/checkpw/logindelay.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# checkpw/uservars: the per-user settings of -e.
UNITTESTS += tests/unit_uservars
$(B)/tests/unit_uservars: $(B)/tests/unit/unit_uservars.o $(B)/obj/checkpw/uservars.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
