# checkpw/: the checkpassword-compatible verifier and vusers-make, the
# tool that compiles virtual-user files.  Objects go to $(B)/obj/checkpw/
# because $(B)/checkpw is the program itself and cannot be a directory.
CHECKPW_MODS := creds secret template sysauth pamauth vuser logindelay uservars
CHECKPW_OBJ  := $(patsubst %,$(B)/obj/checkpw/%.o,$(CHECKPW_MODS))
# libpam is dlopen()ed by pamauth.c when PAM is asked for (dlopen is in
# libc since glibc 2.34).  The other three are linked in whole: each
# shared library cost a load at every login (about 0.1 ms for the three);
# only libc, and NSS's modules, stay shared.
CHECKPW_LIBS := -Wl,-Bstatic -lcrypt -lcdb -lmd -Wl,-Bdynamic

PROGRAMS += checkpw vusers-make
MANPAGES += doc/checkpw.8
MANLINKS += vusers-make=checkpw

$(B)/obj/checkpw/%.o: checkpw/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

$(B)/checkpw: $(B)/obj/checkpw/checkpw.o $(CHECKPW_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)

$(B)/vusers-make: $(B)/obj/checkpw/vusers-make.o $(CHECKPW_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKPW_LIBS)
