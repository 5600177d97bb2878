# The build against the real libmonitoringplug (monitoring-plugins 3.x) instead of our own
# implementation of its interface in common/; included by the Makefile.
#
#   make MONITORING_PLUGINS=DIR mplib-plugin   the plugin's sources compiled against DIR:
#                                              build-monitoring-plugins/out/check_conntrack
#   make mplib                                 the vendored snapshot built once, into
#                                              build-monitoring-plugins/src (about 25 s of CPU)
#   make mplib-check                           tests/mplib/*.t: test_mpapi against the real
#                                              library, the plugin built against it through
#                                              the CLI and fixture suites and compared with the
#                                              usual build in every format (part of `make check`)
#
# DIR is a configured monitoring-plugins 3.x tree in which `make -C gl && make -C lib` ran;
# without MONITORING_PLUGINS it is the vendored snapshot's build. The snapshot is
# $(MONITORING_PLUGINS_TARBALL), else the newest one tests/mplib/build.sh finds.

# Our implementation of the interface: what the real library replaces.
MPLIB_API_SRC := common/mp_check.c common/mp_format.c common/mp_perfdata.c common/mp_thresholds.c
MPLIB_BUILD := build-monitoring-plugins
MPLIB_OUT := $(MPLIB_BUILD)/out
MPLIB_DIR = $(if $(MONITORING_PLUGINS),$(MONITORING_PLUGINS),$(MPLIB_BUILD)/src)

# The library's headers come before common/, so "output.h", "perfdata.h", "thresholds.h" and
# "states.h" are its own (they find ../config.h beside themselves). CT_MONITORING_PLUGINS tells
# the sources which build this is, and makes ours refuse to be included by mistake.
MPLIB_CPPFLAGS = -DCT_MONITORING_PLUGINS=1 -I$(MPLIB_DIR)/lib
MPLIB_CFLAGS = $(MPLIB_CPPFLAGS) $(ALL_CFLAGS)
# libmonitoringplug.a needs gnulib's replacements (rpl_fopen, rpl_realloc, idpriv_*) from
# libgnu.a, after it; nothing else beyond libc.
MPLIB_LIBS = $(MPLIB_DIR)/lib/libmonitoringplug.a $(MPLIB_DIR)/gl/libgnu.a

MPLIB_COMMON_SRC = $(filter-out $(MPLIB_API_SRC),$(COMMON_SRC))
MPLIB_OBJ = $(patsubst %.c,$(MPLIB_OUT)/%.o,$(MPLIB_COMMON_SRC) $(PLUGIN_SRC))

# Objects built against one DIR are rebuilt when DIR changes, or its library does.
MPLIB_DEPS = $(MPLIB_OUT)/.dir $(if $(MONITORING_PLUGINS),$(MPLIB_LIBS),$(MPLIB_BUILD)/src/.check_conntrack-built)

$(MPLIB_OUT)/.dir: mplib-force
	@mkdir -p $(@D)
	@echo '$(abspath $(MPLIB_DIR))' | cmp -s - $@ || echo '$(abspath $(MPLIB_DIR))' >$@

# build.sh does the work only when the snapshot changed; the stamp's time says when it did.
$(MPLIB_BUILD)/src/.check_conntrack-built: mplib-force
	tests/mplib/build.sh $(MONITORING_PLUGINS_TARBALL) $(MPLIB_BUILD)/src >/dev/null

mplib: $(MPLIB_BUILD)/src/.check_conntrack-built

$(MPLIB_OUT)/%.o: %.c $(HEADERS) $(MPLIB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(MPLIB_CFLAGS) -c -o $@ $<

$(MPLIB_OUT)/libcheck.a: $(MPLIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(MPLIB_OUT)/check_conntrack: $(MPLIB_OUT)/plugins/check_conntrack.o $(MPLIB_OUT)/libcheck.a
	$(CC) $(MPLIB_CFLAGS) $(LDFLAGS) -o $@ $< $(MPLIB_OUT)/libcheck.a $(MPLIB_LIBS) $(LIBS)

$(MPLIB_OUT)/test_mpapi: tests/unit/test_mpapi.c tests/unit/tap.h $(MPLIB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(MPLIB_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(MPLIB_LIBS) $(LIBS)

mplib-plugin: $(MPLIB_OUT)/check_conntrack
mplib-unit: $(MPLIB_OUT)/test_mpapi

# The suites find the snapshot and the tools, or say why not (a skip; a failure under CI=true).
mplib-check: tests/unit/test_mpapi plugins/check_conntrack
	MONITORING_PLUGINS='$(MONITORING_PLUGINS)' prove -f tests/mplib/*.t

check: mplib-check

# `make clean` drops the objects; the library's build stays (mplib-clean drops it too).
clean: mplib-clean-out

mplib-clean-out:
	rm -rf $(MPLIB_OUT)

mplib-clean:
	rm -rf $(MPLIB_BUILD)

mplib-force:

.PHONY: mplib mplib-plugin mplib-unit mplib-check mplib-clean mplib-clean-out mplib-force
