/* Unit tests for the rules module on bytes recorded from the kernel (tests/data/rules). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netlink.h>

#include "owners.h"
#include "rules.h"
#include "tap.h"

static const char *data_dir(void)
{
	const char *d = getenv("RULES_DATA");

	return d ? d : "tests/data/rules";
}

static const char *trees_dir(void)
{
	const char *d = getenv("FIXTURE_TREES");

	return d ? d : "tests/fixtures/trees";
}

static unsigned char *load(const char *name, size_t *len)
{
	char path[4096];
	unsigned char *buf = NULL;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	f = fopen(path, "rb");
	if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	if (f)
		fclose(f);
	ok(buf != NULL, "recorded %s loads", name);
	return buf;
}

/* A rule by its chain, or an object or a set by its name (chain empty), and its handle. */
static const struct ct_rule *find(const struct ct_rules *r, const char *table, const char *chain,
				  uint64_t handle)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->list[i].table, table) == 0 &&
		    strcmp(r->list[i].item == CT_ITEM_RULE ? r->list[i].chain : r->list[i].name,
			   chain) == 0 &&
		    r->list[i].handle == handle)
			return &r->list[i];
	return NULL;
}

/* Where each dump of a recording ends (after its NLMSG_DONE or NLMSG_ERROR): their count. */
static size_t dump_ends(const unsigned char *buf, size_t len, size_t *ends, size_t max)
{
	size_t n = 0;

	for (size_t o = 0; o + sizeof(struct nlmsghdr) <= len;) {
		struct nlmsghdr h;

		memcpy(&h, buf + o, sizeof(h));
		if (h.nlmsg_len < sizeof(h))
			break;
		o += NLMSG_ALIGN(h.nlmsg_len);
		if ((h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) && n < max)
			ends[n++] = o < len ? o : len;
	}
	return n;
}

static void is_rule(const struct ct_rules *r, const char *family, const char *backend,
		    const char *table, const char *chain, uint64_t handle, unsigned kinds,
		    const char *what)
{
	const struct ct_rule *x = find(r, table, chain, handle);
	char name[160];

	snprintf(name, sizeof(name), "%s %s %s #%llu", family, table, chain,
		 (unsigned long long)handle);
	ok(x != NULL, "%s: listed", name);
	if (!x)
		return;
	is_str(x->family, family, "  family");
	is_str(ct_rule_backend(x)->name, backend, "  backend");
	is_int(x->kinds, kinds, "  kinds");
	is_str(x->what, what, "  what");
}

static void test_nft_native(void)
{
	struct ct_rules r = {0};
	char err[128] = "";
	size_t len, cut, ends[4], nends;
	unsigned char *buf = load("nft-native.nft", &len);
	int rc, bad = 0;

	if (!buf)
		return;
	rc = ct_rules_nft_parse(buf, len, &r, err, sizeof(err));
	is_int(rc, 1, "nft native: dump parsed to NLMSG_DONE");
	is_int(r.state_rules, 1, "nft native: state_rules");
	is_int(r.tracking_rules, 4,
	       "nft native: tracking_rules (ct state, ct mark set, masq, dnat)");
	is_int(r.notrack_rules, 1, "nft native: notrack_rules");
	is_int(r.n, 5, "nft native: five rules listed, the stateless one not");
	is_rule(&r, "inet", "nftables", "hb", "input", 2, CT_RULE_STATE, "ct state");
	is_rule(&r, "inet", "nftables", "hb", "input", 3, CT_RULE_CT, "ct mark set");
	is_rule(&r, "ip", "nftables", "hbnat", "post", 3, CT_RULE_NAT, "masquerade");
	is_rule(&r, "ip", "nftables", "hbnat", "pre", 4, CT_RULE_NAT, "dnat");
	is_rule(&r, "inet", "nftables", "hbraw", "pre", 2, CT_RULE_NOTRACK, "notrack");
	ok(find(&r, "hb", "input", 4) == NULL, "nft native: tcp dport 22 accept is not listed");
	ok(r.list[0].position == 0, "nft native: no iptables rule number outside iptables' tables");
	is_int(r.tracking_l3, CT_L3_ALL, "nft native: inet and ip tables: both families tracked");
	ct_rules_free(&r);

	/*
	 * Every truncation is an error or "more to come", never done and never a crash; done only
	 * where one of the three dumps (sets, objects, rules) ends.
	 */
	nends = dump_ends(buf, len, ends, 4);
	is_int(nends, 3, "nft native: the recording holds the sets, objects and rules dumps");
	for (cut = 0; cut < len; cut++) {
		struct ct_rules t = {0};
		bool at_end = false;

		for (size_t e = 0; e < nends; e++)
			at_end |= ends[e] == cut;
		rc = ct_rules_nft_parse(buf, cut, &t, err, sizeof(err));
		if ((rc > 0 && !at_end) || (rc == 0 && cut % 4 != 0))
			bad++;
		ct_rules_free(&t);
	}
	is_int(bad, 0, "nft native: no prefix parses as complete but at the end of a dump");
	rc = ct_rules_nft_parse(buf, len - 7, &r, err, sizeof(err));
	is_int(rc, -EBADMSG, "nft native: cut inside the last message is -EBADMSG");
	ok(strstr(err, "truncated") != NULL, "nft native: reason says truncated (%s)", err);
	ct_rules_free(&r);

	/* Garbage in every byte: only well-formed results or errors (ASan/valgrind judge). */
	for (cut = 0; cut < len; cut++) {
		static const unsigned char junk[] = {0x00, 0xff, 0x01, 0x80};
		unsigned char keep = buf[cut];
		size_t j;

		for (j = 0; j < sizeof(junk); j++) {
			struct ct_rules t = {0};

			buf[cut] = junk[j];
			ct_rules_nft_parse(buf, len, &t, err, sizeof(err));
			if (t.n > 5 || t.state_rules > t.n || t.notrack_rules > t.n)
				bad++;
			ct_rules_free(&t);
		}
		buf[cut] = keep;
	}
	is_int(bad, 0, "nft native: byte mutations give sane results");
	free(buf);
}

static void test_nft_stateless(void)
{
	struct ct_rules r = {0};
	char err[128] = "";
	size_t len;
	unsigned char *buf = load("nft-stateless.nft", &len);
	int rc;

	if (!buf)
		return;
	rc = ct_rules_nft_parse(buf, len, &r, err, sizeof(err));
	is_int(rc, 1, "nft stateless: parsed");
	is_int(r.n, 0, "nft stateless: nothing listed");
	is_int(r.tracking_rules, 0, "nft stateless: tracking_rules 0");
	is_int(r.state_rules + r.notrack_rules, 0, "nft stateless: no state, no notrack");
	ct_rules_free(&r);
	free(buf);
}

static void test_nft_iptables(void)
{
	struct ct_rules r = {0};
	char err[128] = "";
	size_t len;
	unsigned char *buf = load("nft-iptnft.nft", &len);
	const struct ct_rule *x;
	int rc;

	if (!buf)
		return;
	rc = ct_rules_nft_parse(buf, len, &r, err, sizeof(err));
	is_int(rc, 1, "iptables-nft: parsed");
	is_int(r.state_rules, 1, "iptables-nft: state_rules");
	is_int(r.tracking_rules, 8, "iptables-nft: tracking_rules");
	is_int(r.notrack_rules, 1, "iptables-nft: notrack_rules");
	is_int(r.n, 9, "iptables-nft: nine rules listed");
	is_rule(&r, "ip", "nftables", "filter", "INPUT", 2, CT_RULE_STATE, "ctstate match");
	is_rule(&r, "ip", "nftables", "filter", "INPUT", 3, CT_RULE_CT, "connmark match");
	is_rule(&r, "ip", "nftables", "filter", "INPUT", 4, CT_RULE_CT, "conntrack match");
	is_rule(&r, "ip", "nftables", "filter", "INPUT", 6, CT_RULE_CT, "CONNMARK");
	/* -j SYNPROXY alone: its check makes the kernel track. */
	is_rule(&r, "ip", "nftables", "filter", "INPUT", 7, CT_RULE_CT, "SYNPROXY");
	/* iptables-save prints -j NOTRACK as such: the CT target with the alias flag. */
	is_rule(&r, "ip", "nftables", "raw", "PREROUTING", 2, CT_RULE_NOTRACK, "NOTRACK");
	is_rule(&r, "ip", "nftables", "raw", "PREROUTING", 3, CT_RULE_CT, "CT --zone 1");
	is_rule(&r, "ip", "nftables", "raw", "PREROUTING", 4, CT_RULE_CT, "CT --helper ftp");
	is_rule(&r, "ip", "nftables", "nat", "POSTROUTING", 2, CT_RULE_NAT, "MASQUERADE");
	/* The number iptables -L --line-numbers shows, beside the handle nft shows. */
	x = find(&r, "filter", "INPUT", 7);
	is_int(x ? x->position : 0, 6, "iptables-nft: handle 7 is rule 6 of INPUT");
	x = find(&r, "raw", "PREROUTING", 4);
	is_int(x ? x->position : 0, 3, "iptables-nft: handle 4 is rule 3 of raw PREROUTING");
	x = find(&r, "nat", "POSTROUTING", 2);
	is_int(x ? x->position : 0, 1, "iptables-nft: the first rule of nat POSTROUTING is rule 1");
	is_int(r.tracking_l3, CT_L3_IPV4, "iptables-nft: ip tables only: IPv4 only");
	ct_rules_free(&r);
	free(buf);
}

/*
 * What forces tracking besides rules (nft-objects.txt): stateful objects, used or not; a set
 * declared with a ct count; set updates and meters with one; object maps; synproxy by name.
 */
