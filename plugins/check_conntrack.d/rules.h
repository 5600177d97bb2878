/* Which firewall rules force connection tracking to be loaded, and which exempt traffic from it. */
#ifndef CT_RULES_H
#define CT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What in a rule needs (or exempts from) connection tracking: bits of ct_rule.kinds. */
enum ct_rule_kind {
	CT_RULE_STATE = 1u << 0, /* matches on connection state: ct state, -m state, --ctstate */
	CT_RULE_CT = 1u << 1, /* other ct use: status, mark, helper, zone, connmark, ct count... */
	CT_RULE_NAT = 1u << 2, /* nat, masquerade, redirect, SNAT, DNAT, MASQUERADE, REDIRECT */
	CT_RULE_NOTRACK = 1u << 3, /* notrack, -j NOTRACK, -j CT --notrack: an exemption */
};

/*
 * What an entry of the list is. The kernel starts tracking when a rule, a stateful object or a
 * set's element expression that needs it is created, used by a rule or not: nftables objects
 * (ct helper, ct timeout, ct expectation, synproxy, ct count) and sets declared with a ct count
 * force it as rules do.
 */
enum ct_rule_item {
	CT_ITEM_RULE, /* in a chain: handle (nftables) or number (iptables-legacy) */
	CT_ITEM_OBJECT, /* a table's stateful object, by name and handle */
	CT_ITEM_SET, /* a table's set whose elements carry an expression, by name and handle */
	CT_ITEMS,
};

/*
 * The traffic an entry makes the kernel track: the family of its table (ip: IPv4, ip6: IPv6;
 * inet, and any other family, both: the kernel enables tracking per family, and a bridge table
 * enables both). Bits of ct_rule.l3 and ct_rules.tracking_l3.
 */
enum ct_rule_l3 {
	CT_L3_IPV4 = 1u << 0,
	CT_L3_IPV6 = 1u << 1,
	CT_L3_ALL = CT_L3_IPV4 | CT_L3_IPV6,
};

/* Where rules live; each is read completely or counts as not read. */
enum ct_rules_backend {
	CT_BACKEND_NFT, /* nftables, iptables-nft included */
	CT_BACKEND_LEGACY_IP, /* iptables-legacy */
	CT_BACKEND_LEGACY_IP6, /* ip6tables-legacy */
	CT_BACKENDS,
};

struct ct_rule {
	char family[8]; /* ip, ip6, inet, arp, bridge, netdev */
	unsigned char
		backend; /* enum ct_rules_backend: where it was read (ct_backends[] names it) */
	char table[32];
	char chain[64]; /* a rule's chain; empty for objects and sets */
	char name[64]; /* an object's or a set's name; empty for rules */
	uint64_t handle; /* nftables handle, or iptables rule number in its chain (1-based) */
	unsigned position; /* nftables rule in an iptables-nft table: its number in the chain as
			      iptables -L --line-numbers shows it; 0 elsewhere */
	unsigned kinds; /* enum ct_rule_kind bits */
	unsigned char item; /* enum ct_rule_item */
	unsigned char l3; /* enum ct_rule_l3 bits */
	unsigned short owners; /* who wrote it (owners.h bits), from its table and chain: the
				  backend looks them up as each chain starts */
	char what[96]; /* human text: "ct state", "state match", "masquerade", "ct count over 2" */
};

/* How far one backend was read: ct_rules.read[]. */
enum ct_rules_read {
	CT_READ_NOT_TRIED = 0, /* not asked: unprivileged, --no-rules, --procfs */
	CT_READ_ABSENT, /* not in use in this namespace: nothing to read */
	CT_READ_DONE, /* read to its end */
	CT_READ_FAILED, /* not read, or not to its end: why_not says why */
};

