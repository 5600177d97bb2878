/*
 * The libmonitoringplug 3.x interface: one source, built twice, once against our common/ and once
 * against the real library (tests/mplib/), with the same expectations. The real library's output
 * is the reference: trees formatted as multi-line and mp-test-json byte for byte, ranges as it
 * parses and applies them, perfdata text, states, mp_exit.
 *
 * Only what both builds do alike is asserted: the library writes into a subcheck's text when it
 * formats line breaks (so each such tree is formatted once, JSON first), mangles labels with a
 * quote and compares two negative doubles backwards; ours does none of that.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output.h"
#include "perfdata.h"
#include "states.h"
#include "thresholds.h"

#include "tap.h"

/* Like is_str, with line breaks and tabs shown as \n and \t in the diagnostics. */
static void show_escaped(const char *label, const char *s)
{
	printf("#   %s '", label);
	for (; s && *s; s++) {
		if (*s == '\n')
			printf("\\n");
		else if (*s == '\t')
			printf("\\t");
		else
			putchar(*s);
	}
	printf("'\n");
}

static void is_text(const char *got, const char *want, const char *name)
{
	int same = got && strcmp(got, want) == 0;

	ok(same, "%s", name);
	if (!same) {
		show_escaped("got: ", got ? got : "(null)");
		show_escaped("want:", want);
	}
}

