# lib/: code two or more programs share, one small module per file.
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
LIBA    := $(B)/lib/libpop3.a

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The same objects built by $(SCC) for the session programs (see the top
# Makefile); the same archive when they are built against glibc.
SLIBA   := $(SB)/lib/libpop3.a
ifneq ($(SB),$(B))
$(SLIBA): $(patsubst %.c,$(SB)/%.o,$(LIB_SRC))
	rm -f $@
	ar rcs $@ $^
endif
