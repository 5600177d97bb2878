/* Text the plugin hands to the monitoring core: buffers, numbers, perfdata, the status line. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

/* Room for n more bytes and the terminator; false (and oom) when there is none to be had. */
static bool buf_room(struct mp_buf *b, size_t n)
{
	if (b->cap - b->len > n)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap <= b->len + n) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

static void buf_put(struct mp_buf *b, const char *s, size_t n)
{
	if (b->oom || !buf_room(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

const char *mp_fmt_plain(const char *fmt, va_list ap)
{
	if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '\0') {
		const char *s = va_arg(ap, const char *);

		return s ? s : "(null)";
	}
	return strchr(fmt, '%') ? NULL : fmt;
}

/*
 * Most appends are a literal or one string: those are copied, not formatted (a run makes some
 * hundred appends, and vsnprintf is the larger part of the plugin's own time). The first
 * formatted append finds room already there, so it is formatted once, not measured first.
 */
void mp_buf_printf(struct mp_buf *b, const char *fmt, ...)
{
	const char *plain;
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	plain = mp_fmt_plain(fmt, ap);
	va_end(ap);
	if (plain) {
		buf_put(b, plain, strlen(plain));
		return;
	}
	if (!buf_room(b, 0))
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		if (!buf_room(b, (size_t)n))
			return;
	}
}

void mp_buf_free(struct mp_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

size_t mp_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (!src)
		src = "(null)";
	n = strlen(src);
	if (size) {
		size_t k = n < size ? n : size - 1;

		memmove(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

char *mp_fmt_u64(unsigned long long v, char *buf, size_t len)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (len) {
		size_t k = sizeof(digits) - n < len ? sizeof(digits) - n : len - 1;

		memcpy(buf, digits + n, k);
		buf[k] = '\0';
	}
	return buf;
}

char *mp_fmt_num(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "U");
		return buf;
	}
	/* A whole number as "%.0f" writes it ("-0" too), without the formatting. */
	if (v == floor(v) && fabs(v) < 1e15) {
		if (!signbit(v))
			return mp_fmt_u64((unsigned long long)v, buf, len);
		if (len > 1) {
			buf[0] = '-';
			mp_fmt_u64((unsigned long long)-v, buf + 1, len - 1);
		} else if (len) {
			buf[0] = '\0';
		}
		return buf;
	}
	snprintf(buf, len, "%.3f", v);
	/* Trim trailing zeros of the fraction: 85.500 -> 85.5. */
	char *dot = strchr(buf, '.');
	if (dot) {
		char *e = buf + strlen(buf) - 1;
		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	return buf;
}

static bool label_needs_quotes(const char *label)
{
	return strpbrk(label, " \t='") != NULL || label[0] == '\0';
}

void mp_perf_add(struct mp_buf *perf, const char *label, const char *value, const char *uom,
		 const char *warn, const char *crit, const char *min, const char *max)
{
	const char *fields[4] = {warn, crit, min, max};
	int last = -1;

	if (perf->len)
		buf_put(perf, " ", 1);
	if (label_needs_quotes(label)) {
		buf_put(perf, "'", 1);
		for (const char *p = label; *p; p++) {
			if (*p == '\'')
				buf_put(perf, "''", 2);
			else
				buf_put(perf, p, 1);
		}
		buf_put(perf, "'", 1);
	} else {
		buf_put(perf, label, strlen(label));
	}
	buf_put(perf, "=", 1);
	buf_put(perf, value, strlen(value));
	if (uom)
		buf_put(perf, uom, strlen(uom));
	for (int i = 0; i < 4; i++) {
		if (fields[i] && fields[i][0])
			last = i;
	}
	for (int i = 0; i <= last; i++) {
		buf_put(perf, ";", 1);
		if (fields[i])
			buf_put(perf, fields[i], strlen(fields[i]));
	}
}

/* One protocol line must stay one line and must not contain the perfdata separator. */
static void put_sanitized(struct mp_buf *out, const char *s, bool one_line)
{
	size_t from = out->len;

	mp_buf_printf(out, "%s", s);
	for (size_t i = from; !out->oom && i < out->len; i++) {
		if (out->s[i] == '|')
			out->s[i] = '/';
		else if (one_line && (out->s[i] == '\n' || out->s[i] == '\r'))
			out->s[i] = ' ';
	}
}

void mp_output_buf(struct mp_buf *out, const char *service, int state, const char *summary,
		   const char *perfdata, const char *long_output)
{
	mp_buf_printf(out, "%s %s - ", service, mp_state_name(state));
	put_sanitized(out, summary, true);
	if (perfdata && perfdata[0]) {
		mp_buf_printf(out, " | ");
		put_sanitized(out, perfdata, true);
	}
	mp_buf_printf(out, "\n");
	if (long_output && long_output[0]) {
		put_sanitized(out, long_output, false);
		if (long_output[strlen(long_output) - 1] != '\n')
			mp_buf_printf(out, "\n");
	}
}

void mp_output(const char *service, int state, const char *summary, const char *perfdata,
	       const char *long_output)
{
	struct mp_buf b = {0};

	mp_output_buf(&b, service, state, summary, perfdata, long_output);
	/* Out of memory: at least the status line, from a buffer of its own. */
	if (b.oom)
		printf("%s %s - %s\n", service, mp_state_name(state), "out of memory");
	else
		fputs(mp_buf_str(&b), stdout);
	mp_buf_free(&b);
	fflush(stdout);
}

void mp_die(const char *service, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mp_output(service, MP_UNKNOWN, msg, NULL, NULL);
	exit(MP_UNKNOWN);
}

/*
 * A closed fd 1 would be handed to the first socket or directory the plugin opens, and the answer
 * would go there. /dev/null read-only takes its place: the fd is valid, writes to it still fail.
 */
void mp_stdio_init(const char *service)
{
	/* One call asks about all three: a closed descriptor comes back as POLLNVAL. */
	struct pollfd std[3] = {{.fd = 0}, {.fd = 1}, {.fd = 2}};

	if (poll(std, 3, 0) < 0)
		for (int fd = 0; fd <= 2; fd++)
			std[fd].revents = fcntl(fd, F_GETFD) < 0 && errno == EBADF ? POLLNVAL : 0;
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (!(std[fd].revents & POLLNVAL))
			continue;
		n = open("/dev/null", O_RDONLY | O_NOCTTY);
		if (n != fd) {
			int e = n < 0 ? errno : EBADF;

			if (n >= 0)
				close(n);
			mp_die(service, "cannot fill the closed fd %d with /dev/null: %s", fd,
			       strerror(e));
		}
	}
	signal(SIGPIPE, SIG_IGN);
}

int mp_exit_state(int state)
{
	/* Silence must not pass for a verdict: a closed or broken stdout makes the run UNKNOWN. */
	if (fflush(stdout) != 0 || ferror(stdout))
		return MP_UNKNOWN;
	return state;
}
