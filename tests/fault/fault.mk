# tests/fault: the fault-injection shim (LD_PRELOAD) and kill drivers.
# Built with everything so that make check's fault tests find it.  The
# shim is loaded into tcpserver and every link alike, so it is built
# without the sanitizers even in B=build-asan (an instrumented library
# cannot be preloaded into a program without the ASan runtime).
all: $(B)/faultshim.so
$(B)/faultshim.so: tests/fault/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g -fPIC -shared -o $@ $< -ldl
