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
 *          <tracking rules> <tracking objects> <tracking sets> <tracked l3>   (one line)
 *   owners <owners of any entry> <owners of entries that need tracking>  (owners.h bits)
 *   rule <item> <kinds> <l3> <handle> <position> <family>TAB<table>TAB<chain|name>TAB<what>
 *
 * The generation covers objects and sets as well as rules: every committed change bumps it. A
 * file of another format version is stale, not an error: the rules are read again. (v2 is
 * skipped: two development layouts used it, one with owners, one with objects and sets.)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "owners.h"
#include "rules.h"

#define CACHE_FORMAT "# check_conntrack nftables rules v"
#define CACHE_MAGIC CACHE_FORMAT "3\n"
#define CACHE_OWNERS ((1u << CT_OWNER_MAX) - 1)
#define CACHE_KINDS (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT | CT_RULE_NOTRACK)
#define CACHE_COUNTS 10

/* A name can go into the file when it holds no tab, newline or other control character. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int ct_rules_cache_format(const struct ct_rules_cache_key *k, const struct ct_rules *r, char *buf,
			  size_t len)
{
	size_t used = 0;
	int n;

	if (!k || !r || !buf || !k->boot_id || !k->boot_id[0] || !plain(k->boot_id) ||
	    strchr(k->boot_id, ' '))
		return -EINVAL;
	n = snprintf(buf, len,
		     CACHE_MAGIC
		     "plugin " CT_VERSION "\nboot %s\ncookie %" PRIu64 "\ngeneration %" PRIu32
		     "\nkeep %zu\ncounts %u %u %u %u %zu %zu %u %u %u %u\nowners %u %u\n",
		     k->boot_id, k->cookie, k->genid, r->keep, r->state_rules, r->tracking_rules,
		     r->notrack_rules, r->kinds, r->total[0], r->total[1],
		     r->tracking_items[CT_ITEM_RULE], r->tracking_items[CT_ITEM_OBJECT],
		     r->tracking_items[CT_ITEM_SET], r->tracking_l3, r->owners, r->tracking_owners);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	used = (size_t)n;
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		const char *place = x->item == CT_ITEM_RULE ? x->chain : x->name;

		if (strcmp(x->backend, "nftables") != 0 || x->item >= CT_ITEMS ||
		    !plain(x->family) || !plain(x->table) || !plain(place) || !plain(x->what))
			return -EINVAL;
		n = snprintf(buf + used, len - used,
			     "rule %u %u %u %" PRIu64 " %u %s\t%s\t%s\t%s\n", x->item, x->kinds,
			     x->l3, x->handle, x->position, x->family, x->table, place, x->what);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return (int)used;
}

/* The next line of [*p, end) without its newline, NUL-terminated in place; NULL at the end. */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		return NULL; /* a last line without newline: a torn file */
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
	if (n >= dstlen || (n == 0 && !last))
		return false;
	memcpy(dst, *s, n);
	dst[n] = '\0';
	*s = last ? end : end + 1;
	return true;
}

static int parse_rule(char *s, struct ct_rules *r)
{
	struct ct_rule rule = {.backend = "nftables"};
	uint64_t item, kinds, l3, handle, position;
	char *place;

	if (!take_u64(&s, CT_ITEMS - 1, &item) || !take_u64(&s, CACHE_KINDS, &kinds) || !kinds ||
	    !take_u64(&s, CT_L3_ALL, &l3) || !take_u64(&s, UINT64_MAX, &handle) ||
	    !take_u64(&s, UINT32_MAX, &position))
		return -EINVAL;
	place = item == CT_ITEM_RULE ? rule.chain : rule.name;
	if (!take_field(&s, rule.family, sizeof(rule.family), false) ||
	    !take_field(&s, rule.table, sizeof(rule.table), false) ||
	    !take_field(&s, place, sizeof(rule.chain), false) ||
	    !take_field(&s, rule.what, sizeof(rule.what), true))
		return -EINVAL;
	rule.item = (unsigned char)item;
	rule.owners = (unsigned short)ct_owner_of(rule.table, rule.chain);
	rule.kinds = (unsigned)kinds;
	rule.l3 = (unsigned char)l3;
	rule.handle = handle;
	rule.position = (unsigned)position;
	return ct_rules_add(r, &rule);
}

