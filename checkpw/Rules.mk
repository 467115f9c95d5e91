# checkpw/: the checkpassword-compatible verifier and vusers-make, the
# tool that compiles virtual-user files.  Objects go to $(B)/obj/checkpw/
# because $(B)/checkpw is the program itself and cannot be a directory.
CHECKPW_MODS := creds secret template sysauth pamauth vuser
CHECKPW_OBJ  := $(patsubst %,$(B)/obj/checkpw/%.o,$(CHECKPW_MODS))
CHECKPW_LIBS := -lcrypt -lcdb -lmd

PROGRAMS += checkpw vusers-make
MANPAGES += doc/checkpw.8

$(B)/obj/checkpw/%.o: checkpw/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

$(B)/checkpw: $(B)/obj/checkpw/checkpw.o $(CHECKPW_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)

$(B)/vusers-make: $(B)/obj/checkpw/vusers-make.o $(CHECKPW_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)
