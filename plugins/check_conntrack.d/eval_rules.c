/*
 * The rules part of a namespace: which rules force connection tracking (one of four phrases), the
 * state --state-rules gives them, their counts as perfdata and the rules themselves as lines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "parts.h"

/*
 * One of five phrases (an interface): "tracking forced by N rules (...)", with exemptions "N
 * rules need connection tracking (...) and M rules exempt traffic from it", "no rule needs
 * connection tracking", "rules partly inspected (...)", "rules not inspected (...)". When a
 * backend could not be read, rules found elsewhere are "at least N", followed by the fourth.
 * The module holders are the host's, whatever namespace is checked: said so.
 */
static void rules_phrase(const struct ct_rules *r, struct mp_buf *b)
{
	bool complete = ct_rules_complete(r);

	if (r->tracking_rules) {
		char phrase[256];

		ct_rules_forced_phrase(r, complete, phrase, sizeof(phrase));
		mp_buf_printf(b, "%s", phrase);
		if (complete)
			return;
		mp_buf_printf(b, ", ");
	} else if (complete) {
		mp_buf_printf(b, "no rule needs connection tracking");
		return;
	}
	/* A backend that was not read may hold the rules: "none" would be a claim we cannot make.
	 */
	mp_buf_printf(b, "rules %s inspected (%s", ct_rules_some(r) ? "partly" : "not",
		      r->why_not[0] ? r->why_not : "unknown");
	if (r->have_holders && r->holders[0])
		mp_buf_printf(b,
			      ", for the whole host, not this namespace alone: nf_conntrack is "
			      "used by %s",
			      r->holders);
	else if (r->have_holders)
		mp_buf_printf(b, ", for the whole host: no module uses nf_conntrack");
	mp_buf_printf(b, ")");
}

/* Which backends were read, when not all were: the counts below are then a lower bound. */
static void rules_backends_line(const struct ct_rules *r, struct mp_buf *b)
{
	static const char *const states[CT_READ_FAILED + 1] = {"not asked", "not in use", "read",
							       "not read"};
	const char *sep = "";

	if (ct_rules_complete(r) || !ct_rules_some(r))
		return;
	mp_buf_printf(b, "rules: partly inspected, the counts are a lower bound: ");
	for (int i = 0; i < CT_BACKENDS; i++) {
		mp_buf_printf(b, "%s%s %s", sep, ct_backends[i].title,
			      states[r->read[i] <= CT_READ_FAILED ? r->read[i] : CT_READ_FAILED]);
		sep = ", ";
	}
	mp_buf_printf(b, " (%s)\n", r->why_not);
}

/* The rules themselves: at most 20 of each kind unless -v. */
static void rules_lines(const struct ct_rules *r, bool all, struct mp_buf *b)
{
	size_t shown[2] = {0, 0};
	const size_t limit = all ? (size_t)-1 : CT_RULES_LISTED;

	rules_backends_line(r, b);
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		int exemption = ct_rule_class(x->kinds);
		char line[512];

		if (shown[exemption] >= limit)
			continue;
		shown[exemption]++;
		ct_rule_line(x, line, sizeof(line));
		mp_buf_printf(b, "%s\n", line);
	}
	for (int k = 0; k < 2; k++) {
		size_t more = r->total[k] - shown[k];

		if (r->total[k] > shown[k])
			mp_buf_printf(b, "... and %zu more %s (-v lists all)\n", more,
				      k ? (more == 1 ? "exemption" : "exemptions")
					: (more == 1 ? "rule" : "rules"));
	}
}

/*
 * --state-rules for state matches, --tracking-rules for anything that forces tracking; the worse
 * of the two. Counted rules were read, even when a backend was not: "at least one" is enough.
 */
static int rules_state(const struct ct_config *cfg, const struct ct_ns *ns)
{
	const struct ct_rules *r = &ns->rules;
	mp_state_enum state = STATE_OK;

	if (!ct_ns_read(ns))
		return STATE_OK;
	if (cfg->state_rules_state >= 0 && r->state_rules)
		state = max_state_alt(state, (mp_state_enum)cfg->state_rules_state);
	if (cfg->tracking_rules_state >= 0 && r->tracking_rules)
		state = max_state_alt(state, (mp_state_enum)cfg->tracking_rules_state);
	return (int)state;
}

mp_subcheck ct_part_rules(const struct ct_config *cfg, const struct ct_ns *ns, bool plain,
			  bool lines)
{
	const struct ct_rules *r = &ns->rules;
	struct mp_buf b = {0};
	mp_subcheck part;

	rules_phrase(r, &b);
	part = ct_part(rules_state(cfg, ns), "%s", ct_text(&b));
	mp_buf_free(&b);
	/*
	 * Each backend in use, read to its end or not, for formats that want every number: first,
	 * so that the part is named after it whether the counts follow or not.
	 */
	for (int i = 0; cfg->perf_detail && ct_ns_read(ns) && i < CT_BACKENDS; i++)
		if (r->read[i] != CT_READ_ABSENT)
			mp_add_perfdata_to_subcheck(
				&part,
				ct_perf(mp_create_pd_value(r->read[i] == CT_READ_DONE ? 1 : 0),
					NULL, "rules_read{backend=%s}", ct_backends[i].title));
	/* A count is a claim: made only when every backend was read to its end. */
	if (plain && ct_rules_complete(r)) {
		mp_add_perfdata_to_subcheck(
			&part, ct_perf(mp_create_pd_value(r->state_rules), NULL, "state_rules"));
		mp_add_perfdata_to_subcheck(&part, ct_perf(mp_create_pd_value(r->tracking_rules),
							   NULL, "tracking_rules"));
		mp_add_perfdata_to_subcheck(&part, ct_perf(mp_create_pd_value(r->notrack_rules),
							   NULL, "notrack_rules"));
	}
	if (lines) {
		rules_lines(r, cfg->verbose, &b);
		ct_part_lines(&part, ct_text(&b), STATE_OK);
		mp_buf_free(&b);
	}
	return part;
}
