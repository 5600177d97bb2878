/*
 * Unit tests for the composition sample: the dump parser on recorded and built replies, the
 * aggregation (classes, top-N tables) and the phrases.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "composition.h"
#include "tap.h"

/* tests/data/<rel>, found from this file's own path so the test runs from any directory. */
static const char *data_path(const char *rel)
{
	static char path[4096];
	const char *f = __FILE__, *slash = strrchr(f, '/');
	int dir = slash ? (int)(slash - f) : 0;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/../data/%s", dir, f, rel);
	else
		snprintf(path, sizeof(path), "../data/%s", rel);
	return path;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(size ? (size_t)size + 1 : 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		if (buf)
			buf[size] = '\0';
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

static uint32_t class_count(const struct ct_composition *c, const char *name)
{
	char n[48];

	for (int p = 0; p < CT_P_MAX; p++) {
		/* TCP classes by state, the others by reply: only those names exist. */
		for (int s = 0; s < (p == CT_P_TCP ? CT_CLASS_SUB : CT_R_MAX); s++) {
			struct ct_class cls = {(enum ct_proto)p, s};

			if (strcmp(ct_class_name(&cls, n, sizeof(n)), name) == 0)
				return c->cls[p][s];
		}
	}
	return UINT32_MAX;
}

/* The recorded dump against what conntrack -L said of the same table. */
static void test_recorded(void)
{
	size_t len, clen;
	unsigned char *buf = slurp(data_path("netlink/dump-ct.bin"), &len);
	char *classes = (char *)slurp(data_path("netlink/dump-ct.classes"), &clen);
	struct ct_composition c;
	char err[256] = "", *line, *save = NULL;
	uint32_t total = 0;

	ok(buf && classes, "recorded dump and its conntrack -L classes are there");
	if (!buf || !classes)
		return;
	ct_composition_init(&c, 0, true);
	is_int(ct_composition_parse(buf, len, &c, err, sizeof(err)), 1,
	       "recorded dump: parsed to its end");
	is_str(err, "", "recorded dump: no reason");
	for (line = strtok_r(classes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');
		uint32_t want;

		if (!sp)
			continue;
		want = (uint32_t)strtoul(sp + 1, NULL, 10);
		*sp = '\0';
		total += want;
		is_int(class_count(&c, line), want, line);
	}
	is_int(c.sampled, total, "recorded dump: every entry conntrack -L listed was read");
	is_int(c.proto[CT_P_UDP] + c.proto[CT_P_TCP] + c.proto[CT_P_ICMP], total,
	       "recorded dump: protocols add up");
	ok(!c.interrupted, "recorded dump: not interrupted");

	/* The same bytes with a cap: stops there, says so. */
	ct_composition_init(&c, 100, false);
	is_int(ct_composition_parse(buf, len, &c, err, sizeof(err)), 2,
	       "recorded dump, cap 100: stopped by the cap");
	is_int(c.sampled, 100, "recorded dump, cap 100: 100 entries sampled");
	ok(c.top[CT_TOP_SRC].used == 0, "addresses not kept unless asked");
	free(buf);
	free(classes);
}

static void test_eperm(void)
{
	size_t len;
	unsigned char *buf = slurp(data_path("netlink/eperm-ct.bin"), &len);
	struct ct_composition c;
	char err[256] = "";

	ok(buf != NULL, "recorded EPERM reply is there");
	if (!buf)
		return;
	ct_composition_init(&c, 0, false);
	is_int(ct_composition_parse(buf, len, &c, err, sizeof(err)), -EPERM,
	       "unprivileged dump: -EPERM");
	is_str(err, "ctnetlink: permission denied (needs CAP_NET_ADMIN)", "EPERM: the reason");
	free(buf);
}

/* A dump reply built by hand: one entry per message, then what a test wants to break. */
struct entry {
	int family;
	uint8_t proto;
	const char *src, *dst;
	int dport; /* -1: none */
	uint32_t status;
	int tcp_state; /* -1: no protoinfo */
};

static struct nlmsghdr *put_entry(char *at, const struct entry *e, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nfgenmsg *nfg;
	struct nlattr *tuple, *nest;
	uint8_t a[16];

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)e->family;
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(e->family == AF_INET6 ? AF_INET6 : AF_INET, e->src, a);
	mnl_attr_put(nlh, e->family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC,
		     e->family == AF_INET6 ? 16 : 4, a);
	inet_pton(e->family == AF_INET6 ? AF_INET6 : AF_INET, e->dst, a);
	mnl_attr_put(nlh, e->family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST,
		     e->family == AF_INET6 ? 16 : 4, a);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, e->proto);
	if (e->dport >= 0) {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(40000));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons((uint16_t)e->dport));
	}
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tuple);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(e->status));
	if (e->tcp_state >= 0) {
		struct nlattr *info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, (uint8_t)e->tcp_state);
		mnl_attr_nest_end(nlh, tcp);
		mnl_attr_nest_end(nlh, info);
	}
	/* An attribute of a newer kernel: not ours to judge. */
	mnl_attr_put_u32(nlh, CTA_MAX + 5, 0);
	return nlh;
}

