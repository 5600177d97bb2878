/*
 * Unit tests for forecast.c: the ring in a state file, the push rules, and the forecast on
 * synthetic series (steady with noise, linear growth, one burst, sawtooth, step, gaps, a changed
 * limit, entries above it). The steady-host measurements at the end, and those of hosts whose
 * table rises and falls with a recurring job, are the evidence on a default --time-to-full
 * threshold: they print as TAP comments (README, "Forecast", quotes them).
 */
#include "tap.h"
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000ull
#define MAX 262144ull

static uint64_t rng_state;

static void seed(uint64_t s)
{
	rng_state = 88172645463325252ull + s * 7919;
}

/* xorshift64: the same series on every machine. */
static double urand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	double u = urand(), v = urand();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static uint64_t clamp(double y)
{
	return y < 0 ? 0 : y > (double)MAX ? MAX : (uint64_t)y;
}

/* One check: push the sample, forecast with it. */
static struct ct_forecast check(struct ct_fc_ring *r, uint64_t now, uint64_t entries, uint64_t max)
{
	ct_fc_push(r, now, entries, max, NULL, 0);
	return ct_forecast(r, now, entries, max);
}

static void test_state(void)
{
	struct ct_fc_ring r = {0}, back;
	struct mp_store_record st;
	char key[16];

	for (unsigned i = 0; i < 20; i++)
		ct_fc_push(&r, T0 + i * 120, 1000 + i, 5000, NULL, 0);
	is_int(r.n, CT_FC_SAMPLES, "ring: holds 16, the oldest dropped");
	is_int(r.s[0].entries, 1004, "ring: oldest first");
	/* Beside the 15 counters an old kernel has: 15 + 1 + 16 = 32 values. */
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < 15; i++) {
		snprintf(key, sizeof(key), "counter%u", i);
		mp_store_set(&st, key, i);
	}
	is_int(ct_fc_ring_save(&r, &st), 16, "save: 16 samples fit beside 15 counters");
	is_int(st.n, MP_STORE_MAX_VALUES, "save: the state file is full");
	is_int(ct_fc_ring_load(&back, &st), 0, "load: back");
	ok(back.n == r.n && back.max == 5000 && memcmp(back.s, r.s, sizeof(r.s)) == 0,
	   "load: the same samples and limit");
	{
		char text[4096];
		struct mp_store_record parsed;
		int n = mp_store_format(&st, text, sizeof(text));

		snprintf(st.boot_id, sizeof(st.boot_id), "0");
		n = mp_store_format(&st, text, sizeof(text));
		ok(n > 0 && mp_store_parse(text, (size_t)n, &parsed, NULL, 0) == 0 &&
			   ct_fc_ring_load(&back, &parsed) == 0 && back.n == 16,
		   "through the state file's text and back (%d bytes)", n);
	}
	/* Two counters more: the newest 14 samples are kept. */
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < 17; i++) {
		snprintf(key, sizeof(key), "counter%u", i);
		mp_store_set(&st, key, i);
	}
	is_int(ct_fc_ring_save(&r, &st), 14, "save: less room, the newest 14");
	ct_fc_ring_load(&back, &st);
	ok(back.n == 14 && back.s[13].entries == r.s[15].entries, "load: the newest survive");

	memset(&st, 0, sizeof(st));
	is_int(ct_fc_ring_load(&back, &st), -ENOENT, "load: no ring yet");
	mp_store_set(&st, "fc_max", 10);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: a limit without samples");
	mp_store_set(&st, "fc0", T0 << 32 | 5);
	mp_store_set(&st, "fc1", (T0 - 1) << 32 | 5);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: time going back");
	is_int(back.n, 0, "load: refused means empty");
	mp_store_set(&st, "fc1", (T0 + 60) << 32 | 5);
	mp_store_set(&st, "fc3", (T0 + 120) << 32 | 5);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: a hole in the keys");
	memset(&st, 0, sizeof(st));
	mp_store_set(&st, "fc0", T0 << 32 | 5);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: samples without a limit");
	memset(&st, 0, sizeof(st));
	mp_store_set(&st, "fc_max", 10);
	mp_store_set(&st, "fc0", 5);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: time 0");
	/* Keys are read in one pass: only "fc0".."fc31" as written are samples. */
	memset(&st, 0, sizeof(st));
	mp_store_set(&st, "fc01", 7);
	mp_store_set(&st, "fc00", 7);
	mp_store_set(&st, "fc32", 7);
	mp_store_set(&st, "fc1x", 7);
	mp_store_set(&st, "fc", 7);
	mp_store_set(&st, "fc0", T0 << 32 | 5);
	mp_store_set(&st, "fc1", (T0 + 60) << 32 | 6);
	mp_store_set(&st, "fc_max", 10);
	is_int(ct_fc_ring_load(&back, &st), 0,
	       "load: other keys that start with fc are not samples");
	ok(back.n == 2 && back.max == 10 && back.s[1].entries == 6,
	   "load: the two samples and limit");
	mp_store_set(&st, "fc31", (T0 + 120) << 32 | 5);
	is_int(ct_fc_ring_load(&back, &st), -EINVAL, "load: a sample far past a hole (fc31)");
	memset(&st, 0, sizeof(st));
	is_int(ct_fc_ring_save(&(struct ct_fc_ring){0}, &st), 0,
	       "save: an empty ring stores nothing");
	is_int(st.n, 0, "save: not even the limit");
}

static void test_push(void)
{
	struct ct_fc_ring r = {0};
	char why[128];

	is_int(ct_fc_push(&r, T0, 100, 1000, why, sizeof(why)), CT_FC_ADDED, "push: first");
	is_int(ct_fc_push(&r, T0 + 60, 110, 1000, why, sizeof(why)), CT_FC_SKIPPED,
	       "push: 60 s later: skipped (one check in two at 1-minute intervals)");
	is_str(why, "less than 100 s after the last sample: not kept", "push: skipped, said");
	is_int(ct_fc_push(&r, T0 + 120, 120, 1000, why, sizeof(why)), CT_FC_ADDED, "push: 120 s");
	is_int(ct_fc_push(&r, T0 + 100, 120, 1000, why, sizeof(why)), CT_FC_RESTARTED,
	       "push: the clock went back: restarted");
	is_int(r.n, 1, "push: only the new sample left");
	for (unsigned i = 1; i < 6; i++)
		ct_fc_push(&r, T0 + 100 + i * 120, 120, 1000, NULL, 0);
	is_int(ct_fc_push(&r, T0 + 100 + 5 * 120 + 7200, 130, 1000, why, sizeof(why)),
	       CT_FC_RESTARTED, "push: two hours without a check: restarted");
	is_str(why, "no sample for 2.0 h: samples restarted", "push: the gap said");
	ct_fc_push(&r, T0 + 10000, 130, 1000, NULL, 0);
	is_int(ct_fc_push(&r, T0 + 10000 + 900, 130, 1000, why, sizeof(why)), CT_FC_ADDED,
	       "push: 15 min after 2 samples 40 min apart: within 4 usual intervals");

	/* The limit changed: samples the old limit capped say nothing about growth. */
	r = (struct ct_fc_ring){0};
	ct_fc_push(&r, T0, 20, 32, NULL, 0);
	ct_fc_push(&r, T0 + 120, 32, 32, NULL, 0);
	ct_fc_push(&r, T0 + 240, 32, 32, NULL, 0);
	ct_fc_push(&r, T0 + 360, 40, 100, why, sizeof(why));
	is_int(r.n, 2, "push: limit raised: the two samples at the old limit dropped");
	is_str(why, "the limit changed: 2 samples taken at the old limit dropped", "push: said");
	ok(r.max == 100 && r.s[0].entries == 20 && r.s[1].entries == 40, "push: the rest kept");
	is_int(ct_fc_push(&r, (uint64_t)UINT32_MAX + 1, 1, 100, why, sizeof(why)), CT_FC_SKIPPED,
	       "push: a time past 2106 is not stored");
}

