/* Turns a snapshot and the thresholds into a state: utilization first, counters and rules later. */
#include <errno.h>

#include "snapshot.h"

/* A percent threshold needs a limit; a count threshold always applies. */
static bool threshold_alert(const struct ct_threshold *t, const struct ct_proc *p,
			    const struct ct_result *r)
{
	if (!t->set)
		return false;
	if (t->percent)
		return r->have_utilization && mp_range_alert(&t->range, r->utilization);
	return mp_range_alert(&t->range, (double)p->entries);
}

struct ct_result ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap)
{
	struct ct_result res = {.state = MP_OK};
	const struct ct_proc *p = &snap->proc;

	if (snap->proc_rc == -ENOENT) {
		res.state = cfg->missing_state;
		return res;
	}
	if (snap->proc_rc < 0) {
		res.state = MP_UNKNOWN;
		return res;
	}
	if (p->max > 0) {
		res.have_utilization = true;
		res.utilization = (double)p->entries * 100.0 / (double)p->max;
	}
	if (threshold_alert(&cfg->crit, p, &res))
		res.state = MP_CRITICAL;
	else if (threshold_alert(&cfg->warn, p, &res))
		res.state = MP_WARNING;
	return res;
}
