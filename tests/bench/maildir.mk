# maildirscan's benchmark tool (tests/bench/maildir_bench.sh).
all: $(B)/tests/maildir_readdir
$(B)/tests/maildir_readdir: $(B)/tests/bench/maildir_readdir.o
	$(CC) $(LDFLAGS) -o $@ $^
