/*
 * The forecast part of a namespace: when its table is full at the current rate, from the samples
 * kept with the counters, against --time-to-full-warning/critical; perfdata time_to_full=Ns while
 * it grows toward the limit (0 when full), and "full in ~14 min at the current rate" in the
 * summary.
 */
#include <inttypes.h>
#include <stdio.h>

#include "parts.h"
#include "units.h"

/* The part's own text: what the forecast says, in a few words. */
static void headline(const struct ct_forecast *f, char *buf, size_t len)
{
	char d[32];

	switch (f->state) {
	case CT_FC_NO_LIMIT:
		snprintf(buf, len, "forecast: no limit");
		break;
	case CT_FC_FULL:
		snprintf(buf, len, "forecast: full now");
		break;
	case CT_FC_COLLECTING:
		snprintf(buf, len, "forecast: not yet");
		break;
	case CT_FC_STEADY:
		snprintf(buf, len, "forecast: not growing toward the limit");
		break;
	case CT_FC_SHRINKING:
		snprintf(buf, len, "forecast: shrinking");
		break;
	case CT_FC_GROWING:
		ct_fmt_duration(f->time_to_full, d, sizeof(d));
		snprintf(buf, len, "forecast: full in ~%s at the current rate", d);
		break;
	}
}

static mp_perfdata ttf_perf(const struct ct_config *cfg, uint64_t seconds)
{
	mp_perfdata pd = ct_perf(mp_create_pd_value(seconds), "s", "time_to_full");
	mp_thresholds th = mp_thresholds_init();

	if (cfg->ttf_warn.set)
		th = mp_thresholds_set_warn(th, ct_range_api(&cfg->ttf_warn.range));
	if (cfg->ttf_crit.set)
		th = mp_thresholds_set_crit(th, ct_range_api(&cfg->ttf_crit.range));
	return mp_pd_set_thresholds(pd, th);
}

bool ct_part_forecast(const struct ct_config *cfg, const struct ct_ns *ns,
		      const struct ct_labels *l, struct mp_buf *sum, mp_subcheck *out)
{
	struct ct_forecast f;
	mp_subcheck part;
	char text[128], line[512];
	uint64_t ttf;
	bool have_ttf;
	int state = STATE_OK;

	/* Retention says why no samples were kept; without it there is nothing to say. */
	if (!ns->fc_kept && !ns->fc_note[0])
		return false;
	if (!ns->fc_kept) {
		/* No samples between runs: nothing to forecast from, said, never guessed. */
		*out = ct_part(STATE_OK, "forecast: cannot tell");
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_OK, "forecast: cannot tell (%s)", ns->fc_note));
		return true;
	}
	f = ct_forecast(&ns->fc_ring, ns->fc_now, ns->proc.entries, ns->proc.max);
	have_ttf = ct_forecast_time_to_full(&f, &ttf);
	if (have_ttf)
		state = ct_threshold_state(&cfg->ttf_warn, &cfg->ttf_crit, (double)ttf, false, 0);
	headline(&f, text, sizeof(text));
	part = ct_part(state, "%s", text);
	ct_forecast_line(&f, line, sizeof(line));
	mp_add_subcheck_to_subcheck(&part, ct_part(STATE_OK, "%s", line));
	if (ns->fc_note[0] && ns->fc_note_level <= cfg->verbose)
		mp_add_subcheck_to_subcheck(&part, ct_part(STATE_OK, "forecast: %s", ns->fc_note));
	if (have_ttf && l->plain)
		mp_add_perfdata_to_subcheck(&part, ttf_perf(cfg, ttf));
	if (ct_forecast_summary(&f, state != STATE_OK, text, sizeof(text)) > 0)
		mp_buf_printf(sum, ", %s", text);
	*out = part;
	return true;
}
