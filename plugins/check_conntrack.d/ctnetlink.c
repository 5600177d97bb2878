/*
 * Conntrack statistics over ctnetlink (libmnl): the per-CPU counters of the
 * IPCTNL_MSG_CT_GET_STATS_CPU dump, summed; and the entry count and the limit of
 * IPCTNL_MSG_CT_GET_STATS (--netns=all, where it saves a sysctl lookup per namespace).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "counters.h"

/* Large enough for any datagram of a dump (the kernel caps dump skbs at 32 KiB). */
#define CT_NL_BUFSIZE 32768

/* CTA_STATS_* attribute -> our counter; 0 entries (CTA_STATS_UNSPEC) are never sent. */
static const int cta_stats_counter[CTA_STATS_MAX + 1] = {
	[CTA_STATS_UNSPEC] = -1,
	[CTA_STATS_SEARCHED] = CT_SEARCHED,
	[CTA_STATS_FOUND] = CT_FOUND,
	[CTA_STATS_NEW] = CT_NEW,
	[CTA_STATS_INVALID] = CT_INVALID,
	[CTA_STATS_IGNORE] = CT_IGNORE,
	[CTA_STATS_DELETE] = CT_DELETE,
	[CTA_STATS_DELETE_LIST] = CT_DELETE_LIST,
	[CTA_STATS_INSERT] = CT_INSERT,
	[CTA_STATS_INSERT_FAILED] = CT_INSERT_FAILED,
	[CTA_STATS_DROP] = CT_DROP,
	[CTA_STATS_EARLY_DROP] = CT_EARLY_DROP,
	[CTA_STATS_ERROR] = CT_ERROR,
	[CTA_STATS_SEARCH_RESTART] = CT_SEARCH_RESTART,
	[CTA_STATS_CLASH_RESOLVE] = CT_CLASH_RESOLVE,
	[CTA_STATS_CHAIN_TOOLONG] = CT_CHAINTOOLONG,
};

/* One dump being parsed: where the sums go, the current message's attributes, why it failed. */
struct nl_parse {
	struct ct_counters *out;
	const struct nlattr **tb;
	int maxattr; /* the highest attribute this message type has */
	uint64_t entries, max; /* IPCTNL_MSG_CT_GET_STATS */
	bool have_count;
	char *err;
	size_t errlen;
	bool failed;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_parse *p = data;
	int type = mnl_attr_get_type(attr);

	/* Attributes of newer kernels are not ours to judge. */
	if (mnl_attr_type_valid(attr, (uint16_t)p->maxattr) < 0 || type == 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
		snprintf(p->err, p->errlen,
			 "ctnetlink: attribute %d has length %u, expected a 32-bit value", type,
			 (unsigned int)mnl_attr_get_payload_len(attr));
		p->failed = true;
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	p->tb[type] = attr;
	return MNL_CB_OK;
}

/* Validate one message's header (of type msg) and walk its attributes into p->tb. */
static int parse_attrs(const struct nlmsghdr *nlh, struct nl_parse *p, int msg)
{
	const struct nlattr *attr;
	const char *tail;
	int ret;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_CTNETLINK << 8 | msg)) {
		snprintf(p->err, p->errlen, "ctnetlink: unexpected message type 0x%x in reply",
			 nlh->nlmsg_type);
		p->failed = true;
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg))) {
		snprintf(p->err, p->errlen, "ctnetlink: reply too short for its header");
		p->failed = true;
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	ret = mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, p);
	if (ret < MNL_CB_OK)
		return MNL_CB_ERROR;
	/* mnl_attr_parse quietly stops at a broken attribute: insist it reached the end. */
	tail = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg));
	if ((const char *)attr < tail) {
		snprintf(p->err, p->errlen, "ctnetlink: truncated or malformed attribute in reply");
		p->failed = true;
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int stats_cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_STATS_MAX + 1] = {0};
	struct nl_parse *p = data;
	int a;

	p->tb = tb;
	p->maxattr = CTA_STATS_MAX;
	if (parse_attrs(nlh, p, IPCTNL_MSG_CT_GET_STATS_CPU) < 0)
		return MNL_CB_ERROR;
	for (a = 1; a <= CTA_STATS_MAX; a++) {
		int c = cta_stats_counter[a];
		uint64_t *v;

		if (!tb[a] || c < 0)
			continue;
		v = &p->out->value[c];
		if (__builtin_add_overflow(*v, (uint64_t)ntohl(mnl_attr_get_u32(tb[a])), v)) {
			snprintf(p->err, p->errlen, "ctnetlink: sum of %s overflows",
				 ct_counter_names[c]);
			p->failed = true;
			errno = EOVERFLOW;
			return MNL_CB_ERROR;
		}
		p->out->present |= 1u << c;
	}
	return MNL_CB_OK;
}