/* Every string hung on a tree is our own copy: the library may write into it. */
static char *dupstr(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* A subcheck with text; state < 0 leaves the state unset. */
static mp_subcheck sub(const char *text, int state)
{
	mp_subcheck sc = mp_subcheck_init();

	sc.output = dupstr(text);
	if (state >= 0)
		sc = mp_set_subcheck_state(sc, (mp_state_enum)state);
	return sc;
}

static mp_perfdata pd_ll(const char *label, long long v)
{
	mp_perfdata pd = perfdata_init();

	pd.label = dupstr(label);
	return mp_set_pd_value(pd, v);
}

static mp_range range_of(const char *text)
{
	mp_range_parsed p = mp_parse_range_string(text);

	if (p.error != MP_PARSING_SUCCESS)
		abort();
	return p.range;
}

/* The tree's memory: list nodes and perfdata nodes are plain heap blocks in both builds. */
static void free_subchecks(mp_subcheck_list *l);

static void free_subcheck(mp_subcheck *sc)
{
	pd_list *pd = sc->perfdata;

	while (pd) {
		pd_list *next = pd->next;

		free(pd->data.label);
		free(pd->data.uom);
		free(pd);
		pd = next;
	}
	free_subchecks(sc->subchecks);
	free(sc->output);
}

static void free_subchecks(mp_subcheck_list *l)
{
	while (l) {
		mp_subcheck_list *next = l->next;

		free_subcheck(&l->subcheck);
		free(l);
		l = next;
	}
}

static void free_check(mp_check *c)
{
	free_subchecks(c->subchecks);
	free(c->summary);
	c->subchecks = NULL;
	c->summary = NULL;
}

static void is_format(mp_check c, mp_output_format f, const char *want, const char *name)
{
	char *got;

	mp_set_format(f);
	got = mp_fmt_output(c);
	mp_set_format(MP_FORMAT_MULTI_LINE);
	is_text(got, want, name);
	free(got);
}

static void test_states(void)
{
	static const mp_state_enum s[4] = {STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN};
	/* [a][b], in the order of s */
	static const mp_state_enum want[4][4] = {
		{STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_OK},
		{STATE_WARNING, STATE_WARNING, STATE_CRITICAL, STATE_WARNING},
		{STATE_CRITICAL, STATE_CRITICAL, STATE_CRITICAL, STATE_CRITICAL},
		{STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN},
	};
	static const mp_state_enum want_alt[4][4] = {
		{STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN},
		{STATE_WARNING, STATE_WARNING, STATE_CRITICAL, STATE_WARNING},
		{STATE_CRITICAL, STATE_CRITICAL, STATE_CRITICAL, STATE_CRITICAL},
		{STATE_UNKNOWN, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN},
	};
	int bad = 0, bad_alt = 0;

	is_int(STATE_OK, 0, "STATE_OK is 0");
	is_int(STATE_WARNING, 1, "STATE_WARNING is 1");
	is_int(STATE_CRITICAL, 2, "STATE_CRITICAL is 2");
	is_int(STATE_UNKNOWN, 3, "STATE_UNKNOWN is 3");
	for (int a = 0; a < 4; a++) {
		for (int b = 0; b < 4; b++) {
			bad += max_state(s[a], s[b]) != want[a][b];
			bad_alt += max_state_alt(s[a], s[b]) != want_alt[a][b];
		}
	}
	is_int(bad, 0, "max_state: CRITICAL > WARNING > OK > UNKNOWN, all 16 pairs");
	is_int(bad_alt, 0, "max_state_alt: CRITICAL > WARNING > UNKNOWN > OK, all 16 pairs");
}

static void test_subcheck_states(void)
{
	mp_subcheck sc = mp_subcheck_init(), parent;
	mp_check check = mp_check_init();

	is_int(mp_compute_subcheck_state(sc), STATE_UNKNOWN, "a new subcheck is UNKNOWN");
	sc = mp_set_subcheck_default_state(sc, STATE_CRITICAL);
	is_int(mp_compute_subcheck_state(sc), STATE_CRITICAL, "its default state applies");
	sc = mp_set_subcheck_state(sc, STATE_OK);
	is_int(mp_compute_subcheck_state(sc), STATE_OK, "a state set wins over the default");

	parent = sub("derived", -1);
	mp_add_subcheck_to_subcheck(&parent, sub("ok", STATE_OK));
	mp_add_subcheck_to_subcheck(&parent, sub("unknown", STATE_UNKNOWN));
	is_int(mp_compute_subcheck_state(parent), STATE_UNKNOWN,
	       "derived: UNKNOWN child over OK child");
	mp_add_subcheck_to_subcheck(&parent, sub("warning", STATE_WARNING));
	is_int(mp_compute_subcheck_state(parent), STATE_WARNING,
	       "derived: WARNING child over UNKNOWN child");
	parent = mp_set_subcheck_state(parent, STATE_OK);
	is_int(mp_compute_subcheck_state(parent), STATE_OK, "a state set wins over the children's");
	free_subcheck(&parent);

	parent = sub("all ok", -1);
	parent = mp_set_subcheck_default_state(parent, STATE_CRITICAL);
	mp_add_subcheck_to_subcheck(&parent, sub("ok", STATE_OK));
	is_int(mp_compute_subcheck_state(parent), STATE_OK,
	       "children present: the default state no longer applies");
	free_subcheck(&parent);

	mp_add_subcheck_to_check(&check, sub("u", STATE_UNKNOWN));
	mp_add_subcheck_to_check(&check, sub("o", STATE_OK));
	is_int(mp_compute_check_state(check), STATE_UNKNOWN, "check: UNKNOWN over OK");
	mp_add_subcheck_to_check(&check, sub("w", STATE_WARNING));
	is_int(mp_compute_check_state(check), STATE_WARNING, "check: WARNING over UNKNOWN");
	free_check(&check);
}

struct range_case {
	const char *text;
	int error;
	const char *start; /* NULL: infinite */
	const char *end; /* NULL: infinite */
	bool inside;
	pd_value_type end_type;
};

/* Measured with the real library: where it parts from the guidelines, the case says so. */
static const struct range_case range_cases[] = {
	{"10", 0, NULL, "10", false, PD_TYPE_INT}, /* guidelines: 0:10 */
	{"0:10", 0, "0", "10", false, PD_TYPE_INT},
	{"10:", 0, "10", NULL, false, PD_TYPE_NONE},
	{"~:10", 0, NULL, "10", false, PD_TYPE_INT},
	{"10:20", 0, "10", "20", false, PD_TYPE_INT},
	{"@10:20", 0, "10", "20", true, PD_TYPE_INT},
	{"@10", 0, NULL, "10", true, PD_TYPE_INT},
	{"-10", 0, NULL, "-10", false, PD_TYPE_INT},
	{"~:", 0, NULL, NULL, false, PD_TYPE_NONE},
	{"@", 0, NULL, NULL, true, PD_TYPE_NONE}, /* alerts always */
	{":10", 0, "0", "10", false, PD_TYPE_INT}, /* an empty start is 0 */
	{"20:10", 0, "20", "10", false, PD_TYPE_INT}, /* start > end accepted */
	{"10:20:30", 0, "10", "20.000000", false, PD_TYPE_DOUBLE},
	{"010", 0, NULL, "8", false, PD_TYPE_INT}, /* octal */
	{"0x10", 0, NULL, "16", false, PD_TYPE_INT},
	{"10abc", 0, NULL, "10.000000", false, PD_TYPE_DOUBLE},
	{"10%", 0, NULL, "10.000000", false, PD_TYPE_DOUBLE},
	{"1e3", 0, NULL, "1000.000000", false, PD_TYPE_DOUBLE},
	{"10.5", 0, NULL, "10.500000", false, PD_TYPE_DOUBLE},
	{" 10", 0, NULL, "10", false, PD_TYPE_INT},
	{"+10", 0, NULL, "10", false, PD_TYPE_INT},
	{"99999999999999999999", 0, NULL, "9223372036854775807", false, PD_TYPE_INT},
	{"-1.5:", 0, "-1.500000", NULL, false, PD_TYPE_NONE},
	{"", MP_RANGE_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
	{"~10:", MP_RANGE_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
	{"~", MP_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
	{"abc", MP_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
	{"10:abc", MP_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
	{"1e999", MP_PARSING_FAILURE, NULL, NULL, false, PD_TYPE_NONE},
};

static bool same_end(bool infinite, mp_perfdata_value v, const char *want)
{
	char *s;
	bool same;

	if (infinite || !want)
		return infinite == !want;
	s = pd_value_to_string(v);
	same = strcmp(s, want) == 0;
	free(s);
	return same;
}

static void test_range_parsing(void)
{
	mp_range_parsed p = mp_parse_range_string(NULL);

	is_int(p.error, MP_RANGE_PARSING_FAILURE, "range NULL: MP_RANGE_PARSING_FAILURE");
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];

		p = mp_parse_range_string(c->text);
		if (c->error) {
			is_int(p.error, c->error, c->text);
			continue;
		}
		ok(p.error == 0 && same_end(p.range.start_infinity, p.range.start, c->start) &&
			   same_end(p.range.end_infinity, p.range.end, c->end) &&
			   p.range.alert_on_inside_range == c->inside &&
			   (p.range.end_infinity || p.range.end.type == c->end_type),
		   "range '%s' is %s%s:%s", c->text, c->inside ? "@" : "",
		   c->start ? c->start : "~", c->end ? c->end : "inf");
	}
	p = mp_parse_range_string("10:");
	is_int(p.range.end.type, PD_TYPE_NONE, "range '10:' leaves the end's value unset");
}

/* mp_get_pd_status with the range as critical threshold, over these values. */
static const long long status_values[] = {-5, -1, 0, 5, 10, 11, 20, 21};

static const struct {
	const char *range;
	const char *alerts; /* one 0/1 per status_values */
} status_cases[] = {
	{"10", "00001111"}, /* "~:10" and the end excluded: 10 alerts */
	{"~:10", "00001111"},	{"0:10", "11000111"}, {"10:", "11110000"},   {"10:20", "11110001"},
	{"@10:20", "00001110"}, {"@10", "11110000"}, /* "@~:10": 10 does not alert */
	{"@", "11111111"},	{"~:", "00000000"},   {"20:10", "11111111"}, {"-1:0", "10011111"},
};

static mp_perfdata with_crit(mp_perfdata pd, const char *text)
{
	return mp_pd_set_thresholds(pd,
				    mp_thresholds_set_crit(mp_thresholds_init(), range_of(text)));
}

static void test_status(void)
{
	mp_perfdata pd;
	mp_thresholds th = mp_thresholds_init();

	for (size_t i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
		char got[16] = "";

		for (size_t v = 0; v < sizeof(status_values) / sizeof(status_values[0]); v++) {
			pd = with_crit(mp_set_pd_value(perfdata_init(), status_values[v]),
				       status_cases[i].range);
			got[v] = mp_get_pd_status(pd) == STATE_CRITICAL ? '1' : '0';
		}
		is_str(got, status_cases[i].alerts, status_cases[i].range);
	}

	pd = mp_set_pd_value(perfdata_init(), 5);
	is_int(mp_get_pd_status(pd), STATE_OK, "no thresholds: OK");
	th = mp_thresholds_set_warn(th, range_of("4"));
	th = mp_thresholds_set_crit(th, range_of("10"));
	pd = mp_pd_set_thresholds(pd, th);
	pd = mp_set_pd_value(pd, 3);
	is_int(mp_get_pd_status(pd), STATE_OK, "3 against warn 4, crit 10: OK");
	pd = mp_set_pd_value(pd, 4);
	is_int(mp_get_pd_status(pd), STATE_WARNING,
	       "4 against warn 4 (~:4): WARNING, end excluded");
	pd = mp_set_pd_value(pd, 10);
	is_int(mp_get_pd_status(pd), STATE_CRITICAL, "10: CRITICAL wins over WARNING");
	pd = mp_pd_set_thresholds(pd, mp_thresholds_init());
	is_int(mp_get_pd_status(pd), STATE_CRITICAL, "thresholds not set leave the item's alone");

	/* Mixed types: a uint64 count against an int range, a double against an int range. */
	pd = with_crit(mp_set_pd_value(perfdata_init(), 18446744073709551615ULL), "10:20");
	is_int(mp_get_pd_status(pd), STATE_CRITICAL, "uint 2^64-1 against 10:20: CRITICAL");
	pd = with_crit(mp_set_pd_value(perfdata_init(), 20ULL), "10:20");
	is_int(mp_get_pd_status(pd), STATE_OK, "uint 20 against 10:20: OK");
	pd = with_crit(mp_set_pd_value(perfdata_init(), 20.5), "10:20");
	is_int(mp_get_pd_status(pd), STATE_CRITICAL, "double 20.5 against 10:20: CRITICAL");
	pd = with_crit(mp_set_pd_value(perfdata_init(), 10.5), "10.5:20.5");
	is_int(mp_get_pd_status(pd), STATE_OK, "double 10.5 against 10.5:20.5: OK");
	pd = with_crit(mp_set_pd_value(perfdata_init(), 10.25), "10.5:20.5");
	is_int(mp_get_pd_status(pd), STATE_CRITICAL, "double 10.25 against 10.5:20.5: CRITICAL");
}

static void is_value(mp_perfdata_value v, pd_value_type type, const char *text, const char *name)
{
	char *s = pd_value_to_string(v);

	ok(v.type == type && strcmp(s, text) == 0, "%s: %s", name, text);
	if (v.type != type || strcmp(s, text) != 0)
		printf("#   got type %d, '%s'\n", v.type, s);
	free(s);
}

static void test_values(void)
{
	is_value(mp_create_pd_value(-3), PD_TYPE_INT, "-3", "int");
	is_value(mp_create_pd_value((char)65), PD_TYPE_INT, "65", "char");
	is_value(mp_create_pd_value((unsigned char)200), PD_TYPE_UINT, "200", "unsigned char");
	is_value(mp_create_pd_value(7u), PD_TYPE_UINT, "7", "unsigned int");
	is_value(mp_create_pd_value(-7L), PD_TYPE_INT, "-7", "long");
	is_value(mp_create_pd_value((uint64_t)UINT64_MAX), PD_TYPE_UINT, "18446744073709551615",
		 "uint64_t");
	is_value(mp_create_pd_value(85.5), PD_TYPE_DOUBLE, "85.500000", "double");
	is_value(mp_create_pd_value(1.0f / 3), PD_TYPE_DOUBLE, "0.333333", "float");
	is_value(mp_create_pd_value(1e20), PD_TYPE_DOUBLE, "100000000000000000000.000000",
		 "large double");
	is_value(mp_create_pd_value(1e-9), PD_TYPE_DOUBLE, "0.000000", "small double");

	ok(mp_get_pd_value(mp_create_pd_value(3u)) == 3.0, "mp_get_pd_value uint");
	ok(mp_get_pd_value(mp_create_pd_value(-2)) == -2.0, "mp_get_pd_value int");
	ok(mp_get_pd_value(mp_create_pd_value(0.25)) == 0.25, "mp_get_pd_value double");

	is_int(cmp_perfdata_value(mp_create_pd_value(-1), mp_create_pd_value(0u)), -1,
	       "cmp: int -1 < uint 0");
	is_int(cmp_perfdata_value(mp_create_pd_value(UINT64_MAX), mp_create_pd_value(INT64_MAX)), 1,
	       "cmp: uint 2^64-1 > int 2^63-1");
	is_int(cmp_perfdata_value(mp_create_pd_value(5), mp_create_pd_value(5u)), 0,
	       "cmp: int 5 == uint 5");
	is_int(cmp_perfdata_value(mp_create_pd_value(2.0), mp_create_pd_value(2u)), 0,
	       "cmp: double 2 == uint 2");
	is_int(cmp_perfdata_value(mp_create_pd_value(0.5), mp_create_pd_value(1)), -1,
	       "cmp: double 0.5 < int 1");
	is_int(cmp_perfdata_value(mp_create_pd_value(3.5), mp_create_pd_value(2.5)), 1,
	       "cmp: double 3.5 > double 2.5");
}

static void is_pd(mp_perfdata pd, const char *want, const char *name)
{
	char *s = pd_to_string(pd);

	is_text(s, want, name);
	free(s);
}

static void is_range_text(const char *text, const char *want)
{
	char *s = mp_range_to_string(range_of(text));

	is_text(s, want, text);
	free(s);
}

static void test_perfdata_text(void)
{
	mp_perfdata pd = perfdata_init();
	mp_thresholds th = mp_thresholds_init();
	pd_list second = {.data = perfdata_init()}, first = {.next = &second};
	char *s;

	pd.label = "entries";
	pd = mp_set_pd_value(pd, (uint64_t)8500);
	is_pd(pd, "'entries'=8500;;;", "the label is quoted, empty fields stay");
	th = mp_thresholds_set_warn(th, range_of("~:8000"));
	th = mp_thresholds_set_crit(th, range_of("0:9000"));
	pd = mp_pd_set_thresholds(pd, th);
	pd = mp_set_pd_min_value(pd, mp_create_pd_value(0));
	pd = mp_set_pd_max_value(pd, mp_create_pd_value((uint64_t)10000));
	is_pd(pd, "'entries'=8500;~:8000;9000;0;10000", "thresholds, min, max; 0:9000 as 9000");
	pd.label = "utilization";
	pd.uom = "%";
	pd = mp_set_pd_value(pd, 85.0);
	pd = mp_set_pd_max_value(pd, mp_create_pd_value(100.0));
	is_pd(pd, "'utilization'=85.000000%;~:8000;9000;0;100.000000", "a double with %");

	pd = perfdata_init();
	pd.label = "a b=c";
	pd.uom = "c";
	pd = mp_set_pd_value(pd, UINT64_MAX);
	pd = mp_set_pd_max_value(pd, mp_create_pd_value(5));
	is_pd(pd, "'a b=c'=18446744073709551615c;;;;5", "max without min; any label quoted");
	pd = mp_set_pd_value(perfdata_init(), 5);
	pd.label = "v";
	is_pd(with_crit(pd, "10:"), "'v'=5;;10:;", "10: prints as 10:");
	is_pd(with_crit(pd, "0:"), "'v'=5;;;", "0: prints as nothing (the threshold is lost)");
	is_pd(with_crit(pd, "@0:"), "'v'=5;;@;", "@0: prints as @");
	is_pd(with_crit(pd, "-1.5:2"), "'v'=5;;-1.500000:2;", "a double end prints with %f");

	is_range_text("10", "~:10");
	is_range_text("0:10", "10");
	is_range_text("~:10", "~:10");
	is_range_text("@10:20", "@10:20");
	is_range_text("10:", "10:");
	is_range_text("@", "@~:");

	first.data = mp_set_pd_value(perfdata_init(), 1);
	first.data.label = "a";
	second.data = mp_set_pd_value(perfdata_init(), 2.5);
	second.data.label = "b";
	s = pd_list_to_string(first);
	is_text(s, "'a'=1;;; 'b'=2.500000;;;", "pd_list_to_string joins with a space");
	free(s);
}

static void test_format_names(void)
{
	static const struct {
		const char *name;
		bool ok;
		mp_output_format format;
	} cases[] = {
		{"multi-line", true, MP_FORMAT_MULTI_LINE},
		{"MULTI-LINE", true, MP_FORMAT_MULTI_LINE},
		{"mp-test-json", true, MP_FORMAT_TEST_JSON},
		{"Mp-Test-Json", true, MP_FORMAT_TEST_JSON},
		{"json", false, MP_FORMAT_DEFAULT},
		{"", false, MP_FORMAT_DEFAULT},
		{"multi-line ", false, MP_FORMAT_DEFAULT},
	};

	is_int(mp_get_format(), MP_FORMAT_MULTI_LINE, "the format is multi-line by default");
	is_int(MP_FORMAT_DEFAULT, MP_FORMAT_MULTI_LINE, "MP_FORMAT_DEFAULT is multi-line");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32];
		parsed_output_format f;

		snprintf(name, sizeof(name), "%s", cases[i].name);
		f = mp_parse_output_format(name);
		ok(f.parsing_success == cases[i].ok && f.output_format == cases[i].format,
		   "--output-format '%s' %s", cases[i].name, cases[i].ok ? "accepted" : "refused");
	}
	mp_set_format(MP_FORMAT_TEST_JSON);
	is_int(mp_get_format(), MP_FORMAT_TEST_JSON, "mp_set_format / mp_get_format");
	mp_set_format(MP_FORMAT_MULTI_LINE);
}

/* Order, the derived summary and stray perfdata spaces. */
static void test_tree_order_and_summary(void)
{
	mp_check c = mp_check_init();
	mp_subcheck p;

	mp_add_subcheck_to_check(&c, sub("only", STATE_OK));
	is_format(c, MP_FORMAT_MULTI_LINE, "[OK] - ok=1\n\t\\_[OK] - only", "one subcheck");
	free_check(&c);

	mp_add_subcheck_to_check(&c, sub("first", STATE_OK));
	mp_add_subcheck_to_check(&c, sub("second", STATE_OK));
	mp_add_subcheck_to_check(&c, sub("third", STATE_OK));
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[OK] - ok=3\n\t\\_[OK] - third\n\t\\_[OK] - second\n\t\\_[OK] - first|  ",
		  "newest top-level subcheck first; no perfdata still leaves '|  '");
	is_format(c, MP_FORMAT_TEST_JSON,
		  "{\"state\":\"OK\",\"summary\":\"ok=3\",\"checks\":[{\"output\":\"third\","
		  "\"state\":\"OK\"},{\"output\":\"second\",\"state\":\"OK\"},{\"output\":"
		  "\"first\",\"state\":\"OK\"}]}",
		  "json: newest first");
	free_check(&c);

	mp_add_subcheck_to_check(&c, sub("w1", STATE_WARNING));
	mp_add_subcheck_to_check(&c, sub("u1", STATE_UNKNOWN));
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[WARNING] - u1\n\t\\_[UNKNOWN] - u1\n\t\\_[WARNING] - w1| ",
		  "summary: an UNKNOWN text before a WARNING one, the state WARNING");
	mp_add_subcheck_to_check(&c, sub("c1", STATE_CRITICAL));
	mp_add_subcheck_to_check(&c, sub("c2", STATE_CRITICAL));
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[CRITICAL] - c2\n\t\\_[CRITICAL] - c2\n\t\\_[CRITICAL] - c1\n\t\\_[UNKNOWN] - "
		  "u1\n\t\\_[WARNING] - w1|   ",
		  "summary: the first CRITICAL in list order");
	free_check(&c);

	p = sub("parent", -1);
	mp_add_subcheck_to_subcheck(&p, sub("kid-ok", STATE_OK));
	mp_add_subcheck_to_subcheck(&p, sub("kid-crit", STATE_CRITICAL));
	mp_add_subcheck_to_subcheck(&p, sub("kid-warn", STATE_WARNING));
	mp_add_subcheck_to_subcheck(&p, sub("kid-ok2", STATE_OK));
	mp_add_subcheck_to_check(&c, p);
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[CRITICAL] - kid-warn\n\t\\_[CRITICAL] - parent\n\t\t\\_[OK] - kid-ok\n\t\t\\_"
		  "[CRITICAL] - kid-crit\n\t\t\\_[WARNING] - kid-warn\n\t\t\\_[OK] - kid-ok2",
		  "summary: the last failed child's text, not the worst one's");
	free_check(&c);

	p = sub("parent-crit", STATE_CRITICAL);
	mp_add_subcheck_to_subcheck(&p, sub("kid-ok", STATE_OK));
	mp_add_subcheck_to_check(&c, p);
	p = sub("parent-ok", STATE_OK);
	mp_add_subcheck_to_subcheck(&p, sub("kid-crit", STATE_CRITICAL));
	mp_add_subcheck_to_check(&c, p);
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[CRITICAL] - parent-crit\n\t\\_[OK] - parent-ok\n\t\t\\_[CRITICAL] - kid-crit\n"
		  "\t\\_[CRITICAL] - parent-crit\n\t\t\\_[OK] - kid-ok| ",
		  "a state set explicitly: its own text; an OK parent hides a CRITICAL child");
	mp_set_summary(&c, "set | by hand");
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[CRITICAL] - set   by hand\n\t\\_[OK] - parent-ok\n\t\t\\_[CRITICAL] - "
		  "kid-crit\n\t\\_[CRITICAL] - parent-crit\n\t\t\\_[OK] - kid-ok| ",
		  "mp_set_summary replaces the derived text; '|' becomes a space");
	free_check(&c);
}

static void test_tree_perfdata(void)
{
	mp_check c = mp_check_init();
	mp_subcheck a = sub("a", STATE_OK), b = sub("b", STATE_OK), b1 = sub("b1", STATE_OK),
		    b2 = sub("b2", STATE_OK);

	mp_add_perfdata_to_subcheck(&b1, pd_ll("b1v", 1));
	mp_add_perfdata_to_subcheck(&b2, pd_ll("b2v", 2));
	mp_add_perfdata_to_subcheck(&b2, pd_ll("b2w", 3));
	mp_add_subcheck_to_subcheck(&b, b1);
	mp_add_subcheck_to_subcheck(&b, sub("bx", STATE_OK));
	mp_add_subcheck_to_subcheck(&b, b2);
	mp_add_perfdata_to_subcheck(&a, pd_ll("av", 7));
	mp_add_subcheck_to_check(&c, sub("e", STATE_OK));
	mp_add_subcheck_to_check(&c, b);
	mp_add_subcheck_to_check(&c, a);
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[OK] - ok=3\n\t\\_[OK] - a\n\t\\_[OK] - b\n\t\t\\_[OK] - b1\n\t\t\\_[OK] - bx\n"
		  "\t\t\\_[OK] - b2\n\t\\_[OK] - e|'av'=7;;; 'b1v'=1;;;  'b2v'=2;;; 'b2w'=3;;; ",
		  "perfdata of the whole tree after the last line, stray spaces included");
	is_format(c, MP_FORMAT_TEST_JSON,
		  "{\"state\":\"OK\",\"summary\":\"ok=3\",\"checks\":[{\"output\":\"a\",\"state\":"
		  "\"OK\",\"perfdata\":[{\"label\":\"av\",\"value\":{\"type\":\"int\",\"value\":"
		  "\"7\"}}]},{\"output\":\"b\",\"state\":\"OK\",\"checks\":[{\"output\":\"b1\","
		  "\"state\":\"OK\",\"perfdata\":[{\"label\":\"b1v\",\"value\":{\"type\":\"int\","
		  "\"value\":\"1\"}}]},{\"output\":\"bx\",\"state\":\"OK\"},{\"output\":\"b2\","
		  "\"state\":\"OK\",\"perfdata\":[{\"label\":\"b2v\",\"value\":{\"type\":\"int\","
		  "\"value\":\"2\"}},{\"label\":\"b2w\",\"value\":{\"type\":\"int\",\"value\":"
		  "\"3\"}}]}]},{\"output\":\"e\",\"state\":\"OK\"}]}",
		  "json: perfdata and nested checks");
	free_check(&c);

	a = sub("a", STATE_OK);
	b = sub("a1", STATE_OK);
	mp_add_perfdata_to_subcheck(&b, pd_ll("a1v", 1));
	mp_add_subcheck_to_subcheck(&a, sub("a0", STATE_OK));
	mp_add_subcheck_to_subcheck(&a, b);
	mp_add_subcheck_to_check(&c, a);
	mp_add_subcheck_to_check(&c, sub("z", STATE_OK));
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[OK] - ok=2\n\t\\_[OK] - z\n\t\\_[OK] - a\n\t\t\\_[OK] - a0\n\t\t\\_[OK] - a1| "
		  "'a1v'=1;;;",
		  "a first subcheck without perfdata: '| ' before the rest");
	free_check(&c);
}

