/*
 * What the nftables rules said last time, for as long as the ruleset is the same: a text file
 * in the state directory, valid for one boot, one namespace (its cookie, never reused within a
 * boot) and one ruleset generation (NFT_MSG_GETGEN, bumped by every committed change).
 *
 *   # check_conntrack nftables rules v2
 *   plugin <version that classified them: another version reads the rules again>
 *   boot <boot id>
 *   cookie <namespace cookie>
 *   generation <ruleset generation>
 *   keep <rules stored per class, 0: all>
 *   counts <state> <tracking> <notrack> <kinds> <tracking total> <exemption total>
 *   chain <family>TAB<table>TAB<chain>      the chain of the rules below
 *   what <text>                             what the rules below use
 *   rule <kinds> <handle>
 *   ...
 *   end <rule lines>
 *
 * Rules are stored in the order found, a chain or a what written only when it changes: every
 * rule of 10,000 fits in about 30 KiB, so that -v, which lists them all, takes the file too. A
 * run that lists 20 of each class reads the first few KiB and stops once it has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"

#define CACHE_MAGIC "# check_conntrack nftables rules v2\n"
#define CACHE_KINDS (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT | CT_RULE_NOTRACK)
/* What a run that lists 20 of each class reads first: the header and those rules, mostly. */
#define CACHE_PREFIX 8192

/* A name can go into the file when it holds no tab, newline or other control character. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Appends to buf at *used; false when it does not fit. */
static bool put(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used)
		return false;
	*used += (size_t)n;
	return true;
}

static bool storable(const struct ct_rule *x)
{
	return strcmp(x->backend, "nftables") == 0 && plain(x->family) && plain(x->table) &&
	       plain(x->chain) && plain(x->what);
}

/* One rule, after its chain and its what when they are not the previous rule's. */
static bool put_rule(char *buf, size_t len, size_t *used, const struct ct_rule *x,
		     const struct ct_rule *prev)
{
	if ((!prev || strcmp(x->family, prev->family) != 0 || strcmp(x->table, prev->table) != 0 ||
	     strcmp(x->chain, prev->chain) != 0) &&
	    !put(buf, len, used, "chain %s\t%s\t%s\n", x->family, x->table, x->chain))
		return false;
	if ((!prev || strcmp(x->what, prev->what) != 0) &&
	    !put(buf, len, used, "what %s\n", x->what))
		return false;
	return put(buf, len, used, "rule %u %" PRIu64 "\n", x->kinds, x->handle);
}

int ct_rules_cache_format(const struct ct_rules_cache_key *k, const struct ct_rules *r, size_t keep,
			  char *buf, size_t len)
{
	const struct ct_rule *prev = NULL;
	size_t used = 0, lines = 0, stored[2] = {0, 0};

	if (!k || !r || !buf || !k->boot_id || !k->boot_id[0] || !plain(k->boot_id) ||
	    strchr(k->boot_id, ' '))
		return -EINVAL;
	/* Fewer rules than the file says it keeps would pass for a complete list. */
	if (r->keep && (!keep || keep > r->keep))
		return -EINVAL;
	if (!put(buf, len, &used,
		 CACHE_MAGIC "plugin " CT_VERSION "\nboot %s\ncookie %" PRIu64
			     "\ngeneration %" PRIu32 "\nkeep %zu\ncounts %u %u %u %u %zu %zu\n",
		 k->boot_id, k->cookie, k->genid, keep, r->state_rules, r->tracking_rules,
		 r->notrack_rules, r->kinds, r->total[0], r->total[1]))
		return -ENOSPC;
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		int c = ct_rule_class(x->kinds);

		if (!storable(x))
			return -EINVAL;
		if (keep && stored[c] >= keep)
			continue;
		if (!put_rule(buf, len, &used, x, prev))
			return -ENOSPC;
		stored[c]++;
		lines++;
		prev = x;
	}
	if (!put(buf, len, &used, "end %zu\n", lines))
		return -ENOSPC;
	return used > INT32_MAX ? -ENOSPC : (int)used;
}

/* The next line of [*p, end) without its newline, NUL-terminated in place; NULL at the end. */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		return NULL; /* a last line without newline: torn, or the end of a prefix */
	*nl = '\0';
	*p = nl + 1;
	return s;
}

