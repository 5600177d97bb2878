/* The firewall backends the rules are read from, one row each: their id, names and read. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "rules.h"

static int nft_read(const struct ct_backend_io *io, struct ct_rules *r, char *err, size_t errlen)
{
	if (!io->nl) {
		snprintf(err, errlen, "nftables: %s",
			 io->nl_err ? io->nl_err : "no netlink socket");
		return -EIO;
	}
	return ct_rules_nft(io->nl, io->budget_ms, r, io->info, err, errlen);
}

static int nft_generation(const struct ct_backend_io *io, uint32_t *genid, char *err, size_t errlen)
{
	if (!io->nl) {
		snprintf(err, errlen, "nftables: %s",
			 io->nl_err ? io->nl_err : "no netlink socket");
		return -EIO;
	}
	return ct_rules_nft_genid(io->nl, genid, err, errlen);
}

static int legacy_ip_read(const struct ct_backend_io *io, struct ct_rules *r, char *err,
			  size_t errlen)
{
	return ct_rules_legacy(AF_INET, io->procfs, r, err, errlen);
}

static int legacy_ip6_read(const struct ct_backend_io *io, struct ct_rules *r, char *err,
			   size_t errlen)
{
	return ct_rules_legacy(AF_INET6, io->procfs, r, err, errlen);
}

/* Read in this order; iptables-nft's rules are nftables rules. */
const struct ct_backend ct_backends[CT_BACKENDS] = {
	[CT_BACKEND_NFT] = {CT_BACKEND_NFT, "nftables", "nftables",
			    "not in use (no nf_tables in this kernel)", nft_read, nft_generation},
	[CT_BACKEND_LEGACY_IP] = {CT_BACKEND_LEGACY_IP, "iptables-legacy", "iptables-legacy IPv4",
				  "not in use", legacy_ip_read, NULL},
	[CT_BACKEND_LEGACY_IP6] = {CT_BACKEND_LEGACY_IP6, "iptables-legacy", "iptables-legacy IPv6",
				   "not in use", legacy_ip6_read, NULL},
};
