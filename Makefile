# check_conntrack: build, test and install. `make check` runs every test suite.
# The version lives here only: the binary and the man page are built with it, the packaging
# files (contrib/debian/changelog, contrib/rpm/check_conntrack.spec) are checked against it.
VERSION := 0.1.0
CC ?= cc
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
PKG_CONFIG ?= pkg-config
# GNU defaults: a source install goes under /usr/local; the packages pass prefix=/usr.
prefix = /usr/local
plugindir = $(prefix)/lib/nagios/plugins
mandir = $(prefix)/share/man
DESTDIR ?=

# Warnings are errors only when asked (WERROR=1): `make check` and CI ask, distribution builds
# (make, make install, the packages) do not, as a newer compiler must not break them.
ifneq ($(filter check,$(MAKECMDGOALS)),)
WERROR ?= 1
endif
export WERROR
WARNINGS = -Wall -Wextra -Wshadow -Wformat=2 $(if $(filter 1,$(WERROR)),-Werror)

# A run is mostly process start. Library calls bound when the binary is loaded (-z now; with
# -fno-plt, called through the GOT) cost less than each bound on its first call through the PLT
# (about 15 us a run, measured paired), and the GOT is then read-only (full RELRO). They come
# before CFLAGS and LDFLAGS: a packager's own flags still win.
START_CFLAGS = -fno-plt
START_LDFLAGS = -Wl,-O1 -Wl,--as-needed -Wl,-z,relro -Wl,-z,now
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARNINGS) -Icommon -Iplugins/check_conntrack.d \
	-DCT_VERSION='"$(VERSION)"' $(MNL_CFLAGS) $(START_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LIBS = $(MNL_LIBS) -lm

COMMON_SRC := $(sort $(wildcard common/*.c))
PLUGIN_SRC := $(sort $(wildcard plugins/check_conntrack.d/*.c))
LIB_OBJ := $(COMMON_SRC:.c=.o) $(PLUGIN_SRC:.c=.o)
HEADERS := $(wildcard common/*.h plugins/check_conntrack.d/*.h)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:.c=)

all: plugins/check_conntrack

# Everything is rebuilt when the version or the flags change: the version is compiled in (the
# rules cache key holds it) and WERROR=1 must see every file again. .build-flags changes only then.
.build-flags: FORCE
	@printf '%s\n' "$$CT_BUILD_FLAGS" | cmp -s - $@ || printf '%s\n' "$$CT_BUILD_FLAGS" >$@
.build-flags: export CT_BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(START_LDFLAGS) $(LDFLAGS) $(LIBS)

%.o: %.c $(HEADERS) .build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

libcheck.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

plugins/check_conntrack: plugins/check_conntrack.o libcheck.a
	$(CC) $(ALL_CFLAGS) $(START_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

tests/unit/test_%: tests/unit/test_%.c tests/unit/tap.h tests/unit/ns_fixture.h libcheck.a .build-flags
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< libcheck.a $(LIBS)

unit: $(UNIT_BIN)

# The same plugin linked statically (issue 16): no dynamic loader, no shared library to map and
# bind: about 40 us less per run and 0.7 MiB less peak RSS in the last make bench
# (tests/bench/RESULTS.md). It needs a static libmnl, which Debian's libmnl-dev does not ship:
# MNL_STATIC=/path/to/libmnl.a (libmnl's ./configure --enable-static makes one), else what
# pkg-config --static names. PIE as the ordinary build; STATIC_LDFLAGS=-static gives up ASLR
# (make bench does not measure that variant). glibc's getpwuid (a state directory
# under the home directory, messages naming another user) then loads the NSS modules of the glibc
# it was built with: run it where it was built.
MNL_STATIC ?= $(shell $(PKG_CONFIG) --static --libs libmnl)
STATIC_LDFLAGS = -static-pie
static: plugins/check_conntrack-static

plugins/check_conntrack-static: plugins/check_conntrack.o libcheck.a
	@case "$(MNL_STATIC)" in *.a) test -f "$(MNL_STATIC)" ;; \
	*) test "$$($(CC) -print-file-name=libmnl.a)" != libmnl.a ;; esac || { \
		echo "make static: no static libmnl (Debian's libmnl-dev ships none): build one with" \
			"libmnl's ./configure --enable-static and give MNL_STATIC=/path/to/libmnl.a" >&2; \
		exit 1; }
	$(CC) $(ALL_CFLAGS) $(STATIC_LDFLAGS) $(START_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MNL_STATIC)

# prove runs the C unit tests (TAP) and the shell suites; its closing summary is the verdict.
# tests/hostguard/ comes first and last: it watches the host-wide settings the whole time.
check: all unit
	guard=$$(mktemp -d) && HOSTGUARD=$$guard prove -f tests/hostguard/begin.t $(UNIT_BIN) \
		tests/fixtures/*.t tests/cli/*.t tests/structure/*.t tests/kernel/*.t tests/integration/*.t \
		tests/hardening/*.t tests/hostguard/end.t; rc=$$?; rm -rf "$$guard"; exit $$rc

install: plugins/check_conntrack
	install -d $(DESTDIR)$(plugindir)
	install -m 0755 plugins/check_conntrack $(DESTDIR)$(plugindir)/check_conntrack

install-setcap: install
	setcap cap_net_admin+ep $(DESTDIR)$(plugindir)/check_conntrack

uninstall:
	rm -f $(DESTDIR)$(plugindir)/check_conntrack

format:
	clang-format -i plugins/*.c plugins/check_conntrack.d/*.[ch] common/*.[ch] tests/unit/*.[ch]

clean:
	rm -f plugins/*.o plugins/check_conntrack.d/*.o common/*.o libcheck.a \
		plugins/check_conntrack plugins/check_conntrack-static $(UNIT_BIN)

# Also what the fuzz, benchmark and package targets left: back to what git tracks.
distclean: clean
	rm -rf .build-flags tests/fuzz/bin tests/bench/bin tests/bench/floor build-pkg \
		check_conntrack-*.tar.gz

FORCE:

.PHONY: all unit static check install install-setcap uninstall format clean distclean FORCE

# Hardening (issue 6): libFuzzer targets, `make fuzz` / `make fuzz-build`.
include tests/fuzz/fuzz.mk

# The build against the real libmonitoringplug (issue 12): `make MONITORING_PLUGINS=DIR mplib-plugin`.
include tests/mplib/mplib.mk

# Integration and packaging (issue 5): man page, `make deb`, `make rpm`, `make rpm-spec-check`.
include contrib/contrib.mk

# Benchmark (issue 7): cost per run against the floor and the peers, as root; not part of `make check`.
bench: all libcheck.a
	bash tests/bench/bench.sh

.PHONY: bench
