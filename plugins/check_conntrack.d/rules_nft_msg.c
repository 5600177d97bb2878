/*
 * What nftables messages say about tracking: each set, stateful object and rule of a dump, with
 * every attribute validated level by level, and each expression classified by its kind's entry.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "mp.h"
#include "owners.h"
#include "rules_nft.h"

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
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	return mnl_attr_parse_nested(nest, attr_cb, &t) < 0 ? -EINVAL : 0;
}

/* A message's attributes after its nfgenmsg. */
static int parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb, unsigned max,
		     const enum mnl_attr_data_type *types)
{
	struct attr_table t = {tb, types, max};

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &t) < 0 ? -EINVAL : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return ntohl(mnl_attr_get_u32(a));
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

/* The traffic a table of this family makes the kernel track: ip and ip6 one, any other both. */
static unsigned char family_l3(unsigned family)
{
	if (family == NFPROTO_IPV4)
		return CT_L3_IPV4;
	if (family == NFPROTO_IPV6)
		return CT_L3_IPV6;
	return CT_L3_ALL;
}

/* Where a message's entry lives: its family and table, and the messages read so far. */
struct where {
	struct ct_nft_msgs *m;
	unsigned char family;
	const char *table;
	unsigned depth; /* expressions nested in a set update: never nested further */
};

static int expr_kinds(const struct where *w, const struct nlattr *elem, struct ct_rule *rule);

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

/* "ct state", "ct original ip saddr", "ct mark set": as nft writes the expression. */
static int ct_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_CT_MAX + 1] = {
		[NFTA_CT_DREG] = MNL_TYPE_U32,
		[NFTA_CT_KEY] = MNL_TYPE_U32,
		[NFTA_CT_DIRECTION] = MNL_TYPE_U8,
		[NFTA_CT_SREG] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_CT_MAX + 1];
	const char *key = NULL, *dir = "";
	uint32_t k = NFT_CT_MAX + 1;
	char phrase[48];

	(void)w;
	if (parse_nested(data, tb, NFTA_CT_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_CT_KEY]) {
		k = get_u32(tb[NFTA_CT_KEY]);
		key = ct_key_name(k);
	}
	if (tb[NFTA_CT_DIRECTION])
		dir = mnl_attr_get_u8(tb[NFTA_CT_DIRECTION]) == IP_CT_DIR_REPLY ? " reply"
										: " original";
	snprintf(phrase, sizeof(phrase), "ct%s%s%s%s", dir, key ? " " : "", key ? key : "",
		 tb[NFTA_CT_SREG] ? " set" : "");
	ct_rules_what_add(rule->what, sizeof(rule->what), phrase);
	rule->kinds |= k == NFT_CT_STATE && !tb[NFTA_CT_SREG] ? CT_RULE_STATE : CT_RULE_CT;
	return 0;
}

static int nat_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_NAT_MAX + 1] = {
		[NFTA_NAT_TYPE] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_NAT_MAX + 1];
	const char *what = "nat";

	(void)w;
	if (parse_nested(data, tb, NFTA_NAT_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_NAT_TYPE]) {
		uint32_t type = get_u32(tb[NFTA_NAT_TYPE]);

		what = type == NFT_NAT_SNAT ? "snat" : type == NFT_NAT_DNAT ? "dnat" : "nat";
	}
	ct_rules_what_add(rule->what, sizeof(rule->what), what);
	rule->kinds |= CT_RULE_NAT;
	return 0;
}

/* "ct count over 10", or "ct count 10" (at most): as nft writes it. */
static int connlimit_phrase(const struct nlattr *data, char *phrase, size_t len)
{
	static const enum mnl_attr_data_type types[NFTA_CONNLIMIT_MAX + 1] = {
		[NFTA_CONNLIMIT_COUNT] = MNL_TYPE_U32,
		[NFTA_CONNLIMIT_FLAGS] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_CONNLIMIT_MAX + 1];
	bool over;

	if (parse_nested(data, tb, NFTA_CONNLIMIT_MAX, types) < 0)
		return -EINVAL;
	if (!tb[NFTA_CONNLIMIT_COUNT]) {
		snprintf(phrase, len, "ct count");
		return 0;
	}
	over = tb[NFTA_CONNLIMIT_FLAGS] &&
	       (get_u32(tb[NFTA_CONNLIMIT_FLAGS]) & NFT_CONNLIMIT_F_INV);
	snprintf(phrase, len, "ct count %s%u", over ? "over " : "",
		 get_u32(tb[NFTA_CONNLIMIT_COUNT]));
	return 0;
}

static int connlimit_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	char phrase[40];

	(void)w;
	if (connlimit_phrase(data, phrase, sizeof(phrase)) < 0)
		return -EINVAL;
	ct_rules_what_add(rule->what, sizeof(rule->what), phrase);
	rule->kinds |= CT_RULE_CT;
	return 0;
}

static int flow_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_FLOW_MAX + 1] = {
		[NFTA_FLOW_TABLE_NAME] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr *tb[NFTA_FLOW_MAX + 1];
	char phrase[80];

	(void)w;
	if (parse_nested(data, tb, NFTA_FLOW_MAX, types) < 0)
		return -EINVAL;
	snprintf(phrase, sizeof(phrase), "flow add @%.60s",
		 tb[NFTA_FLOW_TABLE_NAME] ? mnl_attr_get_str(tb[NFTA_FLOW_TABLE_NAME]) : "");
	ct_rules_what_add(rule->what, sizeof(rule->what), phrase);
	rule->kinds |= CT_RULE_CT;
	return 0;
}

/* Object types whose creation makes the kernel track, and how nft names them. */
static const struct obj_kind {
	uint32_t type;
	const char *name; /* the object, as `nft list ruleset` declares it */
	const char *ref; /* a rule that assigns one */
} obj_kinds[] = {
	{NFT_OBJECT_CT_HELPER, "ct helper", "ct helper set"},
	{NFT_OBJECT_CT_TIMEOUT, "ct timeout", "ct timeout set"},
	{NFT_OBJECT_CT_EXPECT, "ct expectation", "ct expectation set"},
	{NFT_OBJECT_SYNPROXY, "synproxy", "synproxy name"},
	{NFT_OBJECT_CONNLIMIT, "ct count", "ct count name"},
};

static const struct obj_kind *obj_kind(uint32_t type)
{
	for (size_t i = 0; i < sizeof(obj_kinds) / sizeof(obj_kinds[0]); i++)
		if (obj_kinds[i].type == type)
			return &obj_kinds[i];
	return NULL;
}

static const struct ct_nft_set *find_set(const struct where *w, const char *name)
{
	const struct ct_nft_msgs *m = w->m;

	for (size_t i = 0; i < m->nsets; i++)
		if (m->sets[i].family == w->family && strcmp(m->sets[i].table, w->table) == 0 &&
		    strcmp(m->sets[i].name, name) == 0)
			return &m->sets[i];
	return NULL;
}

/*
 * A reference to a stateful object: by name (`ct helper set "ftp-std"`, `synproxy name "sp"`)
 * or through an object map (`ct helper set tcp dport map { 21 : "ftp-std" }`), whose object type
 * the sets dump said.
 */
