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

#endif
