/*
 * What a namespace's table is made of, when collection sampled it (under pressure, or -v): the
 * composition part (its headline in the summary under pressure, the shares as lines) and the
 * timeouts part (the timeout that keeps the dominant class alive, and what lowering it costs).
 * Both are notes: they explain a state, they never make one.
 */
#include <stdio.h>

#include "composition.h"
#include "parts.h"
#include "timeouts.h"

bool ct_part_composition(const struct ct_config *cfg, const struct ct_ns *ns, struct mp_buf *sum,
			 mp_subcheck *out)
{
	const struct ct_inside *in = &ns->inside;
	struct mp_buf b = {0};

	if (!in->composition) {
		/* Not sampled: said with -v, or when pressure asked for the sample (it failed, or
		 * the time for samples ran out). */
		if (!in->why[0] || (cfg->verbose < 1 && !in->pressure))
			return false;
		*out = ct_part(STATE_OK, "composition: %s", in->why);
		mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "composition: %s", in->why));
		return true;
	}
	*out = ct_part(STATE_OK, "composition: sampled %s(%s)",
		       in->pressure ? "under pressure " : "", in->why);
	ct_composition_phrase(in->composition, ns->proc.entries, &b);
	if (in->pressure)
		mp_buf_printf(sum, ", %s", ct_text(&b));
	mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "composition: %s", ct_text(&b)));
	mp_buf_free(&b);
	ct_composition_lines(in->composition, cfg->verbose, &b);
	ct_part_lines(out, ct_text(&b), STATE_OK);
	mp_buf_free(&b);
	return true;
}

bool ct_part_timeouts(const struct ct_ns *ns, mp_subcheck *out)
{
	const struct ct_inside *in = &ns->inside;
	struct mp_buf b = {0};

	if (!in->timeouts)
		return false;
	if (ct_timeouts_summary(in->timeouts, in->composition, &b))
		*out = ct_part(STATE_OK, "timeouts: %s", ct_text(&b));
	else
		*out = ct_part(STATE_OK, "timeouts: this namespace's values");
	mp_buf_free(&b);
	ct_timeouts_phrase(in->timeouts, in->composition, &b);
	mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "timeouts: %s", ct_text(&b)));
	mp_buf_free(&b);
	return true;
}
