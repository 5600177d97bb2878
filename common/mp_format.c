/*
 * The output formats of the libmonitoringplug 3.x interface, byte for byte as the library prints
 * them (its quirks included, each noted where it is made): multi-line and mp-test-json.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mpapi.h"
#include "output.h"

static mp_output_format output_format = MP_FORMAT_DEFAULT;

static const char *const format_names[] = {
	[MP_FORMAT_MULTI_LINE] = "multi-line",
	[MP_FORMAT_TEST_JSON] = "mp-test-json",
};

void mp_set_format(mp_output_format format)
{
	output_format = format;
}

mp_output_format mp_get_format(void)
{
	return output_format;
}

parsed_output_format mp_parse_output_format(char *format_string)
{
	parsed_output_format res = {.parsing_success = false, .output_format = MP_FORMAT_DEFAULT};

	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcasecmp(format_names[i], format_string) == 0) {
			res.parsing_success = true;
			res.output_format = (mp_output_format)i;
			break;
		}
	}
	return res;
}

static const char *state_name(mp_state_enum s)
{
	switch (s) {
	case STATE_OK:
		return "OK";
	case STATE_WARNING:
		return "WARNING";
	case STATE_CRITICAL:
		return "CRITICAL";
	case STATE_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

/*
 * The text that stands for a failed subcheck in the summary: a leaf's own output; else that of
 * its last child that is not OK, followed down (the last, not the worst: the library's choice);
 * else, no child failed, its own.
 */
static const char *failed_text(const mp_subcheck *sc)
{
	const mp_subcheck *pick = NULL;

	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next) {
		if (mp_compute_subcheck_state(l->subcheck) != STATE_OK)
			pick = &l->subcheck;
	}
	return pick ? failed_text(pick) : sc->output;
}

/*
 * The derived summary: the failed text of the first CRITICAL top-level subcheck, else of the
 * first UNKNOWN, else of the first WARNING (UNKNOWN before WARNING, although the state ranks
 * WARNING higher); with none, the OK summary or "ok=N". NULL for a check without subchecks.
 */
static const char *derived_summary(const mp_check *check, char *buf, size_t len)
{
	const mp_subcheck *crit = NULL, *unknown = NULL, *warn = NULL;
	unsigned ok = 0;

	for (const mp_subcheck_list *l = check->subchecks; l; l = l->next) {
		switch (mp_compute_subcheck_state(l->subcheck)) {
		case STATE_OK:
			ok++;
			break;
		case STATE_WARNING:
			warn = warn ? warn : &l->subcheck;
			break;
		case STATE_CRITICAL:
			crit = crit ? crit : &l->subcheck;
			break;
		default:
			unknown = unknown ? unknown : &l->subcheck;
			break;
		}
	}
	if (crit || unknown || warn)
		return failed_text(crit ? crit : unknown ? unknown : warn);
	if (check->ok_summary)
		return check->ok_summary;
	if (!ok)
		return NULL;
	snprintf(buf, len, "ok=%u", ok);
	return buf;
}

static void put_tabs(FILE *f, unsigned n)
{
	while (n--)
		fputc('\t', f);
}

/*
 * A subcheck's text with its line breaks indented one level deeper than the subcheck. The
 * library indents the last line twice over, and leaves the indent after a final line break.
 */
static void put_indented(FILE *f, const char *text, unsigned indent)
{
	const char *nl;

	if (!text) /* only by writing into the tree: adding refuses a subcheck without text */
		return;
	nl = strchr(text, '\n');
	if (!nl) {
		fputs(text, f);
		return;
	}
	for (; nl; nl = strchr(text, '\n')) {
		fwrite(text, 1, (size_t)(nl - text), f);
		fputc('\n', f);
		put_tabs(f, indent + 1);
		text = nl + 1;
	}
	if (*text) {
		put_tabs(f, indent + 1);
		fputs(text, f);
	}
}

static void put_subcheck_lines(FILE *f, const mp_subcheck *sc, unsigned indent)
{
	put_tabs(f, indent);
	fprintf(f, "\\_[%s] - ", state_name(mp_compute_subcheck_state(*sc)));
	put_indented(f, sc->output, indent);
	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next) {
		fputc('\n', f);
		put_subcheck_lines(f, &l->subcheck, indent + 1);
	}
}

/*
 * A subcheck's perfdata and then its children's, each child's after a space once anything came
 * before it, even when the child has none (so the library leaves stray spaces).
 */
static void put_subcheck_perfdata(FILE *f, const mp_subcheck *sc, long start)
{
	if (sc->perfdata) {
		char *s = pd_list_to_string(*sc->perfdata);

		fputs(s, f);
		free(s);
	}
	for (const mp_subcheck_list *l = sc->subchecks; l; l = l->next) {
		if (ftell(f) > start)
			fputc(' ', f);
		put_subcheck_perfdata(f, &l->subcheck, ftell(f));
	}
}

/* All perfdata of the tree, top-level subchecks joined by a space each, empty ones too. */
static char *tree_perfdata(const mp_check *check)
{
	struct mpapi_text t;

	mpapi_text_open(&t);
	for (const mp_subcheck_list *l = check->subchecks; l; l = l->next) {
		if (l != check->subchecks)
			fputc(' ', t.f);
		put_subcheck_perfdata(t.f, &l->subcheck, ftell(t.f));
	}
	return mpapi_text_close(&t);
}

/*
 * "[STATE] - summary", a line per subcheck indented by depth, '|' in that text made a space, and
 * "|perfdata" right after the last line when there is any perfdata (or stray space).
 */
