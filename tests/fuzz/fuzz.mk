# libFuzzer targets (clang), included by the Makefile. `make fuzz` runs each for FUZZ_SECONDS;
# `make fuzz-build` only builds them into tests/fuzz/bin (objects apart from the normal build).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := tests/fuzz/bin
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -g -O1 \
	-fno-omit-frame-pointer $(FUZZ_SAN) -Icommon -Iplugins/check_conntrack.d \
	-DCT_VERSION='"$(VERSION)"' $(MNL_CFLAGS)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(COMMON_SRC) $(PLUGIN_SRC))

$(FUZZ_DIR)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libfuzzcheck.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_DIR)/libfuzzcheck.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libfuzzcheck.a \
		$(MNL_LIBS) -lm

fuzz-build: $(FUZZ_BINS)

# Each target: the checked-in seeds, new finds kept in $(FUZZ_DIR)/corpus, crashes saved there.
fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- \
			$(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_DIR)/fuzz_$$t.log 2>&1 \
			|| { fail=1; echo "fuzz_$$t FAILED: see $(FUZZ_DIR)/fuzz_$$t.log"; }; \
		grep -E '^(stat::number_of_executed_units|SUMMARY)' $(FUZZ_DIR)/fuzz_$$t.log; \
	done; exit $$fail

.PHONY: fuzz fuzz-build