/* "<word> <unsigned> ..." values: strictly decimal, in range, separated by single spaces. */
static bool take_u64(char **s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (**s < '0' || **s > '9')
		return false;
	errno = 0;
	v = strtoull(*s, &end, 10);
	if (errno || v > max || (*end != ' ' && *end != '\0'))
		return false;
	*out = v;
	*s = *end == ' ' ? end + 1 : end;
	return true;
}

static bool take_field(char **s, char *dst, size_t dstlen, bool last)
{
	char *end = last ? *s + strlen(*s) : strchr(*s, '\t');
	size_t n;

	if (!end)
		return false;
	n = (size_t)(end - *s);
	if (n >= dstlen || n == 0)
		return false;
	memcpy(dst, *s, n);
	dst[n] = '\0';
	*s = last ? end : end + 1;
	return true;
}

/* The header's values: v[] of counts, and keep as stored. 0, -ESTALE or -EINVAL. */
static int parse_header(char **p, char *end, const struct ct_rules_cache_key *k, uint64_t v[6],
			uint64_t *keep)
{
	static const char *const keys[] = {"plugin ",	  "boot ", "cookie ",
					   "generation ", "keep ", "counts "};
	uint64_t x;
	char *line;

	for (int i = 0; i < 6; i++) {
		line = next_line(p, end);
		if (!line || strncmp(line, keys[i], strlen(keys[i])) != 0)
			return -EINVAL;
		line += strlen(keys[i]);
		switch (i) {
		case 0:
			if (strcmp(line, CT_VERSION) != 0)
				return -ESTALE;
			break;
		case 1:
			if (strcmp(line, k->boot_id) != 0)
				return -ESTALE;
			break;
		case 2:
		case 3:
			if (!take_u64(&line, i == 2 ? UINT64_MAX : UINT32_MAX, &x) || *line)
				return -EINVAL;
			if (x != (i == 2 ? k->cookie : k->genid))
				return -ESTALE;
			break;
		case 4:
			if (!take_u64(&line, SIZE_MAX, keep) || *line)
				return -EINVAL;
			break;
		default:
			for (int j = 0; j < 6; j++)
				if (!take_u64(&line, j == 3 ? CACHE_KINDS : UINT32_MAX, &v[j]))
					return -EINVAL;
			if (*line || v[0] > v[1] || v[4] != v[1] || v[5] > v[2])
				return -EINVAL;
		}
	}
	return 0;
}

/* Whether r holds every rule the output lists: keep (or all) of each class. */
static bool has_enough(const struct ct_rules *r, const uint64_t v[6])
{
	for (int c = 0; c < 2; c++) {
		uint64_t want = r->keep && r->keep < v[4 + c] ? r->keep : v[4 + c];

		if (r->kept[c] < want)
			return false;
	}
	return true;
}

/* The rule lines, after the header: 0 when r has what it needs, -EAGAIN (prefix ended), -EINVAL. */
static int parse_rules(char **p, char *end, bool whole, const uint64_t v[6], struct ct_rules *r)
{
	struct ct_rule rule = {.backend = "nftables"};
	bool have_chain = false, have_what = false;
	uint64_t kinds, handle, lines = 0, n;
	char *line, *s;
	int rc;

	while (!has_enough(r, v)) {
		line = next_line(p, end);
		if (!line)
			return whole ? -EINVAL : -EAGAIN;
		if (strncmp(line, "chain ", 6) == 0) {
			s = line + 6;
			have_chain = take_field(&s, rule.family, sizeof(rule.family), false) &&
				     take_field(&s, rule.table, sizeof(rule.table), false) &&
				     take_field(&s, rule.chain, sizeof(rule.chain), true);
			if (!have_chain)
				return -EINVAL;
		} else if (strncmp(line, "what ", 5) == 0) {
			s = line + 5;
			have_what = take_field(&s, rule.what, sizeof(rule.what), true);
			if (!have_what)
				return -EINVAL;
		} else if (strncmp(line, "rule ", 5) == 0) {
			s = line + 5;
			if (!have_chain || !have_what || !take_u64(&s, CACHE_KINDS, &kinds) ||
			    !kinds || !take_u64(&s, UINT64_MAX, &handle) || *s)
				return -EINVAL;
			rule.kinds = (unsigned)kinds;
			rule.handle = handle;
			rc = ct_rules_add(r, &rule);
			if (rc < 0)
				return rc;
			lines++;
			/* More rules than counted: the file is not what we wrote. */
			if (r->total[0] > v[4] || r->total[1] > v[5])
				return -EINVAL;
		} else {
			/* The end before the rules the output needs: not what we wrote either. */
			return -EINVAL;
		}
	}
	if (r->keep)
		return 0; /* the rest is not needed */
	line = next_line(p, end);
	if (!line)
		return whole ? -EINVAL : -EAGAIN;
	s = line + 4;
	if (strncmp(line, "end ", 4) != 0 || !take_u64(&s, UINT64_MAX, &n) || *s || n != lines ||
	    *p != end)
		return -EINVAL;
	return 0;
}

