/*
 * What the nftables rules said last time, for as long as the ruleset is the same: a text file
 * in the state directory, valid for one boot, one namespace (its cookie, never reused within a
 * boot) and one ruleset generation (NFT_MSG_GETGEN, bumped by every committed change).
 *
 *   # check_conntrack nftables rules v4
 *   plugin <version that classified them: another version reads the rules again>
 *   boot <boot id>
 *   cookie <namespace cookie>
 *   generation <ruleset generation>
 *   keep <entries stored per class, 0: all>
 *   counts <state> <tracking> <notrack> <kinds> <tracking total> <exemption total>
 *          <tracking rules> <tracking objects> <tracking sets> <tracked l3>   (one line)
 *   owners <owners of any entry> <owners of entries that need tracking>  (owners.h bits)
 *   object <kinds> <l3> <handle> <family>TAB<table>TAB<name>TAB<what>    a stateful object
 *   set <kinds> <l3> <handle> <family>TAB<table>TAB<name>TAB<what>       a set
 *   chain <l3> <family>TAB<table>TAB<chain>      the chain of the rules below
 *   what <text>                                  what the rules below use
 *   rule <kinds> <handle> <position>
 *   ...
 *   end <entries>
 *
 * Entries are stored in the order found. Objects and sets are few and each has its own name: a
 * line each. Rules are many and share chains and phrases: a chain or a what is written only when
 * it changes, so that every rule of 10,000 fits in about 35 KiB and -v, which lists them all,
 * takes the file too. A run that lists 20 of each class reads the first few KiB and stops once
 * it has them. The generation covers objects and sets as well as rules: every committed change
 * bumps it. A file of another format version is stale, not an error: the rules are read again
 * (v2 was used by three layouts, v3 kept one line per rule and no end).
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

#include "mp.h"
#include "owners.h"
#include "rules.h"

#define CACHE_FORMAT "# check_conntrack nftables rules v"
#define CACHE_MAGIC CACHE_FORMAT "4\n"
#define CACHE_OWNERS ((1u << CT_OWNER_MAX) - 1)
#define CACHE_KINDS (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT | CT_RULE_NOTRACK)
/* The values of the counts and owners lines: v[] below. */
enum {
	C_STATE,
	C_TRACKING,
	C_NOTRACK,
	C_KINDS,
	C_TOTAL, /* C_TOTAL + class: ct_rules.total[] */
	C_ITEMS = C_TOTAL + 2, /* C_ITEMS + item: ct_rules.tracking_items[] */
	C_L3 = C_ITEMS + CT_ITEMS,
	C_OWNERS, /* C_OWNERS + 0, 1: owners, tracking_owners (the owners line) */
	C_VALUES = C_OWNERS + 2,
};
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

/* The line keyword of each item: an object or a set is one line, a rule follows its chain. */
static const char *const item_key[CT_ITEMS] = {
	[CT_ITEM_RULE] = "rule ", [CT_ITEM_OBJECT] = "object ", [CT_ITEM_SET] = "set "};

static bool storable(const struct ct_rule *x)
{
	bool rule = x->item == CT_ITEM_RULE;

	if (x->backend != CT_BACKEND_NFT || x->item >= CT_ITEMS || !x->kinds ||
	    (x->kinds & ~CACHE_KINDS) || (x->l3 & ~CT_L3_ALL))
		return false;
	/* A rule has a chain and a rule number, an object or a set a name: only that is written. */
	if (rule ? !x->chain[0] || x->name[0] : !x->name[0] || x->chain[0] || x->position)
		return false;
	return x->family[0] && x->table[0] && plain(x->family) && plain(x->table) &&
	       plain(rule ? x->chain : x->name) && plain(x->what);
}

/* A rule, after its chain and its what when they are not the previous rule's. */
static bool put_rule(char *buf, size_t len, size_t *used, const struct ct_rule *x,
		     const struct ct_rule *prev)
{
	if ((!prev || x->l3 != prev->l3 || strcmp(x->family, prev->family) != 0 ||
	     strcmp(x->table, prev->table) != 0 || strcmp(x->chain, prev->chain) != 0) &&
	    !put(buf, len, used, "chain %u %s\t%s\t%s\n", x->l3, x->family, x->table, x->chain))
		return false;
	if ((!prev || strcmp(x->what, prev->what) != 0) &&
	    !put(buf, len, used, "what %s\n", x->what))
		return false;
	return put(buf, len, used, "rule %u %" PRIu64 " %u\n", x->kinds, x->handle, x->position);
}

/* An object or a set: all of it on its line. */
static bool put_named(char *buf, size_t len, size_t *used, const struct ct_rule *x)
{
	return put(buf, len, used, "%s%u %u %" PRIu64 " %s\t%s\t%s\t%s\n", item_key[x->item],
		   x->kinds, x->l3, x->handle, x->family, x->table, x->name, x->what);
}

static bool put_header(char *buf, size_t len, size_t *used, const struct ct_rules_cache_key *k,
		       const struct ct_rules *r, size_t keep)
{
	return put(buf, len, used,
		   CACHE_MAGIC "plugin " CT_VERSION "\nboot %s\ncookie %" PRIu64
			       "\ngeneration %" PRIu32
			       "\nkeep %zu\ncounts %u %u %u %u %zu %zu %u %u %u %u\nowners %u %u\n",
		   k->boot_id, k->cookie, k->genid, keep, r->state_rules, r->tracking_rules,
		   r->notrack_rules, r->kinds, r->total[0], r->total[1],
		   r->tracking_items[CT_ITEM_RULE], r->tracking_items[CT_ITEM_OBJECT],
		   r->tracking_items[CT_ITEM_SET], r->tracking_l3, r->owners, r->tracking_owners);
}

int ct_rules_cache_format(const struct ct_rules_cache_key *k, const struct ct_rules *r, size_t keep,
			  char *buf, size_t len)
{
	const struct ct_rule *prev = NULL;
	size_t used = 0, lines = 0, stored[2] = {0, 0};

	if (!k || !r || !buf || !k->boot_id || !k->boot_id[0] || !plain(k->boot_id) ||
	    strchr(k->boot_id, ' '))
		return -EINVAL;
	/* Fewer entries than the file says it keeps would pass for a complete list. */
	if (r->keep && (!keep || keep > r->keep))
		return -EINVAL;
	if (!put_header(buf, len, &used, k, r, keep))
		return -ENOSPC;
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		int c = ct_rule_class(x->kinds);

		if (!storable(x))
			return -EINVAL;
		if (keep && stored[c] >= keep)
			continue;
		if (x->item != CT_ITEM_RULE ? !put_named(buf, len, &used, x)
					    : !put_rule(buf, len, &used, x, prev))
			return -ENOSPC;
		if (x->item == CT_ITEM_RULE)
			prev = x;
		stored[c]++;
		lines++;
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
	size_t n = strcspn(*s, " ");

	if (mp_parse_u64(*s, n, max, out) < 0)
		return false;
	*s += (*s)[n] == ' ' ? n + 1 : n;
	return true;
}

static bool take_field(char **s, char *dst, size_t dstlen, bool last)
{
	char *end = last ? *s + strlen(*s) : strchr(*s, '\t');
	size_t n;

	if (!end)
		return false;
	n = (size_t)(end - *s);
	if (n >= dstlen || (n == 0 && !last))
		return false;
	memcpy(dst, *s, n);
	dst[n] = '\0';
	*s = last ? end : end + 1;
	return true;
}

/* The largest value each field of the counts line may hold. */
static uint64_t count_max(int j)
{
	if (j == C_KINDS)
		return CACHE_KINDS;
	return j == C_L3 ? CT_L3_ALL : UINT32_MAX;
}