static int objref_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_OBJREF_MAX + 1] = {
		[NFTA_OBJREF_IMM_TYPE] = MNL_TYPE_U32, [NFTA_OBJREF_IMM_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_OBJREF_SET_SREG] = MNL_TYPE_U32, [NFTA_OBJREF_SET_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_OBJREF_SET_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NFTA_OBJREF_MAX + 1];
	const struct obj_kind *kind = NULL;
	const struct ct_nft_set *set = NULL;
	char phrase[96];

	if (parse_nested(data, tb, NFTA_OBJREF_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_OBJREF_IMM_TYPE])
		kind = obj_kind(get_u32(tb[NFTA_OBJREF_IMM_TYPE]));
	else if (tb[NFTA_OBJREF_SET_NAME] &&
		 (set = find_set(w, mnl_attr_get_str(tb[NFTA_OBJREF_SET_NAME]))) != NULL)
		kind = obj_kind(set->obj_type);
	if (!kind)
		return 0;
	if (set && set->anonymous)
		snprintf(phrase, sizeof(phrase), "%s ... map", kind->ref);
	else if (set)
		snprintf(phrase, sizeof(phrase), "%s ... map @%.40s", kind->ref, set->name);
	else if (tb[NFTA_OBJREF_IMM_NAME])
		snprintf(phrase, sizeof(phrase), "%s \"%.40s\"", kind->ref,
			 mnl_attr_get_str(tb[NFTA_OBJREF_IMM_NAME]));
	else
		mp_copy(phrase, sizeof(phrase), kind->ref);
	ct_rules_what_add(rule->what, sizeof(rule->what), phrase);
	rule->kinds |= CT_RULE_CT;
	return 0;
}

/*
 * Expressions of a set or a set update (NFTA_*_EXPR, or a list in NFTA_*_EXPRESSIONS) into
 * inner, one level deep: the kernel creates each of them, and a ct count among them makes it
 * track.
 */
static int nested_exprs(const struct where *w, const struct nlattr *expr, const struct nlattr *list,
			struct ct_rule *inner)
{
	struct where deeper = *w;
	const struct nlattr *elem;

	if (w->depth)
		return 0; /* the kernel nests no further */
	deeper.depth = w->depth + 1;
	if (expr && expr_kinds(&deeper, expr, inner) < 0)
		return -EINVAL;
	if (!list)
		return 0;
	if (mnl_attr_validate(list, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested(elem, list)
	{
		if (mnl_attr_get_type(elem) == NFTA_LIST_ELEM &&
		    expr_kinds(&deeper, elem, inner) < 0)
			return -EINVAL;
	}
	return 0;
}

/* A set update with expressions: `add @s { ip saddr ct count over 20 }`, or a meter. */
static int dynset_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_DYNSET_MAX + 1] = {
		[NFTA_DYNSET_SET_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_DYNSET_SET_ID] = MNL_TYPE_U32,
		[NFTA_DYNSET_OP] = MNL_TYPE_U32,
		[NFTA_DYNSET_SREG_KEY] = MNL_TYPE_U32,
		[NFTA_DYNSET_SREG_DATA] = MNL_TYPE_U32,
		[NFTA_DYNSET_TIMEOUT] = MNL_TYPE_U64,
		[NFTA_DYNSET_EXPR] = MNL_TYPE_NESTED,
		[NFTA_DYNSET_FLAGS] = MNL_TYPE_U32,
		[NFTA_DYNSET_EXPRESSIONS] = MNL_TYPE_NESTED,
	};
	static const char *const ops[] = {"add", "update", "delete"};
	const struct nlattr *tb[NFTA_DYNSET_MAX + 1];
	struct ct_rule inner = {.kinds = 0};
	const struct ct_nft_set *set;
	const char *name = "";
	uint32_t op = 0;
	char phrase[sizeof(inner.what) + 80];

	if (parse_nested(data, tb, NFTA_DYNSET_MAX, types) < 0 ||
	    nested_exprs(w, tb[NFTA_DYNSET_EXPR], tb[NFTA_DYNSET_EXPRESSIONS], &inner) < 0)
		return -EINVAL;
	if (!inner.kinds)
		return 0;
	if (tb[NFTA_DYNSET_SET_NAME])
		name = mnl_attr_get_str(tb[NFTA_DYNSET_SET_NAME]);
	if (tb[NFTA_DYNSET_OP])
		op = get_u32(tb[NFTA_DYNSET_OP]);
	set = find_set(w, name);
	if (set && set->meter)
		snprintf(phrase, sizeof(phrase), "%s in meter %.40s", inner.what, name);
	else
		snprintf(phrase, sizeof(phrase), "%s in %s @%.40s", inner.what,
			 op < sizeof(ops) / sizeof(ops[0]) ? ops[op] : "update", name);
	ct_rules_what_add(rule->what, sizeof(rule->what), phrase);
	rule->kinds |= inner.kinds;
	return 0;
}