/* Line breaks, '|' and JSON escapes; each tree formatted once per format, JSON first. */
static void test_tree_text(void)
{
	mp_check c = mp_check_init();
	mp_subcheck a = sub("line1\nline2\nline3", STATE_OK);

	mp_add_subcheck_to_subcheck(&a, sub("deep\nnext", STATE_OK));
	mp_add_subcheck_to_check(&c, sub("x\n\ny", STATE_OK));
	mp_add_subcheck_to_check(&c, sub("pipe|here\n", STATE_WARNING));
	mp_add_subcheck_to_check(&c, a);
	mp_set_summary(&c, "my | summary\twith tab");
	is_format(c, MP_FORMAT_TEST_JSON,
		  "{\"state\":\"WARNING\",\"summary\":\"my | summary\\twith tab\",\"checks\":[{"
		  "\"output\":\"line1\\nline2\\nline3\",\"state\":\"OK\",\"checks\":[{\"output\":"
		  "\"deep\\nnext\",\"state\":\"OK\"}]},{\"output\":\"pipe|here\\n\",\"state\":"
		  "\"WARNING\"},{\"output\":\"x\\n\\ny\",\"state\":\"OK\"}]}",
		  "json: line breaks escaped, '|' kept");
	is_format(
		c, MP_FORMAT_MULTI_LINE,
		"[WARNING] - my   summary\twith tab\n\t\\_[OK] - line1\n\t\tline2\n\t\t\t\tline3\n"
		"\t\t\\_[OK] - deep\n\t\t\t\t\t\tnext\n\t\\_[WARNING] - pipe here\n\t\t\n\t\\_[OK] "
		"- x\n\t\t\n\t\t\t\ty|  ",
		"multi-line text: continuation lines indented, the last one twice");
	free_check(&c);

	a = sub("quote \" backslash \\ ctl \x01 del \x7f utf-8 \xc3\xa9 slash /", -1);
	a = mp_set_subcheck_default_state(a, STATE_OK);
	mp_add_subcheck_to_check(&c, a);
	is_format(
		c, MP_FORMAT_TEST_JSON,
		"{\"state\":\"OK\",\"summary\":\"ok=1\",\"checks\":[{\"output\":\"quote \\\" "
		"backslash \\\\ ctl \\u0001 del \x7f utf-8 \xc3\xa9 slash /\",\"state\":\"OK\"}]}",
		"json: escapes as cJSON writes them");
	free_check(&c);
}

