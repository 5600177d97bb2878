/* The answer on stdout: status line, perfdata and long output. */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include "config.h"
#include "evaluate.h"
#include "snapshot.h"

void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res);

#endif
