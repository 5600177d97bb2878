/* Collects which rules force connection tracking in the current namespace, or why it cannot. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "snapshot.h"

static void add_reason(struct ct_rules *r, const char *why)
{
	size_t l = strlen(r->why_not);

	if (!why[0] || strstr(r->why_not, why))
		return;
	snprintf(r->why_not + l, sizeof(r->why_not) - l, "%s%s", l ? "; " : "", why);
}

void ct_collect_rules(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		      bool direct, struct mnl_socket *nl, const char *nl_err)
{
	struct ct_rules *r = &ns->rules;
	char err[256] = "";
	int rc;

	/* Only what the output lists is stored; the rest is counted. */
	r->keep = snap->verbose ? 0 : CT_RULES_LISTED;
	if (cfg->no_rules) {
		add_reason(r, "--no-rules");
		return;
	}
	if (!direct) {
		add_reason(r, ct_procfs_is_elsewhere(cfg) ? "not with --procfs"
							  : "needs CAP_NET_ADMIN");
		rc = ct_rules_holders(cfg->procfs, cfg->sysfs, r, err, sizeof(err));
		if (rc < 0)
			ct_note(snap, 1, "module holders: %s", err);
		return;
	}
	if (nl) {
		rc = ct_rules_nft(nl, r, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "nftables: %s", nl_err);
		rc = -EIO;
	}
	ct_note(snap, 1, "nftables rules %s%s", rc == 0 ? "read" : "not read: ", rc ? err : "");
	if (rc < 0)
		add_reason(r, err);
	for (int f = 0; f < 2; f++) {
		err[0] = '\0';
		rc = ct_rules_legacy(f ? AF_INET6 : AF_INET, cfg->procfs, r, err, sizeof(err));
		ct_note(snap, 1, "iptables-legacy %s rules %s%s", f ? "IPv6" : "IPv4",
			rc == 0 ? "read" : "not read: ", rc ? err : "");
		if (rc < 0)
			add_reason(r, err);
	}
}
