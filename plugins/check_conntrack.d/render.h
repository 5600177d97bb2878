/* The classic format of the verdict, the plugin's default output. */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include "verdict.h"

/*
 * "CONNTRACK <STATE> - summary | perfdata" and the long output, for a struct ct_verdict, in new
 * memory and without the final newline: the check's default_output_override.
 */
char *ct_render_classic(void *verdict);

#endif
