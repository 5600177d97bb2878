/* Forecast: when the table fills at the current rate, from a ring of (time, entries) samples. */
#ifndef CT_FORECAST_H
#define CT_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "retention_store.h"

/* Samples kept: with the counters' 15 keys at most, the ring's 17 fill a state file's 32. */
#define CT_FC_SAMPLES 16
/*
 * Runs closer than this to the newest sample add none: checks every minute keep one sample in
 * two, so that the ring spans half an hour; tables drift for minutes on their own, and over a
 * quarter of an hour that drift reads as a trend (tests/unit/test_forecast.c measures it).
 */
#define CT_FC_MIN_STEP 100
/* A forecast needs this many samples over at least this many seconds. */
#define CT_FC_MIN_SAMPLES 6
#define CT_FC_MIN_SPAN 300
/* A pause longer than this many usual intervals (and at least CT_FC_GAP_MIN s) restarts. */
#define CT_FC_GAP_FACTOR 4
#define CT_FC_GAP_MIN 900
/* The summary names the time to full when it is at most this far (the long output always). */
#define CT_FC_SUMMARY_HORIZON (6 * 3600)

struct ct_fc_sample {
	uint64_t time; /* seconds since the epoch */
	uint64_t entries;
};

/* Oldest first; max is the limit when the newest sample was taken (0: none). */
struct ct_fc_ring {
	size_t n;
	struct ct_fc_sample s[CT_FC_SAMPLES];
	uint64_t max;
};

/*
 * The ring in a state file's values, next to the counters: "fc_max" the limit, "fc0" (oldest)
 * to "fc15" each (time << 32 | entries), time in seconds since the epoch (to 2106) and entries
 * below 2^32 (the kernel counts in an int). Keys other than these are left alone.
 */
/* Fill r from st. 0; -ENOENT when st holds no ring; -EINVAL when it is not consistent (times
 * not increasing, a gap in the keys, fc_max missing): r is then empty. */
int ct_fc_ring_load(struct ct_fc_ring *r, const struct mp_store_record *st);
/* Store r in st (a fresh state: keys from an older, longer ring would stay). When st has no
 * room for all of it, the newest samples that fit. Returns the samples stored, or -errno. */
int ct_fc_ring_save(const struct ct_fc_ring *r, struct mp_store_record *st);

enum ct_fc_push {
	CT_FC_ADDED,
	CT_FC_SKIPPED, /* too soon after the newest, or not storable: the ring is unchanged */
	CT_FC_RESTARTED, /* the clock went back or the checks paused: only this sample is left */
};

/*
 * Add the sample taken now. A changed limit drops the samples taken at or above the old one:
 * a full table hid how fast it grew. A reboot is the caller's to see (another boot id): it
 * starts from an empty ring, as the counters do. why (may be NULL) says what happened.
 */
enum ct_fc_push ct_fc_push(struct ct_fc_ring *r, uint64_t now, uint64_t entries, uint64_t max,
			   char *why, size_t whylen);

enum ct_fc_state {
	CT_FC_NO_LIMIT, /* nothing to fill */
	CT_FC_FULL, /* entries at or above the limit now */
	CT_FC_COLLECTING, /* not enough samples or span yet */
	CT_FC_STEADY, /* no significant growth (or it stopped in the newest half) */
	CT_FC_SHRINKING, /* a significant decline */
	CT_FC_GROWING, /* significant, ongoing growth: time_to_full is valid */
};

struct ct_forecast {
	enum ct_fc_state state;
	uint64_t entries, max;
	size_t samples;
	uint64_t span; /* seconds from the oldest sample to the newest */
	double rate; /* entries per second over the window (Theil-Sen), when samples allow */
	double rate_low, rate_high; /* its 99% one-sided bounds (Sen) */
	double recent_rate; /* over the newest half of the window: the current rate */
	uint64_t recent_span; /* seconds the newest half covers */
	bool slowed; /* grew over the window, but the newest half not (half as fast or less) */
	bool dropped; /* grew, then the newest sample fell far below the trend (a flush) */
	uint64_t time_to_full; /* seconds at the current rate: GROWING, and 0 when FULL */
};

/*
 * Judge the ring and this run's reading (entries at now, against max). The reading is the
 * window's newest sample whether ct_fc_push kept it or not (now 0: the ring as it is).
 */
struct ct_forecast ct_forecast(const struct ct_fc_ring *r, uint64_t now, uint64_t entries,
			       uint64_t max);

/* The perfdata value time_to_full=Ns: true with *seconds set when there is one (GROWING, FULL). */
bool ct_forecast_time_to_full(const struct ct_forecast *f, uint64_t *seconds);

/* Phrases, snprintf's return. "forecast: ..." for the long output, always one line. */
int ct_forecast_line(const struct ct_forecast *f, char *buf, size_t len);
/* The summary fragment "full in ~14 min at the current rate": growing and within
 * CT_FC_SUMMARY_HORIZON, or whenever alerting (a time-to-full threshold fired). Else empty. */
int ct_forecast_summary(const struct ct_forecast *f, bool alerting, char *buf, size_t len);

#endif
