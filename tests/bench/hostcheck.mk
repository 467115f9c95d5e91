# hostcheck's benchmark tool, run by tests/bench/hostcheck_bench.sh
# (make bench), not by make check.
$(B)/tests/hostcheck_bench: $(B)/tests/bench/hostcheck_bench.o $(HOSTCHECK_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcdb
