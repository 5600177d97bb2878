/* Parser for /proc/net/stat/nf_conntrack: per-CPU hex counters, columns named by the header. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "mp.h"

#define STAT_MAX_COLUMNS 64
#define STAT_MAX_BYTES (1024 * 1024)

/* What a column of the file is to us. */
#define COL_SKIP (-1)
#define COL_ENTRIES (-2)
#define COL_EXPECT_CREATE (-3)
#define COL_EXPECT_DELETE (-4)

struct stat_cursor {
	const char *p;
	const char *end;
	unsigned int lineno;
};

struct stat_token {
	const char *s;
	size_t len;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next line that holds something other than blanks; false at the end of the text. */
static bool next_line(struct stat_cursor *cur, const char **line, const char **line_end)
{
	while (cur->p < cur->end) {
		const char *nl = memchr(cur->p, '\n', (size_t)(cur->end - cur->p));
		const char *stop = nl ? nl : cur->end;
		const char *q = cur->p;

		*line = cur->p;
		*line_end = stop;
		cur->p = nl ? nl + 1 : cur->end;
		cur->lineno++;
		while (q < stop && is_blank(*q))
			q++;
		if (q < stop)
			return true;
	}
	return false;
}

static bool next_token(const char **p, const char *end, struct stat_token *tok)
{
	const char *q = *p;

	while (q < end && is_blank(*q))
		q++;
	if (q == end)
		return false;
	tok->s = q;
	while (q < end && !is_blank(*q))
		q++;
	tok->len = (size_t)(q - tok->s);
	*p = q;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits only (the kernel prints %08x), at most 64 significant bits. */
static bool parse_hex(const struct stat_token *tok, uint64_t *val)
{
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	for (; i < tok->len; i++) {
		int d = hex_digit(tok->s[i]);

		if (d < 0)
			return false;
		if (v == 0 && d == 0)
			continue;
		if (++digits > 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*val = v;
	return true;
}

/* Map the header's names to columns; unknown names are skipped. */
static int parse_header(const char *line, const char *line_end, int *cols, size_t *ncols,
			bool *clashres, char *err, size_t errlen)
{
	struct stat_token tok;
	bool known = false;
	size_t n = 0, i;

	*clashres = false;
	while (next_token(&line, line_end, &tok)) {
		char name[32];
		int c = COL_SKIP;

		if (n == STAT_MAX_COLUMNS) {
			snprintf(err, errlen, "stat file header has more than %d columns",
				 STAT_MAX_COLUMNS);
			return -EINVAL;
		}
		if (tok.len < sizeof(name)) {
			memcpy(name, tok.s, tok.len);
			name[tok.len] = '\0';
			if (strcmp(name, "entries") == 0)
				c = COL_ENTRIES;
			else if (strcmp(name, "expect_create") == 0)
				c = COL_EXPECT_CREATE;
			else if (strcmp(name, "expect_delete") == 0)
				c = COL_EXPECT_DELETE;
			else
				c = ct_counter_by_name(name);
			if (strcmp(name, "clashres") == 0)
				*clashres = true;
		}
		for (i = 0; c != COL_SKIP && i < n; i++) {
			if (cols[i] == c) {
				snprintf(err, errlen, "stat file header names column '%.*s' twice",
					 (int)(tok.len < 32 ? tok.len : 32), tok.s);
				return -EINVAL;
			}
		}
		if (c != COL_SKIP)
			known = true;
		cols[n++] = c;
	}
	if (!known) {
		snprintf(err, errlen, "stat file has no header line (no known column name)");
		return -EINVAL;
	}
	*ncols = n;
	return 0;
}

/*
 * Since 5.10 (clashres in place of searched) these columns are printed as constant zeros:
 * the kernel no longer counts them, so they must not look like real, quiet counters.
 */
static bool fixed_zero_in_clashres_layout(int c)
{
	return c == CT_SEARCHED || c == CT_NEW || c == CT_IGNORE || c == CT_DELETE ||
	       c == CT_DELETE_LIST;
}

static int parse_cpu_line(const char *line, const char *line_end, unsigned int lineno,
			  const int *cols, size_t ncols, struct ct_counters *c, char *err,
			  size_t errlen)
{
	struct stat_token tok;
	size_t n = 0;

	while (next_token(&line, line_end, &tok)) {
		uint64_t v;

		if (n == ncols) {
			snprintf(err, errlen,
				 "stat file line %u has more than the %zu header columns", lineno,
				 ncols);
			return -EINVAL;
		}
		if (!parse_hex(&tok, &v)) {
			snprintf(err, errlen, "stat file line %u: '%.*s' is not a hex value",
				 lineno, (int)(tok.len < 32 ? tok.len : 32), tok.s);
			return -EINVAL;
		}
		/*
		 * COL_ENTRIES, the namespace total repeated on every line, is checked and left:
		 * the entries come from /proc.
		 */
		if (cols[n] == COL_EXPECT_CREATE || cols[n] == COL_EXPECT_DELETE) {
			uint64_t *sum = cols[n] == COL_EXPECT_CREATE ? &c->expect_create
								     : &c->expect_delete;

			if (__builtin_add_overflow(*sum, v, sum)) {
				snprintf(err, errlen, "stat file: sum of column %zu overflows",
					 n + 1);
				return -EINVAL;
			}
		} else if (cols[n] >= 0 && (c->present & (1u << cols[n]))) {
			if (__builtin_add_overflow(c->value[cols[n]], v, &c->value[cols[n]])) {
				snprintf(err, errlen, "stat file: sum of column %zu overflows",
					 n + 1);
				return -EINVAL;
			}
		}
		n++;
	}
	if (n != ncols) {
		snprintf(err, errlen, "stat file line %u has %zu columns, header has %zu", lineno,
			 n, ncols);
		return -EINVAL;
	}
	return 0;
}

int ct_statfile_parse(const char *text, size_t len, struct ct_counters *out, char *err,
		      size_t errlen)
{
	struct stat_cursor cur = {.p = text, .end = text ? text + len : text, .lineno = 0};
	struct ct_counters c = {0};
	int cols[STAT_MAX_COLUMNS];
	const char *line, *line_end;
	size_t ncols = 0, i;
	unsigned int cpus = 0, expect_cols = 0;
	bool clashres;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!text || len == 0) {
		snprintf(err, errlen, "stat file is empty");
		return -EINVAL;
	}
	if (!next_line(&cur, &line, &line_end)) {
		snprintf(err, errlen, "stat file is empty");
		return -EINVAL;
	}
	ret = parse_header(line, line_end, cols, &ncols, &clashres, err, errlen);
	if (ret < 0)
		return ret;
	for (i = 0; i < ncols; i++) {
		if (cols[i] == COL_EXPECT_CREATE)
			expect_cols |= 1;
		else if (cols[i] == COL_EXPECT_DELETE)
			expect_cols |= 2;
		else if (cols[i] >= 0 && !(clashres && fixed_zero_in_clashres_layout(cols[i])))
			c.present |= 1u << cols[i];
	}
	while (next_line(&cur, &line, &line_end)) {
		ret = parse_cpu_line(line, line_end, cur.lineno, cols, ncols, &c, err, errlen);
		if (ret < 0)
			return ret;
		cpus++;
	}
	if (cpus == 0) {
		snprintf(err, errlen, "stat file has a header but no CPU lines");
		return -EINVAL;
	}
	c.have_expect = expect_cols == 3;
	/* Before 5.10 a clash the kernel resolved was still counted as insert_failed. */
	c.insert_failed_counts_clashes = !clashres;
	c.source = "stat file";
	*out = c;
	return 0;
}

int ct_statfile_read(const char *path, struct ct_counters *out, char *err, size_t errlen)
{
	size_t cap = 0;
	char *buf = NULL;
	ssize_t len;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	/* One byte past the cap tells "exactly the cap" from "larger". */
	len = mp_read_fd_alloc(fd, &buf, &cap, STAT_MAX_BYTES, 0);
	if (len == -ENOMEM)
		snprintf(err, errlen, "out of memory reading %s", path);
	else if (len < 0)
		snprintf(err, errlen, "cannot read %s: %s", path, strerror((int)-len));
	else if (len > STAT_MAX_BYTES)
		snprintf(err, errlen, "%s is larger than %d bytes", path, STAT_MAX_BYTES);
	if (len < 0)
		ret = (int)len;
	else if (len > STAT_MAX_BYTES)
		ret = -EFBIG;
	else
		ret = ct_statfile_parse(buf, (size_t)len, out, err, errlen);
	free(buf);
	close(fd);
	return ret;
}
