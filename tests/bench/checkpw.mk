# checkpw's lookup benchmark tool, run by tests/bench/checkpw_timing.sh
# (make bench), not by make check.
$(B)/tests/checkpw_lookup: $(B)/tests/bench/checkpw_lookup.o $(CHECKPW_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)
