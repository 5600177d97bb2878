/* Typed perfdata values, ranges and their text, as the libmonitoringplug 3.x interface defines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpapi.h"
#include "perfdata.h"

mp_perfdata perfdata_init(void)
{
	mp_perfdata pd = {0};

	return pd;
}

mp_perfdata_value mp_create_pd_value_long_long(long long v)
{
	mp_perfdata_value r = {.type = PD_TYPE_INT, .pd_int = v};

	return r;
}

mp_perfdata_value mp_create_pd_value_u_long_long(unsigned long long v)
{
	mp_perfdata_value r = {.type = PD_TYPE_UINT, .pd_uint = v};

	return r;
}

mp_perfdata_value mp_create_pd_value_double(double v)
{
	mp_perfdata_value r = {.type = PD_TYPE_DOUBLE, .pd_double = v};

	return r;
}

mp_perfdata_value mp_create_pd_value_float(float v)
{
	return mp_create_pd_value_double(v);
}

mp_perfdata_value mp_create_pd_value_char(char v)
{
	return mp_create_pd_value_long_long(v);
}

mp_perfdata_value mp_create_pd_value_u_char(unsigned char v)
{
	return mp_create_pd_value_u_long_long(v);
}

mp_perfdata_value mp_create_pd_value_int(int v)
{
	return mp_create_pd_value_long_long(v);
}

mp_perfdata_value mp_create_pd_value_u_int(unsigned int v)
{
	return mp_create_pd_value_u_long_long(v);
}

mp_perfdata_value mp_create_pd_value_long(long v)
{
	return mp_create_pd_value_long_long(v);
}

mp_perfdata_value mp_create_pd_value_u_long(unsigned long v)
{
	return mp_create_pd_value_u_long_long(v);
}

mp_perfdata mp_set_pd_value_long_long(mp_perfdata pd, long long v)
{
	pd.value = mp_create_pd_value_long_long(v);
	return pd;
}

mp_perfdata mp_set_pd_value_u_long_long(mp_perfdata pd, unsigned long long v)
{
	pd.value = mp_create_pd_value_u_long_long(v);
	return pd;
}

mp_perfdata mp_set_pd_value_double(mp_perfdata pd, double v)
{
	pd.value = mp_create_pd_value_double(v);
	return pd;
}

mp_perfdata mp_set_pd_value_float(mp_perfdata pd, float v)
{
	return mp_set_pd_value_double(pd, v);
}

mp_perfdata mp_set_pd_value_int(mp_perfdata pd, int v)
{
	return mp_set_pd_value_long_long(pd, v);
}

mp_perfdata mp_set_pd_value_u_int(mp_perfdata pd, unsigned int v)
{
	return mp_set_pd_value_u_long_long(pd, v);
}

mp_perfdata mp_set_pd_value_long(mp_perfdata pd, long v)
{
	return mp_set_pd_value_long_long(pd, v);
}

mp_perfdata mp_set_pd_value_u_long(mp_perfdata pd, unsigned long v)
{
	return mp_set_pd_value_u_long_long(pd, v);
}

mp_perfdata mp_set_pd_min_value(mp_perfdata pd, mp_perfdata_value v)
{
	pd.min = v;
	pd.min_present = true;
	return pd;
}

mp_perfdata mp_set_pd_max_value(mp_perfdata pd, mp_perfdata_value v)
{
	pd.max = v;
	pd.max_present = true;
	return pd;
}

double mp_get_pd_value(mp_perfdata_value v)
{
	switch (v.type) {
	case PD_TYPE_INT:
		return (double)v.pd_int;
	case PD_TYPE_UINT:
		return (double)v.pd_uint;
	case PD_TYPE_DOUBLE:
		return v.pd_double;
	case PD_TYPE_NONE:
		break;
	}
	mpapi_die("perfdata value without a type");
}

/* Signed against unsigned without a detour through floating point: exact for all 64 bits. */
static int cmp_int_uint(long long a, unsigned long long b)
{
	if (a < 0)
		return -1;
	return (unsigned long long)a < b ? -1 : (unsigned long long)a > b ? 1 : 0;
}

static long double as_long_double(mp_perfdata_value v)
{
	if (v.type == PD_TYPE_NONE)
		mpapi_die("perfdata value without a type");
	return v.type == PD_TYPE_INT	? (long double)v.pd_int
	       : v.type == PD_TYPE_UINT ? (long double)v.pd_uint
					: (long double)v.pd_double;
}

/*
 * Numerically, across types. (The library compares two doubles by their bit patterns, which
 * orders negative doubles backwards; ours compares them as numbers. NaN compares above all.)
 */
int cmp_perfdata_value(mp_perfdata_value a, mp_perfdata_value b)
{
	if (a.type == PD_TYPE_INT && b.type == PD_TYPE_INT)
		return a.pd_int < b.pd_int ? -1 : a.pd_int > b.pd_int ? 1 : 0;
	if (a.type == PD_TYPE_UINT && b.type == PD_TYPE_UINT)
		return a.pd_uint < b.pd_uint ? -1 : a.pd_uint > b.pd_uint ? 1 : 0;
	if (a.type == PD_TYPE_INT && b.type == PD_TYPE_UINT)
		return cmp_int_uint(a.pd_int, b.pd_uint);
	if (a.type == PD_TYPE_UINT && b.type == PD_TYPE_INT)
		return -cmp_int_uint(b.pd_int, a.pd_uint);

	long double x = as_long_double(a), y = as_long_double(b);

	if (x < y)
		return -1;
	return x == y ? 0 : 1;
}