/* iptables-nft keeps extensions it cannot translate as x_tables matches and targets. */
static int compat_expr(bool is_target, const struct nlattr *data, struct ct_rule *rule)
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
		rev = get_u32(tb[NFTA_MATCH_REV]);
	if (tb[NFTA_MATCH_INFO]) {
		info = mnl_attr_get_payload(tb[NFTA_MATCH_INFO]);
		len = mnl_attr_get_payload_len(tb[NFTA_MATCH_INFO]);
	}
	rule->kinds |= ct_rules_xt_kinds(is_target, mnl_attr_get_str(tb[NFTA_MATCH_NAME]), rev,
					 info, len, rule->what, sizeof(rule->what));
	return 0;
}

static int match_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	(void)w;
	return compat_expr(false, data, rule);
}

static int target_expr(const struct where *w, const struct nlattr *data, struct ct_rule *rule)
{
	(void)w;
	return compat_expr(true, data, rule);
}

/*
 * The expressions that need (or exempt from) tracking, by the kernel's name: one entry each.
 * Without its data, an expression with a classify function asks for what kind says (0: nothing).
 */
static const struct expr_kind {
	const char *name;
	int (*classify)(const struct where *w, const struct nlattr *data, struct ct_rule *rule);
	unsigned kind;
	const char *phrase;
} expr_kinds_table[] = {
	{"ct", ct_expr, 0, NULL},
	{"nat", nat_expr, 0, NULL},
	{"masq", NULL, CT_RULE_NAT, "masquerade"},
	{"redir", NULL, CT_RULE_NAT, "redirect"},
	{"notrack", NULL, CT_RULE_NOTRACK, "notrack"},
	{"connlimit", connlimit_expr, CT_RULE_CT, "ct count"},
	{"synproxy", NULL, CT_RULE_CT, "synproxy"},
	{"flow_offload", flow_expr, CT_RULE_CT, "flow add"},
	{"objref", objref_expr, 0, NULL},
	{"dynset", dynset_expr, 0, NULL},
	{"match", match_expr, 0, NULL},
	{"target", target_expr, 0, NULL},
};