int ct_rules_cache_parse(char *text, size_t len, bool whole, const struct ct_rules_cache_key *k,
			 struct ct_rules *r)
{
	uint64_t v[6], keep;
	size_t magic = strlen(CACHE_MAGIC);
	char *p, *end;
	int rc;

	if (!text || !k || !k->boot_id || !r || r->n || r->total[0] || r->total[1])
		return -EINVAL;
	if (len < magic)
		return whole ? -EINVAL : -EAGAIN;
	if (memcmp(text, CACHE_MAGIC, magic) != 0)
		return -EINVAL;
	p = text + magic;
	end = text + len;
	rc = parse_header(&p, end, k, v, &keep);
	if (rc == -EINVAL && !whole && !memchr(p, '\n', (size_t)(end - p)))
		return -EAGAIN; /* perhaps only cut short */
	if (rc < 0)
		return rc;
	/* Stored with another limit: good only if it stored everything, or what we need. */
	if (keep != 0 && (r->keep == 0 || keep < r->keep))
		return -ESTALE;
	rc = parse_rules(&p, end, whole, v, r);
	if (rc < 0)
		return rc;
	r->state_rules = (unsigned)v[0];
	r->tracking_rules = (unsigned)v[1];
	r->notrack_rules = (unsigned)v[2];
	r->kinds = (unsigned)v[3];
	r->total[0] = (size_t)v[4];
	r->total[1] = (size_t)v[5];
	return 0;
}

/* The whole file, or its first len bytes when it is longer: bytes read or -errno. */
static ssize_t read_upto(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The file as the state files are checked: ours, regular, not a link, within the bound. */
static int open_checked(int dirfd, const char *name, struct stat *st, char *err, size_t errlen)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "cannot open it: %s", strerror(e));
		return -e;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_uid != geteuid() ||
	    st->st_size > CT_RULES_CACHE_MAX) {
		snprintf(err, errlen, "not a regular file of ours within %d bytes",
			 CT_RULES_CACHE_MAX);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int ct_rules_cache_load(int dirfd, const char *name, const struct ct_rules_cache_key *k,
			struct ct_rules *r, char *err, size_t errlen)
{
	struct ct_rules_mark mark = ct_rules_mark(r);
	char prefix[CACHE_PREFIX], *text;
	struct stat st = {0};
	ssize_t got;
	int fd, rc = -EAGAIN;

	fd = open_checked(dirfd, name, &st, err, errlen);
	if (fd < 0)
		return fd;
	/* Most runs need the first 20 rules of each class: a small read, no allocation. */
	if (r->keep && st.st_size > 0) {
		got = read_upto(fd, prefix, sizeof(prefix));
		rc = got < 0 ? (int)got
			     : ct_rules_cache_parse(prefix, (size_t)got, got == st.st_size, k, r);
		if (rc == -EAGAIN && lseek(fd, 0, SEEK_SET) < 0)
			rc = -errno;
	}
	if (rc == -EAGAIN) {
		ct_rules_rollback(r, &mark);
		text = malloc((size_t)st.st_size + 1);
		got = text ? read_upto(fd, text, (size_t)st.st_size + 1) : -ENOMEM;
		/* Replaced only under the lock we hold: a size that changed is not ours. */
		rc = got < 0		 ? (int)got
		     : got != st.st_size ? -EINVAL
					 : ct_rules_cache_parse(text, (size_t)got, true, k, r);
		free(text);
	}
	close(fd);
	if (rc < 0) {
		ct_rules_rollback(r, &mark);
		snprintf(err, errlen, "%s",
			 rc == -ESTALE	 ? "is for another ruleset"
			 : rc == -ENOMEM ? "out of memory"
			 : rc == -EINVAL ? "is unusable"
					 : strerror(-rc));
	}
	return rc;
}
