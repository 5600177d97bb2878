/* Counters between runs: compare with the previous run's (per namespace, per user), save these. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "snapshot.h"
#include "state.h"

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

/* The state directories to try, in order: an explicit one alone, else the default and fallback. */
static const char *state_dir(const struct ct_config *cfg, int i, char *buf, size_t len)
{
	bool fixed = cfg->state_dir || secure_getenv("MP_STATE_PATH");

	if (i == 0)
		return mp_state_dir(cfg->state_dir, CT_PLUGIN, buf, len);
	return i == 1 && !fixed ? mp_state_fallback_dir(CT_PLUGIN, buf, len) : NULL;
}

int ct_state_open(const struct ct_config *cfg, struct ct_snapshot *snap, const char *name,
		  struct mp_state_handle *h, char *dir, size_t dirlen, char *err, size_t errlen)
{
	int r = -ENAMETOOLONG;

	snprintf(err, errlen, "state directory path too long");
	for (int i = 0; i < 2; i++) {
		if (!state_dir(cfg, i, dir, dirlen))
			break;
		if (i == 1) /* The default prefix is root's to create: others fall back. */
			ct_note(snap, 2, "state: %s; trying the fallback directory", err);
		r = mp_state_open(h, dir, name, err, errlen);
		if (r == 0)
			break;
	}
	return r;
}

bool ct_state_exists(const struct ct_config *cfg, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct stat st;

	for (int i = 0; i < 2 && state_dir(cfg, i, dir, sizeof(dir)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lstat(path, &st) == 0)
			return true;
	}
	return false;
}

void ct_retention(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		  time_t now)
{
	const char *boot_id = snap->boot_id;
	struct mp_state_handle h;
	struct mp_state prev, cur;
	char dirbuf[PATH_MAX], name[64], err[256];
	sigset_t sigs;
	int r;

	ns->retention = CT_RET_NONE;
	if (ns->enter_rc < 0 || ns->counters_rc < 0)
		return;
	snprintf(name, sizeof(name), "netns-%" PRIu64, ns->inode);
	r = ct_state_open(cfg, snap, name, &h, dirbuf, sizeof(dirbuf), err, sizeof(err));
	if (r < 0) {
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: no comparison with the last check (state not kept: %s)", err);
		return;
	}
	ct_note(snap, 2, "state of namespace %s in %s/%s", ns->label, dirbuf, name);
	memset(&prev, 0, sizeof(prev));
	r = mp_state_read(&h, &prev, err, sizeof(err));
	ns->retention = CT_RET_BASELINE;
	if (r == -ENOENT)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: first run, baseline saved");
	else if (r < 0)
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: new baseline (previous state unusable: %s)", err);
	else if (comparable(ns, &prev, boot_id, now))
		ns->retention = CT_RET_DELTA;
	if (ns->retention != CT_RET_DELTA)
		memset(ns->delta, 0, sizeof(ns->delta));

	memset(&cur, 0, sizeof(cur));
	snprintf(cur.boot_id, sizeof(cur.boot_id), "%s", boot_id[0] ? boot_id : "0");
	cur.time = now;
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		if (ns->counters.present & (1u << i))
			mp_state_set(&cur, ct_counter_names[i], ns->counters.value[i]);
	}
	/* Held off until the file is replaced: a signal must not leave a temporary copy. */
	mp_signals_hold(&sigs);
	r = mp_state_write(&h, &cur, err, sizeof(err));
	mp_signals_release(&sigs);
	if (r < 0) {
		size_t l = strlen(ns->retention_note);
		snprintf(ns->retention_note + l, sizeof(ns->retention_note) - l,
			 "%sstate not saved: %s", l ? "; " : "counters: ", err);
	}
	mp_state_close(&h);
}
