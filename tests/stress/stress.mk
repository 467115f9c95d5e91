# tests/stress: pop3stress, the installed stress tool (doc/pop3stress.8).
# It links only clock.o, die.o and scan_num.o, not all of libpop3.a, so
# that it builds while other lib modules are in flux.
PROGRAMS += pop3stress
MANPAGES += doc/pop3stress.8
$(B)/pop3stress: $(B)/tests/stress/pop3stress.o $(B)/lib/clock.o $(B)/lib/die.o $(B)/lib/scan_num.o
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread
