/*
 * The counters of a namespace: one part per watched counter (its rise since the last check against
 * its thresholds, its perfdata), and a part for the others with the "since last check" lines.
 */
#include <inttypes.h>
#include <stdio.h>

#include "drops.h"
#include "parts.h"
#include "units.h"

/* Long output about the counters of one namespace. */
static void counters_lines(const struct ct_config *cfg, const struct ct_ns *ns, struct mp_buf *b)
{
	const char *sep = "";

	if (ns->retention != CT_RET_DELTA) {
		mp_buf_printf(b, "%s\n",
			      ns->retention_note[0] ? ns->retention_note : "counters: no baseline");
		return;
	}
	mp_buf_printf(b, "since last check (%.0f s ago, counters from %s): ", ns->seconds,
		      ns->counters.source);
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		bool watched = ct_watched_index((enum ct_counter)i) >= 0;

		if (!(ns->counters.present & (1u << i)) ||
		    (!watched && !ns->delta[i] && cfg->verbose < 1))
			continue;
		mp_buf_printf(b, "%s%s +%" PRIu64, sep, ct_counter_names[i], ns->delta[i]);
		if (ns->seconds > 0 && ns->delta[i]) {
			char rate[32];

			ct_fmt_rate((double)ns->delta[i] / ns->seconds, rate, sizeof(rate));
			mp_buf_printf(b, " (%s/s)", rate);
		}
		sep = ", ";
	}
	mp_buf_printf(b, "\n");
	if (ns->retention_note[0])
		mp_buf_printf(b, "%s\n", ns->retention_note);
	if (ns->delta[CT_INSERT_FAILED] && ns->counters.insert_failed_counts_clashes)
		mp_buf_printf(b,
			      "note: on this kernel insert_failed also counts clashes the kernel "
			      "resolved, on busy multi-CPU hosts it rises without harm\n");
}

/* A counter's perfdata: plain for the namespace the summary names, <prefix>drop under --netns=all.
 */
static void counter_perf(mp_subcheck *part, const struct ct_ns *ns, enum ct_counter c,
			 const struct ct_labels *l)
{
	mp_perfdata_value v = mp_create_pd_value(ns->counters.value[c]);

	if (l->plain)
		mp_add_perfdata_to_subcheck(part, ct_perf(v, "c", "%s", ct_counter_names[c]));
	/* Per namespace in --netns=all: the essentials only, or the line grows too long. */
	if (l->pre && c == CT_DROP)
		mp_add_perfdata_to_subcheck(part, ct_perf(v, "c", "%sdrop", l->pre));
}

static bool present(const struct ct_ns *ns, enum ct_counter c)
{
	return ns->counters_rc == 0 && (ns->counters.present & (1u << c));
}

/*
 * Drops name their cause in their phrase (" (table full)", " (insert clashes)") and why in a
 * line under their part; the other counters neither.
 */
static void drop_cause(mp_subcheck *part, const struct ct_ns *ns)
{
	char line[640];

	if (ct_drop_line(ns, line, sizeof(line)) > 0)
		mp_add_subcheck_to_subcheck(part, ct_part(STATE_OK, "%s", line));
}

mp_subcheck ct_part_watched(const struct ct_config *cfg, const struct ct_ns *ns, size_t w,
			    const struct ct_labels *l)
{
	const struct ct_watched *row = &ct_watched[w];
	uint64_t d = ns->delta[row->counter];
	enum ct_drop_cause cause = row->counter == CT_DROP ? ct_drop_cause(ns) : CT_DROPS_NONE;
	mp_subcheck part;

	if (ns->retention == CT_RET_DELTA)
		part = ct_part(ct_threshold_state(&cfg->delta_warn[w], &cfg->delta_crit[w],
						  (double)d, false, 0),
			       "%" PRIu64 " %s%s%s%s since last check", d, row->phrase,
			       cause ? " (" : "", ct_drop_cause_phrase(cause), cause ? ")" : "");
	else
		part = ct_part(STATE_OK, "%s: no comparison with the last check", row->phrase);
	counter_perf(&part, ns, row->counter, l);
	if (cause)
		drop_cause(&part, ns);
	/* The rise the state judges, for formats that want every number (prometheus). */
	if (cfg->perf_detail && ns->retention == CT_RET_DELTA)
		mp_add_perfdata_to_subcheck(&part, ct_perf(mp_create_pd_value(d), NULL,
							   "%s_since_last_check",
							   ct_counter_names[row->counter]));
	return part;
}

bool ct_watched_present(const struct ct_ns *ns, size_t w)
{
	return present(ns, ct_watched[w].counter);
}

mp_subcheck ct_part_counters(const struct ct_config *cfg, const struct ct_ns *ns,
			     const struct ct_labels *l)
{
	struct mp_buf b = {0};
	mp_subcheck part;

	if (ns->counters_rc < 0) {
		part = ct_part(-1, "counters not available");
		mp_buf_printf(&b, "counters not available: %s\n", ns->counters_why);
	} else {
		part = ct_part(-1, "counters from %s", ns->counters.source);
		for (int c = 0; c < CT_COUNTER_MAX; c++)
			if (present(ns, (enum ct_counter)c) &&
			    ct_watched_index((enum ct_counter)c) < 0)
				counter_perf(&part, ns, (enum ct_counter)c, l);
		counters_lines(cfg, ns, &b);
		if (cfg->perf_detail && ns->retention == CT_RET_DELTA)
			mp_add_perfdata_to_subcheck(&part, ct_perf(mp_create_pd_value(ns->seconds),
								   "s", "since_last_check"));
	}
	ct_part_lines(&part, ct_text(&b), STATE_OK);
	mp_buf_free(&b);
	/* A note on the counters, never a state of its own. */
	return mp_set_subcheck_state(part, STATE_OK);
}