struct ct_rules {
	unsigned char read[CT_BACKENDS]; /* enum ct_rules_read of each backend */
	char why_not[160]; /* why a backend was not read, e.g. "needs CAP_NET_ADMIN" */
	unsigned state_rules; /* rules with CT_RULE_STATE */
	unsigned tracking_rules; /* entries with any of STATE, CT, NAT: rules, objects and sets */
	unsigned notrack_rules; /* rules with CT_RULE_NOTRACK */
	unsigned kinds; /* union of the kinds of every rule counted */
	unsigned tracking_items[CT_ITEMS]; /* tracking_rules by enum ct_rule_item */
	unsigned tracking_l3; /* union of the l3 of the entries in tracking_rules */
	/*
	 * Who wrote them (owners.h bits): from the table and chain of every rule read, kinds 0
	 * included, and the table of every object and set read; tracking_owners from the entries
	 * in tracking_rules.
	 */
	unsigned owners, tracking_owners;
	/*
	 * The rules themselves, for the long output: rules with kinds != 0, malloc'd, in the order
	 * found. At most keep of each class (tracking: STATE, CT or NAT; exemptions: the others)
	 * when keep is not 0: the output lists 20 unless -v, and 10,000 rules kept whole cost more
	 * than reading them. total[] counts every rule of each class, kept or not.
	 */
	struct ct_rule *list;
	size_t n, cap, keep;
	size_t total[2], kept[2];
	/* Unprivileged fallback: modules holding nf_conntrack, comma separated, e.g.
	 * "xt_state,nft_ct" */
	char holders[256];
	bool have_holders;
};

/*
 * Every backend was read to its end or is not in use: the counts are the namespace's. Otherwise
 * they count only what was read, a lower bound, and a count of 0 claims nothing.
 */
static inline bool ct_rules_complete(const struct ct_rules *r)
{
	for (int b = 0; b < CT_BACKENDS; b++)
		if (r->read[b] != CT_READ_DONE && r->read[b] != CT_READ_ABSENT)
			return false;
	return true;
}
/* At least one backend in use was read to its end. */
static inline bool ct_rules_some(const struct ct_rules *r)
{
	for (int b = 0; b < CT_BACKENDS; b++)
		if (r->read[b] == CT_READ_DONE)
			return true;
	return false;
}

/* Rules of each class the long output lists unless -v. */
#define CT_RULES_LISTED 20

/* The class of a rule in ct_rules.total/kept: 0 forces tracking, 1 only exempts from it. */
static inline int ct_rule_class(unsigned kinds)
{
	return (kinds & (CT_RULE_STATE | CT_RULE_CT | CT_RULE_NAT)) ? 0 : 1;
}
/* Whether a rule of these kinds would be stored: callers skip naming rules that would not. */
static inline bool ct_rules_wanted(const struct ct_rules *r, unsigned kinds)
{
	return kinds && (!r->keep || r->kept[ct_rule_class(kinds)] < r->keep);
}
/* Count a classified rule in r, and store it when wanted. Returns 0 or -ENOMEM. */
int ct_rules_add(struct ct_rules *r, const struct ct_rule *rule);
/*
 * Counting only (the rule is not wanted): the same counts as ct_rules_add. Backends call it for
 * every entry they read, kinds 0 included (its owners count too). It reads the rule's kinds,
 * item, l3 and owners only, so a rule that is not stored needs no names.
 */
void ct_rules_count(struct ct_rules *r, const struct ct_rule *rule);
void ct_rules_free(struct ct_rules *r);
/* What a backend added, to forget it when the backend fails half way (all or nothing). */
struct ct_rules_mark {
	size_t n, total[2], kept[2];
	unsigned state_rules, tracking_rules, notrack_rules, kinds;
	unsigned tracking_items[CT_ITEMS], tracking_l3, owners, tracking_owners;
};
struct ct_rules_mark ct_rules_mark(const struct ct_rules *r);
void ct_rules_rollback(struct ct_rules *r, const struct ct_rules_mark *m);

/*
 * The firewall backends behind one interface: ct_backends[id] is the backend of that id (the
 * table in rules_backends.c). Every read is given the same things and answers the same way.
 */
struct mnl_socket;
struct ct_nft_dump;
struct ct_backend_io {
	struct mnl_socket *nl; /* NETLINK_NETFILTER in the namespace, or NULL with why in nl_err */
	const char *nl_err;
	const char *procfs; /* the /proc whose table names iptables-legacy reads */
	unsigned budget_ms; /* for retries of a read the ruleset changed under, 0: no limit */
	struct ct_nft_dump *info; /* nftables: how the read went (may be NULL) */
};
struct ct_backend {
	enum ct_rules_backend id;
	const char *name; /* as each entry's line says it: "nftables", "iptables-legacy" */
	const char
		*title; /* as the -v notes and the backends line say it: "iptables-legacy IPv6" */
	const char *absent; /* the -v note's words when it is not in use: "not in use" */
	/*
	 * Read every rule the backend holds into r: 0 (read to its end), 1 (not in use in this
	 * namespace) or -errno with a reason in err. What a failed read added stays as the
	 * backend's own function documents it (nftables: nothing).
	 */
	int (*read)(const struct ct_backend_io *io, struct ct_rules *r, char *err, size_t errlen);
	/*
	 * A backend whose ruleset has a generation that changes with every change (nftables) may
	 * be taken from the rules cache while it is unchanged: 0 or -errno. NULL: none.
	 */
	int (*generation)(const struct ct_backend_io *io, uint32_t *genid, char *err,
			  size_t errlen);
};
extern const struct ct_backend ct_backends[CT_BACKENDS];
/* The backend of an entry (one of an unknown id is taken for nftables: never the case). */
static inline const struct ct_backend *ct_rule_backend(const struct ct_rule *x)
{
	return &ct_backends[x->backend < CT_BACKENDS ? x->backend : CT_BACKEND_NFT];
}

