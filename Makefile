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
DESTDIR  ?=
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

PROGRAMS :=
SCRIPTS  :=
UNITTESTS :=
MANPAGES :=
FUZZERS  :=

.PHONY: all check check-unit check-bats sanitize install clean fuzz stress bench
all:

include lib/Rules.mk
include $(filter-out lib/Rules.mk,$(wildcard */Rules.mk))

all: $(addprefix $(B)/,$(PROGRAMS)) $(addprefix $(B)/,$(UNITTESTS))

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# The whole suite: C unit tests, then the bats chains.  tests/run prints
# the closing "N passed, N failed" line that CI reads.
check: all
	B=$(B) tests/run

# The same suite with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) B=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" check

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(addprefix $(B)/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	$(if $(SCRIPTS),install -m 755 $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man8/)

clean:
	rm -rf build build-asan build-fuzz

# Fuzzing: every harness a directory lists in FUZZERS, built with clang's
# libFuzzer, ASan and UBSan into build-fuzz/, each run for FUZZ_SECONDS
# against its seed corpus in tests/fuzz/corpus/NAME.
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) B=build-fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" fuzz-build
	tests/fuzz/run build-fuzz $${FUZZ_SECONDS:-60}
fuzz-build: $(addprefix $(B)/,$(FUZZERS))
FUZZ_LINK = $(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^

# Long runs, apart from make check.
stress: all
	B=$(B) tests/stress/run
bench: all
	B=$(B) tests/bench/run
