# plc-cadence — build, run, check, install.
# Dependencies are Debian's -dev packages, found with pkg-config.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Where systemd looks for units and snippets, as this system's systemd says.
SYSTEMD_PC = pkg-config --variable=$(1) systemd 2>/dev/null || echo $(2)
UNITDIR	?= $(shell $(call SYSTEMD_PC,systemdsystemunitdir,/lib/systemd/system))
SYSUSERSDIR ?= $(shell $(call SYSTEMD_PC,sysusersdir,/usr/lib/sysusers.d))
TMPFILESDIR ?= $(shell $(call SYSTEMD_PC,tmpfilesdir,/usr/lib/tmpfiles.d))
CONFDIR	 = $(SYSCONFDIR)/plc-cadence
VERSION	 = 0.1.0

CC	?= cc
PKG_CONFIG ?= pkg-config
# pkg-config runs once per make, when the Makefile is read (:=).  A package
# it cannot find stops the build with its name: see pkg-check.  libseccomp
# is built in where it is installed, and left out where it is not.
PKGS	:= libical libcurl sqlite3 libmicrohttpd jansson libsystemd libcrypto \
	   $(shell $(PKG_CONFIG) --exists libseccomp 2>/dev/null && echo libseccomp)
pkg_missing = $(shell for p in $(1); do $(PKG_CONFIG) --exists $$p 2>/dev/null || echo $$p; done)
PKG_MISSING  := $(call pkg_missing,$(PKGS))
TEST_MISSING := $(call pkg_missing,cmocka)
# Debian 12's iniparser ships no .pc file: fall back to its known layout.
INI_CFLAGS := $(shell $(PKG_CONFIG) --cflags iniparser 2>/dev/null || echo -I/usr/include/iniparser)
INI_LIBS   := $(shell $(PKG_CONFIG) --libs iniparser 2>/dev/null || echo -liniparser)
PKG_CFLAGS := $(if $(PKG_MISSING),,$(shell $(PKG_CONFIG) --cflags $(PKGS))) $(INI_CFLAGS)
PKG_LIBS   := $(if $(PKG_MISSING),,$(shell $(PKG_CONFIG) --libs $(PKGS))) $(INI_LIBS) -lpthread -lz
CMOCKA_LIBS := $(if $(TEST_MISSING),,$(shell $(PKG_CONFIG) --libs cmocka))

WARN	 = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS	?= -O2 -g
# CPPFLAGS and LDFLAGS are the builder's (a packager's hardening flags, say):
# CPPFLAGS goes into every compile, LDFLAGS into every link.  -MMD -MP
# writes each object's header dependencies beside it (NAME.d).
ALL_CPPFLAGS = -D_GNU_SOURCE -DPLC_VERSION='"$(VERSION)"' -Iinclude \
	   $(CPPFLAGS) $(PKG_CFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) -MMD -MP

