/* What to do about a full table on this kernel, as long-output lines. */
#ifndef CT_ADVICE_H
#define CT_ADVICE_H

#include "config.h"
#include "evaluate.h"
#include "snapshot.h"

void ct_advice(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res, struct mp_buf *out);

#endif
