/*
 * Evaluation: the snapshot and the options turned into the verdict tree. Each namespace gets its
 * parts, its state is theirs; the namespace the summary names comes first, the others follow by
 * state and fill; the host-wide sections come last, and the summary is composed from the parts.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "evaluate.h"
#include "nslabels.h"
#include "parts.h"

/* A percent threshold needs a limit; a count threshold always applies. */
static bool threshold_alert(const struct ct_threshold *t, double count, bool have_pct, double pct)
{
	if (!t->set)
		return false;
	if (t->percent)
		return have_pct && mp_range_alert(&t->range, pct);
	return mp_range_alert(&t->range, count);
}

int ct_threshold_state(const struct ct_threshold *warn, const struct ct_threshold *crit,
		       double count, bool have_pct, double pct)
{
	if (threshold_alert(crit, count, have_pct, pct))
		return STATE_CRITICAL;
	if (threshold_alert(warn, count, have_pct, pct))
		return STATE_WARNING;
	return STATE_OK;
}

/*
 * A threshold as perfdata wants it on one scale, or false when it has none there. For integer
 * entries, alerting above x is the same as alerting above floor(x) and below x the same as below
 * ceil(x), so percent thresholds convert to whole entry counts without changing when they fire.
 */
static bool threshold_on(const struct ct_threshold *t, bool want_percent, uint64_t max,
			 struct mp_range *r)
{
	if (!t->set || (t->percent != want_percent && max == 0))
		return false;
	*r = t->range;
	if (t->percent == want_percent)
		return true;
	if (want_percent) {
		r->start = r->start * 100.0 / (double)max;
		r->end = r->end * 100.0 / (double)max;
	} else {
		r->start = ceil(r->start * (double)max / 100.0);
		r->end = floor(r->end * (double)max / 100.0);
	}
	return true;
}

static mp_perfdata with_thresholds(mp_perfdata pd, const struct ct_config *cfg, bool percent,
				   uint64_t max)
{
	mp_thresholds th = mp_thresholds_init();
	struct mp_range r;

	if (threshold_on(&cfg->warn, percent, max, &r))
		th = mp_thresholds_set_warn(th, ct_range_api(&r));
	if (threshold_on(&cfg->crit, percent, max, &r))
		th = mp_thresholds_set_crit(th, ct_range_api(&r));
	return mp_pd_set_thresholds(pd, th);
}

/* entries, utilization (with a limit) and buckets, under the labels the namespace carries. */
static void utilization_perf(mp_subcheck *part, const struct ct_config *cfg, const struct ct_ns *ns,
			     const struct ct_labels *l, bool have_util, double util)
{
	const struct ct_proc *p = &ns->proc;
	const char *pre[2] = {l->plain ? "" : NULL, l->pre};

	for (int i = 0; i < 2; i++) {
		mp_perfdata pd;

		if (!pre[i])
			continue;
		pd = ct_perf(mp_create_pd_value(p->entries), NULL, "%sentries", pre[i]);
		pd = with_thresholds(pd, cfg, false, p->max);
		pd = mp_set_pd_min_value(pd, mp_create_pd_value((uint64_t)0));
		if (p->max)
			pd = mp_set_pd_max_value(pd, mp_create_pd_value(p->max));
		mp_add_perfdata_to_subcheck(part, pd);
		if (have_util) {
			pd = ct_perf(mp_create_pd_value(util), "%", "%sutilization", pre[i]);
			pd = with_thresholds(pd, cfg, true, p->max);
			pd = mp_set_pd_min_value(pd, mp_create_pd_value(0));
			pd = mp_set_pd_max_value(pd, mp_create_pd_value(100));
			mp_add_perfdata_to_subcheck(part, pd);
		}
		if (i == 0 && p->have_buckets)
			mp_add_perfdata_to_subcheck(
				part, ct_perf(mp_create_pd_value(p->buckets), NULL, "buckets"));
	}
}

