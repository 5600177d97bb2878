/* Sizes and durations for phrases without floating point; rates in one fixed-point format. */
#include "units.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

int ct_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	uint64_t unit = 1024, whole, tenths;
	unsigned i = 0;

	if (bytes < 1024)
		return snprintf(buf, len, "%" PRIu64 " bytes", bytes);
	while (i + 1 < sizeof(names) / sizeof(names[0]) && bytes / unit >= 1024) {
		unit *= 1024;
		i++;
	}
	whole = bytes / unit;
	tenths = ((bytes % unit) / (unit / 1024) * 10 + 512) / 1024;
	if (tenths >= 10) {
		whole++;
		tenths = 0;
	}
	if (whole >= 100)
		return snprintf(buf, len, "%" PRIu64 " %s", whole + (tenths >= 5), names[i]);
	return snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths, names[i]);
}

int ct_fmt_duration(uint64_t s, char *buf, size_t len)
{
	if (s < 120)
		return snprintf(buf, len, "%" PRIu64 " s", s);
	if (s < 120 * 60)
		return snprintf(buf, len, "%" PRIu64 " min", (s + 30) / 60);
	if (s < 10 * 3600) {
		uint64_t tenths = (s + 180) / 360;

		return snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " h", tenths / 10, tenths % 10);
	}
	if (s < 48 * 3600)
		return snprintf(buf, len, "%" PRIu64 " h", (s + 1800) / 3600);
	return snprintf(buf, len, "%" PRIu64 " days", (s + 43200) / 86400);
}

int ct_fmt_rate(double r, char *buf, size_t len)
{
	if (!(r >= 0))
		return snprintf(buf, len, "?");
	if (r >= 99.95)
		return snprintf(buf, len, "%.0f", r);
	if (r >= 9.995)
		return snprintf(buf, len, "%.1f", r);
	if (r >= 0.9995)
		return snprintf(buf, len, "%.2f", r);
	if (r >= 0.0005)
		return snprintf(buf, len, "%.3f", r);
	return snprintf(buf, len, r > 0 ? "<0.001" : "0");
}

int ct_append(char *buf, size_t len, int used, const char *fmt, ...)
{
	size_t at = used < 0 ? 0 : (size_t)used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + n;
}