/* The one message of IPCTNL_MSG_CT_GET_STATS: the namespace's entry count and the limit. */
static int stats_count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_STATS_GLOBAL_MAX + 1] = {0};
	struct nl_parse *p = data;

	p->tb = tb;
	p->maxattr = CTA_STATS_GLOBAL_MAX;
	if (parse_attrs(nlh, p, IPCTNL_MSG_CT_GET_STATS) < 0)
		return MNL_CB_ERROR;
	if (!tb[CTA_STATS_GLOBAL_ENTRIES] || !tb[CTA_STATS_GLOBAL_MAX_ENTRIES]) {
		snprintf(p->err, p->errlen, "ctnetlink: the statistics reply carries no %s",
			 tb[CTA_STATS_GLOBAL_ENTRIES] ? "limit" : "entry count");
		p->failed = true;
		errno = ENODATA;
		return MNL_CB_ERROR;
	}
	p->entries = ntohl(mnl_attr_get_u32(tb[CTA_STATS_GLOBAL_ENTRIES]));
	p->max = ntohl(mnl_attr_get_u32(tb[CTA_STATS_GLOBAL_MAX_ENTRIES]));
	p->have_count = true;
	return MNL_CB_STOP;
}

/* mnl_cb_run ignores a cut-off last message: refuse anything that is not whole messages. */
static int check_framing(const void *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *b = buf;
	size_t off = 0;

	if (len == 0) {
		snprintf(err, errlen, "ctnetlink: empty reply");
		return -EINVAL;
	}
	while (off < len) {
		struct nlmsghdr h;

		if (len - off < sizeof(h)) {
			snprintf(err, errlen, "ctnetlink: truncated message header in reply");
			return -EINVAL;
		}
		memcpy(&h, b + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h)) {
			snprintf(err, errlen, "ctnetlink: message with impossible length %u",
				 h.nlmsg_len);
			return -EINVAL;
		}
		if (h.nlmsg_len > len - off) {
			snprintf(err, errlen,
				 "ctnetlink: truncated message in reply (%zu of its %u bytes)",
				 len - off, h.nlmsg_len);
			return -EINVAL;
		}
		off += MNL_ALIGN(h.nlmsg_len) < len - off ? MNL_ALIGN(h.nlmsg_len) : len - off;
	}
	return 0;
}

static void error_reason(int e, char *err, size_t errlen)
{
	switch (e) {
	case EPERM:
		snprintf(err, errlen, "ctnetlink: permission denied (needs CAP_NET_ADMIN)");
		break;
	case ESRCH:
		snprintf(err, errlen, "ctnetlink: reply from an unexpected netlink port");
		break;
	case EPROTO:
		snprintf(err, errlen, "ctnetlink: reply with an unexpected sequence number");
		break;
	case EBADMSG:
		snprintf(err, errlen, "ctnetlink: truncated error message in reply");
		break;
	case EINTR:
		snprintf(err, errlen, "ctnetlink: statistics dump was interrupted");
		break;
	default:
		snprintf(err, errlen, "ctnetlink: kernel refused the request: %s", strerror(e));
		break;
	}
}

/*
 * Run whole messages through mnl_cb_run: MNL_CB_OK (more to come) or MNL_CB_STOP (done), or
 * -errno with a reason (NLMSG_ERROR, truncated or malformed).
 */
static int run_messages(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			mnl_cb_t cb, struct nl_parse *p)
{
	void *copy = NULL;
	int ret;

	ret = check_framing(buf, len, p->err, p->errlen);
	if (ret < 0)
		return ret;
	/* Headers are read in place: give libmnl an aligned buffer, whatever the caller had. */
	if ((uintptr_t)buf % MNL_ALIGNTO) {
		copy = malloc(len);
		if (!copy) {
			snprintf(p->err, p->errlen, "ctnetlink: out of memory");
			return -ENOMEM;
		}
		memcpy(copy, buf, len);
		buf = copy;
	}
	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, cb, p);
	free(copy);
	if (ret == MNL_CB_ERROR) {
		int e = errno ? errno : EINVAL;

		/* NLMSG_ERROR carries a negative errno: INT_MIN or a huge code is a malformed
		 * reply. */
		if (e < 0 || e > 4095) {
			snprintf(p->err, p->errlen, "ctnetlink: malformed error code in reply");
			return -EBADMSG;
		}
		if (!p->failed)
			error_reason(e, p->err, p->errlen);
		return -e;
	}
	return ret;
}

/*
 * Run one received datagram of the dump through mnl_cb_run. Returns 0 (more to come), 1
 * (NLMSG_DONE seen, counters summed), or -errno with a reason.
 */