/* "8500 of 10000 entries (85.0%)" against -w/-c. */
static mp_subcheck part_utilization(const struct ct_config *cfg, const struct ct_ns *ns,
				    const struct ct_labels *l, bool *have_util, double *util)
{
	const struct ct_proc *p = &ns->proc;
	mp_subcheck part;

	*have_util = p->max > 0;
	*util = *have_util ? (double)p->entries * 100.0 / (double)p->max : 0;
	int state =
		ct_threshold_state(&cfg->warn, &cfg->crit, (double)p->entries, *have_util, *util);

	char note[200];

	if (*have_util)
		part = ct_part(state, "%" PRIu64 " of %" PRIu64 " entries (%.1f%%)", p->entries,
			       p->max, *util);
	else
		part = ct_part(state, "%" PRIu64 " entries (no limit)", p->entries);
	utilization_perf(&part, cfg, ns, l, *have_util, *util);
	/* "-w 80 is 80 entries": said whatever the state, before it pages. */
	if (ct_threshold_note(cfg, ns, note, sizeof(note)) > 0)
		mp_add_subcheck_to_subcheck(&part, ct_part(STATE_OK, "note: %s", note));
	return part;
}

/* One namespace while it is built: its subcheck, its state, and the two halves of its phrase. */
struct ns_eval {
	mp_subcheck sc;
	mp_state_enum state;
	bool have_util;
	double util;
	struct mp_buf describe; /* utilization, and the watched counters that rose */
	const char *rules; /* the rules part's text, when the table was read */
	unsigned why; /* advice.h: the reasons of its parts' alerts */
};

static bool alerting(mp_subcheck part)
{
	mp_state_enum st = mp_compute_subcheck_state(part);

	return st == STATE_WARNING || st == STATE_CRITICAL;
}

/* A part, and the reason of its alert (advice.h bits, 0: none) for the advice. */
static void add_part(struct ns_eval *e, mp_subcheck part, unsigned why)
{
	if (why && alerting(part))
		e->why |= why;
	mp_add_subcheck_to_subcheck(&e->sc, part);
}

/* The parts of a namespace whose table was read; the first half of its phrase. */
static void parts_read(const struct ct_config *cfg, const struct ct_ns *ns,
		       const struct ct_labels *l, struct ns_eval *e)
{
	mp_subcheck part = part_utilization(cfg, ns, l, &e->have_util, &e->util);

	mp_buf_printf(&e->describe, "%s", part.output);
	add_part(e, part, ct_why_utilization(cfg, ns));
	for (size_t w = 0; w < ct_watched_n; w++) {
		if (!ct_watched_present(ns, w))
			continue;
		part = ct_part_watched(cfg, ns, w, l);
		if (ns->retention == CT_RET_DELTA && ns->delta[ct_watched[w].counter])
			mp_buf_printf(&e->describe, ", %s", part.output);
		add_part(e, part, ct_why_counter(ns, ct_watched[w].counter));
	}
	add_part(e, ct_part_counters(cfg, ns, l), 0);
	/* A table full at the current rate is a table filling up: the advice for a full one. */
	if (ct_part_forecast(cfg, ns, l, &e->describe, &part))
		add_part(e, part, CT_WHY_FULL);
	if (ct_part_composition(cfg, ns, &e->describe, &part))
		add_part(e, part, 0);
	if (ct_part_timeouts(ns, &part))
		add_part(e, part, 0);
	if (ct_part_expect(cfg, ns, l, &e->describe, &part))
		add_part(e, part, 0);
}

static struct ns_eval build_ns(const struct ct_config *cfg, const struct ct_snapshot *snap,
			       const struct ct_ns *ns, const struct ct_labels *l)
{
	struct ns_eval e = {.sc = ct_part(-1, "netns %s", ns->label)};
	bool read = ct_ns_read(ns);
	mp_subcheck part;

	if (ct_ns_failed(ns)) {
		add_part(&e, ct_part(STATE_UNKNOWN, "%s", ns->err), 0);
		mp_buf_printf(&e.describe, "%s", ns->err);
	} else if (!read) {
		add_part(&e,
			 ct_part(cfg->missing_state, "connection tracking is not active (%s)",
				 ns->err),
			 0);
		mp_buf_printf(&e.describe, "connection tracking is not active (%s)", ns->err);
	} else {
		parts_read(cfg, ns, l, &e);
	}
	/* The rules of a namespace not read are listed only under --netns=all -v. */
	if (read || (snap->multi && cfg->verbose)) {
		part = ct_part_rules(cfg, ns, l->plain, !snap->multi || cfg->verbose);
		if (read || part.subchecks)
			add_part(&e, part, CT_WHY_RULES);
		else
			ct_part_free(&part);
	}
	if (read) {
		mp_subcheck_list *last = e.sc.subchecks;

		while (last->next)
			last = last->next;
		e.rules = last->subcheck.output;
	}
	/* Who wrote the rules, where the rules are listed. */
	if (read && (!snap->multi || cfg->verbose) && ct_part_owner(ns, &part))
		add_part(&e, part, 0);
	e.state = mp_compute_subcheck_state(e.sc);
	return e;
}