/* A flat table, a linear ramp, a table above its limit, no limit. */
static void test_states(void)
{
	struct ct_fc_ring r = {0};
	struct ct_forecast f;
	uint64_t ttf;
	char buf[512];

	for (unsigned i = 0; i < 5; i++)
		f = check(&r, T0 + i * 120, 1000, 10000);
	is_int(f.state, CT_FC_COLLECTING, "5 samples: collecting");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf, "forecast: not yet, 5 samples over 8 min (6 over 5 min needed)",
	       "collecting: line");
	ok(!ct_forecast_time_to_full(&f, &ttf), "collecting: no time_to_full perfdata");
	for (unsigned i = 5; i < 16; i++)
		f = check(&r, T0 + i * 120, 1000, 10000);
	is_int(f.state, CT_FC_STEADY, "flat: steady");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf,
	       "forecast: no significant growth over the last 30 min (16 samples, +0 entries/min "
	       "within the noise)",
	       "flat: line");
	ok(!ct_forecast_time_to_full(&f, &ttf), "flat: no time_to_full perfdata");

	/* 100 entries per 2 min from 1000, limit 10000: the fit is exact. */
	r = (struct ct_fc_ring){0};
	for (unsigned i = 0; i < 16; i++)
		f = check(&r, T0 + i * 120, 1000 + 100 * i, 10000);
	is_int(f.state, CT_FC_GROWING, "linear: growing");
	is_int(f.time_to_full, (10000 - 2500) / 100 * 120, "linear: time to full exact");
	ok(ct_forecast_time_to_full(&f, &ttf) && ttf == 9000, "linear: time_to_full=9000s");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf,
	       "forecast: full in ~2.5 h at the current rate (+50 entries/min over the last 14 "
	       "min, growing over the 30 min of 16 samples, 2500 of 10000 entries now)",
	       "linear: line");
	ct_forecast_summary(&f, false, buf, sizeof(buf));
	is_str(buf, "full in ~2.5 h at the current rate", "linear: summary within 6 h");
	r = (struct ct_fc_ring){0};
	for (unsigned i = 0; i < 16; i++)
		f = check(&r, T0 + i * 120, 1000 + i, 1000000);
	ct_forecast_summary(&f, false, buf, sizeof(buf));
	is_str(buf, "", "slow growth: months away, not in the summary");
	ct_forecast_summary(&f, true, buf, sizeof(buf));
	ok(strncmp(buf, "full in ~", 9) == 0, "slow growth: in the summary when alerting (%s)",
	   buf);

	/* Entries above the limit (it was lowered): full now, time to full 0. */
	f = check(&r, T0 + 16 * 120, 40, 32);
	is_int(f.state, CT_FC_FULL, "above the limit: full");
	ok(ct_forecast_time_to_full(&f, &ttf) && ttf == 0, "above the limit: time_to_full=0s");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf, "forecast: full now (40 of 32 entries)", "above the limit: line");
	f = check(&r, T0 + 17 * 120, 40, 0);
	is_int(f.state, CT_FC_NO_LIMIT, "no limit");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf, "forecast: no limit, the table cannot fill", "no limit: line");

	/* A steady decline. */
	r = (struct ct_fc_ring){0};
	for (unsigned i = 0; i < 16; i++)
		f = check(&r, T0 + i * 120, 9000 - 200 * i, 10000);
	is_int(f.state, CT_FC_SHRINKING, "decline: shrinking");
	ct_forecast_line(&f, buf, sizeof(buf));
	is_str(buf, "forecast: shrinking by 100 entries/min over the last 30 min (16 samples)",
	       "decline: line");
}

