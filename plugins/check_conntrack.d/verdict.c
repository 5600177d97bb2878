/* Building the verdict tree from parts that own their text, and freeing it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "verdict.h"

/* The API ends the run on out of memory too: one line, UNKNOWN. */
static char *vtext(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vtext(const char *fmt, va_list ap)
{
	/* A literal or one string is copied, not formatted (most titles and labels are). */
	const char *plain = mp_fmt_plain(fmt, ap);
	char *s = NULL;

	if (plain)
		s = strdup(plain);
	else if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	if (!s)
		mp_die(CT_SERVICE, "out of memory");
	return s;
}

mp_subcheck ct_part(int state, const char *fmt, ...)
{
	mp_subcheck sc = mp_subcheck_init();
	va_list ap;

	va_start(ap, fmt);
	sc.output = vtext(fmt, ap);
	va_end(ap);
	if (state >= 0)
		sc = mp_set_subcheck_state(sc, (mp_state_enum)state);
	return sc;
}

void ct_part_text(mp_subcheck *part, const char *fmt, ...)
{
	va_list ap;

	free(part->output);
	va_start(ap, fmt);
	part->output = vtext(fmt, ap);
	va_end(ap);
}

const char *ct_text(const struct mp_buf *b)
{
	if (b->oom)
		mp_die(CT_SERVICE, "out of memory");
	return mp_buf_str(b);
}

void ct_part_lines(mp_subcheck *parent, const char *text, int state)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");

		mp_add_subcheck_to_subcheck(parent, ct_part(state, "%.*s", (int)len, text));
		text += len;
		if (*text == '\n')
			text++;
	}
}

mp_perfdata ct_perf(mp_perfdata_value value, const char *uom, const char *fmt, ...)
{
	mp_perfdata pd = perfdata_init();
	va_list ap;

	va_start(ap, fmt);
	pd.label = vtext(fmt, ap);
	va_end(ap);
	pd.value = value;
	if (uom) {
		pd.uom = strdup(uom);
		if (!pd.uom)
			mp_die(CT_SERVICE, "out of memory");
	}
	return pd;
}

/* Whole numbers as integers (perfdata prints them so), others as doubles. */
static mp_perfdata_value api_value(double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		return mp_create_pd_value((long long)v);
	return mp_create_pd_value(v);
}

/*
 * The guidelines' start of 0 is kept as a finite 0 ("10" is 0:10, printed "10" again). An end
 * left open ("10:") also gets the start as its value: mp-test-json writes the end's value as the
 * start, and the library ends the run on a value never set.
 */
mp_range ct_range_api(const struct mp_range *r)
{
	mp_range out = mp_range_init();

	out.alert_on_inside_range = r->inside ? MP_INSIDE : MP_OUTSIDE;
	if (!r->start_inf)
		out = mp_range_set_start(out, api_value(r->start));
	if (!r->end_inf)
		out = mp_range_set_end(out, api_value(r->end));
	else if (!r->start_inf)
		out.end = out.start;
	return out;
}

void ct_range_ours(mp_range in, struct mp_range *out)
{
	memset(out, 0, sizeof(*out));
	out->inside = in.alert_on_inside_range;
	out->start_inf = in.start_infinity;
	out->end_inf = in.end_infinity;
	if (!in.start_infinity)
		out->start = mp_get_pd_value(in.start);
	if (!in.end_infinity)
		out->end = mp_get_pd_value(in.end);
}

static void free_parts(mp_subcheck_list *l);

/* Everything a part holds: its perfdata (labels, units), its children, its text. */
static void free_part(mp_subcheck *part)
{
	pd_list *pd = part->perfdata;

	while (pd) {
		pd_list *next = pd->next;

		free(pd->data.label);
		free(pd->data.uom);
		free(pd);
		pd = next;
	}
	free_parts(part->subchecks);
	free(part->output);
}

static void free_parts(mp_subcheck_list *l)
{
	while (l) {
		mp_subcheck_list *next = l->next;

		free_part(&l->subcheck);
		free(l);
		l = next;
	}
}

void ct_part_free(mp_subcheck *part)
{
	free_part(part);
	*part = mp_subcheck_init();
}

void ct_verdict_free(struct ct_verdict *v)
{
	free_parts(v->check.subchecks);
	free(v->check.summary);
	for (size_t i = 0; v->names && i < v->namespaces; i++)
		free(v->names[i]);
	free(v->names);
	v->names = NULL;
	v->check.subchecks = NULL;
	v->check.summary = NULL;
}
