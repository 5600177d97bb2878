/*
 * The parts evaluation builds the verdict from, one builder each (eval_*.c): a namespace's rules
 * and counters, and the host-wide sections. Each returns a subcheck with its state, its text, its
 * perfdata and its long-output lines as children; evaluation.c puts them together.
 */
#ifndef CT_PARTS_H
#define CT_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"
#include "verdict.h"

/* Which perfdata labels a namespace carries. */
struct ct_labels {
	bool plain; /* the plain labels: the namespace the summary names */
	const char *pre; /* its own prefix under --netns=all ("web_"), else NULL */
};

/* OK, WARNING or CRITICAL for a count (or a utilization, when have_pct) against -w/-c ranges. */
int ct_threshold_state(const struct ct_threshold *warn, const struct ct_threshold *crit,
		       double count, bool have_pct, double pct);

/* eval_rules.c: rules that force tracking; lines: the rules themselves as children. */
mp_subcheck ct_part_rules(const struct ct_config *cfg, const struct ct_ns *ns, bool plain,
			  bool lines);

/* eval_counters.c: the counters of a namespace whose table was read. */
bool ct_watched_present(const struct ct_ns *ns, size_t w);
mp_subcheck ct_part_watched(const struct ct_config *cfg, const struct ct_ns *ns, size_t w,
			    const struct ct_labels *l);
mp_subcheck ct_part_counters(const struct ct_config *cfg, const struct ct_ns *ns,
			     const struct ct_labels *l);

/* eval_owner.c: who wrote the namespace's rules ("owner: ..."), when someone recognised did. */
bool ct_part_owner(const struct ct_ns *ns, mp_subcheck *out);

/*
 * Host-wide sections of their own files, each returning whether it has anything to say; those
 * that the first line mentions append "; <fragment>" to summary. eval_memory.c: --netns=all's
 * entries and kernel memory summed (entries_total). eval_hash.c: entries per bucket,
 * chaintoolong (advice: the hash's own fix too). eval_boot.c: what a reboot brings back.
 */
bool ct_section_memory(const struct ct_snapshot *snap, mp_subcheck *out);
bool ct_section_hash(const struct ct_config *cfg, const struct ct_snapshot *snap,
		     const struct ct_ns *top, bool advice, mp_subcheck *out,
		     struct mp_buf *summary);
bool ct_section_boot(const struct ct_config *cfg, const struct ct_snapshot *snap,
		     const struct ct_ns *top, mp_subcheck *out, struct mp_buf *summary);

/*
 * Issue 14's parts of a namespace whose table was read: each adds its summary fragment to sum
 * (the namespace's phrase) when the summary should carry it.
 * eval_forecast.c: when the table is full at the current rate (--time-to-full-*).
 * eval_composition.c: what the table is made of and the timeouts that keep it, when sampled.
 * eval_expect.c: the expectation table (--expect-*).
 */
bool ct_part_forecast(const struct ct_config *cfg, const struct ct_ns *ns,
		      const struct ct_labels *l, struct mp_buf *sum, mp_subcheck *out);
bool ct_part_composition(const struct ct_config *cfg, const struct ct_ns *ns, struct mp_buf *sum,
			 mp_subcheck *out);
bool ct_part_timeouts(const struct ct_ns *ns, mp_subcheck *out);
bool ct_part_expect(const struct ct_config *cfg, const struct ct_ns *ns, const struct ct_labels *l,
		    struct mp_buf *sum, mp_subcheck *out);

/* eval_host.c: the host-wide sections; each returns whether it has anything to say. */
bool ct_section_coverage(const struct ct_snapshot *snap, mp_subcheck *out);
bool ct_section_statedir(const struct ct_snapshot *snap, int store_state, mp_subcheck *out);
bool ct_section_persistence(const struct ct_config *cfg, const struct ct_snapshot *snap,
			    const struct ct_ns *top, int state, mp_subcheck *out);
/* The advice for the reasons in why (advice.h) of the alerts. */
bool ct_section_advice(const struct ct_config *cfg, const struct ct_snapshot *snap,
		       const struct ct_ns *top, unsigned why, mp_subcheck *out);
bool ct_section_limit(const struct ct_ns *top, mp_subcheck *out);
bool ct_section_trace(const struct ct_snapshot *snap, mp_subcheck *out);

#endif
