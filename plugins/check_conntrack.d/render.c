/*
 * The classic format of the verdict: "CONNTRACK <STATE> - summary | perfdata", then the long
 * output. It formats the tree and nothing else: no file read, no state decided.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nslabels.h"
#include "render.h"

/* A value as the classic perfdata writes it: integers in full, a utilization with 2 decimals. */
static const char *value_text(mp_perfdata_value v, char *buf, size_t len)
{
	switch (v.type) {
	case PD_TYPE_INT:
		if (v.pd_int >= 0)
			return mp_fmt_u64((unsigned long long)v.pd_int, buf, len);
		snprintf(buf, len, "%lld", v.pd_int);
		break;
	case PD_TYPE_UINT:
		return mp_fmt_u64(v.pd_uint, buf, len);
	default:
		snprintf(buf, len, "%.2f", v.pd_double);
	}
	return buf;
}

/* A min or max: whole numbers without decimals. */
static const char *bound_text(bool present, mp_perfdata_value v, char *buf, size_t len)
{
	if (!present)
		return NULL;
	if (v.type == PD_TYPE_DOUBLE)
		return mp_fmt_num(v.pd_double, buf, len);
	return value_text(v, buf, len);
}

/* A threshold in the guidelines' notation, as it was given (or converted to this scale). */
static const char *range_text(bool present, mp_range r, char *buf, size_t len)
{
	struct mp_range ours;

	if (!present)
		return NULL;
	ct_range_ours(r, &ours);
	return mp_range_format(&ours, buf, len);
}

static void perf_item(const mp_perfdata *pd, struct mp_buf *out)
{
	char v[48], w[96], c[96], lo[48], hi[48];

	mp_perf_add(out, pd->label, value_text(pd->value, v, sizeof(v)), pd->uom,
		    range_text(pd->warn_present, pd->warn, w, sizeof(w)),
		    range_text(pd->crit_present, pd->crit, c, sizeof(c)),
		    bound_text(pd->min_present, pd->min, lo, sizeof(lo)),
		    bound_text(pd->max_present, pd->max, hi, sizeof(hi)));
}

/* Perfdata items of the namespaces, in the order the classic format lists them. */
struct item {
	const mp_perfdata *pd;
	size_t group; /* 0: the plain labels; 1 + n: the n-th namespace's own labels */
	int rank; /* within the plain labels: their fixed order; else the order found */
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void collect(const mp_subcheck *sc, size_t ns, struct items *it)
{
	for (const pd_list *p = sc->perfdata; p; p = p->next) {
		int rank = ct_label_rank(p->data.label);

		if (it->n == it->cap) {
			size_t cap = it->cap ? 2 * it->cap : 32;
			struct item *v = realloc(it->v, cap * sizeof(*v));

			if (!v)
				mp_die(CT_SERVICE, "out of memory");
			it->v = v;
			it->cap = cap;
		}
		it->v[it->n] = (struct item){&p->data, rank >= 0 ? 0 : 1 + ns,
					     rank >= 0 ? rank : (int)it->n};
		it->n++;
	}
	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next)
		collect(&l->subcheck, ns, it);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Under a bound (--output-limit), the namespaces that carry labels of their own: the worst. */
#define PERF_NAMESPACES 5

/*
 * The plain labels first (entries, utilization, buckets, the rule counts, the counters in the
 * kernel's order, the host's entries_total), then under --netns=all each namespace's own,
 * namespace by namespace (under a bound, the first few: the fullest and the worst), then the
 * host-wide sections' own (the namespace counts).
 */
static void perfdata(const struct ct_verdict *v, struct mp_buf *out)
{
	struct items it = {0};
	size_t ns = 0;

	for (const mp_subcheck_list *l = v->check.subchecks; l; l = l->next, ns++)
		if (ns >= v->namespaces || !v->output_limit || ns < PERF_NAMESPACES)
			collect(&l->subcheck, ns < v->namespaces ? ns : v->namespaces, &it);
	if (it.n)
		qsort(it.v, it.n, sizeof(*it.v), cmp_item);
	for (size_t i = 0; i < it.n; i++)
		perf_item(it.v[i].pd, out);
	free(it.v);
}

/* Every part below these subchecks, one line each, depth first. */
static void lines_below(const mp_subcheck_list *l, struct mp_buf *out)
{
	for (; l; l = l->next) {
		mp_buf_printf(out, "%s\n", l->subcheck.output);
		lines_below(l->subcheck.subchecks, out);
	}
}

/*
 * How much of the namespaces the long output shows, from all of it down to what fits a bound:
 * every line; the lines below OK namespaces' headers left out; OK namespaces by name and fill on
 * shared lines.
 */
enum detail {
	DETAIL_ALL,
	DETAIL_HEADERS,
	DETAIL_COMPACT,
};

/* "web (12.5%)": a namespace's name and fill, from its utilization (else entries) perfdata. */
static void name_and_fill(const struct ct_verdict *v, size_t i, const mp_subcheck *sc,
			  struct mp_buf *out)
{
	const mp_perfdata *entries = NULL;
	char num[48];

	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next)
		for (const pd_list *p = l->subcheck.perfdata; p; p = p->next) {
			size_t n = strlen(p->data.label);

			if (n >= 11 && strcmp(p->data.label + n - 11, "utilization") == 0) {
				mp_buf_printf(out, "%s (%s%%)", v->names ? v->names[i] : "?",
					      mp_fmt_num(mp_get_pd_value(p->data.value), num,
							 sizeof(num)));
				return;
			}
			if (!entries && n >= 7 && strcmp(p->data.label + n - 7, "entries") == 0)
				entries = &p->data;
		}
	if (entries)
		mp_buf_printf(out, "%s (%s entries)", v->names ? v->names[i] : "?",
			      value_text(entries->value, num, sizeof(num)));
	else
		mp_buf_printf(out, "%s", v->names ? v->names[i] : "?");
}