static void ns_eval_free(struct ns_eval *e)
{
	ct_part_free(&e->sc);
	mp_buf_free(&e->describe);
}

/*
 * The namespace the summary names: one that was read, the worst state first, then the highest
 * utilization, else the most entries; a namespace that could not be read only if none was.
 */
static bool fuller(const struct ct_ns *a, const struct ns_eval *ea, const struct ct_ns *b,
		   const struct ns_eval *eb)
{
	bool read_a = ct_ns_read(a), read_b = ct_ns_read(b);

	if (read_a != read_b)
		return read_a;
	if (ea->state != eb->state && max_state_alt(ea->state, eb->state) == ea->state)
		return true;
	if (ea->state != eb->state)
		return false;
	if (ea->have_util && eb->have_util)
		return ea->util > eb->util;
	return a->proc.entries > b->proc.entries;
}

/* The display order: the fullest first, then the others by the same measure (stable). */
static void order(const struct ct_snapshot *snap, const struct ns_eval *e, size_t *idx)
{
	size_t top = 0;

	for (size_t i = 1; i < snap->n; i++)
		if (fuller(&snap->ns[i], &e[i], &snap->ns[top], &e[top]))
			top = i;
	idx[0] = top;
	for (size_t i = 0, n = 1; i < snap->n; i++) {
		size_t k = n++;

		if (i == top) {
			n--;
			continue;
		}
		for (; k > 1 && fuller(&snap->ns[i], &e[i], &snap->ns[idx[k - 1]], &e[idx[k - 1]]);
		     k--)
			idx[k] = idx[k - 1];
		idx[k] = i;
	}
}

/* Some namespace has counters to keep between runs. */
static bool counted(const struct ct_snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		if (ct_ns_read(&snap->ns[i]) && snap->ns[i].counters_rc == 0)
			return true;
	return false;
}

/* Asked (--persistence) and not answerable: UNKNOWN, never the alert (unless asked for OK). */
static int persistence_state(const struct ct_config *cfg, const struct ct_persistence *p)
{
	if (cfg->persistence_state < 0)
		return STATE_OK;
	if (p->mismatch)
		return cfg->persistence_state;
	if (ct_persistence_unknown(p))
		return cfg->persistence_state == STATE_OK ? STATE_OK : STATE_UNKNOWN;
	return STATE_OK;
}

/* Why namespaces were not seen: "Permission denied: needs root". */
static void unseen_reason(const struct ct_netns_scan *s, struct mp_buf *b)
{
	mp_buf_printf(b, "/proc/PID/ns/net: %s%s", strerror(s->unseen_errno),
		      s->unseen_errno == EACCES || s->unseen_errno == EPERM ? ": needs root" : "");
}

/*
 * --netns=all in the summary: how many namespaces, and every way it fell short of all of them.
 * " (fullest of 3 namespaces, 2 more held by processes not seen (/proc/PID/ns/net: Permission
 * denied: needs root), 1 not checked: see below)"
 */
static void scan_summary(const struct ct_snapshot *snap, struct mp_buf *b)
{
	const struct ct_netns_scan *s = &snap->scan;
	size_t failed = 0;

	for (size_t i = 0; i < snap->n; i++)
		failed += ct_ns_failed(&snap->ns[i]);
	mp_buf_printf(b, " (fullest of %zu namespace%s", snap->n, snap->n == 1 ? "" : "s");
	if (s->unseen || s->untold) {
		mp_buf_printf(b, ", ");
		if (s->unseen)
			mp_buf_printf(b, "%u more held by processes", s->unseen);
		if (s->unseen && s->untold)
			mp_buf_printf(b, " and ");
		if (s->untold)
			mp_buf_printf(b, "those of %u processes", s->untold);
		mp_buf_printf(b, " not seen (");
		unseen_reason(s, b);
		mp_buf_printf(b, ")");
	}
	if (failed)
		mp_buf_printf(b, ", %zu not checked: see below", failed);
	mp_buf_printf(b, ")");
}

