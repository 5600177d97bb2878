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

/* ct_rule.owners holds every owner bit. */
_Static_assert(CT_OWNER_MAX <= 16, "owner bits fit struct ct_rule.owners");

void ct_rules_count(struct ct_rules *r, const struct ct_rule *rule)
{
	unsigned kinds = rule->kinds;

	r->owners |= rule->owners;
	if (!kinds)
		return;
	r->kinds |= kinds;
	r->total[ct_rule_class(kinds)]++;
	if (kinds & CT_RULE_STATE)
		r->state_rules++;
	if (kinds & (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT)) {
		r->tracking_rules++;
		r->tracking_owners |= rule->owners;
		r->tracking_items[rule->item < CT_ITEMS ? rule->item : CT_ITEM_RULE]++;
		/* A family not known to be one of the two enables both. */
		r->tracking_l3 |= rule->l3 & CT_L3_ALL ? rule->l3 & CT_L3_ALL : CT_L3_ALL;
	}
	if (kinds & CT_RULE_NOTRACK)
		r->notrack_rules++;
}

int ct_rules_add(struct ct_rules *r, const struct ct_rule *rule)
{
	if (!ct_rules_wanted(r, rule->kinds)) {
		ct_rules_count(r, rule);
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
	ct_rules_count(r, rule);
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
		.tracking_l3 = r->tracking_l3,
		.owners = r->owners,
		.tracking_owners = r->tracking_owners,
	};

	memcpy(m.tracking_items, r->tracking_items, sizeof(m.tracking_items));
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
	memcpy(r->tracking_items, m->tracking_items, sizeof(r->tracking_items));
	r->tracking_l3 = m->tracking_l3;
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

/* A name from x_tables data: up to its first NUL within max bytes, unprintable bytes as '?'. */
static void xt_name(char *dst, const char *src, size_t max)
{
	size_t i;

	for (i = 0; i < max && src[i]; i++)
		dst[i] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

/* "--ctevents new,related": the event bits as iptables names them. */
static void ct_events(char *buf, size_t len, const char *option, uint32_t events, bool exp)
{
	static const char *const ct_names[] = {"new",	     "related",	  "destroy", "reply",
					       "assured",    "protoinfo", "helper",  "mark",
					       "natseqinfo", "secmark"};
	static const char *const exp_names[] = {"new"};
	const char *const *names = exp ? exp_names : ct_names;
	size_t n = exp ? 1 : sizeof(ct_names) / sizeof(ct_names[0]), used = strlen(buf);
	const char *sep = " ";

	if (!events || used >= len)
		return;
	used += (size_t)snprintf(buf + used, len - used, " %s", option);
	for (unsigned bit = 0; bit < 32 && used < len; bit++) {
		if (!(events & (1u << bit)))
			continue;
		if (bit < n)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", sep, names[bit]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%u", sep, bit);
		sep = ",";
	}
}

/*
 * The CT target as iptables-save writes it: "NOTRACK" (the alias), "CT --notrack", or "CT" with
 * the options that make it need tracking ("CT --helper ftp", "CT --zone 1").
 */
static unsigned ct_target_kinds(unsigned revision, const unsigned char *info, size_t len,
				char *what, size_t whatlen)
{
	struct xt_ct_target_info_v1 ct;
	const char *dir = "";
	char phrase[160] = "CT", name[40];
	size_t used;

	/*
	 * Revision 0 is the same up to the helper's name; 1 and 2 add the timeout policy. A field
	 * the data does not hold whole is not read.
	 */
	memset(&ct, 0, sizeof(ct));
	if (info)
		memcpy(&ct, info, len < sizeof(ct) ? len : sizeof(ct));
	if (len < offsetof(struct xt_ct_target_info_v1, zone))
		ct.flags = 0;
	if (len < offsetof(struct xt_ct_target_info_v1, ct_events))
		ct.zone = 0;
	if (len < offsetof(struct xt_ct_target_info_v1, exp_events))
		ct.ct_events = 0;
	if (len < offsetof(struct xt_ct_target_info_v1, helper))
		ct.exp_events = 0;
	if (len < offsetof(struct xt_ct_target_info_v1, timeout))
		memset(ct.helper, 0, sizeof(ct.helper));
	if (revision == 0 ||
	    len < offsetof(struct xt_ct_target_info_v1, timeout) + sizeof(ct.timeout))
		memset(ct.timeout, 0, sizeof(ct.timeout));
	if (ct.flags & XT_CT_NOTRACK) {
		ct_rules_what_add(what, whatlen,
				  ct.flags & XT_CT_NOTRACK_ALIAS ? "NOTRACK" : "CT --notrack");
		return CT_RULE_NOTRACK;
	}
	used = strlen(phrase);
	if (ct.helper[0]) {
		xt_name(name, ct.helper, sizeof(ct.helper));
		used += (size_t)snprintf(phrase + used, sizeof(phrase) - used, " --helper %s",
					 name);
	}
	if (ct.timeout[0] && used < sizeof(phrase)) {
		xt_name(name, ct.timeout, sizeof(ct.timeout));
		used += (size_t)snprintf(phrase + used, sizeof(phrase) - used, " --timeout %s",
					 name);
	}
	if ((ct.flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL)) == XT_CT_ZONE_DIR_ORIG)
		dir = "-orig";
	else if ((ct.flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL)) == XT_CT_ZONE_DIR_REPL)
		dir = "-reply";
	if (ct.flags & XT_CT_ZONE_MARK && used < sizeof(phrase))
		snprintf(phrase + used, sizeof(phrase) - used, " --zone%s mark", dir);
	else if (ct.zone && used < sizeof(phrase))
		snprintf(phrase + used, sizeof(phrase) - used, " --zone%s %u", dir,
			 (unsigned)ct.zone);
	ct_events(phrase, sizeof(phrase), "--ctevents", ct.ct_events, false);
	ct_events(phrase, sizeof(phrase), "--expevents", ct.exp_events, true);
	ct_rules_what_add(what, whatlen, phrase);
	return CT_RULE_CT;
}

unsigned ct_rules_xt_kinds(bool is_target, const char *name, unsigned revision, const void *info,
			   size_t len, char *what, size_t whatlen)
{
	static const char *const ct_matches[] = {"connmark",  "connlimit", "connbytes",
						 "connlabel", "helper",	   "cluster"};
	static const char *const nat_targets[] = {"MASQUERADE", "SNAT", "DNAT", "REDIRECT",
						  "NETMAP"};
	/* Targets whose check asks the kernel for tracking in the rule's family. */
	static const char *const ct_targets[] = {"CONNMARK", "CONNSECMARK", "SYNPROXY",
						 "CLUSTERIP"};
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
		return ct_target_kinds(revision, info, len, what, whatlen);
	if (strcmp(name, "NOTRACK") == 0) {
		ct_rules_what_add(what, whatlen, "NOTRACK");
		return CT_RULE_NOTRACK;
	}
	for (i = 0; i < sizeof(ct_targets) / sizeof(ct_targets[0]); i++) {
		if (strcmp(name, ct_targets[i]) == 0) {
			ct_rules_what_add(what, whatlen, name);
			return CT_RULE_CT;
		}
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
