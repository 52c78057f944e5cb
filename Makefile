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
PKGS	 = libical libcurl sqlite3 libmicrohttpd jansson libsystemd libcrypto \
	   $(shell pkg-config --exists libseccomp 2>/dev/null && echo libseccomp)
# Debian 12's iniparser ships no .pc file: fall back to its known layout.
INI_CFLAGS := $(shell pkg-config --cflags iniparser 2>/dev/null || echo -I/usr/include/iniparser)
INI_LIBS   := $(shell pkg-config --libs iniparser 2>/dev/null || echo -liniparser)
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(INI_CFLAGS)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(INI_LIBS) -lpthread -lz
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN	 = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPLC_VERSION='"$(VERSION)"' -Iinclude \
	   $(WARN) $(CFLAGS) $(PKG_CFLAGS)

SRCS	 = $(wildcard worker/*.c)
LIBSRCS	 = $(filter-out worker/main.c,$(SRCS))
TESTS	 = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Normal build in build/, sanitizer build (for make check) in build/check/.
B	 = build
OBJS	 = $(patsubst worker/%.c,$(B)/%.o,$(LIBSRCS))
CB	 = build/check
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
COBJS	 = $(patsubst worker/%.c,$(CB)/%.o,$(LIBSRCS))

# Debian packages that make deps installs when missing.
DEB_PKGS = build-essential pkg-config libical-dev libcurl4-openssl-dev \
	   libsqlite3-dev libiniparser-dev libmicrohttpd-dev libjansson-dev \
	   libsystemd-dev libssl-dev zlib1g-dev libcmocka-dev sqlite3 curl \
	   nodejs npm python3 python3-aiosmtpd mandoc man-db chromium systemd \
	   strace bsdutils systemd-container clang libclang-rt-dev libseccomp-dev

.PHONY: all deps run check test fuzz bench install uninstall clean
all: $(B)/plc-cadence

deps:
	@sh tests/deps.sh $(DEB_PKGS)

$(B) $(CB):
	@mkdir -p $@

$(B)/%.o: worker/%.c $(wildcard include/*.h) | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/plc-cadence: $(OBJS) $(B)/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(CB)/%.o: worker/%.c $(wildcard include/*.h) | $(CB)
	$(CC) $(ALL_CFLAGS) -Werror $(SAN) -c -o $@ $<

$(CB)/plc-cadence: $(COBJS) $(CB)/main.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

$(CB)/test_%: tests/unit/test_%.c $(COBJS) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) -Werror $(SAN) -Itests/unit -o $@ $< $(COBJS) \
	    $(PKG_LIBS) $(CMOCKA_LIBS)

run: deps all
	@sh tests/demo.sh $(B)/plc-cadence conf/demo.ini

check: deps
	@$(MAKE) -s --no-print-directory $(CB)/plc-cadence $(addprefix $(CB)/,$(TESTS)) \
	    $(addprefix $(FB)/,$(FUZZERS))
	@sh tests/run.sh $(CB) $(TESTS)

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

$(FB)/%.o: worker/%.c $(wildcard include/*.h) | $(FB)
	$(FUZZ_CC) $(ALL_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FOBJS) | $(FB)
	$(FUZZ_CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    $(FOBJS) $(FUZZ_LDFLAGS_$*) $(PKG_LIBS)

fuzz: deps
	@$(MAKE) -s --no-print-directory $(addprefix $(FB)/,$(FUZZERS))
	@sh tests/fuzz/run.sh $(FB) $(FUZZ_S) $(FUZZERS)

# The peers the benchmarks compare with; make check does not need them.
BENCH_PKGS = nginx apprise wrk python3-icalendar time postfix

# bench/slots.sh drives the pure core through this, linked with build/.
$(B)/slots_bench: bench/slots_bench.c $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(OBJS) $(PKG_LIBS)

# A driver that times the feed renderer on its own (bench/feeds.sh).
$(B)/feedbench: bench/feedbench.c $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(OBJS) $(PKG_LIBS)

# postfix only for its smtp-sink: "No configuration" keeps its own MTA off.
bench: deps all $(B)/slots_bench $(B)/feedbench
	@[ "$$(id -u)" != 0 ] || echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	@sh tests/deps.sh $(BENCH_PKGS)
	@sh bench/run.sh $(B)/plc-cadence

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
