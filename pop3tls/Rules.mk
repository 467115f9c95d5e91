# pop3tls/: the TLS link (doc/pop3tls.8).  Objects go to $(B)/obj/pop3tls/
# because $(B)/pop3tls is the program itself.  Linked against glibc and
# Debian's shared OpenSSL, as checkpw is against glibc: it starts once a
# connection like the session programs, but OpenSSL's security updates
# must reach it without a rebuild.
POP3TLS_MODS := pop3tls relay
PROGRAMS += pop3tls
MANPAGES += doc/pop3tls.8

$(B)/obj/pop3tls/%.o: pop3tls/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -Ipop3tls -MMD -MP -c -o $@ $<

$(B)/pop3tls: $(patsubst %,$(B)/obj/pop3tls/%.o,$(POP3TLS_MODS)) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ -lssl -lcrypto
