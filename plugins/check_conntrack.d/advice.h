/* What to do about a full table on this kernel, as long-output lines. */
#ifndef CT_ADVICE_H
#define CT_ADVICE_H

#include "mp.h"
#include "snapshot.h"

/*
 * The advice for namespace ns (whose table was read): the limit to set and its cost, the hash
 * size, where to persist it, how to track less. Evaluation decides when to give it.
 */
void ct_advice(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *out);

#endif
