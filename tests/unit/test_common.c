/* Unit tests of the common monitoring-plugins layer: ranges, states, perfdata, ini. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "tap.h"

struct range_case {
	const char *range;
	double value;
	int alert; /* 1 alert, 0 no alert, -1 parse error */
};

/* The guidelines' table, with every boundary: ends are inclusive. */
static const struct range_case range_cases[] = {
	{"10", -1, 1},	   {"10", 0, 0},	{"10", 10, 0},	     {"10", 10.001, 1},
	{"10", 5, 0},	   {"10:", 9.999, 1},	{"10:", 10, 0},	     {"10:", 1e12, 0},
	{"~:10", -1e9, 0}, {"~:10", 10, 0},	{"~:10", 11, 1},     {"10:20", 9, 1},
	{"10:20", 10, 0},  {"10:20", 20, 0},	{"10:20", 21, 1},    {"@10:20", 9, 0},
	{"@10:20", 10, 1}, {"@10:20", 15, 1},	{"@10:20", 20, 1},   {"@10:20", 20.5, 0},
	{"@10", 0, 1},	   {"@10", 11, 0},	{"0", 0, 0},	     {"0", 1, 1},
	{"-5:-1", -3, 0},  {"-5:-1", 0, 1},	{"1.5:2.5", 2.5, 0}, {"1.5:2.5", 2.51, 1},
	{"~:", 5, 0},	   {"20:10", 0, -1},	{"", 0, -1},	     {"@", 0, -1},
	{"abc", 0, -1},	   {"10:abc", 0, -1},	{"0x10", 0, -1},     {"1e3", 0, -1},
	{"inf", 0, -1},	   {"nan", 0, -1},	{":10", 0, -1},	     {"10::20", 0, -1},
	{"~", 0, -1},	   {"10:20:30", 0, -1}, {" 10", 0, -1},	     {"10 ", 0, -1},
	{"-", 0, -1},	   {".", 0, -1},	{"@@10", 0, -1},     {"~:~", 0, -1},
};

static void test_ranges(void)
{
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		struct mp_range r;
		char err[128];
		int rc = mp_range_parse(c->range, &r, err, sizeof(err));

		if (c->alert < 0) {
			ok(rc < 0 && err[0], "range '%s' is rejected (%s)", c->range,
			   rc < 0 ? err : "accepted");
			continue;
		}
		ok(rc == 0 && mp_range_alert(&r, c->value) == (c->alert == 1),
		   "range '%s' value %g %s", c->range, c->value, c->alert ? "alerts" : "is fine");
	}
}

/*
 * A number of 15 digits or fewer is read without strtod: the same double strtod gives, checked on
 * 200,000 numbers of every shape (sign, digits before and after the point, leading zeros) and on
 * the edges of the fast path (15 and 16 digits).
 */