static void test_nft_objects(void)
{
	struct ct_rules r = {0}, few = {.keep = 2};
	char err[128] = "", phrase[256];
	size_t len;
	unsigned char *buf = load("nft-objects.nft", &len);
	const struct ct_rule *x;
	int rc;

	if (!buf)
		return;
	rc = ct_rules_nft_parse(buf, len, &r, err, sizeof(err));
	is_int(rc, 1, "objects: parsed");
	is_int(r.tracking_rules, 13, "objects: 8 rules, 4 objects and 1 set force tracking");
	ok(r.tracking_items[CT_ITEM_RULE] == 8 && r.tracking_items[CT_ITEM_OBJECT] == 4 &&
		   r.tracking_items[CT_ITEM_SET] == 1,
	   "objects: counted by what they are");
	is_int(r.n, 13, "objects: all listed");
	is_rule(&r, "inet", "nftables", "hbobj", "ftp-std", 3, CT_RULE_CT,
		"ct helper type \"ftp\"");
	is_rule(&r, "inet", "nftables", "hbobj", "ex", 4, CT_RULE_CT, "ct expectation");
	is_rule(&r, "inet", "nftables", "hbobj", "sp", 5, CT_RULE_CT, "synproxy");
	is_rule(&r, "ip6", "nftables", "hbobj6", "tmo", 2, CT_RULE_CT, "ct timeout");
	ok(find(&r, "hbobj", "cnt", 6) == NULL, "objects: a counter object needs nothing");
	is_rule(&r, "inet", "nftables", "hbobj", "cc", 7, CT_RULE_CT, "ct count over 20");
	ok(find(&r, "hbobj", "d", 8) == NULL,
	   "objects: a dynamic set without expressions, nothing");
	x = find(&r, "hbobj", "ftp-std", 3);
	ok(x && x->item == CT_ITEM_OBJECT && x->chain[0] == '\0', "objects: listed as an object");
	x = find(&r, "hbobj", "cc", 7);
	ok(x && x->item == CT_ITEM_SET, "objects: a set declared with a ct count, as a set");
	is_rule(&r, "inet", "nftables", "hbobj", "p", 10, CT_RULE_CT, "ct helper set ... map");
	is_rule(&r, "inet", "nftables", "hbobj", "c", 11, CT_RULE_CT, "ct count over 20 in add @d");
	is_rule(&r, "inet", "nftables", "hbobj", "c", 13, CT_RULE_CT, "ct count over 2 in meter m");
	is_rule(&r, "inet", "nftables", "hbobj", "c", 14, CT_RULE_CT, "synproxy name \"sp\"");
	is_rule(&r, "inet", "nftables", "hbobj", "c", 15, CT_RULE_CT, "ct original ip saddr");
	is_rule(&r, "inet", "nftables", "hbobj", "c", 16, CT_RULE_CT, "ct count over 10");
	ok(find(&r, "hbobj", "c", 17) == NULL, "objects: counter name \"cnt\" needs nothing");
	is_rule(&r, "ip6", "nftables", "hbobj6", "p", 3, CT_RULE_CT, "ct timeout set \"tmo\"");
	is_rule(&r, "ip", "nftables", "hbnat", "o", 2, CT_RULE_NAT, "redirect");
	ct_rules_forced_phrase(&r, true, phrase, sizeof(phrase));
	is_str(phrase, "tracking forced by 8 rules, 4 objects and 1 set (other ct use, NAT)",
	       "objects: the summary names rules, objects and sets");
	ct_rules_free(&r);

	/*
	 * A named object map (nft 1.0.6 cannot write one for helpers): the anonymous one renamed,
	 * its NFT_SET_ANONYMOUS flag cleared. The rule names it as nft would: map @helpers01.
	 */
	{
		static const unsigned char anon_flags[] = {8, 0, NFTA_SET_FLAGS, 0, 0, 0, 0, 0x43};
		unsigned char *named = malloc(len);
		size_t renamed = 0, flagged = 0;

		memcpy(named, buf, len);
		for (size_t o = 0; o + 9 <= len; o++) {
			if (memcmp(named + o, "__objmap0", 9) == 0) {
				memcpy(named + o, "helpers01", 9);
				renamed++;
			}
			if (o + sizeof(anon_flags) <= len &&
			    memcmp(named + o, anon_flags, sizeof(anon_flags)) == 0) {
				named[o + 7] = 0x42;
				flagged++;
			}
		}
		ok(renamed == 2 && flagged == 1,
		   "objects: the map renamed in the set and the rule");
		memset(&r, 0, sizeof(r));
		rc = ct_rules_nft_parse(named, len, &r, err, sizeof(err));
		is_rule(&r, "inet", "nftables", "hbobj", "p", 10, CT_RULE_CT,
			"ct helper set ... map @helpers01");
		ct_rules_free(&r);
		free(named);
	}

	/* Stored or only counted, the same counts. */
	rc = ct_rules_nft_parse(buf, len, &few, err, sizeof(err));
	ok(rc == 1 && few.n == 2 && few.tracking_rules == 13 && few.total[0] == 13 &&
		   few.tracking_items[CT_ITEM_OBJECT] == 4 && few.tracking_l3 == CT_L3_ALL,
	   "objects: 2 kept, every one counted");
	ct_rules_free(&few);
	free(buf);
}

/*
 * Who wrote the rules, from the recorded Docker ruleset (iptables-nft), a chain of the admin's own
 * after Docker's, a kube-proxy table with a set and a counter only, and firewalld's table with a
 * ct helper object only: every rule's chain counts, kinds 0 included, and each table of an object
 * or a set.
 */
static void test_nft_owners(void)
{
	const unsigned docker = 1u << CT_OWNER_DOCKER, kube = 1u << CT_OWNER_KUBE_PROXY,
		       firewalld = 1u << CT_OWNER_FIREWALLD;
	struct ct_rules r = {0}, few = {.keep = 1};
	char err[128] = "";
	size_t len;
	unsigned char *buf = load("nft-owners.nft", &len);
	const struct ct_rule *x;

	if (!buf)
		return;
	is_int(ct_rules_nft_parse(buf, len, &r, err, sizeof(err)), 1, "owners: parsed");
	is_int(r.owners, docker | kube | firewalld,
	       "owners: Docker from its chains, kube-proxy from a set and a counter, firewalld "
	       "from its object");
	is_int(r.tracking_owners, firewalld,
	       "owners: tracking in firewalld's object only (Docker's NAT and state rules are in "
	       "built-in chains; the admin's chain after Docker's is nobody's)");
	ok(r.tracking_items[CT_ITEM_RULE] == 3 && r.tracking_items[CT_ITEM_OBJECT] == 1 &&
		   r.tracking_items[CT_ITEM_SET] == 0,
	   "owners: the same read counts 3 rules and 1 object");
	x = find(&r, "firewalld", "helper-ftp-tcp", 1);
	ok(x && x->owners == firewalld, "owners: the stored object carries its owner");
	x = find(&r, "nat", "POSTROUTING", 8);
	ok(x && x->owners == 0 && x->kinds == CT_RULE_NAT,
	   "owners: Docker's masquerade in POSTROUTING is nobody's chain");
	x = find(&r, "filter", "mine", 20);
	ok(x && x->owners == 0 && x->position == 1,
	   "owners: the admin's rule after Docker's chains is nobody's");
	ct_rules_free(&r);
	is_int(ct_rules_nft_parse(buf, len, &few, err, sizeof(err)), 1, "owners: parsed, keep 1");
	ok(few.n == 1 && few.owners == (docker | kube | firewalld) &&
		   few.tracking_owners == firewalld,
	   "owners: the same from rules and objects only counted");
	ct_rules_free(&few);
	free(buf);
}

static void test_nft_eperm(void)
{
	struct ct_rules r = {0};
	char err[128] = "";
	size_t len;
	unsigned char *buf = load("nft-eperm.nft", &len);
	int rc;

	if (!buf)
		return;
	rc = ct_rules_nft_parse(buf, len, &r, err, sizeof(err));
	is_int(rc, -EPERM, "nobody: NLMSG_ERROR EPERM");
	is_str(err, "needs CAP_NET_ADMIN", "nobody: reason");
	is_int(r.n, 0, "nobody: nothing listed");
	ct_rules_free(&r);
	free(buf);
}

/*
 * A kernel for ct_rules_nft_io. Each GETRULE dump gets the next of its replies (the last one
 * again when they run out); GETSET and GETOBJ get theirs, or an empty dump; GETGEN answers the
 * generation the next rule reply's messages carry (the last one's when they ran out), moved by
 * one right after the rules dump of each of the first gen_moves reads. Replies
 * come in datagrams of at most chunk bytes cut at message boundaries, with the request's seq and
 * our portid written in, as the kernel does.
 */
#define FAKE_PORTID 4242
struct fake_kernel {
	const unsigned char *reply[4];
	size_t len[4], nreplies, chunk;
	const unsigned char *sets, *objs; /* NULL: an empty dump */
	size_t setlen, objlen;
	unsigned delay_ms; /* each datagram of a rules dump takes this long to come */
	unsigned gen_moves; /* reads whose generation moves during the rules dump */
	unsigned sends; /* rules dumps asked for */
	unsigned requests, gens, bad_requests, undrained, overread;
	uint16_t last_msg;
	uint32_t seq;
	const unsigned char *cur;
	size_t curlen, off;
	unsigned char made[64]; /* an empty dump's NLMSG_DONE, or a NEWGEN */
};

/* The generation a reply's messages carry (their res_id), 0 when it holds none. */
static uint16_t reply_gen(const unsigned char *buf, size_t len)
{
	for (size_t o = 0; o + NLMSG_HDRLEN + sizeof(struct nfgenmsg) <= len;) {
		struct nlmsghdr h;
		struct nfgenmsg g;

		memcpy(&h, buf + o, sizeof(h));
		if (h.nlmsg_len < sizeof(h))
			break;
		if (NFNL_SUBSYS_ID(h.nlmsg_type) == NFNL_SUBSYS_NFTABLES) {
			memcpy(&g, buf + o + NLMSG_HDRLEN, sizeof(g));
			return ntohs(g.res_id);
		}
		o += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

static size_t make_done(unsigned char *buf)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(sizeof(int)), .nlmsg_type = NLMSG_DONE};
	int zero = 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + NLMSG_HDRLEN, &zero, sizeof(zero));
	return NLMSG_ALIGN(h.nlmsg_len);
}

static size_t make_gen(unsigned char *buf, uint32_t gen)
{
	struct nlmsghdr h = {.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN};
	struct nfgenmsg g = {.res_id = htons((uint16_t)gen)};
	struct nlattr a = {.nla_len = NLA_HDRLEN + sizeof(uint32_t), .nla_type = NFTA_GEN_ID};
	uint32_t v = htonl(gen);
	size_t o = NLMSG_HDRLEN;

	memcpy(buf + o, &g, sizeof(g));
	o += NLMSG_ALIGN(sizeof(g));
	memcpy(buf + o, &a, sizeof(a));
	memcpy(buf + o + NLA_HDRLEN, &v, sizeof(v));
	o += NLA_ALIGN(a.nla_len);
	h.nlmsg_len = (uint32_t)o;
	memcpy(buf, &h, sizeof(h));
	return o;
}

