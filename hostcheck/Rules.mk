# hostcheck/: the access-control link and its rules compiler.  Objects go
# to $(B)/obj/hostcheck/ because $(B)/hostcheck is the program itself.
HOSTCHECK_MODS := rules hostname netaddr fcrdns proxy
HOSTCHECK_OBJ  := $(patsubst %,$(B)/obj/hostcheck/%.o,$(HOSTCHECK_MODS))

PROGRAMS += hostcheck hostcheck-rules
SCRIPTS  += hostcheck/mpopd2hostcheck
MANPAGES += doc/hostcheck.8 doc/mpopd2hostcheck.8
MANLINKS += hostcheck-rules=hostcheck

$(B)/obj/hostcheck/%.o: hostcheck/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

$(B)/hostcheck: $(B)/obj/hostcheck/hostcheck.o $(HOSTCHECK_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lcdb

$(B)/hostcheck-rules: $(B)/obj/hostcheck/hostcheck-rules.o $(HOSTCHECK_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lcdb
