/*
 * The expectation table's size against nf_conntrack_expect_max: counted with a bounded
 * IPCTNL_MSG_EXP_GET dump (CAP_NET_ADMIN), else from the stat file's expect_create and
 * expect_delete counters (anyone); thresholds, perfdata and the phrases.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "config.h"
#include "expect.h"
#include "nldump.h"
#include "procfs.h"

static const struct ct_attr_rule expect_rules[CTA_EXPECT_MAX + 1] = {
	[CTA_EXPECT_MASTER] = {MNL_TYPE_NESTED, 0},
	[CTA_EXPECT_TUPLE] = {MNL_TYPE_NESTED, 0},
	[CTA_EXPECT_HELP_NAME] = {MNL_TYPE_NUL_STRING, 0},
};
static const struct ct_attr_level expect_level = {"expectation", CTA_EXPECT_MAX, expect_rules};

int ct_expect_read_max(const char *procfs, struct ct_expect *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/sys/net/netfilter/nf_conntrack_expect_max", procfs);
	e->max_rc = ct_read_u64(path, &e->max, e->max_why, sizeof(e->max_why));
	return e->max_rc;
}

static void count_helper(struct ct_expect *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->helpers; i++) {
		if (strcmp(e->helper[i].name, name) == 0) {
			e->helper[i].count++;
			return;
		}
	}
	if (i == CT_EXPECT_HELPERS || strlen(name) >= sizeof(e->helper[i].name)) {
		e->other_helpers++;
		return;
	}
	mp_copy(e->helper[i].name, sizeof(e->helper[i].name), name);
	e->helper[i].count = 1;
	e->helpers++;
}

/* One message: one expectation, counted once its attributes hold. */
static int expect_cb(const struct nlmsghdr *nlh, struct ct_dump *d)
{
	const struct nlattr *tb[CTA_EXPECT_MAX + 1] = {0};
	struct ct_expect *e = d->data;

	if (ct_dump_attrs(nlh, &expect_level, tb, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[CTA_EXPECT_TUPLE] || !tb[CTA_EXPECT_MASTER])
		return ct_dump_fail(d, EINVAL, "expectation without its tuple or master");
	e->count++;
	if (tb[CTA_EXPECT_HELP_NAME])
		count_helper(e, mnl_attr_get_str(tb[CTA_EXPECT_HELP_NAME]));
	else
		e->other_helpers++;
	return e->count >= CT_EXPECT_CAP ? MNL_CB_STOP : MNL_CB_OK;
}

static void dump_init(struct ct_dump *d, struct ct_expect *e, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->type = NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_GET;
	d->family = AF_UNSPEC;
	d->want_type[0] = NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_NEW;
	d->want_type[1] = NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_GET;
	d->cb = expect_cb;
	d->data = e;
	d->err = err;
	d->errlen = errlen;
}

static void count_reset(struct ct_expect *e)
{
	e->count = 0;
	e->helpers = 0;
	e->other_helpers = 0;
	memset(e->helper, 0, sizeof(e->helper));
}

int ct_expect_parse(const void *buf, size_t len, struct ct_expect *e, char *err, size_t errlen)
{
	struct ct_dump d;

	dump_init(&d, e, err, errlen);
	return ct_dump_parse(buf, len, 0, 0, &d);
}

int ct_expect_count_netlink(struct mnl_socket **nl, const struct timespec *deadline,
			    struct ct_expect *e)
{
	struct ct_dump d;
	int ret;

	count_reset(e);
	e->source = "netlink dump";
	dump_init(&d, e, e->count_why, sizeof(e->count_why));
	d.deadline = deadline;
	ret = ct_dump_run(nl, &d, e->count_why, sizeof(e->count_why));
	if (ret == CT_DUMP_STOPPED) {
		snprintf(e->count_why, sizeof(e->count_why),
			 "ctnetlink: more than %u expectations, stopped counting", CT_EXPECT_CAP);
		ret = -EFBIG;
	} else if (ret == CT_DUMP_DEADLINE) {
		snprintf(e->count_why, sizeof(e->count_why),
			 "ctnetlink: the time ran out after %llu expectations",
			 (unsigned long long)e->count);
		ret = -ETIMEDOUT;
	}
	if (ret < 0)
		count_reset(e);
	return e->count_rc = ret < 0 ? ret : 0;
}

int ct_expect_count_from_counters(const struct ct_counters *c, struct ct_expect *e)
{
	count_reset(e);
	e->source = "stat file counters";
	if (!c->have_expect) {
		snprintf(e->count_why, sizeof(e->count_why),
			 "the stat file has no expect_create and expect_delete columns");
		return e->count_rc = -ENOENT;
	}
	/* Per-CPU counters wrap at 32 bits: the difference is exact modulo 2^32. */
	e->count = (uint32_t)(c->expect_create - c->expect_delete);
	return e->count_rc = 0;
}

int ct_expect_count_statfile(const char *procfs, struct ct_expect *e)
{
	struct ct_counters c;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/net/stat/nf_conntrack", procfs);
	rc = ct_statfile_read(path, &c, e->count_why, sizeof(e->count_why));
	if (rc < 0) {
		count_reset(e);
		e->source = "stat file counters";
		return e->count_rc = rc;
	}
	return ct_expect_count_from_counters(&c, e);
}

/* A threshold on the count scale: percent ones converted with max as -w/-c are for entries. */
static bool on_count_scale(const struct ct_threshold *t, const struct ct_expect *e,
			   struct mp_range *r)
{
	if (!t || !t->set)
		return false;
	*r = t->range;
	if (!t->percent)
		return true;
	if (e->max_rc < 0 || e->max == 0)
		return false;
	/* Whole expectations: alerting above x is alerting above floor(x), below x below ceil(x).
	 */
	r->start = ceil(r->start * (double)e->max / 100.0);
	r->end = floor(r->end * (double)e->max / 100.0);
	return true;
}

/* UNKNOWN when a threshold needs what could not be read; else whether it alerts. */
static int threshold_state(const struct ct_threshold *t, const struct ct_expect *e,
			   const struct ct_expect_verdict *v, int alert_state)
{
	if (!t || !t->set)
		return MP_OK;
	if (e->count_rc < 0 || (t->percent && !v->have_pct))
		return MP_UNKNOWN;
	if (t->percent)
		return mp_range_alert(&t->range, v->pct) ? alert_state : MP_OK;
	return mp_range_alert(&t->range, (double)e->count) ? alert_state : MP_OK;
}

void ct_expect_evaluate(const struct ct_expect *e, const struct ct_threshold *warn,
			const struct ct_threshold *crit, struct ct_expect_verdict *v)
{
	int w, c;

	memset(v, 0, sizeof(*v));
	if (e->count_rc == 0 && e->max_rc == 0) {
		v->have_pct = true;
		/* With a limit of 0 the kernel refuses every expectation: the table is full. */
		v->pct = e->max ? (double)e->count * 100.0 / (double)e->max : 100.0;
	}
	v->have_warn = on_count_scale(warn, e, &v->warn);
	v->have_crit = on_count_scale(crit, e, &v->crit);
	c = threshold_state(crit, e, v, MP_CRITICAL);
	w = threshold_state(warn, e, v, MP_WARNING);
	/* An alert that was read outranks a threshold that could not be answered. */
	v->state = mp_state_worst(c, w);
}

void ct_expect_perfdata(const struct ct_expect *e, const struct ct_expect_verdict *v,
			struct mp_buf *perf)
{
	char val[32], w[64], c[64], mx[32];

	if (e->count_rc < 0)
		return;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)e->count);
	snprintf(mx, sizeof(mx), "%llu", (unsigned long long)e->max);
	mp_perf_add(perf, "expect", val, NULL,
		    v->have_warn ? mp_range_format(&v->warn, w, sizeof(w)) : NULL,
		    v->have_crit ? mp_range_format(&v->crit, c, sizeof(c)) : NULL, "0",
		    e->max_rc == 0 ? mx : NULL);
}

