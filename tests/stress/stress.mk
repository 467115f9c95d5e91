# tests/stress: pop3stress, the stress and integrity tool of make stress,
# tests/stress.bats and tests/fault.bats (its page: tests/stress/
# pop3stress.8).  A test tool, not a program of the toolkit: built with
# everything into $(B)/, where the tests find it, and never installed.
# It links only clock.o, die.o and scan_num.o, not all of libpop3.a, so that it
# builds while other lib modules are in flux.
all: $(B)/pop3stress
$(B)/pop3stress: $(B)/tests/stress/pop3stress.o $(B)/lib/clock.o $(B)/lib/die.o $(B)/lib/scan_num.o
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread
