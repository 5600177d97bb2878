/* The rule list shared by the backends, x_tables name classification, and the module holders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_conntrack.h>

#include "owners.h"
#include "rules.h"

/*
 * Rules come in runs of one chain, so the last answer is kept: a ruleset of 10,000 rules asks
 * the owner table a few dozen times. The answer depends on the names only.
 */
static unsigned owners_of(const char *table, const char *chain)
{
	static char last_table[256], last_chain[256];
	static unsigned last_bits;
	static bool have_last;

	if (!table)
		table = "";
	if (!chain)
		chain = "";
	if (have_last && strcmp(table, last_table) == 0 && strcmp(chain, last_chain) == 0)
		return last_bits;
	last_bits = ct_owner_of(table, chain);
	have_last = strlen(table) < sizeof(last_table) && strlen(chain) < sizeof(last_chain);
	if (have_last) {
		strcpy(last_table, table);
		strcpy(last_chain, chain);
	}
	return last_bits;
}

void ct_rules_count(struct ct_rules *r, unsigned kinds, const char *table, const char *chain)
{
	unsigned owners = owners_of(table, chain);

	r->owners |= owners;
	if (!kinds)
		return;
	if (kinds & (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT))
		r->tracking_owners |= owners;
	r->kinds |= kinds;
	r->total[ct_rule_class(kinds)]++;
	if (kinds & CT_RULE_STATE)
		r->state_rules++;
	if (kinds & (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT))
		r->tracking_rules++;
	if (kinds & CT_RULE_NOTRACK)
		r->notrack_rules++;
}

int ct_rules_add(struct ct_rules *r, const struct ct_rule *rule)
{
	if (!ct_rules_wanted(r, rule->kinds)) {
		ct_rules_count(r, rule->kinds, rule->table, rule->chain);
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct ct_rule *list;

		if (cap < r->cap || cap > SIZE_MAX / sizeof(*list))
			return -ENOMEM;
		list = realloc(r->list, cap * sizeof(*list));
		if (!list)
			return -ENOMEM;
		r->list = list;
		r->cap = cap;
	}
	r->list[r->n++] = *rule;
	r->kept[ct_rule_class(rule->kinds)]++;
	ct_rules_count(r, rule->kinds, rule->table, rule->chain);
	return 0;
}

struct ct_rules_mark ct_rules_mark(const struct ct_rules *r)
{
	struct ct_rules_mark m = {
		.n = r->n,
		.total = {r->total[0], r->total[1]},
		.kept = {r->kept[0], r->kept[1]},
		.state_rules = r->state_rules,
		.tracking_rules = r->tracking_rules,
		.notrack_rules = r->notrack_rules,
		.kinds = r->kinds,
		.owners = r->owners,
		.tracking_owners = r->tracking_owners,
	};

	return m;
}

void ct_rules_rollback(struct ct_rules *r, const struct ct_rules_mark *m)
{
	r->n = m->n;
	memcpy(r->total, m->total, sizeof(r->total));
	memcpy(r->kept, m->kept, sizeof(r->kept));
	r->state_rules = m->state_rules;
	r->tracking_rules = m->tracking_rules;
	r->notrack_rules = m->notrack_rules;
	r->kinds = m->kinds;
	r->owners = m->owners;
	r->tracking_owners = m->tracking_owners;
}

void ct_rules_free(struct ct_rules *r)
{
	free(r->list);
	r->list = NULL;
	r->n = 0;
	r->cap = 0;
}

void ct_rules_what_add(char *what, size_t whatlen, const char *phrase)
{
	size_t plen, used;
	const char *p = what;

	if (!what || !whatlen)
		return; /* the rule is only counted: no text */
	plen = strlen(phrase);
	used = strnlen(what, whatlen);

	/* Already listed? Phrases are separated by ", ". */
	while ((p = strstr(p, phrase)) != NULL) {
		if ((p == what || (p >= what + 2 && p[-2] == ',' && p[-1] == ' ')) &&
		    (p[plen] == '\0' || p[plen] == ','))
			return;
		p += plen;
	}
	if (used >= whatlen)
		return;
	snprintf(what + used, whatlen - used, "%s%s", used ? ", " : "", phrase);
}

/* The conntrack match: --ctstate alone is a state match, anything else is other ct use. */
static unsigned conntrack_match_kinds(unsigned revision, const unsigned char *info, size_t len,
				      char *what, size_t whatlen)
{
	size_t off = offsetof(struct xt_conntrack_mtinfo1, match_flags);
	unsigned kinds = 0;
	uint16_t flags;

	/* Revision 0 has another layout; the field sits at the same place in revisions 1 to 3. */
	if (revision < 1 || len < off + sizeof(flags)) {
		ct_rules_what_add(what, whatlen, "conntrack match");
		return CT_RULE_STATE;
	}
	memcpy(&flags, info + off, sizeof(flags));
	/* iptables writes -m state as this match with the alias flag. */
	if (flags & XT_CONNTRACK_STATE) {
		ct_rules_what_add(what, whatlen,
				  flags & XT_CONNTRACK_STATE_ALIAS ? "state match"
								   : "ctstate match");
		kinds |= CT_RULE_STATE;
	}
	if (flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS) || !kinds) {
		ct_rules_what_add(what, whatlen, "conntrack match");
		kinds |= CT_RULE_CT;
	}
	return kinds;
}

static unsigned ct_target_kinds(const unsigned char *info, size_t len, char *what, size_t whatlen)
{
	uint16_t flags = 0;

	/* flags leads both struct xt_ct_target_info and xt_ct_target_info_v1. */
	if (len >= sizeof(flags))
		memcpy(&flags, info, sizeof(flags));
	if (flags & XT_CT_NOTRACK) {
		ct_rules_what_add(what, whatlen, "CT --notrack");
		return CT_RULE_NOTRACK;
	}
	ct_rules_what_add(what, whatlen, "CT target");
	return CT_RULE_CT;
}

unsigned ct_rules_xt_kinds(bool is_target, const char *name, unsigned revision, const void *info,
			   size_t len, char *what, size_t whatlen)
{
	static const char *const ct_matches[] = {"connmark",  "connlimit", "connbytes",
						 "connlabel", "helper",	   "cluster"};
	static const char *const nat_targets[] = {"MASQUERADE", "SNAT", "DNAT", "REDIRECT",
						  "NETMAP"};
	char phrase[48];
	size_t i;

	/*
	 * Most rules use none of these (tcp, udp, the standard target's empty name): the first
	 * letter turns them away before a dozen string compares.
	 */
	if (!name[0] || !strchr(is_target ? "CNMSDR" : "sch", name[0]))
		return 0;
	if (!is_target) {
		if (strcmp(name, "state") == 0) {
			ct_rules_what_add(what, whatlen, "state match");
			return CT_RULE_STATE;
		}
		if (strcmp(name, "conntrack") == 0)
			return conntrack_match_kinds(revision, info, len, what, whatlen);
		for (i = 0; i < sizeof(ct_matches) / sizeof(ct_matches[0]); i++) {
			if (strcmp(name, ct_matches[i]) == 0) {
				if (what && whatlen) {
					snprintf(phrase, sizeof(phrase), "%s match", name);
					ct_rules_what_add(what, whatlen, phrase);
				}
				return CT_RULE_CT;
			}
		}
		return 0;
	}
	if (strcmp(name, "CT") == 0)
		return ct_target_kinds(info, len, what, whatlen);
	if (strcmp(name, "NOTRACK") == 0) {
		ct_rules_what_add(what, whatlen, "NOTRACK");
		return CT_RULE_NOTRACK;
	}
	if (strcmp(name, "CONNMARK") == 0 || strcmp(name, "CONNSECMARK") == 0) {
		ct_rules_what_add(what, whatlen, name);
		return CT_RULE_CT;
	}
	for (i = 0; i < sizeof(nat_targets) / sizeof(nat_targets[0]); i++) {
		if (strcmp(name, nat_targets[i]) == 0) {
			ct_rules_what_add(what, whatlen, name);
			return CT_RULE_NAT;
		}
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

#define HOLDERS_MAX 64
#define HOLDER_NAME 64

/* <sysfs>/module/nf_conntrack/holders: one entry per module that holds it, sorted. */
static int holders_from_sysfs(DIR *dir, struct ct_rules *r)
{
	char names[HOLDERS_MAX][HOLDER_NAME];
	size_t n = 0, i, used = 0;
	struct dirent *de;

	while ((de = readdir(dir)) != NULL && n < HOLDERS_MAX) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(names[n++], HOLDER_NAME, "%.63s", de->d_name);
	}
	qsort(names, n, sizeof(names[0]), cmp_names);
	r->holders[0] = '\0';
	for (i = 0; i < n && used < sizeof(r->holders); i++) {
		int w = snprintf(r->holders + used, sizeof(r->holders) - used, "%s%s", i ? "," : "",
				 names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	r->have_holders = true;
	return 0;
}

/*
 * <procfs>/modules: "nf_conntrack 172032 4 nft_ct,xt_state, Live 0x0". Returns 1 when the line
 * was found (holders filled), 0 when not, -errno when the file cannot be read.
 */
static int holders_from_modules(const char *path, struct ct_rules *r)
{
	char line[4096], by[sizeof(line)];
	int found = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len;

		if (strncmp(line, "nf_conntrack ", 13) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s", by) != 1)
			break;
		if (strcmp(by, "-") == 0)
			by[0] = '\0';
		len = strlen(by);
		if (len && by[len - 1] == ',')
			by[len - 1] = '\0';
		snprintf(r->holders, sizeof(r->holders), "%.255s", by);
		r->have_holders = true;
		found = 1;
		break;
	}
	fclose(f);
	return found;
}

int ct_rules_holders(const char *procfs, const char *sysfs, struct ct_rules *r, char *err,
		     size_t errlen)
{
	char path[4096];
	struct stat st;
	DIR *dir;
	int rc;

	r->have_holders = false;
	r->holders[0] = '\0';
	/* A path that does not fit would be another, shorter one: never read that. */
	if (strlen(sysfs) + sizeof("/module/nf_conntrack/holders") > sizeof(path) ||
	    strlen(procfs) + sizeof("/modules") > sizeof(path)) {
		snprintf(err, errlen, "module holders: --sysfs or --procfs too long");
		return -ENAMETOOLONG;
	}
	snprintf(path, sizeof(path), "%s/module/nf_conntrack/holders", sysfs);
	dir = opendir(path);
	if (dir) {
		rc = holders_from_sysfs(dir, r);
		closedir(dir);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/modules", procfs);
	rc = holders_from_modules(path, r);
	if (rc == 1)
		return 0;
	/* Built into the kernel: sysfs knows the module but nothing can hold it. */
	snprintf(path, sizeof(path), "%s/module/nf_conntrack", sysfs);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (rc == 0) {
		/* Listed modules, none of them nf_conntrack: not loaded, so nothing holds it. */
		r->have_holders = true;
		return 0;
	}
	snprintf(err, errlen, "cannot read %s/modules: %s", procfs, strerror(-rc));
	return rc;
}