static int fake_send(void *ctx, const void *req, size_t len)
{
	struct fake_kernel *k = ctx;
	const struct nlmsghdr *h = req;
	uint16_t msg = len >= sizeof(*h) ? NFNL_MSG_TYPE(h->nlmsg_type) : 0xffff;
	bool dump = len >= sizeof(*h) && (h->nlmsg_flags & NLM_F_DUMP);
	size_t i;

	/* A new request while replies of the last one are still queued would read those. */
	if (k->cur && k->off < k->curlen)
		k->undrained++;
	if (len < sizeof(*h) || NFNL_SUBSYS_ID(h->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    (msg == NFT_MSG_GETGEN) == dump)
		k->bad_requests++;
	k->seq = h->nlmsg_seq;
	k->off = 0;
	k->requests++;
	if (msg == NFT_MSG_GETGEN) {
		bool after = k->last_msg == NFT_MSG_GETRULE;

		i = k->sends < k->nreplies ? k->sends : k->nreplies - 1;
		k->gens++;
		k->cur = k->made;
		k->curlen = make_gen(k->made, reply_gen(k->reply[i], k->len[i]) +
						      (after && k->sends <= k->gen_moves));
	} else if (msg == NFT_MSG_GETSET || msg == NFT_MSG_GETOBJ) {
		k->cur = msg == NFT_MSG_GETSET ? k->sets : k->objs;
		k->curlen = msg == NFT_MSG_GETSET ? k->setlen : k->objlen;
		if (!k->cur) {
			k->cur = k->made;
			k->curlen = make_done(k->made);
		}
	} else {
		i = k->sends < k->nreplies ? k->sends : k->nreplies - 1;
		k->cur = k->reply[i];
		k->curlen = k->len[i];
		k->sends++;
	}
	k->last_msg = msg;
	return 0;
}

static ssize_t fake_recv(void *ctx, void *buf, size_t len)
{
	struct fake_kernel *k = ctx;
	unsigned char *out = buf;
	size_t n = 0;

	while (k->off + n < k->curlen) {
		struct nlmsghdr h;
		size_t m;

		memcpy(&h, k->cur + k->off + n, sizeof(h));
		m = NLMSG_ALIGN(h.nlmsg_len);
		if (m > k->curlen - k->off - n)
			m = k->curlen - k->off - n;
		if (n && (n + m > k->chunk || n + m > len))
			break;
		n += m;
	}
	if (n == 0 || n > len) {
		/* Nothing queued: a real socket would block here. */
		k->overread++;
		return -EWOULDBLOCK;
	}
	if (k->delay_ms && k->last_msg == NFT_MSG_GETRULE) {
		struct timespec ts = {0, (long)k->delay_ms * 1000000L};

		nanosleep(&ts, NULL);
	}
	memcpy(out, k->cur + k->off, n);
	for (size_t o = 0; o < n;) {
		struct nlmsghdr h;

		memcpy(&h, out + o, sizeof(h));
		h.nlmsg_seq = k->seq;
		h.nlmsg_pid = FAKE_PORTID;
		memcpy(out + o, &h, sizeof(h));
		o += NLMSG_ALIGN(h.nlmsg_len);
	}
	k->off += n;
	return (ssize_t)n;
}

/* Dump rules into r from the fake kernel k answering with the given replies. */
static int fake_dump(struct fake_kernel *k, size_t chunk, struct ct_rules *r,
		     struct ct_nft_dump *info, char *err, size_t errlen)
{
	struct ct_nft_io io = {fake_send, fake_recv, k, FAKE_PORTID, 0};

	k->chunk = chunk;
	return ct_rules_nft_io(&io, r, info, err, errlen);
}

/* The same within a time budget for all tries. */
static int fake_dump_within(struct fake_kernel *k, unsigned budget_ms, size_t chunk,
			    struct ct_rules *r, struct ct_nft_dump *info, char *err, size_t errlen)
{
	struct ct_nft_io io = {fake_send, fake_recv, k, FAKE_PORTID, budget_ms};

	k->chunk = chunk;
	return ct_rules_nft_io(&io, r, info, err, errlen);
}

/* Offset of the last message of type in buf, or of the first with first set; -1: none. */
static long find_msg(const unsigned char *buf, size_t len, unsigned type, bool first)
{
	long at = -1;

	for (size_t o = 0; o + sizeof(struct nlmsghdr) <= len;) {
		struct nlmsghdr h;

		memcpy(&h, buf + o, sizeof(h));
		if (h.nlmsg_type == type) {
			at = (long)o;
			if (first)
				break;
		}
		o += NLMSG_ALIGN(h.nlmsg_len);
	}
	return at;
}

static void check_native(const struct ct_rules *r, const char *name)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: the counts of the clean dump alone", name);
	ok(r->state_rules == 1 && r->tracking_rules == 4 && r->notrack_rules == 1 && r->n == 5,
	   "%s", what);
	if (r->state_rules != 1 || r->tracking_rules != 4 || r->notrack_rules != 1 || r->n != 5)
		printf("#   state %u tracking %u notrack %u listed %zu\n", r->state_rules,
		       r->tracking_rules, r->notrack_rules, r->n);
}

/* The objects recording through ct_rules_nft_io: sets, objects and rules from their own dumps. */
static void test_nft_objects_io(void)
{
	static const size_t chunks[] = {1, 512, 1 << 20};
	struct ct_nft_dump info;
	char err[160] = "";
	size_t len, ends[4];
	unsigned char *buf = load("nft-objects.nft", &len);

	if (!buf || dump_ends(buf, len, ends, 4) != 3) {
		ok(0, "objects io: three dumps recorded");
		free(buf);
		return;
	}
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct fake_kernel k = {.sets = buf,
					.setlen = ends[0],
					.objs = buf + ends[0],
					.objlen = ends[1] - ends[0],
					.reply = {buf + ends[1]},
					.len = {len - ends[1]},
					.nreplies = 1};
		struct ct_rules r = {0};
		int rc = fake_dump(&k, chunks[c], &r, &info, err, sizeof(err));

		ok(rc == 0 && r.tracking_rules == 13 && r.tracking_items[CT_ITEM_OBJECT] == 4 &&
			   r.tracking_items[CT_ITEM_SET] == 1 && find(&r, "hbobj", "p", 10) &&
			   strcmp(find(&r, "hbobj", "p", 10)->what, "ct helper set ... map") == 0,
		   "objects io, datagrams of %zu bytes: sets, objects and rules read, the map "
		   "followed",
		   chunks[c]);
		ok(k.requests == 5 && k.bad_requests == 0 && k.undrained == 0 && k.overread == 0,
		   "objects io: one generation, three dumps, one generation (%u requests)",
		   k.requests);
		ct_rules_free(&r);
	}
	free(buf);
}

/*
 * The ruleset changed during the dump: nft-changed.nft is a real one (30 rules, a rule added by
 * another process after the first datagram; the kernel marked the rest NLM_F_DUMP_INTR). It is
 * read to its end and asked for again, at most CT_NFT_DUMP_TRIES times; what it added is
 * forgotten, and a dump that changed every time adds nothing.
 */
