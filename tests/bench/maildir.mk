# maildirscan's benchmark (tests/bench/maildir_bench.sh): `make maildir-bench`.
all: $(B)/tests/maildir_readdir
$(B)/tests/maildir_readdir: $(B)/tests/bench/maildir_readdir.o
	$(CC) $(LDFLAGS) -o $@ $^

.PHONY: maildir-bench
maildir-bench: $(B)/maildirscan $(B)/pop3d $(B)/mkmailbox $(B)/tests/maildir_readdir
	B=$(B) tests/bench/maildir_bench.sh
