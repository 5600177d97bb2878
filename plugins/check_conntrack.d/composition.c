/*
 * The composition of the conntrack table: a bounded IPCTNL_MSG_CT_GET dump, every attribute read
 * validated level by level, aggregated into fixed-size counts and top-N tables, and the phrases
 * that describe the result.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "composition.h"
#include "nldump.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

const char *const ct_proto_names[CT_P_MAX] = {"tcp",	 "udp",	 "icmp", "icmpv6", "sctp",
					      "udplite", "dccp", "gre",	 "other"};
const char *const ct_reply_names[CT_R_MAX] = {"unreplied", "replied", "assured"};
const char *const ct_tcp_state_names[CT_TCP_STATES + 1] = {
	"NONE",	    "SYN_SENT",	 "SYN_RECV", "ESTABLISHED", "FIN_WAIT",	      "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE",    "SYN_SENT2",   "state not given"};

/* IP protocol number -> ours, and whether its tuple carries ports. */
static const struct {
	enum ct_proto proto;
	uint8_t num;
	bool ports;
} protocols[] = {
	{CT_P_TCP, IPPROTO_TCP, true},	  {CT_P_UDP, IPPROTO_UDP, true},
	{CT_P_ICMP, IPPROTO_ICMP, false}, {CT_P_ICMPV6, IPPROTO_ICMPV6, false},
	{CT_P_SCTP, IPPROTO_SCTP, true},  {CT_P_UDPLITE, IPPROTO_UDPLITE, true},
	{CT_P_DCCP, IPPROTO_DCCP, true},  {CT_P_GRE, IPPROTO_GRE, false},
};

static const struct ct_attr_rule top_rules[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = {MNL_TYPE_NESTED, 0},
	[CTA_STATUS] = {MNL_TYPE_U32, 0},
	[CTA_PROTOINFO] = {MNL_TYPE_NESTED, 0},
};
static const struct ct_attr_rule tuple_rules[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = {MNL_TYPE_NESTED, 0},
	[CTA_TUPLE_PROTO] = {MNL_TYPE_NESTED, 0},
};
static const struct ct_attr_rule ip_rules[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = {MNL_TYPE_U32, 0},
	[CTA_IP_V4_DST] = {MNL_TYPE_U32, 0},
	[CTA_IP_V6_SRC] = {MNL_TYPE_BINARY, 16},
	[CTA_IP_V6_DST] = {MNL_TYPE_BINARY, 16},
};
static const struct ct_attr_rule proto_rules[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = {MNL_TYPE_U8, 0},
	[CTA_PROTO_DST_PORT] = {MNL_TYPE_U16, 0},
};
static const struct ct_attr_rule protoinfo_rules[CTA_PROTOINFO_MAX + 1] = {
	[CTA_PROTOINFO_TCP] = {MNL_TYPE_NESTED, 0},
};
static const struct ct_attr_rule tcpinfo_rules[CTA_PROTOINFO_TCP_MAX + 1] = {
	[CTA_PROTOINFO_TCP_STATE] = {MNL_TYPE_U8, 0},
};

static const struct ct_attr_level top_level = {"entry", CTA_MAX, top_rules};
static const struct ct_attr_level tuple_level = {"tuple", CTA_TUPLE_MAX, tuple_rules};
static const struct ct_attr_level ip_level = {"address", CTA_IP_MAX, ip_rules};
static const struct ct_attr_level proto_level = {"protocol", CTA_PROTO_MAX, proto_rules};
static const struct ct_attr_level protoinfo_level = {"protocol info", CTA_PROTOINFO_MAX,
						     protoinfo_rules};
static const struct ct_attr_level tcpinfo_level = {"tcp info", CTA_PROTOINFO_TCP_MAX,
						   tcpinfo_rules};

/* An entry's original tuple: family's addresses, protocol, destination port. */
struct tuple {
	int family;
	uint8_t src[16], dst[16];
	uint8_t num;
	uint16_t dport;
	bool have_port;
};

