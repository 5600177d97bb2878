/* Renders the verdict: the status line, perfdata and long output. Reads no files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "snapshot.h"

/*
 * A threshold as perfdata wants it on one scale. For integer entries, alerting above x is the
 * same as alerting above floor(x) and below x the same as below ceil(x), so percent thresholds
 * convert to whole entry counts without changing when they fire.
 */
static const char *threshold_on(const struct ct_threshold *t, bool want_percent, uint64_t max,
				char *buf, size_t len)
{
	struct mp_range r;

	if (!t->set)
		return NULL;
	if (t->percent == want_percent)
		return mp_range_format(&t->range, buf, len);
	if (max == 0)
		return NULL;
	r = t->range;
	if (want_percent) {
		r.start = r.start * 100.0 / (double)max;
		r.end = r.end * 100.0 / (double)max;
	} else {
		r.start = ceil(r.start * (double)max / 100.0);
		r.end = floor(r.end * (double)max / 100.0);
	}
	return mp_range_format(&r, buf, len);
}

static void perfdata(const struct ct_config *cfg, const struct ct_snapshot *snap,
		     const struct ct_result *res, struct mp_buf *perf)
{
	const struct ct_proc *p = &snap->proc;
	char v[40], w[96], c[96], mx[40];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)p->entries);
	snprintf(mx, sizeof(mx), "%llu", (unsigned long long)p->max);
	mp_perf_add(perf, "entries", v, NULL, threshold_on(&cfg->warn, false, p->max, w, sizeof(w)),
		    threshold_on(&cfg->crit, false, p->max, c, sizeof(c)), "0",
		    p->max ? mx : NULL);
	if (res->have_utilization) {
		snprintf(v, sizeof(v), "%.2f", res->utilization);
		mp_perf_add(perf, "utilization", v, "%",
			    threshold_on(&cfg->warn, true, p->max, w, sizeof(w)),
			    threshold_on(&cfg->crit, true, p->max, c, sizeof(c)), "0", "100");
	}
	if (p->have_buckets) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)p->buckets);
		mp_perf_add(perf, "buckets", v, NULL, NULL, NULL, NULL, NULL);
	}
}

void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res)
{
	const struct ct_proc *p = &snap->proc;
	struct mp_buf summary = {0}, perf = {0}, lines = {0};

	if (snap->proc_rc == -ENOENT) {
		mp_buf_printf(&summary, "connection tracking is not active (%s)", snap->proc_err);
	} else if (snap->proc_rc < 0) {
		mp_buf_printf(&summary, "%s", snap->proc_err);
	} else {
		if (res->have_utilization)
			mp_buf_printf(&summary, "%llu of %llu entries (%.1f%%)",
				      (unsigned long long)p->entries, (unsigned long long)p->max,
				      res->utilization);
		else
			mp_buf_printf(&summary, "%llu entries (no limit)",
				      (unsigned long long)p->entries);
		perfdata(cfg, snap, res, &perf);
		if (p->max && p->entries > p->max)
			mp_buf_printf(&lines,
				      "entries exceed the limit: it was lowered below the current "
				      "count; new flows are dropped until old ones expire\n");
		if (!p->max)
			mp_buf_printf(&lines, "%s is 0: the kernel sets no limit, percent thresholds "
					      "do not apply\n",
				      p->sysctl_key);
	}
	mp_buf_printf(&lines, "%s", mp_buf_str(&snap->trace));
	if (summary.oom || perf.oom || lines.oom)
		mp_die(CT_SERVICE, "out of memory");
	mp_output(CT_SERVICE, res->state, mp_buf_str(&summary), mp_buf_str(&perf),
		  mp_buf_str(&lines));
	mp_buf_free(&summary);
	mp_buf_free(&perf);
	mp_buf_free(&lines);
}
