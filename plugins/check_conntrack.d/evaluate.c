/* Turns a snapshot and the thresholds into states: utilization, then what changed since last run.
 */
#include <errno.h>
#include <stdlib.h>

#include "evaluate.h"

/* A percent threshold needs a limit; a count threshold always applies. */
static bool threshold_alert(const struct ct_threshold *t, double count, bool have_pct, double pct)
{
	if (!t->set)
		return false;
	if (t->percent)
		return have_pct && mp_range_alert(&t->range, pct);
	return mp_range_alert(&t->range, count);
}

static int threshold_state(const struct ct_threshold *warn, const struct ct_threshold *crit,
			   double count, bool have_pct, double pct)
{
	if (threshold_alert(crit, count, have_pct, pct))
		return MP_CRITICAL;
	if (threshold_alert(warn, count, have_pct, pct))
		return MP_WARNING;
	return MP_OK;
}

static void evaluate_ns(const struct ct_config *cfg, const struct ct_ns *ns, struct ct_ns_result *r)
{
	const struct ct_proc *p = &ns->proc;

	if (ct_ns_failed(ns)) {
		r->state = MP_UNKNOWN;
		return;
	}
	if (ns->proc_rc == -ENOENT) {
		r->state = cfg->missing_state;
		return;
	}
	if (p->max > 0) {
		r->have_utilization = true;
		r->utilization = (double)p->entries * 100.0 / (double)p->max;
	}
	r->state = threshold_state(&cfg->warn, &cfg->crit, (double)p->entries, r->have_utilization,
				   r->utilization);
	/* Counted rules were read, even when a backend was not: "at least one" is enough here. */
	if (cfg->state_rules_state >= 0 && ns->rules.state_rules) {
		r->rules_state = cfg->state_rules_state;
		r->state = mp_state_worst(r->state, r->rules_state);
	}
	if (ns->retention != CT_RET_DELTA)
		return;
	for (size_t w = 0; w < ct_watched_n; w++) {
		enum ct_counter c = ct_watched[w].counter;

		if (!(ns->counters.present & (1u << c)))
			continue;
		r->delta_state[w] = threshold_state(&cfg->delta_warn[w], &cfg->delta_crit[w],
						    (double)ns->delta[c], false, 0);
		r->state = mp_state_worst(r->state, r->delta_state[w]);
	}
}

/*
 * The namespace the summary names: one that was read, the worst state first, then the highest
 * utilization, else the most entries; a namespace that could not be read only if none was.
 */
static bool fuller(const struct ct_ns *a, const struct ct_ns_result *ra, const struct ct_ns *b,
		   const struct ct_ns_result *rb)
{
	bool read_a = ct_ns_read(a), read_b = ct_ns_read(b);

	if (read_a != read_b)
		return read_a;
	if (ra->state != rb->state && mp_state_worst(ra->state, rb->state) == ra->state)
		return true;
	if (ra->state != rb->state)
		return false;
	if (ra->have_utilization && rb->have_utilization)
		return ra->utilization > rb->utilization;
	return a->proc.entries > b->proc.entries;
}

/* Some namespace has counters to keep between runs. */
static bool counted(const struct ct_snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		if (ct_ns_read(&snap->ns[i]) && snap->ns[i].counters_rc == 0)
			return true;
	return false;
}

struct ct_result ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap)
{
	struct ct_result res = {.state = MP_OK, .store_state = -1};

	res.ns = calloc(snap->n ? snap->n : 1, sizeof(*res.ns));
	if (!res.ns) {
		res.state = MP_UNKNOWN;
		return res;
	}
	for (size_t i = 0; i < snap->n; i++) {
		evaluate_ns(cfg, &snap->ns[i], &res.ns[i]);
		res.state = i ? mp_state_worst(res.state, res.ns[i].state) : res.ns[i].state;
		if (i &&
		    fuller(&snap->ns[i], &res.ns[i], &snap->ns[res.fullest], &res.ns[res.fullest]))
			res.fullest = i;
	}
	/*
	 * --netns=all that could not see every namespace cannot say none is full: UNKNOWN, unless
	 * what it did see is already worse.
	 */
	if (snap->multi && (snap->scan.unseen || snap->scan.untold))
		res.state = mp_state_worst(res.state, MP_UNKNOWN);
	/* Counters that could not be kept between runs: drop detection is off, not OK. */
	if (snap->store.unusable && counted(snap)) {
		res.store_state = cfg->state_unusable;
		res.state = mp_state_worst(res.state, res.store_state);
	}
	if (cfg->persistence_state >= 0 && snap->persistence.mismatch)
		res.persistence_state = cfg->persistence_state;
	/* Asked and not answerable: UNKNOWN, never the alert (unless asked for OK). */
	else if (cfg->persistence_state >= 0 && ct_persistence_unknown(&snap->persistence))
		res.persistence_state = cfg->persistence_state == MP_OK ? MP_OK : MP_UNKNOWN;
	if (cfg->persistence_state >= 0)
		res.state = mp_state_worst(res.state, res.persistence_state);
	return res;
}

void ct_result_free(struct ct_result *res)
{
	free(res->ns);
	res->ns = NULL;
}
