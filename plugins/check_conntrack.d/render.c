/* Renders the verdict: the status line, perfdata and long output. Reads no files. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* A perfdata label prefix for a namespace in --netns=all: its label, made label-safe. */
static void ns_prefix(const struct ct_snapshot *snap, const struct ct_ns *ns, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (!snap->multi)
		return;
	for (const char *p = ns->label; *p && o + 2 < len; p++) {
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
			buf[o++] = *p;
		else if (o && buf[o - 1] != '_')
			buf[o++] = '_';
	}
	if (o && buf[o - 1] != '_')
		buf[o++] = '_';
	buf[o] = '\0';
}

static void perf_ns(const struct ct_config *cfg, const struct ct_snapshot *snap,
		    const struct ct_ns *ns, const struct ct_ns_result *r, bool plain,
		    struct mp_buf *perf)
{
	const struct ct_proc *p = &ns->proc;
	char v[40], w[96], c[96], mx[40], pre[80], label[160];

	if (plain)
		pre[0] = '\0';
	else
		ns_prefix(snap, ns, pre, sizeof(pre));
	if (!ct_ns_read(ns))
		return;
	snprintf(v, sizeof(v), "%" PRIu64, p->entries);
	snprintf(mx, sizeof(mx), "%" PRIu64, p->max);
	snprintf(label, sizeof(label), "%sentries", pre);
	mp_perf_add(perf, label, v, NULL, threshold_on(&cfg->warn, false, p->max, w, sizeof(w)),
		    threshold_on(&cfg->crit, false, p->max, c, sizeof(c)), "0", p->max ? mx : NULL);
	if (r->have_utilization) {
		snprintf(v, sizeof(v), "%.2f", r->utilization);
		snprintf(label, sizeof(label), "%sutilization", pre);
		mp_perf_add(perf, label, v, "%",
			    threshold_on(&cfg->warn, true, p->max, w, sizeof(w)),
			    threshold_on(&cfg->crit, true, p->max, c, sizeof(c)), "0", "100");
	}
	if (p->have_buckets && (plain || !snap->multi)) {
		snprintf(v, sizeof(v), "%" PRIu64, p->buckets);
		mp_perf_add(perf, "buckets", v, NULL, NULL, NULL, NULL, NULL);
	}
	if (!plain && snap->multi) {
		/* Per namespace in --netns=all: the essentials only, or the line grows too long. */
		if ((ns->counters_rc == 0) && (ns->counters.present & (1u << CT_DROP))) {
			snprintf(v, sizeof(v), "%" PRIu64, ns->counters.value[CT_DROP]);
			snprintf(label, sizeof(label), "%sdrop", pre);
			mp_perf_add(perf, label, v, "c", NULL, NULL, NULL, NULL);
		}
		return;
	}
	if (ns->rules.inspected) {
		static const char *const names[3] = {"state_rules", "tracking_rules",
						     "notrack_rules"};
		const unsigned vals[3] = {ns->rules.state_rules, ns->rules.tracking_rules,
					  ns->rules.notrack_rules};
		for (int i = 0; i < 3; i++) {
			snprintf(v, sizeof(v), "%u", vals[i]);
			snprintf(label, sizeof(label), "%s%s", pre, names[i]);
			mp_perf_add(perf, label, v, NULL, NULL, NULL, NULL, NULL);
		}
	}
	if (ns->counters_rc < 0)
		return;
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		if (!(ns->counters.present & (1u << i)))
			continue;
		snprintf(v, sizeof(v), "%" PRIu64, ns->counters.value[i]);
		snprintf(label, sizeof(label), "%s%s", pre, ct_counter_names[i]);
		mp_perf_add(perf, label, v, "c", NULL, NULL, NULL, NULL);
	}
}

/* "8500 of 10000 entries (85.0%), 37 packets dropped (table full) since last check" */
static void describe_ns(const struct ct_ns *ns, const struct ct_ns_result *r, struct mp_buf *b)
{
	const struct ct_proc *p = &ns->proc;
	static const char *const what[CT_W_MAX] = {"packets dropped (table full)", "early drops",
						   "failed inserts"};

	if (ct_ns_failed(ns)) {
		mp_buf_printf(b, "%s", ns->err);
		return;
	}
	if (ns->proc_rc == -ENOENT) {
		mp_buf_printf(b, "connection tracking is not active (%s)", ns->err);
		return;
	}
	if (r->have_utilization)
		mp_buf_printf(b, "%" PRIu64 " of %" PRIu64 " entries (%.1f%%)", p->entries, p->max,
			      r->utilization);
	else
		mp_buf_printf(b, "%" PRIu64 " entries (no limit)", p->entries);
	if (ns->retention != CT_RET_DELTA)
		return;
	for (int w = 0; w < CT_W_MAX; w++) {
		uint64_t d = ns->delta[ct_watched_counter[w]];

		if (d && (ns->counters.present & (1u << ct_watched_counter[w])))
			mp_buf_printf(b, ", %" PRIu64 " %s since last check", d, what[w]);
	}
}