static size_t put_done(char *at, int code)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	*p = code;
	return nlh->nlmsg_len;
}

#define CT_TYPE (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET)
#define ASSURED (IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED)

static const struct entry udp53 = {AF_INET, IPPROTO_UDP,   "10.1.2.3", "10.53.0.53",
				   53,	    IPS_CONFIRMED, -1};
static const struct entry tw = {AF_INET, IPPROTO_TCP, "10.2.0.9", "10.80.0.80", 80, ASSURED, 7};
static const struct entry udp6 = {AF_INET6, IPPROTO_UDP, "fd00:1:2:3::9", "fd00::53", 53,
				  ASSURED,  -1};
static const struct entry gre = {AF_INET, IPPROTO_GRE, "10.7.0.1", "10.7.0.2", -1, ASSURED, -1};

/* Parse one built message followed by NLMSG_DONE: the return, the reason in err. */
static int parse_one(struct nlmsghdr *nlh, struct ct_composition *c, char *err, size_t errlen)
{
	char *buf = (char *)nlh;
	size_t len = MNL_ALIGN(nlh->nlmsg_len);

	len += put_done(buf + len, 0);
	err[0] = '\0';
	return ct_composition_parse(buf, len, c, err, errlen);
}

/* A reason is one line, names its source and says what was wrong. */
static void like_reason(const char *err, const char *want)
{
	int good = strncmp(err, "ctnetlink: ", 11) == 0 && strstr(err, want) && !strchr(err, '\n');

	ok(good, "reason says '%s'", want);
	if (!good)
		printf("#   got '%s'\n", err);
}

static void test_built(void)
{
	static char buf[16384];
	struct ct_composition c;
	char err[256];
	size_t len = 0;
	struct nlmsghdr *nlh;

	ct_composition_init(&c, 0, true);
	len += put_entry(buf + len, &udp53, CT_TYPE)->nlmsg_len;
	len += put_entry(buf + len, &tw, CT_TYPE)->nlmsg_len;
	/* Events carry IPCTNL_MSG_CT_NEW: accepted too. */
	len += put_entry(buf + len, &udp6, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW)
		       ->nlmsg_len;
	len += put_entry(buf + len, &gre, CT_TYPE)->nlmsg_len;
	len += put_done(buf + len, 0);
	err[0] = '\0';
	is_int(ct_composition_parse(buf, len, &c, err, sizeof(err)), 1,
	       "built dump: read to its end");
	is_str(err, "", "built dump: no reason");
	is_int(c.sampled, 4, "built dump: 4 entries");
	is_int(c.cls[CT_P_UDP][CT_R_UNREPLIED], 1, "udp unreplied");
	is_int(c.cls[CT_P_TCP][7], 1, "tcp TIME_WAIT");
	is_int(c.cls[CT_P_UDP][CT_R_ASSURED], 1, "udp assured (IPv6)");
	is_int(c.cls[CT_P_GRE][CT_R_ASSURED], 1, "gre assured, no port");
	is_int(c.top[CT_TOP_DPORT].used, 2, "ports: 53/udp and 80/tcp (gre has none)");

	/* Without a DONE: more to come. */
	ct_composition_init(&c, 0, false);
	is_int(ct_composition_parse(buf, len - sizeof(struct nlmsghdr) - 4, &c, err, sizeof(err)),
	       0, "without NLMSG_DONE: more to come");

	/* The dump's own result in NLMSG_DONE. */
	ct_composition_init(&c, 0, false);
	put_done(buf, -EINTR);
	is_int(ct_composition_parse(buf, sizeof(struct nlmsghdr) + 4, &c, err, sizeof(err)), -EINTR,
	       "NLMSG_DONE carrying -EINTR: an error");
	is_str(err, "ctnetlink: dump ended with an error: Interrupted system call",
	       "NLMSG_DONE error: the reason");

	/* NLM_F_DUMP_INTR: a sample of a moving table, still read. */
	ct_composition_init(&c, 0, false);
	nlh = put_entry(buf, &udp53, CT_TYPE);
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	is_int(parse_one(nlh, &c, err, sizeof(err)), 1, "NLM_F_DUMP_INTR: still read");
	ok(c.interrupted && c.sampled == 1, "NLM_F_DUMP_INTR: noted as interrupted");

	/* TCP without protoinfo, or with a state this code does not know. */
	ct_composition_init(&c, 0, false);
	{
		struct entry e = tw;

		e.tcp_state = -1;
		parse_one(put_entry(buf, &e, CT_TYPE), &c, err, sizeof(err));
		e.tcp_state = 42;
		parse_one(put_entry(buf, &e, CT_TYPE), &c, err, sizeof(err));
	}
	is_int(c.cls[CT_P_TCP][CT_TCP_UNKNOWN], 2, "tcp without a known state: 'state not given'");
}

