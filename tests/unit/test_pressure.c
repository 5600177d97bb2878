/*
 * The decision collection takes before privileges go (collect_table.c): whether a namespace's
 * table is under pressure, so that its composition is sampled; and what an unprivileged look
 * inside a table gives (the expectation table from the stat file, no sample, the timeouts only
 * with -v), on fixture trees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_table.h"
#include "composition.h"
#include "expect.h"
#include "options.h"
#include "timeouts.h"

#include "tap.h"

/* A fixture tree's /proc, found from this file's own path (tests/unit/../fixtures/trees). */
static const char *tree(const char *name, const char *tail, char *buf, size_t len)
{
	const char *f = __FILE__, *slash = strrchr(f, '/');
	int n = slash ? (int)(slash - f) : 0;

	snprintf(buf, len, "%.*s%s../fixtures/trees/%s/proc%s", n, f, slash ? "/" : "", name, tail);
	return buf;
}

#define BOOT_A "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
#define BOOT_B "7c2a1f3b-4d5e-4f60-9bac-1d2e3f4a5b6c"

static struct ct_ns table(uint64_t entries, uint64_t max, uint64_t drop, uint64_t early_drop)
{
	struct ct_ns ns = {0};

	ns.proc.active = true;
	ns.proc.entries = entries;
	ns.proc.max = max;
	ns.counters.source = "netlink";
	ns.counters.present = 1u << CT_DROP | 1u << CT_EARLY_DROP | 1u << CT_INSERT_FAILED;
	ns.counters.value[CT_DROP] = drop;
	ns.counters.value[CT_EARLY_DROP] = early_drop;
	return ns;
}

/* The last run's record of this check: its boot and its counters. */
static struct mp_store_record baseline(const char *boot, uint64_t drop, uint64_t early_drop,
				       uint64_t insert_failed)
{
	struct mp_store_record r = {.time = 1000};

	snprintf(r.boot_id, sizeof(r.boot_id), "%s", boot);
	mp_store_set(&r, "drop", drop);
	mp_store_set(&r, "early_drop", early_drop);
	mp_store_set(&r, "insert_failed", insert_failed);
	return r;
}

static void pressure(void)
{
	struct ct_config cfg;
	struct ct_ns ns;
	struct mp_store_record prev = baseline(BOOT_A, 10, 5, 0);
	char why[200];

	ct_options_init(&cfg);
	ns = table(7000, 10000, 10, 5);
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "70%% under -w 80%%, no drop since the baseline: not under pressure");
	is_str(why, "", "... and nothing to say");
	ok(!ct_under_pressure(&cfg, &ns, NULL, BOOT_A, why, sizeof(why)),
	   "... nor without a baseline");

	ns.proc.entries = 8000;
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "80%%: -w 80%% alerts above 80, not at it");
	ns.proc.entries = 8001;
	ok(ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "80.01%%: at the warning threshold");
	is_str(why, "at the warning threshold", "... says which");
	ns.proc.entries = 9500;
	ct_under_pressure(&cfg, &ns, NULL, BOOT_A, why, sizeof(why));
	is_str(why, "at the critical threshold", "95%: at the critical threshold");

	/* Count thresholds apply with or without a limit; percent ones need one. */
	ns = table(6000, 0, 10, 5);
	ok(!ct_under_pressure(&cfg, &ns, NULL, BOOT_A, why, sizeof(why)),
	   "no limit: percent thresholds do not apply");
	cfg.warn = ct_options_parse(3, (char *[]){"check_conntrack", "-w", "5000", NULL}, 0)
			   .config.warn;
	ok(ct_under_pressure(&cfg, &ns, NULL, BOOT_A, why, sizeof(why)),
	   "-w 5000: 6000 entries without a limit are at the warning threshold");

	/* Drops and early drops since the baseline of this boot. */
	ct_options_init(&cfg);
	ns = table(100, 10000, 38, 5);
	ok(ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "1%% full, 28 drops since the baseline: under pressure");
	is_str(why, "+28 drop since the last check", "... says how many");
	ns.counters.value[CT_EARLY_DROP] = 8;
	ns.proc.entries = 9500;
	ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why));
	is_str(why, "at the critical threshold, +28 drop, +3 early_drop since the last check",
	       "every reason, in one line");
	ns = table(100, 10000, 10, 9);
	ok(ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "early drops alone: under pressure");
	is_str(why, "+4 early_drop since the last check", "... says so");

	ns = table(100, 10000, 38, 9);
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_B, why, sizeof(why)),
	   "a baseline of another boot: its counters compare with nothing");
	ns = table(100, 10000, 3, 1);
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "counters that went backwards: no rise claimed");
	ns = table(100, 10000, 38, 9);
	ns.counters_rc = -ENOENT;
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "no counters: no rise claimed");
	ns = table(100, 10000, 10, 5);
	ns.counters.present |= 1u << CT_INSERT_FAILED;
	ns.counters.value[CT_INSERT_FAILED] = 50;
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "insert_failed alone is not pressure (clashes count there on older kernels)");
	ns = table(100, 10000, 38, 9);
	ns.counters.present = 0;
	ok(!ct_under_pressure(&cfg, &ns, &prev, BOOT_A, why, sizeof(why)),
	   "counters this kernel does not have: no rise claimed");
	ns = table(100, 10000, 38, 9);
	ok(ct_under_pressure(&cfg, &ns, &prev, "", NULL, 0),
	   "no boot id read: compared; why may be NULL");
}