/* A tree shaped like the plugin's: a namespace with its parts, typed perfdata, thresholds. */
static mp_check conntrack_like(void)
{
	mp_check c = mp_check_init();
	mp_subcheck ns = sub("netns host", -1), util = sub("8500 of 10000 entries (85.0%)", -1),
		    drop = sub("drop +0", -1);
	mp_perfdata entries = pd_ll("entries", 0), pct = perfdata_init(),
		    dropped = pd_ll("drop", 0);
	mp_thresholds th = mp_thresholds_init();

	entries = mp_set_pd_value(entries, (uint64_t)8500);
	th = mp_thresholds_set_warn(th, range_of("0:8000"));
	th = mp_thresholds_set_crit(th, range_of("0:9000"));
	entries = mp_pd_set_thresholds(entries, th);
	entries = mp_set_pd_min_value(entries, mp_create_pd_value((uint64_t)0));
	entries = mp_set_pd_max_value(entries, mp_create_pd_value((uint64_t)10000));
	util = mp_set_subcheck_state(util, mp_get_pd_status(entries));
	mp_add_perfdata_to_subcheck(&util, entries);

	pct.label = dupstr("utilization");
	pct.uom = dupstr("%");
	pct = mp_set_pd_value(pct, 85.0);
	th = mp_thresholds_set_warn(th, range_of("0:80"));
	th = mp_thresholds_set_crit(th, range_of("0:90"));
	pct = mp_pd_set_thresholds(pct, th);
	pct = mp_set_pd_min_value(pct, mp_create_pd_value(0));
	pct = mp_set_pd_max_value(pct, mp_create_pd_value(100));
	mp_add_perfdata_to_subcheck(&util, pct);

	dropped.uom = dupstr("c");
	dropped = mp_set_pd_value(dropped, (uint64_t)123456789012ULL);
	mp_add_perfdata_to_subcheck(&drop, dropped);
	drop = mp_set_subcheck_state(drop, STATE_OK);

	mp_add_subcheck_to_subcheck(&ns, util);
	mp_add_subcheck_to_subcheck(&ns, drop);
	mp_add_subcheck_to_subcheck(&ns, sub("no rule needs connection tracking", STATE_OK));
	mp_add_subcheck_to_check(&c, ns);
	return c;
}

