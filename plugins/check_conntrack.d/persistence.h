/* Whether the running limit is the one boot applies (sysctl.d files), and what an entry costs. */
#ifndef CT_PERSISTENCE_H
#define CT_PERSISTENCE_H

#include "config.h"
#include "snapshot.h"

/* Fills snap->persistence, after the namespaces were read (unprivileged). */
void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap);

#endif
