/* Whether the running limit is the one boot applies (sysctl.d files), and what an entry costs. */
#ifndef CT_PERSISTENCE_H
#define CT_PERSISTENCE_H

#include "config.h"
#include "snapshot.h"

/* Fills snap->persistence, after the namespaces were read (unprivileged). */
void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap);
/*
 * What an entry costs (the nf_conntrack slab's object size), for the memory section of
 * --netns=all and the advice on raising the limit: read after retention, and only when one of
 * them may be shown (-v, --netns=all, a table under pressure, a time-to-full threshold), as its
 * sysfs file costs more than all the /proc files of a run together. Unread, it stays 0: the
 * advice then says its figure is estimated.
 */
void ct_collect_entry_size(const struct ct_config *cfg, struct ct_snapshot *snap);

#endif