/* The first line's text: the fullest namespace's phrase, then what holds for the host. */
static void summary(const struct ct_config *cfg, const struct ct_snapshot *snap,
		    const struct ct_ns *top, const struct ns_eval *e, const mp_subcheck *statedir,
		    const char *more, struct mp_buf *b)
{
	const struct ct_persistence *p = &snap->persistence;

	/* Our own namespace alone (no --netns) is the one asked about: no name needed. */
	if (snap->multi || cfg->netns)
		mp_buf_printf(b, "netns %s: ", top->label);
	mp_buf_printf(b, "%s", ct_text(&e->describe));
	if (snap->multi)
		scan_summary(snap, b);
	if (e->rules)
		mp_buf_printf(b, ", %s", e->rules);
	if (p->mismatch)
		mp_buf_printf(b, ", limit not persistent");
	else if (ct_persistence_unknown(p))
		mp_buf_printf(b, ", cannot tell if the limit is persistent (%s)", p->err);
	mp_buf_printf(b, "%s", more);
	if (statedir)
		mp_buf_printf(b, ", %s", statedir->output);
}

/* A namespace's own text: its phrase, or under --netns=all its header line. */
static void ns_text(const struct ct_snapshot *snap, const struct ct_ns *ns, struct ns_eval *e)
{
	if (snap->multi)
		ct_part_text(&e->sc, "netns %s: %s - %s%s%s", ns->label, mp_state_name(e->state),
			     ct_text(&e->describe), e->rules ? ", " : "", e->rules ? e->rules : "");
	else
		ct_part_text(&e->sc, "%s%s%s", ct_text(&e->describe), e->rules ? ", " : "",
			     e->rules ? e->rules : "");
}

/* The host-wide sections, in the order the long output lists them. */
struct sections {
	mp_subcheck part[13];
	size_t n;
	const struct ns_eval *all; /* every namespace, in the snapshot's order */
	const mp_subcheck *statedir;
	struct mp_buf more; /* what sections add to the summary: ", 16 entries per hash bucket" */
};

/*
 * --netns=all: how many namespaces were checked and how many are in each state: perfdata that
 * stays as short as this when the namespaces' own labels are bounded (--output-limit). No line
 * of its own; their entries summed are the memory section's entries_total.
 */
static bool section_totals(const struct ct_snapshot *snap, const struct ns_eval *e,
			   mp_subcheck *out)
{
	static const char *const names[] = {"namespaces_warning", "namespaces_critical",
					    "namespaces_unknown"};
	uint64_t by_state[4] = {0, 0, 0, 0};

	if (!snap->multi)
		return false;
	for (size_t i = 0; i < snap->n; i++)
		by_state[e[i].state <= STATE_UNKNOWN ? e[i].state : STATE_UNKNOWN]++;
	*out = ct_part(STATE_OK, "namespaces: %zu checked", snap->n);
	mp_add_perfdata_to_subcheck(
		out, ct_perf(mp_create_pd_value((uint64_t)snap->n), NULL, "namespaces"));
	for (int st = STATE_WARNING; st <= STATE_UNKNOWN; st++)
		mp_add_perfdata_to_subcheck(
			out, ct_perf(mp_create_pd_value(by_state[st]), NULL, "%s", names[st - 1]));
	return true;
}

