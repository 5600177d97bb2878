/*
 * Perfdata labels: the plain ones, which describe the namespace the summary names, and under
 * --netns=all the prefix that makes each namespace's own labels unique ("web_entries").
 */
#ifndef CT_NSLABELS_H
#define CT_NSLABELS_H

#include "snapshot.h"

#define CT_PREFIX 192

/*
 * Where a plain label goes in the classic perfdata (entries, utilization, buckets, the rule counts,
 * the counters in the kernel's order, entries_total), or -1 for a label that is not plain.
 */
int ct_label_rank(const char *label);
/*
 * One prefix per namespace of snap, in its order (malloc'd, NULL when out of memory): the label
 * made safe ("pid_7_nginx_"), with the namespace's inode behind "__" where that form would clash
 * with another namespace's or make a plain label.
 */
char (*ct_ns_prefixes(const struct ct_snapshot *snap))[CT_PREFIX];

#endif
