/*
 * Internal to our implementation of the libmonitoringplug interface (mp_*.c): growing text and
 * the one way out when that interface has no way to report an error. Plugin code includes
 * output.h, perfdata.h, thresholds.h and states.h, never this.
 */
#ifndef CT_MPAPI_H
#define CT_MPAPI_H

/* Built against the real library, its own header is meant: a file beside this one included it. */
#ifdef CT_MONITORING_PLUGINS
#error "common/mpapi.h in a build against the real libmonitoringplug"
#endif

#include <stdio.h>

/*
 * The interface returns trees, values and strings, with no room for an error; the library ends
 * the run there. So do we, as one line "UNKNOWN - <why>" and exit 3, never a crash.
 */
void mpapi_die(const char *why) __attribute__((noreturn));

/* Text built with stdio into memory (open_memstream); out of memory ends the run. */
struct mpapi_text {
	FILE *f;
	char *s;
	size_t len;
};

void mpapi_text_open(struct mpapi_text *t);
/* The text, in new memory the caller frees. */
char *mpapi_text_close(struct mpapi_text *t);

#endif
