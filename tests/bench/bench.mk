# tests/bench: the side-by-side benchmark (`make bench`, tests/bench/run).
# popbench is built with everything (so `make bench` finds it) but not
# installed: it is a test tool, as pop3stress (tests/stress) is.
all: $(B)/popbench $(B)/mkmailbox
$(B)/popbench: $(B)/tests/bench/popbench.o $(B)/lib/clock.o $(B)/lib/die.o $(B)/lib/scan_num.o
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread
$(B)/mkmailbox: $(B)/tests/bench/mkmailbox.o
	$(CC) $(LDFLAGS) -o $@ $^
