/* Unit tests for owners.c and the owners the rule counting records (rules.c). */
#include "tap.h"
#include "owners.h"
#include "rules.h"

#include <string.h>

#define BIT(o) (1u << (o))

static void test_rows(void)
{
	static const struct {
		const char *table, *chain;
		unsigned want;
	} cases[] = {
		{"filter", "KUBE-SERVICES", BIT(CT_OWNER_KUBE_PROXY)},
		{"nat", "KUBE-POSTROUTING", BIT(CT_OWNER_KUBE_PROXY)},
		{"nat", "KUBE-SEP-ABCDEF", BIT(CT_OWNER_KUBE_PROXY)},
		{"filter", "KUBE-FIREWALL", BIT(CT_OWNER_KUBELET)},
		{"mangle", "KUBE-KUBELET-CANARY", BIT(CT_OWNER_KUBELET)},
		{"kube-proxy", "filter-forward", BIT(CT_OWNER_KUBE_PROXY)},
		{"filter", "DOCKER", BIT(CT_OWNER_DOCKER)},
		{"filter", "DOCKER-USER", BIT(CT_OWNER_DOCKER)},
		{"filter", "DOCKER-ISOLATION-STAGE-1", BIT(CT_OWNER_DOCKER)},
		{"docker-bridges", "filter-FORWARD", BIT(CT_OWNER_DOCKER)},
		{"nat", "LIBVIRT_PRT", BIT(CT_OWNER_LIBVIRT)},
		{"libvirt_network", "guest_nat", BIT(CT_OWNER_LIBVIRT)},
		{"firewalld", "filter_INPUT", BIT(CT_OWNER_FIREWALLD)},
		{"filter", "INPUT_ZONES", BIT(CT_OWNER_FIREWALLD)},
		{"filter", "FORWARD_IN_ZONES_SOURCE", BIT(CT_OWNER_FIREWALLD)},
		{"filter", "INPUT_direct", BIT(CT_OWNER_FIREWALLD)},
		{"filter", "ufw-before-input", BIT(CT_OWNER_UFW)},
		{"filter", "ufw6-before-input", BIT(CT_OWNER_UFW)},
		{"filter", "cali-FORWARD", BIT(CT_OWNER_CALICO)},
		{"calico", "filter-cali-pi-x", BIT(CT_OWNER_CALICO)},
		{"filter", "CILIUM_FORWARD", BIT(CT_OWNER_CILIUM)},
		/* Nobody's: built-in chains, look-alikes, empty and missing names. */
		{"filter", "INPUT", 0},
		{"nat", "POSTROUTING", 0},
		{"filter", "KUBE", 0},
		{"filter", "kube-services", 0},
		{"filter", "_ZONES", 0},
		{"filter", "docker", 0},
		{"filter", "cali", 0},
		{"inet", "", 0},
		{NULL, NULL, 0},
		{"", "ufw-", BIT(CT_OWNER_UFW)},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[128];

		snprintf(name, sizeof(name), "%s / %s", cases[i].table ? cases[i].table : "(null)",
			 cases[i].chain ? cases[i].chain : "(null)");
		is_int(ct_owner_of(cases[i].table, cases[i].chain), cases[i].want, name);
	}
}

static void test_line(void)
{
	char buf[512];

	is_int(ct_owner_line(0, 0, buf, sizeof(buf)), 0, "no owner: no line");
	is_str(buf, "", "no owner: empty");
	ct_owner_line(BIT(CT_OWNER_KUBE_PROXY), BIT(CT_OWNER_KUBE_PROXY), buf, sizeof(buf));
	is_str(buf,
	       "owner: kube-proxy (KUBE-* chains) writes rules here, rules that need tracking "
	       "are in its chains",
	       "one owner, its rules need tracking");
	ct_owner_line(BIT(CT_OWNER_DOCKER), 0, buf, sizeof(buf));
	is_str(buf,
	       "owner: Docker (DOCKER* chains) writes rules here, none of the rules that need "
	       "tracking is in its chains",
	       "one owner, tracking elsewhere (Docker's MASQUERADE sits in POSTROUTING)");
	ct_owner_line(BIT(CT_OWNER_KUBE_PROXY) | BIT(CT_OWNER_KUBELET) | BIT(CT_OWNER_DOCKER),
		      BIT(CT_OWNER_KUBE_PROXY) | BIT(CT_OWNER_KUBELET), buf, sizeof(buf));
	is_str(buf,
	       "owner: kube-proxy (KUBE-* chains), kubelet (KUBE-FIREWALL) and Docker "
	       "(DOCKER* chains) write rules here, rules that need tracking are in the chains "
	       "of kube-proxy and kubelet",
	       "three owners, two with tracking rules");
	is_int(ct_owner_line(BIT(CT_OWNER_UFW), BIT(CT_OWNER_UFW), buf, 10),
	       (int)strlen("owner: ufw (ufw-* chains) writes rules here, rules that need tracking "
			   "are in its chains"),
	       "cut to the buffer, the full length returned");
	is_str(buf, "owner: uf", "cut, terminated");
	for (int o = 0; o < CT_OWNER_MAX; o++)
		ok(strlen(ct_owner_advice(o)) > 40 && strlen(ct_owner_name(o)) > 2 &&
			   strlen(ct_owner_hint(o)) > 2,
		   "%s: name, hint and advice", ct_owner_name(o));
	ok(strstr(ct_owner_advice(CT_OWNER_KUBE_PROXY), "--conntrack-max-per-core") &&
		   strstr(ct_owner_advice(CT_OWNER_KUBE_PROXY), "32768") &&
		   strstr(ct_owner_advice(CT_OWNER_KUBE_PROXY),
			  "sysctl.d file alone does not last"),
	   "kube-proxy's advice: its flags, its default, why sysctl.d is not enough");
	is_str(ct_owner_name(CT_OWNER_MAX), "?", "out of range: no crash");
}

