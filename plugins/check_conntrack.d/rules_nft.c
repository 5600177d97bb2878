/* nftables backend: dump every rule over nfnetlink and classify its conntrack expressions. */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "rules.h"

/* libmnl before 1.0.5 lacks it; the value is the one later versions define. */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

struct nft_ctx {
	struct ct_rules *r;
	char *err;
	size_t errlen;
	int rc; /* set when a callback fails: -errno, the reason is in err */
	struct ct_nft_dump *info; /* may be NULL */
};

/* One nested level: attributes up to max, each validated against types[] into tb[]. */
struct attr_table {
	const struct nlattr **tb;
	const enum mnl_attr_data_type *types;
	unsigned max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	unsigned type = mnl_attr_get_type(attr);

	/* Attributes newer than our headers are none of our business. */
	if (type > t->max)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, t->types[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max,
			const enum mnl_attr_data_type *types)
{
	struct attr_table t = {tb, types, max};

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, attr_cb, &t) < 0 ? -EINVAL : 0;
}

static const char *family_name(unsigned family)
{
	switch (family) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_NETDEV:
		return "netdev";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_IPV6:
		return "ip6";
	default:
		return "unknown";
	}
}

/* nft's own spelling of the ct keys, for what. */
static const char *ct_key_name(uint32_t key)
{
	static const char *const names[] = {
		[NFT_CT_STATE] = "state",	  [NFT_CT_DIRECTION] = "direction",
		[NFT_CT_STATUS] = "status",	  [NFT_CT_MARK] = "mark",
		[NFT_CT_SECMARK] = "secmark",	  [NFT_CT_EXPIRATION] = "expiration",
		[NFT_CT_HELPER] = "helper",	  [NFT_CT_L3PROTOCOL] = "l3proto",
		[NFT_CT_SRC] = "saddr",		  [NFT_CT_DST] = "daddr",
		[NFT_CT_PROTOCOL] = "protocol",	  [NFT_CT_PROTO_SRC] = "proto-src",
		[NFT_CT_PROTO_DST] = "proto-dst", [NFT_CT_LABELS] = "label",
		[NFT_CT_PKTS] = "packets",	  [NFT_CT_BYTES] = "bytes",
		[NFT_CT_AVGPKT] = "avgpkt",	  [NFT_CT_ZONE] = "zone",
		[NFT_CT_EVENTMASK] = "event",	  [NFT_CT_SRC_IP] = "ip saddr",
		[NFT_CT_DST_IP] = "ip daddr",	  [NFT_CT_SRC_IP6] = "ip6 saddr",
		[NFT_CT_DST_IP6] = "ip6 daddr",	  [NFT_CT_ID] = "id",
	};

	if (key < sizeof(names) / sizeof(names[0]) && names[key])
		return names[key];
	return NULL;
}

static int ct_expr_kinds(const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_CT_MAX + 1] = {
		[NFTA_CT_DREG] = MNL_TYPE_U32,
		[NFTA_CT_KEY] = MNL_TYPE_U32,
		[NFTA_CT_DIRECTION] = MNL_TYPE_U8,
		[NFTA_CT_SREG] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_CT_MAX + 1];
	const char *key = NULL;
	uint32_t k = NFT_CT_MAX + 1;
	char phrase[32];

	if (parse_nested(data, tb, NFTA_CT_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_CT_KEY]) {
		k = ntohl(mnl_attr_get_u32(tb[NFTA_CT_KEY]));
		key = ct_key_name(k);
	}
	if (tb[NFTA_CT_SREG]) {
		snprintf(phrase, sizeof(phrase), "ct %s set", key ? key : "");
		ct_rules_what_add(rule->what, sizeof(rule->what), key ? phrase : "ct set");
		rule->kinds |= CT_RULE_CT;
		return 0;
	}
	snprintf(phrase, sizeof(phrase), "ct %s", key ? key : "");
	ct_rules_what_add(rule->what, sizeof(rule->what), key ? phrase : "ct");
	rule->kinds |= k == NFT_CT_STATE ? CT_RULE_STATE : CT_RULE_CT;
	return 0;
}

static int nat_expr_kinds(const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_NAT_MAX + 1] = {
		[NFTA_NAT_TYPE] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_NAT_MAX + 1];
	const char *what = "nat";

	if (parse_nested(data, tb, NFTA_NAT_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_NAT_TYPE]) {
		uint32_t type = ntohl(mnl_attr_get_u32(tb[NFTA_NAT_TYPE]));

		what = type == NFT_NAT_SNAT ? "snat" : type == NFT_NAT_DNAT ? "dnat" : "nat";
	}
	ct_rules_what_add(rule->what, sizeof(rule->what), what);
	rule->kinds |= CT_RULE_NAT;
	return 0;
}

