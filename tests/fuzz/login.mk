# pop3login's fuzz harness: the AUTHORIZATION dialogue and lib/lineexact.
FUZZERS += fuzz_login
$(B)/fuzz_login: $(B)/tests/fuzz/fuzz_login.o $(B)/obj/pop3d/authdialog.o $(B)/obj/pop3d/authsasl.o $(B)/obj/pop3d/authoauth.o $(LIBA)
	$(FUZZ_LINK) -lmd
$(B)/tests/fuzz/fuzz_login.o: XCFLAGS += -Ipop3d