static void test_nft_changed(void)
{
	static const size_t chunks[] = {1, 4096, 1 << 20};
	const unsigned nl_rule = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;
	struct ct_rules r = {0};
	struct ct_nft_dump info;
	char err[160] = "", name[96];
	size_t clen, nlen, ends[4];
	unsigned char *changed = load("nft-changed.nft", &clen);
	unsigned char *native = load("nft-native.nft", &nlen);
	unsigned char *mixed = NULL, *intr_done = NULL, *cut = NULL;
	long at;
	int rc;

	if (!changed || !native)
		goto out;
	/* The fake kernel answers the rules dump with the recording's last part. */
	if (dump_ends(native, nlen, ends, 4) != 3) {
		ok(0, "changed: the native recording holds three dumps");
		goto out;
	}
	memmove(native, native + ends[1], nlen - ends[1]);
	nlen -= ends[1];
	at = find_msg(changed, clen, nl_rule, true);
	ok(at >= 0, "changed: the recorded dump holds rules");
	rc = ct_rules_nft_parse(changed, clen, &r, err, sizeof(err));
	is_int(rc, -EINTR, "changed: the parser alone stops at the kernel's mark");
	is_str(err, "nftables rule dump: the ruleset changed during the dump", "changed: reason");
	ct_rules_free(&r);

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct fake_kernel k = {
			.reply = {changed, native}, .len = {clen, nlen}, .nreplies = 2};

		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, chunks[c], &r, &info, err, sizeof(err));
		snprintf(name, sizeof(name), "changed, then clean (datagrams of %s)",
			 chunks[c] == 1	     ? "one message"
			 : chunks[c] == 4096 ? "4 KiB"
					     : "any size");
		is_int(rc, 0, name);
		is_int(k.sends, 2, "  asked twice");
		is_int(info.tries, 2, "  info says two tries");
		ok(k.undrained == 0 && k.overread == 0 && k.bad_requests == 0,
		   "  the changed dump was read to its end before asking again, and no further");
		/* The changed try stops at its rules dump: no closing generation for it. */
		is_int(k.requests, 4 + 5, "  a generation and three dumps, then a whole read");
		ok(info.have_genid, "  the clean read's generation is known");
		check_native(&r, "  changed, then clean");
		ct_rules_free(&r);
	}

	/*
	 * The generation moved during the read, the messages alone cannot tell (sets or objects
	 * added while another dump was read, their dumps empty): read again.
	 */
	{
		struct fake_kernel k = {
			.reply = {native}, .len = {nlen}, .nreplies = 1, .gen_moves = 1};

		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, 4096, &r, &info, err, sizeof(err));
		is_int(rc, 0, "generation moved once: read");
		is_int(k.sends, 2, "generation moved once: asked again");
		is_int(k.gens, 4, "generation moved once: asked before and after each read");
		ok(info.have_genid && info.genid == reply_gen(native, nlen),
		   "generation moved once: the second read's generation kept");
		check_native(&r, "generation moved once");
		ct_rules_free(&r);
		memset(&k, 0, sizeof(k));
		k.reply[0] = native;
		k.len[0] = nlen;
		k.nreplies = 1;
		k.gen_moves = 99;
		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, 4096, &r, &info, err, sizeof(err));
		is_int(rc, -EINTR, "generation moved every time: -EINTR");
		is_str(err, "nftables rule dump: the ruleset changed during each of 4 tries",
		       "generation moved every time: said so");
		ok(r.n == 0 && r.tracking_rules == 0,
		   "generation moved every time: nothing counted");
		ct_rules_free(&r);
	}

	/* Changed every time: bounded, nothing counted, and what was there before stays. */
	{
		struct fake_kernel k = {.reply = {changed}, .len = {clen}, .nreplies = 1};
		struct ct_rule before = {.family = "ip",
					 .backend = CT_BACKEND_LEGACY_IP,
					 .table = "t",
					 .chain = "c",
					 .kinds = CT_RULE_STATE,
					 .what = "state match"};

		memset(&r, 0, sizeof(r));
		ct_rules_add(&r, &before);
		rc = fake_dump(&k, 4096, &r, &info, err, sizeof(err));
		is_int(rc, -EINTR, "changed every time: -EINTR");
		is_int(k.sends, CT_NFT_DUMP_TRIES,
		       "changed every time: asked CT_NFT_DUMP_TRIES times");
		is_int(CT_NFT_DUMP_TRIES, 4, "changed every time: that is 4 times");
		ok(k.undrained == 0 && k.overread == 0, "changed every time: each read to its end");
		is_str(err, "nftables rule dump: the ruleset changed during each of 4 tries",
		       "changed every time: the reason says how often");
		ok(r.n == 1 && r.state_rules == 1 && r.tracking_rules == 1 &&
			   r.notrack_rules == 0 && r.total[0] == 1 && r.total[1] == 0,
		   "changed every time: only the rule counted before is left");
		ct_rules_free(&r);
	}

	/*
	 * Within -t: a try of 10 ms (one datagram) and 15 ms for all tries leave no time for a
	 * second, 2 s leave time for all four.
	 */
	{
		struct fake_kernel k = {
			.reply = {changed}, .len = {clen}, .nreplies = 1, .delay_ms = 10};

		memset(&r, 0, sizeof(r));
		rc = fake_dump_within(&k, 15, 1 << 20, &r, &info, err, sizeof(err));
		is_int(rc, -EINTR, "changed, 15 ms for all tries of 10 ms: -EINTR");
		is_int(k.sends, 1, "changed, 15 ms for all tries of 10 ms: no second try");
		is_str(err,
		       "nftables rule dump: the ruleset changed during the dump (no time to try "
		       "again within -t)",
		       "changed, out of time: the reason says so");
		ct_rules_free(&r);
		memset(&k, 0, sizeof(k));
		k.reply[0] = changed;
		k.len[0] = clen;
		k.nreplies = 1;
		k.delay_ms = 10;
		memset(&r, 0, sizeof(r));
		rc = fake_dump_within(&k, 2000, 1 << 20, &r, &info, err, sizeof(err));
		is_int(k.sends, CT_NFT_DUMP_TRIES, "changed, 2 s for all tries of 10 ms: all four");
		is_str(err, "nftables rule dump: the ruleset changed during each of 4 tries",
		       "changed, in time: the count was the bound");
		ct_rules_free(&r);
	}

	/* Two generations in one dump without the kernel's mark: changed all the same. */
	mixed = malloc(nlen);
	at = find_msg(native, nlen, nl_rule, false);
	if (mixed && at >= 0) {
		struct fake_kernel k = {
			.reply = {mixed, mixed, native}, .len = {nlen, nlen, nlen}, .nreplies = 3};
		struct nfgenmsg g;

		memcpy(mixed, native, nlen);
		memcpy(&g, mixed + at + NLMSG_HDRLEN, sizeof(g));
		g.res_id = htons((uint16_t)(ntohs(g.res_id) + 1));
		memcpy(mixed + at + NLMSG_HDRLEN, &g, sizeof(g));
		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, 4096, &r, &info, err, sizeof(err));
		is_int(rc, 0, "two generations twice, then one: read");
		is_int(k.sends, 3, "two generations: asked again each time");
		check_native(&r, "two generations twice, then one");
		ct_rules_free(&r);
	}

	/* The mark on NLMSG_DONE alone: the ruleset changed during the last round. */
	intr_done = malloc(nlen);
	at = find_msg(native, nlen, NLMSG_DONE, false);
	if (intr_done && at >= 0) {
		struct fake_kernel k = {.reply = {intr_done}, .len = {nlen}, .nreplies = 1};
		struct nlmsghdr h;

		memcpy(intr_done, native, nlen);
		memcpy(&h, intr_done + at, sizeof(h));
		h.nlmsg_flags |= NLM_F_DUMP_INTR;
		memcpy(intr_done + at, &h, sizeof(h));
		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, 1 << 20, &r, &info, err, sizeof(err));
		is_int(rc, -EINTR, "marked NLMSG_DONE every time: -EINTR");
		is_int(k.sends, CT_NFT_DUMP_TRIES,
		       "marked NLMSG_DONE: asked CT_NFT_DUMP_TRIES times");
		ok(r.n == 0 && r.tracking_rules == 0 && r.total[0] == 0 && r.total[1] == 0,
		   "marked NLMSG_DONE: nothing counted");
		ct_rules_free(&r);
	}

	/* NLMSG_DONE carrying an error: the kernel cut the dump short; not a change, not retried.
	 */
	cut = malloc(nlen);
	if (cut && at >= 0) {
		struct fake_kernel k = {.reply = {cut}, .len = {nlen}, .nreplies = 1};
		int e = -ENOBUFS;

		memcpy(cut, native, nlen);
		memcpy(cut + at + NLMSG_HDRLEN, &e, sizeof(e));
		memset(&r, 0, sizeof(r));
		rc = fake_dump(&k, 4096, &r, &info, err, sizeof(err));
		is_int(rc, -ENOBUFS, "NLMSG_DONE with -ENOBUFS: the dump failed");
		is_int(k.sends, 1, "NLMSG_DONE with -ENOBUFS: not asked again");
		ok(strstr(err, "cut short by the kernel") != NULL, "NLMSG_DONE with an error: %s",
		   err);
		ok(r.n == 0 && r.tracking_rules == 0, "NLMSG_DONE with an error: nothing counted");
		ct_rules_free(&r);
		memset(&r, 0, sizeof(r));
		rc = ct_rules_nft_parse(cut, nlen, &r, err, sizeof(err));
		is_int(rc, -ENOBUFS, "NLMSG_DONE with an error: the parser alone says so too");
		ct_rules_free(&r);
	}
	test_nft_objects_io();
out:
	free(changed);
	free(native);
	free(mixed);
	free(intr_done);
	free(cut);
}

struct table {
	struct ipt_getinfo info;
	unsigned char *blob;
	size_t size;
};

static int load_table(const char *prefix, const char *name, struct table *t)
{
	char file[256];
	size_t len;
	unsigned char *info;

	snprintf(file, sizeof(file), "%s.%s.info", prefix, name);
	info = load(file, &len);
	if (!info)
		return -1;
	if (len == sizeof(t->info))
		memcpy(&t->info, info, sizeof(t->info));
	free(info);
	snprintf(file, sizeof(file), "%s.%s.entries", prefix, name);
	t->blob = load(file, &t->size);
	return t->blob && len == sizeof(t->info) && t->size == t->info.size ? 0 : -1;
}

static int walk(int family, const char *name, const struct table *t, const unsigned char *blob,
		size_t size, struct ct_rules *r, char *err, size_t errlen)
{
	return ct_rules_legacy_walk(family, name, t->info.valid_hooks, t->info.hook_entry, blob,
				    size, r, err, errlen);
}

static void test_legacy(void)
{
	static const char *const tables[] = {"filter", "nat", "raw"};
	struct ct_rules r = {0};
	struct table t[3] = {0}, t6 = {0};
	char err[128] = "";
	unsigned char *copy;
	size_t i, cut, match;
	uint16_t v;
	int rc, bad = 0;

	for (i = 0; i < 3; i++) {
		if (load_table("legacy-ip", tables[i], &t[i]) < 0)
			goto out;
		rc = walk(AF_INET, tables[i], &t[i], t[i].blob, t[i].size, &r, err, sizeof(err));
		is_int(rc, 0, "legacy ip: table walked");
	}
	if (load_table("legacy-ip6", "filter", &t6) < 0)
		goto out;
	rc = walk(AF_INET6, "filter", &t6, t6.blob, t6.size, &r, err, sizeof(err));
	is_int(rc, 0, "legacy ip6: filter walked");
	is_int(r.state_rules, 2, "legacy: state_rules (-m state, -m conntrack --ctstate)");
	is_int(r.tracking_rules, 7,
	       "legacy: tracking_rules (+ connmark, MASQUERADE, SYNPROXY, CT --helper, CT --zone)");
	is_int(r.notrack_rules, 2, "legacy: notrack_rules (CT --notrack, NOTRACK)");
	is_int(r.n, 9, "legacy: nine rules listed");
	is_rule(&r, "ip", "iptables-legacy", "filter", "INPUT", 2, CT_RULE_STATE, "state match");
	is_rule(&r, "ip", "iptables-legacy", "filter", "HBCHAIN", 2, CT_RULE_CT, "connmark match");
	is_rule(&r, "ip", "iptables-legacy", "raw", "PREROUTING", 1, CT_RULE_NOTRACK,
		"CT --notrack");
	is_rule(&r, "ip", "iptables-legacy", "nat", "POSTROUTING", 1, CT_RULE_NAT, "MASQUERADE");
	is_rule(&r, "ip6", "iptables-legacy", "filter", "INPUT", 1, CT_RULE_STATE, "ctstate match");
	/* -j SYNPROXY alone makes the kernel track; the CT target says which options. */
	is_rule(&r, "ip", "iptables-legacy", "filter", "INPUT", 4, CT_RULE_CT, "SYNPROXY");
	is_rule(&r, "ip", "iptables-legacy", "raw", "PREROUTING", 2, CT_RULE_CT, "CT --helper ftp");
	is_rule(&r, "ip", "iptables-legacy", "raw", "PREROUTING", 3, CT_RULE_CT,
		"CT --zone-orig 3");
	/* iptables-save prints -j NOTRACK as such. */
	is_rule(&r, "ip", "iptables-legacy", "raw", "OUTPUT", 1, CT_RULE_NOTRACK, "NOTRACK");
	is_int(r.tracking_l3, CT_L3_ALL, "legacy: ip and ip6 tables: both families");
	{
		const struct ct_rule *x4 = find(&r, "filter", "INPUT", 2);
		const struct ct_rule *x6 = find(&r, "filter", "INPUT", 1);

		ok(x4 && x4->backend == CT_BACKEND_LEGACY_IP && x6 &&
			   x6->backend == CT_BACKEND_LEGACY_IP6,
		   "legacy: each rule carries its backend's id, IPv4 or IPv6");
	}
	for (int b = 0; b < CT_BACKENDS; b++)
		ok(ct_backends[b].id == (enum ct_rules_backend)b && ct_backends[b].read,
		   "backends: %s is the row of its id, with a read", ct_backends[b].title);

	/* Corrupt copies of the filter blob: -EINVAL, and the list stays as it was. */
	copy = malloc(t[0].size);
	if (!copy)
		goto out;
	match = t[0].info.hook_entry[NF_INET_LOCAL_IN] + sizeof(struct ipt_entry);
	memcpy(copy, t[0].blob, t[0].size);
	v = 0;
	memcpy(copy + t[0].info.hook_entry[NF_INET_LOCAL_IN] +
		       offsetof(struct ipt_entry, next_offset),
	       &v, sizeof(v));
	rc = walk(AF_INET, "filter", &t[0], copy, t[0].size, &r, err, sizeof(err));
	is_int(rc, -EINVAL, "legacy: next_offset 0 is -EINVAL");
	ok(strstr(err, "next_offset") != NULL, "legacy: reason names next_offset (%s)", err);
	v = 0xfff8;
	memcpy(copy + t[0].info.hook_entry[NF_INET_LOCAL_IN] +
		       offsetof(struct ipt_entry, next_offset),
	       &v, sizeof(v));
	rc = walk(AF_INET, "filter", &t[0], copy, t[0].size, &r, err, sizeof(err));
	is_int(rc, -EINVAL, "legacy: next_offset past the blob is -EINVAL");
	memcpy(copy, t[0].blob, t[0].size);
	v = 0;
	memcpy(copy + match, &v, sizeof(v));
	rc = walk(AF_INET, "filter", &t[0], copy, t[0].size, &r, err, sizeof(err));
	is_int(rc, -EINVAL, "legacy: match_size 0 is -EINVAL");
	ok(strstr(err, "match_size") != NULL, "legacy: reason names match_size (%s)", err);
	v = 0x4000;
	memcpy(copy + match, &v, sizeof(v));
	rc = walk(AF_INET, "filter", &t[0], copy, t[0].size, &r, err, sizeof(err));
	is_int(rc, -EINVAL, "legacy: match_size too large is -EINVAL");
	is_int(r.n, 9, "legacy: failed walks added nothing");
	is_int(r.state_rules, 2, "legacy: failed walks left the counts alone");

	/* Truncations and byte mutations: never a crash, never more rules than there are. */
	for (cut = 0; cut < t[0].size; cut++) {
		struct ct_rules x = {0};

		rc = walk(AF_INET, "filter", &t[0], t[0].blob, cut, &x, err, sizeof(err));
		if (rc != 0 && rc != -EINVAL)
			bad++;
		ct_rules_free(&x);
	}
	is_int(bad, 0, "legacy: every truncation is 0 or -EINVAL");
	for (cut = 0; cut < t[0].size; cut++) {
		static const unsigned char junk[] = {0x00, 0xff, 0x07};
		size_t j;

		for (j = 0; j < sizeof(junk); j++) {
			struct ct_rules x = {0};

			memcpy(copy, t[0].blob, t[0].size);
			copy[cut] = junk[j];
			walk(AF_INET, "filter", &t[0], copy, t[0].size, &x, err, sizeof(err));
			if (x.n > 3)
				bad++;
			ct_rules_free(&x);
		}
	}
	is_int(bad, 0, "legacy: byte mutations give sane results");
	rc = ct_rules_legacy_walk(AF_PACKET, "filter", 0, t[0].info.hook_entry, t[0].blob,
				  t[0].size, &r, err, sizeof(err));
	is_int(rc, -EAFNOSUPPORT, "legacy: unknown family refused");
	free(copy);
out:
	for (i = 0; i < 3; i++)
		free(t[i].blob);
	free(t6.blob);
	ct_rules_free(&r);
}

