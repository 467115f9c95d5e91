# hostcheck's unit tests: address prefixes, rules, decisions, PROXY.
UNITTESTS += tests/unit_hostcheck

$(B)/tests/unit_hostcheck: $(B)/tests/unit/unit_hostcheck.o $(HOSTCHECK_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcdb
