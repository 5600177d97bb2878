/* What to do about the alert, for its reason, on this kernel, as long-output lines. */
#ifndef CT_ADVICE_H
#define CT_ADVICE_H

#include <stddef.h>

#include "config.h"
#include "mp.h"
#include "snapshot.h"

/*
 * Why advice is given: bits, one per reason an alert can have. Evaluation sets them from the
 * parts that alerted; each piece of advice answers some of them.
 */
enum ct_why {
	/*
	 * The table is full or filling: a utilization threshold (percent) or the table at or near
	 * its limit, drops of a full table, early drops.
	 */
	CT_WHY_FULL = 1u << 0,
	/* A threshold a higher limit would not clear: a count far below the limit, a low side. */
	CT_WHY_THRESHOLD = 1u << 1,
	/* Insert clashes: drops with as many failed inserts, or failed inserts alone. */
	CT_WHY_CLASH = 1u << 2,
	/* Drops that were neither a table full when checked nor insert clashes. */
	CT_WHY_DROPS = 1u << 3,
	/* --persistence: boot would apply another limit. */
	CT_WHY_PERSISTENCE = 1u << 4,
	/* --state-rules or --tracking-rules: rules there should not be. */
	CT_WHY_RULES = 1u << 5,
	/* -v and no alert: what to do when the table fills. */
	CT_WHY_ASKED = 1u << 6,
};

/* The reason of an alert of the utilization part (-w/-c) of namespace ns. */
unsigned ct_why_utilization(const struct ct_config *cfg, const struct ct_ns *ns);
/* The reason of an alert on the rise of a watched counter. */
unsigned ct_why_counter(const struct ct_ns *ns, enum ct_counter c);

/*
 * A bare count threshold that reads like a percentage (at most 100, with a limit far above it):
 * "-w 80 is 80 entries; 80% is the utilization". Empty when there is none. snprintf's return.
 */
int ct_threshold_note(const struct ct_config *cfg, const struct ct_ns *ns, char *buf, size_t len);

/*
 * The advice for namespace ns (whose table was read) and the reasons in why: each line ends in
 * a newline; command lines stand on their own, indented, to be pasted as they are.
 */
void ct_advice(const struct ct_config *cfg, const struct ct_snapshot *snap, const struct ct_ns *ns,
	       unsigned why, struct mp_buf *out);

#endif
