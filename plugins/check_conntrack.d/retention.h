/*
 * Retention, the step between collection and evaluation: each namespace's counters against the
 * previous run's baseline (what changed, and in how many seconds), the new baseline saved, the
 * baselines of namespaces that are gone pruned. Under the lock statedir.c took.
 */
#ifndef CT_RETENTION_H
#define CT_RETENTION_H

#include <time.h>

#include "config.h"
#include "snapshot.h"

void ct_retain(const struct ct_config *cfg, struct ct_snapshot *snap, time_t now);

/*
 * This check's baseline of ns (its previous run's record), read once under the lock: by
 * collection when a decision needs it before privileges are dropped (a composition sample under
 * pressure), else by ct_retain. NULL when there is none (ns->baseline_rc says why).
 */
const struct mp_store_record *ct_retain_baseline(struct ct_snapshot *snap, struct ct_ns *ns);

#endif
