# tests/shims: LD_PRELOAD libraries that the tests load into the programs
# under test; the programs themselves know nothing of them.  Built with
# everything so that make check finds them, never installed, and built
# without the sanitizers even in B=build-asan, since they are loaded into
# other programs (an instrumented library cannot be preloaded into a
# program without the ASan runtime).
#
# fakedns.so: a slow or lying reverse DNS for tests/hostcheck.bats
# (HOSTCHECK_TEST_DNS_DELAY, HOSTCHECK_TEST_PTR, HOSTCHECK_TEST_UID_FILE).
all: $(B)/tests/fakedns.so
$(B)/tests/fakedns.so: tests/shims/fakedns.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -fPIC -shared -o $@ $< -ldl