static int objref_expr_kinds(const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_OBJREF_MAX + 1] = {
		[NFTA_OBJREF_IMM_TYPE] = MNL_TYPE_U32,
		[NFTA_OBJREF_IMM_NAME] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr *tb[NFTA_OBJREF_MAX + 1];
	const char *what = NULL;

	if (parse_nested(data, tb, NFTA_OBJREF_MAX, types) < 0)
		return -EINVAL;
	/* An object map (NFTA_OBJREF_SET_*) names no type here: not classified. */
	if (!tb[NFTA_OBJREF_IMM_TYPE])
		return 0;
	switch (ntohl(mnl_attr_get_u32(tb[NFTA_OBJREF_IMM_TYPE]))) {
	case NFT_OBJECT_CT_HELPER:
		what = "ct helper set";
		break;
	case NFT_OBJECT_CT_TIMEOUT:
		what = "ct timeout set";
		break;
	case NFT_OBJECT_CT_EXPECT:
		what = "ct expectation set";
		break;
	case NFT_OBJECT_CONNLIMIT:
		what = "ct count";
		break;
	default:
		return 0;
	}
	ct_rules_what_add(rule->what, sizeof(rule->what), what);
	rule->kinds |= CT_RULE_CT;
	return 0;
}

/* iptables-nft keeps extensions it cannot translate as x_tables matches and targets. */
static int compat_expr_kinds(bool is_target, const struct nlattr *data, struct ct_rule *rule)
{
	/* NFTA_MATCH_* and NFTA_TARGET_* share their numbers. */
	static const enum mnl_attr_data_type types[NFTA_MATCH_MAX + 1] = {
		[NFTA_MATCH_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_MATCH_REV] = MNL_TYPE_U32,
		[NFTA_MATCH_INFO] = MNL_TYPE_BINARY,
	};
	const struct nlattr *tb[NFTA_MATCH_MAX + 1];
	const void *info = NULL;
	unsigned rev = 0;
	size_t len = 0;

	if (parse_nested(data, tb, NFTA_MATCH_MAX, types) < 0)
		return -EINVAL;
	if (!tb[NFTA_MATCH_NAME])
		return 0;
	if (tb[NFTA_MATCH_REV])
		rev = ntohl(mnl_attr_get_u32(tb[NFTA_MATCH_REV]));
	if (tb[NFTA_MATCH_INFO]) {
		info = mnl_attr_get_payload(tb[NFTA_MATCH_INFO]);
		len = mnl_attr_get_payload_len(tb[NFTA_MATCH_INFO]);
	}
	rule->kinds |= ct_rules_xt_kinds(is_target, mnl_attr_get_str(tb[NFTA_MATCH_NAME]), rev,
					 info, len, rule->what, sizeof(rule->what));
	return 0;
}

static int expr_kinds(const struct nlattr *elem, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_EXPR_MAX + 1] = {
		[NFTA_EXPR_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_EXPR_DATA] = MNL_TYPE_NESTED,
	};
	static const struct {
		const char *name;
		unsigned kind;
	} simple[] = {
		{"masq", CT_RULE_NAT},	   {"redir", CT_RULE_NAT},   {"notrack", CT_RULE_NOTRACK},
		{"connlimit", CT_RULE_CT}, {"synproxy", CT_RULE_CT}, {"flow_offload", CT_RULE_CT},
	};
	const struct nlattr *tb[NFTA_EXPR_MAX + 1];
	const struct nlattr *data;
	const char *name;
	size_t i;

	if (mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0 ||
	    parse_nested(elem, tb, NFTA_EXPR_MAX, types) < 0)
		return -EINVAL;
	if (!tb[NFTA_EXPR_NAME])
		return -EINVAL;
	name = mnl_attr_get_str(tb[NFTA_EXPR_NAME]);
	data = tb[NFTA_EXPR_DATA];
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(name, simple[i].name) == 0) {
			ct_rules_what_add(rule->what, sizeof(rule->what), name);
			rule->kinds |= simple[i].kind;
			return 0;
		}
	}
	/* The remaining ones need their data; an expression without it asks for nothing. */
	if (!data)
		return 0;
	if (strcmp(name, "ct") == 0)
		return ct_expr_kinds(data, rule);
	if (strcmp(name, "nat") == 0)
		return nat_expr_kinds(data, rule);
	if (strcmp(name, "objref") == 0)
		return objref_expr_kinds(data, rule);
	if (strcmp(name, "match") == 0)
		return compat_expr_kinds(false, data, rule);
	if (strcmp(name, "target") == 0)
		return compat_expr_kinds(true, data, rule);
	return 0;
}

