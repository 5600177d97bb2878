/* Collection: every namespace the options name, entered, read and left; privileges dropped. */
#ifndef CT_COLLECT_H
#define CT_COLLECT_H

#include "config.h"
#include "snapshot.h"

/* Fills snap for the namespaces cfg names. 0, or -ENOMEM. */
int ct_collect(const struct ct_config *cfg, struct ct_snapshot *snap);
void ct_snapshot_free(struct ct_snapshot *snap);

#endif
