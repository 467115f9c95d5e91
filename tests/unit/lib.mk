# Unit tests of lib/ modules: TAP programs run by tests/run.
LIB_UNITS := unit_msgfilter unit_msgfilter_diff unit_msgfilter_portable unit_scan_num unit_scanlist unit_linein unit_outbuf unit_write_all unit_clock unit_logvalue unit_logguard unit_namehash unit_expire
UNITTESTS += $(addprefix tests/,$(filter $(LIB_UNITS),$(patsubst tests/unit/%.c,%,$(wildcard tests/unit/unit_*.c))))

$(B)/tests/unit_%: $(B)/tests/unit/unit_%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
# Objects made through that pattern are intermediate to make, which
# deleted them after a fresh build, so that the next make (or make -q)
# found them missing and built them again.
.SECONDARY: $(patsubst %,$(B)/tests/unit/%.o,$(LIB_UNITS))

# pop3d's engine and maildrop, driven directly.
UNITTESTS += tests/unit_engine
$(B)/tests/unit/unit_engine.o: XCFLAGS += -Ipop3d
$(B)/tests/unit_engine: $(B)/tests/unit/unit_engine.o $(B)/obj/pop3d/engine.o \
		$(B)/obj/pop3d/maildrop.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