/* OK namespaces on shared lines of about 160 bytes: "netns OK: a (0.00%), b (12.50%)". */
static void compact_ok(const struct ct_verdict *v, size_t i, const mp_subcheck *sc,
		       struct mp_buf *line, struct mp_buf *out)
{
	if (line->len > 160) {
		mp_buf_printf(out, "%s\n", mp_buf_str(line));
		line->len = 0;
		line->s[0] = '\0';
	}
	mp_buf_printf(line, "%s", line->len ? ", " : "netns OK: ");
	name_and_fill(v, i, sc, line);
}

/*
 * The long output: each namespace's header (under --netns=all), the lines below its parts (a
 * part's own text is in the summary or the header), then the lines of each host-wide section.
 */
static void long_output(const struct ct_verdict *v, enum detail d, struct mp_buf *out)
{
	struct mp_buf line = {0};
	size_t i = 0, left = 0;

	for (const mp_subcheck_list *l = v->check.subchecks; l; l = l->next, i++) {
		bool ok = mp_compute_subcheck_state(l->subcheck) == STATE_OK;

		if (i == v->namespaces && line.len)
			mp_buf_printf(out, "%s\n", mp_buf_str(&line));
		if (i == v->namespaces && left)
			mp_buf_printf(out,
				      "(output bounded to %lu bytes by --output-limit: the details "
				      "of %zu OK namespace%s left out)\n",
				      v->output_limit, left, left == 1 ? "" : "s");
		if (i < v->namespaces && v->multi && ok && d == DETAIL_COMPACT) {
			compact_ok(v, i, &l->subcheck, &line, out);
			left++;
			continue;
		}
		if (i < v->namespaces && v->multi)
			mp_buf_printf(out, "%s\n", l->subcheck.output);
		if (i < v->namespaces && v->multi && ok && d == DETAIL_HEADERS) {
			left += l->subcheck.subchecks != NULL;
			continue;
		}
		for (const mp_subcheck_list *part = l->subcheck.subchecks;
		     i < v->namespaces && part; part = part->next)
			lines_below(part->subcheck.subchecks, out);
		if (i >= v->namespaces)
			lines_below(l->subcheck.subchecks, out);
	}
	mp_buf_free(&line);
}

/* Past every step, the bound still not met (a long -v trace, long reasons): cut at a line. */
static void cut(struct mp_buf *text, unsigned long limit)
{
	char note[96];
	size_t n = (size_t)snprintf(note, sizeof(note),
				    "\n(output cut at %lu bytes by --output-limit)", limit);
	size_t first = strcspn(text->s, "\n"), at = limit > n ? limit - n : 0;

	if (text->len <= limit)
		return;
	while (at > first && text->s[at] != '\n')
		at--;
	/* The first line is never cut: only what follows it goes. */
	if (at < first)
		at = first;
	text->len = at;
	text->s[at] = '\0';
	mp_buf_printf(text, "%s", note);
}

char *ct_render_classic(void *verdict)
{
	const struct ct_verdict *v = verdict;
	struct mp_buf perf = {0}, lines = {0}, text = {0};
	char *s;

	perfdata(v, &perf);
	/* Within the bound: the most detail that fits (the final newline is not counted). */
	for (enum detail d = DETAIL_ALL; d <= DETAIL_COMPACT; d++) {
		mp_buf_free(&lines);
		mp_buf_free(&text);
		long_output(v, d, &lines);
		mp_output_buf(&text, CT_SERVICE, (int)mp_compute_check_state(v->check),
			      v->check.summary, mp_buf_str(&perf), mp_buf_str(&lines));
		if (perf.oom || lines.oom || text.oom)
			mp_die(CT_SERVICE, "out of memory");
		if (!v->output_limit || !v->multi || text.len <= v->output_limit + 1)
			break;
	}
	mp_buf_free(&perf);
	mp_buf_free(&lines);
	/* The caller ends the output with its newline, as for the other formats. */
	if (text.len && text.s[text.len - 1] == '\n')
		text.s[--text.len] = '\0';
	if (v->output_limit)
		cut(&text, v->output_limit);
	if (text.oom)
		mp_die(CT_SERVICE, "out of memory");
	s = text.s;
	return s;
}
