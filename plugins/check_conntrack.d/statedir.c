/*
 * The run's state directory: the key of the check definition, the first usable place in order,
 * and the lock that serializes overlapping runs of one check from before their counters are read
 * until retention saved them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h> /* signbit: no function of libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "statedir.h"

uint64_t ct_fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* v as "%.17g" writes it; a whole number below 10^15 without the formatting (the usual case). */
static const char *g17(double v, char *buf, size_t len)
{
	if (v >= 0 && v < 1e15 && v == (double)(unsigned long long)v && !(v == 0 && signbit(v)))
		return mp_fmt_u64((unsigned long long)v, buf, len);
	snprintf(buf, len, "%.17g", v);
	return buf;
}

static int put_threshold(char *buf, size_t len, const char *name, const struct ct_threshold *t)
{
	const struct mp_range *r = &t->range;
	char start[32], end[32];

	if (!t->set)
		return snprintf(buf, len, "%s=\n", name);
	return snprintf(buf, len, "%s=%d%d%d%d %s %s\n", name, t->percent, r->inside, r->start_inf,
			r->end_inf, g17(r->start, start, sizeof(start)),
			g17(r->end, end, sizeof(end)));
}

/*
 * The key of a check definition: --state-key as given, else a hash of every option that defines
 * what the check reports (thresholds, --netns, --procfs, --sysfs, --root, --missing,
 * --state-rules, --tracking-rules, --persistence, --no-rules, --output-format=prometheus), as
 * parsed, so that option order and spelling do not matter. -v, -t and the state options
 * (--state-dir, --state-key, --peek, --state-unusable) do not change it: they change how a check
 * runs, not what it is.
 */
static void state_key(const struct ct_config *cfg, char *key, size_t len)
{
	char text[2048], name[40];
	size_t o = 0;

	if (cfg->state_key) {
		mp_copy(key, len, cfg->state_key);
		return;
	}
	o += (size_t)put_threshold(text + o, sizeof(text) - o, "warning", &cfg->warn);
	o += (size_t)put_threshold(text + o, sizeof(text) - o, "critical", &cfg->crit);
	for (size_t w = 0; w < ct_watched_n; w++) {
		snprintf(name, sizeof(name), "%s-warning", ct_watched[w].option);
		o += (size_t)put_threshold(text + o, sizeof(text) - o, name, &cfg->delta_warn[w]);
		snprintf(name, sizeof(name), "%s-critical", ct_watched[w].option);
		o += (size_t)put_threshold(text + o, sizeof(text) - o, name, &cfg->delta_crit[w]);
	}
	/* Later options count only when given, so that the keys of older definitions stay. */
	if (cfg->ttf_warn.set)
		o += (size_t)put_threshold(text + o, sizeof(text) - o, "ttf-warning",
					   &cfg->ttf_warn);
	if (cfg->ttf_crit.set)
		o += (size_t)put_threshold(text + o, sizeof(text) - o, "ttf-critical",
					   &cfg->ttf_crit);
	if (cfg->expect_warn.set)
		o += (size_t)put_threshold(text + o, sizeof(text) - o, "expect-warning",
					   &cfg->expect_warn);
	if (cfg->expect_crit.set)
		o += (size_t)put_threshold(text + o, sizeof(text) - o, "expect-critical",
					   &cfg->expect_crit);
	snprintf(text + o, sizeof(text) - o,
		 "netns=%.300s\nprocfs=%.300s\nsysfs=%.300s\nroot=%.300s\nmissing=%d\n"
		 "state-rules=%d\npersistence=%d\nno-rules=%d\n",
		 cfg->netns ? cfg->netns : "", cfg->procfs, cfg->sysfs, cfg->root,
		 cfg->missing_state, cfg->state_rules_state, cfg->persistence_state, cfg->no_rules);
	/* Added later: only when given, so that the keys of checks without it stay the same. */
	if (cfg->tracking_rules_state >= 0) {
		o = strlen(text);
		snprintf(text + o, sizeof(text) - o, "tracking-rules=%d\n",
			 cfg->tracking_rules_state);
	}
	/* A Prometheus textfile writer is a check of its own: it must not take the check's drops.
	 */
	if (cfg->prometheus)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "prometheus\n");
	snprintf(key, len, "opts-%016" PRIx64, ct_fnv1a(text));
}

/* The state directories to try, in order: an explicit one alone, else the default places. */
static const char *state_dir(const struct ct_config *cfg, unsigned i, char *buf, size_t len,
			     bool *is_default)
{
	const char *env = secure_getenv("MP_STATE_PATH");

	*is_default = !cfg->state_dir && !(env && *env);
	if (!*is_default)
		return i == 0 ? mp_store_dir(cfg->state_dir, CT_PLUGIN, buf, len) : NULL;
	return mp_store_default_dir(i, CT_PLUGIN, buf, len);
}

void ct_statedir_open(const struct ct_config *cfg, struct ct_store *s, struct ct_trace *trace)
{
	unsigned flags = cfg->peek ? MP_STORE_SHARED : 0;
	bool is_default, only_missing = true;
	char err[320] = "no state directory (path too long)";
	int r;

	state_key(cfg, s->key, sizeof(s->key));
	for (unsigned i = 0; state_dir(cfg, i, s->dir, sizeof(s->dir), &is_default); i++) {
		r = mp_store_lock(&s->h, s->dir, s->key, flags, err, sizeof(err));
		if (r == 0) {
			s->locked = true;
			ct_note(trace, 2, "state: %s/%s.*, %s", s->dir, s->key,
				cfg->peek ? "looked at (--peek)" : "locked");
			return;
		}
		ct_note(trace, 2, "state: %s", err);
		only_missing = only_missing && r == -ENOENT;
		/* Someone else's directory where ours should be: say so, use the next place. */
		if (r == -EPERM && is_default && !s->squat[0])
			mp_copy(s->squat, sizeof(s->squat), err);
	}
	s->dir[0] = '\0';
	/* Looking at a baseline that was never saved: nothing to compare, nothing wrong. */
	if (cfg->peek && only_missing)
		return;
	s->unusable = true;
	mp_copy(s->why, sizeof(s->why), err);
}

int ct_statedir_file(const struct ct_store *s, const char *name, struct mp_store_handle *h,
		     char *dir, size_t dirlen, char *err, size_t errlen)
{
	int r;

	if (!s->locked) {
		snprintf(err, errlen, "no usable state directory");
		return -ENOENT;
	}
	mp_copy(dir, dirlen, s->dir);
	/* The directory this run checked and locked: not walked again. */
	r = mp_store_lock_at(h, s->h.dirfd, dir, name, 0, err, errlen);
	if (r == 0)
		mp_store_select(h, name);
	return r;
}

bool ct_statedir_exists(const struct ct_store *s, const char *name)
{
	struct stat st;

	return s->locked && fstatat(s->h.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void ct_statedir_close(struct ct_store *s)
{
	if (!s->locked)
		return;
	mp_store_close(&s->h);
	s->locked = false;
}
