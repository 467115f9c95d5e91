# pop3d's scan list loader (pop3d/maildrop.c) on its fast paths.
UNITTESTS += tests/unit_maildrop_load
$(B)/tests/unit/unit_maildrop_load.o: XCFLAGS += -Ipop3d
$(B)/tests/unit_maildrop_load: $(B)/tests/unit/unit_maildrop_load.o $(B)/obj/pop3d/maildrop.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmd
