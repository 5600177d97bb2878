/* Counters between runs: compare with the previous run's (per namespace, per user), save these. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void ct_retention(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		  time_t now)
{
	const char *boot_id = snap->boot_id;
	struct mp_state_handle h;
	struct mp_state prev, cur;
	char dirbuf[PATH_MAX], name[64], err[256];
	const char *dir;
	int r;

	ns->retention = CT_RET_NONE;
	if (ns->enter_rc < 0 || ns->counters_rc < 0)
		return;
	dir = mp_state_dir(cfg->state_dir, CT_PLUGIN, dirbuf, sizeof(dirbuf));
	snprintf(name, sizeof(name), "netns-%" PRIu64, ns->inode);
	r = dir ? mp_state_open(&h, dir, name, err, sizeof(err)) : -ENAMETOOLONG;
	if (r < 0 && dir && !cfg->state_dir && !secure_getenv("MP_STATE_PATH")) {
		/* The default prefix is root's to create: an unprivileged user falls back. */
		ct_note(snap, 2, "state: %s; trying the fallback directory", err);
		dir = mp_state_fallback_dir(CT_PLUGIN, dirbuf, sizeof(dirbuf));
		r = dir ? mp_state_open(&h, dir, name, err, sizeof(err)) : -ENAMETOOLONG;
	}
	if (r < 0) {
		snprintf(ns->retention_note, sizeof(ns->retention_note),
			 "counters: no comparison with the last check (state not kept: %s)",
			 dir ? err : "state directory path too long");
		return;
	}
	ct_note(snap, 2, "state of namespace %s in %s/%s", ns->label, dir, name);
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
	if (mp_state_write(&h, &cur, err, sizeof(err)) < 0) {
		size_t l = strlen(ns->retention_note);
		snprintf(ns->retention_note + l, sizeof(ns->retention_note) - l,
			 "%sstate not saved: %s", l ? "; " : "counters: ", err);
	}
	mp_state_close(&h);
}