static void helpers_text(const struct ct_expect *e, struct mp_buf *out)
{
	const char *sep = ": ";

	if (e->count == 0 || strcmp(e->source, "netlink dump") != 0)
		return;
	for (size_t i = 0; i < e->helpers; i++) {
		mp_buf_printf(out, "%s%s %llu", sep, e->helper[i].name,
			      (unsigned long long)e->helper[i].count);
		sep = ", ";
	}
	if (e->other_helpers)
		mp_buf_printf(out, "%sother %llu", sep, (unsigned long long)e->other_helpers);
}

void ct_expect_phrase(const struct ct_expect *e, const struct ct_expect_verdict *v,
		      struct mp_buf *out)
{
	if (e->count_rc < 0) {
		mp_buf_printf(out, "cannot tell how many expectations there are (%s)",
			      e->count_why);
		if (e->max_rc == 0)
			mp_buf_printf(out, ", nf_conntrack_expect_max is %llu",
				      (unsigned long long)e->max);
		return;
	}
	if (e->max_rc < 0) {
		mp_buf_printf(out, "%llu expectations (%s), the limit cannot be told (%s)",
			      (unsigned long long)e->count, e->source, e->max_why);
		return;
	}
	mp_buf_printf(out, "%llu of %llu expectations (%.1f%%, %s)", (unsigned long long)e->count,
		      (unsigned long long)e->max, v->pct, e->source);
	helpers_text(e, out);
}

bool ct_expect_summary(const struct ct_expect *e, const struct ct_expect_verdict *v,
		       struct mp_buf *out)
{
	if (v->state == MP_OK)
		return false;
	if (e->count_rc < 0) {
		mp_buf_printf(out, "cannot tell how full the expectation table is");
		return true;
	}
	if (!v->have_pct) {
		mp_buf_printf(out, "%llu expectations (limit unknown)",
			      (unsigned long long)e->count);
		return true;
	}
	mp_buf_printf(out, "expectation table %.1f%% full (%llu of %llu)", v->pct,
		      (unsigned long long)e->count, (unsigned long long)e->max);
	return true;
}