/* A rule, object or set of these kinds, as a backend counts it: owners from its names. */
static void count(struct ct_rules *r, unsigned kinds, enum ct_rule_item item, const char *table,
		  const char *chain)
{
	struct ct_rule x = {.kinds = kinds,
			    .item = (unsigned char)item,
			    .l3 = CT_L3_IPV4,
			    .owners = (unsigned short)ct_owner_of(table, chain)};

	ct_rules_count(r, &x);
}

/*
 * The counting path: every rule's owners count, kept or only counted, tracking or not. (That
 * the backends look them up for every chain they read is tested on their recorded replies.)
 */
static void test_counting(void)
{
	struct ct_rules r = {.keep = 1};
	struct ct_rule rule = {.family = "ip", .backend = CT_BACKEND_NFT, .table = "nat"};
	struct ct_rules_mark mark;

	snprintf(rule.chain, sizeof(rule.chain), "POSTROUTING");
	rule.kinds = CT_RULE_NAT;
	ct_rules_add(&r, &rule); /* kept */
	snprintf(rule.chain, sizeof(rule.chain), "KUBE-POSTROUTING");
	rule.owners = (unsigned short)ct_owner_of(rule.table, rule.chain);
	ct_rules_add(&r, &rule); /* beyond keep: counted only */
	count(&r, 0, CT_ITEM_RULE, "filter", "DOCKER-USER"); /* needs nothing */
	is_int(r.n, 1, "one rule kept");
	is_int(r.owners, BIT(CT_OWNER_KUBE_PROXY) | BIT(CT_OWNER_DOCKER),
	       "owners from a counted rule and a rule that needs nothing");
	is_int(r.tracking_owners, BIT(CT_OWNER_KUBE_PROXY), "tracking owners: the NAT rule's");
	is_int(r.tracking_items[CT_ITEM_RULE], 2, "the same call counts the items");
	mark = ct_rules_mark(&r);
	count(&r, CT_RULE_STATE, CT_ITEM_RULE, "filter", "ufw-before-input");
	ok(r.tracking_owners & BIT(CT_OWNER_UFW), "ufw added");
	ct_rules_rollback(&r, &mark);
	ok(!(r.owners & BIT(CT_OWNER_UFW)) && !(r.tracking_owners & BIT(CT_OWNER_UFW)) &&
		   r.tracking_items[CT_ITEM_RULE] == 2,
	   "a failed backend's owners are forgotten with its rules");
	count(&r, CT_RULE_NOTRACK, CT_ITEM_RULE, "raw", "cali-PREROUTING");
	ok((r.owners & BIT(CT_OWNER_CALICO)) && !(r.tracking_owners & BIT(CT_OWNER_CALICO)),
	   "an exemption's owner writes rules, not rules that need tracking");
	ct_rules_free(&r);
}

/* Objects and sets have a table and no chain: only a table row can name their owner. */
static void test_objects(void)
{
	struct ct_rules r = {.keep = CT_RULES_LISTED};
	struct ct_rule obj = {.family = "inet",
			      .backend = CT_BACKEND_NFT,
			      .table = "firewalld",
			      .name = "helper-ftp-tcp",
			      .kinds = CT_RULE_CT,
			      .item = CT_ITEM_OBJECT,
			      .l3 = CT_L3_ALL,
			      .owners = BIT(CT_OWNER_FIREWALLD)};

	is_int(ct_owner_of("firewalld", NULL), BIT(CT_OWNER_FIREWALLD), "a table alone");
	ct_rules_add(&r, &obj); /* stored */
	count(&r, 0, CT_ITEM_SET, "kube-proxy", NULL); /* a set that needs nothing */
	count(&r, 0, CT_ITEM_OBJECT, "inet", NULL); /* a counter in a table of nobody's */
	is_int(r.owners, BIT(CT_OWNER_FIREWALLD) | BIT(CT_OWNER_KUBE_PROXY),
	       "owners from the tables of objects and sets");
	is_int(r.tracking_owners, BIT(CT_OWNER_FIREWALLD), "the ct helper object's owner tracks");
	ok(r.tracking_items[CT_ITEM_OBJECT] == 1 && r.tracking_rules == 1 &&
		   r.tracking_l3 == CT_L3_ALL,
	   "the object counted with its item and families");
	count(&r, CT_RULE_CT, CT_ITEM_SET, "filter", NULL);
	ok(r.tracking_owners == BIT(CT_OWNER_FIREWALLD) && r.tracking_items[CT_ITEM_SET] == 1,
	   "a set with a ct count in a table of nobody's: counted, no owner");
	ct_rules_free(&r);
}

int main(void)
{
	test_rows();
	test_line();
	test_counting();
	test_objects();
	return tap_done();
}