mp_range mp_range_init(void)
{
	mp_range r = {
		.start_infinity = true, .end_infinity = true, .alert_on_inside_range = MP_OUTSIDE};

	return r;
}

mp_range mp_range_set_start(mp_range r, mp_perfdata_value v)
{
	r.start = v;
	r.start_infinity = false;
	return r;
}

mp_range mp_range_set_end(mp_range r, mp_perfdata_value v)
{
	r.end = v;
	r.end_infinity = false;
	return r;
}

/*
 * One end of a range as the library reads it: the whole text as a C integer literal (strtoll,
 * base 0, so "" is 0 and an overflow saturates), else the longest prefix strtod accepts.
 */
static mp_range_parser_error parse_value(const char *s, mp_perfdata_value *out)
{
	char *end;
	long long i;
	double d;

	errno = 0;
	i = strtoll(s, &end, 0);
	if (*end == '\0') {
		*out = mp_create_pd_value_long_long(i);
		return MP_PARSING_SUCCESS;
	}
	errno = 0;
	d = strtod(s, &end);
	if (end == s || errno != 0)
		return MP_PARSING_FAILURE;
	*out = mp_create_pd_value_double(d);
	return MP_PARSING_SUCCESS;
}

/* The part before ':' in text (cut there): "~" is an infinite start, else a value. */
static mp_range_parser_error parse_start(const char *text, mp_range *r)
{
	if (text[0] == '~') {
		if (text[1] != '\0')
			return MP_RANGE_PARSING_FAILURE;
		r->start_infinity = true;
		return MP_PARSING_SUCCESS;
	}
	r->start_infinity = false;
	return parse_value(text, &r->start);
}

mp_range_parsed mp_parse_range_string(const char *input)
{
	mp_range_parsed res = {.error = MP_RANGE_PARSING_FAILURE};
	char *copy, *end_text, *colon;

	if (!input || !input[0])
		return res;
	res.error = MP_PARSING_SUCCESS;
	res.range = mp_range_init();
	if (input[0] == '@') {
		res.range.alert_on_inside_range = MP_INSIDE;
		input++;
	}
	copy = strdup(input);
	if (!copy)
		mpapi_die("out of memory");
	end_text = copy;
	colon = strchr(copy, ':');
	if (colon) {
		*colon = '\0';
		res.error = parse_start(copy, &res.range);
		end_text = colon + 1;
	}
	if (res.error == MP_PARSING_SUCCESS && end_text[0] != '\0') {
		res.error = parse_value(end_text, &res.range.end);
		res.range.end_infinity = false;
	}
	free(copy);
	return res;
}

char *pd_value_to_string(mp_perfdata_value v)
{
	struct mpapi_text t;

	mpapi_text_open(&t);
	switch (v.type) {
	case PD_TYPE_INT:
		fprintf(t.f, "%lld", v.pd_int);
		break;
	case PD_TYPE_UINT:
		fprintf(t.f, "%llu", v.pd_uint);
		break;
	case PD_TYPE_DOUBLE:
		fprintf(t.f, "%f", v.pd_double);
		break;
	case PD_TYPE_NONE:
		mpapi_die("perfdata value without a type");
	}
	return mpapi_text_close(&t);
}

static void put_value(FILE *f, mp_perfdata_value v)
{
	char *s = pd_value_to_string(v);

	fputs(s, f);
	free(s);
}

static bool is_zero(mp_perfdata_value v)
{
	switch (v.type) {
	case PD_TYPE_INT:
		return v.pd_int == 0;
	case PD_TYPE_UINT:
		return v.pd_uint == 0;
	case PD_TYPE_DOUBLE:
		return v.pd_double == 0;
	case PD_TYPE_NONE:
		break;
	}
	return true;
}

static void put_range(FILE *f, mp_range r)
{
	if (r.alert_on_inside_range)
		fputc('@', f);
	if (r.start_infinity) {
		fputs("~:", f);
	} else if (!is_zero(r.start)) {
		put_value(f, r.start);
		fputc(':', f);
	}
	if (!r.end_infinity)
		put_value(f, r.end);
}

char *mp_range_to_string(mp_range r)
{
	struct mpapi_text t;

	mpapi_text_open(&t);
	put_range(t.f, r);
	return mpapi_text_close(&t);
}

/*
 * The label is always quoted. The guidelines double a quote inside it; the library means to
 * replace it by '_' (and prints "(null)" instead of the label when it tries): ours writes '_'.
 */
static void put_pd(FILE *f, const mp_perfdata *pd)
{
	if (!pd->label)
		mpapi_die("perfdata without a label");
	fputc('\'', f);
	for (const char *p = pd->label; *p; p++)
		fputc(*p == '\'' ? '_' : *p, f);
	fputs("'=", f);
	put_value(f, pd->value);
	if (pd->uom)
		fputs(pd->uom, f);
	fputc(';', f);
	if (pd->warn_present)
		put_range(f, pd->warn);
	fputc(';', f);
	if (pd->crit_present)
		put_range(f, pd->crit);
	fputc(';', f);
	if (pd->min_present)
		put_value(f, pd->min);
	if (pd->max_present) {
		fputc(';', f);
		put_value(f, pd->max);
	}
}

char *pd_to_string(mp_perfdata pd)
{
	struct mpapi_text t;

	mpapi_text_open(&t);
	put_pd(t.f, &pd);
	return mpapi_text_close(&t);
}

char *pd_list_to_string(pd_list list)
{
	struct mpapi_text t;

	mpapi_text_open(&t);
	put_pd(t.f, &list.data);
	for (const pd_list *p = list.next; p; p = p->next) {
		fputc(' ', t.f);
		put_pd(t.f, &p->data);
	}
	return mpapi_text_close(&t);
}
