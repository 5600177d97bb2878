/* Inside the nftables backend: what the messages say (rules_nft_msg.c) for the transport. */
#ifndef CT_RULES_NFT_H
#define CT_RULES_NFT_H

#include <linux/netlink.h>

#include "rules.h"

/* nftables names are at most this long, terminator included (NFT_NAME_MAXLEN). */
#define CT_NFT_NAME 256

/* A set the rules refer to by name and need to know: an object map or a meter. */
struct ct_nft_set {
	unsigned char family;
	bool anonymous; /* written inline in a rule (`map { 21 : "ftp-std" }`): nft shows no name */
	bool meter; /* made by a rule's `meter` statement: nft shows it as such */
	uint32_t obj_type; /* an object map: NFT_OBJECT_* of its elements, else 0 */
	char table[CT_NFT_NAME];
	char name[CT_NFT_NAME];
};

/* What the messages of one read said so far; the sets dump comes before the rules dump. */
struct ct_nft_msgs {
	struct ct_rules *r;
	struct ct_nft_set *sets;
	size_t nsets, setcap;
	/* The chain of the last rule and its number there: iptables -L --line-numbers. */
	unsigned char pos_family;
	unsigned pos;
	unsigned short pos_owners; /* who writes that chain (owners.h bits) */
	char pos_table[CT_NFT_NAME], pos_chain[CT_NFT_NAME];
	char reason[64]; /* why a message was refused */
};

/*
 * One message of a GETSET, GETOBJ or GETRULE dump: what it holds that needs tracking is counted
 * in m->r (and stored when wanted). 0, or -errno (-EINVAL malformed, -ENOMEM) with m->reason.
 */
int ct_nft_msg(struct ct_nft_msgs *m, const struct nlmsghdr *nlh);
void ct_nft_msgs_free(struct ct_nft_msgs *m);

#endif
