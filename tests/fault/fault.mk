# tests/fault: the fault-injection shim (LD_PRELOAD), the kill drivers
# and the test build of mboxsplit with its fault points (below).
# Built with everything so that make check's fault tests find it.  The
# shim is loaded into tcpserver and every link alike, so it is built
# without the sanitizers even in B=build-asan (an instrumented library
# cannot be preloaded into a program without the ASan runtime).
all: $(B)/faultshim.so
$(B)/faultshim.so: tests/fault/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g -fPIC -shared -o $@ $< -ldl

# mboxsplit's test build: the same sources compiled with its fault points
# (mboxsplit/fault.h) and linked with tests/fault/mboxfault.c, which
# kills it at the point MBOXSPLIT_FAULT names.  Built as the installed
# mboxsplit is ($(SCC), static where musl is), but from objects of its
# own, so that nothing of it reaches $(B)/mboxsplit; never installed.
MBOXFAULT_DIR := $(SB)/obj/tests/mboxsplit-fault
MBOXFAULT_OBJ := $(patsubst %,$(MBOXFAULT_DIR)/%.o,$(MBOX_MODS)) $(MBOXFAULT_DIR)/mboxfault.o
MBOXFAULT_PRE := $(if $(filter $(B),$(SB)),,$(SB)/include/md5.h)
all: $(B)/tests/mboxsplit-fault
$(MBOXFAULT_DIR)/%.o: mboxsplit/%.c | $(MBOXFAULT_PRE)
	@mkdir -p $(dir $@)
	$(SCC) $(SXCFLAGS) -DMBOX_FAULT_POINTS -Imboxsplit -MMD -MP -c -o $@ $<
$(MBOXFAULT_DIR)/mboxfault.o: tests/fault/mboxfault.c | $(MBOXFAULT_PRE)
	@mkdir -p $(dir $@)
	$(SCC) $(SXCFLAGS) -DMBOX_FAULT_POINTS -Imboxsplit -MMD -MP -c -o $@ $<
$(B)/tests/mboxsplit-fault: $(MBOXFAULT_OBJ) $(SLIBA)
	@mkdir -p $(dir $@)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLIBMD) $(SLDEND)