int ct_rules_cache_parse(char *text, size_t len, const struct ct_rules_cache_key *k,
			 struct ct_rules *r)
{
	static const char *const keys[] = {"plugin ", "boot ",	 "cookie ", "generation ",
					   "keep ",   "counts ", "owners "};
	uint64_t v[CACHE_COUNTS], owners[2], cookie, genid, keep;
	char *p, *end, *line;
	size_t magic = strlen(CACHE_MAGIC), want_keep;
	int rc = 0;

	if (!text || !k || !k->boot_id || !r || r->n || r->total[0] || r->total[1])
		return -EINVAL;
	want_keep = r->keep;
	p = text;
	end = text + len;
	if (len < magic || memcmp(text, CACHE_MAGIC, magic) != 0)
		return len >= strlen(CACHE_FORMAT) &&
				       memcmp(text, CACHE_FORMAT, strlen(CACHE_FORMAT)) == 0
			       ? -ESTALE
			       : -EINVAL;
	p += magic;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		line = next_line(&p, end);
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
			if (!take_u64(&line, UINT64_MAX, &cookie) || *line)
				return -EINVAL;
			if (cookie != k->cookie)
				return -ESTALE;
			break;
		case 3:
			if (!take_u64(&line, UINT32_MAX, &genid) || *line)
				return -EINVAL;
			if (genid != k->genid)
				return -ESTALE;
			break;
		case 4:
			if (!take_u64(&line, SIZE_MAX, &keep) || *line)
				return -EINVAL;
			break;
		case 5:
			for (int j = 0; j < CACHE_COUNTS; j++)
				if (!take_u64(&line,
					      j == 3   ? CACHE_KINDS
					      : j == 9 ? CT_L3_ALL
						       : UINT32_MAX,
					      &v[j]))
					return -EINVAL;
			if (*line)
				return -EINVAL;
			break;
		default:
			if (!take_u64(&line, CACHE_OWNERS, &owners[0]) ||
			    !take_u64(&line, CACHE_OWNERS, &owners[1]) || *line ||
			    (owners[1] & ~owners[0]))
				return -EINVAL;
		}
	}
	/* Stored with another limit: good only if it stored everything (or what we need). */
	if (keep != want_keep && keep != 0 && (want_keep == 0 || keep < want_keep))
		return -ESTALE;
	while (rc == 0 && (line = next_line(&p, end)) != NULL) {
		if (strncmp(line, "rule ", 5) != 0)
			return -EINVAL;
		rc = parse_rule(line + 5, r);
	}
	if (rc < 0 || p != end)
		return rc < 0 ? rc : -EINVAL;
	/* The counts must be able to hold the rules listed, and the list what the output needs. */
	if (r->kept[0] > v[4] || r->kept[1] > v[5] || v[0] > v[1] || v[4] != v[1] || v[5] > v[2] ||
	    (want_keep == 0 && (r->kept[0] != v[4] || r->kept[1] != v[5])) ||
	    v[6] + v[7] + v[8] != v[1] || (v[1] != 0) != (v[9] != 0) || (r->owners & ~owners[0]) ||
	    (r->tracking_owners & ~owners[1]) || (owners[1] && !v[1]))
		return -EINVAL;
	r->state_rules = (unsigned)v[0];
	r->tracking_rules = (unsigned)v[1];
	r->notrack_rules = (unsigned)v[2];
	r->kinds = (unsigned)v[3];
	r->total[0] = (size_t)v[4];
	r->total[1] = (size_t)v[5];
	for (int i = 0; i < CT_ITEMS; i++)
		r->tracking_items[i] = (unsigned)v[6 + i];
	r->tracking_l3 = (unsigned)v[9];
	r->owners = (unsigned)owners[0];
	r->tracking_owners = (unsigned)owners[1];
	return 0;
}
