# One Makefile for the whole toolkit.  Each directory adds its programs
# and objects in its own Rules.mk, so that work in one directory never
# touches another's build rules.  Objects and programs go to $(B)/, so a
# sanitizer build (B=build-asan) lives beside the normal one.

B        ?= build
CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
XCFLAGS  := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib $(CFLAGS)
LDLIBS   :=
PREFIX   ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec
DESTDIR  ?=
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The session programs start at every login: where musl-gcc is installed
# they are linked static-pie against musl, which starts them in a tenth of
# glibc's time (doc/benchmarks.md, "Start-up").  STATIC= : glibc only.
STATIC   ?= $(if $(shell command -v musl-gcc 2>/dev/null),musl)
ifeq ($(STATIC),musl)
SB       := $(B)/musl
SCC      := musl-gcc
# musl-gcc sees none of /usr/include: libmd's md5.h and xxHash's xxhash.h
# (used inline, no library) are linked in alone.
SXCFLAGS := $(XCFLAGS) -idirafter $(SB)/include
# musl-gcc knows only -static; static-pie (so that ASLR still moves the
# code) takes musl's start files from beside its specs file by hand.
MUSL_LIB ?= $(patsubst %/,%,$(dir $(shell sed -n 's/.*-specs "\([^"]*\)".*/\1/p' $$(command -v musl-gcc))))
# musl-gcc's specs leave out gcc's --build-id, which debuggers and the
# Debian package's debug symbols find the programs by.
SLDFLAGS := -static-pie -Wl,-static,--no-dynamic-linker,-z,text,--build-id -nostartfiles \
	$(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $(shell $(SCC) -print-file-name=crtbeginS.o) $(LDFLAGS)
SLDEND   := $(shell $(SCC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o
SLIBMD   := $(shell $(CC) -print-file-name=libmd.a)
else
SB       := $(B)
SCC      := $(CC)
SXCFLAGS := $(XCFLAGS)
SLDFLAGS := $(LDFLAGS)
SLDEND   :=
SLIBMD   := -lmd
endif
SESSION_PROGRAMS := pop3login pop3d mboxsplit maildirscan

PROGRAMS :=
SCRIPTS  :=
UNITTESTS :=
MANPAGES :=
MANLINKS :=
FUZZERS  :=

.PHONY: all check check-unit check-bats sanitize install clean fuzz stress bench deb deb-check
all:

include lib/Rules.mk
include $(filter-out lib/Rules.mk,$(wildcard */Rules.mk))

all: $(addprefix $(B)/,$(PROGRAMS)) $(addprefix $(B)/,$(UNITTESTS))

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

ifneq ($(SB),$(B))
# Kept: a header made by a pattern rule is otherwise removed as intermediate.
.PRECIOUS: $(SB)/include/%.h
$(SB)/include/%.h:
	@mkdir -p $(dir $@)
	ln -sf /usr/include/$*.h $@
$(SB)/%.o: %.c | $(SB)/include/md5.h $(SB)/include/xxhash.h
	@mkdir -p $(dir $@)
	$(SCC) $(SXCFLAGS) -MMD -MP -c -o $@ $<
# A program's own objects see its directory's headers.
$(SB)/obj/%.o: %.c | $(SB)/include/md5.h $(SB)/include/xxhash.h
	@mkdir -p $(dir $@)
	$(SCC) $(SXCFLAGS) -I$(patsubst %/,%,$(dir $<)) -MMD -MP -c -o $@ $<
endif

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# The whole suite: C unit tests, then the bats chains.  tests/run prints
# the closing "N passed, N failed" line that CI reads.
check: all
	B=$(B) tests/run

# The same suite with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) B=build-asan STATIC= CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" check

# MANLINKS: NAME=PAGE for a program documented in another's page
# (hostcheck-rules in hostcheck.8), installed as a symbolic link so that
# "man NAME" finds it; a NAME with a page of its own keeps that page.
MAN8DIR  = $(DESTDIR)$(PREFIX)/share/man/man8
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(MAN8DIR)
	install -m 755 $(addprefix $(B)/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	$(if $(SCRIPTS),install -m 755 $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(MAN8DIR)/)
	$(foreach l,$(MANLINKS),[ -e $(MAN8DIR)/$(firstword $(subst =, ,$(l))).8 ] || \
		ln -s $(lastword $(subst =, ,$(l))).8 $(MAN8DIR)/$(firstword $(subst =, ,$(l))).8;)

clean:
	rm -rf build build-asan build-fuzz

# Fuzzing: every harness a directory lists in FUZZERS, built with clang's
# libFuzzer, ASan and UBSan into build-fuzz/, each run for FUZZ_SECONDS
# against its seed corpus in tests/fuzz/corpus/NAME.
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) B=build-fuzz STATIC= CC=clang CFLAGS="$(FUZZ_CFLAGS)" fuzz-build
	tests/fuzz/run build-fuzz $${FUZZ_SECONDS:-60}
fuzz-build: $(addprefix $(B)/,$(FUZZERS))
FUZZ_LINK = $(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^

# Long runs, apart from make check.
stress: all
	B=$(B) tests/stress/run
bench: all
	B=$(B) tests/bench/run

# The Debian package (doc/debian.md): dpkg-buildpackage in a copy of the
# tree, so that the tree stays clean, the package and lintian's verdict
# in DEB_DIR.  deb-check installs it on this machine, runs sessions
# through its units, and purges it (tests/deb/install.bats; root, long).
DEB_DIR ?= $(B)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar -cf - --exclude=./.git --exclude='./build*' . | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 $(abspath $(DEB_DIR))/build.log; exit 1; }
	rm -rf $(DEB_DIR)/src
	lintian --fail-on error $(DEB_DIR)/*.changes >$(DEB_DIR)/lintian.txt 2>&1; \
		st=$$?; grep -v '^running with root' $(DEB_DIR)/lintian.txt; exit $$st
	ls $(DEB_DIR)/*.deb
deb-check: deb
	POP3_DEB_DIR=$(abspath $(DEB_DIR)) tests/deb/run