/* Each malformed reply: the error and its one-line reason. */
static void test_malformed(void)
{
	static char buf[4096];
	struct ct_composition c;
	char err[256];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct entry e;

	ct_composition_init(&c, 0, false);
	nlh = put_entry(buf, &udp53, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE);
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "unexpected message type: -EINVAL");
	like_reason(err, "unexpected message type");

	nlh = put_entry(buf, &udp53, CT_TYPE);
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family = AF_BRIDGE;
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "family AF_BRIDGE: -EINVAL");
	like_reason(err, "entry of address family 7");

	/* The first attribute (CTA_TUPLE_ORIG) cut short: its length past the message. */
	nlh = put_entry(buf, &udp53, CT_TYPE);
	a = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + sizeof(struct nfgenmsg));
	a->nla_len = (uint16_t)(nlh->nlmsg_len + 8);
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL,
	       "attribute past its message: -EINVAL");
	like_reason(err, "truncated or malformed entry attribute");

	/* The status with 2 bytes instead of 4. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = CT_TYPE;
	((struct nfgenmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg)))
		->nfgen_family = AF_INET;
	mnl_attr_put_u16(nlh, CTA_STATUS, 1);
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "status of 2 bytes: -EINVAL");
	like_reason(err, "entry attribute 3 has a bad length (2)");

	/* No original tuple. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = CT_TYPE;
	((struct nfgenmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg)))
		->nfgen_family = AF_INET;
	mnl_attr_put_u32(nlh, CTA_STATUS, 0);
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "no tuple: -EINVAL");
	like_reason(err, "entry without its original tuple or status");

	/* The status twice. */
	nlh = put_entry(buf, &udp53, CT_TYPE);
	mnl_attr_put_u32(nlh, CTA_STATUS, 0);
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "status twice: -EINVAL");
	like_reason(err, "entry attribute 3 given twice");

	/* An IPv6 entry announced as IPv4: no IPv4 addresses in it. */
	nlh = put_entry(buf, &udp6, CT_TYPE);
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family = AF_INET;
	is_int(parse_one(nlh, &c, err, sizeof(err)), -EINVAL, "IPv6 addresses in an IPv4 entry");
	like_reason(err, "entry without IPv4 addresses");

	/* UDP without a destination port. */
	e = udp53;
	e.dport = -1;
	is_int(parse_one(put_entry(buf, &e, CT_TYPE), &c, err, sizeof(err)), -EINVAL,
	       "udp without a port: -EINVAL");
	like_reason(err, "udp entry without a destination port");

	/* A message cut off in the middle. */
	nlh = put_entry(buf, &udp53, CT_TYPE);
	is_int(ct_composition_parse(buf, nlh->nlmsg_len - 4, &c, err, sizeof(err)), -EINVAL,
	       "cut-off message: -EINVAL");
	like_reason(err, "truncated message in reply");
	is_int(ct_composition_parse(buf, 0, &c, err, sizeof(err)), -EINVAL, "empty: -EINVAL");
	like_reason(err, "empty reply");

	/* NLMSG_ERROR too short for its payload. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	is_int(ct_composition_parse(buf, nlh->nlmsg_len, &c, err, sizeof(err)), -EBADMSG,
	       "short NLMSG_ERROR: -EBADMSG");
	like_reason(err, "truncated error message");
}

static void test_shares(void)
{
	static const struct {
		uint64_t part, whole;
		const char *want;
	} cases[] = {
		{0, 0, "0%"},	      {0, 10, "0%"},	{1, 1000, "<1%"},
		{5, 1000, "1%"},      {71, 100, "71%"}, {999, 1000, ">99%"},
		{1000, 1000, "100%"}, {1, 3, "33%"},	{2, 3, "67%"},
	};
	char buf[16], name[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "share %llu of %llu is %s",
			 (unsigned long long)cases[i].part, (unsigned long long)cases[i].whole,
			 cases[i].want);
		is_str(ct_share_text(cases[i].part, cases[i].whole, buf, sizeof(buf)),
		       cases[i].want, name);
	}
}

static void add_v4(struct ct_composition *c, enum ct_proto p, int tcp, uint32_t status,
		   const char *src, const char *dst, int dport)
{
	uint8_t s[4], d[4];

	inet_pton(AF_INET, src, s);
	inet_pton(AF_INET, dst, d);
	ct_composition_add(c, p, tcp, status, AF_INET, s, d, dport);
}

static void test_phrases(void)
{
	struct ct_composition c;
	struct mp_buf b = {0};
	char src[32];

	/* The example: 71% udp unreplied to port 53 from one /24. */
	ct_composition_init(&c, 100, true);
	for (int i = 0; i < 71; i++) {
		snprintf(src, sizeof(src), "10.1.2.%d", i + 1);
		add_v4(&c, CT_P_UDP, 0, IPS_CONFIRMED, src, "10.53.0.53", 53);
	}
	for (int i = 0; i < 29; i++)
		add_v4(&c, CT_P_TCP, 3, ASSURED, "192.168.1.1", "10.44.3.1", 443);
	c.end = CT_SAMPLE_CAP;
	ct_composition_phrase(&c, 262144, &b);
	is_str(mp_buf_str(&b),
	       "71% udp unreplied, 71% to port 53, 71% from 10.1.2.0/24 (100 of 262144 sampled)",
	       "phrase: the dominant class, port and source prefix, and the sample");
	mp_buf_free(&b);
	ct_composition_lines(&c, 1, &b);
	is_str(mp_buf_str(&b),
	       "composition: protocols: udp 71%, tcp 29%\n"
	       "composition: tcp states: ESTABLISHED 29%\n"
	       "composition: reply: unreplied 71%, assured 29%\n"
	       "composition: destination ports: 53/udp 71%, 443/tcp 29%\n"
	       "composition: source prefixes: 10.1.2.0/24 71%, 192.168.1.0/24 29%\n"
	       "composition: destination prefixes: 10.53.0.0/24 71%, 10.44.3.0/24 29%\n",
	       "lines at -v: shares per table, no addresses");
	mp_buf_free(&b);
	ct_composition_lines(&c, 2, &b);
	ok(strstr(mp_buf_str(&b), "composition: source addresses: 192.168.1.1 29%, ") &&
		   strstr(mp_buf_str(&b), "composition: destination addresses: 10.53.0.53 71%, "
					  "10.44.3.1 29%\n"),
	   "lines at -vv: full addresses");
	mp_buf_free(&b);

	/* No value dominates: only the largest class is named. */
	ct_composition_init(&c, 0, false);
	for (int i = 0; i < 40; i++)
		add_v4(&c, CT_P_TCP, 7, ASSURED, "10.2.0.1", "10.80.0.80", 80 + i % 2);
	for (int i = 0; i < 30; i++)
		add_v4(&c, CT_P_UDP, 0, IPS_CONFIRMED | IPS_SEEN_REPLY, "10.9.0.1", "10.9.9.9",
		       123);
	for (int i = 0; i < 30; i++)
		add_v4(&c, CT_P_ICMP, 0, IPS_CONFIRMED, "10.8.0.1", "10.8.9.9", -1);
	c.end = CT_SAMPLE_WHOLE;
	ct_composition_phrase(&c, 100, &b);
	is_str(mp_buf_str(&b), "40% tcp TIME_WAIT (whole table read: 100 entries)",
	       "phrase: no dominant value, the whole table");
	mp_buf_free(&b);
	c.end = CT_SAMPLE_DEADLINE;
	ct_composition_phrase(&c, 5000, &b);
	is_str(mp_buf_str(&b), "40% tcp TIME_WAIT (100 of 5000 sampled before the time ran out)",
	       "phrase: stopped by the deadline");
	mp_buf_free(&b);

	ct_composition_init(&c, 0, false);
	ct_composition_phrase(&c, 0, &b);
	is_str(mp_buf_str(&b), "no entries in this namespace's table", "phrase: empty table");
	mp_buf_free(&b);
	ct_composition_lines(&c, 2, &b);
	is_str(mp_buf_str(&b), "", "lines: nothing for an empty sample");
	mp_buf_free(&b);
	c.end = CT_SAMPLE_DEADLINE;
	ct_composition_phrase(&c, 10, &b);
	is_str(mp_buf_str(&b), "no entries read before the time ran out",
	       "phrase: nothing in time");
	mp_buf_free(&b);
}

