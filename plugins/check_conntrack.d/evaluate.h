/*
 * Evaluation: the snapshot and the options turned into the verdict tree, in one place. Each
 * namespace is a subcheck whose parts (utilization, each watched counter, the other counters,
 * the rules) carry their state, text, perfdata and lines; host-wide sections follow. The
 * namespace the summary names comes first.
 */
#ifndef CT_EVALUATE_H
#define CT_EVALUATE_H

#include "config.h"
#include "snapshot.h"
#include "verdict.h"

/* Out of memory ends the run (one line, UNKNOWN), as the tree's API does. */
struct ct_verdict ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap);

#endif
