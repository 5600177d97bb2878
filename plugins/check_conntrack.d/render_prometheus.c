/*
 * The verdict as Prometheus metrics (text exposition format 0.0.4), for node_exporter's textfile
 * collector. It formats the tree and nothing else: every perfdata item becomes a sample, whatever
 * part carries it, so a new part's numbers appear with no change here. A perfdata label
 * "name{key=value}" adds a label of its own; the unit picks the metric's type and suffix.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render_prometheus.h"

#define PREFIX "check_conntrack_"

/* A perfdata unit as Prometheus names it: a counter's _total, a base unit and its scale. */
struct unit {
	const char *uom;
	double scale; /* to the base unit */
	const char *suffix;
	bool counter;
};

static const struct unit units[] = {
	{"c", 1, "_total", true},
	{"%", 0.01, "_ratio", false},
	{"s", 1, "_seconds", false},
	{"ms", 1e-3, "_seconds", false},
	{"us", 1e-6, "_seconds", false},
	{"B", 1, "_bytes", false},
	{"KB", 1024.0, "_bytes", false},
	{"MB", 1048576.0, "_bytes", false},
	{"GB", 1073741824.0, "_bytes", false},
	{"TB", 1099511627776.0, "_bytes", false},
};

/* What a few labels mean; any other gets a generic line naming its perfdata label. */
static const struct {
	const char *name, *help;
} helps[] = {
	{PREFIX "entries", "Entries in the connection tracking table."},
	{PREFIX "entries_max", "The table's limit (nf_conntrack_max), when there is one."},
	{PREFIX "utilization_ratio", "Entries divided by the limit."},
	{PREFIX "buckets", "Hash table buckets."},
	{PREFIX "state_rules", "Rules matching on connection state (every backend read)."},
	{PREFIX "tracking_rules",
	 "Rules, objects and sets that make the kernel track connections (every backend read)."},
	{PREFIX "notrack_rules", "Rules exempting traffic from tracking (every backend read)."},
	{PREFIX "rules_read", "1: this rules backend was read to its end; 0: not read."},
	{PREFIX "since_last_check_seconds",
	 "Seconds since the last run the counters compare with."},
	{PREFIX "limit_persistent", "1: boot applies the running limit; 0: it does not."},
	{PREFIX "state", "The check's state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
	{PREFIX "netns_state", "Each network namespace's state: 0 OK, 1 WARNING, 2 CRITICAL, "
			       "3 UNKNOWN."},
	{PREFIX "part_state", "The state of each part of the check (a namespace's part, or a "
			      "host-wide section): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
};

struct sample {
	char name[160];
	char labels[400];
	char value[48];
	bool counter;
	char help[200];
};

struct samples {
	struct sample *v;
	size_t n, cap;
};

static struct sample *add(struct samples *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct sample *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			mp_die(CT_SERVICE, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	return &s->v[s->n++];
}

/* A name's characters as Prometheus allows them: letters, digits and '_'; others become '_'. */
static void name_part(char *out, size_t len, const char *in, size_t n)
{
	size_t o = strlen(out);

	for (size_t i = 0; i < n && in[i] && o + 1 < len; i++)
		out[o++] = isalnum((unsigned char)in[i]) ? in[i] : '_';
	out[o] = '\0';
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A label value: backslash, double quote and line feed escaped, as the format wants. */
static void label(char *out, size_t len, const char *key, const char *value, size_t n)
{
	size_t o = strlen(out);

	if (o + strlen(key) + 4 >= len)
		return;
	o += (size_t)snprintf(out + o, len - o, "%s%s=\"", o ? "," : "", key);
	for (size_t i = 0; i < n && value[i] && o + 3 < len; i++) {
		char c = value[i];

		if (c == '\\' || c == '"' || c == '\n')
			out[o++] = '\\';
		out[o++] = c == '\n' ? 'n' : c;
	}
	if (o + 1 < len)
		out[o++] = '"';
	out[o] = '\0';
}

/* "rules_read{backend=nftables,x=y}": the base name's length, and its labels added to out. */
static size_t split_label(const char *pd_label, char *out, size_t len)
{
	const char *brace = strchr(pd_label, '{'), *p, *end;

	if (!brace)
		return strlen(pd_label);
	end = strchr(brace, '}');
	for (p = brace + 1; end && p < end;) {
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *comma = memchr(p, ',', (size_t)(end - p));
		char key[64] = "";

		if (!comma)
			comma = end;
		if (eq && eq < comma) {
			name_part(key, sizeof(key), p, (size_t)(eq - p));
			if (key[0] && !isdigit((unsigned char)key[0]))
				label(out, len, key, eq + 1, (size_t)(comma - eq - 1));
		}
		p = comma + 1;
	}
	return (size_t)(brace - pd_label);
}

static void number(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "NaN");
	else if (isinf(v))
		snprintf(out, len, "%sInf", v > 0 ? "+" : "-");
	else
		snprintf(out, len, "%.15g", v);
}

/* A value in the base unit: integers as they are, scaled ones as doubles. */
static void value_text(mp_perfdata_value v, double scale, char *out, size_t len)
{
	if (scale == 1 && v.type == PD_TYPE_INT)
		snprintf(out, len, "%lld", v.pd_int);
	else if (scale == 1 && v.type == PD_TYPE_UINT)
		snprintf(out, len, "%llu", v.pd_uint);
	else
		number(out, len, mp_get_pd_value(v) * scale);
}

static const struct unit *unit_of(const char *uom)
{
	for (size_t i = 0; uom && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(uom, units[i].uom) == 0)
			return &units[i];
	return NULL;
}

static void help_of(struct sample *s, const char *pd_label, const char *uom)
{
	size_t base = strcspn(pd_label, "{");

	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (strcmp(s->name, helps[i].name) == 0) {
			mp_copy(s->help, sizeof(s->help), helps[i].help);
			return;
		}
	if (base > 17 && strncmp(pd_label + base - 17, "_since_last_check", 17) == 0) {
		snprintf(s->help, sizeof(s->help),
			 "The rise of %.*s since the last check, which its thresholds judge.",
			 (int)(base - 17), pd_label);
		return;
	}
	snprintf(s->help, sizeof(s->help), "check_conntrack's perfdata %.*s%s%s%s%s",
		 (int)strcspn(pd_label, "{"), pd_label, uom && uom[0] ? " (unit " : "",
		 uom ? uom : "", uom && uom[0] ? ")" : "",
		 uom && strcmp(uom, "c") == 0 ? ", a counter" : "");
}

/* The metric name of a perfdata item: the prefix, its label, the unit's suffix. */
static void metric_name(char *out, size_t len, const char *pd_label, size_t base,
			const struct unit *u, const char *uom)
{
	snprintf(out, len, PREFIX);
	name_part(out, len, pd_label, base);
	/* _total is a counter's suffix: a gauge summed over namespaces (entries_total) is _all. */
	if (!(u && u->counter) && ends_with(out, "_total"))
		snprintf(out + strlen(out) - strlen("_total"),
			 len - (strlen(out) - strlen("_total")), "_all");
	if (u && !ends_with(out, u->suffix))
		name_part(out, len, u->suffix, strlen(u->suffix));
	else if (!u && uom && uom[0]) {
		name_part(out, len, "_", 1);
		name_part(out, len, uom, strlen(uom));
	}
}

static void perf_sample(struct samples *s, const mp_perfdata *pd, const char *where)
{
	const struct unit *u = unit_of(pd->uom);
	struct sample *x = add(s);
	size_t base;

	mp_copy(x->labels, sizeof(x->labels), where);
	base = split_label(pd->label, x->labels, sizeof(x->labels));
	metric_name(x->name, sizeof(x->name), pd->label, base, u, pd->uom);
	value_text(pd->value, u ? u->scale : 1, x->value, sizeof(x->value));
	x->counter = u && u->counter;
	help_of(x, pd->label, pd->uom);
	/* A gauge's maximum (the table's limit for entries); a percentage's is always 100. */
	if (pd->max_present && !x->counter && !(u && strcmp(u->uom, "%") == 0)) {
		struct sample *m = add(s);

		x = &s->v[s->n - 2];
		*m = *x;
		snprintf(m->name + strlen(m->name), sizeof(m->name) - strlen(m->name), "_max");
		value_text(pd->max, u ? u->scale : 1, m->value, sizeof(m->value));
		help_of(m, pd->label, pd->uom);
		if (strncmp(m->help, "check_conntrack's", 17) == 0)
			snprintf(m->help, sizeof(m->help),
				 "The maximum of check_conntrack's perfdata %.*s",
				 (int)strcspn(pd->label, "{"), pd->label);
	}
}

static void state_sample(struct samples *s, const char *name, const char *where, mp_state_enum st)
{
	struct sample *x = add(s);

	snprintf(x->name, sizeof(x->name), PREFIX "%s", name);
	mp_copy(x->labels, sizeof(x->labels), where);
	snprintf(x->value, sizeof(x->value), "%d", (int)st);
	help_of(x, name, NULL);
}

/* Every perfdata item at and below a subcheck, with the labels of where it is. */
static void perf_below(struct samples *s, const mp_subcheck *sc, const char *where)
{
	for (const pd_list *p = sc->perfdata; p; p = p->next)
		perf_sample(s, &p->data, where);
	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next)
		perf_below(s, &l->subcheck, where);
}

/*
 * A part's name for its state: its first perfdata label ("drop"), or for a host-wide section the
 * words its text starts with, up to a ':' or '(' ("persistence"). Empty: no name to give.
 */
static void part_name(const mp_subcheck *sc, bool section, char *out, size_t len)
{
	const char *t = sc->output ? sc->output : "";
	size_t n, o = 0;

	out[0] = '\0';
	if (sc->perfdata && !section) {
		const char *l = sc->perfdata->data.label;
		int counters = 0;

		for (const pd_list *p = sc->perfdata; p; p = p->next)
			counters += p->data.uom && strcmp(p->data.uom, "c") == 0;
		/* A part with several counters is the counters' part, not its first counter's. */
		if (counters > 1)
			l = "counters";
		name_part(out, len, l, strcspn(l, "{"));
		return;
	}
	if (!section)
		return;
	/* A section's text names it ("persistence: ..."): its numbers may come and go. */
	n = strcspn(t, ":(");
	while (n && t[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n && i < 40 && o + 1 < len; i++) {
		char c = (char)tolower((unsigned char)t[i]);

		if (!isalnum((unsigned char)c))
			c = '_';
		if (c == '_' && (o == 0 || out[o - 1] == '_'))
			continue;
		out[o++] = c;
	}
	while (o && out[o - 1] == '_')
		o--;
	out[o] = '\0';
}

/* The samples of one top-level subcheck: a namespace (netns label) or a host-wide section. */
static void top_samples(struct samples *s, const mp_subcheck *sc, const char *netns)
{
	char where[300] = "", with_part[400], name[64];

	if (netns) {
		label(where, sizeof(where), "netns", netns, strlen(netns));
		state_sample(s, "netns_state", where, mp_compute_subcheck_state(*sc));
		for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next) {
			part_name(&l->subcheck, false, name, sizeof(name));
			if (!name[0])
				continue;
			mp_copy(with_part, sizeof(with_part), where);
			label(with_part, sizeof(with_part), "part", name, strlen(name));
			state_sample(s, "part_state", with_part,
				     mp_compute_subcheck_state(l->subcheck));
		}
	} else {
		part_name(sc, true, name, sizeof(name));
		if (name[0]) {
			with_part[0] = '\0';
			label(with_part, sizeof(with_part), "part", name, strlen(name));
			state_sample(s, "part_state", with_part, mp_compute_subcheck_state(*sc));
		}
	}
	perf_below(s, sc, where);
}

/* A HELP line's text: backslash and line feed escaped. */
static void help_text(const char *h, struct mp_buf *out)
{
	for (size_t n; *h; h += n) {
		n = strcspn(h, "\\\n");
		mp_buf_printf(out, "%.*s", (int)n, h);
		if (h[n])
			mp_buf_printf(out, "%s", h[n] == '\n' ? "\\n" : "\\\\");
		n += h[n] ? 1 : 0;
	}
}

/* Samples grouped by metric, in the order first met, each metric with its HELP and TYPE once. */
static void print_grouped(const struct samples *s, struct mp_buf *out)
{
	for (size_t i = 0; i < s->n; i++) {
		bool first = true;

		for (size_t k = 0; k < i && first; k++)
			first = strcmp(s->v[k].name, s->v[i].name) != 0;
		if (!first)
			continue;
		mp_buf_printf(out, "# HELP %s ", s->v[i].name);
		help_text(s->v[i].help, out);
		mp_buf_printf(out, "\n# TYPE %s %s\n", s->v[i].name,
			      s->v[i].counter ? "counter" : "gauge");
		for (size_t j = i; j < s->n; j++) {
			bool dup = false;

			if (strcmp(s->v[j].name, s->v[i].name) != 0)
				continue;
			/* A series is written once: the first of the same name and labels wins. */
			for (size_t k = i; k < j && !dup; k++)
				dup = strcmp(s->v[k].name, s->v[j].name) == 0 &&
				      strcmp(s->v[k].labels, s->v[j].labels) == 0;
			if (dup)
				continue;
			mp_buf_printf(out, "%s%s%s%s %s\n", s->v[j].name,
				      s->v[j].labels[0] ? "{" : "", s->v[j].labels,
				      s->v[j].labels[0] ? "}" : "", s->v[j].value);
		}
	}
}

char *ct_render_prometheus(void *verdict)
{
	const struct ct_verdict *v = verdict;
	struct samples s = {0};
	struct mp_buf out = {0};
	size_t i = 0;

	state_sample(&s, "state", "", mp_compute_check_state(v->check));
	for (const mp_subcheck_list *l = v->check.subchecks; l; l = l->next, i++)
		top_samples(&s, &l->subcheck,
			    i < v->namespaces ? (v->names ? v->names[i] : "") : NULL);
	print_grouped(&s, &out);
	free(s.v);
	if (out.oom)
		mp_die(CT_SERVICE, "out of memory");
	/* The caller ends the output with its newline, as for the other formats. */
	if (out.len && out.s[out.len - 1] == '\n')
		out.s[--out.len] = '\0';
	return out.s ? out.s : strdup("");
}