/* Space-Saving: the heavy value is found and its certain count never overstates. */
static void test_top(void)
{
	struct ct_composition c;
	struct ct_top_slot s[CT_TOP_SHOWN];
	uint8_t a[4] = {10, 0, 0, 1};
	size_t n;

	ct_composition_init(&c, 0, false);
	/* 5000 entries: 1000 to port 53 spread among 4000 others on 2000 ports, 53 last. */
	for (int i = 0; i < 4000; i++)
		ct_composition_add(&c, CT_P_UDP, 0, 0, AF_INET, a, a, 2000 + i % 2000);
	for (int i = 0; i < 1000; i++)
		ct_composition_add(&c, CT_P_UDP, 0, 0, AF_INET, a, a, 53);
	n = ct_composition_top(&c, CT_TOP_DPORT, s, CT_TOP_SHOWN);
	ok(n == CT_TOP_SHOWN && s[0].key.port == 53, "heavy port found though it came last");
	ok(s[0].count - s[0].err <= 1000 && s[0].count >= 1000,
	   "its certain count (%u) <= 1000 <= its count (%u)", s[0].count - s[0].err, s[0].count);
	ok(c.top[CT_TOP_DPORT].used == CT_TOP_SLOTS, "the table stays at %d slots", CT_TOP_SLOTS);

	/* Fewer values than slots: exact. */
	ct_composition_init(&c, 0, false);
	for (int i = 0; i < 300; i++)
		ct_composition_add(&c, CT_P_TCP, 3, 0, AF_INET, a, a, 1 + i % 3);
	n = ct_composition_top(&c, CT_TOP_DPORT, s, CT_TOP_SHOWN);
	ok(n == 3 && s[0].count == 100 && s[0].err == 0 && s[2].count == 100,
	   "three values: exact counts");
}