static void test_range_numbers(void)
{
	static const char *const edges[] = {
		"0",
		"-0",
		"+0",
		"0.1",
		"-0.1",
		"80",
		"90",
		".5",
		"5.",
		"0.3",
		"2.675",
		"999999999999999",
		"-99999999999999.9",
		"0.000000000000001",
		"1.00000000000001",
		"9007199254740993",
		"1000000000000000",
		"0.1000000000000000055511151231257827",
	};
	unsigned long long x = 88172645463325252ULL;
	int bad = 0, n = 0;

	for (int i = 0; i < 200000 + (int)(sizeof(edges) / sizeof(edges[0])); i++) {
		char num[40], text[48], err[128];
		struct mp_range r;
		size_t o = 0;

		if (i < (int)(sizeof(edges) / sizeof(edges[0]))) {
			mp_copy(num, sizeof(num), edges[i]);
		} else {
			/* xorshift64: digits before and after the point, a sign, a point or none */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			unsigned before = (unsigned)(x % 9), after = (unsigned)((x >> 8) % 10);

			if ((x >> 16) % 3 == 0)
				num[o++] = '-';
			else if ((x >> 16) % 7 == 0)
				num[o++] = '+';
			for (unsigned d = 0; d < before; d++)
				x ^= x << 13, x ^= x >> 7, x ^= x << 17,
					num[o++] = (char)('0' + x % 10);
			if (after || !before)
				num[o++] = '.';
			for (unsigned d = 0; d < after || (!before && !d); d++)
				x ^= x << 13, x ^= x >> 7, x ^= x << 17,
					num[o++] = (char)('0' + x % 10);
			num[o] = '\0';
		}
		snprintf(text, sizeof(text), "~:%s", num);
		double want = strtod(num, NULL);
		int rc = mp_range_parse(text, &r, err, sizeof(err));

		if (fabs(want) > 1e15)
			continue; /* refused either way */
		n++;
		if (rc != 0 || memcmp(&r.end, &want, sizeof(want)) != 0) {
			if (bad++ < 5)
				printf("# %s: got %.17g (rc %d), strtod %.17g\n", num, r.end, rc,
				       want);
		}
	}
	ok(bad == 0, "numbers read as strtod reads them, bit for bit (%d of %d differ)", bad, n);
}

