# scripts/: the control tool, the statistics command, the demo, and the
# run scripts and units for each way of starting the chain.
SCRIPTS  += scripts/pop3stats
MANPAGES += doc/pop3ctl.8 doc/pop3stats.8

# pop3ctl is a front that sources its pieces, scripts/pop3ctl.d/*.sh:
# beside it in the source tree, under LIBEXECDIR once installed, where
# the installed front's piecedir line is pointed (and checked to be).
CTL_PIECES := $(wildcard scripts/pop3ctl.d/*.sh)
CTL_DIR    := $(LIBEXECDIR)/pop3-toolkit/pop3ctl.d
.PHONY: install-pop3ctl
install: install-pop3ctl
install-pop3ctl:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(CTL_DIR)
	install -m 644 $(CTL_PIECES) $(DESTDIR)$(CTL_DIR)/
	sed 's|^piecedir=.*|piecedir=$(CTL_DIR)|' scripts/pop3ctl >$(DESTDIR)$(PREFIX)/bin/pop3ctl
	grep -qx 'piecedir=$(CTL_DIR)' $(DESTDIR)$(PREFIX)/bin/pop3ctl
	chmod 755 $(DESTDIR)$(PREFIX)/bin/pop3ctl

# Beyond the top Makefile's install: the overview page goes to man7, and
# the configuration template, the service files and the fail2ban filter
# and jails to share/, where
# pop3ctl(8) and pop3-toolkit(7) point.
SHARE_DIR := $(DESTDIR)$(PREFIX)/share/pop3-toolkit
.PHONY: install-scripts-share
install: install-scripts-share
install-scripts-share:
	install -d $(DESTDIR)$(PREFIX)/share/man/man7 $(SHARE_DIR)/systemd \
		$(SHARE_DIR)/xinetd.d $(SHARE_DIR)/daemontools/log \
		$(SHARE_DIR)/fail2ban/filter.d $(SHARE_DIR)/fail2ban/jail.d
	install -m 644 doc/pop3-toolkit.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 scripts/pop3d.conf scripts/inetd.conf $(SHARE_DIR)/
	install -m 644 scripts/systemd/pop3d.socket scripts/systemd/pop3d@.service \
		scripts/systemd/pop3d-tcpserver.service $(SHARE_DIR)/systemd/
	install -m 644 scripts/xinetd/pop3 $(SHARE_DIR)/xinetd.d/
	install -m 755 scripts/daemontools/run $(SHARE_DIR)/daemontools/
	install -m 755 scripts/daemontools/log/run $(SHARE_DIR)/daemontools/log/
	install -m 644 scripts/fail2ban/filter.d/pop3-toolkit.conf $(SHARE_DIR)/fail2ban/filter.d/
	install -m 644 scripts/fail2ban/jail.d/pop3-toolkit.conf $(SHARE_DIR)/fail2ban/jail.d/

# pop3trace: per-user protocol logs (doc/pop3trace.8).  Objects go to
# $(B)/obj/scripts/, as every directory's do (doc/HACKING.md).
PROGRAMS += pop3trace
MANPAGES += doc/pop3trace.8
$(B)/obj/scripts/%.o: scripts/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<
$(B)/pop3trace: $(B)/obj/scripts/pop3trace.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^
