/*
 * Counters between runs: one baseline per check definition and network namespace, read,
 * compared and saved under one lock that is taken before the counters are read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

/*
 * Pruning: a baseline not written for a week is removed (a check that has not run for that long
 * starts a new one), and under --netns=all the baselines of namespaces that are gone. A run looks
 * at no more than PRUNE_SEEN entries and removes at most PRUNE_REMOVE files: a directory that
 * has grown large is cleaned over several runs, and no run pays for all of it.
 */
#define STATE_MAX_AGE (7 * 24 * 3600)
#define PRUNE_SEEN 10000
#define PRUNE_REMOVE 64

/* FNV-1a, 64 bits: a short name for a set of options, not a secret. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int put_threshold(char *buf, size_t len, const char *name, const struct ct_threshold *t)
{
	const struct mp_range *r = &t->range;

	if (!t->set)
		return snprintf(buf, len, "%s=\n", name);
	return snprintf(buf, len, "%s=%d%d%d%d %.17g %.17g\n", name, t->percent, r->inside,
			r->start_inf, r->end_inf, r->start, r->end);
}

/*
 * The key of a check definition: --state-key as given, else a hash of every option that defines
 * what the check reports (thresholds, --netns, --procfs, --sysfs, --root, --missing,
 * --state-rules, --persistence, --no-rules), as parsed, so that option order and spelling do not
 * matter. -v, -t and the state options (--state-dir, --state-key, --peek, --state-unusable) do
 * not change it: they change how a check runs, not what it is.
 */
static void state_key(const struct ct_config *cfg, char *key, size_t len)
{
	static const char *const names[CT_W_MAX] = {"drop", "early-drop", "insert-failed"};
	char text[2048], name[40];
	size_t o = 0;

	if (cfg->state_key) {
		snprintf(key, len, "%s", cfg->state_key);
		return;
	}
	o += (size_t)put_threshold(text + o, sizeof(text) - o, "warning", &cfg->warn);
	o += (size_t)put_threshold(text + o, sizeof(text) - o, "critical", &cfg->crit);
	for (int w = 0; w < CT_W_MAX; w++) {
		snprintf(name, sizeof(name), "%s-warning", names[w]);
		o += (size_t)put_threshold(text + o, sizeof(text) - o, name, &cfg->delta_warn[w]);
		snprintf(name, sizeof(name), "%s-critical", names[w]);
		o += (size_t)put_threshold(text + o, sizeof(text) - o, name, &cfg->delta_crit[w]);
	}
	snprintf(text + o, sizeof(text) - o,
		 "netns=%.300s\nprocfs=%.300s\nsysfs=%.300s\nroot=%.300s\nmissing=%d\n"
		 "state-rules=%d\npersistence=%d\nno-rules=%d\n",
		 cfg->netns ? cfg->netns : "", cfg->procfs, cfg->sysfs, cfg->root,
		 cfg->missing_state, cfg->state_rules, cfg->persistence, cfg->no_rules);
	snprintf(key, len, "opts-%016" PRIx64, fnv1a(text));
}

/* The state directories to try, in order: an explicit one alone, else the default places. */
static const char *state_dir(const struct ct_config *cfg, unsigned i, char *buf, size_t len,
			     bool *is_default)
{
	const char *env = secure_getenv("MP_STATE_PATH");

	*is_default = !cfg->state_dir && !(env && *env);
	if (!*is_default)
		return i == 0 ? mp_state_dir(cfg->state_dir, CT_PLUGIN, buf, len) : NULL;
	return mp_state_default_dir(i, CT_PLUGIN, buf, len);
}

void ct_retention_begin(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	struct ct_store *s = &snap->store;
	unsigned flags = cfg->peek ? MP_STATE_SHARED : 0;
	bool is_default, only_missing = true;
	char err[320] = "no state directory (path too long)";
	int r;

	state_key(cfg, s->key, sizeof(s->key));
	for (unsigned i = 0; state_dir(cfg, i, s->dir, sizeof(s->dir), &is_default); i++) {
		r = mp_state_lock(&s->h, s->dir, s->key, flags, err, sizeof(err));
		if (r == 0) {
			s->locked = true;
			ct_note(snap, 2, "state: %s/%s.*, %s", s->dir, s->key,
				cfg->peek ? "looked at (--peek)" : "locked");
			return;
		}
		ct_note(snap, 2, "state: %s", err);
		only_missing = only_missing && r == -ENOENT;
		/* Someone else's directory where ours should be: say so, use the next place. */
		if (r == -EPERM && is_default && !s->squat[0])
			snprintf(s->squat, sizeof(s->squat), "%s", err);
	}
	s->dir[0] = '\0';
	/* Looking at a baseline that was never saved: nothing to compare, nothing wrong. */
	if (cfg->peek && only_missing)
		return;
	s->unusable = true;
	snprintf(s->why, sizeof(s->why), "%s", err);
}

/* The file of a namespace's baseline: by its cookie, or by its inode where there is none. */
static void ns_state_name(const struct ct_store *s, const struct ct_ns *ns, char *buf, size_t len)
{
	if (ns->cookie)
		snprintf(buf, len, "%s.cookie-%" PRIu64, s->key, ns->cookie);
	else
		snprintf(buf, len, "%s.inode-%" PRIu64, s->key, ns->inode);
}

int ct_state_open(const struct ct_config *cfg, struct ct_snapshot *snap, const char *name,
		  struct mp_state_handle *h, char *dir, size_t dirlen, char *err, size_t errlen)
{
	(void)cfg;
	if (!snap->store.locked) {
		snprintf(err, errlen, "no usable state directory");
		return -ENOENT;
	}
	snprintf(dir, dirlen, "%s", snap->store.dir);
	return mp_state_open(h, dir, name, err, errlen);
}

bool ct_state_exists(const struct ct_snapshot *snap, const char *name)
{
	struct stat st;

	return snap->store.locked &&
	       fstatat(snap->store.h.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The previous run's values, if they make a valid baseline for this one. */
static bool comparable(struct ct_ns *ns, const struct mp_state *prev, const char *boot_id,
		       time_t now)
{
	const struct ct_counters *c = &ns->counters;

	if (boot_id[0] && strcmp(prev->boot_id, boot_id) != 0) {
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: new baseline (the host rebooted since the last check)");
		return false;
	}
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		uint64_t old;

		if (!(c->present & (1u << i)) || !mp_state_get(prev, ct_counter_names[i], &old))
			continue;
		if (c->value[i] < old) {
			snprintf(ns->retention_note, sizeof(ns->retention_note),
				 "counters: new baseline (%s went backwards: %" PRIu64
				 " -> %" PRIu64 ")",
				 ct_counter_names[i], old, c->value[i]);
			return false;
		}
		ns->delta[i] = c->value[i] - old;
	}
	ns->seconds = now > prev->time ? (double)(now - prev->time) : 0;
	return true;
}

/* Read the baseline and compare: ns->retention says what came of it. */
static void compare(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		    time_t now)
{
	struct mp_state prev;
	char err[256];
	int r;

	memset(&prev, 0, sizeof(prev));
	r = mp_state_read(&snap->store.h, &prev, err, sizeof(err));
	ns->retention = CT_RET_BASELINE;
	if (r == -ENOENT)
		snprintf(ns->retention_note, sizeof(ns->retention_note), "%s",
			 cfg->peek ? "counters: no baseline yet (--peek saves none)"
				   : "counters: first run, baseline saved");
	else if (r < 0)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: new baseline (previous state unusable: %s)", err);
	else if (comparable(ns, &prev, snap->boot_id, now))
		ns->retention = CT_RET_DELTA;
	if (ns->retention != CT_RET_DELTA)
		memset(ns->delta, 0, sizeof(ns->delta));
	if (cfg->peek && ns->retention == CT_RET_DELTA)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: looked with --peek: the baseline stays for the next check");
}

static void save(struct ct_snapshot *snap, struct ct_ns *ns, time_t now)
{
	struct ct_store *s = &snap->store;
	struct mp_state cur;
	char err[256];
	size_t l;

	memset(&cur, 0, sizeof(cur));
	snprintf(cur.boot_id, sizeof(cur.boot_id), "%s", snap->boot_id[0] ? snap->boot_id : "0");
	cur.time = now;
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		if (ns->counters.present & (1u << i))
			mp_state_set(&cur, ct_counter_names[i], ns->counters.value[i]);
	}
	if (mp_state_write(&s->h, &cur, err, sizeof(err)) == 0)
		return;
	l = strlen(ns->retention_note);
	snprintf(ns->retention_note + l, sizeof(ns->retention_note) - l, "%sstate not saved: %s",
		 l ? "; " : "counters: ", err);
	/* The next run would compare with an old baseline, or with none: detection is off. */
	if (!s->unusable) {
		s->unusable = true;
		snprintf(s->why, sizeof(s->why), "%s", err);
	}
}

void ct_retention(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		  time_t now)
{
	struct ct_store *s = &snap->store;
	char name[160];

	ns->retention = CT_RET_NONE;
	if (ns->enter_rc < 0 || ns->counters_rc < 0)
		return;
	if (!s->locked) {
		if (s->unusable)
			snprintf(ns->retention_note, sizeof(ns->retention_note),
				 "counters: no comparison with the last check (state not kept: "
				 "%.250s)",
				 s->why);
		else
			snprintf(ns->retention_note, sizeof(ns->retention_note),
				 "counters: no baseline yet (--peek saves none)");
		return;
	}
	ns_state_name(s, ns, name, sizeof(name));
	mp_state_select(&s->h, name);
	if (!ns->cookie && !ct_procfs_is_elsewhere(cfg))
		ct_note(snap, 1,
			"state of namespace %s kept by its inode: this kernel has no namespace "
			"cookie (5.14+), so a new namespace may inherit a deleted one's baseline",
			ns->label);
	ct_note(snap, 2, "state of namespace %s in %s/%s", ns->label, s->dir, name);
	compare(cfg, snap, ns, now);
	if (!cfg->peek)
		save(snap, ns, now);
}

/* The namespaces of this run, when it saw and entered every one (--netns=all). */
struct live {
	uint64_t *cookie, *inode;
	size_t n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool live_set(const struct ct_snapshot *snap, struct live *l)
{
	l->n = 0;
	if (!snap->multi || !snap->n)
		return false;
	for (size_t i = 0; i < snap->n; i++)
		if (snap->ns[i].enter_rc < 0)
			return false; /* not seen: its baseline may be alive */
	l->cookie = calloc(snap->n, sizeof(*l->cookie));
	l->inode = calloc(snap->n, sizeof(*l->inode));
	if (!l->cookie || !l->inode)
		return false; /* the caller frees what there is */
	for (size_t i = 0; i < snap->n; i++) {
		l->cookie[i] = snap->ns[i].cookie;
		l->inode[i] = snap->ns[i].inode;
	}
	l->n = snap->n;
	qsort(l->cookie, l->n, sizeof(*l->cookie), cmp_u64);
	qsort(l->inode, l->n, sizeof(*l->inode), cmp_u64);
	return true;
}

static bool in(const uint64_t *v, size_t n, uint64_t x)
{
	return bsearch(&x, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* name = prefix + decimal digits + suffix? Then the number is in *id. */
static bool number_between(const char *name, const char *prefix, const char *suffix, uint64_t *id)
{
	size_t p = strlen(prefix), s = strlen(suffix), n = strlen(name), d;
	char *end;

	if (n <= p + s || strncmp(name, prefix, p) != 0 || strcmp(name + n - s, suffix) != 0)
		return false;
	d = strspn(name + p, "0123456789");
	if (d == 0 || d != n - p - s || d > 20)
		return false;
	errno = 0;
	*id = strtoull(name + p, &end, 10);
	return errno == 0;
}

/* A key as state_key makes them, or as --state-key allows: 1-64 of [A-Za-z0-9_-]. */
static bool key_like(const char *s, size_t n)
{
	return n > 0 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") >= n;
}

enum ours { NOT_OURS, BASELINE_COOKIE, BASELINE_INODE, RULES_CACHE, OTHER_OURS };

/*
 * Which of our files a name is: "<key>.cookie-N" and "<key>.inode-N" (baselines), the lock of a
 * derived key "opts-<16 hex>.lock" (an explicit key's lock stays: there are only as many as the
 * admin wrote), "nft-rules-netns-N" (the rules cache), "netns-N" (an older version's baseline),
 * their locks and the leftovers of a run killed while writing (".tmp"). Anything else in the
 * directory (an explicit --state-dir may hold other files) is never touched.
 */
static enum ours classify(const char *name, char *key, size_t keylen, uint64_t *id)
{
	char base[256];
	size_t n = strlen(name);
	const char *dot;

	if (n >= sizeof(base))
		return NOT_OURS;
	memcpy(base, name, n + 1);
	if (n > 4 && strcmp(base + n - 4, ".tmp") == 0)
		base[n - 4] = '\0';
	if (number_between(base, "nft-rules-netns-", "", id))
		return RULES_CACHE;
	if (number_between(base, "netns-", "", id) || number_between(base, "netns-", ".lock", id) ||
	    number_between(base, "nft-rules-netns-", ".lock", id))
		return OTHER_OURS;
	if (strlen(base) == 5 + 16 + 5 && strncmp(base, "opts-", 5) == 0 &&
	    strspn(base + 5, "0123456789abcdef") == 16 && strcmp(base + 21, ".lock") == 0)
		return OTHER_OURS;
	dot = strchr(base, '.');
	if (!dot || !key_like(base, (size_t)(dot - base)) || (size_t)(dot - base) >= keylen)
		return NOT_OURS;
	memcpy(key, base, (size_t)(dot - base));
	key[dot - base] = '\0';
	if (number_between(dot, ".cookie-", "", id))
		return BASELINE_COOKIE;
	if (number_between(dot, ".inode-", "", id))
		return BASELINE_INODE;
	return NOT_OURS;
}

/* Does this file go? Baselines of our key for a namespace that is gone, and anything too old. */
static bool stale(const struct ct_snapshot *snap, const struct live *l, int dirfd, const char *name,
		  time_t now)
{
	char key[80] = "";
	uint64_t id = 0;
	enum ours kind = classify(name, key, sizeof(key), &id);
	bool ours_key = strcmp(key, snap->store.key) == 0;
	struct stat st;

	if (kind == NOT_OURS)
		return false;
	if (l->n && kind == BASELINE_COOKIE && ours_key)
		return !in(l->cookie, l->n, id);
	if (l->n && kind == BASELINE_INODE && ours_key)
		return !in(l->inode, l->n, id);
	if (l->n && kind == RULES_CACHE && !in(l->inode, l->n, id))
		return true;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_mtime < now - STATE_MAX_AGE;
}

static void prune(struct ct_snapshot *snap, time_t now)
{
	struct ct_store *s = &snap->store;
	struct live l = {0};
	unsigned seen = 0, removed = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(s->h.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	live_set(snap, &l);
	while (seen < PRUNE_SEEN && removed < PRUNE_REMOVE && (de = readdir(d))) {
		seen++;
		if (de->d_name[0] == '.' || !stale(snap, &l, s->h.dirfd, de->d_name, now))
			continue;
		if (mp_state_remove(&s->h, de->d_name) == 0)
			removed++;
	}
	closedir(d);
	free(l.cookie);
	free(l.inode);
	if (removed)
		ct_note(snap, 2,
			"state: removed %u files of namespaces that are gone or unused for "
			"a week",
			removed);
}

void ct_retention_end(const struct ct_config *cfg, struct ct_snapshot *snap, time_t now)
{
	struct ct_store *s = &snap->store;

	if (!s->locked)
		return;
	if (!cfg->peek)
		prune(snap, now);
	mp_state_close(&s->h);
	s->locked = false;
}