/*
 * nftables, over every family on a NETLINK_NETFILTER socket opened in the current namespace:
 * the sets (NFT_MSG_GETSET: sets declared with an element expression, object maps and meters the
 * rules refer to), the stateful objects (NFT_MSG_GETOBJ) and the rules (NFT_MSG_GETRULE), read
 * between two NFT_MSG_GETGEN answers. A read the ruleset changed under (the generation moved, the
 * kernel flagged a dump NLM_F_DUMP_INTR, or the messages carry two generations) is read to its
 * end, forgotten and asked for again, at most CT_NFT_DUMP_TRIES times in all, and only while the
 * tries so far and one more fit in budget_ms (0: no limit; a dump of 50,000 rules takes most of a
 * second). Returns 0 (read), 1 (no nf_tables in this kernel: not in use) or -errno with a reason
 * in err: -EPERM without CAP_NET_ADMIN, -EINTR when the ruleset changed during every try. A read
 * that fails adds nothing to r.
 */
#define CT_NFT_DUMP_TRIES 4
/* What a read looked like: the tries, and the ruleset generation it is of. */
struct ct_nft_dump {
	unsigned tries; /* reads asked for */
	uint16_t res_id; /* low 16 bits of the generation, as every dump message carries them */
	bool have_res_id, res_id_mixed; /* the ruleset changed during the read */
	bool interrupted; /* the kernel flagged a dump NLM_F_DUMP_INTR: the ruleset changed */
	bool gen_moved; /* NFT_MSG_GETGEN answered otherwise after the read: it changed */
	uint32_t genid; /* the generation the last read is of, when have_genid */
	bool have_genid; /* NFT_MSG_GETGEN answered the same before and after the read */
};
int ct_rules_nft(struct mnl_socket *nl, unsigned budget_ms, struct ct_rules *r,
		 struct ct_nft_dump *info, char *err, size_t errlen);
/*
 * The same over any transport, for unit tests on recorded replies: send one request (0 or
 * -errno), receive one datagram (its length, or -errno). Replies are checked against portid.
 * Requests, in order: GETGEN, the GETSET, GETOBJ and GETRULE dumps, GETGEN.
 */
struct ct_nft_io {
	int (*send)(void *ctx, const void *req, size_t len);
	ssize_t (*recv)(void *ctx, void *buf, size_t len);
	void *ctx;
	unsigned portid;
	unsigned budget_ms; /* for all tries, 0: no limit */
};
int ct_rules_nft_io(const struct ct_nft_io *io, struct ct_rules *r, struct ct_nft_dump *info,
		    char *err, size_t errlen);
/*
 * The ruleset generation (NFT_MSG_GETGEN): it changes with every committed change of the
 * namespace's nftables ruleset, iptables-nft's included. 0 or -errno with a reason in err.
 */
int ct_rules_nft_genid(struct mnl_socket *nl, uint32_t *genid, char *err, size_t errlen);
/*
 * Parser behind it for unit tests on recorded bytes: the replies of one or more dumps one after
 * the other (sets before the rules that use them), each ending in NLMSG_DONE. 1 when the last
 * ended, 0 when more is to come, -errno with a reason in err.
 */
int ct_rules_nft_parse(const void *buf, size_t len, struct ct_rules *r, char *err, size_t errlen);

/*
 * The nftables result of the last run, kept while the ruleset is unchanged (rules_cache.c). The
 * key: this boot, the namespace's cookie (unique within a boot) and the ruleset generation.
 */
struct ct_rules_cache_key {
	const char *boot_id;
	uint64_t cookie;
	uint32_t genid;
};
/*
 * The file text for r (nftables rules only), at most keep rules of each class (0: all; r must
 * hold that many): bytes, -ENOSPC, or -EINVAL (not storable).
 */
int ct_rules_cache_format(const struct ct_rules_cache_key *k, const struct ct_rules *r, size_t keep,
			  char *buf, size_t len);
