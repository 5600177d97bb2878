/*
 * Forecast: the growth of the table over the last samples, fitted robustly, and when it reaches
 * the limit at that rate.
 *
 * The fit is Theil-Sen: the median of the slopes between every pair of samples (120 pairs for
 * 16). One burst, or one sample read in the middle of a flush, moves 15 of those 120 slopes and
 * barely the median, where a least-squares line or the last two points would follow it. Growth
 * counts as significant when the lower bound of Sen's one-sided 99% confidence interval on that
 * slope is above zero (Kendall's rank statistic: noise, bursts and outliers only widen it), and
 * as ongoing when the newest half of the window still grows at least half as fast: a step that
 * settled is not a trend. Time to full is the headroom now divided by the newest half's rate,
 * the current one: over the whole window a trend that just started is still half flat.
 */
#include "forecast.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h> /* INFINITY: no function of libm is called */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/*
 * No libm: the plugin links it only for these few calls, and loading it costs every run (a healthy
 * host's too) about 0.4 MiB and a shared object more. The square roots the fit needs are of small
 * integers, tabled here as the correctly rounded values sqrt() returns; floor, ceil and rounding
 * are done on values far below 2^53.
 */
/* sqrt(n (n - 1) (2n + 5) / 18): the spread of Kendall's S for n samples, ties ignored. */
static const double kendall_sd[CT_FC_SAMPLES + 1] = {
	0.0,
	0.0,
	1.0,
	1.9148542155126762,
	2.943920288775949,
	4.08248290463863,
	5.32290647422377,
	6.658328118479393,
	8.082903768654761,
	9.591663046625438,
	11.180339887498949,
	12.84523257866513,
	14.583095236151571,
	16.391054470858997,
	18.266545011760343,
	20.207259421636902,
	22.211108331943574,
};
/* sqrt(k) for the k steps of a ring. */
static const double sqrt_steps[CT_FC_SAMPLES] = {
	0.0,
	1.0,
	1.4142135623730951,
	1.7320508075688772,
	2.0,
	2.23606797749979,
	2.449489742783178,
	2.6457513110645907,
	2.8284271247461903,
	3.0,
	3.1622776601683795,
	3.3166247903554,
	3.4641016151377544,
	3.605551275463989,
	3.7416573867739413,
	3.872983346207417,
};

static double fc_fabs(double x)
{
	return x < 0 ? -x : x;
}

static double fc_max(double a, double b)
{
	return a > b ? a : b;
}

/* floor and ceil for |x| < 2^63. */
static double fc_floor(double x)
{
	double t = (double)(long long)x;

	return t > x ? t - 1 : t;
}

static double fc_ceil(double x)
{
	double t = (double)(long long)x;

	return t < x ? t + 1 : t;
}

/* The normal quantile for a one-sided 99% bound. */
#define FC_Z 2.326
/* How many random-walk spreads a trend must carry the table over the window. */
#define FC_WALK_K 2.0
/*
 * Seconds of growth at the fitted rate that the newest reading may fall short of the trend
 * without being a flush: a run a few seconds late or early reads a little less or more, and a
 * series without noise (a spread of 0) would otherwise call the smallest shortfall a flush.
 */
#define FC_JITTER_S 30.0

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/*
 * The index of a key of ct_fc_ring_save's form, "fc" and a number without a leading zero, up to
 * "fc31": it writes "fc0" .. "fc15", and a record with more than a ring holds is told by the rest.
 * -1 for any other key.
 */
static int sample_index(const char *key)
{
	int idx = 0;

	if (key[0] != 'f' || key[1] != 'c' || key[2] < '0' || key[2] > '9')
		return -1;
	if (key[2] == '0')
		return key[3] ? -1 : 0;
	for (key += 2; *key; key++) {
		if (*key < '0' || *key > '9')
			return -1;
		idx = idx * 10 + (*key - '0');
		if (idx >= 2 * CT_FC_SAMPLES)
			return -1;
	}
	return idx;
}

/*
 * One pass over the record, not a lookup per key: the checks below ask for every key from fc0 to
 * fc31, which as lookups was some thousand string compares and 32 formatted keys a namespace.
 * A key that appears twice counts as its first, as a lookup finds it.
 */
int ct_fc_ring_load(struct ct_fc_ring *r, const struct mp_store_record *st)
{
	uint64_t val[2 * CT_FC_SAMPLES], max = 0;
	bool have[2 * CT_FC_SAMPLES] = {false}, have_max = false;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; st && i < st->n && i < MP_STORE_MAX_VALUES; i++) {
		const char *key = st->v[i].key;
		int idx = sample_index(key);

		if (idx >= 0 && !have[idx]) {
			have[idx] = true;
			val[idx] = st->v[i].value;
		} else if (idx < 0 && !have_max && strcmp(key, "fc_max") == 0) {
			have_max = true;
			max = st->v[i].value;
		}
	}
	if (!have_max)
		return have[0] ? -EINVAL : -ENOENT;
	for (i = 0; i < CT_FC_SAMPLES && have[i]; i++) {
		r->s[i].time = val[i] >> 32;
		r->s[i].entries = val[i] & 0xffffffffu;
		if (!r->s[i].time || (i && r->s[i].time <= r->s[i - 1].time))
			goto bad; /* samples are taken forward in time */
	}
	r->n = i;
	if (!r->n)
		goto bad; /* a limit without samples */
	/* A hole in the keys, or more than a ring holds: not written by us. */
	for (i = r->n + 1; i < 2 * CT_FC_SAMPLES; i++) {
		if (have[i])
			goto bad;
	}
	r->max = max;
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	return -EINVAL;
}