/* Linear growth with noise, from a steady start: how soon, how right. */
static void test_linear(void)
{
	int late = 0, wrong = 0, missed = 0;

	for (unsigned s = 0; s < 50; s++) {
		struct ct_fc_ring r = {0};
		int first = -1;

		seed(s);
		/* Checks every minute, 3000 entries/min from 30% from minute 60 on. */
		for (int i = 0; i < 140; i++) {
			double truth = 0.3 * MAX + (i >= 60 ? 3000.0 * (i - 60) : 0);
			uint64_t e = clamp(truth + 1000 * gauss());
			struct ct_forecast f = check(&r, T0 + (uint64_t)i * 60, e, MAX);

			if (i < 60 || f.state != CT_FC_GROWING)
				continue;
			if (first < 0)
				first = i - 60;
			/* Once the window is all ramp, while 10 min or more from full: within 25%
			 * of the truth. */
			if (i - 60 >= 32 && (double)MAX - truth > 30000 &&
			    fabs((double)f.time_to_full - ((double)MAX - truth) / 50.0) >
				    0.25 * ((double)MAX - truth) / 50.0)
				wrong++;
		}
		if (first < 0)
			missed++;
		else if (first > 20)
			late++;
	}
	is_int(missed, 0, "linear 3000/min: forecast in every series");
	is_int(late, 0, "linear 3000/min: within 20 min of the start (the table fills in 61)");
	is_int(wrong, 0, "linear 3000/min: time to full within 25% once the window is all ramp");
}

/*
 * A series without noise, the newest check a few seconds late: a little below the trend is the
 * clock, not a flush (the fixture suite failed whenever its run crossed a second); a real flush
 * is still one.
 */
static void test_late_check(void)
{
	struct ct_fc_ring r = {0};
	struct ct_forecast f;

	for (int i = 0; i < 11; i++)
		ct_fc_push(&r, T0 + 120u * (uint64_t)i, 4000u * (uint64_t)(i + 1), MAX, NULL, 0);
	f = check(&r, T0 + 120u * 11 + 5, 48000, MAX);
	is_int(f.state, CT_FC_GROWING, "noiseless, 5 s late: still growing");
	ok(!f.dropped, "... not taken for a flush");
	r = (struct ct_fc_ring){0};
	for (int i = 0; i < 11; i++)
		ct_fc_push(&r, T0 + 120u * (uint64_t)i, 4000u * (uint64_t)(i + 1), MAX, NULL, 0);
	f = check(&r, T0 + 120u * 11, 20000, MAX);
	ok(f.dropped && f.state != CT_FC_GROWING, "noiseless, 28000 below the trend: a flush");
}