static void test_range_format(void)
{
	const char *cases[][2] = {
		{"10", "10"},	      {"10:", "10:"}, {"~:10", "~:10"},		{"10:20", "10:20"},
		{"@10:20", "@10:20"}, {"0:10", "10"}, {"1.5:2.25", "1.5:2.25"}, {"@0:5", "@0:5"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_range r;
		char err[64], buf[64];

		mp_range_parse(cases[i][0], &r, err, sizeof(err));
		is_str(mp_range_format(&r, buf, sizeof(buf)), cases[i][1], cases[i][0]);
	}
}

static void test_states(void)
{
	is_int(mp_state_worst(MP_OK, MP_WARNING), MP_WARNING, "worst(OK, WARNING)");
	is_int(mp_state_worst(MP_CRITICAL, MP_WARNING), MP_CRITICAL, "worst(CRITICAL, WARNING)");
	is_int(mp_state_worst(MP_UNKNOWN, MP_OK), MP_UNKNOWN, "worst(UNKNOWN, OK)");
	is_int(mp_state_worst(MP_UNKNOWN, MP_WARNING), MP_WARNING, "worst(UNKNOWN, WARNING)");
	is_int(mp_state_worst(MP_CRITICAL, MP_UNKNOWN), MP_CRITICAL, "worst(CRITICAL, UNKNOWN)");
	is_int(mp_state_parse("ok"), MP_OK, "parse ok");
	is_int(mp_state_parse("Warning"), MP_WARNING, "parse Warning");
	is_int(mp_state_parse("CRITICAL"), MP_CRITICAL, "parse CRITICAL");
	is_int(mp_state_parse("unknown"), MP_UNKNOWN, "parse unknown");
	is_int(mp_state_parse("2"), MP_CRITICAL, "parse 2");
	is_int(mp_state_parse("4"), -1, "parse 4 fails");
	is_int(mp_state_parse("okay"), -1, "parse okay fails");
	is_str(mp_state_name(MP_WARNING), "WARNING", "name of 1");
	is_str(mp_state_name(7), "UNKNOWN", "name of 7");
}

static void test_perfdata(void)
{
	struct mp_buf b = {0};
	char n[32];

	mp_perf_add(&b, "entries", "5", NULL, "8", "9", "0", "10");
	is_str(mp_buf_str(&b), "entries=5;8;9;0;10", "plain label");
	mp_buf_free(&b);
	mp_perf_add(&b, "drop", "37", "c", NULL, NULL, NULL, NULL);
	is_str(mp_buf_str(&b), "drop=37c", "counter, trailing fields dropped");
	mp_buf_free(&b);
	mp_perf_add(&b, "in use", "1", "%", NULL, "90", NULL, NULL);
	is_str(mp_buf_str(&b), "'in use'=1%;;90", "space quoted, empty warn kept");
	mp_buf_free(&b);
	mp_perf_add(&b, "it's", "1", NULL, NULL, NULL, NULL, NULL);
	is_str(mp_buf_str(&b), "'it''s'=1", "quote doubled");
	mp_buf_free(&b);
	mp_perf_add(&b, "a=b", "1", NULL, NULL, NULL, NULL, NULL);
	mp_perf_add(&b, "x", "2", "B", NULL, NULL, "0", NULL);
	is_str(mp_buf_str(&b), "'a=b'=1 x=2B;;;0", "equals quoted, second item spaced");
	mp_buf_free(&b);
	is_str(mp_fmt_num(85.5, n, sizeof(n)), "85.5", "fmt 85.5");
	is_str(mp_fmt_num(209715, n, sizeof(n)), "209715", "fmt integer");
	is_str(mp_fmt_num(1.0 / 3, n, sizeof(n)), "0.333", "fmt third");
	is_str(mp_fmt_num(-2.5, n, sizeof(n)), "-2.5", "fmt negative");
	/* Whole numbers are written without printf: the same text as "%.0f". */
	{
		const double whole[] = {0.0,	 -0.0,	   1,	     -1,   80,
					-262144, 1e15 - 1, 1 - 1e15, 1e15, 0x1p52};
		char want[64];
		bool same = true;

		for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
			snprintf(want, sizeof(want), fabs(whole[i]) < 1e15 ? "%.0f" : "%.3f",
				 whole[i]);
			if (fabs(whole[i]) >= 1e15) {
				char *dot = strchr(want, '.');
				*dot = '\0';
			}
			if (strcmp(mp_fmt_num(whole[i], n, sizeof(n)), want) != 0) {
				printf("# fmt %g: got %s, want %s\n", whole[i], n, want);
				same = false;
			}
		}
		ok(same, "fmt whole numbers as %%.0f writes them, -0 too");
		is_str(mp_fmt_num(-5, n, 2), "-", "fmt -5 into two bytes: cut as snprintf cuts");
	}
	mp_buf_printf(&b, "%s", "");
	for (int i = 0; i < 1000; i++)
		mp_buf_printf(&b, "%04d", i);
	is_int(b.len, 4000, "buffer grows");
	mp_buf_free(&b);
	/* Literals and lone strings are copied, not formatted: the same text either way. */
	char big[700];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mp_buf_printf(&b, "a literal, 100%% not: ");
	mp_buf_printf(&b, "plain ");
	mp_buf_printf(&b, "%s", big);
	mp_buf_printf(&b, "%s|%d", "two", 2);
	is_int(b.len, strlen("a literal, 100% not: plain ") + 699 + strlen("two|2"),
	       "copies and formats grow one buffer");
	ok(strncmp(mp_buf_str(&b), "a literal, 100% not: plain xxx", 30) == 0 &&
		   strcmp(mp_buf_str(&b) + b.len - 5, "two|2") == 0,
	   "copied text as printf would write it");
	mp_buf_free(&b);
	is_str(mp_fmt_u64(0, n, sizeof(n)), "0", "u64 zero");
	is_str(mp_fmt_u64(18446744073709551615ULL, n, sizeof(n)), "18446744073709551615",
	       "u64 largest");
	is_str(mp_fmt_u64(262144, n, 4), "262", "u64 cut to the buffer as snprintf cuts");
	is_str(mp_fmt_u64(7, n, 1), "", "u64 into one byte: empty");
}