/*
 * Exactly one of three phrases (an interface): "tracking forced by N rules (...)", "no rule needs
 * connection tracking", "rules not inspected (...)".
 */
static void rules_phrase(const struct ct_ns *ns, struct mp_buf *b)
{
	const struct ct_rules *r = &ns->rules;

	/* A backend that failed may hold the rules: "none" would be a claim we cannot make. */
	if (!r->inspected || (r->why_not[0] && !r->tracking_rules)) {
		mp_buf_printf(b, "rules not inspected (%s", r->why_not[0] ? r->why_not : "unknown");
		if (r->have_holders && r->holders[0])
			mp_buf_printf(b, "; nf_conntrack is used by %s", r->holders);
		else if (r->have_holders)
			mp_buf_printf(b, "; no module uses nf_conntrack");
		mp_buf_printf(b, ")");
		return;
	}
	if (!r->tracking_rules) {
		mp_buf_printf(b, "no rule needs connection tracking");
		return;
	}
	unsigned kinds = r->kinds;

	mp_buf_printf(b, "tracking forced by %u rules (", r->tracking_rules);
	const char *sep = "";
	if (kinds & CT_RULE_STATE) {
		mp_buf_printf(b, "state match");
		sep = ", ";
	}
	if (kinds & CT_RULE_CT) {
		mp_buf_printf(b, "%sother ct use", sep);
		sep = ", ";
	}
	if (kinds & CT_RULE_NAT)
		mp_buf_printf(b, "%sNAT", sep);
	mp_buf_printf(b, ")");
}

/* The rules themselves: at most 20 of each kind unless -v. */
static void rules_lines(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *b)
{
	const struct ct_rules *r = &ns->rules;
	size_t shown[2] = {0, 0};
	const size_t limit = snap->verbose ? (size_t)-1 : CT_RULES_LISTED;

	if (r->inspected && r->why_not[0])
		mp_buf_printf(b, "rules: partly inspected: %s\n", r->why_not);
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		int notrack = ct_rule_class(x->kinds);

		if (shown[notrack] >= limit)
			continue;
		shown[notrack]++;
		mp_buf_printf(b, "%s: %s %s %s %s %s%" PRIu64 ": %s\n",
			      notrack ? "exemption" : "rule", x->backend, x->family, x->table,
			      x->chain, strcmp(x->backend, "nftables") ? "#" : "handle ", x->handle,
			      x->what);
	}
	for (int k = 0; k < 2; k++) {
		if (r->total[k] > shown[k])
			mp_buf_printf(b, "... and %zu more %s (-v lists all)\n",
				      r->total[k] - shown[k], k ? "exemptions" : "rules");
	}
}

static void persistence_lines(const struct ct_snapshot *snap, const struct ct_result *res,
			      struct mp_buf *b)
{
	const struct ct_persistence *p = &snap->persist;
	const struct ct_ns *ns = &snap->ns[res->fullest];

	if (!p->checked)
		return;
	if (p->mismatch)
		mp_buf_printf(b,
			      "persistence: the running limit %" PRIu64
			      " is not what boot applies: %s = %s (%s line %u); the running value "
			      "will be lost at reboot, or the configured one was never applied (a "
			      "classic: sysctl ran before nf_conntrack was loaded)\n",
			      ns->proc.max, p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else if (p->boot.found && snap->verbose)
		mp_buf_printf(b, "persistence: boot applies the running limit (%s line %u)\n",
			      p->boot.file, p->boot.line);
	else if (!p->boot.found && snap->verbose)
		mp_buf_printf(b,
			      "persistence: no sysctl file sets the limit: boot uses the "
			      "kernel's default (a value set with sysctl -w is lost at reboot)\n");
}

/* Long output about the counters of one namespace. */
static void counters_lines(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *b)
{
	const char *sep = "";

	if (!ct_ns_read(ns))
		return;
	if (ns->counters_rc < 0) {
		mp_buf_printf(b, "counters not available: %s\n", ns->counters_why);
		return;
	}
	if (ns->retention != CT_RET_DELTA) {
		mp_buf_printf(b, "%s\n",
			      ns->retention_note[0] ? ns->retention_note : "counters: no baseline");
		return;
	}
	mp_buf_printf(b, "since last check (%.0f s ago, counters from %s): ", ns->seconds,
		      ns->counters.source);
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		bool watched = i == CT_DROP || i == CT_EARLY_DROP || i == CT_INSERT_FAILED;

		if (!(ns->counters.present & (1u << i)) ||
		    (!watched && !ns->delta[i] && snap->verbose < 1))
			continue;
		mp_buf_printf(b, "%s%s +%" PRIu64, sep, ct_counter_names[i], ns->delta[i]);
		if (ns->seconds > 0 && ns->delta[i])
			mp_buf_printf(b, " (%.3g/s)", (double)ns->delta[i] / ns->seconds);
		sep = ", ";
	}
	mp_buf_printf(b, "\n");
	if (ns->retention_note[0])
		mp_buf_printf(b, "%s\n", ns->retention_note);
	if (ns->delta[CT_INSERT_FAILED] && ns->counters.insert_failed_counts_clashes)
		mp_buf_printf(b,
			      "note: on this kernel insert_failed also counts clashes the kernel "
			      "resolved; on busy multi-CPU hosts it rises without harm\n");
}

