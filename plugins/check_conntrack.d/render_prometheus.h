/* The verdict as Prometheus metrics: the text exposition format 0.0.4, for a textfile collector. */
#ifndef CT_RENDER_PROMETHEUS_H
#define CT_RENDER_PROMETHEUS_H

#include "verdict.h"

/*
 * Every perfdata item of the tree as a sample named check_conntrack_<label>, with the unit in the
 * name as Prometheus wants it, and the states of the check, of each namespace and of each part;
 * for a struct ct_verdict, in new memory, without the final newline: the check's
 * default_output_override.
 */
char *ct_render_prometheus(void *verdict);

#endif
