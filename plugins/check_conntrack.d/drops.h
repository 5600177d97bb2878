/*
 * Which drop is which: the kernel's drop counter counts packets refused because the table was
 * full and packets whose new entry clashed with another at insertion in a way the kernel could
 * not resolve. What was read tells them apart as far as it can.
 */
#ifndef CT_DROPS_H
#define CT_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* A table at or above this share of its limit is near full (percent). */
#define CT_NEAR_FULL_PCT 90

enum ct_drop_cause {
	CT_DROPS_NONE, /* no drop since the last check, or no comparison */
	/*
	 * The table was at or near its limit, now or at the last check, or the kernel evicted
	 * entries to make room (early_drop rose): drops are a full table's.
	 */
	CT_DROPS_FULL,
	/*
	 * None of that, and insert_failed rose at least as much: the kernel counts a clash it
	 * could not resolve in both (two packets of one new flow racing on two CPUs: UDP, NAT).
	 */
	CT_DROPS_CLASH,
	/* Neither: the table was not full when checked and the failed inserts do not match. */
	CT_DROPS_OTHER,
};

/* The table at or near its limit (a limit of 0 is none: never full). */
bool ct_near_full(uint64_t entries, uint64_t max);
/* Why the drops since the last check happened, as far as the counters and the table tell. */
enum ct_drop_cause ct_drop_cause(const struct ct_ns *ns);
/* The summary's words for a cause: "table full", "insert clashes" ...; "" for none. */
const char *ct_drop_cause_phrase(enum ct_drop_cause cause);
/*
 * The long-output line that says why (no newline): "drop: the table was at 100.0% of its limit
 * now ...". Empty when nothing was dropped. snprintf's return.
 */
int ct_drop_line(const struct ct_ns *ns, char *buf, size_t len);

#endif
