/*
 * The verdict: a libmonitoringplug 3.x check tree (output.h) that evaluation builds and the
 * formats print. Helpers to build it from parts whose texts and labels are the tree's own, and
 * to free it whole: both builds allocate its nodes the same way.
 */
#ifndef CT_VERDICT_H
#define CT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mp.h"
#include "output.h"
#include "perfdata.h"
#include "states.h"
#include "thresholds.h"

/*
 * The check, and how its top level is laid out: the first `namespaces` subchecks are the
 * namespaces (the one the summary names first), then the host-wide sections. multi: --netns=all,
 * where each namespace's text is its own header line.
 */
struct ct_verdict {
	mp_check check;
	size_t namespaces;
	bool multi;
	char **names; /* each namespace's name, in the order of its subcheck (owned) */
	/* The classic format's bound in bytes (--output-limit), 0: none. */
	unsigned long output_limit;
};

/* A part with its text (printf-style, kept by the tree) and a state; derived when state < 0. */
mp_subcheck ct_part(int state, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A part's text replaced (the old one freed). */
void ct_part_text(mp_subcheck *part, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of a buffer; out of memory ends the run (the API does so too). */
const char *ct_text(const struct mp_buf *b);
/* Each line of text (lines ending in '\n') as a child part of its own, in order. */
void ct_part_lines(mp_subcheck *parent, const char *text, int state);

/* A perfdata item whose label (printf-style) and unit are the tree's own; thresholds below. */
mp_perfdata ct_perf(mp_perfdata_value value, const char *uom, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A guideline range (mp.h) as the API carries it into perfdata and mp-test-json. */
mp_range ct_range_api(const struct mp_range *r);
/* ... and back, for the classic format: the same range the guidelines' parser gave. */
void ct_range_ours(mp_range in, struct mp_range *out);

/* A part not added to the tree after all, with everything it holds. */
void ct_part_free(mp_subcheck *part);
void ct_verdict_free(struct ct_verdict *v);

#endif