/* Without CAP_NET_ADMIN (no socket): the expectations from the stat file, no sample. */
static void unprivileged(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {0};
	struct ct_ns ns = table(100, 10000, 0, 0);
	char procfs[4096], stat[4096], err[256];

	ct_options_init(&cfg);
	cfg.procfs = tree("expect-modern", "", procfs, sizeof(procfs));
	ns.counters_rc = ct_statfile_read(
		tree("expect-modern", "/net/stat/nf_conntrack", stat, sizeof(stat)), &ns.counters,
		err, sizeof(err));
	ct_collect_expect(&cfg, &snap, &ns, NULL);
	ok(ns.inside.expect != NULL, "expectations looked at");
	if (ns.inside.expect) {
		is_int(ns.inside.expect->count_rc, 0, "... counted");
		is_str(ns.inside.expect->source, "stat file counters", "... from the stat file");
		is_int(ns.inside.expect->max, 4096, "... against nf_conntrack_expect_max");
	}
	ct_collect_inside(&cfg, &snap, &ns, NULL);
	ok(!ns.inside.composition && !ns.inside.pressure, "no socket: no sample");
	is_str(ns.inside.why, "not sampled (not with --procfs)", "... and why (for -v)");
	ok(!ns.inside.timeouts, "... and no timeouts read without -v");
	ct_inside_free(&ns.inside);

	cfg.verbose = 1;
	tree("timeouts-6.18", "", procfs, sizeof(procfs));
	ns.proc.entries = 9900;
	ct_collect_inside(&cfg, &snap, &ns, NULL);
	ok(!ns.inside.composition, "-v, under pressure, no socket: still no sample");
	ok(ns.inside.timeouts && ns.inside.timeouts->rc[CT_TO_UDP] == 0,
	   "-v: the timeouts of the namespace read");
	ct_inside_free(&ns.inside);
	memset(&ns.inside, 0, sizeof(ns.inside));

	ns.proc.active = false;
	ns.proc_rc = -ENOENT;
	ct_collect_expect(&cfg, &snap, &ns, NULL);
	ct_collect_inside(&cfg, &snap, &ns, NULL);
	ok(!ns.inside.expect && !ns.inside.timeouts && !ns.inside.why[0],
	   "tracking not active: nothing looked at (a request would load it)");
	ct_trace_free(&snap.trace);
}

int main(void)
{
	pressure();
	unprivileged();
	return tap_done();
}
