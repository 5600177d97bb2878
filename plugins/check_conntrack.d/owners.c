/* Who wrote the firewall rules: one row per naming convention, one per owner for its advice. */
#include "owners.h"
#include "units.h"

#include <stdio.h>
#include <string.h>

enum owner_field { OWNER_TABLE, OWNER_CHAIN };

/*
 * The names each program gives its tables and chains. A pattern "X*" is X or a name that starts
 * with it, "*X" a name that ends with it, anything else the whole name. The first matching row
 * wins: kubelet writes two KUBE- chains of its own (KUBE-FIREWALL drops outside traffic to
 * 127.0.0.0/8 by connection state); every other KUBE- chain is kube-proxy's (kubelets before 1.25
 * wrote some of those too).
 */
static const struct {
	const char *pattern;
	enum owner_field field;
	enum ct_owner owner;
} owner_rows[] = {
	{"KUBE-FIREWALL", OWNER_CHAIN, CT_OWNER_KUBELET},
	{"KUBE-KUBELET-CANARY", OWNER_CHAIN, CT_OWNER_KUBELET},
	{"KUBE-*", OWNER_CHAIN, CT_OWNER_KUBE_PROXY}, /* iptables and ipvs modes */
	{"kube-proxy", OWNER_TABLE, CT_OWNER_KUBE_PROXY}, /* nftables mode */
	{"DOCKER*", OWNER_CHAIN, CT_OWNER_DOCKER},
	{"docker-bridges", OWNER_TABLE, CT_OWNER_DOCKER}, /* its nftables backend */
	{"LIBVIRT_*", OWNER_CHAIN, CT_OWNER_LIBVIRT},
	{"libvirt_network", OWNER_TABLE, CT_OWNER_LIBVIRT}, /* its nftables backend */
	{"firewalld", OWNER_TABLE, CT_OWNER_FIREWALLD}, /* its nftables backend */
	{"*_ZONES", OWNER_CHAIN, CT_OWNER_FIREWALLD}, /* its iptables backend */
	{"*_ZONES_SOURCE", OWNER_CHAIN, CT_OWNER_FIREWALLD},
	{"*_direct", OWNER_CHAIN, CT_OWNER_FIREWALLD},
	{"ufw-*", OWNER_CHAIN, CT_OWNER_UFW},
	{"ufw6-*", OWNER_CHAIN, CT_OWNER_UFW},
	{"cali-*", OWNER_CHAIN, CT_OWNER_CALICO},
	{"calico", OWNER_TABLE, CT_OWNER_CALICO}, /* its nftables data plane */
	{"CILIUM_*", OWNER_CHAIN, CT_OWNER_CILIUM},
};

/* Each owner: its name, how it was recognised, and what it means for the table. */
static const struct {
	const char *name;
	const char *hint;
	const char *advice;
} owners[CT_OWNER_MAX] = {
	[CT_OWNER_KUBE_PROXY] = {"kube-proxy", "KUBE-* chains",
				 "kube-proxy sets nf_conntrack_max when it starts, to "
				 "--conntrack-max-per-core times the CPUs (32768 per core by "
				 "default) but at least --conntrack-min (131072), and raises "
				 "hashsize to a quarter of it (recent releases only raise the "
				 "limit, older ones set it outright): size the table in "
				 "kube-proxy's configuration (conntrack.maxPerCore, "
				 "conntrack.min), as a sysctl.d file alone does not last"},
	[CT_OWNER_KUBELET] = {"kubelet", "KUBE-FIREWALL",
			      "kubelet writes KUBE-FIREWALL each time it starts (it drops "
			      "traffic to 127.0.0.0/8 from outside by connection state), so that "
			      "rule comes back whatever is removed by hand"},
	[CT_OWNER_DOCKER] = {"Docker", "DOCKER* chains",
			     "Docker writes its rules when it starts and again on restart, with "
			     "NAT for containers (MASQUERADE, DNAT for published ports) that needs "
			     "tracking: raise the limit rather than exempt container traffic, and "
			     "put rules of your own in DOCKER-USER"},
	[CT_OWNER_LIBVIRT] = {"libvirt", "LIBVIRT_* chains",
			      "libvirt writes these rules when a virtual network starts, and NAT "
			      "networks masquerade guest traffic, which needs tracking: raise the "
			      "limit rather than exempt guest traffic"},
	[CT_OWNER_FIREWALLD] =
		{"firewalld", "table firewalld or its zone chains",
		 "firewalld rewrites the whole ruleset when it starts or reloads and "
		 "its zones accept established traffic by connection state, so "
		 "tracking stays while it runs: change rules with firewall-cmd "
		 "--permanent, as rules added with nft or iptables are lost at the "
		 "next reload"},
	[CT_OWNER_UFW] =
		{"ufw", "ufw-* chains",
		 "ufw accepts established traffic by connection state, so tracking stays "
		 "while ufw is enabled, it also applies /etc/ufw/sysctl.conf when it starts "
		 "(IPT_SYSCTL in /etc/default/ufw), after sysctl.d: a limit set there wins"},
	[CT_OWNER_CALICO] = {"Calico", "cali-* chains",
			     "Calico's Felix keeps these rules in place and undoes changes made by "
			     "hand: exempt traffic with a Calico policy marked doNotTrack (applied "
			     "in the raw table), not with rules of your own"},
	[CT_OWNER_CILIUM] = {"Cilium", "CILIUM_* chains",
			     "Cilium rewrites these chains, with native routing and its kube-proxy "
			     "replacement it can leave pod traffic untracked itself "
			     "(installNoConntrackIptablesRules)"},
};

