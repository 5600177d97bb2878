/* The output's words about rules: the summary's phrase and the long output's line per entry. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

/* Append to buf (a C string of room len), never past it. */
static void put(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const char *ct_rules_l3_only(const struct ct_rules *r)
{
	if (!r->tracking_rules)
		return NULL;
	if (r->tracking_l3 == CT_L3_IPV4)
		return "IPv4 only";
	if (r->tracking_l3 == CT_L3_IPV6)
		return "IPv6 only";
	return NULL;
}

void ct_rules_forced_phrase(const struct ct_rules *r, bool complete, char *buf, size_t len)
{
	static const char *const items[CT_ITEMS][2] = {
		{"rule", "rules"}, {"object", "objects"}, {"set", "sets"}};
	static const struct {
		unsigned kind;
		const char *name;
	} kinds[] = {
		{CT_RULE_STATE, "state match"}, {CT_RULE_CT, "other ct use"}, {CT_RULE_NAT, "NAT"}};
	unsigned n[CT_ITEMS], sum = 0;
	int i, shown = 0, parts = 0;
	bool exempt;
	const char *sep, *only;

	if (!len)
		return;
	buf[0] = '\0';
	if (!r->tracking_rules)
		return;
	memcpy(n, r->tracking_items, sizeof(n));
	for (i = 0; i < CT_ITEMS; i++) {
		sum += n[i];
		parts += n[i] != 0;
	}
	/* Counts that do not add up (never the case) are all called rules. */
	if (sum != r->tracking_rules) {
		memset(n, 0, sizeof(n));
		n[CT_ITEM_RULE] = r->tracking_rules;
		parts = 1;
	}
	/*
	 * With exemptions the kernel may track nothing (notrack on every hook where it would),
	 * or some traffic: both are said, and neither claimed.
	 */
	exempt = r->notrack_rules > 0;
	if (!exempt)
		put(buf, len, "tracking forced by %s", complete ? "" : "at least ");
	else if (!complete)
		put(buf, len, "at least ");
	/* "1 rule", "1 rule and 2 objects", "3 rules, 1 object and 1 set" */
	for (i = 0; i < CT_ITEMS; i++) {
		if (!n[i])
			continue;
		sep = !shown ? "" : shown == parts - 1 ? " and " : ", ";
		put(buf, len, "%s%u %s", sep, n[i], items[i][n[i] != 1]);
		shown++;
	}
	if (exempt)
		put(buf, len, " %s connection tracking", r->tracking_rules == 1 ? "needs" : "need");
	put(buf, len, " (");
	sep = "";
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (r->kinds & kinds[k].kind) {
			put(buf, len, "%s%s", sep, kinds[k].name);
			sep = ", ";
		}
	}
	put(buf, len, ")");
	/* A family left out is a claim: made only when every backend was read. */
	only = complete ? ct_rules_l3_only(r) : NULL;
	if (only)
		put(buf, len, ", %s%s", only, exempt ? "," : "");
	if (exempt)
		put(buf, len, " and %u %s traffic from it", r->notrack_rules,
		    r->notrack_rules == 1 ? "rule exempts" : "rules exempt");
}

void ct_rule_line(const struct ct_rule *x, char *buf, size_t len)
{
	static const char *const items[CT_ITEMS] = {"rule", "object", "set"};
	bool nft = x->backend == CT_BACKEND_NFT;
	unsigned item = x->item < CT_ITEMS ? x->item : CT_ITEM_RULE;

	if (!len)
		return;
	buf[0] = '\0';
	put(buf, len, "%s: %s %s %s ", ct_rule_class(x->kinds) ? "exemption" : items[item],
	    ct_rule_backend(x)->name, x->family, x->table);
	if (item != CT_ITEM_RULE)
		put(buf, len, "%s handle %" PRIu64, x->name, x->handle);
	else if (!nft)
		put(buf, len, "%s #%" PRIu64, x->chain, x->handle);
	else if (x->position)
		put(buf, len, "%s #%u handle %" PRIu64, x->chain, x->position, x->handle);
	else
		put(buf, len, "%s handle %" PRIu64, x->chain, x->handle);
	put(buf, len, ": %s", x->what);
}