/* The same Docker ruleset with iptables-legacy: every rule's chain counts, kinds 0 included. */
static void test_legacy_owners(void)
{
	static const char *const tables[] = {"filter", "nat"};
	struct ct_rules r = {.keep = 1};
	struct table t[2] = {0};
	char err[128] = "";
	size_t i;

	for (i = 0; i < 2; i++) {
		if (load_table("legacy-owners", tables[i], &t[i]) < 0)
			goto out;
		is_int(walk(AF_INET, tables[i], &t[i], t[i].blob, t[i].size, &r, err, sizeof(err)),
		       0, "legacy owners: table walked");
	}
	is_int(r.owners, 1u << CT_OWNER_DOCKER, "legacy owners: Docker, from its chains");
	is_int(r.tracking_owners, 0,
	       "legacy owners: none tracks (built-in chains; the admin's chain is nobody's)");
	is_int(r.tracking_rules, 3, "legacy owners: state, masquerade and the admin's ctstate");
out:
	for (i = 0; i < 2; i++)
		free(t[i].blob);
	ct_rules_free(&r);
}

static void test_legacy_absent(void)
{
	struct ct_rules r = {0};
	char err[128] = "", root[4200];
	int rc;

	snprintf(root, sizeof(root), "%s/holders-sysfs/proc", trees_dir());
	rc = ct_rules_legacy(AF_INET, root, &r, err, sizeof(err));
	is_int(rc, 1, "legacy: no ip_tables_names means not in use");
	ok(r.n == 0 && r.tracking_rules == 0, "legacy: nothing listed");
	rc = ct_rules_legacy(AF_INET6, root, &r, err, sizeof(err));
	is_int(rc, 1, "legacy: no ip6_tables_names either");
	ct_rules_free(&r);
}