int ct_fc_ring_save(const struct ct_fc_ring *r, struct mp_store_record *st)
{
	size_t room, first, i;
	char key[8];
	int rc;

	if (!r->n)
		return 0;
	if (st->n >= MP_STORE_MAX_VALUES)
		return -ENOSPC;
	room = MP_STORE_MAX_VALUES - st->n - 1; /* fc_max takes one */
	first = r->n > room ? r->n - room : 0;
	if (first == r->n)
		return -ENOSPC;
	rc = mp_store_set(st, "fc_max", r->max);
	for (i = first; rc == 0 && i < r->n; i++) {
		snprintf(key, sizeof(key), "fc%zu", i - first);
		rc = mp_store_set(st, key, r->s[i].time << 32 | r->s[i].entries);
	}
	return rc < 0 ? rc : (int)(r->n - first);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The usual interval between samples: the median step. */
static uint64_t median_step(const struct ct_fc_ring *r)
{
	uint64_t steps[CT_FC_SAMPLES];
	size_t k = 0;

	for (size_t i = 1; i < r->n; i++)
		steps[k++] = r->s[i].time - r->s[i - 1].time;
	if (!k)
		return 0;
	qsort(steps, k, sizeof(steps[0]), cmp_u64);
	return steps[k / 2];
}

static void restart(struct ct_fc_ring *r)
{
	r->n = 0;
}

/* The samples a changed limit leaves: those the old one did not cap. */
static size_t drop_capped(struct ct_fc_ring *r, uint64_t old_max)
{
	size_t k = 0, dropped;

	for (size_t i = 0; i < r->n; i++)
		if (!old_max || r->s[i].entries < old_max)
			r->s[k++] = r->s[i];
	dropped = r->n - k;
	r->n = k;
	return dropped;
}

enum ct_fc_push ct_fc_push(struct ct_fc_ring *r, uint64_t now, uint64_t entries, uint64_t max,
			   char *why, size_t whylen)
{
	enum ct_fc_push result = CT_FC_ADDED;

	say(why, whylen, "%s", "");
	if (now > UINT32_MAX || entries > UINT32_MAX || now == 0) {
		say(why, whylen, "this sample cannot be kept (time or count out of range)");
		return CT_FC_SKIPPED;
	}
	if (r->n > CT_FC_SAMPLES)
		restart(r);
	if (r->n && now < r->s[r->n - 1].time) {
		say(why, whylen, "the clock went back: samples restarted");
		restart(r);
		result = CT_FC_RESTARTED;
	} else if (r->n && now - r->s[r->n - 1].time < CT_FC_MIN_STEP) {
		say(why, whylen, "less than %d s after the last sample: not kept", CT_FC_MIN_STEP);
		return CT_FC_SKIPPED;
	} else if (r->n >= 2) {
		uint64_t gap = now - r->s[r->n - 1].time, step = median_step(r);
		uint64_t limit = step * CT_FC_GAP_FACTOR > CT_FC_GAP_MIN ? step * CT_FC_GAP_FACTOR
									 : CT_FC_GAP_MIN;

		if (gap > limit) {
			char d[32];

			ct_fmt_duration(gap, d, sizeof(d));
			say(why, whylen, "no sample for %s: samples restarted", d);
			restart(r);
			result = CT_FC_RESTARTED;
		}
	}
	if (r->n && max != r->max) {
		size_t dropped = drop_capped(r, r->max);

		if (dropped)
			say(why, whylen,
			    "the limit changed: %zu samples taken at the old limit dropped",
			    dropped);
	}
	if (r->n == CT_FC_SAMPLES) {
		memmove(&r->s[0], &r->s[1], (CT_FC_SAMPLES - 1) * sizeof(r->s[0]));
		r->n--;
	}
	r->s[r->n].time = now;
	r->s[r->n].entries = entries;
	r->n++;
	r->max = max;
	return result;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Theil-Sen over s[from..n): the median pairwise slope, and Sen's one-sided bounds. Returns the
 * number of slopes (0 when fewer than 2 samples).
 */
static size_t theil_sen(const struct ct_fc_ring *r, size_t from, double *rate, double *low,
			double *high)
{
	double slopes[CT_FC_SAMPLES * (CT_FC_SAMPLES - 1) / 2], c;
	size_t k = 0, n = r->n - from;
	long m1, m2;

	for (size_t i = from; i < r->n; i++)
		for (size_t j = i + 1; j < r->n; j++)
			slopes[k++] = ((double)r->s[j].entries - (double)r->s[i].entries) /
				      (double)(r->s[j].time - r->s[i].time);
	if (!k)
		return 0;
	qsort(slopes, k, sizeof(slopes[0]), cmp_double);
	*rate = k % 2 ? slopes[k / 2] : (slopes[k / 2 - 1] + slopes[k / 2]) / 2;
	/* The spread of Kendall's S under no trend, ties ignored: n(n-1)(2n+5)/18. */
	c = FC_Z * kendall_sd[n];
	m1 = (long)fc_floor(((double)k - c) / 2);
	m2 = (long)fc_ceil(((double)k + c) / 2);
	*low = m1 >= 1 ? slopes[m1 - 1] : -INFINITY;
	*high = m2 < (long)k ? slopes[m2] : INFINITY;
	return k;
}

/*
 * How far the table wanders on its own: the robust spread of the steps between samples (the
 * median absolute deviation of the per-second changes from their median, scaled to a standard
 * deviation), times the time between samples. Busy tables drift up and down for minutes at a
 * time, which a rank test alone would take for a trend; a trend must carry the table further
 * than FC_WALK_K times the spread a random walk of those steps would reach over the window.
 */
static double walk_spread(const struct ct_fc_ring *r)
{
	double d[CT_FC_SAMPLES], dev[CT_FC_SAMPLES], med, mad, step = 0;
	size_t k = 0;

	for (size_t i = 1; i < r->n; i++) {
		double dt = (double)(r->s[i].time - r->s[i - 1].time);

		d[k++] = ((double)r->s[i].entries - (double)r->s[i - 1].entries) / dt;
		step += dt;
	}
	if (!k)
		return 0;
	step /= (double)k;
	qsort(d, k, sizeof(d[0]), cmp_double);
	med = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
	for (size_t i = 0; i < k; i++)
		dev[i] = fc_fabs(d[i] - med);
	qsort(dev, k, sizeof(dev[0]), cmp_double);
	mad = k % 2 ? dev[k / 2] : (dev[k / 2 - 1] + dev[k / 2]) / 2;
	return 1.4826 * mad * step * sqrt_steps[k];
}

/* The window judged: the ring, with this run's reading as its newest sample even if skipped. */
static void window(const struct ct_fc_ring *r, uint64_t now, uint64_t entries, struct ct_fc_ring *w)
{
	*w = *r;
	if (!now || (w->n && now <= w->s[w->n - 1].time))
		return; /* pushed already (or no time given) */
	if (w->n && now - w->s[w->n - 1].time < CT_FC_MIN_STEP) {
		w->s[w->n - 1].time = now;
		w->s[w->n - 1].entries = entries;
		return;
	}
	if (w->n == CT_FC_SAMPLES) {
		memmove(&w->s[0], &w->s[1], (CT_FC_SAMPLES - 1) * sizeof(w->s[0]));
		w->n--;
	}
	w->s[w->n].time = now;
	w->s[w->n].entries = entries;
	w->n++;
}

/*
 * Where the fitted line puts the table at the newest sample, from the older ones: the median
 * of their values carried forward at rate. A reading far below it is a flush, not noise.
 */
static double expected_now(const struct ct_fc_ring *w, double rate)
{
	double v[CT_FC_SAMPLES];
	size_t k = 0;
	uint64_t now = w->s[w->n - 1].time;

	for (size_t i = 0; i + 1 < w->n; i++)
		v[k++] = (double)w->s[i].entries + rate * (double)(now - w->s[i].time);
	if (!k)
		return (double)w->s[0].entries;
	qsort(v, k, sizeof(v[0]), cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

struct ct_forecast ct_forecast(const struct ct_fc_ring *r, uint64_t now, uint64_t entries,
			       uint64_t max)
{
	struct ct_forecast f = {.entries = entries, .max = max};
	struct ct_fc_ring w;
	double ignored, headroom, ttf, walk;
	size_t from;

	window(r, now, entries, &w);
	f.samples = w.n;
	if (w.n >= 2)
		f.span = w.s[w.n - 1].time - w.s[0].time;
	if (!max) {
		f.state = CT_FC_NO_LIMIT;
		return f;
	}
	if (entries >= max) {
		f.state = CT_FC_FULL;
		return f;
	}
	if (w.n < CT_FC_MIN_SAMPLES || f.span < CT_FC_MIN_SPAN) {
		f.state = CT_FC_COLLECTING;
		return f;
	}
	theil_sen(&w, 0, &f.rate, &f.rate_low, &f.rate_high);
	/* The newest half, at least three samples. */
	from = w.n - (w.n / 2 < 3 ? 3 : w.n / 2);
	theil_sen(&w, from, &f.recent_rate, &ignored, &ignored);
	f.recent_span = w.s[w.n - 1].time - w.s[from].time;
	walk = FC_WALK_K * walk_spread(&w);
	if (fc_fabs(f.rate) * (double)f.span <= walk || !(f.rate_low > 0 || f.rate_high < 0)) {
		f.state = CT_FC_STEADY;
		return f;
	}
	if (f.rate_high < 0) {
		f.state = CT_FC_SHRINKING;
		return f;
	}
	f.state = CT_FC_STEADY;
	if ((double)w.s[w.n - 1].entries <
	    expected_now(&w, f.rate) - fc_max(walk, fc_fabs(f.rate) * FC_JITTER_S)) {
		f.dropped = true;
		return f;
	}
	if (f.recent_rate < f.rate / 2) {
		f.slowed = true;
		return f;
	}
	f.state = CT_FC_GROWING;
	headroom = (double)(max - entries);
	ttf = headroom / f.recent_rate;
	f.time_to_full = ttf >= (double)UINT32_MAX ? UINT32_MAX : (uint64_t)fc_ceil(ttf);
	return f;
}

bool ct_forecast_time_to_full(const struct ct_forecast *f, uint64_t *seconds)
{
	if (f->state != CT_FC_GROWING && f->state != CT_FC_FULL)
		return false;
	*seconds = f->state == CT_FC_FULL ? 0 : f->time_to_full;
	return true;
}

/* A rate as people read it: entries per minute, whole. */
static long long per_minute(double rate)
{
	double m = rate * 60;

	/* llround's: half away from zero (a rate is far below 2^62 entries a minute). */
	return (long long)(m < 0 ? m - 0.5 : m + 0.5);
}

int ct_forecast_line(const struct ct_forecast *f, char *buf, size_t len)
{
	char span[32], ttf[32], recent[32];

	if (len)
		buf[0] = '\0';
	ct_fmt_duration(f->span, span, sizeof(span));
	switch (f->state) {
	case CT_FC_NO_LIMIT:
		return snprintf(buf, len, "forecast: no limit, the table cannot fill");
	case CT_FC_FULL:
		return snprintf(buf, len, "forecast: full now (%" PRIu64 " of %" PRIu64 " entries)",
				f->entries, f->max);
	case CT_FC_COLLECTING:
		return snprintf(buf, len,
				"forecast: not yet, %zu sample%s over %s (%d over %d min needed)",
				f->samples, f->samples == 1 ? "" : "s", span, CT_FC_MIN_SAMPLES,
				CT_FC_MIN_SPAN / 60);
	case CT_FC_STEADY:
		if (f->dropped)
			return snprintf(
				buf, len,
				"forecast: grew by %lld entries/min over the last %s, but now "
				"stands at %" PRIu64 ", far below that trend: no forecast "
				"until it grows again",
				per_minute(f->rate), span, f->entries);
		if (f->slowed)
			return snprintf(buf, len,
					"forecast: grew by %lld entries/min over the last %s, but "
					"%lld/min in its newer half: no forecast while it slows "
					"(%zu samples)",
					per_minute(f->rate), span, per_minute(f->recent_rate),
					f->samples);
		return snprintf(buf, len,
				"forecast: no significant growth over the last %s (%zu samples, "
				"%+lld entries/min within the noise)",
				span, f->samples, per_minute(f->rate));
	case CT_FC_SHRINKING:
		return snprintf(buf, len,
				"forecast: shrinking by %lld entries/min over the last %s (%zu "
				"samples)",
				-per_minute(f->rate), span, f->samples);
	case CT_FC_GROWING:
		break;
	}
	ct_fmt_duration(f->time_to_full, ttf, sizeof(ttf));
	ct_fmt_duration(f->recent_span, recent, sizeof(recent));
	return snprintf(
		buf, len,
		"forecast: full in ~%s at the current rate (+%lld entries/min over the last "
		"%s, growing over the %s of %zu samples, %" PRIu64 " of %" PRIu64 " entries now)",
		ttf, per_minute(f->recent_rate), recent, span, f->samples, f->entries, f->max);
}

int ct_forecast_summary(const struct ct_forecast *f, bool alerting, char *buf, size_t len)
{
	char ttf[32];

	if (len)
		buf[0] = '\0';
	if (f->state != CT_FC_GROWING || (!alerting && f->time_to_full > CT_FC_SUMMARY_HORIZON))
		return 0;
	ct_fmt_duration(f->time_to_full, ttf, sizeof(ttf));
	return snprintf(buf, len, "full in ~%s at the current rate", ttf);
}
