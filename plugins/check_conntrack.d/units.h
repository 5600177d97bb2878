/* Sizes and durations as phrases say them, computed in integers: the C locale always. */
#ifndef CT_UNITS_H
#define CT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "512 bytes", "1.5 KiB", "35.2 MiB", "120 GiB": one decimal below 100. snprintf's return. */
int ct_fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* "45 s", "14 min", "2.5 h", "20 h", "3 days": the unit changes at twice its size, tenths
 * of an hour below 10 h. */
int ct_fmt_duration(uint64_t seconds, char *buf, size_t len);
/*
 * A rate per second in one format whatever its size, never an exponent: whole numbers from 100
 * ("2390", "934"), three significant digits below ("12.5", "0.459"), "<0.001" below that.
 */
int ct_fmt_rate(double per_second, char *buf, size_t len);

/*
 * snprintf at used, the end of what buf holds already: returns used plus what snprintf
 * returned, so that calls chain like one snprintf (a result >= len means cut).
 */
int ct_append(char *buf, size_t len, int used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
