/*
 * Counters between runs: one baseline per check definition and network namespace, read,
 * compared and saved under the lock statedir.c took before the counters were read; the files of
 * namespaces that are gone pruned.
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

#include "retention.h"
#include "trace.h"

/*
 * Pruning: a baseline not written for a week is removed (a check that has not run for that long
 * starts a new one), and under --netns=all the baselines of namespaces that are gone. A run looks
 * at no more than PRUNE_SEEN entries and removes at most PRUNE_REMOVE files: a directory that
 * has grown large is cleaned over several runs, and no run pays for all of it. A week's age is
 * looked for once an hour (PRUNE_EVERY, the lock file's time says when it was last done), not on
 * every run; --netns=all looks every run, as a namespace that is gone must not leave its
 * baseline to a new one that gets its inode.
 */
#define STATE_MAX_AGE (7 * 24 * 3600)
#define PRUNE_SEEN 10000
#define PRUNE_REMOVE 64
#define PRUNE_EVERY 3600

/* The file of a namespace's baseline: by its cookie, or by its inode where there is none. */
static void ns_state_name(const struct ct_store *s, const struct ct_ns *ns, char *buf, size_t len)
{
	if (ns->cookie)
		snprintf(buf, len, "%s.cookie-%" PRIu64, s->key, ns->cookie);
	else
		snprintf(buf, len, "%s.inode-%" PRIu64, s->key, ns->inode);
}

/* The previous run's values, if they make a valid baseline for this one. */
static bool comparable(struct ct_ns *ns, const struct mp_store_record *prev, const char *boot_id,
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

		if (!(c->present & (1u << i)) || !mp_store_get(prev, ct_counter_names[i], &old))
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
	/* How full the table was then: drops since are a full table's only if it was near full. */
	ns->have_prev = mp_store_get(prev, "entries", &ns->prev_entries) &&
			mp_store_get(prev, "max", &ns->prev_max);
	return true;
}

const struct mp_store_record *ct_retain_baseline(struct ct_snapshot *snap, struct ct_ns *ns)
{
	struct ct_store *s = &snap->store;
	char name[160];

	if (!ns->baseline_read) {
		ns->baseline_read = true;
		memset(&ns->baseline, 0, sizeof(ns->baseline));
		ns->baseline_rc = -ENOENT;
		if (s->locked) {
			ns_state_name(s, ns, name, sizeof(name));
			mp_store_select(&s->h, name);
			ns->baseline_rc = mp_store_read(&s->h, &ns->baseline, ns->baseline_err,
							sizeof(ns->baseline_err));
		}
	}
	return ns->baseline_rc == 0 ? &ns->baseline : NULL;
}

/* Read the baseline and compare: ns->retention says what came of it. */
static void compare(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		    time_t now)
{
	const struct mp_store_record *prev = ct_retain_baseline(snap, ns);
	const char *err = ns->baseline_err;
	int r = ns->baseline_rc;

	ns->retention = CT_RET_BASELINE;
	if (r == -ENOENT)
		snprintf(ns->retention_note, sizeof(ns->retention_note), "%s",
			 cfg->peek ? "counters: no baseline yet (--peek saves none)"
				   : "counters: first run, baseline saved");
	else if (r < 0)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: new baseline (previous state unusable: %s)", err);
	else if (prev && comparable(ns, prev, snap->boot_id, now))
		ns->retention = CT_RET_DELTA;
	if (ns->retention != CT_RET_DELTA) {
		memset(ns->delta, 0, sizeof(ns->delta));
		ns->have_prev = false;
	}
	if (cfg->peek && ns->retention == CT_RET_DELTA)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: looked with --peek: the baseline stays for the next check");
}

static void save(struct ct_snapshot *snap, struct ct_ns *ns, time_t now)
{
	struct ct_store *s = &snap->store;
	struct mp_store_record cur;
	char err[256];
	size_t l;

	memset(&cur, 0, sizeof(cur));
	mp_copy(cur.boot_id, sizeof(cur.boot_id), snap->boot_id[0] ? snap->boot_id : "0");
	cur.time = now;
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		if (ns->counters.present & (1u << i))
			mp_store_set(&cur, ct_counter_names[i], ns->counters.value[i]);
	}
	if (ct_ns_read(ns)) {
		mp_store_set(&cur, "entries", ns->proc.entries);
		mp_store_set(&cur, "max", ns->proc.max);
	}
	/* The forecast's samples after the counters: with no room for all, the newest. */
	if (ns->fc_kept && ct_fc_ring_save(&ns->fc_ring, &cur) < 0)
		snprintf(ns->fc_note, sizeof(ns->fc_note),
			 "no room for the samples in the state file: none kept");
	if (mp_store_write(&s->h, &cur, err, sizeof(err)) == 0)
		return;
	l = strlen(ns->retention_note);
	snprintf(ns->retention_note + l, sizeof(ns->retention_note) - l, "%sstate not saved: %s",
		 l ? ", " : "counters: ", err);
	/* The next run would compare with an old baseline, or with none: detection is off. */
	if (!s->unusable) {
		s->unusable = true;
		mp_copy(s->why, sizeof(s->why), err);
	}
}

/*
 * The forecast's samples: this check's ring from its baseline (a reboot starts it again, as it
 * does the counters), and this run's reading added to it unless the run only looks (--peek).
 */
static void keep_samples(const struct ct_config *cfg, const struct ct_snapshot *snap,
			 struct ct_ns *ns, time_t now)
{
	const struct mp_store_record *prev = ns->baseline_rc == 0 ? &ns->baseline : NULL;

	ns->fc_kept = true;
	ns->fc_now = (uint64_t)now;
	memset(&ns->fc_ring, 0, sizeof(ns->fc_ring));
	if (prev && snap->boot_id[0] && strcmp(prev->boot_id, snap->boot_id) != 0)
		snprintf(ns->fc_note, sizeof(ns->fc_note),
			 "samples started again: the host rebooted since the last check");
	else if (prev && ct_fc_ring_load(&ns->fc_ring, prev) == -EINVAL)
		snprintf(ns->fc_note, sizeof(ns->fc_note),
			 "samples started again: those in the state file were not consistent");
	if (cfg->peek || !ct_ns_read(ns))
		return;
	/* Checks every minute keep every other sample: the one not kept is said with -v only. */
	if (ct_fc_push(&ns->fc_ring, ns->fc_now, ns->proc.entries, ns->proc.max,
		       ns->fc_note[0] ? NULL : ns->fc_note, sizeof(ns->fc_note)) == CT_FC_SKIPPED &&
	    ns->fc_now <= UINT32_MAX && ns->proc.entries <= UINT32_MAX)
		ns->fc_note_level = 1;
}

static void retain_ns(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		      time_t now)
{
	struct ct_store *s = &snap->store;
	char name[160];

	ns->retention = CT_RET_NONE;
	if (ns->enter_rc < 0)
		return;
	if (ns->counters_rc < 0) {
		snprintf(ns->fc_note, sizeof(ns->fc_note),
			 "no samples kept: they are kept with the counters, and no source gave "
			 "them");
		return;
	}
	if (!s->locked) {
		snprintf(ns->fc_note, sizeof(ns->fc_note), "no samples kept between runs (%.150s)",
			 s->unusable ? s->why : "--peek saves none");
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
	mp_store_select(&s->h, name);
	if (!ns->cookie && !ct_procfs_is_elsewhere(cfg))
		ct_note(&snap->trace, 1,
			"state of namespace %s kept by its inode: this kernel has no namespace "
			"cookie (5.14+), so a new namespace may inherit a deleted one's baseline",
			ns->label);
	ct_note(&snap->trace, 2, "state of namespace %s in %s/%s", ns->label, s->dir, name);
	compare(cfg, snap, ns, now);
	keep_samples(cfg, snap, ns, now);
	if (!cfg->peek)
		save(snap, ns, now);
	/* Saved, the baseline is this run's: a later look reads it again. */
	ns->baseline_read = false;
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
	size_t p = strlen(prefix), s = strlen(suffix), n = strlen(name);

	if (n <= p + s || strncmp(name, prefix, p) != 0 || strcmp(name + n - s, suffix) != 0)
		return false;
	return n - p - s <= 20 && mp_parse_u64(name + p, n - p - s, UINT64_MAX, id) == 0;
}

/* A key as state_key makes them, or as --state-key allows: 1-64 of [A-Za-z0-9_-]. */
static bool key_like(const char *s, size_t n)
{
	return n > 0 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") >= n;
}

enum ours { NOT_OURS, BASELINE_COOKIE, BASELINE_INODE, RULES_CACHE, OTHER_OURS };

/* "sysctl-boot-<16 hex>-nf" or "-ip" (persistence.c's cache), or its lock. */
static bool sysctl_cache_like(const char *s)
{
	size_t p = strlen("sysctl-boot-");

	return strncmp(s, "sysctl-boot-", p) == 0 && strspn(s + p, "0123456789abcdef") == 16 &&
	       (strcmp(s + p + 16, "-nf") == 0 || strcmp(s + p + 16, "-ip") == 0 ||
		strcmp(s + p + 16, "-nf.lock") == 0 || strcmp(s + p + 16, "-ip.lock") == 0);
}

/*
 * Which of our files a name is: "<key>.cookie-N" and "<key>.inode-N" (baselines), the lock of a
 * derived key "opts-<16 hex>.lock" (an explicit key's lock stays: there are only as many as the
 * admin wrote), "nft-rules-cookie-N" (the rules cache), "sysctl-boot-<16 hex>-nf" (what the
 * sysctl.d files said), "netns-N" and "nft-rules-netns-N" (older versions' baseline and rules
 * cache), their locks and the leftovers of a run killed while writing (".tmp"). Anything else in
 * the directory (an explicit --state-dir may hold other files) is never touched.
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
	if (number_between(base, "nft-rules-cookie-", "", id) ||
	    number_between(base, "nft-rules-cookie-", ".lock", id))
		return RULES_CACHE;
	if (number_between(base, "netns-", "", id) || number_between(base, "netns-", ".lock", id) ||
	    number_between(base, "nft-rules-netns-", "", id) ||
	    number_between(base, "nft-rules-netns-", ".lock", id))
		return OTHER_OURS;
	if (strlen(base) == 5 + 16 + 5 && strncmp(base, "opts-", 5) == 0 &&
	    strspn(base + 5, "0123456789abcdef") == 16 && strcmp(base + 21, ".lock") == 0)
		return OTHER_OURS;
	if (sysctl_cache_like(base))
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
	if (l->n && kind == RULES_CACHE && !in(l->cookie, l->n, id))
		return true;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_mtime < now - STATE_MAX_AGE;
}

static void prune(struct ct_snapshot *snap, time_t now)
{
	struct ct_store *s = &snap->store;
	struct live l = {0};
	unsigned seen = 0, removed = 0;
	struct dirent *de = NULL;
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
		if (mp_store_remove(&s->h, de->d_name) == 0)
			removed++;
	}
	/* Looked at everything: the next look is due in an hour. Else the next run goes on. */
	if (!de)
		mp_store_touch_lock(&s->h);
	closedir(d);
	free(l.cookie);
	free(l.inode);
	if (removed)
		ct_note(&snap->trace, 2,
			"state: removed %u files of namespaces that are gone or unused for "
			"a week",
			removed);
}

/* Is a look for old files due? An hour since the last one, on the clock the run was given. */
static bool prune_due(const struct ct_snapshot *snap, time_t now)
{
	time_t last = snap->store.h.lock_mtime;

	return snap->multi || now - last >= PRUNE_EVERY || now < last;
}

void ct_retain(const struct ct_config *cfg, struct ct_snapshot *snap, time_t now)
{
	for (size_t i = 0; i < snap->n; i++)
		retain_ns(cfg, snap, &snap->ns[i], now);
	if (snap->store.locked && !cfg->peek && prune_due(snap, now))
		prune(snap, now);
}
