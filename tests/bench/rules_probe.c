/*
 * The benchmark's "rules module alone": one process that reads the current namespace's nftables
 * and iptables-legacy (IPv4, IPv6) rules with plugins/check_conntrack.d/rules*.c, keeping every
 * rule and without the plugin's cache, and prints the counts in one line.
 */
#include <stdio.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "rules.h"

int main(void)
{
	struct ct_rules r = {0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char err[128] = "";
	int rc = -1;

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0)
		rc = ct_rules_nft(nl, 0, &r, NULL, err, sizeof(err));
	if (nl)
		mnl_socket_close(nl);
	if (rc >= 0)
		rc = ct_rules_legacy(AF_INET, "/proc", &r, err, sizeof(err));
	if (rc >= 0)
		rc = ct_rules_legacy(AF_INET6, "/proc", &r, err, sizeof(err));
	if (rc < 0)
		printf("RULES UNKNOWN - %s\n", err);
	else
		printf("RULES OK - %u state rules, %u tracking rules, %u notrack rules\n",
		       r.state_rules, r.tracking_rules, r.notrack_rules);
	ct_rules_free(&r);
	return rc < 0 ? 3 : 0;
}
