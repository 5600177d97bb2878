/* Which rules force connection tracking in a namespace, from each backend, or why not. */
#ifndef CT_RULES_COLLECT_H
#define CT_RULES_COLLECT_H

#include <stdbool.h>

#include "config.h"
#include "snapshot.h"

struct mnl_socket;

/*
 * The firewall of the current namespace into ns->rules. direct: the kernel may be asked
 * (CAP_NET_ADMIN, our own /proc); nl: the namespace's netfilter netlink socket, shared with the
 * counters, or NULL with the reason in nl_err.
 */
void ct_collect_rules(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		      bool direct, struct mnl_socket *nl, const char *nl_err);
/* Unprivileged, after collection: the modules holding nf_conntrack where rules were not read. */
void ct_collect_holders(const struct ct_config *cfg, struct ct_snapshot *snap, bool direct);

#endif