/* One burst in a steady table, a sawtooth, a settled step. */
static void test_robust(void)
{
	struct ct_fc_ring r = {0};
	struct ct_forecast f;
	int growing = 0, after_drop = 0, step_late = 0;

	/* Flat with one sample of +80000: never a trend. */
	for (int i = 0; i < 40; i++) {
		f = check(&r, T0 + (uint64_t)i * 120, i == 20 ? 180000 : 100000, MAX);
		growing += f.state == CT_FC_GROWING;
	}
	is_int(growing, 0, "one burst in a flat table: no forecast");
	/* With noise, bursts every 37 checks: no short forecast. */
	growing = 0;
	for (unsigned s = 0; s < 50; s++) {
		seed(s);
		r = (struct ct_fc_ring){0};
		for (int i = 0; i < 300; i++) {
			uint64_t e = clamp(100000 + 2000 * gauss() + (i % 37 == 20 ? 80000 : 0));

			f = check(&r, T0 + (uint64_t)i * 60, e, MAX);
			growing += f.state == CT_FC_GROWING && f.time_to_full < 6 * 3600;
		}
	}
	is_int(growing, 0, "bursts in a noisy steady table: never full within 6 h");

	/* Sawtooth: 5000/min for 30 min, then flushed. The ramps are real growth; the check
	 * right after a flush has no forecast. */
	growing = 0;
	for (unsigned s = 0; s < 20; s++) {
		seed(s);
		r = (struct ct_fc_ring){0};
		for (int i = 0; i < 300; i++) {
			uint64_t e = clamp(20000 + 5000.0 * (i % 30) + 1000 * gauss());

			f = check(&r, T0 + (uint64_t)i * 60, e, MAX);
			growing += f.state == CT_FC_GROWING;
			after_drop += i % 30 <= 1 && i > 30 && f.state == CT_FC_GROWING;
		}
	}
	ok(growing > 0, "sawtooth: the ramps are forecast (%d checks)", growing);
	is_int(after_drop, 0, "sawtooth: no forecast right after a flush");

	/* A step of +60000 that stays: once the newest half is flat again, the drift left can
	 * only give far forecasts. */
	for (unsigned s = 0; s < 50; s++) {
		double e = 0;

		seed(s);
		r = (struct ct_fc_ring){0};
		for (int i = 0; i < 120; i++) {
			e = 0.9 * e + 1000 * gauss();
			f = check(&r, T0 + (uint64_t)i * 60,
				  clamp(100000 + (i >= 40 ? 60000 : 0) + e), MAX);
			step_late += i >= 40 + 20 && f.state == CT_FC_GROWING &&
				     f.time_to_full < 2 * 3600;
		}
	}
	is_int(step_late, 0, "a step that settled: never full within 2 h, 20 min after it");
}

/*
 * Steady hosts: tables that wander around a mean below the warning threshold, with independent
 * noise or drifting (a first-order autoregressive process per minute). For each, how often the
 * forecast would say "full within 15 min / 30 min / 1 h" while utilization is below 80% (where a
 * time-to-full threshold would be the only alert), with checks every minute and every 5.
 */
struct model {
	const char *name;
	double mean, phi, sd; /* sd: of the table around its mean, as a share of the limit */
	int quiet; /* asserted: never under 30 min */
};

static long measure(const struct model *m, int every, long *t15, long *t30, long *t60,
		    long *growing)
{
	long below = 0;
	double innovation = m->sd * MAX * sqrt(1 - m->phi * m->phi);

	*t15 = *t30 = *t60 = *growing = 0;
	for (unsigned s = 0; s < 40; s++) {
		struct ct_fc_ring r = {0};
		double e = 0;

		seed(s);
		for (int minute = 0; minute < 3000; minute++) {
			uint64_t n;
			struct ct_forecast f;

			e = m->phi * e + innovation * gauss();
			if (minute % every)
				continue;
			n = clamp(m->mean * MAX + e);
			f = check(&r, T0 + (uint64_t)minute * 60, n, MAX);
			if (n >= MAX * 8 / 10)
				continue;
			below++;
			if (f.state != CT_FC_GROWING)
				continue;
			(*growing)++;
			*t15 += f.time_to_full < 900;
			*t30 += f.time_to_full < 1800;
			*t60 += f.time_to_full < 3600;
		}
	}
	return below;
}

