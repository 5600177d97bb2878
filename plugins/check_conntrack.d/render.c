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
		snprintf(buf, len, "%lld", v.pd_int);
		break;
	case PD_TYPE_UINT:
		snprintf(buf, len, "%llu", v.pd_uint);
		break;
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

/*
 * The plain labels first (entries, utilization, buckets, the rule counts, the counters in the
 * kernel's order, the host's: entries_total), then under --netns=all each namespace's own,
 * namespace by namespace. Host-wide sections carry plain labels only.
 */
static void perfdata(const struct ct_verdict *v, struct mp_buf *out)
{
	struct items it = {0};
	size_t ns = 0;

	for (const mp_subcheck_list *l = v->check.subchecks; l; l = l->next, ns++)
		collect(&l->subcheck, ns, &it);
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
 * The long output: each namespace's header (under --netns=all), the lines below its parts (a
 * part's own text is in the summary or the header), then the lines of each host-wide section.
 */
static void long_output(const struct ct_verdict *v, struct mp_buf *out)
{
	size_t i = 0;

	for (const mp_subcheck_list *l = v->check.subchecks; l; l = l->next, i++) {
		if (i < v->namespaces && v->multi)
			mp_buf_printf(out, "%s\n", l->subcheck.output);
		for (const mp_subcheck_list *part = l->subcheck.subchecks;
		     i < v->namespaces && part; part = part->next)
			lines_below(part->subcheck.subchecks, out);
		if (i >= v->namespaces)
			lines_below(l->subcheck.subchecks, out);
	}
}

char *ct_render_classic(void *verdict)
{
	const struct ct_verdict *v = verdict;
	struct mp_buf perf = {0}, lines = {0}, text = {0};
	char *s;

	perfdata(v, &perf);
	long_output(v, &lines);
	mp_output_buf(&text, CT_SERVICE, (int)mp_compute_check_state(v->check), v->check.summary,
		      mp_buf_str(&perf), mp_buf_str(&lines));
	if (perf.oom || lines.oom || text.oom)
		mp_die(CT_SERVICE, "out of memory");
	mp_buf_free(&perf);
	mp_buf_free(&lines);
	/* The caller ends the output with its newline, as for the other formats. */
	if (text.len && text.s[text.len - 1] == '\n')
		text.s[--text.len] = '\0';
	s = text.s;
	return s;
}
