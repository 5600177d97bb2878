/* Fuzzes threshold ranges: mp_range_parse/format/alert and the plugin's own -w/-c/--drop-* parsing.
 */
#include <math.h>
#include <stdio.h>

#include "fuzz.h"
#include "mp.h"
#include "options.h"

static void range_roundtrip(const char *text)
{
	struct mp_range r, again;
	char err[128], buf[128];
	int rc = mp_range_parse(text, &r, err, sizeof(err));

	fuzz_check_reason(rc, err, sizeof(err)); /* quotes the argument: mp_die sanitizes */
	if (rc < 0)
		return;
	/* What parses must format to text that parses back to the same alerting behaviour. */
	mp_range_format(&r, buf, sizeof(buf));
	if (mp_range_parse(buf, &again, err, sizeof(err)) < 0)
		__builtin_trap();
	if (again.inside != r.inside || again.start_inf != r.start_inf ||
	    again.end_inf != r.end_inf)
		__builtin_trap();
	/* Formatting keeps 3 decimals: the values come back within rounding of the originals. */
	if ((!r.start_inf && fabs(again.start - r.start) > 0.0005 + 1e-12 * fabs(r.start)) ||
	    (!r.end_inf && fabs(again.end - r.end) > 0.0005 + 1e-12 * fabs(r.end)))
		__builtin_trap();
	(void)mp_range_alert(&r, r.start);
	(void)mp_range_alert(&r, r.end);
	(void)mp_range_alert(&r, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	static const char *const opts[] = {"-w", "-c", "--drop-warning",
					   "--insert-failed-critical"};
	char *argv[4];
	struct ct_config_result cr;

	range_roundtrip(text);
	if (strlen(text) == size) { /* an argv string cannot hold a NUL */
		argv[0] = "check_conntrack";
		argv[1] = (char *)opts[size % 4];
		argv[2] = text;
		argv[3] = NULL;
		cr = ct_options_parse(3, argv, 0);
		if (cr.errorcode) {
			size_t n = strnlen(cr.reason, sizeof(cr.reason));
			/* It may quote the argument verbatim: mp_die keeps the output on one line.
			 */
			if (n == 0 || n == sizeof(cr.reason))
				__builtin_trap();
		}
	}
	free(text);
	return 0;
}
