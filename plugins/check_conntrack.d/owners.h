/* Who wrote the firewall rules: recognised from the tables and chains they live in. */
#ifndef CT_OWNERS_H
#define CT_OWNERS_H

#include <stdbool.h>
#include <stddef.h>

/* The programs recognised; bits (1u << owner) of ct_rules.owners. */
enum ct_owner {
	CT_OWNER_KUBE_PROXY,
	CT_OWNER_KUBELET,
	CT_OWNER_DOCKER,
	CT_OWNER_LIBVIRT,
	CT_OWNER_FIREWALLD,
	CT_OWNER_UFW,
	CT_OWNER_CALICO,
	CT_OWNER_CILIUM,
	CT_OWNER_MAX
};

/*
 * The owners whose naming a rule's table or chain follows, as bits. Either may be NULL or "".
 * The first matching row of the table decides (kubelet's few KUBE- chains before kube-proxy's).
 */
unsigned ct_owner_of(const char *table, const char *chain);

const char *ct_owner_name(enum ct_owner o); /* "kube-proxy", "Docker" ... */
const char *ct_owner_hint(enum ct_owner o); /* how it was recognised: "KUBE-* chains" ... */
/* What this owner means for the table's limit and for exemptions: one sentence, no prefix. */
const char *ct_owner_advice(enum ct_owner o);

/*
 * The long-output line, e.g. "owner: the rules are written by kube-proxy (KUBE-* chains) and
 * Docker (DOCKER* chains); kube-proxy's need tracking", from the owners seen on any rule and
 * those seen on rules that need tracking. Empty (0) when there are none. snprintf's return.
 */
int ct_owner_line(unsigned owners, unsigned tracking_owners, char *buf, size_t len);

#endif
