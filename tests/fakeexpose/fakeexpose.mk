# tests/fakeexpose: a stand-in exposer that lets pop3d be tested alone.
# Listed with the unit tests so that `make` builds it and `make install`
# does not install it (tests/run runs only unit_* programs).
UNITTESTS += tests/fakeexpose
$(B)/obj/tests/fakeexpose.o: tests/fakeexpose/fakeexpose.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<
$(B)/tests/fakeexpose: $(B)/obj/tests/fakeexpose.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