/*
 * Fill an empty r (its keep set) from the text (modified in place), stopping once r holds what
 * the output lists: 0, -ESTALE when the key or the format version differs or it stored fewer
 * entries than r needs, -EINVAL when malformed or its entries disagree with its counts (r may
 * then hold part of it: roll back), -ENOMEM; with whole false the text may be the start of the
 * file: -EAGAIN when it ends before r has what it needs.
 */
int ct_rules_cache_parse(char *text, size_t len, bool whole, const struct ct_rules_cache_key *k,
			 struct ct_rules *r);
/*
 * The cache file is the rules cache's own format, bounded on its own: -v's list of every rule
 * of a large ruleset does not fit the state files' 64 KiB (100,000 rules of a kube-proxy
 * node keep 33,000 with their chains: about 1.5 MB).
 */
#define CT_RULES_CACHE_MAX (16 * 1024 * 1024)
/*
 * Read the file name in dirfd (the open state directory; the file needs no lock to be read:
 * writers replace it whole) into an empty r, reading no
 * more of it than r needs: ct_rules_cache_parse's returns, r rolled back on error and the
 * reason in err, or -errno when it cannot be opened (-ENOENT: none).
 */
int ct_rules_cache_load(int dirfd, const char *name, const struct ct_rules_cache_key *k,
			struct ct_rules *r, char *err, size_t errlen);

/*
 * iptables-legacy, IPv4 (family AF_INET) or IPv6 (AF_INET6), via getsockopt IPT_SO_GET_INFO /
 * IPT_SO_GET_ENTRIES on a raw socket, over every table in /proc/net/ip{,6}_tables_names (procfs
 * root given). Returns 0 (every table read), 1 (no legacy table of this family: not in use) or
 * -errno with a reason; the rules of the tables read before a failure stay counted.
 */
int ct_rules_legacy(int family, const char *procfs, struct ct_rules *r, char *err, size_t errlen);
/*
 * Walk one table's entries blob as returned by GET_ENTRIES (for unit tests). valid_hooks and
 * hook_entry[NF_INET_NUMHOOKS] come from the table's GET_INFO reply: built-in chain starts.
 */
int ct_rules_legacy_walk(int family, const char *table, unsigned valid_hooks,
			 const unsigned *hook_entry, const void *blob, size_t size,
			 struct ct_rules *r, char *err, size_t errlen);

/*
 * Shared by both backends (iptables-nft compat expressions and iptables-legacy): the kind bits of
 * one x_tables match (is_target false) or target, by kernel name, revision and info data; appends
 * a phrase for each to what.
 */
unsigned ct_rules_xt_kinds(bool is_target, const char *name, unsigned revision, const void *info,
			   size_t len, char *what, size_t whatlen);
/* Append phrase to a rule's what (", " separated) unless it is already there. */
void ct_rules_what_add(char *what, size_t whatlen, const char *phrase);

/*
 * The output's words about rules (rules_text.c). The summary's phrase when anything forces
 * tracking: "tracking forced by [at least ]1 rule and 2 objects (state match, other ct use)",
 * followed by ", IPv6 only" when every entry is in tables of one family and the list is
 * complete (the kernel then tracks that family alone). With exemptions, which may leave nothing
 * tracked, both without a claim: "[at least ]1 rule needs connection tracking (state match)[,
 * IPv6 only,] and 2 rules exempt traffic from it". Empty when nothing forces tracking.
 */
void ct_rules_forced_phrase(const struct ct_rules *r, bool complete, char *buf, size_t len);
/* "IPv4 only" or "IPv6 only" when the tracking entries cover one family, else NULL. */
const char *ct_rules_l3_only(const struct ct_rules *r);
/*
 * One entry as the long output lists it, findable in `nft -a list ruleset`, `iptables -L
 * --line-numbers` or iptables-legacy-save: "rule: nftables ip filter INPUT #1 handle 2: state
 * match", "object: nftables inet t ftp-std handle 2: ct helper", "exemption: ...".
 */
void ct_rule_line(const struct ct_rule *x, char *buf, size_t len);

/*
 * Unprivileged: modules that hold nf_conntrack, from <sysfs>/module/nf_conntrack/holders, else
 * the "used by" column of <procfs>/modules. Fills holders/have_holders. Returns 0 or -errno.
 */
int ct_rules_holders(const char *procfs, const char *sysfs, struct ct_rules *r, char *err,
		     size_t errlen);

#endif
