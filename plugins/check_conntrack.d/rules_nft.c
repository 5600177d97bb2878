/*
 * nftables backend, the transport: the sets, stateful objects and rules of every family, dumped
 * over nfnetlink between two readings of the ruleset generation, and asked for again when the
 * ruleset changed in between. What each message says is rules_nft_msg.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "rules_nft.h"

/* libmnl before 1.0.5 lacks it; the value is the one later versions define. */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

/* One read: what its messages said so far, and where a failure is reported. */
struct nft_ctx {
	struct ct_nft_msgs msgs;
	char *err;
	size_t errlen;
	int rc; /* set when a callback fails: -errno, the reason is in err */
	const char *dump; /* "set", "object" or "rule": the dump being read, for reasons */
	struct ct_nft_dump *info; /* may be NULL */
};

/* The dump a message belongs to, for reasons. */
static const char *dump_of(const struct nlmsghdr *nlh)
{
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWSET:
		return "set";
	case NFT_MSG_NEWOBJ:
		return "object";
	default:
		return "rule";
	}
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_ctx *c = data;
	int rc;

	if (c->info && NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
	    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(struct nfgenmsg))) {
		/* Every message of a dump carries the low 16 bits of the ruleset generation. */
		const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
		uint16_t id = ntohs(nfg->res_id);

		if (c->info->have_res_id && c->info->res_id != id)
			c->info->res_id_mixed = true;
		c->info->res_id = id;
		c->info->have_res_id = true;
	}
	rc = ct_nft_msg(&c->msgs, nlh);
	if (rc < 0) {
		c->rc = rc;
		snprintf(c->err, c->errlen, "nftables %s dump: %s", dump_of(nlh), c->msgs.reason);
		return MNL_CB_ERROR;
	}
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

/* What an NLMSG_ERROR said (libmnl leaves it in errno): -errno with the reason in c->err. */
static int nlmsg_error(struct nft_ctx *c, struct ct_nft_dump *info)
{
	int ret;

	if (errno == EPERM) {
		snprintf(c->err, c->errlen, "needs CAP_NET_ADMIN");
		return -EPERM;
	}
	if (errno == EINTR && info) {
		/* An NLMSG_ERROR: nothing follows it. */
		info->interrupted = true;
		return 1;
	}
	if (errno == EINTR) {
		snprintf(c->err, c->errlen, "nftables %s dump: the ruleset changed during the dump",
			 c->dump);
		return -EINTR;
	}
	ret = errno ? errno : EPROTO;
	/* NLMSG_ERROR carries a negative errno: INT_MIN or a huge code is a malformed reply. */
	if (ret < 0 || ret > 4095) {
		snprintf(c->err, c->errlen, "nftables %s dump: malformed error code in reply",
			 c->dump);
		return -EBADMSG;
	}
	snprintf(c->err, c->errlen, "nftables %s dump: %s", c->dump, strerror(ret));
	return -ret;
}

/*
 * 0: more to come, 1: done, -errno. seq and portid 0 skip the checks (recorded bytes). With info,
 * a dump the ruleset changed under is marked in it and read on to its end without parsing (it is
 * asked for again); without, it is -EINTR.
 */
static int nft_parse(struct nft_ctx *c, const void *buf, size_t len, unsigned seq, unsigned portid)
{
	struct ct_nft_dump *info = c->info;
	struct frame_scan f = {0};
	int ret;

	if (len > INT_MAX) {
		snprintf(c->err, c->errlen, "nftables %s dump: reply too large", c->dump);
		return -EMSGSIZE;
	}
	if (frame(buf, len, &f) < 0) {
		snprintf(c->err, c->errlen, "nftables %s dump: truncated message", c->dump);
		return -EBADMSG;
	}
	if (info && f.intr)
		info->interrupted = true;
	if (info && info->interrupted)
		return f.end ? 1 : 0;
	/* libmnl takes NLMSG_DONE for success whatever it carries: a dump cut short is not. */
	if (f.done_errno < 0) {
		ret = f.done_errno < -4095 ? EBADMSG : -f.done_errno;
		snprintf(c->err, c->errlen, "nftables %s dump: cut short by the kernel: %s",
			 c->dump, strerror(ret));
		return -ret;
	}
	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, msg_cb, c);
	if (ret == MNL_CB_STOP)
		return 1;
	if (ret >= MNL_CB_OK)
		return 0;
	if (c->rc)
		return c->rc;
	return nlmsg_error(c, info);
}

/* Bytes up to the end of the first dump in buf (its NLMSG_DONE or NLMSG_ERROR), or all. */
static size_t first_dump(const unsigned char *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			return len;
		step = NLMSG_ALIGN(h.nlmsg_len) < len - off ? NLMSG_ALIGN(h.nlmsg_len) : len - off;
		off += step;
		if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR)
			return off;
	}
	return len;
}