static void test_ini(void)
{
	const char *ini = "# comment\n"
			  "[other]\nwarning=1\n"
			  "; also a comment\n"
			  "[ check_conntrack ]\n"
			  "  warning = 70%  \n"
			  "c=95%\n"
			  "verbose\n"
			  "procfs=/host/proc\n";
	char **args = NULL, err[128];
	int n = 0;
	bool found;

	is_int(mp_ini_section(ini, strlen(ini), "check_conntrack", &args, &n, &found, err,
			      sizeof(err)),
	       0, "ini parses");
	ok(found, "section found");
	is_int(n, 4, "four options");
	if (n == 4) {
		is_str(args[0], "--warning=70%", "long option with value, trimmed");
		is_str(args[1], "-c95%", "one-letter option: one dash, value attached");
		is_str(args[2], "--verbose", "flag without value");
		is_str(args[3], "--procfs=/host/proc", "path value");
	}
	for (int i = 0; i < n; i++)
		free(args[i]);
	free(args);
	args = NULL;
	n = 0;
	is_int(mp_ini_section("warning=1\n", 10, "x", &args, &n, &found, err, sizeof(err)), -1,
	       "option outside a section is an error");
	is_int(mp_ini_section("[x\n", 3, "x", &args, &n, &found, err, sizeof(err)), -1,
	       "unterminated section is an error");
	is_int(mp_ini_section("[x]\n=5\n", 7, "x", &args, &n, &found, err, sizeof(err)), -1,
	       "option without a name is an error");
	is_int(mp_ini_section("[y]\na=1\n", 8, "x", &args, &n, &found, err, sizeof(err)), 0,
	       "other section only");
	ok(!found && n == 0, "section not found, nothing added");
	free(args);
}

/* Keys are option names: nothing that would end the options or change their shape. */
static void test_ini_keys(void)
{
	static const char *const bad[] = {"[x]\n-\n", "[x]\n--\n", "[x]\n-w=1\n", "[x]\na b=1\n",
					  "[x]\nw%=1\n"};
	const char *flags = "[x]\nverbose=\nno-rules = \nw=\n";
	char **args = NULL, err[128];
	int n = 0;
	bool found;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = mp_ini_section(bad[i], strlen(bad[i]), "x", &args, &n, &found, err,
					sizeof(err));

		ok(rc == -1 && n == 0, "bad key refused, nothing added: %.*s",
		   (int)strlen(bad[i]) - 5, bad[i] + 4);
	}
	is_int(mp_ini_section(flags, strlen(flags), "x", &args, &n, &found, err, sizeof(err)), 0,
	       "empty values parse");
	is_int(n, 3, "three options");
	if (n == 3) {
		is_str(args[0], "--verbose",
		       "'key=' is the bare option, as Monitoring Plugins read it");
		is_str(args[1], "--no-rules", "'key = ' too");
		is_str(args[2], "-w", "one letter: the bare short option");
	}
	for (int i = 0; i < n; i++)
		free(args[i]);
	free(args);
}

/* A long section, over two calls: every option kept in order, the list NULL-terminated. */
static void test_ini_many(void)
{
	struct mp_buf text = {0};
	char **args = NULL, err[128], want[32];
	int n = 0, wrong = 0;
	bool found;

	mp_buf_printf(&text, "[x]\n");
	for (int i = 0; i < 5000; i++)
		mp_buf_printf(&text, "k%d=%d\n", i, i);
	for (int pass = 0; pass < 2; pass++)
		is_int(mp_ini_section(mp_buf_str(&text), text.len, "x", &args, &n, &found, err,
				      sizeof(err)),
		       0, "5000 options parse");
	is_int(n, 10000, "10000 options in all");
	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "--k%d=%d", i % 5000, i % 5000);
		wrong += strcmp(args[i], want) != 0;
	}
	is_int(wrong, 0, "each in its place");
	ok(args && args[n] == NULL, "the list ends with NULL");
	for (int i = 0; i < n; i++)
		free(args[i]);
	free(args);
	mp_buf_free(&text);
}

int main(void)
{
	test_ranges();
	test_range_numbers();
	test_range_format();
	test_states();
	test_perfdata();
	test_ini();
	test_ini_keys();
	test_ini_many();
	return tap_done();
}
