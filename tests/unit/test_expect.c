/*
 * Unit tests for the expectation table: the dump parser on recorded replies, the count from the
 * stat file's counters (fixture trees), thresholds, perfdata and phrases.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "config.h"
#include "snapshot.h"
#include "tap.h"

/* tests/<dir>/<name>[/proc], found from this file's own path. */
static const char *here(const char *dir, const char *name, const char *tail)
{
	static char path[4096];
	const char *f = __FILE__, *slash = strrchr(f, '/');
	int n = slash ? (int)(slash - f) : 0;

	snprintf(path, sizeof(path), "%.*s%s../%s/%s%s", n, f, slash ? "/" : "", dir, name, tail);
	return path;
}

static const char *tree(const char *name)
{
	return here("fixtures/trees", name, "/proc");
}

static const char *data(const char *name)
{
	return here("data", name, "");
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(size ? (size_t)size + 1 : 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		if (buf)
			buf[size] = '\0';
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

static void test_recorded(void)
{
	size_t len, clen;
	unsigned char *buf = slurp(data("netlink/dump-exp.bin"), &len);
	char *count = (char *)slurp(data("netlink/dump-exp.count"), &clen);
	struct ct_expect e;
	char err[256] = "";

	ok(buf && count, "recorded expectation dump and conntrack -L expect's count are there");
	if (!buf || !count)
		return;
	memset(&e, 0, sizeof(e));
	is_int(ct_expect_parse(buf, len, &e, err, sizeof(err)), 1,
	       "recorded dump: read to its end");
	is_int(e.count, strtoul(count, NULL, 10), "recorded dump: as many as conntrack -L expect");
	is_int(e.helpers, 1, "one helper");
	is_str(e.helper[0].name, "ftp", "the helper is ftp");
	is_int(e.helper[0].count, e.count, "every expectation is ftp's");
	free(buf);
	free(count);

	buf = slurp(data("netlink/eperm-exp.bin"), &len);
	ok(buf != NULL, "recorded EPERM reply is there");
	if (!buf)
		return;
	memset(&e, 0, sizeof(e));
	is_int(ct_expect_parse(buf, len, &e, err, sizeof(err)), -EPERM, "unprivileged: -EPERM");
	is_str(err, "ctnetlink: permission denied (needs CAP_NET_ADMIN)", "EPERM: the reason");
	free(buf);
}

static void test_statfile(void)
{
	struct ct_expect e;

	memset(&e, 0, sizeof(e));
	is_int(ct_expect_read_max(tree("expect-modern"), &e), 0, "expect_max read");
	is_int(e.max, 4096, "expect_max 4096");
	is_int(ct_expect_count_statfile(tree("expect-modern"), &e), 0, "count from the stat file");
	/* create 0x2 + 0xf10, delete 0xffffffff + 0x13: one CPU's delete wrapped. */
	is_int(e.count, 3840, "create - delete modulo 2^32: 3840");
	is_str(e.source, "stat file counters", "source: the stat file");

	memset(&e, 0, sizeof(e));
	is_int(ct_expect_count_statfile(tree("expect-no-columns"), &e), -ENOENT,
	       "a stat file without expect columns: cannot tell");
	is_str(e.count_why, "the stat file has no expect_create and expect_delete columns",
	       "... and why");
	is_int(ct_expect_count_statfile("/nonexistent", &e), -ENOENT, "no stat file: -ENOENT");
	ok(strstr(e.count_why, "cannot open /nonexistent/net/stat/nf_conntrack") != NULL,
	   "no stat file: the reason names it");
	is_int(ct_expect_read_max("/nonexistent", &e), -ENOENT, "no expect_max: -ENOENT");

	/* Every recorded stat file layout with expect columns gives their difference. */
	{
		struct ct_counters c;
		size_t len;
		char err[256];
		char *text = (char *)slurp(data("statfile/2.6.18.stat"), &len);

		ok(text && ct_statfile_parse(text, len, &c, err, sizeof(err)) == 0 && c.have_expect,
		   "2.6.18 layout: expect columns found");
		ct_expect_count_from_counters(&c, &e);
		is_int(e.count, 1, "2.6.18 sample: 1 created, 0 deleted");
		free(text);
	}
}

static struct ct_threshold th(const char *text)
{
	struct ct_threshold t = {.set = true};
	char err[128];
	char buf[64];
	size_t n = strlen(text);

	snprintf(buf, sizeof(buf), "%s", text);
	if (n && buf[n - 1] == '%') {
		t.percent = true;
		buf[n - 1] = '\0';
	}
	if (mp_range_parse(buf, &t.range, err, sizeof(err)) < 0)
		t.set = false;
	return t;
}

static struct ct_expect known(uint64_t count, uint64_t max)
{
	struct ct_expect e;

	memset(&e, 0, sizeof(e));
	e.count = count;
	e.max = max;
	e.source = "netlink dump";
	return e;
}

static void test_evaluate(void)
{
	struct ct_expect e = known(3891, 4096);
	struct ct_expect_verdict v;
	struct ct_threshold w = th("80%"), c = th("90%"), wc = th("3000"), cc = th("4000");
	struct mp_buf b = {0};

	ct_expect_evaluate(&e, &w, &c, &v);
	is_int(v.state, MP_CRITICAL, "95% against 80%/90%: CRITICAL");
	ct_expect_perfdata(&e, &v, &b);
	is_str(mp_buf_str(&b), "expect=3891;3276;3686;0;4096",
	       "perfdata: percent thresholds as counts");
	mp_buf_free(&b);
	ok(ct_expect_summary(&e, &v, &b), "CRITICAL: a summary fragment");
	is_str(mp_buf_str(&b), "expectation table 95.0% full (3891 of 4096)",
	       "the summary fragment");
	mp_buf_free(&b);
	ct_expect_evaluate(&e, &wc, &cc, &v);
	is_int(v.state, MP_WARNING, "3891 against 3000/4000: WARNING");
	ct_expect_perfdata(&e, &v, &b);
	is_str(mp_buf_str(&b), "expect=3891;3000;4000;0;4096", "perfdata: count thresholds");
	mp_buf_free(&b);
	ct_expect_evaluate(&e, NULL, NULL, &v);
	is_int(v.state, MP_OK, "no thresholds: OK");
	ok(!ct_expect_summary(&e, &v, &b), "OK: no summary fragment");
	ct_expect_perfdata(&e, &v, &b);
	is_str(mp_buf_str(&b), "expect=3891;;;0;4096", "perfdata without thresholds");
	mp_buf_free(&b);

	/* 3276.8 is 80%: 3276 does not alert, 3277 does (the perfdata range says the same). */
	e = known(3276, 4096);
	ct_expect_evaluate(&e, &w, NULL, &v);
	is_int(v.state, MP_OK, "3276 of 4096 (79.98%) against 80%: OK");
	e = known(3277, 4096);
	ct_expect_evaluate(&e, &w, NULL, &v);
	is_int(v.state, MP_WARNING, "3277 of 4096 (80.01%) against 80%: WARNING");

	/* What cannot be told. */
	e = known(0, 4096);
	e.count_rc = -EPERM;
	snprintf(e.count_why, sizeof(e.count_why), "ctnetlink: permission denied");
	ct_expect_evaluate(&e, &w, &c, &v);
	is_int(v.state, MP_UNKNOWN, "count unknown, thresholds set: UNKNOWN");
	ct_expect_perfdata(&e, &v, &b);
	is_str(mp_buf_str(&b), "", "count unknown: no perfdata");
	ct_expect_phrase(&e, &v, &b);
	is_str(mp_buf_str(&b),
	       "cannot tell how many expectations there are (ctnetlink: permission denied), "
	       "nf_conntrack_expect_max is 4096",
	       "count unknown: the phrase says why");
	mp_buf_free(&b);
	ct_expect_evaluate(&e, NULL, NULL, &v);
	is_int(v.state, MP_OK, "count unknown, no thresholds: OK (said in the line)");

	e = known(12, 0);
	e.max_rc = -ENOENT;
	snprintf(e.max_why, sizeof(e.max_why), "cannot open x");
	ct_expect_evaluate(&e, &w, &cc, &v);
	is_int(v.state, MP_UNKNOWN, "max unknown, percent threshold: UNKNOWN");
	ct_expect_evaluate(&e, &wc, &cc, &v);
	is_int(v.state, MP_OK, "max unknown, count thresholds: judged on the count");
	ct_expect_perfdata(&e, &v, &b);
	is_str(mp_buf_str(&b), "expect=12;3000;4000;0", "max unknown: no max in perfdata");
	mp_buf_free(&b);
	ct_expect_phrase(&e, &v, &b);
	is_str(mp_buf_str(&b),
	       "12 expectations (netlink dump), the limit cannot be told (cannot open x)",
	       "max unknown: the phrase");
	mp_buf_free(&b);
	e = known(3000, 2000);
	ct_expect_evaluate(&e, NULL, &c, &v);
	is_int(v.state, MP_CRITICAL, "more than the limit (after it was lowered): CRITICAL");

	/* A limit of 0: the kernel refuses every expectation, the table counts as full. */
	e = known(0, 0);
	ct_expect_evaluate(&e, NULL, &c, &v);
	ok(v.have_pct && v.pct == 100.0 && v.state == MP_CRITICAL,
	   "limit 0: 100%%, CRITICAL at 90%%");
}

static void test_phrase(void)
{
	struct ct_expect e = known(3, 4096);
	struct ct_expect_verdict v;
	struct mp_buf b = {0};

	snprintf(e.helper[0].name, sizeof(e.helper[0].name), "ftp");
	e.helper[0].count = 2;
	snprintf(e.helper[1].name, sizeof(e.helper[1].name), "sip");
	e.helper[1].count = 1;
	e.helpers = 2;
	ct_expect_evaluate(&e, NULL, NULL, &v);
	ct_expect_phrase(&e, &v, &b);
	is_str(mp_buf_str(&b), "3 of 4096 expectations (0.1%, netlink dump): ftp 2, sip 1",
	       "the line with the helpers");
	mp_buf_free(&b);
	e.source = "stat file counters";
	ct_expect_phrase(&e, &v, &b);
	is_str(mp_buf_str(&b), "3 of 4096 expectations (0.1%, stat file counters)",
	       "from the stat file: no helpers");
	mp_buf_free(&b);
}

int main(void)
{
	test_recorded();
	test_statfile();
	test_evaluate();
	test_phrase();
	return tap_done();
}