static void test_conntrack_like(void)
{
	mp_check c = conntrack_like();

	is_int(mp_compute_check_state(c), STATE_WARNING, "plugin-shaped tree: WARNING");
	is_format(c, MP_FORMAT_MULTI_LINE,
		  "[WARNING] - 8500 of 10000 entries (85.0%)\n\t\\_[WARNING] - netns host\n\t\t\\_"
		  "[WARNING] - 8500 of 10000 entries (85.0%)\n\t\t\\_[OK] - drop +0\n\t\t\\_[OK] - "
		  "no rule needs connection tracking|'entries'=8500;8000;9000;0;10000 "
		  "'utilization'=85.000000%;80;90;0;100 'drop'=123456789012c;;; ",
		  "plugin-shaped tree, multi-line");
	is_format(
		c, MP_FORMAT_TEST_JSON,
		"{\"state\":\"WARNING\",\"summary\":\"8500 of 10000 entries (85.0%)\",\"checks\":"
		"[{\"output\":\"netns host\",\"state\":\"WARNING\",\"checks\":[{\"output\":\"8500 "
		"of 10000 entries (85.0%)\",\"state\":\"WARNING\",\"perfdata\":[{\"label\":"
		"\"entries\",\"value\":{\"type\":\"uint\",\"value\":\"8500\"},\"warn\":{"
		"\"alert_on_inside\":false,\"end\":{\"type\":\"int\",\"value\":\"8000\"},\"start\":"
		"{\"type\":\"int\",\"value\":\"8000\"}},\"crit\":{\"alert_on_inside\":false,"
		"\"end\":"
		"{\"type\":\"int\",\"value\":\"9000\"},\"start\":{\"type\":\"int\",\"value\":"
		"\"9000\"}},\"min\":{\"type\":\"uint\",\"value\":\"0\"},\"max\":{\"type\":\"uint\","
		"\"value\":\"10000\"}},{\"label\":\"utilization\",\"value\":{\"type\":\"double\","
		"\"value\":\"85.000000\"},\"uom\":\"%\",\"warn\":{\"alert_on_inside\":false,"
		"\"end\":"
		"{\"type\":\"int\",\"value\":\"80\"},\"start\":{\"type\":\"int\",\"value\":\"80\"}}"
		","
		"\"crit\":{\"alert_on_inside\":false,\"end\":{\"type\":\"int\",\"value\":\"90\"},"
		"\"start\":{\"type\":\"int\",\"value\":\"90\"}},\"min\":{\"type\":\"int\","
		"\"value\":"
		"\"0\"},\"max\":{\"type\":\"int\",\"value\":\"100\"}}]},{\"output\":\"drop +0\","
		"\"state\":\"OK\",\"perfdata\":[{\"label\":\"drop\",\"value\":{\"type\":\"uint\","
		"\"value\":\"123456789012\"},\"uom\":\"c\"}]},{\"output\":\"no rule needs "
		"connection tracking\",\"state\":\"OK\"}]}]}",
		"plugin-shaped tree, mp-test-json (a finite start shows the end's value)");
	free_check(&c);
}

