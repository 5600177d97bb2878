/*
 * The -v trace: which files and sources each step read, and why another was not. Steps add lines,
 * evaluation hangs them on the verdict. A leaf: it knows nothing of the plugin's other modules.
 */
#ifndef CT_TRACE_H
#define CT_TRACE_H

#include "mp.h"

struct ct_trace {
	int verbose; /* lines of a level above this are not kept */
	struct mp_buf lines; /* one per note, each ending in '\n' */
};

/* A line at level 1 (-v: what was read), 2 (-vv: and why) or 3 (-vvv). */
void ct_note(struct ct_trace *t, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ct_trace_free(struct ct_trace *t);

#endif
