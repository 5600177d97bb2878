/* What the admin asked for: the parsed options, as every step after option parsing reads them. */
#ifndef CT_CONFIG_H
#define CT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "mp.h"
#include "output.h"
#include "watched.h"

#define CT_SERVICE "CONNTRACK"
#define CT_PLUGIN "check_conntrack"

/* The longest --procfs, --sysfs or --root: what is read under it must still fit in PATH_MAX. */
#define CT_ROOT_MAX (PATH_MAX - 256)

/* A threshold argument: a range on a count, or on utilization when it ended in '%'. */
struct ct_threshold {
	bool set;
	bool percent;
	struct mp_range range;
};

struct ct_config {
	struct ct_threshold warn, crit;
	/* Thresholds on the change of each watched counter since the previous run (watched.h). */
	struct ct_threshold delta_warn[CT_WATCHED_MAX], delta_crit[CT_WATCHED_MAX];
	/* Seconds until the table is full at the current rate (forecast), never a percentage. */
	struct ct_threshold ttf_warn, ttf_crit;
	/* The expectation table: a count, or a percentage of nf_conntrack_expect_max. */
	struct ct_threshold expect_warn, expect_crit;
	int missing_state; /* state when connection tracking is not active */
	const char *procfs;
	const char *sysfs;
	const char *netns; /* NULL: our own; a name under /run/netns, a path, or "all" */
	const char *state_dir; /* NULL: the default (see common/retention_store.h) */
	const char *state_key; /* NULL: derived from the options that define the check */
	bool peek; /* --peek: compare with the baseline, save nothing */
	int state_unusable; /* state when the counters cannot be kept between runs */
	const char *root; /* where sysctl configuration is read: "/" */
	bool no_rules; /* --no-rules: do not inspect the firewall */
	int state_rules_state; /* state when state-matching rules exist, -1: no effect */
	int tracking_rules_state; /* state when anything forces tracking, -1: no effect */
	int persistence_state; /* state when the limit is not what boot applies, -1: no effect */
	unsigned timeout;
	int verbose;
	bool output_format_set; /* --output-format: the library's format, else the classic one */
	mp_output_format output_format;
	/* --output-format=prometheus: every namespace carries its perfdata labels plain. */
	bool prometheus;
	/*
	 * Perfdata beyond the classic labels, which the prometheus format asks for: each watched
	 * counter's rise and the seconds since the last check, each rules backend read or not,
	 * whether the limit is persistent. A label "name{key=value}" carries a label of its own.
	 */
	bool perf_detail;
	unsigned long output_limit; /* --output-limit: the classic output's bytes, 0: no bound */
};

/*
 * With --procfs pointing elsewhere, the kernel's own answers (netlink, getsockopt) could describe
 * another system than the tree read: only the tree is read then.
 */
static inline bool ct_procfs_is_elsewhere(const struct ct_config *cfg)
{
	return strcmp(cfg->procfs, "/proc") != 0;
}

#endif