/* Names files that cannot be read whole: a failure, never "read" with tables left out. */
static void names_file(const char *text, size_t repeat, int want, const char *name)
{
	char dir[] = "/tmp/ct-rules-names-XXXXXX", path[128], err[200] = "";
	struct ct_rules r = {0};
	FILE *f;
	int rc = 0;

	if (!mkdtemp(dir)) {
		ok(0, "%s: temp dir", name);
		return;
	}
	snprintf(path, sizeof(path), "%s/net", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/ip_tables_names", dir);
	f = fopen(path, "w");
	for (size_t i = 0; f && i < repeat; i++)
		fputs(text, f);
	if (f)
		fclose(f);
	rc = ct_rules_legacy(AF_INET, dir, &r, err, sizeof(err));
	is_int(rc, want, name);
	ok(err[0] != '\0', "  with a reason: %s", err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/net", dir);
	rmdir(path);
	rmdir(dir);
	ct_rules_free(&r);
}

static void test_legacy_names(void)
{
	/* 100 names of 31 bytes: far more tables than a kernel has, past what is read. */
	names_file("abcdefghijklmnopqrstuvwxyz01234\n", 100, -EFBIG,
		   "legacy: a names file longer than expected fails");
	/* Found before any table is asked for (the first name): no socket option reaches a table.
	 */
	names_file("abcdefghijklmnopqrstuvwxyz0123456789\nfilter\n", 1, -ENAMETOOLONG,
		   "legacy: a name too long to ask for fails, not skipped");
}

static void holders(const char *tree, int want_rc, bool want_have, const char *want)
{
	struct ct_rules r = {0};
	char err[128] = "", proc[4200], sys[4200], name[200];
	int rc;

	snprintf(proc, sizeof(proc), "%s/%s/proc", trees_dir(), tree);
	snprintf(sys, sizeof(sys), "%s/%s/sys", trees_dir(), tree);
	rc = ct_rules_holders(proc, sys, &r, err, sizeof(err));
	snprintf(name, sizeof(name), "holders %s: rc", tree);
	is_int(rc, want_rc, name);
	snprintf(name, sizeof(name), "holders %s: have_holders", tree);
	is_int(r.have_holders, want_have, name);
	snprintf(name, sizeof(name), "holders %s: list", tree);
	is_str(r.holders, want, name);
	if (want_rc < 0)
		ok(err[0] != '\0', "holders %s: reason given (%s)", tree, err);
}

static void test_list(void)
{
	struct ct_rules r = {0};
	struct ct_rule rule = {
		.family = "ip", .backend = CT_BACKEND_NFT, .table = "t", .chain = "c"};
	char what[16] = "";
	int i, rc = 0;

	for (i = 0; i < 1000 && rc == 0; i++) {
		rule.handle = (uint64_t)i;
		rule.kinds = i % 2 ? CT_RULE_STATE | CT_RULE_NOTRACK : CT_RULE_NAT;
		rc = ct_rules_add(&r, &rule);
	}
	is_int(rc, 0, "list: 1000 adds");
	is_int(r.n, 1000, "list: n");
	is_int(r.state_rules, 500, "list: state_rules");
	is_int(r.tracking_rules, 1000, "list: tracking_rules counts STATE and NAT");
	is_int(r.notrack_rules, 500, "list: notrack_rules");
	is_int(r.list[999].handle, 999, "list: order kept");
	ct_rules_free(&r);
	ok(r.list == NULL && r.n == 0 && r.cap == 0, "list: freed");
	ct_rules_free(&r);

	/* As the plugin collects without -v: 20 of each class stored, all of them counted. */
	struct ct_rules k = {.keep = CT_RULES_LISTED};
	struct ct_rules_mark mark;

	for (i = 0; i < 1000 && rc == 0; i++) {
		rule.handle = (uint64_t)i;
		rule.kinds = i % 4 == 3 ? CT_RULE_NOTRACK : i % 2 ? CT_RULE_STATE : CT_RULE_NAT;
		rc = ct_rules_add(&k, &rule);
	}
	is_int(rc, 0, "keep 20: 1000 adds");
	is_int(k.n, 40, "keep 20: 20 rules and 20 exemptions stored");
	is_int(k.kept[0], 20, "keep 20: kept tracking");
	is_int(k.kept[1], 20, "keep 20: kept exemptions");
	is_int(k.total[0], 750, "keep 20: every tracking rule counted");
	is_int(k.total[1], 250, "keep 20: every exemption counted");
	is_int(k.state_rules, 250, "keep 20: state_rules");
	is_int(k.tracking_rules, 750, "keep 20: tracking_rules");
	is_int(k.notrack_rules, 250, "keep 20: notrack_rules");
	is_int(k.kinds, CT_RULE_STATE | CT_RULE_NAT | CT_RULE_NOTRACK, "keep 20: kinds seen");
	ok(!ct_rules_wanted(&k, CT_RULE_STATE) && !ct_rules_wanted(&k, CT_RULE_NOTRACK) &&
		   !ct_rules_wanted(&k, 0),
	   "keep 20: nothing more wanted");
	mark = ct_rules_mark(&k);
	rule.kinds = CT_RULE_CT;
	ct_rules_add(&k, &rule);
	ct_rules_count(&k,
		       &(struct ct_rule){.kinds = CT_RULE_NOTRACK,
					 .owners = 1u << CT_OWNER_DOCKER}); /* raw DOCKER-USER */
	ct_rules_count(&k, &(struct ct_rule){.kinds = 0, .owners = 1u << CT_OWNER_KUBE_PROXY});
	ok(k.tracking_rules == 751 && k.total[1] == 251 && (k.kinds & CT_RULE_CT), "keep 20: more");
	ok(k.owners == (1u << CT_OWNER_DOCKER | 1u << CT_OWNER_KUBE_PROXY) && !k.tracking_owners,
	   "keep 20: owners from counted rules too, tracking or not");
	ct_rules_rollback(&k, &mark);
	ok(k.n == 40 && k.tracking_rules == 750 && k.notrack_rules == 250 && k.total[0] == 750 &&
		   k.total[1] == 250 &&
		   k.kinds == (CT_RULE_STATE | CT_RULE_NAT | CT_RULE_NOTRACK) && k.owners == 0,
	   "keep 20: rollback restores counts, totals, kinds and owners");
	ct_rules_free(&k);

	ct_rules_what_add(what, sizeof(what), "ct mark set");
	ct_rules_what_add(what, sizeof(what), "ct mark");
	ct_rules_what_add(what, sizeof(what), "ct mark");
	ct_rules_what_add(what, sizeof(what), "ct mark set");
	is_str(what, "ct mark set, ct", "what: phrases once each, truncated to fit");
}

static void test_xt(void)
{
	char what[96] = "";
	unsigned char ct0[16] = {0};
	uint16_t flags = 1; /* XT_CT_NOTRACK */

	is_int(ct_rules_xt_kinds(false, "conntrack", 0, NULL, 0, what, sizeof(what)), CT_RULE_STATE,
	       "xt: conntrack rev 0 counts as state");
	memcpy(ct0, &flags, sizeof(flags));
	is_int(ct_rules_xt_kinds(true, "CT", 0, ct0, sizeof(ct0), what, sizeof(what)),
	       CT_RULE_NOTRACK, "xt: CT rev 0 with XT_CT_NOTRACK");
	is_int(ct_rules_xt_kinds(true, "CT", 1, ct0, 1, what, sizeof(what)), CT_RULE_CT,
	       "xt: CT with short info is plain CT");
	is_int(ct_rules_xt_kinds(true, "NOTRACK", 0, NULL, 0, what, sizeof(what)), CT_RULE_NOTRACK,
	       "xt: NOTRACK target");
	is_int(ct_rules_xt_kinds(true, "SNAT", 0, NULL, 0, what, sizeof(what)), CT_RULE_NAT,
	       "xt: SNAT");
	is_int(ct_rules_xt_kinds(false, "tcp", 0, NULL, 0, what, sizeof(what)), 0,
	       "xt: tcp match is stateless");
	is_int(ct_rules_xt_kinds(true, "SYNPROXY", 0, NULL, 0, what, sizeof(what)), CT_RULE_CT,
	       "xt: SYNPROXY needs tracking");
	is_str(what, "conntrack match, CT --notrack, CT, NOTRACK, SNAT, SYNPROXY", "xt: what");
}

/* The CT target as iptables-save writes it, from each revision's layout. */
static void ct_target(unsigned rev, uint16_t flags, uint16_t zone, const char *helper,
		      const char *timeout, uint32_t ct_events, const char *want, unsigned kinds)
{
	struct xt_ct_target_info_v1 v1;
	char what[96] = "";
	unsigned got;

	memset(&v1, 0, sizeof(v1));
	v1.flags = flags;
	v1.zone = zone;
	v1.ct_events = ct_events;
	snprintf(v1.helper, sizeof(v1.helper), "%s", helper);
	snprintf(v1.timeout, sizeof(v1.timeout), "%s", timeout);
	/* Revision 0 is struct xt_ct_target_info: the same fields up to the helper. */
	got = ct_rules_xt_kinds(true, "CT", rev, &v1,
				rev ? sizeof(v1) : sizeof(struct xt_ct_target_info), what,
				sizeof(what));
	char name[128];

	snprintf(name, sizeof(name), "CT rev %u: %s", rev, want);
	is_str(what, want, name);
	is_int(got, kinds, "  kinds");
}

static void test_ct_target(void)
{
	ct_target(1, XT_CT_NOTRACK | XT_CT_NOTRACK_ALIAS, 0, "", "", 0, "NOTRACK", CT_RULE_NOTRACK);
	ct_target(2, XT_CT_NOTRACK, 0, "", "", 0, "CT --notrack", CT_RULE_NOTRACK);
	ct_target(2, 0, 1, "", "", 0, "CT --zone 1", CT_RULE_CT);
	ct_target(2, XT_CT_ZONE_DIR_REPL, 7, "", "", 0, "CT --zone-reply 7", CT_RULE_CT);
	ct_target(2, XT_CT_ZONE_MARK, 0, "", "", 0, "CT --zone mark", CT_RULE_CT);
	ct_target(0, 0, 0, "ftp", "", 0, "CT --helper ftp", CT_RULE_CT);
	ct_target(1, 0, 0, "sip", "tmo", 0, "CT --helper sip --timeout tmo", CT_RULE_CT);
	/* Revision 0 has no timeout: bytes past its layout are not read as one. */
	ct_target(0, 0, 0, "", "tmo", 0, "CT", CT_RULE_CT);
	ct_target(2, 0, 0, "", "", (1u << 0) | (1u << 2), "CT --ctevents new,destroy", CT_RULE_CT);
	ct_target(2, 0, 0, "a\tb", "", 0, "CT --helper a?b", CT_RULE_CT);
}

/* The nftables rules cache: what goes in comes out, for the same key only; nothing else parses. */
static int cache_parse(const char *text, size_t len, const struct ct_rules_cache_key *k,
		       size_t keep, struct ct_rules *out)
{
	char *copy = malloc(len + 1);
	int rc;

	if (!copy)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	memset(out, 0, sizeof(*out));
	out->keep = keep;
	rc = ct_rules_cache_parse(copy, len, true, k, out);
	free(copy);
	return rc;
}

static void test_cache(void)
{
	struct ct_rules_cache_key k = {.boot_id = "e58ddbac-e9af-4c63-a283-3e6c23d6c956",
				       .cookie = 5800,
				       .genid = 4000000000u};
	struct ct_rules_cache_key other;
	struct ct_rule rule = {.family = "inet", .backend = CT_BACKEND_NFT, .table = "filter"};
	struct ct_rules r = {.keep = CT_RULES_LISTED}, back, all = {0};
	char text[16384];
	int len, i, rc = 0, bad = 0;

	for (i = 0; i < 100 && rc == 0; i++) {
		snprintf(rule.chain, sizeof(rule.chain), "chain %d", i % 3);
		snprintf(rule.what, sizeof(rule.what), i % 4 == 3 ? "notrack" : "ct state, masq");
		rule.kinds = i % 4 == 3 ? CT_RULE_NOTRACK : CT_RULE_STATE | CT_RULE_NAT;
		rule.handle = 1000u + (unsigned)i;
		rc = ct_rules_add(&r, &rule);
		if (rc == 0 && i < 10)
			rc = ct_rules_add(&all, &rule);
	}
	len = ct_rules_cache_format(&k, &r, r.keep, text, sizeof(text));
	ok(len > 0, "cache: formatted (%d bytes)", len);
	is_int(cache_parse(text, (size_t)len, &k, CT_RULES_LISTED, &back), 0, "cache: parsed back");
	ok(back.n == r.n && back.state_rules == r.state_rules &&
		   back.tracking_rules == r.tracking_rules &&
		   back.notrack_rules == r.notrack_rules && back.kinds == r.kinds &&
		   back.total[0] == 75 && back.total[1] == 25 && back.kept[0] == 20 &&
		   back.kept[1] == 20,
	   "cache: the same counts, totals and stored rules");
	ok(back.n > 39 && back.list[39].handle == r.list[39].handle &&
		   strcmp(back.list[39].chain, r.list[39].chain) == 0 &&
		   strcmp(back.list[0].what, "ct state, masq") == 0 &&
		   back.list[0].backend == CT_BACKEND_NFT && back.list[3].kinds == CT_RULE_NOTRACK,
	   "cache: the same rules, in order, names with spaces intact");
	ct_rules_free(&back);

	other = k;
	other.genid++;
	is_int(cache_parse(text, (size_t)len, &other, CT_RULES_LISTED, &back), -ESTALE,
	       "cache: another ruleset generation is stale");
	other = k;
	other.cookie = 5801;
	is_int(cache_parse(text, (size_t)len, &other, CT_RULES_LISTED, &back), -ESTALE,
	       "cache: another namespace (cookie) is stale");
	other = k;
	other.boot_id = "00000000-e9af-4c63-a283-3e6c23d6c956";
	is_int(cache_parse(text, (size_t)len, &other, CT_RULES_LISTED, &back), -ESTALE,
	       "cache: another boot is stale");
	is_int(cache_parse(text, (size_t)len, &k, 0, &back), -ESTALE,
	       "cache: 20 stored, -v wants all: stale");
	ct_rules_free(&back);
	{
		/* Another version may classify differently: it reads the rules again. */
		char other_text[sizeof(text) + 32];
		const char *rest = strchr(strstr(text, "\nplugin ") + 1, '\n');
		int n = snprintf(other_text, sizeof(other_text),
				 "# check_conntrack nftables rules v4\nplugin 0.0.0-other%s", rest);

		ok(strncmp(text, "# check_conntrack nftables rules v4\n", 36) == 0,
		   "cache: format v4");
		is_int(cache_parse(other_text, (size_t)n, &k, CT_RULES_LISTED, &back), -ESTALE,
		       "cache: written by another plugin version: stale");
		/* Older formats: stale, read again (not "unusable"), never read as this one. */
		n = snprintf(other_text, sizeof(other_text),
			     "# check_conntrack nftables rules v1\nplugin %s\n", CT_VERSION);
		is_int(cache_parse(other_text, (size_t)n, &k, CT_RULES_LISTED, &back), -ESTALE,
		       "cache: written in the format before objects and sets: stale");
		/* Both development layouts that said v2: with owners, with objects and sets. */
		n = snprintf(other_text, sizeof(other_text),
			     "# check_conntrack nftables rules v2\nplugin %s\nboot %s\ncookie "
			     "5800\ngeneration 4000000000\nkeep 20\ncounts 1 1 0 1 1 0\nowners 1 "
			     "1\nrule 1 2 ip\tfilter\tKUBE-FORWARD\tstate match\n",
			     CT_VERSION, k.boot_id);
		is_int(cache_parse(other_text, (size_t)n, &k, CT_RULES_LISTED, &back), -ESTALE,
		       "cache: the v2 layout with owners: stale");
		ct_rules_free(&back);
		n = snprintf(other_text, sizeof(other_text),
			     "# check_conntrack nftables rules v2\nplugin %s\nboot %s\ncookie "
			     "5800\ngeneration 4000000000\nkeep 20\ncounts 1 1 0 1 1 0 1 0 0 "
			     "1\nrule 0 1 1 2 0 ip\tfilter\tKUBE-FORWARD\tstate match\n",
			     CT_VERSION, k.boot_id);
		is_int(cache_parse(other_text, (size_t)n, &k, CT_RULES_LISTED, &back), -ESTALE,
		       "cache: the v2 layout with objects and sets: stale");
		ct_rules_free(&back);
		/* The third v2, with chain and what lines, and v3, a line per rule: stale too. */
		n = snprintf(other_text, sizeof(other_text),
			     "# check_conntrack nftables rules v2\nplugin %s\nboot %s\ncookie "
			     "5800\ngeneration 4000000000\nkeep 0\ncounts 1 1 0 1 1 0\nchain "
			     "ip\tfilter\tKUBE-FORWARD\nwhat state match\nrule 1 2\nend 1\n",
			     CT_VERSION, k.boot_id);
		is_int(cache_parse(other_text, (size_t)n, &k, 0, &back), -ESTALE,
		       "cache: the v2 layout with chain lines: stale");
		ct_rules_free(&back);
		n = snprintf(
			other_text, sizeof(other_text),
			"# check_conntrack nftables rules v3\nplugin %s\nboot %s\ncookie "
			"5800\ngeneration 4000000000\nkeep 20\ncounts 1 1 0 1 1 0 1 0 0 "
			"1\nowners 1 1\nrule 0 1 1 2 0 ip\tfilter\tKUBE-FORWARD\tstate match\n",
			CT_VERSION, k.boot_id);
		is_int(cache_parse(other_text, (size_t)n, &k, CT_RULES_LISTED, &back), -ESTALE,
		       "cache: v3: stale");
	}
	ct_rules_free(&back);

	/* Objects, sets, iptables rule numbers and families come back as they were. */
	{
		struct ct_rules mixed = {0};
		struct ct_rule obj = {.family = "ip6",
				      .backend = CT_BACKEND_NFT,
				      .table = "t",
				      .name = "ftp-std",
				      .handle = 3,
				      .kinds = CT_RULE_CT,
				      .item = CT_ITEM_OBJECT,
				      .l3 = CT_L3_IPV6,
				      .what = "ct helper type \"ftp\""};
		struct ct_rule set = obj, ipt = obj;
		char phrase[256];

		set.item = CT_ITEM_SET;
		snprintf(set.name, sizeof(set.name), "cc");
		snprintf(set.what, sizeof(set.what), "ct count over 20");
		ipt.item = CT_ITEM_RULE;
		ipt.name[0] = '\0';
		snprintf(ipt.table, sizeof(ipt.table), "filter");
		snprintf(ipt.chain, sizeof(ipt.chain), "INPUT");
		ipt.position = 3;
		ipt.handle = 9;
		ipt.kinds = CT_RULE_STATE;
		ct_rules_add(&mixed, &obj);
		ct_rules_add(&mixed, &set);
		ct_rules_add(&mixed, &ipt);
		ipt.position = 4; /* the same chain and what: one more rule line */
		ipt.handle = 10;
		ct_rules_add(&mixed, &ipt);
		len = ct_rules_cache_format(&k, &mixed, 0, text, sizeof(text));
		ok(len > 0 &&
			   strstr(text, "\nobject 2 2 3 ip6\tt\tftp-std\tct helper type "
					"\"ftp\"\nset 2 2 3 ip6\tt\tcc\tct count over 20\nchain 2 "
					"ip6\tfilter\tINPUT\nwhat ct helper type \"ftp\"\nrule 1 9 "
					"3\nrule 1 10 4\nend 4\n") != NULL,
		   "cache: an object and a set a line each, the rules after their chain and what");
		is_int(cache_parse(text, (size_t)len, &k, 0, &back), 0, "cache: objects and sets");
		ok(back.n == 4 && back.list[0].item == CT_ITEM_OBJECT &&
			   strcmp(back.list[0].name, "ftp-std") == 0 &&
			   back.list[0].chain[0] == 0 && back.list[1].item == CT_ITEM_SET &&
			   back.list[2].position == 3 && strcmp(back.list[2].chain, "INPUT") == 0 &&
			   back.list[3].position == 4 && back.list[3].handle == 10 &&
			   strcmp(back.list[3].chain, "INPUT") == 0 &&
			   strcmp(back.list[3].what, "ct helper type \"ftp\"") == 0 &&
			   back.list[0].l3 == CT_L3_IPV6 && back.list[3].l3 == CT_L3_IPV6,
		   "cache: items, names, rule numbers and families kept");
		ok(back.tracking_items[CT_ITEM_RULE] == 2 &&
			   back.tracking_items[CT_ITEM_OBJECT] == 1 &&
			   back.tracking_items[CT_ITEM_SET] == 1 && back.tracking_l3 == CT_L3_IPV6,
		   "cache: the counts by item and the families kept");
		ct_rules_forced_phrase(&back, true, phrase, sizeof(phrase));
		is_str(phrase,
		       "tracking forced by 2 rules, 1 object and 1 set (state match, other ct "
		       "use), "
		       "IPv6 only",
		       "cache: the summary from the cache as from the kernel");
		ct_rules_free(&back);
		/* Counts by item that do not add up to the total: refused. */
		{
			char *c = strstr(text, "\ncounts 2 4 0 3 4 0 2 1 1 2\n");

			if (c) {
				/*
				 * Kinds no entry has: a run that lists 20 cannot tell, one that
				 * reads every entry refuses it.
				 */
				c[strlen("\ncounts 2 4 0 ")] = '7';
				is_int(cache_parse(text, (size_t)len, &k, CT_RULES_LISTED, &back),
				       0,
				       "cache: counts beyond the entries read: taken by a run that "
				       "lists 20");
				ct_rules_free(&back);
				is_int(cache_parse(text, (size_t)len, &k, 0, &back), -EINVAL,
				       "cache: every entry read, not what the counts say: refused");
				ct_rules_free(&back);
				c[strlen("\ncounts 2 4 0 ")] = '3';
				c[strlen("\ncounts 2 4 0 3 4 0 ")] = '1';
				is_int(cache_parse(text, (size_t)len, &k, 0, &back), -EINVAL,
				       "cache: counts by item that do not add up: refused");
				ct_rules_free(&back);
			} else {
				ok(0, "cache: the counts line as written: %s", text);
			}
		}
		ct_rules_free(&mixed);
	}

	/* Owners: from rules only counted (kinds 0 included), stored rules and objects. */
	{
		struct ct_rules own = {.keep = 1};
		struct ct_rule nat = {.family = "ip",
				      .backend = CT_BACKEND_NFT,
				      .table = "nat",
				      .chain = "DOCKER",
				      .handle = 5,
				      .kinds = CT_RULE_NAT,
				      .l3 = CT_L3_IPV4,
				      .what = "dnat"};
		struct ct_rule obj = {.family = "inet",
				      .backend = CT_BACKEND_NFT,
				      .table = "firewalld",
				      .name = "helper-ftp",
				      .handle = 6,
				      .kinds = CT_RULE_CT,
				      .item = CT_ITEM_OBJECT,
				      .l3 = CT_L3_ALL,
				      .what = "ct helper type \"ftp\""};
		const unsigned all_three = 1u << CT_OWNER_DOCKER | 1u << CT_OWNER_KUBE_PROXY |
					   1u << CT_OWNER_FIREWALLD;
		char *o;

		nat.owners = (unsigned short)ct_owner_of(nat.table, nat.chain);
		obj.owners = (unsigned short)ct_owner_of(obj.table, NULL);
		ct_rules_add(&own, &nat);
		ct_rules_add(&own, &obj); /* not stored (keep 1): counted, its owners too */
		ct_rules_count(&own, &(struct ct_rule){.kinds = 0, /* filter KUBE-SERVICES */
						       .owners = 1u << CT_OWNER_KUBE_PROXY});
		len = ct_rules_cache_format(&k, &own, own.keep, text, sizeof(text));
		ok(strstr(text, "\nowners 21 20\nchain ") != NULL, "cache: the owners line");
		is_int(cache_parse(text, (size_t)len, &k, 1, &back), 0,
		       "cache: owners parsed back");
		ok(back.owners == all_three && back.tracking_owners == own.tracking_owners &&
			   back.tracking_owners ==
				   (1u << CT_OWNER_DOCKER | 1u << CT_OWNER_FIREWALLD),
		   "cache: owners of every entry read, and of those that need tracking");
		ct_rules_free(&back);
		o = strstr(text, "\nowners 21 20\n");
		if (o) {
			memcpy(o, "\nowners 20 21\n", 14);
			is_int(cache_parse(text, (size_t)len, &k, 1, &back), -EINVAL,
			       "cache: tracking owners that are not owners: refused");
			ct_rules_free(&back);
			memcpy(o, "\nowners 17 16\n", 14);
			is_int(cache_parse(text, (size_t)len, &k, 1, &back), -EINVAL,
			       "cache: a stored rule's owner missing from the line: refused");
			ct_rules_free(&back);
		} else {
			ok(0, "cache: the owners line as written: %s", text);
		}
		ct_rules_free(&own);
	}

	/* Everything stored (a -v run): serves a run that lists 20, and one that lists all. */
	len = ct_rules_cache_format(&k, &all, 0, text, sizeof(text));
	is_int(cache_parse(text, (size_t)len, &k, 0, &back), 0, "cache: all stored, all wanted");
	is_int(back.n, 10, "cache: all 10 back");
	ct_rules_free(&back);
	is_int(cache_parse(text, (size_t)len, &k, 5, &back), 0, "cache: all stored, 5 wanted");
	ok(back.kept[0] == 5 && back.total[0] == all.total[0], "cache: 5 kept, totals whole");
	ct_rules_free(&back);

	/*
	 * Every truncation: a run that lists 20 of each class stops once it has them, so a file cut
	 * after those parses, and only then with all 40; -v needs the end line, so no cut parses.
	 */
	len = ct_rules_cache_format(&k, &r, r.keep, text, sizeof(text));
	for (i = 0; i < len; i++) {
		rc = cache_parse(text, (size_t)i, &k, CT_RULES_LISTED, &back);
		if (rc == 0 && (back.n != 40 || back.total[0] != 75 || back.total[1] != 25))
			bad++;
		ct_rules_free(&back);
	}
	is_int(bad, 0, "cache: a truncated file parses only when it holds the rules listed");
	{
		size_t whole_len;

		whole_len = (size_t)ct_rules_cache_format(&k, &all, 0, text, sizeof(text));
		for (i = 0, bad = 0; i < (int)whole_len; i++) {
			if (cache_parse(text, (size_t)i, &k, 0, &back) == 0)
				bad++;
			ct_rules_free(&back);
		}
		is_int(bad, 0, "cache: -v: no truncation parses");
		len = ct_rules_cache_format(&k, &r, r.keep, text, sizeof(text));
	}
	for (i = 0, bad = 0; i < len; i++) {
		char save = text[i];

		text[i] = text[i] == '1' ? 'x' : '1';
		rc = cache_parse(text, (size_t)len, &k, CT_RULES_LISTED, &back);
		if (rc == 0 && back.kept[0] > back.total[0])
			bad++;
		ct_rules_free(&back);
		text[i] = save;
	}
	is_int(bad, 0, "cache: no mutation gives more rules kept than counted");
	{
		/* The start of a file: more is asked for while the rules listed are not all there.
		 */
		char *copy = strndup(text, 200);

		memset(&back, 0, sizeof(back));
		back.keep = CT_RULES_LISTED;
		is_int(ct_rules_cache_parse(copy, strlen(copy), false, &k, &back), -EAGAIN,
		       "cache: a prefix without the rules listed asks for more");
		free(copy);
		ct_rules_free(&back);
	}
	is_int(cache_parse("", 0, &k, CT_RULES_LISTED, &back), -EINVAL, "cache: empty refused");

	/* Names the file format cannot carry: not cached at all. */
	snprintf(r.list[0].table, sizeof(r.list[0].table), "a\tb");
	is_int(ct_rules_cache_format(&k, &r, r.keep, text, sizeof(text)), -EINVAL,
	       "cache: a tab in a name is not stored");
	is_int(ct_rules_cache_format(&k, &all, 0, text, 64), -ENOSPC, "cache: too small a buffer");
	is_int(ct_rules_cache_format(&k, &r, 0, text, sizeof(text)), -EINVAL,
	       "cache: 20 kept are not stored as all");
	ct_rules_free(&r);
	ct_rules_free(&all);
}

/* The summary's phrase and the long output's lines, as the output prints them. */
static void test_phrases(void)
{
	struct ct_rules r = {0};
	struct ct_rule x = {.family = "ip6", .backend = CT_BACKEND_NFT, .table = "t", .chain = "c"};
	char buf[256];

	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf, "", "phrase: nothing forces tracking, no phrase");
	x.kinds = CT_RULE_STATE;
	x.l3 = CT_L3_IPV6;
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf, "tracking forced by 1 rule (state match), IPv6 only",
	       "phrase: 1 rule, singular, in an ip6 table");
	ct_rules_forced_phrase(&r, false, buf, sizeof(buf));
	is_str(buf, "tracking forced by at least 1 rule (state match)",
	       "phrase: partly read: at least, and no family claimed");
	x.item = CT_ITEM_OBJECT;
	x.kinds = CT_RULE_CT;
	ct_rules_add(&r, &x);
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf,
	       "tracking forced by 1 rule and 2 objects (state match, other ct use), IPv6 only",
	       "phrase: rules and objects");
	x.item = CT_ITEM_RULE;
	x.kinds = CT_RULE_NAT;
	x.l3 = CT_L3_IPV4;
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf, "tracking forced by 2 rules and 2 objects (state match, other ct use, NAT)",
	       "phrase: both families: none named");
	x.kinds = CT_RULE_NOTRACK;
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf,
	       "2 rules and 2 objects need connection tracking (state match, other ct use, NAT) "
	       "and 1 rule exempts traffic from it",
	       "phrase: an exemption is not a rule that forces tracking; with one, both are said "
	       "and nothing claimed (it may exempt everything)");
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, false, buf, sizeof(buf));
	is_str(buf,
	       "at least 2 rules and 2 objects need connection tracking (state match, other ct "
	       "use, NAT) and 2 rules exempt traffic from it",
	       "phrase: exemptions, partly read: at least, plural");
	ct_rules_free(&r);

	/* One family with exemptions: the family is still a claim (exempting only takes away). */
	memset(&r, 0, sizeof(r));
	x = (struct ct_rule){.family = "ip6",
			     .backend = CT_BACKEND_NFT,
			     .table = "t",
			     .chain = "c",
			     .handle = 2,
			     .kinds = CT_RULE_STATE,
			     .l3 = CT_L3_IPV6,
			     .what = "ct state"};
	ct_rules_add(&r, &x);
	x.kinds = CT_RULE_NOTRACK;
	x.l3 = CT_L3_ALL;
	ct_rules_add(&r, &x);
	ct_rules_forced_phrase(&r, true, buf, sizeof(buf));
	is_str(buf,
	       "1 rule needs connection tracking (state match), IPv6 only, and 1 rule exempts "
	       "traffic from it",
	       "phrase: exemptions and one family: singular, the family before the exemptions");
	ct_rules_free(&r);

	x = (struct ct_rule){.family = "ip",
			     .backend = CT_BACKEND_NFT,
			     .table = "filter",
			     .chain = "INPUT",
			     .handle = 7,
			     .position = 6,
			     .kinds = CT_RULE_CT,
			     .what = "SYNPROXY"};
	ct_rule_line(&x, buf, sizeof(buf));
	is_str(buf, "rule: nftables ip filter INPUT #6 handle 7: SYNPROXY",
	       "line: iptables-nft: the rule number and the handle");
	x.position = 0;
	ct_rule_line(&x, buf, sizeof(buf));
	is_str(buf, "rule: nftables ip filter INPUT handle 7: SYNPROXY",
	       "line: nftables: the handle");
	x.backend = CT_BACKEND_LEGACY_IP;
	x.handle = 4;
	ct_rule_line(&x, buf, sizeof(buf));
	is_str(buf, "rule: iptables-legacy ip filter INPUT #4: SYNPROXY",
	       "line: iptables-legacy: the rule number");
	x = (struct ct_rule){.family = "inet",
			     .backend = CT_BACKEND_NFT,
			     .table = "t",
			     .name = "ftp-std",
			     .handle = 3,
			     .kinds = CT_RULE_CT,
			     .item = CT_ITEM_OBJECT,
			     .what = "ct helper type \"ftp\""};
	ct_rule_line(&x, buf, sizeof(buf));
	is_str(buf, "object: nftables inet t ftp-std handle 3: ct helper type \"ftp\"",
	       "line: an object by name and handle");
	x.item = CT_ITEM_SET;
	ct_rule_line(&x, buf, sizeof(buf));
	ok(strncmp(buf, "set: nftables inet t ftp-std handle 3: ", 39) == 0, "line: a set: %s",
	   buf);
	x = (struct ct_rule){.family = "ip",
			     .backend = CT_BACKEND_NFT,
			     .table = "raw",
			     .chain = "OUTPUT",
			     .handle = 2,
			     .position = 1,
			     .kinds = CT_RULE_NOTRACK,
			     .what = "NOTRACK"};
	ct_rule_line(&x, buf, sizeof(buf));
	is_str(buf, "exemption: nftables ip raw OUTPUT #1 handle 2: NOTRACK", "line: an exemption");
	ct_rule_line(&x, buf, 12);
	is_str(buf, "exemption: ", "line: cut to the room given");
}

