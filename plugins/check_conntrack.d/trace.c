/* The -v trace: collectors say what they read and why, the verdict carries the lines. */
#include <stdarg.h>
#include <stdio.h>

#include "trace.h"

void ct_note(struct ct_trace *t, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > t->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mp_buf_printf(&t->lines, "%s\n", line);
}

void ct_trace_free(struct ct_trace *t)
{
	mp_buf_free(&t->lines);
}