void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res)
{
	struct mp_buf summary = {0}, perf = {0}, lines = {0};
	const struct ct_ns *top = &snap->ns[res->fullest];
	const struct ct_ns_result *rtop = &res->ns[res->fullest];

	if (snap->multi || strcmp(top->label, "host") != 0)
		mp_buf_printf(&summary, "netns %s: ", top->label);
	describe_ns(top, rtop, &summary);
	if (snap->multi) {
		size_t failed = 0;

		for (size_t i = 0; i < snap->n; i++)
			failed += ct_ns_failed(&snap->ns[i]);
		mp_buf_printf(&summary, " (fullest of %zu namespaces", snap->n);
		if (failed)
			mp_buf_printf(&summary, ", %zu not checked: see below", failed);
		mp_buf_printf(&summary, ")");
	}
	if (ct_ns_read(top)) {
		mp_buf_printf(&summary, "; ");
		rules_phrase(top, &summary);
	}
	if (snap->persist.mismatch)
		mp_buf_printf(&summary, "; limit not persistent");
	if (snap->store.squat[0])
		mp_buf_printf(&summary, "; default state directory not used: %s%s%s",
			      snap->store.squat, snap->store.dir[0] ? "; state kept in " : "",
			      snap->store.dir);
	if (res->store_state >= 0)
		mp_buf_printf(&summary, "; drop detection off: state not kept (%s)",
			      snap->store.why);
	perf_ns(cfg, snap, top, rtop, true, &perf);
	for (size_t i = 0; snap->multi && i < snap->n; i++) {
		perf_ns(cfg, snap, &snap->ns[i], &res->ns[i], false, &perf);
		mp_buf_printf(&lines, "netns %s: %s - ", snap->ns[i].label,
			      mp_state_name(res->ns[i].state));
		describe_ns(&snap->ns[i], &res->ns[i], &lines);
		if (ct_ns_read(&snap->ns[i])) {
			mp_buf_printf(&lines, "; ");
			rules_phrase(&snap->ns[i], &lines);
		}
		mp_buf_printf(&lines, "\n");
		counters_lines(snap, &snap->ns[i], &lines);
		if (snap->verbose)
			rules_lines(snap, &snap->ns[i], &lines);
	}
	if (!snap->multi) {
		counters_lines(snap, top, &lines);
		if (ct_ns_read(top))
			rules_lines(snap, top, &lines);
	}
	persistence_lines(snap, res, &lines);
	ct_advice(cfg, snap, res, &lines);
	if (ct_ns_read(top) && top->proc.max && top->proc.entries > top->proc.max)
		mp_buf_printf(&lines, "entries exceed the limit: it was lowered below the current "
				      "count; new flows are dropped until old ones expire\n");
	if (ct_ns_read(top) && !top->proc.max)
		mp_buf_printf(
			&lines,
			"%s is 0: the kernel sets no limit, percent thresholds do not apply\n",
			top->proc.sysctl_key);
	mp_buf_printf(&lines, "%s", mp_buf_str(&snap->trace));
	if (summary.oom || perf.oom || lines.oom)
		mp_die(CT_SERVICE, "out of memory");
	mp_output(CT_SERVICE, res->state, mp_buf_str(&summary), mp_buf_str(&perf),
		  mp_buf_str(&lines));
	mp_buf_free(&summary);
	mp_buf_free(&perf);
	mp_buf_free(&lines);
}