static bool matches(const char *pattern, const char *name)
{
	size_t pl, nl;

	/* A suffix names the end of a longer name: "_ZONES" alone is nobody's. */
	if (pattern[0] == '*') {
		pl = strlen(pattern + 1);
		nl = strlen(name);
		return nl > pl && memcmp(name + nl - pl, pattern + 1, pl) == 0;
	}
	/* Every chain read is looked up: compared in place, most names fail at once. */
	for (; *pattern && *pattern != '*'; pattern++, name++)
		if (*pattern != *name)
			return false;
	return *pattern == '*' || *name == '\0';
}

unsigned ct_owner_of(const char *table, const char *chain)
{
	for (size_t i = 0; i < sizeof(owner_rows) / sizeof(owner_rows[0]); i++) {
		const char *name = owner_rows[i].field == OWNER_TABLE ? table : chain;

		if (name && *name && matches(owner_rows[i].pattern, name))
			return 1u << owner_rows[i].owner;
	}
	return 0;
}

const char *ct_owner_name(enum ct_owner o)
{
	return (unsigned)o < CT_OWNER_MAX ? owners[o].name : "?";
}

const char *ct_owner_hint(enum ct_owner o)
{
	return (unsigned)o < CT_OWNER_MAX ? owners[o].hint : "?";
}

const char *ct_owner_advice(enum ct_owner o)
{
	return (unsigned)o < CT_OWNER_MAX ? owners[o].advice : "";
}

/* "A", "A and B", "A, B and C": the owners in bits, with their hints when asked. */
static int list(unsigned bits, bool hints, char *buf, size_t len, int n)
{
	int total = __builtin_popcount(bits), k = 0;

	for (int o = 0; o < CT_OWNER_MAX; o++) {
		if (!(bits & (1u << o)))
			continue;
		k++;
		n = ct_append(buf, len, n, "%s%s",
			      k == 1	   ? ""
			      : k == total ? " and "
					   : ", ",
			      owners[o].name);
		if (hints)
			n = ct_append(buf, len, n, " (%s)", owners[o].hint);
	}
	return n;
}

int ct_owner_line(unsigned owners_seen, unsigned tracking_owners, char *buf, size_t len)
{
	unsigned all = (owners_seen | tracking_owners) & ((1u << CT_OWNER_MAX) - 1);
	unsigned tracking = tracking_owners & all;
	bool one = __builtin_popcount(all) == 1;
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (!all)
		return 0;
	n = ct_append(buf, len, n, "owner: ");
	n = list(all, true, buf, len, n);
	n = ct_append(buf, len, n, " write%s rules here, ", one ? "s" : "");
	if (!tracking)
		return ct_append(buf, len, n, "none of the rules that need tracking is in %s",
				 one ? "its chains" : "their chains");
	if (tracking == all)
		return ct_append(buf, len, n, "rules that need tracking are in %s",
				 one ? "its chains" : "their chains");
	n = ct_append(buf, len, n, "rules that need tracking are in the chains of ");
	return list(tracking, false, buf, len, n);
}
