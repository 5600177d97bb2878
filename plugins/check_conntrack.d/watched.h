/*
 * The counters watched between runs, one row each: the row drives the options
 * (--<option>-warning, --<option>-critical), their help and error messages, the state key, the
 * evaluation and the output. A new watched counter is a new row in watched.c.
 */
#ifndef CT_WATCHED_H
#define CT_WATCHED_H

#include <stddef.h>

#include "counters.h"

/* Room in the configuration for the thresholds of this many watched counters. */
#define CT_WATCHED_MAX 8

struct ct_watched {
	enum ct_counter counter; /* the kernel's counter, its perfdata label */
	const char *option; /* "drop": --drop-warning and --drop-critical */
	const char *phrase; /* "early drops": "37 <phrase> since last check" */
	const char *help; /* what a rise means, for --help */
	const char *warning, *critical; /* default ranges, NULL: none */
};

extern const struct ct_watched ct_watched[];
extern const size_t ct_watched_n;

/* The row of a counter, or -1 when it is not watched. */
int ct_watched_index(enum ct_counter counter);

#endif
