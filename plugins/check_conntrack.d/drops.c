/*
 * Which drop is which, from the counters' rise and how full the table was now and at the last
 * check. In the kernel, a packet whose new entry cannot be allocated (the table is full, or
 * memory ran short) counts in drop alone; an insert clash it cannot resolve counts in drop and
 * insert_failed (before 5.10 insert_failed also counted the clashes it resolved).
 */
#include <inttypes.h>
#include <stdio.h>

#include "drops.h"

bool ct_near_full(uint64_t entries, uint64_t max)
{
	/* entries * 100 >= max * 90, in floating point: no product of two counts wraps. */
	return max > 0 && (double)entries * 100.0 >= (double)max * CT_NEAR_FULL_PCT;
}

static bool rose(const struct ct_ns *ns, enum ct_counter c)
{
	return (ns->counters.present & (1u << c)) && ns->delta[c] > 0;
}

static bool full_before(const struct ct_ns *ns)
{
	return ns->have_prev && ct_near_full(ns->prev_entries, ns->prev_max);
}

enum ct_drop_cause ct_drop_cause(const struct ct_ns *ns)
{
	const uint64_t drops = ns->delta[CT_DROP];

	if (ns->retention != CT_RET_DELTA || !rose(ns, CT_DROP))
		return CT_DROPS_NONE;
	if (ct_near_full(ns->proc.entries, ns->proc.max) || full_before(ns) ||
	    rose(ns, CT_EARLY_DROP))
		return CT_DROPS_FULL;
	if ((ns->counters.present & (1u << CT_INSERT_FAILED)) &&
	    ns->delta[CT_INSERT_FAILED] >= drops)
		return CT_DROPS_CLASH;
	return CT_DROPS_OTHER;
}

const char *ct_drop_cause_phrase(enum ct_drop_cause cause)
{
	static const char *const phrase[] = {
		[CT_DROPS_NONE] = "",
		[CT_DROPS_FULL] = "table full",
		[CT_DROPS_CLASH] = "insert clashes",
		[CT_DROPS_OTHER] = "table not full when checked",
	};

	return cause <= CT_DROPS_OTHER ? phrase[cause] : "";
}

static double pct(uint64_t entries, uint64_t max)
{
	return max ? (double)entries * 100.0 / (double)max : 0;
}

/* "at 0.2% of its limit now and 0.1% at the last check" */
static int fill_words(const struct ct_ns *ns, char *buf, size_t len)
{
	if (!ns->proc.max)
		return snprintf(buf, len, "without a limit");
	if (!ns->have_prev || !ns->prev_max)
		return snprintf(buf, len, "at %.1f%% of its limit now",
				pct(ns->proc.entries, ns->proc.max));
	return snprintf(buf, len, "at %.1f%% of its limit now and %.1f%% at the last check",
			pct(ns->proc.entries, ns->proc.max), pct(ns->prev_entries, ns->prev_max));
}

/* Only this check's fill was read: a table full at the last one is not ruled out. */
static const char *unknown_before(const struct ct_ns *ns)
{
	return ns->have_prev && ns->prev_max
		       ? ""
		       : " (the fill at the last check was not kept: cannot tell whether the table "
			 "was full then)";
}

int ct_drop_line(const struct ct_ns *ns, char *buf, size_t len)
{
	enum ct_drop_cause cause = ct_drop_cause(ns);
	uint64_t drops = ns->delta[CT_DROP], failed = ns->delta[CT_INSERT_FAILED];
	char fill[96];

	if (len)
		buf[0] = '\0';
	fill_words(ns, fill, sizeof(fill));
	switch (cause) {
	case CT_DROPS_FULL:
		if (rose(ns, CT_EARLY_DROP) && !ct_near_full(ns->proc.entries, ns->proc.max) &&
		    !full_before(ns))
			return snprintf(buf, len,
					"drop: table full: the kernel evicted %" PRIu64
					" entries to make room (early_drop), the table %s",
					ns->delta[CT_EARLY_DROP], fill);
		return snprintf(buf, len,
				"drop: table full: the table was %s (near full: %d%% or more)",
				fill, CT_NEAR_FULL_PCT);
	case CT_DROPS_CLASH:
		return snprintf(
			buf, len,
			"drop: insert clashes, not a full table: the table was %s, no entry "
			"was evicted, and insert_failed rose by %" PRIu64 " with the %" PRIu64
			" drops: packets of one new flow sent at once on two CPUs (UDP, "
			"through NAT) whose entries the kernel could not merge",
			fill, failed, drops);
	case CT_DROPS_OTHER:
		if (!(ns->counters.present & (1u << CT_INSERT_FAILED)))
			return snprintf(
				buf, len,
				"drop: not a full table when checked: the table was %s and no "
				"entry was evicted, this kernel does not count failed inserts, "
				"so insert clashes cannot be told from a table that filled and "
				"emptied between checks%s",
				fill, unknown_before(ns));
		return snprintf(
			buf, len,
			"drop: not a full table when checked: the table was %s and no entry "
			"was evicted, insert_failed rose by %" PRIu64 " for %" PRIu64
			" drops, so not insert clashes alone: the kernel could not make new "
			"entries, because the table filled and emptied between checks or "
			"kernel memory ran short%s",
			fill, failed, drops, unknown_before(ns));
	default:
		return 0;
	}
}