static void test_steady_hosts(void)
{
	static const struct model models[] = {
		{"noise sd 2% at 50%", 0.50, 0, 0.02, 1},
		{"noise sd 5% at 60%", 0.60, 0, 0.05, 1},
		{"drift phi .9 sd 3% at 50%", 0.50, 0.9, 0.03, 1},
		{"drift phi .95 sd 3% at 70%", 0.70, 0.95, 0.03, 0},
		{"drift phi .95 sd 5% at 60%", 0.60, 0.95, 0.05, 0},
		{"drift phi .99 sd 5% at 60%", 0.60, 0.99, 0.05, 1},
		{"drift phi .95 sd 4% at 72%", 0.72, 0.95, 0.04, 0},
	};

	printf("# steady hosts: checks where utilization < 80%% and the forecast says full "
	       "within\n");
	for (int every = 1; every <= 5; every += 4) {
		for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
			long t15, t30, t60, g;
			long below = measure(&models[i], every, &t15, &t30, &t60, &g);

			printf("#   every %d min, %-28s %6ld checks: growing %5.2f%%, <15 min %ld, "
			       "<30 min %ld, <1 h %ld\n",
			       every, models[i].name, below, 100.0 * (double)g / (double)below, t15,
			       t30, t60);
			is_int(t15, 0, "steady host: never full within 15 min");
			if (models[i].quiet || every == 5)
				is_int(t30, 0, "steady host: never full within 30 min");
		}
	}
}

/*
 * Hosts whose table rises with a recurring job and falls back when it ends, never near the
 * warning threshold: the forecast follows each ramp while it lasts, and a steep one reads as "full
 * within 15 min" though the job always stops first. The reason the plugin has no default
 * --time-to-full threshold: 900: would warn on every run of such a job.
 */
struct job {
	const char *name;
	double base, top; /* shares of the limit */
	int ramp, hold, decay, period; /* minutes */
	int alarms; /* asserted: with checks every minute, forecasts under 15 min happen */
};

static double job_level(const struct job *j, int minute)
{
	int t = minute % j->period;

	if (t < j->ramp)
		return j->base + (j->top - j->base) * t / j->ramp;
	if (t < j->ramp + j->hold)
		return j->top;
	if (t < j->ramp + j->hold + j->decay)
		return j->top - (j->top - j->base) * (t - j->ramp - j->hold) / j->decay;
	return j->base;
}

static void test_recurring_jobs(void)
{
	static const struct job jobs[] = {
		{"hourly job 20->60% in 10 min", 0.20, 0.60, 10, 5, 5, 60, 1},
		{"hourly job 20->70% in 20 min", 0.20, 0.70, 20, 5, 10, 60, 1},
		{"2-hourly job 10->70% in 30 min", 0.10, 0.70, 30, 10, 10, 120, 1},
		{"diurnal 30->70% over 8 h", 0.30, 0.70, 480, 240, 480, 1440, 0},
	};

	printf("# recurring jobs (1%% noise), never above 80%%: checks where the forecast says "
	       "full "
	       "within\n");
	for (int every = 1; every <= 5; every += 4) {
		for (size_t k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++) {
			long below = 0, t15 = 0, t30 = 0, t60 = 0;

			for (unsigned s = 0; s < 20; s++) {
				struct ct_fc_ring r = {0};

				seed(s);
				for (int minute = 0; minute < 6000; minute += every) {
					uint64_t n = clamp(job_level(&jobs[k], minute) * MAX +
							   0.01 * MAX * gauss());
					struct ct_forecast f =
						check(&r, T0 + (uint64_t)minute * 60, n, MAX);

					below++;
					if (f.state != CT_FC_GROWING)
						continue;
					t15 += f.time_to_full < 900;
					t30 += f.time_to_full < 1800;
					t60 += f.time_to_full < 3600;
				}
			}
			printf("#   every %d min, %-32s %6ld checks: <15 min %ld, <30 min %ld, <1 "
			       "h "
			       "%ld\n",
			       every, jobs[k].name, below, t15, t30, t60);
			if (every == 1 && jobs[k].alarms)
				ok(t15 > 0, "%s: a ramp reads as full within 15 min (%ld checks)",
				   jobs[k].name, t15);
			if (!jobs[k].alarms)
				is_int(t30, 0, "a daily rhythm: never full within 30 min");
		}
	}
}

int main(void)
{
	test_state();
	test_push();
	test_states();
	test_linear();
	test_late_check();
	test_robust();
	test_steady_hosts();
	test_recurring_jobs();
	return tap_done();
}