static int parse_stats_cpu(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			   struct ct_counters *out, char *err, size_t errlen)
{
	struct nl_parse p = {
		.out = out,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	out->source = "netlink";
	ret = run_messages(buf, len, seq, portid, stats_cpu_cb, &p);
	if (ret < 0)
		return ret;
	if (ret != MNL_CB_STOP)
		return 0;
	if (out->present == 0) {
		snprintf(err, errlen, "ctnetlink: per-CPU statistics dump ended empty");
		return -EINVAL;
	}
	return 1;
}

int ct_netlink_parse_stats_cpu(const void *buf, size_t len, struct ct_counters *out, char *err,
			       size_t errlen)
{
	return parse_stats_cpu(buf, len, 0, 0, out, err, errlen);
}

static int send_request(struct mnl_socket *nl, char *buf, int msg, uint16_t flags, unsigned int seq,
			char *err, size_t errlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | msg);
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "ctnetlink: cannot send request: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* Why a receive into a buffer of bufsize bytes failed: -errno with a reason. */
static int recv_failed(size_t bufsize, char *err, size_t errlen)
{
	int e = errno ? errno : EIO;

	if (e == ENOBUFS)
		snprintf(err, errlen, "ctnetlink: receive buffer overrun (ENOBUFS)");
	else if (e == ENOSPC)
		snprintf(err, errlen, "ctnetlink: reply larger than %zu bytes", bufsize);
	else
		snprintf(err, errlen, "ctnetlink: receive failed: %s", strerror(e));
	return -e;
}

/* Send the dump request and feed every datagram of the answer to the parser until it says done. */
static int transact(struct mnl_socket *nl, char *buf, unsigned int seq, struct ct_counters *out,
		    char *err, size_t errlen)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret = send_request(nl, buf, IPCTNL_MSG_CT_GET_STATS_CPU, NLM_F_DUMP, seq, err, errlen);

	while (ret == 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, CT_NL_BUFSIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return recv_failed(CT_NL_BUFSIZE, err, errlen);
		if (n == 0) {
			snprintf(err, errlen, "ctnetlink: socket closed before the reply ended");
			return -EPIPE;
		}
		ret = parse_stats_cpu(buf, (size_t)n, seq, portid, out, err, errlen);
	}
	return ret < 0 ? ret : 0;
}

int ct_netlink_read(struct mnl_socket *nl, struct ct_counters *out, char *err, size_t errlen)
{
	unsigned int seq = (unsigned int)time(NULL);
	char *buf;
	int ret;

	memset(out, 0, sizeof(*out));
	out->source = "netlink";
	if (!nl) {
		snprintf(err, errlen, "ctnetlink: no socket");
		return -EBADF;
	}
	buf = malloc(CT_NL_BUFSIZE);
	if (!buf) {
		snprintf(err, errlen, "ctnetlink: out of memory");
		return -ENOMEM;
	}
	if (seq == 0)
		seq = 1;
	/*
	 * Only the per-CPU dump: the entry count and the limit (IPCTNL_MSG_CT_GET_STATS) come
	 * from /proc, which every run reads anyway.
	 */
	ret = transact(nl, buf, seq, out, err, errlen);
	free(buf);
	if (ret < 0) {
		memset(out, 0, sizeof(*out));
		out->source = "netlink";
	}
	return ret;
}

/* The one reply of IPCTNL_MSG_CT_GET_STATS: 0 with the count and the limit, or -errno. */
static int parse_count(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		       uint64_t *entries, uint64_t *max, char *err, size_t errlen)
{
	struct nl_parse p = {.err = err, .errlen = errlen};
	int ret = run_messages(buf, len, seq, portid, stats_count_cb, &p);

	if (ret < 0)
		return ret;
	if (!p.have_count) {
		snprintf(err, errlen, "ctnetlink: no statistics in the reply");
		return -EINVAL;
	}
	*entries = p.entries;
	*max = p.max;
	return 0;
}

int ct_netlink_parse_count(const void *buf, size_t len, uint64_t *entries, uint64_t *max, char *err,
			   size_t errlen)
{
	return parse_count(buf, len, 0, 0, entries, max, err, errlen);
}

int ct_netlink_read_count(struct mnl_socket *nl, uint64_t *entries, uint64_t *max, char *err,
			  size_t errlen)
{
	/* The reply is one small message: a buffer on the stack, aligned for libmnl. */
	union {
		struct nlmsghdr h;
		char b[1024];
	} buf;
	unsigned int seq = (unsigned int)time(NULL) ^ 0x5a5a5a5au;
	ssize_t n;
	int ret;

	if (!nl) {
		snprintf(err, errlen, "ctnetlink: no socket");
		return -EBADF;
	}
	ret = send_request(nl, buf.b, IPCTNL_MSG_CT_GET_STATS, 0, seq, err, errlen);
	if (ret < 0)
		return ret;
	do
		n = mnl_socket_recvfrom(nl, buf.b, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return recv_failed(sizeof(buf), err, errlen);
	if (n == 0) {
		snprintf(err, errlen, "ctnetlink: socket closed before the reply");
		return -EPIPE;
	}
	return parse_count(buf.b, (size_t)n, seq, mnl_socket_get_portid(nl), entries, max, err,
			   errlen);
}