static void host_sections(const struct ct_config *cfg, const struct ct_snapshot *snap,
			  const struct ct_ns *top, const struct ns_eval *etop, struct sections *s)
{
	int store_state = snap->store.unusable && counted(snap) ? cfg->state_unusable : -1;
	int persistence = persistence_state(cfg, &snap->persistence);
	unsigned why = etop->why;
	bool alarmed = etop->state == STATE_WARNING || etop->state == STATE_CRITICAL;

	s->n = 0;
	s->statedir = NULL;
	s->n += ct_section_coverage(snap, &s->part[s->n]);
	s->n += section_totals(snap, s->all, &s->part[s->n]);
	s->n += ct_section_memory(snap, &s->part[s->n]);
	if (ct_section_statedir(snap, store_state, &s->part[s->n]))
		s->statedir = &s->part[s->n++];
	s->n += ct_section_persistence(cfg, snap, top, persistence, &s->part[s->n]);
	s->n += ct_section_boot(cfg, snap, top, &s->part[s->n], &s->more);
	s->n += ct_section_hash(cfg, snap, top, alarmed || cfg->verbose >= 1, &s->part[s->n],
				&s->more);
	if (persistence == STATE_WARNING || persistence == STATE_CRITICAL)
		why |= CT_WHY_PERSISTENCE;
	/*
	 * Advice for the reasons of the alerts of the namespace the summary names and of
	 * persistence; asked (-v) without an alert: what to do when the table fills.
	 */
	if (!why && cfg->verbose >= 1)
		why = CT_WHY_ASKED;
	if (why)
		s->n += ct_section_advice(cfg, snap, top, why, &s->part[s->n]);
	s->n += ct_section_limit(top, &s->part[s->n]);
	s->n += ct_section_trace(snap, &s->part[s->n]);
}

/*
 * The labels of each namespace: the prefix of its own under --netns=all (computed in the
 * snapshot's order, so that a label stays with its namespace from run to run). The metrics
 * (--output-format=prometheus) name the namespace in a label of their own: plain labels for all.
 */
static struct ct_labels labels_of(const struct ct_config *cfg, const struct ct_snapshot *snap,
				  char (*pre)[CT_PREFIX], size_t i, bool plain)
{
	struct ct_labels l = {.plain = plain || !snap->multi || cfg->prometheus,
			      .pre = pre && !cfg->prometheus ? pre[i] : NULL};

	return l;
}

/* Each namespace's name, in the order of the tree's namespaces (idx). */
static char **names_of(const struct ct_snapshot *snap, const size_t *idx)
{
	char **names = calloc(snap->n ? snap->n : 1, sizeof(*names));

	for (size_t k = 0; names && k < snap->n; k++)
		if (!(names[k] = strdup(snap->ns[idx[k]].label)))
			mp_die(CT_SERVICE, "out of memory");
	if (!names)
		mp_die(CT_SERVICE, "out of memory");
	return names;
}

struct ct_verdict ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap)
{
	struct ct_verdict v = {.check = mp_check_init(), .multi = snap->multi};
	char(*pre)[CT_PREFIX] = snap->multi ? ct_ns_prefixes(snap) : NULL;
	struct ns_eval *e = calloc(snap->n, sizeof(*e));
	size_t *idx = calloc(snap->n, sizeof(*idx));
	struct mp_buf text = {0};
	struct sections s = {.n = 0};
	size_t top;

	if (!e || !idx || (snap->multi && !pre))
		mp_die(CT_SERVICE, "out of memory");
	for (size_t i = 0; i < snap->n; i++) {
		struct ct_labels l = labels_of(cfg, snap, pre, i, false);

		e[i] = build_ns(cfg, snap, &snap->ns[i], &l);
	}
	order(snap, e, idx);
	top = idx[0];
	/* The namespace the summary names carries the plain labels too: built again with them. */
	if (snap->multi && !cfg->prometheus) {
		struct ct_labels l = labels_of(cfg, snap, pre, top, true);

		ns_eval_free(&e[top]);
		e[top] = build_ns(cfg, snap, &snap->ns[top], &l);
	}
	s.all = e;
	host_sections(cfg, snap, &snap->ns[top], &e[top], &s);
	summary(cfg, snap, &snap->ns[top], &e[top], s.statedir, ct_text(&s.more), &text);
	mp_set_summary(&v.check, (char *)ct_text(&text));
	mp_buf_free(&text);
	mp_buf_free(&s.more);
	/* The library puts a subcheck added to the check first: add the last one first. */
	for (size_t i = s.n; i-- > 0;)
		mp_add_subcheck_to_check(&v.check, s.part[i]);
	for (size_t k = snap->n; k-- > 0;) {
		ns_text(snap, &snap->ns[idx[k]], &e[idx[k]]);
		mp_add_subcheck_to_check(&v.check, e[idx[k]].sc);
		mp_buf_free(&e[idx[k]].describe);
	}
	v.namespaces = snap->n;
	v.names = names_of(snap, idx);
	/* -v asks for every line: no bound then. */
	v.output_limit = cfg->verbose ? 0 : cfg->output_limit;
	free(e);
	free(idx);
	free(pre);
	return v;
}
