# tests/confine: a probe that applies a room's confinement, built and
# linked exactly as the session programs are (static musl where the
# top Makefile says so), so that it runs the shipped filter.
all: $(B)/tests/confine-probe
$(B)/tests/confine-probe: $(SB)/tests/confine/probe.o $(SLIBA)
	@mkdir -p $(dir $@)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLDEND)

# Preload shims for the glibc builds (tests/confine/noconfine.c), built
# without the sanitizers like faultshim.so.
all: $(B)/tests/noconfine.so $(B)/tests/nolandlock.so
SHIM_CC = $(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g -fPIC -shared
$(B)/tests/noconfine.so: tests/confine/noconfine.c
	@mkdir -p $(dir $@)
	$(SHIM_CC) -DNO_SECCOMP -o $@ $< -ldl
$(B)/tests/nolandlock.so: tests/confine/noconfine.c
	@mkdir -p $(dir $@)
	$(SHIM_CC) -o $@ $< -ldl
