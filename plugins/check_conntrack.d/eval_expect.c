/*
 * The expectation table of a namespace (connections announced by helpers such as FTP and SIP)
 * against nf_conntrack_expect_max and --expect-warning/critical; perfdata expect=N;W;C;0;MAX.
 */
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "parts.h"

static mp_perfdata expect_perf(const struct ct_expect *e, const struct ct_expect_verdict *v)
{
	mp_perfdata pd = ct_perf(mp_create_pd_value(e->count), NULL, "expect");
	mp_thresholds th = mp_thresholds_init();

	if (v->have_warn)
		th = mp_thresholds_set_warn(th, ct_range_api(&v->warn));
	if (v->have_crit)
		th = mp_thresholds_set_crit(th, ct_range_api(&v->crit));
	pd = mp_pd_set_thresholds(pd, th);
	pd = mp_set_pd_min_value(pd, mp_create_pd_value((uint64_t)0));
	if (e->max_rc == 0)
		pd = mp_set_pd_max_value(pd, mp_create_pd_value(e->max));
	return pd;
}

/* The part's own text: the count against the limit, in a few words. */
static mp_subcheck expect_part(const struct ct_expect *e, const struct ct_expect_verdict *v)
{
	if (e->count_rc < 0)
		return ct_part(v->state, "expect: cannot tell");
	if (!v->have_pct)
		return ct_part(v->state, "expect: %llu expectations", (unsigned long long)e->count);
	return ct_part(v->state, "expect: %llu of %llu expectations (%.1f%%)",
		       (unsigned long long)e->count, (unsigned long long)e->max, v->pct);
}

bool ct_part_expect(const struct ct_config *cfg, const struct ct_ns *ns, const struct ct_labels *l,
		    struct mp_buf *sum, mp_subcheck *out)
{
	const struct ct_expect *e = ns->inside.expect;
	struct ct_expect_verdict v;
	struct mp_buf b = {0};

	if (!e)
		return false;
	ct_expect_evaluate(e, &cfg->expect_warn, &cfg->expect_crit, &v);
	*out = expect_part(e, &v);
	/* Its line when there is something to say: most hosts have no helper and no expectation. */
	if ((e->count_rc == 0 && e->count > 0) || cfg->expect_warn.set || cfg->expect_crit.set ||
	    v.state != STATE_OK || cfg->verbose >= 1) {
		ct_expect_phrase(e, &v, &b);
		mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "expect: %s", ct_text(&b)));
		mp_buf_free(&b);
	}
	if (e->count_rc == 0 && l->plain)
		mp_add_perfdata_to_subcheck(out, expect_perf(e, &v));
	if (ct_expect_summary(e, &v, &b))
		mp_buf_printf(sum, ", %s", ct_text(&b));
	mp_buf_free(&b);
	return true;
}