static char *fmt_multi_line(const mp_check *check)
{
	struct mpapi_text t;
	char okbuf[32], *text, *perf;
	const char *summary =
		check->summary ? check->summary : derived_summary(check, okbuf, sizeof(okbuf));

	mpapi_text_open(&t);
	fprintf(t.f, "[%s] - %s", state_name(mp_compute_check_state(*check)),
		summary ? summary : "");
	for (const mp_subcheck_list *l = check->subchecks; l; l = l->next) {
		fputc('\n', t.f);
		put_subcheck_lines(t.f, &l->subcheck, 1);
	}
	text = mpapi_text_close(&t);
	for (char *p = strchr(text, '|'); p; p = strchr(p, '|'))
		*p = ' ';
	perf = tree_perfdata(check);
	if (perf[0]) {
		mpapi_text_open(&t);
		fprintf(t.f, "%s|%s", text, perf);
		free(text);
		text = mpapi_text_close(&t);
	}
	free(perf);
	return text;
}

/* A JSON string as cJSON writes one: quote, backslash and control characters escaped only. */
static void put_json_string(FILE *f, const char *s)
{
	static const char short_escape[] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < sizeof(short_escape) && short_escape[*p])
			fprintf(f, "\\%c", short_escape[*p]);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A member "key":"text"; the library leaves out a member whose text is NULL. */
static void put_json_member(FILE *f, const char *sep, const char *key, const char *text)
{
	if (!text)
		return;
	fprintf(f, "%s\"%s\":", sep, key);
	put_json_string(f, text);
}

static void put_json_value(FILE *f, mp_perfdata_value v)
{
	static const char *const types[] = {
		[PD_TYPE_INT] = "int", [PD_TYPE_UINT] = "uint", [PD_TYPE_DOUBLE] = "double"};
	char *s;

	/* The library ends the run here too: a value never set cannot be written. */
	if (v.type != PD_TYPE_INT && v.type != PD_TYPE_UINT && v.type != PD_TYPE_DOUBLE)
		mpapi_die("mp-test-json: a perfdata value without a type");
	s = pd_value_to_string(v);
	fprintf(f, "{\"type\":\"%s\",\"value\":", types[v.type]);
	put_json_string(f, s);
	fputc('}', f);
	free(s);
}

/*
 * A range: alert_on_inside, end, start; an infinite end is "inf", an infinite start is "inf"
 * too. The library writes the end's value as the start (so a finite start with an infinite end
 * needs the end's value set, else mp-test-json ends the run).
 */
static void put_json_range(FILE *f, mp_range r)
{
	fprintf(f, "{\"alert_on_inside\":%s,\"end\":", r.alert_on_inside_range ? "true" : "false");
	if (r.end_infinity)
		fputs("\"inf\"", f);
	else
		put_json_value(f, r.end);
	fputs(",\"start\":", f);
	if (r.start_infinity)
		fputs("\"inf\"", f);
	else
		put_json_value(f, r.end);
	fputc('}', f);
}

static void put_json_pd(FILE *f, const mp_perfdata *pd)
{
	fputc('{', f);
	put_json_member(f, "", "label", pd->label);
	fprintf(f, "%s\"value\":", pd->label ? "," : "");
	put_json_value(f, pd->value);
	put_json_member(f, ",", "uom", pd->uom);
	if (pd->warn_present) {
		fputs(",\"warn\":", f);
		put_json_range(f, pd->warn);
	}
	if (pd->crit_present) {
		fputs(",\"crit\":", f);
		put_json_range(f, pd->crit);
	}
	if (pd->min_present) {
		fputs(",\"min\":", f);
		put_json_value(f, pd->min);
	}
	if (pd->max_present) {
		fputs(",\"max\":", f);
		put_json_value(f, pd->max);
	}
	fputc('}', f);
}

static void put_json_subchecks(FILE *f, const mp_subcheck_list *l);

static void put_json_subcheck(FILE *f, const mp_subcheck *sc)
{
	fputc('{', f);
	put_json_member(f, "", "output", sc->output);
	fprintf(f, ",\"state\":\"%s\"", state_name(mp_compute_subcheck_state(*sc)));
	if (sc->perfdata) {
		fputs(",\"perfdata\":[", f);
		for (const pd_list *p = sc->perfdata; p; p = p->next) {
			if (p != sc->perfdata)
				fputc(',', f);
			put_json_pd(f, &p->data);
		}
		fputc(']', f);
	}
	put_json_subchecks(f, sc->subchecks);
	fputc('}', f);
}

/* ,"checks":[...] when there are any. */
static void put_json_subchecks(FILE *f, const mp_subcheck_list *l)
{
	if (!l)
		return;
	fputs(",\"checks\":[", f);
	for (const mp_subcheck_list *first = l; l; l = l->next) {
		if (l != first)
			fputc(',', f);
		put_json_subcheck(f, &l->subcheck);
	}
	fputc(']', f);
}

/* One line of JSON without spaces: state, summary, checks. */
static char *fmt_test_json(const mp_check *check)
{
	struct mpapi_text t;
	char okbuf[32];
	const char *summary =
		check->summary ? check->summary : derived_summary(check, okbuf, sizeof(okbuf));

	mpapi_text_open(&t);
	fprintf(t.f, "{\"state\":\"%s\"", state_name(mp_compute_check_state(*check)));
	put_json_member(t.f, ",", "summary", summary);
	put_json_subchecks(t.f, check->subchecks);
	fputc('}', t.f);
	return mpapi_text_close(&t);
}

char *mp_fmt_output(mp_check check)
{
	if (output_format == MP_FORMAT_TEST_JSON)
		return fmt_test_json(&check);
	if (output_format != MP_FORMAT_MULTI_LINE)
		mpapi_die("invalid output format");
	if (check.default_output_override)
		return check.default_output_override(check.default_output_override_content);
	return fmt_multi_line(&check);
}