/* The file as the plugin reads it: a few KiB for 20 of each class, all of it for -v. */
static void test_cache_load(void)
{
	struct ct_rules_cache_key k = {
		.boot_id = "e58ddbac-e9af-4c63-a283-3e6c23d6c956", .cookie = 7, .genid = 3};
	struct ct_rule rule = {.family = "ip", .backend = CT_BACKEND_NFT, .table = "nat"};
	struct ct_rules all = {0}, back;
	char dir[] = "/tmp/test_rules_cache.XXXXXX", err[128], path[64];
	size_t size = 1 << 20;
	char *text = malloc(size);
	int len, fd, dirfd, rc = 0;

	for (int i = 0; i < 5000 && rc == 0; i++) {
		/* kube-proxy's shape: a chain per endpoint, its DNAT rule, now and then a notrack
		 */
		snprintf(rule.chain, sizeof(rule.chain), "KUBE-SEP-%08d", i);
		snprintf(rule.what, sizeof(rule.what), i % 50 == 49 ? "notrack" : "dnat");
		rule.kinds = i % 50 == 49 ? CT_RULE_NOTRACK : CT_RULE_NAT;
		rule.handle = 10u + (unsigned)i;
		/* as the backend looks it up: the file keeps owners and checks them when read */
		rule.owners = (unsigned short)ct_owner_of(rule.table, rule.chain);
		rc = ct_rules_add(&all, &rule);
	}
	len = ct_rules_cache_format(&k, &all, 0, text, size);
	ok(len > 8192 && len < 5000 * 48, "cache load: 5,000 rules in %d bytes", len);
	if (!mkdtemp(dir) || (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/c", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, text, (size_t)len) != len || close(fd) < 0)
		abort();
	memset(&back, 0, sizeof(back));
	back.keep = CT_RULES_LISTED;
	is_int(ct_rules_cache_load(dirfd, "c", &k, &back, err, sizeof(err)), 0,
	       "cache load: 20 of each class");
	ok(back.n == 40 && back.total[0] == 4900 && back.total[1] == 100 &&
		   strcmp(back.list[39].chain, "KUBE-SEP-00000999") == 0,
	   "cache load: the first 20 of each class, the totals whole");
	ct_rules_free(&back);
	memset(&back, 0, sizeof(back));
	is_int(ct_rules_cache_load(dirfd, "c", &k, &back, err, sizeof(err)), 0,
	       "cache load: -v, every rule");
	ok(back.n == 5000 && back.list[4999].handle == 5009 &&
		   strcmp(back.list[4999].what, "notrack") == 0,
	   "cache load: -v: all 5,000 in order");
	ct_rules_free(&back);
	/* Cut short: the run that lists 20 still has them, -v refuses it. */
	if (truncate(path, len - 3) < 0)
		abort();
	memset(&back, 0, sizeof(back));
	back.keep = CT_RULES_LISTED;
	is_int(ct_rules_cache_load(dirfd, "c", &k, &back, err, sizeof(err)), 0,
	       "cache load: cut at the end, 20 listed: still good");
	ct_rules_free(&back);
	memset(&back, 0, sizeof(back));
	is_int(ct_rules_cache_load(dirfd, "c", &k, &back, err, sizeof(err)), -EINVAL,
	       "cache load: cut at the end, -v: unusable");
	is_int((int)back.n, 0, "cache load: nothing left behind when refused");
	ct_rules_free(&back);
	is_int(ct_rules_cache_load(dirfd, "none", &k, &back, err, sizeof(err)), -ENOENT,
	       "cache load: no file");
	if (symlinkat("c", dirfd, "link") < 0)
		abort();
	is_int(ct_rules_cache_load(dirfd, "link", &k, &back, err, sizeof(err)), -ELOOP,
	       "cache load: a symbolic link is refused");
	unlinkat(dirfd, "link", 0);
	unlinkat(dirfd, "c", 0);
	close(dirfd);
	rmdir(dir);
	ct_rules_free(&all);
	free(text);
}

int main(void)
{
	test_nft_native();
	test_nft_stateless();
	test_nft_iptables();
	test_nft_objects();
	test_nft_owners();
	test_nft_eperm();
	test_nft_changed();
	test_legacy();
	test_legacy_owners();
	test_legacy_absent();
	test_legacy_names();
	holders("holders-sysfs", 0, true, "nft_ct,xt_state");
	holders("holders-procfs", 0, true, "nf_nat,nf_conntrack_netlink,xt_state,nft_ct");
	holders("holders-builtin", 0, false, "");
	holders("holders-unloaded", 0, true, "");
	holders("no-such-tree", -ENOENT, false, "");
	test_list();
	test_xt();
	test_ct_target();
	test_cache();
	test_cache_load();
	test_phrases();
	return tap_done();
}
