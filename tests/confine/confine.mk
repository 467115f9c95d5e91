# tests/confine: a probe that applies a room's confinement, built and
# linked exactly as the session programs are (static musl where the
# top Makefile says so), so that it runs the shipped filter.
all: $(B)/tests/confine-probe
$(B)/tests/confine-probe: $(SB)/tests/confine/probe.o $(SLIBA)
	@mkdir -p $(dir $@)
	$(SCC) $(SLDFLAGS) -o $@ $^ $(SLDEND)
