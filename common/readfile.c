/*
 * The plugin's one bounded file reader and one decimal parser: every file it reads (a sysctl, the
 * stat file, its state, an ini file, configuration under --root) goes through the reader, every
 * unsigned decimal it reads from them or from a name through the parser.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "mp.h"

int mp_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		/* v * 10 + d > max, without overflow. */
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* One read(2) into buf: its count, 0 at the end, or -errno; interrupted reads are retried. */
static ssize_t read_some(int fd, char *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t mp_read_fd(int fd, char *buf, size_t len, size_t expect, bool line)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read_some(fd, buf + got, len - got);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
		if ((expect && got == expect) || (line && buf[got - 1] == '\n'))
			break;
	}
	return (ssize_t)got;
}

ssize_t mp_read_fd_alloc(int fd, char **buf, size_t *cap, size_t max, size_t expect)
{
	size_t got = 0;

	for (;;) {
		size_t limit = *cap < max + 1 ? *cap : max + 1;
		ssize_t n;

		if (got == limit) {
			size_t want = *cap ? *cap * 2 : 4096;
			char *nb;

			if (limit == max + 1)
				break; /* max + 1 bytes read: more than max */
			while (want < expect + 1 && want < max + 1)
				want *= 2;
			if (want > max + 1)
				want = max + 1;
			nb = realloc(*buf, want);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = want;
			limit = want;
		}
		n = read_some(fd, *buf + got, limit - got);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
		/* The whole file as fstat saw it: spare the read that says "end of file". */
		if (expect && got == expect && got < limit)
			break;
	}
	return (ssize_t)got;
}
