# tests/fault: the fault-injection shim (LD_PRELOAD) and kill drivers.
# Built with everything so that make check's fault tests find it.
all: $(B)/faultshim.so
$(B)/faultshim.so: tests/fault/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -fPIC -shared -o $@ $< -ldl
