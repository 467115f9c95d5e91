# Unit tests of lib/ modules: TAP programs run by tests/run.
LIB_UNITS := unit_msgfilter unit_scan_num unit_scanlist unit_linein unit_outbuf
UNITTESTS += $(addprefix tests/,$(filter $(LIB_UNITS),$(patsubst tests/unit/%.c,%,$(wildcard tests/unit/unit_*.c))))

$(B)/tests/unit_%: $(B)/tests/unit/unit_%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