SRCS	 = $(wildcard worker/*.c)
LIBSRCS	 = $(filter-out worker/main.c,$(SRCS))
TESTS	 = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Normal build in build/, sanitizer build (for make check) in build/check/.
B	 = build
OBJS	 = $(patsubst worker/%.c,$(B)/%.o,$(LIBSRCS))
CB	 = build/check
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
COBJS	 = $(patsubst worker/%.c,$(CB)/%.o,$(LIBSRCS))

# Debian packages that make deps-build installs when missing: what building
# and running the worker (and make run's demo) needs.
BUILD_PKGS = build-essential pkg-config libical-dev libcurl4-openssl-dev \
	   libsqlite3-dev libiniparser-dev libmicrohttpd-dev libjansson-dev \
	   libsystemd-dev libssl-dev zlib1g-dev libseccomp-dev curl
# And what make deps adds for make check: cmocka, the test servers and
# oracles, Chromium for the link page, clang for the fuzzers.
TEST_PKGS = libcmocka-dev sqlite3 nodejs npm python3 python3-aiosmtpd \
	   mandoc man-db chromium systemd strace bsdutils systemd-container \
	   clang libclang-rt-dev

# make run PORT=18080 (or PLC_DEMO_PORT=18080 in the environment) serves the
# demo on another port.  PORT counts only on the command line: it is too
# common a name to take from the environment.
DEMO_PORT = $(if $(filter command line,$(origin PORT)),$(PORT),$(PLC_DEMO_PORT))

# make check T=NAME runs one test: a unit test (test_civil) or an e2e
# script (nudge); make check-unit runs the unit tests only.  T counts only
# on the command line, as PORT does.
ONLY	  = $(if $(filter command line,$(origin T)),$(T))
RUN_UNITS = $(if $(ONLY),$(filter $(ONLY),$(TESTS)),$(TESTS))
RUN_E2E	  = $(if $(ONLY),$(filter-out $(TESTS),$(ONLY)),all)
# make check J=N runs N tests at a time (tests/run.sh -j); by default as
# many as there are CPUs.  Scripts tagged "# run-alone" run by themselves.
JOBS	  = $(or $(if $(filter command line,$(origin J)),$(J)),$(shell nproc 2>/dev/null),2)

.PHONY: all deps deps-build pkg-check pkg-check-test run check check-unit \
	test fuzz bench install uninstall clean
all: $(B)/plc-cadence

deps-build:
	@sh tests/deps.sh $(BUILD_PKGS)

deps:
	@sh tests/deps.sh --npm $(BUILD_PKGS) $(TEST_PKGS)

# Order-only prerequisites of every compile: $(error) is expanded only when
# something is about to be built, so make check's first step (make deps,
# which installs the packages) is not stopped by their absence.
pkg-check:
	$(if $(shell command -v $(PKG_CONFIG)),,$(error $(PKG_CONFIG) not found (make deps-build installs pkg-config)))
	$(if $(PKG_MISSING),$(error pkg-config cannot find: $(PKG_MISSING) (make deps-build installs the Debian -dev packages)))
pkg-check-test: pkg-check
	$(if $(TEST_MISSING),$(error pkg-config cannot find: $(TEST_MISSING) (make deps installs libcmocka-dev)))

$(B) $(CB):
	@mkdir -p $@

$(B)/%.o: worker/%.c | $(B) pkg-check
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/plc-cadence: $(OBJS) $(B)/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(CB)/%.o: worker/%.c | $(CB) pkg-check
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Werror $(SAN) -c -o $@ $<

$(CB)/plc-cadence: $(COBJS) $(CB)/main.o
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(CB)/test_%: tests/unit/test_%.c $(COBJS) | pkg-check-test
	$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -Werror $(SAN) \
	    $(LDFLAGS) -o $@ $< $(COBJS) $(PKG_LIBS) $(CMOCKA_LIBS)

# Recursive makes: their pkg-config runs after deps has installed the
# packages.
run: deps-build
	@$(MAKE) --no-print-directory $(B)/plc-cadence
	@PLC_DEMO_PORT='$(DEMO_PORT)' sh tests/demo.sh $(B)/plc-cadence conf/demo.ini

# The e2e tests run the binary; fuzz.sh runs the fuzzers too.
CHECK_BUILD = $(addprefix $(CB)/,$(RUN_UNITS)) \
	$(if $(RUN_E2E),$(CB)/plc-cadence) \
	$(if $(filter all fuzz,$(RUN_E2E)),$(addprefix $(FB)/,$(FUZZERS)))

check: deps
	@$(if $(ONLY),$(if $(RUN_UNITS)$(wildcard $(addprefix tests/e2e/,$(addsuffix .sh,$(RUN_E2E)))),,$(error make check T=$(T): no unit test tests/unit/$(T).c nor e2e test tests/e2e/$(T).sh)))
	@$(MAKE) -s --no-print-directory $(CHECK_BUILD)
	@sh tests/run.sh -j '$(JOBS)' -e '$(RUN_E2E)' $(CB) $(RUN_UNITS)

check-unit: deps
	@$(MAKE) -s --no-print-directory $(addprefix $(CB)/,$(TESTS))
	@sh tests/run.sh -j '$(JOBS)' -e '' $(CB) $(TESTS)

test: check

# Fuzzers (libFuzzer): tests/fuzz/fuzz_NAME.c, each linked with the worker
# objects built by clang with coverage and the sanitizers in build/fuzz/.
# make fuzz runs each for FUZZ_S seconds on tests/fuzz/corpus/NAME (new
# inputs go to a scratch directory); make check runs each for 10 s.
FB	 = build/fuzz
FUZZ_CC	 = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer
FUZZERS	 = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FOBJS	 = $(patsubst worker/%.c,$(FB)/%.o,$(LIBSRCS))
FUZZ_S	?= 60
# The config harness confines the files the loader opens (see its top).
FUZZ_LDFLAGS_config = -Wl,--wrap=open,--wrap=fopen

$(FB):
	@mkdir -p $@

$(FB)/%.o: worker/%.c | $(FB) pkg-check
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer-no-link \
	    $(FUZZ_SAN) -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FOBJS) | $(FB) pkg-check
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) \
	    $(LDFLAGS) -o $@ $< $(FOBJS) $(FUZZ_LDFLAGS_$*) $(PKG_LIBS)

fuzz: deps
	@$(MAKE) -s --no-print-directory $(addprefix $(FB)/,$(FUZZERS))
	@sh tests/fuzz/run.sh $(FB) $(FUZZ_S) $(FUZZERS)

# The peers the benchmarks compare with; make check does not need them.
BENCH_PKGS = nginx apprise wrk python3-icalendar time postfix

# bench/slots.sh drives the pure core through this, linked with build/.
$(B)/slots_bench: bench/slots_bench.c $(OBJS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(PKG_LIBS)

# A driver that times the feed renderer on its own (bench/feeds.sh).
$(B)/feedbench: bench/feedbench.c $(OBJS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(PKG_LIBS)

# A worker's publishing cycle for a district of any size (bench/feeds.sh).
$(B)/districtbench: bench/districtbench.c $(OBJS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(PKG_LIBS)

# postfix only for its smtp-sink: "No configuration" keeps its own MTA off.
# make bench BENCH="feeds slots" runs those only (bench/run.sh's names).
bench: deps
	@$(MAKE) --no-print-directory all $(B)/slots_bench $(B)/feedbench \
	    $(B)/districtbench
	@[ "$$(id -u)" != 0 ] || echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	@sh tests/deps.sh $(BENCH_PKGS)
	@sh bench/run.sh $(B)/plc-cadence $(if $(filter command line,$(origin BENCH)),$(BENCH))

# The config is a template the sysadmin edits: installed only where there is
# none, and never removed.  The unit runs the binary where it was installed.
# BIN names another built binary to install (the tests install theirs).
BIN	?= $(B)/plc-cadence
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(CONFDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/plc-cadence
	sed -e 's|/usr/local/bin/plc-cadence|$(BINDIR)/plc-cadence|g' \
	    -e 's|/etc/plc-cadence|$(CONFDIR)|g' systemd/plc-cadence.service \
	    >$(DESTDIR)$(UNITDIR)/plc-cadence.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/plc-cadence.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/plc-cadence.service.tmp \
	    $(DESTDIR)$(UNITDIR)/plc-cadence.service
	install -m 0644 systemd/plc-cadence.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/plc-cadence.conf
	sed 's|/etc/plc-cadence|$(CONFDIR)|g' systemd/plc-cadence.tmpfiles \
	    >$(DESTDIR)$(TMPFILESDIR)/plc-cadence.conf
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/plc-cadence.conf
	test -e $(DESTDIR)$(CONFDIR)/plc-cadence.ini || \
	    install -m 0644 conf/example.ini $(DESTDIR)$(CONFDIR)/plc-cadence.ini
	install -m 0644 man/plc-cadence.8 $(DESTDIR)$(MANDIR)/man8/plc-cadence.8
	install -m 0644 man/plc-cadence.ini.5 \
	    $(DESTDIR)$(MANDIR)/man5/plc-cadence.ini.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/plc-cadence \
	    $(DESTDIR)$(UNITDIR)/plc-cadence.service \
	    $(DESTDIR)$(SYSUSERSDIR)/plc-cadence.conf \
	    $(DESTDIR)$(TMPFILESDIR)/plc-cadence.conf \
	    $(DESTDIR)$(MANDIR)/man8/plc-cadence.8 \
	    $(DESTDIR)$(MANDIR)/man5/plc-cadence.ini.5
	@echo "uninstall: $(DESTDIR)$(CONFDIR) is kept (your config)"

clean:
	rm -rf build

# Each object's and program's header dependencies, from -MMD -MP.
-include $(wildcard $(B)/*.d $(CB)/*.d $(FB)/*.d)