/* The counts line's values, each within what it can hold; consistent with one another. */
static bool take_counts(char *s, uint64_t v[C_VALUES])
{
	for (int j = 0; j < C_OWNERS; j++)
		if (!take_u64(&s, count_max(j), &v[j]))
			return false;
	/*
	 * State rules need tracking; every entry that needs it is in the tracking total and in one
	 * item's count; exemptions are at most the notrack entries; families come with tracking.
	 */
	return !*s && v[C_STATE] <= v[C_TRACKING] && v[C_TOTAL] == v[C_TRACKING] &&
	       v[C_TOTAL + 1] <= v[C_NOTRACK] &&
	       v[C_ITEMS + CT_ITEM_RULE] + v[C_ITEMS + CT_ITEM_OBJECT] + v[C_ITEMS + CT_ITEM_SET] ==
		       v[C_TRACKING] &&
	       (v[C_TRACKING] != 0) == (v[C_L3] != 0);
}

/* Owners of entries that need tracking are owners, and need such entries. */
static bool take_owners(char *s, uint64_t v[C_VALUES])
{
	return take_u64(&s, CACHE_OWNERS, &v[C_OWNERS]) &&
	       take_u64(&s, CACHE_OWNERS, &v[C_OWNERS + 1]) && !*s &&
	       !(v[C_OWNERS + 1] & ~v[C_OWNERS]) && (!v[C_OWNERS + 1] || v[C_TRACKING]);
}

/* The header's values: v[] of counts and owners, and keep as stored. 0, -ESTALE or -EINVAL. */
static int parse_header(char **p, char *end, const struct ct_rules_cache_key *k,
			uint64_t v[C_VALUES], uint64_t *keep)
{
	static const char *const keys[] = {"plugin ", "boot ",	 "cookie ", "generation ",
					   "keep ",   "counts ", "owners "};
	uint64_t x;
	char *line;

	for (int i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++) {
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
		case 5:
			if (!take_counts(line, v))
				return -EINVAL;
			break;
		default:
			if (!take_owners(line, v))
				return -EINVAL;
		}
	}
	return 0;
}

/* Whether r holds every entry the output lists: keep (or all) of each class. */
static bool has_enough(const struct ct_rules *r, const uint64_t v[C_VALUES])
{
	for (int c = 0; c < 2; c++) {
		uint64_t want = r->keep && r->keep < v[C_TOTAL + c] ? r->keep : v[C_TOTAL + c];

		if (r->kept[c] < want)
			return false;
	}
	return true;
}

/* The rules that follow: where they are, and what they use. */
struct context {
	struct ct_rule rule;
	bool have_chain, have_what;
};

/* "chain <l3> <family>TAB<table>TAB<chain>": who wrote it is looked up once, here. */
static bool take_chain(char *s, struct context *c)
{
	uint64_t l3 = 0;

	c->have_chain = take_u64(&s, CT_L3_ALL, &l3) &&
			take_field(&s, c->rule.family, sizeof(c->rule.family), false) &&
			take_field(&s, c->rule.table, sizeof(c->rule.table), false) &&
			take_field(&s, c->rule.chain, sizeof(c->rule.chain), true) &&
			c->rule.chain[0];
	if (!c->have_chain)
		return false;
	c->rule.l3 = (unsigned char)l3;
	c->rule.owners = (unsigned short)ct_owner_of(c->rule.table, c->rule.chain);
	return true;
}

/* "rule <kinds> <handle> <position>" in the chain and with the what above it. */
static int take_rule(char *s, struct context *c, struct ct_rules *r)
{
	uint64_t kinds, handle, position;

	if (!c->have_chain || !c->have_what || !take_u64(&s, CACHE_KINDS, &kinds) || !kinds ||
	    !take_u64(&s, UINT64_MAX, &handle) || !take_u64(&s, UINT32_MAX, &position) || *s)
		return -EINVAL;
	c->rule.kinds = (unsigned)kinds;
	c->rule.handle = handle;
	c->rule.position = (unsigned)position;
	return ct_rules_add(r, &c->rule);
}

/* "object ..." or "set ...": one line each, owned by its table. */
static int take_named(char *s, enum ct_rule_item item, struct ct_rules *r)
{
	struct ct_rule x = {.backend = CT_BACKEND_NFT, .item = (unsigned char)item};
	uint64_t kinds, l3, handle;

	if (!take_u64(&s, CACHE_KINDS, &kinds) || !kinds || !take_u64(&s, CT_L3_ALL, &l3) ||
	    !take_u64(&s, UINT64_MAX, &handle) ||
	    !take_field(&s, x.family, sizeof(x.family), false) ||
	    !take_field(&s, x.table, sizeof(x.table), false) ||
	    !take_field(&s, x.name, sizeof(x.name), false) ||
	    !take_field(&s, x.what, sizeof(x.what), true))
		return -EINVAL;
	x.kinds = (unsigned)kinds;
	x.l3 = (unsigned char)l3;
	x.handle = handle;
	x.owners = (unsigned short)ct_owner_of(x.table, NULL);
	return ct_rules_add(r, &x);
}

/* One line of the list: 1 for an entry, 0 for a chain or a what, -EINVAL, -ENOMEM. */
static int take_line(char *line, struct context *c, struct ct_rules *r)
{
	char *s;
	int rc;

	if (strncmp(line, "chain ", 6) == 0)
		return take_chain(line + 6, c) ? 0 : -EINVAL;
	if (strncmp(line, "what ", 5) == 0) {
		s = line + 5;
		c->have_what = take_field(&s, c->rule.what, sizeof(c->rule.what), true);
		return c->have_what ? 0 : -EINVAL;
	}
	for (int i = 0; i < CT_ITEMS; i++) {
		size_t n = strlen(item_key[i]);

		if (strncmp(line, item_key[i], n) != 0)
			continue;
		rc = i == CT_ITEM_RULE ? take_rule(line + n, c, r)
				       : take_named(line + n, (enum ct_rule_item)i, r);
		return rc < 0 ? rc : 1;
	}
	/* The end before the entries the output needs, or anything else: not what we wrote. */
	return -EINVAL;
}

/*
 * What was read agrees with the header: never more than it counts, nothing it does not name;
 * a complete list (every entry read) is exactly what it counts.
 */
static bool agrees(const struct ct_rules *r, const uint64_t v[C_VALUES])
{
	bool subset = r->total[0] <= v[C_TOTAL] && r->total[1] <= v[C_TOTAL + 1] &&
		      r->state_rules <= v[C_STATE] && r->tracking_rules <= v[C_TRACKING] &&
		      r->notrack_rules <= v[C_NOTRACK] && !(r->kinds & ~v[C_KINDS]) &&
		      !(r->tracking_l3 & ~v[C_L3]) && !(r->owners & ~v[C_OWNERS]) &&
		      !(r->tracking_owners & ~v[C_OWNERS + 1]);

	for (int i = 0; i < CT_ITEMS; i++)
		subset = subset && r->tracking_items[i] <= v[C_ITEMS + i];
	if (!subset || r->keep)
		return subset;
	for (int i = 0; i < CT_ITEMS; i++)
		if (r->tracking_items[i] != v[C_ITEMS + i])
			return false;
	return r->total[0] == v[C_TOTAL] && r->total[1] == v[C_TOTAL + 1] &&
	       r->state_rules == v[C_STATE] && r->notrack_rules == v[C_NOTRACK] &&
	       r->kinds == v[C_KINDS] && r->tracking_l3 == v[C_L3] &&
	       r->tracking_owners == v[C_OWNERS + 1];
}

/*
 * The entry lines, after the header: 0 when r has what it needs, -EAGAIN (prefix ended),
 * -EINVAL, -ENOMEM.
 */
static int parse_entries(char **p, char *end, bool whole, const uint64_t v[C_VALUES],
			 struct ct_rules *r)
{
	struct context c = {.rule = {.backend = CT_BACKEND_NFT, .item = CT_ITEM_RULE}};
	uint64_t lines = 0, n;
	char *line, *s;
	int rc;