static void test_key_text(void)
{
	struct ct_composition c;
	struct ct_top_slot s;
	uint8_t v6[16], v4[4] = {192, 0, 2, 77};
	char buf[64];

	inet_pton(AF_INET6, "2001:db8:1:2:3:4:5:6", v6);
	ct_composition_init(&c, 0, true);
	ct_composition_add(&c, CT_P_UDP, 0, 0, AF_INET6, v6, v6, 443);
	ct_composition_top(&c, CT_TOP_SRC_NET, &s, 1);
	is_str(ct_top_key_text(CT_TOP_SRC_NET, &s.key, buf, sizeof(buf)), "2001:db8:1:2::/64",
	       "IPv6 source aggregated to /64");
	ct_composition_top(&c, CT_TOP_SRC, &s, 1);
	is_str(ct_top_key_text(CT_TOP_SRC, &s.key, buf, sizeof(buf)), "2001:db8:1:2:3:4:5:6",
	       "IPv6 full address");
	ct_composition_top(&c, CT_TOP_DPORT, &s, 1);
	is_str(ct_top_key_text(CT_TOP_DPORT, &s.key, buf, sizeof(buf)), "443/udp", "port/protocol");
	ct_composition_init(&c, 0, false);
	ct_composition_add(&c, CT_P_SCTP, 0, 0, AF_INET, v4, v4, 38412);
	ct_composition_top(&c, CT_TOP_DST_NET, &s, 1);
	is_str(ct_top_key_text(CT_TOP_DST_NET, &s.key, buf, sizeof(buf)), "192.0.2.0/24",
	       "IPv4 destination aggregated to /24");
	ct_composition_top(&c, CT_TOP_DPORT, &s, 1);
	is_str(ct_top_key_text(CT_TOP_DPORT, &s.key, buf, sizeof(buf)), "38412/sctp", "sctp port");
	ct_composition_init(&c, 0, false);
	ok(c.cap == CT_COMPOSITION_CAP, "cap 0 is the default, %d", CT_COMPOSITION_CAP);
	ct_composition_init(&c, UINT32_MAX, false);
	ok(c.cap == CT_COMPOSITION_CAP_MAX, "a cap past the largest is the largest");
}

int main(void)
{
	test_recorded();
	test_eperm();
	test_built();
	test_malformed();
	test_shares();
	test_phrases();
	test_top();
	test_key_text();
	return tap_done();
}