int ct_rules_nft_parse(const void *buf, size_t len, struct ct_rules *r, char *err, size_t errlen)
{
	struct nft_ctx c = {.msgs = {.r = r}, .err = err, .errlen = errlen, .dump = "rule"};
	const unsigned char *p = buf;
	size_t off = 0, part;
	int rc;

	do {
		part = first_dump(p + off, len - off);
		rc = nft_parse(&c, p + off, part, 0, 0);
		off += part;
	} while (rc == 1 && off < len);
	ct_nft_msgs_free(&c.msgs);
	return rc;
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
static int dump_once(const struct ct_nft_io *io, uint16_t msg, unsigned seq, char *buf,
		     struct nft_ctx *c)
{
	struct nlmsghdr *nlh = nft_request(buf, msg, NLM_F_DUMP, seq);
	ssize_t n;
	int rc = io->send(io->ctx, nlh, nlh->nlmsg_len);

	if (rc < 0) {
		snprintf(c->err, c->errlen, "nftables %s dump: send: %s", c->dump, strerror(-rc));
		return rc;
	}
	do {
		n = io->recv(io->ctx, buf, MNL_SOCKET_DUMP_SIZE);
		if (n < 0) {
			snprintf(c->err, c->errlen, "nftables %s dump: receive: %s", c->dump,
				 strerror((int)-n));
			return (int)n;
		}
		if (n == 0) {
			snprintf(c->err, c->errlen, "nftables %s dump: no reply", c->dump);
			return -EPROTO;
		}
		rc = nft_parse(c, buf, (size_t)n, seq, io->portid);
	} while (rc == 0);
	/* No nf_tables in this kernel: nftables is not in use. */
	if (rc == -EOPNOTSUPP)
		return 1;
	return rc < 0 ? rc : 0;
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

static bool changed(const struct ct_nft_dump *info)
{
	return info->interrupted || info->res_id_mixed || info->gen_moved;
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

/* The ruleset generation over io: 0, or -errno with a reason (-EOPNOTSUPP: no nf_tables). */
static int genid_io(const struct ct_nft_io *io, unsigned seq, char *buf, uint32_t *genid, char *err,
		    size_t errlen)
{
	struct nlmsghdr *nlh = nft_request(buf, NFT_MSG_GETGEN, 0, seq);
	ssize_t n;
	int rc = io->send(io->ctx, nlh, nlh->nlmsg_len);

	if (rc < 0) {
		snprintf(err, errlen, "nftables generation: send: %s", strerror(-rc));
		return rc;
	}
	n = io->recv(io->ctx, buf, MNL_SOCKET_BUFFER_SIZE);
	if (n <= 0) {
		rc = n < 0 ? (int)n : -EPROTO;
		snprintf(err, errlen, "nftables generation: receive: %s", strerror(-rc));
		return rc;
	}
	rc = genid_parse(buf, (size_t)n, seq, io->portid, genid);
	if (rc == -EPERM)
		snprintf(err, errlen, "needs CAP_NET_ADMIN");
	else if (rc < 0)
		snprintf(err, errlen, "nftables generation: %s", strerror(-rc));
	return rc;
}

/*
 * One read: the generation, the dumps of sets (which the rules refer to), objects and rules, the
 * generation again. 0 read (info says whether the ruleset changed, and the generation it is of),
 * 1 no nf_tables, -errno.
 */
static int read_once(const struct ct_nft_io *io, unsigned seq, char *buf, struct ct_rules *r,
		     struct ct_nft_dump *info, char *err, size_t errlen)
{
	static const struct {
		uint16_t msg;
		const char *what;
	} dumps[] = {
		{NFT_MSG_GETSET, "set"}, {NFT_MSG_GETOBJ, "object"}, {NFT_MSG_GETRULE, "rule"}};
	struct nft_ctx c = {.msgs = {.r = r}, .err = err, .errlen = errlen, .info = info};
	uint32_t before = 0, after = 0;
	int gen, rc = 0;

	gen = genid_io(io, seq, buf, &before, err, errlen);
	if (gen == -EOPNOTSUPP)
		return 1;
	/* Before 3.19 there is no generation: the messages' own res_id must do. */
	if (gen < 0 && gen != -EINVAL)
		return gen;
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && !changed(info); i++) {
		c.dump = dumps[i].what;
		rc = dump_once(io, dumps[i].msg, seq + 1 + (unsigned)i, buf, &c);
		/* Before 4.10 there are no stateful objects to ask for. */
		if (dumps[i].msg == NFT_MSG_GETOBJ && (rc == -EINVAL || rc == 1)) {
			err[0] = '\0';
			rc = 0;
		}
		if (rc != 0)
			break;
	}
	ct_nft_msgs_free(&c.msgs);
	if (rc != 0 || gen < 0 || changed(info))
		return rc;
	rc = genid_io(io, seq + 4, buf, &after, err, errlen);
	if (rc < 0)
		return rc;
	if (after != before || (info->have_res_id && info->res_id != (uint16_t)before)) {
		info->gen_moved = true;
		return 0;
	}
	info->genid = before;
	info->have_genid = true;
	return 0;
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
		rc = read_once(io, seq + tries * 8, buf, r, info, err, errlen);
		if (rc != 0 || !changed(info))
			break;
		/* All or nothing: what a changed read added is forgotten. */
		ct_rules_rollback(r, &mark);
		if (!try_again(io, tries, start, last, &late))
			break;
	}
	if (rc == 0 && changed(info)) {
		changed_reason(tries, late, err, errlen);
		rc = -EINTR;
	}
	if (rc != 0)
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

int ct_rules_nft_genid(struct mnl_socket *nl, uint32_t *genid, char *err, size_t errlen)
{
	struct ct_nft_io io = {sock_send, sock_recv, nl, mnl_socket_get_portid(nl), 0};
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return genid_io(&io, (unsigned)time(NULL) ^ 0x6e66u, buf, genid, err, errlen);
}