static int rule_fail(struct nft_ctx *c, int rc, const char *reason)
{
	c->rc = rc;
	snprintf(c->err, c->errlen, "nftables rule dump: %s", reason);
	return MNL_CB_ERROR;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[NFTA_RULE_MAX + 1] = {
		[NFTA_RULE_TABLE] = MNL_TYPE_NUL_STRING,
		[NFTA_RULE_CHAIN] = MNL_TYPE_NUL_STRING,
		[NFTA_RULE_HANDLE] = MNL_TYPE_U64,
		[NFTA_RULE_EXPRESSIONS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = {NULL};
	struct attr_table t = {tb, types, NFTA_RULE_MAX};
	struct nft_ctx *c = data;
	const struct nfgenmsg *nfg;
	const struct nlattr *elem;
	struct ct_rule rule = {.backend = "nftables"};

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return rule_fail(c, -EBADMSG, "message too short");
	nfg = mnl_nlmsg_get_payload(nlh);
	if (c->info) {
		/* Every message of a dump carries the low 16 bits of the ruleset generation. */
		uint16_t id = ntohs(nfg->res_id);

		if (c->info->have_res_id && c->info->res_id != id)
			c->info->res_id_mixed = true;
		c->info->res_id = id;
		c->info->have_res_id = true;
	}
	if (mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, &t) < 0)
		return rule_fail(c, -EINVAL, "malformed rule attribute");
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN])
		return rule_fail(c, -EBADMSG, "rule without table or chain");
	if (!tb[NFTA_RULE_EXPRESSIONS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS])
	{
		if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM)
			continue;
		if (expr_kinds(elem, &rule) < 0)
			return rule_fail(c, -EINVAL, "malformed expression");
	}
	/* Most rules need nothing, and past the first few the output only counts them: name only
	 * the rules that are stored. */
	if (!ct_rules_wanted(c->r, rule.kinds)) {
		ct_rules_count(c->r, rule.kinds, mnl_attr_get_str(tb[NFTA_RULE_TABLE]),
			       mnl_attr_get_str(tb[NFTA_RULE_CHAIN]));
		return MNL_CB_OK;
	}
	snprintf(rule.family, sizeof(rule.family), "%s", family_name(nfg->nfgen_family));
	snprintf(rule.table, sizeof(rule.table), "%s", mnl_attr_get_str(tb[NFTA_RULE_TABLE]));
	snprintf(rule.chain, sizeof(rule.chain), "%s", mnl_attr_get_str(tb[NFTA_RULE_CHAIN]));
	if (tb[NFTA_RULE_HANDLE])
		rule.handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	if (ct_rules_add(c->r, &rule) < 0)
		return rule_fail(c, -ENOMEM, "out of memory");
	return MNL_CB_OK;
}

/* What the framing pass saw in one datagram. */
struct frame_scan {
	bool end; /* NLMSG_DONE or NLMSG_ERROR: the dump is over */
	bool intr; /* NLM_F_DUMP_INTR: the kernel says the ruleset changed during the dump */
	int done_errno; /* what NLMSG_DONE carries: 0, or -errno when the kernel cut the dump short
			 */
};

/*
 * Frame every message first: libmnl silently ignores a truncated last message, and its
 * mnl_nlmsg_ok() trusts an nlmsg_len above INT_MAX. mnl_cb_run() then only sees sane lengths.
 * 0, or -EBADMSG when the datagram does not end on a message boundary.
 */
static int frame(const void *buf, size_t len, struct frame_scan *f)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			f->intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			f->end = true;
		if (nlh->nlmsg_type == NLMSG_DONE &&
		    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(f->done_errno)))
			memcpy(&f->done_errno, mnl_nlmsg_get_payload(nlh), sizeof(f->done_errno));
		off += NLMSG_ALIGN(nlh->nlmsg_len) < len - off ? NLMSG_ALIGN(nlh->nlmsg_len)
							       : len - off;
	}
	return off == len ? 0 : -EBADMSG;
}