	while (!has_enough(r, v)) {
		line = next_line(p, end);
		if (!line)
			return whole ? -EINVAL : -EAGAIN;
		rc = take_line(line, &c, r);
		if (rc < 0)
			return rc;
		lines += (uint64_t)rc;
		/* More than counted: the file is not what we wrote. */
		if (r->total[0] > v[C_TOTAL] || r->total[1] > v[C_TOTAL + 1])
			return -EINVAL;
	}
	if (!agrees(r, v))
		return -EINVAL;
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

/* The magic line: 0 (this format), -ESTALE (another version), -EINVAL, -EAGAIN (cut short). */
static int check_magic(const char *text, size_t len, bool whole)
{
	size_t magic = strlen(CACHE_MAGIC), format = strlen(CACHE_FORMAT);

	if (len >= magic && memcmp(text, CACHE_MAGIC, magic) == 0)
		return 0;
	if (len >= format && memcmp(text, CACHE_FORMAT, format) == 0)
		return whole || memchr(text, '\n', len) ? -ESTALE : -EAGAIN;
	if (!whole && memcmp(text, CACHE_FORMAT, len < format ? len : format) == 0)
		return -EAGAIN;
	return -EINVAL;
}

int ct_rules_cache_parse(char *text, size_t len, bool whole, const struct ct_rules_cache_key *k,
			 struct ct_rules *r)
{
	uint64_t v[C_VALUES], keep;
	char *p, *end;
	int rc;

	if (!text || !k || !k->boot_id || !r || r->n || r->total[0] || r->total[1])
		return -EINVAL;
	rc = check_magic(text, len, whole);
	if (rc < 0)
		return rc;
	p = text + strlen(CACHE_MAGIC);
	end = text + len;
	rc = parse_header(&p, end, k, v, &keep);
	if (rc == -EINVAL && !whole && !memchr(p, '\n', (size_t)(end - p)))
		return -EAGAIN; /* perhaps only cut short */
	if (rc < 0)
		return rc;
	/* Stored with another limit: good only if it stored everything, or what we need. */
	if (keep != 0 && (r->keep == 0 || keep < r->keep))
		return -ESTALE;
	rc = parse_entries(&p, end, whole, v, r);
	if (rc < 0)
		return rc;
	r->state_rules = (unsigned)v[C_STATE];
	r->tracking_rules = (unsigned)v[C_TRACKING];
	r->notrack_rules = (unsigned)v[C_NOTRACK];
	r->kinds = (unsigned)v[C_KINDS];
	r->total[0] = (size_t)v[C_TOTAL];
	r->total[1] = (size_t)v[C_TOTAL + 1];
	for (int i = 0; i < CT_ITEMS; i++)
		r->tracking_items[i] = (unsigned)v[C_ITEMS + i];
	r->tracking_l3 = (unsigned)v[C_L3];
	r->owners = (unsigned)v[C_OWNERS];
	r->tracking_owners = (unsigned)v[C_OWNERS + 1];
	return 0;
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
	/* Most runs need the first 20 entries of each class: a small read, no allocation. */
	if (r->keep && st.st_size > 0) {
		got = mp_read_fd(fd, prefix, sizeof(prefix), 0, false);
		rc = got < 0 ? (int)got
			     : ct_rules_cache_parse(prefix, (size_t)got, got == st.st_size, k, r);
		if (rc == -EAGAIN && lseek(fd, 0, SEEK_SET) < 0)
			rc = -errno;
	}
	if (rc == -EAGAIN) {
		ct_rules_rollback(r, &mark);
		text = malloc((size_t)st.st_size + 1);
		got = text ? mp_read_fd(fd, text, (size_t)st.st_size + 1, 0, false) : -ENOMEM;
		/* Replaced whole, never written into: a size that changed is not the file. */
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