static int expr_kinds(const struct where *w, const struct nlattr *elem, struct ct_rule *rule)
{
	static const enum mnl_attr_data_type types[NFTA_EXPR_MAX + 1] = {
		[NFTA_EXPR_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_EXPR_DATA] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[NFTA_EXPR_MAX + 1];
	const char *name;

	if (parse_nested(elem, tb, NFTA_EXPR_MAX, types) < 0 || !tb[NFTA_EXPR_NAME])
		return -EINVAL;
	name = mnl_attr_get_str(tb[NFTA_EXPR_NAME]);
	for (size_t i = 0; i < sizeof(expr_kinds_table) / sizeof(expr_kinds_table[0]); i++) {
		const struct expr_kind *k = &expr_kinds_table[i];

		if (strcmp(name, k->name) != 0)
			continue;
		if (k->classify && tb[NFTA_EXPR_DATA])
			return k->classify(w, tb[NFTA_EXPR_DATA], rule);
		if (k->kind) {
			ct_rules_what_add(rule->what, sizeof(rule->what), k->phrase);
			rule->kinds |= k->kind;
		}
		return 0;
	}
	return 0;
}

static int refuse(struct ct_nft_msgs *m, int rc, const char *reason)
{
	mp_copy(m->reason, sizeof(m->reason), reason);
	return rc;
}

/* Count an entry, with its names only when it is stored (most rules are only counted). */
static int add_entry(struct ct_nft_msgs *m, const struct where *w, struct ct_rule *x,
		     const char *place, const char *name)
{
	x->l3 = family_l3(w->family);
	if (!ct_rules_wanted(m->r, x->kinds)) {
		ct_rules_count(m->r, x);
		return 0;
	}
	x->backend = CT_BACKEND_NFT;
	mp_copy(x->family, sizeof(x->family), family_name(w->family));
	mp_copy(x->table, sizeof(x->table), w->table);
	if (place)
		mp_copy(x->chain, sizeof(x->chain), place);
	if (name)
		mp_copy(x->name, sizeof(x->name), name);
	return ct_rules_add(m->r, x) < 0 ? refuse(m, -ENOMEM, "out of memory") : 0;
}

/* Keep a set the rules may refer to by name: an object map of a kind that needs tracking, or a
 * meter. */
static int keep_set(struct ct_nft_msgs *m, const struct where *w, const char *name, uint32_t flags,
		    uint32_t obj_type)
{
	bool meter =
		(flags & (NFT_SET_ANONYMOUS | NFT_SET_EVAL)) == (NFT_SET_ANONYMOUS | NFT_SET_EVAL);
	struct ct_nft_set *s;

	if (!(flags & NFT_SET_OBJECT && obj_kind(obj_type)) && !meter)
		return 0;
	if (m->nsets == m->setcap) {
		size_t cap = m->setcap ? m->setcap * 2 : 8;

		s = cap < m->setcap ? NULL : realloc(m->sets, cap * sizeof(*s));
		if (!s)
			return refuse(m, -ENOMEM, "out of memory");
		m->sets = s;
		m->setcap = cap;
	}
	s = &m->sets[m->nsets++];
	s->family = w->family;
	s->anonymous = flags & NFT_SET_ANONYMOUS;
	s->meter = meter;
	s->obj_type = flags & NFT_SET_OBJECT ? obj_type : 0;
	mp_copy(s->table, sizeof(s->table), w->table);
	mp_copy(s->name, sizeof(s->name), name);
	return 0;
}

/* A set: kept when rules refer to it, listed when its element expressions need tracking. */
static int set_msg(struct ct_nft_msgs *m, const struct nlmsghdr *nlh, unsigned char family)
{
	static const enum mnl_attr_data_type types[NFTA_SET_MAX + 1] = {
		[NFTA_SET_TABLE] = MNL_TYPE_NUL_STRING,	  [NFTA_SET_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_SET_FLAGS] = MNL_TYPE_U32,	  [NFTA_SET_OBJ_TYPE] = MNL_TYPE_U32,
		[NFTA_SET_HANDLE] = MNL_TYPE_U64,	  [NFTA_SET_EXPR] = MNL_TYPE_NESTED,
		[NFTA_SET_EXPRESSIONS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[NFTA_SET_MAX + 1];
	struct ct_rule set = {.item = CT_ITEM_SET};
	struct where w = {m, family, NULL, 0};
	const char *name;
	uint32_t flags;
	int rc;

	if (parse_msg(nlh, tb, NFTA_SET_MAX, types) < 0)
		return refuse(m, -EINVAL, "malformed set attribute");
	if (!tb[NFTA_SET_TABLE] || !tb[NFTA_SET_NAME])
		return refuse(m, -EBADMSG, "set without table or name");
	w.table = mnl_attr_get_str(tb[NFTA_SET_TABLE]);
	name = mnl_attr_get_str(tb[NFTA_SET_NAME]);
	/* A set has no chain: its table may still name who wrote it. */
	set.owners = (unsigned short)ct_owner_of(w.table, NULL);
	flags = tb[NFTA_SET_FLAGS] ? get_u32(tb[NFTA_SET_FLAGS]) : 0;
	rc = keep_set(m, &w, name, flags,
		      tb[NFTA_SET_OBJ_TYPE] ? get_u32(tb[NFTA_SET_OBJ_TYPE]) : 0);
	if (rc < 0)
		return rc;
	if (nested_exprs(&w, tb[NFTA_SET_EXPR], tb[NFTA_SET_EXPRESSIONS], &set) < 0)
		return refuse(m, -EINVAL, "malformed set expression");
	if (!set.kinds) {
		ct_rules_count(m->r, &set);
		return 0;
	}
	if (tb[NFTA_SET_HANDLE])
		set.handle = be64toh(mnl_attr_get_u64(tb[NFTA_SET_HANDLE]));
	return add_entry(m, &w, &set, NULL, name);
}

/* `ct helper "ftp"`: the helper an object assigns, as nft declares it. */
static int helper_phrase(const struct nlattr *data, char *what, size_t len)
{
	static const enum mnl_attr_data_type types[NFTA_CT_HELPER_MAX + 1] = {
		[NFTA_CT_HELPER_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_CT_HELPER_L3PROTO] = MNL_TYPE_U16,
		[NFTA_CT_HELPER_L4PROTO] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[NFTA_CT_HELPER_MAX + 1];

	if (parse_nested(data, tb, NFTA_CT_HELPER_MAX, types) < 0)
		return -EINVAL;
	if (tb[NFTA_CT_HELPER_NAME])
		snprintf(what, len, "ct helper type \"%.40s\"",
			 mnl_attr_get_str(tb[NFTA_CT_HELPER_NAME]));
	return 0;
}

/* A stateful object: creating it made the kernel track, whether any rule uses it or not. */
static int obj_msg(struct ct_nft_msgs *m, const struct nlmsghdr *nlh, unsigned char family)
{
	static const enum mnl_attr_data_type types[NFTA_OBJ_MAX + 1] = {
		[NFTA_OBJ_TABLE] = MNL_TYPE_NUL_STRING, [NFTA_OBJ_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_OBJ_TYPE] = MNL_TYPE_U32,		[NFTA_OBJ_DATA] = MNL_TYPE_NESTED,
		[NFTA_OBJ_USE] = MNL_TYPE_U32,		[NFTA_OBJ_HANDLE] = MNL_TYPE_U64,
		[NFTA_OBJ_USERDATA] = MNL_TYPE_BINARY,
	};
	const struct nlattr *tb[NFTA_OBJ_MAX + 1];
	struct ct_rule obj = {.item = CT_ITEM_OBJECT, .kinds = CT_RULE_CT};
	struct where w = {m, family, NULL, 0};
	const struct obj_kind *kind;
	int rc = 0;

	if (parse_msg(nlh, tb, NFTA_OBJ_MAX, types) < 0)
		return refuse(m, -EINVAL, "malformed object attribute");
	if (!tb[NFTA_OBJ_TABLE] || !tb[NFTA_OBJ_NAME] || !tb[NFTA_OBJ_TYPE])
		return refuse(m, -EBADMSG, "object without table, name or type");
	w.table = mnl_attr_get_str(tb[NFTA_OBJ_TABLE]);
	obj.owners = (unsigned short)ct_owner_of(w.table, NULL);
	kind = obj_kind(get_u32(tb[NFTA_OBJ_TYPE]));
	if (!kind) {
		/* A counter, quota or limit: nothing to track, but its table is someone's. */
		obj.kinds = 0;
		ct_rules_count(m->r, &obj);
		return 0;
	}
	mp_copy(obj.what, sizeof(obj.what), kind->name);
	if (tb[NFTA_OBJ_DATA] && kind->type == NFT_OBJECT_CT_HELPER)
		rc = helper_phrase(tb[NFTA_OBJ_DATA], obj.what, sizeof(obj.what));
	else if (tb[NFTA_OBJ_DATA] && kind->type == NFT_OBJECT_CONNLIMIT)
		rc = connlimit_phrase(tb[NFTA_OBJ_DATA], obj.what, sizeof(obj.what));
	if (rc < 0)
		return refuse(m, -EINVAL, "malformed object data");
	if (tb[NFTA_OBJ_HANDLE])
		obj.handle = be64toh(mnl_attr_get_u64(tb[NFTA_OBJ_HANDLE]));
	return add_entry(m, &w, &obj, NULL, mnl_attr_get_str(tb[NFTA_OBJ_NAME]));
}

/*
 * The tables iptables-nft writes: their rules carry the number `iptables -L --line-numbers`
 * shows, which is the rule's place in its chain (the dump lists a chain's rules in order).
 */
static bool xtables_table(unsigned char family, const char *table)
{
	static const char *const names[] = {"filter", "nat", "mangle", "raw", "security"};

	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(table, names[i]) == 0)
			return true;
	return false;
}

/*
 * The rule's number in its chain: the rules of a chain come one after the other. Who writes the
 * chain is looked up as it starts.
 */
static unsigned next_position(struct ct_nft_msgs *m, unsigned char family, const char *table,
			      const char *chain)
{
	if (m->pos && m->pos_family == family && strcmp(m->pos_table, table) == 0 &&
	    strcmp(m->pos_chain, chain) == 0)
		return ++m->pos;
	m->pos_family = family;
	mp_copy(m->pos_table, sizeof(m->pos_table), table);
	mp_copy(m->pos_chain, sizeof(m->pos_chain), chain);
	m->pos_owners = (unsigned short)ct_owner_of(table, chain);
	return m->pos = 1;
}

static int rule_msg(struct ct_nft_msgs *m, const struct nlmsghdr *nlh, unsigned char family)
{
	static const enum mnl_attr_data_type types[NFTA_RULE_MAX + 1] = {
		[NFTA_RULE_TABLE] = MNL_TYPE_NUL_STRING,
		[NFTA_RULE_CHAIN] = MNL_TYPE_NUL_STRING,
		[NFTA_RULE_HANDLE] = MNL_TYPE_U64,
		[NFTA_RULE_EXPRESSIONS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[NFTA_RULE_MAX + 1];
	struct ct_rule rule = {.item = CT_ITEM_RULE};
	struct where w = {m, family, NULL, 0};
	const struct nlattr *elem;
	const char *chain;
	unsigned pos;

	if (parse_msg(nlh, tb, NFTA_RULE_MAX, types) < 0)
		return refuse(m, -EINVAL, "malformed rule attribute");
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN])
		return refuse(m, -EBADMSG, "rule without table or chain");
	w.table = mnl_attr_get_str(tb[NFTA_RULE_TABLE]);
	chain = mnl_attr_get_str(tb[NFTA_RULE_CHAIN]);
	pos = next_position(m, family, w.table, chain);
	rule.owners = m->pos_owners;
	if (tb[NFTA_RULE_EXPRESSIONS]) {
		mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS])
		{
			if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM)
				continue;
			if (expr_kinds(&w, elem, &rule) < 0)
				return refuse(m, -EINVAL, "malformed expression");
		}
	}
	/* Most rules need nothing; their chains still tell who wrote them. */
	if (!rule.kinds) {
		ct_rules_count(m->r, &rule);
		return 0;
	}
	if (tb[NFTA_RULE_HANDLE])
		rule.handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	if (xtables_table(family, w.table))
		rule.position = pos;
	return add_entry(m, &w, &rule, chain, NULL);
}

int ct_nft_msg(struct ct_nft_msgs *m, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *nfg;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return refuse(m, -EBADMSG, "message too short");
	nfg = mnl_nlmsg_get_payload(nlh);
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWSET:
		return set_msg(m, nlh, nfg->nfgen_family);
	case NFT_MSG_NEWOBJ:
		return obj_msg(m, nlh, nfg->nfgen_family);
	case NFT_MSG_NEWRULE:
		return rule_msg(m, nlh, nfg->nfgen_family);
	default:
		return 0;
	}
}

void ct_nft_msgs_free(struct ct_nft_msgs *m)
{
	free(m->sets);
	m->sets = NULL;
	m->nsets = 0;
	m->setcap = 0;
}
