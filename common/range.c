/* Threshold ranges exactly as the Monitoring Plugins developer guidelines define them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/*
 * A plain decimal: [+-]digits[.digits] or [+-].digits; no hex, no exponent, no inf/nan. -1 when
 * not a number, -2 beyond +-1e15 (more than any count needs; perfdata prints it in full).
 */
static int parse_number(const char *s, size_t n, double *out)
{
	/* 10^k, all exact in a double. */
	static const double tens[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,	1e6,  1e7,
				      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	char tmp[64];
	size_t i = 0, digits = 0, frac = 0;
	unsigned long long m = 0;
	char *end;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		m = m * 10 + (unsigned)(s[i] - '0');
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++)
			m = m * 10 + (unsigned)(s[i] - '0');
	}
	if (i != n || digits == 0)
		return -1;
	/*
	 * Up to 15 digits (below 2^53) the value is m / 10^frac with both exact: the division
	 * rounds once, to the nearest double, which is what strtod returns too; the thresholds
	 * every run parses ("80%", "90%") spare strtod and its first-use page faults. (m may have
	 * wrapped for more digits: then it is not used.)
	 */
	if (digits <= 15) {
		*out = (double)m / tens[frac];
		if (s[0] == '-')
			*out = -*out;
		return 0;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*out = strtod(tmp, &end);
	if (errno == ERANGE || !isfinite(*out))
		return -1;
	if (fabs(*out) > 1e15)
		return -2;
	return 0;
}

int mp_range_parse(const char *text, struct mp_range *r, char *err, size_t errlen)
{
	const char *p = text, *colon;
	int rc;

	memset(r, 0, sizeof(*r));
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	if (*p == '\0') {
		snprintf(err, errlen, "empty range");
		return -1;
	}
	colon = strchr(p, ':');
	if (colon) {
		size_t slen = (size_t)(colon - p);

		if (slen == 1 && p[0] == '~') {
			r->start_inf = true;
		} else if ((rc = parse_number(p, slen, &r->start)) < 0) {
			snprintf(err, errlen, "'%.*s' is %s", (int)(slen > 40 ? 40 : slen), p,
				 rc == -2 ? "too large (at most 1e15)" : "not a number");
			return -1;
		}
		p = colon + 1;
		if (*p == '\0')
			r->end_inf = true;
	}
	if (!r->end_inf && (rc = parse_number(p, strlen(p), &r->end)) < 0) {
		snprintf(err, errlen, "'%.40s' is %s", p,
			 rc == -2 ? "too large (at most 1e15)" : "not a number");
		return -1;
	}
	if (!r->start_inf && !r->end_inf && r->start > r->end) {
		snprintf(err, errlen, "start is greater than end");
		return -1;
	}
	return 0;
}

bool mp_range_alert(const struct mp_range *r, double value)
{
	bool within = (r->start_inf || value >= r->start) && (r->end_inf || value <= r->end);

	return r->inside ? within : !within;
}

char *mp_range_format(const struct mp_range *r, char *buf, size_t len)
{
	char a[40] = "", b[40] = "";

	if (r->start_inf)
		snprintf(a, sizeof(a), "~:");
	else if (r->start != 0 || r->end_inf || r->inside) {
		mp_fmt_num(r->start, a, sizeof(a) - 1);
		strcat(a, ":");
	}
	if (!r->end_inf)
		mp_fmt_num(r->end, b, sizeof(b));
	snprintf(buf, len, "%s%s%s", r->inside ? "@" : "", a, b);
	return buf;
}