/*
 * 0: more to come, 1: done, -errno. seq and portid 0 skip the checks (recorded bytes). With info,
 * a dump the ruleset changed under is marked in it and read on to its end without parsing (it is
 * asked for again); without, it is -EINTR.
 */
static int nft_parse(const void *buf, size_t len, unsigned seq, unsigned portid, struct ct_rules *r,
		     struct ct_nft_dump *info, char *err, size_t errlen)
{
	struct nft_ctx c = {r, err, errlen, 0, info};
	struct frame_scan f = {0};
	int ret;

	if (len > INT_MAX) {
		snprintf(err, errlen, "nftables rule dump: reply too large");
		return -EMSGSIZE;
	}
	if (frame(buf, len, &f) < 0) {
		snprintf(err, errlen, "nftables rule dump: truncated message");
		return -EBADMSG;
	}
	if (info && f.intr)
		info->interrupted = true;
	if (info && info->interrupted)
		return f.end ? 1 : 0;
	/* libmnl takes NLMSG_DONE for success whatever it carries: a dump cut short is not. */
	if (f.done_errno < 0) {
		ret = f.done_errno < -4095 ? EBADMSG : -f.done_errno;
		snprintf(err, errlen, "nftables rule dump: cut short by the kernel: %s",
			 strerror(ret));
		return -ret;
	}
	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, rule_cb, &c);
	if (ret == MNL_CB_STOP)
		return 1;
	if (ret >= MNL_CB_OK)
		return 0;
	if (c.rc)
		return c.rc;
	if (errno == EPERM) {
		snprintf(err, errlen, "needs CAP_NET_ADMIN");
		return -EPERM;
	}
	if (errno == EINTR && info) {
		/* An NLMSG_ERROR: nothing follows it. */
		info->interrupted = true;
		return 1;
	}
	if (errno == EINTR) {
		snprintf(err, errlen, "nftables rule dump: the ruleset changed during the dump");
		return -EINTR;
	}
	ret = errno ? errno : EPROTO;
	/* NLMSG_ERROR carries a negative errno: INT_MIN or a huge code is a malformed reply. */
	if (ret < 0 || ret > 4095) {
		snprintf(err, errlen, "nftables rule dump: malformed error code in reply");
		return -EBADMSG;
	}
	snprintf(err, errlen, "nftables rule dump: %s", strerror(ret));
	return -ret;
}

int ct_rules_nft_parse(const void *buf, size_t len, struct ct_rules *r, char *err, size_t errlen)
{
	return nft_parse(buf, len, 0, 0, r, NULL, err, errlen);
}

/* One nftables request for every family, built in buf. */
static struct nlmsghdr *nft_request(char *buf, uint16_t msg, uint16_t flags, unsigned seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | msg);
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* One dump, read to its end: 0 read (info says whether the ruleset changed), 1 no nf_tables. */
static int dump_once(const struct ct_nft_io *io, unsigned seq, char *buf, struct ct_rules *r,
		     struct ct_nft_dump *info, char *err, size_t errlen)
{
	struct nlmsghdr *nlh = nft_request(buf, NFT_MSG_GETRULE, NLM_F_DUMP, seq);
	ssize_t n;
	int rc = io->send(io->ctx, nlh, nlh->nlmsg_len);

	if (rc < 0) {
		snprintf(err, errlen, "nftables rule dump: send: %s", strerror(-rc));
		return rc;
	}
	do {
		n = io->recv(io->ctx, buf, MNL_SOCKET_DUMP_SIZE);
		if (n < 0) {
			snprintf(err, errlen, "nftables rule dump: receive: %s", strerror((int)-n));
			return (int)n;
		}
		if (n == 0) {
			snprintf(err, errlen, "nftables rule dump: no reply");
			return -EPROTO;
		}
		info->batches++;
		rc = nft_parse(buf, (size_t)n, seq, io->portid, r, info, err, errlen);
	} while (rc == 0);
	/* No nf_tables in this kernel: nftables is not in use. */
	if (rc == -EOPNOTSUPP)
		return 1;
	return rc < 0 ? rc : 0;
}