static char *override_text(void *content)
{
	return strdup(content);
}

static void test_override(void)
{
	mp_check c = conntrack_like();

	c.default_output_override = override_text;
	c.default_output_override_content = "CONNTRACK WARNING - our own | entries=8500";
	is_format(c, MP_FORMAT_MULTI_LINE, "CONNTRACK WARNING - our own | entries=8500",
		  "default_output_override replaces multi-line as it is");
	mp_set_format(MP_FORMAT_TEST_JSON);
	{
		char *s = mp_fmt_output(c);

		ok(s && strncmp(s, "{\"state\":\"WARNING\"", 18) == 0,
		   "mp-test-json ignores default_output_override");
		free(s);
	}
	mp_set_format(MP_FORMAT_MULTI_LINE);
	free_check(&c);
}

/* mp_exit in a child: what it prints and how it exits. */
static int exit_of(mp_check c, mp_output_format f, char *out, size_t len)
{
	int fds[2], status = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		mp_set_format(f);
		mp_exit(c);
	}
	close(fds[1]);
	while (pid > 0 && n + 1 < len && (r = read(fds[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_exit(void)
{
	mp_check c = mp_check_init();
	mp_subcheck sc = sub("x", STATE_OK);
	mp_perfdata pd = pd_ll("v", 5);
	mp_range open_end = range_of("10:");
	char out[4096];

	mp_add_subcheck_to_check(&c, sub("w", STATE_WARNING));
	is_int(exit_of(c, MP_FORMAT_MULTI_LINE, out, sizeof(out)), 1, "mp_exit: the state");
	is_text(out, "[WARNING] - w\n\t\\_[WARNING] - w\n", "mp_exit prints with a newline");
	is_int(exit_of(c, MP_FORMAT_TEST_JSON, out, sizeof(out)), 0, "mp_exit in mp-test-json: 0");
	is_text(out,
		"{\"state\":\"WARNING\",\"summary\":\"w\",\"checks\":[{\"output\":\"w\",\"state\":"
		"\"WARNING\"}]}\n",
		"mp_exit in mp-test-json prints the JSON");
	c.default_output_override = override_text;
	c.default_output_override_content = "CONNTRACK WARNING - w | v=1";
	is_int(exit_of(c, MP_FORMAT_MULTI_LINE, out, sizeof(out)), 1, "mp_exit with override: 1");
	is_text(out, "CONNTRACK WARNING - w | v=1\n", "mp_exit prints the override's text");
	free_check(&c);
	c = mp_check_init();

	/* "10:" leaves the end's value unset, and mp-test-json writes the end as the start. */
	mp_add_perfdata_to_subcheck(&sc, with_crit(pd, "10:"));
	mp_add_subcheck_to_check(&c, sc);
	is_int(exit_of(c, MP_FORMAT_TEST_JSON, out, sizeof(out)), 3,
	       "mp-test-json with a range 'N:': the run ends UNKNOWN");
	ok(!strchr(out, '{'), "... without any JSON");
	free_check(&c);

	sc = sub("x", STATE_OK);
	pd = pd_ll("v", 5);
	open_end.end = open_end.start;
	pd = mp_pd_set_thresholds(pd, mp_thresholds_set_crit(mp_thresholds_init(), open_end));
	mp_add_perfdata_to_subcheck(&sc, pd);
	mp_add_subcheck_to_check(&c, sc);
	is_format(c, MP_FORMAT_TEST_JSON,
		  "{\"state\":\"OK\",\"summary\":\"ok=1\",\"checks\":[{\"output\":\"x\",\"state\":"
		  "\"OK\",\"perfdata\":[{\"label\":\"v\",\"value\":{\"type\":\"int\",\"value\":"
		  "\"5\"},\"crit\":{\"alert_on_inside\":false,\"end\":\"inf\",\"start\":{\"type\":"
		  "\"int\",\"value\":\"10\"}}}]}]}",
		  "... unless the end's value is set to the start's (end still infinite)");
	is_format(c, MP_FORMAT_MULTI_LINE, "[OK] - ok=1\n\t\\_[OK] - x|'v'=5;;10:;",
		  "... which multi-line does not show");
	free_check(&c);
}

int main(void)
{
	test_states();
	test_subcheck_states();
	test_range_parsing();
	test_status();
	test_values();
	test_perfdata_text();
	test_format_names();
	test_tree_order_and_summary();
	test_tree_perfdata();
	test_tree_text();
	test_conntrack_like();
	test_override();
	test_exit();
	return tap_done();
}
