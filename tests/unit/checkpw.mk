# checkpw's unit tests (issue 3): the pure parts of checkpw/, linked with
# its modules.
UNITTESTS += tests/unit_checkpw
$(B)/tests/unit_checkpw: $(B)/tests/unit/unit_checkpw.o $(CHECKPW_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)