static bool changed(const struct ct_nft_dump *info)
{
	return info->interrupted || info->res_id_mixed;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Whether to try again after tries: within CT_NFT_DUMP_TRIES, and when a budget is set, with time
 * for one more try as long as the last, after a short wait that grows with each try (a reload of
 * many commits may be over by then). *late: the budget said no.
 */
static bool try_again(const struct ct_nft_io *io, unsigned tries, uint64_t start, uint64_t last,
		      bool *late)
{
	struct timespec ts = {0, (long)tries * 2000000L};
	uint64_t now = now_ns(), wait = (uint64_t)ts.tv_nsec;

	if (tries >= CT_NFT_DUMP_TRIES)
		return false;
	if (io->budget_ms &&
	    now - start + wait + (now - last) > (uint64_t)io->budget_ms * 1000000u) {
		*late = true;
		return false;
	}
	nanosleep(&ts, NULL);
	return true;
}

/* Why a dump that changed every time was given up: after how many tries, and whether -t said so. */
static void changed_reason(unsigned tries, bool late, char *err, size_t errlen)
{
	const char *what = "nftables rule dump: the ruleset changed during";

	if (tries == 1)
		snprintf(err, errlen, "%s the dump%s", what,
			 late ? " (no time to try again within -t)" : "");
	else
		snprintf(err, errlen, "%s each of %u tries%s", what, tries,
			 late ? " (no time for more within -t)" : "");
}

int ct_rules_nft_io(const struct ct_nft_io *io, struct ct_rules *r, struct ct_nft_dump *info,
		    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_DUMP_SIZE];
	struct ct_rules_mark mark = ct_rules_mark(r);
	struct ct_nft_dump local;
	unsigned seq = (unsigned)time(NULL), tries = 0;
	uint64_t start = now_ns(), last;
	bool late = false;
	int rc;

	if (!info)
		info = &local;
	for (;;) {
		memset(info, 0, sizeof(*info));
		info->tries = ++tries;
		last = now_ns();
		rc = dump_once(io, seq + tries, buf, r, info, err, errlen);
		if (rc < 0 || !changed(info))
			break;
		/* All or nothing: what a changed dump added is forgotten. */
		ct_rules_rollback(r, &mark);
		if (!try_again(io, tries, start, last, &late))
			break;
	}
	if (rc >= 0 && changed(info)) {
		changed_reason(tries, late, err, errlen);
		rc = -EINTR;
	}
	if (rc < 0)
		ct_rules_rollback(r, &mark);
	return rc;
}

static int sock_send(void *ctx, const void *req, size_t len)
{
	return mnl_socket_sendto(ctx, req, len) < 0 ? -errno : 0;
}

static ssize_t sock_recv(void *ctx, void *buf, size_t len)
{
	ssize_t n = mnl_socket_recvfrom(ctx, buf, len);

	return n < 0 ? -errno : n;
}

int ct_rules_nft(struct mnl_socket *nl, unsigned budget_ms, struct ct_rules *r,
		 struct ct_nft_dump *info, char *err, size_t errlen)
{
	struct ct_nft_io io = {sock_send, sock_recv, nl, mnl_socket_get_portid(nl), budget_ms};

	return ct_rules_nft_io(&io, r, info, err, errlen);
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(attr) == NFTA_GEN_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			*(uint64_t *)data = ntohl(mnl_attr_get_u32(attr));
			return MNL_CB_STOP;
		}
	}
	return MNL_CB_OK;
}

/* The NFT_MSG_NEWGEN reply: 0, -EBADMSG, or the reply's -errno. */
static int genid_parse(const void *buf, size_t len, unsigned seq, unsigned portid, uint32_t *genid)
{
	uint64_t got = UINT64_MAX;
	int ret;

	if (len > INT_MAX)
		return -EMSGSIZE;
	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, gen_cb, &got);
	if (ret == MNL_CB_ERROR) {
		ret = errno > 0 && errno < 4096 ? errno : EPROTO;
		return -ret;
	}
	if (got == UINT64_MAX)
		return -EBADMSG;
	*genid = (uint32_t)got;
	return 0;
}

int ct_rules_nft_genid(struct mnl_socket *nl, uint32_t *genid, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = (unsigned)time(NULL) ^ 0x6e66u;
	struct nlmsghdr *nlh = nft_request(buf, NFT_MSG_GETGEN, 0, seq);
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		snprintf(err, errlen, "nftables generation: send: %s", strerror(-rc));
		return rc;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n <= 0) {
		rc = n < 0 ? -errno : -EPROTO;
		snprintf(err, errlen, "nftables generation: receive: %s", strerror(-rc));
		return rc;
	}
	rc = genid_parse(buf, (size_t)n, seq, mnl_socket_get_portid(nl), genid);
	if (rc < 0)
		snprintf(err, errlen, "nftables generation: %s", strerror(-rc));
	return rc;
}