static int read_addresses(const struct nlattr *nest, struct tuple *t, struct ct_dump *d)
{
	const struct nlattr *tb[CTA_IP_MAX + 1] = {0};
	int s = t->family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC;
	int ds = t->family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST;
	size_t n = t->family == AF_INET ? 4 : 16;

	if (ct_dump_nested(nest, &ip_level, tb, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[s] || !tb[ds])
		return ct_dump_fail(d, EINVAL, "entry without %s addresses",
				    t->family == AF_INET ? "IPv4" : "IPv6");
	memcpy(t->src, mnl_attr_get_payload(tb[s]), n);
	memcpy(t->dst, mnl_attr_get_payload(tb[ds]), n);
	return MNL_CB_OK;
}

static int read_proto(const struct nlattr *nest, struct tuple *t, struct ct_dump *d)
{
	const struct nlattr *tb[CTA_PROTO_MAX + 1] = {0};

	if (ct_dump_nested(nest, &proto_level, tb, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[CTA_PROTO_NUM])
		return ct_dump_fail(d, EINVAL, "entry without a protocol number");
	t->num = mnl_attr_get_u8(tb[CTA_PROTO_NUM]);
	if (tb[CTA_PROTO_DST_PORT]) {
		t->dport = ntohs(mnl_attr_get_u16(tb[CTA_PROTO_DST_PORT]));
		t->have_port = true;
	}
	return MNL_CB_OK;
}

static int read_tuple(const struct nlattr *nest, struct tuple *t, struct ct_dump *d)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1] = {0};

	if (ct_dump_nested(nest, &tuple_level, tb, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return ct_dump_fail(d, EINVAL, "entry tuple without addresses or protocol");
	if (read_addresses(tb[CTA_TUPLE_IP], t, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	return read_proto(tb[CTA_TUPLE_PROTO], t, d);
}

/* The TCP state, CT_TCP_UNKNOWN when the kernel gave none or one we do not know. */
static int read_tcp_state(const struct nlattr *nest, int *state, struct ct_dump *d)
{
	const struct nlattr *info[CTA_PROTOINFO_MAX + 1] = {0};
	const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1] = {0};
	uint8_t s;

	*state = CT_TCP_UNKNOWN;
	if (!nest)
		return MNL_CB_OK;
	if (ct_dump_nested(nest, &protoinfo_level, info, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!info[CTA_PROTOINFO_TCP])
		return MNL_CB_OK;
	if (ct_dump_nested(info[CTA_PROTOINFO_TCP], &tcpinfo_level, tcp, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tcp[CTA_PROTOINFO_TCP_STATE])
		return MNL_CB_OK;
	s = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
	if (s < CT_TCP_STATES)
		*state = s;
	return MNL_CB_OK;
}

static enum ct_proto proto_of(uint8_t num, bool *ports)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		if (protocols[i].num == num) {
			*ports = protocols[i].ports;
			return protocols[i].proto;
		}
	}
	*ports = false;
	return CT_P_OTHER;
}

/* One message of the dump: one entry. */
static int entry_cb(const struct nlmsghdr *nlh, struct ct_dump *d)
{
	struct ct_composition *c = d->data;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CTA_MAX + 1] = {0};
	struct tuple t = {.family = nfg->nfgen_family};
	enum ct_proto proto;
	bool ports;
	int tcp_state = CT_TCP_UNKNOWN;

	if (t.family != AF_INET && t.family != AF_INET6)
		return ct_dump_fail(d, EINVAL, "entry of address family %d", t.family);
	if (ct_dump_attrs(nlh, &top_level, tb, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[CTA_TUPLE_ORIG] || !tb[CTA_STATUS])
		return ct_dump_fail(d, EINVAL, "entry without its original tuple or status");
	if (read_tuple(tb[CTA_TUPLE_ORIG], &t, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	proto = proto_of(t.num, &ports);
	if (ports && !t.have_port)
		return ct_dump_fail(d, EINVAL, "%s entry without a destination port",
				    ct_proto_names[proto]);
	if (proto == CT_P_TCP && read_tcp_state(tb[CTA_PROTOINFO], &tcp_state, d) < MNL_CB_OK)
		return MNL_CB_ERROR;
	ct_composition_add(c, proto, tcp_state, ntohl(mnl_attr_get_u32(tb[CTA_STATUS])), t.family,
			   t.src, t.dst, ports ? t.dport : -1);
	return c->sampled >= c->cap ? MNL_CB_STOP : MNL_CB_OK;
}

void ct_composition_init(struct ct_composition *c, uint32_t cap, bool addresses)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap ? cap : CT_COMPOSITION_CAP;
	if (c->cap > CT_COMPOSITION_CAP_MAX)
		c->cap = CT_COMPOSITION_CAP_MAX;
	c->addresses = addresses;
}

static void dump_init(struct ct_dump *d, struct ct_composition *c, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	d->family = AF_UNSPEC;
	/* Dumps answer with the request's type; IPCTNL_MSG_CT_NEW is what events carry. */
	d->want_type[0] = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	d->want_type[1] = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
	d->cb = entry_cb;
	d->data = c;
	d->err = err;
	d->errlen = errlen;
}

int ct_composition_parse(const void *buf, size_t len, struct ct_composition *c, char *err,
			 size_t errlen)
{
	struct ct_dump d;
	int ret;

	dump_init(&d, c, err, errlen);
	ret = ct_dump_parse(buf, len, 0, 0, &d);
	if (d.interrupted)
		c->interrupted = true;
	return ret;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int ct_composition_read(struct mnl_socket **nl, const struct timespec *deadline,
			struct ct_composition *c, char *err, size_t errlen)
{
	static const enum ct_sample_end end_of[] = {
		[CT_DUMP_DONE] = CT_SAMPLE_WHOLE,
		[CT_DUMP_STOPPED] = CT_SAMPLE_CAP,
		[CT_DUMP_DEADLINE] = CT_SAMPLE_DEADLINE,
	};
	struct timespec t0;
	struct ct_dump d;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	dump_init(&d, c, err, errlen);
	d.deadline = deadline;
	ret = ct_dump_run(nl, &d, err, errlen);
	c->seconds = since(&t0);
	c->datagrams = d.datagrams;
	c->interrupted = d.interrupted;
	if (ret < 0)
		return ret;
	c->end = end_of[ret];
	return 0;
}

static bool key_equal(const struct ct_top_key *a, const struct ct_top_key *b)
{
	return a->family == b->family && a->proto == b->proto && a->plen == b->plen &&
	       a->port == b->port && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Space-Saving: a value not in a full table takes the smallest slot and inherits its count. */
static void top_add(struct ct_top *t, const struct ct_top_key *k)
{
	unsigned int i, min = 0;

	for (i = 0; i < t->used; i++) {
		if (key_equal(&t->slot[i].key, k)) {
			t->slot[i].count++;
			return;
		}
	}
	if (t->used < CT_TOP_SLOTS) {
		t->slot[t->used].key = *k;
		t->slot[t->used].count = 1;
		t->slot[t->used].err = 0;
		t->used++;
		return;
	}
	for (i = 1; i < CT_TOP_SLOTS; i++)
		if (t->slot[i].count < t->slot[min].count)
			min = i;
	t->slot[min].key = *k;
	t->slot[min].err = t->slot[min].count;
	t->slot[min].count++;
}

static void add_address(struct ct_top *t, int family, const uint8_t *addr, unsigned int plen)
{
	struct ct_top_key k;
	unsigned int full = family == AF_INET ? 32 : 128;

	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)family;
	k.plen = (uint8_t)(plen < full ? plen : full);
	memcpy(k.addr, addr, full / 8);
	/* Prefixes of whole bytes: /24 and /64. */
	memset(k.addr + k.plen / 8, 0, sizeof(k.addr) - k.plen / 8);
	top_add(t, &k);
}

static int reply_of(uint32_t status)
{
	if (!(status & IPS_SEEN_REPLY))
		return CT_R_UNREPLIED;
	return status & IPS_ASSURED ? CT_R_ASSURED : CT_R_REPLIED;
}

void ct_composition_add(struct ct_composition *c, enum ct_proto proto, int tcp_state,
			uint32_t status, int family, const uint8_t *src, const uint8_t *dst,
			int dport)
{
	int reply = reply_of(status);
	unsigned int net = family == AF_INET ? 24 : 64;

	if (tcp_state < 0 || tcp_state > CT_TCP_UNKNOWN)
		tcp_state = CT_TCP_UNKNOWN;
	c->sampled++;
	c->proto[proto]++;
	c->reply[reply]++;
	if (proto == CT_P_TCP) {
		c->tcp_state[tcp_state]++;
		c->cls[proto][tcp_state]++;
	} else {
		c->cls[proto][reply]++;
	}
	if (dport >= 0 && dport <= UINT16_MAX) {
		struct ct_top_key k;

		memset(&k, 0, sizeof(k));
		k.proto = (uint8_t)proto;
		k.port = (uint16_t)dport;
		top_add(&c->top[CT_TOP_DPORT], &k);
	}
	add_address(&c->top[CT_TOP_SRC_NET], family, src, net);
	add_address(&c->top[CT_TOP_DST_NET], family, dst, net);
	if (!c->addresses)
		return;
	add_address(&c->top[CT_TOP_SRC], family, src, 128);
	add_address(&c->top[CT_TOP_DST], family, dst, 128);
}

bool ct_composition_top_class(const struct ct_composition *c, struct ct_class *cls, uint32_t *count)
{
	*count = 0;
	for (int p = 0; p < CT_P_MAX; p++) {
		int subs = p == CT_P_TCP ? CT_CLASS_SUB : CT_R_MAX;

		for (int s = 0; s < subs; s++) {
			if (c->cls[p][s] > *count) {
				*count = c->cls[p][s];
				cls->proto = (enum ct_proto)p;
				cls->sub = s;
			}
		}
	}
	return *count > 0;
}

const char *ct_class_name(const struct ct_class *cls, char *buf, size_t len)
{
	bool tcp = cls->proto == CT_P_TCP;
	int subs = tcp ? CT_TCP_STATES + 1 : CT_R_MAX;
	const char *sub = "?";

	if (cls->sub >= 0 && cls->sub < subs)
		sub = tcp ? ct_tcp_state_names[cls->sub] : ct_reply_names[cls->sub];
	snprintf(buf, len, "%s %s",
		 cls->proto >= 0 && cls->proto < CT_P_MAX ? ct_proto_names[cls->proto] : "?", sub);
	return buf;
}

static uint32_t certain(const struct ct_top_slot *s)
{
	return s->count - s->err;
}

size_t ct_composition_top(const struct ct_composition *c, enum ct_top_kind kind,
			  struct ct_top_slot *out, size_t n)
{
	const struct ct_top *t = &c->top[kind];
	bool taken[CT_TOP_SLOTS] = {false};
	size_t k;

	/* Selection of the n largest: n is small, the table is 64 slots. */
	for (k = 0; k < n && k < t->used; k++) {
		int best = -1;

		for (unsigned int i = 0; i < t->used; i++)
			if (!taken[i] &&
			    (best < 0 || certain(&t->slot[i]) > certain(&t->slot[best])))
				best = (int)i;
		if (best < 0)
			break;
		taken[best] = true;
		out[k] = t->slot[best];
	}
	return k;
}

const char *ct_top_key_text(enum ct_top_kind kind, const struct ct_top_key *k, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int full = k->family == AF_INET ? 32 : 128;

	if (kind == CT_TOP_DPORT) {
		snprintf(buf, len, "%u/%s", k->port,
			 ct_proto_names[k->proto < CT_P_MAX ? k->proto : CT_P_OTHER]);
		return buf;
	}
	if ((k->family != AF_INET && k->family != AF_INET6) ||
	    !inet_ntop(k->family, k->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (k->plen == full)
		mp_copy(buf, len, a);
	else
		snprintf(buf, len, "%s/%u", a, k->plen);
	return buf;
}

const char *ct_share_text(uint64_t part, uint64_t whole, char *buf, size_t len)
{
	uint64_t pct;

	if (whole == 0 || part == 0) {
		snprintf(buf, len, "0%%");
		return buf;
	}
	pct = (part * 100 + whole / 2) / whole;
	if (pct == 0)
		snprintf(buf, len, "<1%%");
	else if (pct >= 100 && part < whole)
		snprintf(buf, len, ">99%%");
	else
		snprintf(buf, len, "%llu%%", (unsigned long long)pct);
	return buf;
}

static bool dominates(uint64_t part, uint64_t whole)
{
	return whole > 0 && part * 100 >= (uint64_t)CT_DOMINANT_PCT * whole;
}

/* " (5000 of 262144 sampled)": what the shares are shares of. */
static void sample_note(const struct ct_composition *c, uint64_t entries, struct mp_buf *out)
{
	switch (c->end) {
	case CT_SAMPLE_WHOLE:
		mp_buf_printf(out, " (whole table read: %u entries)", c->sampled);
		break;
	case CT_SAMPLE_CAP:
		mp_buf_printf(out, " (%u of %llu sampled)", c->sampled,
			      (unsigned long long)entries);
		break;
	case CT_SAMPLE_DEADLINE:
		mp_buf_printf(out, " (%u of %llu sampled before the time ran out)", c->sampled,
			      (unsigned long long)entries);
		break;
	}
}

/* ", 64% to port 53" or ", 58% from 10.1.2.0/24" when that value dominates the sample. */
static void dominant_value(const struct ct_composition *c, enum ct_top_kind kind, const char *word,
			   struct mp_buf *out)
{
	struct ct_top_slot s;
	char v[64], pct[8];

	if (ct_composition_top(c, kind, &s, 1) != 1 || !dominates(certain(&s), c->sampled))
		return;
	if (kind == CT_TOP_DPORT)
		snprintf(v, sizeof(v), "port %u", s.key.port);
	else
		ct_top_key_text(kind, &s.key, v, sizeof(v));
	mp_buf_printf(out, ", %s %s %s", ct_share_text(certain(&s), c->sampled, pct, sizeof(pct)),
		      word, v);
}

void ct_composition_phrase(const struct ct_composition *c, uint64_t entries, struct mp_buf *out)
{
	struct ct_class cls;
	uint32_t n;
	char name[48], pct[8];

	if (!ct_composition_top_class(c, &cls, &n)) {
		mp_buf_printf(out, c->end == CT_SAMPLE_DEADLINE
					   ? "no entries read before the time ran out"
					   : "no entries in this namespace's table");
		return;
	}
	mp_buf_printf(out, "%s %s", ct_share_text(n, c->sampled, pct, sizeof(pct)),
		      ct_class_name(&cls, name, sizeof(name)));
	dominant_value(c, CT_TOP_DPORT, "to", out);
	dominant_value(c, CT_TOP_SRC_NET, "from", out);
	sample_note(c, entries, out);
}

/* "name share, name share, ..." over counts[], largest first, the zeros left out. */
static void shares_line(const char *what, const char *const *names, const uint32_t *counts,
			size_t n, uint32_t whole, struct mp_buf *out)
{
	bool taken[CT_CLASS_SUB + CT_P_MAX] = {false};
	char pct[8];
	const char *sep = "";

	mp_buf_printf(out, "composition: %s:", what);
	for (size_t k = 0; k < n; k++) {
		int best = -1;

		for (size_t i = 0; i < n; i++)
			if (!taken[i] && counts[i] && (best < 0 || counts[i] > counts[best]))
				best = (int)i;
		if (best < 0)
			break;
		taken[best] = true;
		mp_buf_printf(out, "%s %s %s", sep, names[best],
			      ct_share_text(counts[best], whole, pct, sizeof(pct)));
		sep = ",";
	}
	mp_buf_printf(out, "\n");
}

static void top_line(const struct ct_composition *c, enum ct_top_kind kind, const char *what,
		     struct mp_buf *out)
{
	struct ct_top_slot s[CT_TOP_SHOWN];
	size_t n = ct_composition_top(c, kind, s, CT_TOP_SHOWN);
	char v[64], pct[8];

	if (n == 0)
		return;
	mp_buf_printf(out, "composition: %s:", what);
	for (size_t i = 0; i < n; i++)
		mp_buf_printf(out, "%s %s %s", i ? "," : "",
			      ct_top_key_text(kind, &s[i].key, v, sizeof(v)),
			      ct_share_text(certain(&s[i]), c->sampled, pct, sizeof(pct)));
	mp_buf_printf(out, "\n");
}

/* Whether a list shown (the first `kinds` tables) saw more values than it has slots. */
static bool top_overflowed(const struct ct_composition *c, int kinds)
{
	for (int k = 0; k < kinds; k++)
		for (unsigned int i = 0; i < c->top[k].used; i++)
			if (c->top[k].slot[i].err)
				return true;
	return false;
}

void ct_composition_lines(const struct ct_composition *c, int verbose, struct mp_buf *out)
{
	if (c->sampled == 0)
		return;
	shares_line("protocols", ct_proto_names, c->proto, CT_P_MAX, c->sampled, out);
	if (c->proto[CT_P_TCP])
		shares_line("tcp states", ct_tcp_state_names, c->tcp_state, CT_TCP_STATES + 1,
			    c->sampled, out);
	shares_line("reply", ct_reply_names, c->reply, CT_R_MAX, c->sampled, out);
	top_line(c, CT_TOP_DPORT, "destination ports", out);
	top_line(c, CT_TOP_SRC_NET, "source prefixes", out);
	top_line(c, CT_TOP_DST_NET, "destination prefixes", out);
	if (verbose >= 2 && c->addresses) {
		top_line(c, CT_TOP_SRC, "source addresses", out);
		top_line(c, CT_TOP_DST, "destination addresses", out);
	}
	if (top_overflowed(c, verbose >= 2 && c->addresses ? CT_TOP_MAX : CT_TOP_SRC))
		mp_buf_printf(out,
			      "composition: more than %d distinct values in a list: its shares "
			      "are lower bounds\n",
			      CT_TOP_SLOTS);
	if (c->interrupted)
		mp_buf_printf(out, "composition: the table changed during the dump (a sample of a "
				   "moving table)\n");
}
