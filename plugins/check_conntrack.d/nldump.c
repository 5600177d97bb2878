/*
 * A bounded ctnetlink dump (libmnl): the request, the receive loop with a deadline, and the walk
 * over each datagram's messages, shared by the entry sample and the expectation count.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>

#include "nldump.h"

/* Large enough for any datagram of a dump: the kernel sizes dump skbs to at most 32 KiB. */
#define CT_DUMP_BUFSIZE 32768

int ct_dump_fail(struct ct_dump *d, int e, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!d->failed && d->err)
		snprintf(d->err, d->errlen, "ctnetlink: %s", msg);
	if (!d->failed)
		d->error = e;
	d->failed = true;
	return MNL_CB_ERROR;
}

int ct_dump_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (!deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > 86400000 ? 86400000 : (int)ms;
}

struct level_parse {
	const struct ct_attr_level *lvl;
	const struct nlattr **tb;
	struct ct_dump *d;
};

/* The one attribute callback: each level validates by its own table. */
static int attr_cb(const struct nlattr *attr, void *data)
{
	struct level_parse *lp = data;
	int type = mnl_attr_get_type(attr);
	const struct ct_attr_rule *r;
	bool bad;

	/* Attributes of newer kernels, and those not read, are not ours to judge. */
	if (type <= 0 || type > lp->lvl->max)
		return MNL_CB_OK;
	r = &lp->lvl->rule[type];
	if (r->type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (r->type == MNL_TYPE_BINARY)
		bad = mnl_attr_get_payload_len(attr) != r->len;
	else
		bad = mnl_attr_validate(attr, r->type) < 0;
	if (bad)
		return ct_dump_fail(lp->d, EINVAL, "%s attribute %d has a bad length (%u)",
				    lp->lvl->name, type,
				    (unsigned int)mnl_attr_get_payload_len(attr));
	if (lp->tb[type])
		return ct_dump_fail(lp->d, EINVAL, "%s attribute %d given twice", lp->lvl->name,
				    type);
	lp->tb[type] = attr;
	return MNL_CB_OK;
}

/* libmnl stops quietly at a broken attribute: insist the walk reached the end. */
static int check_tail(const void *stopped_at, const void *tail, const struct ct_attr_level *lvl,
		      struct ct_dump *d)
{
	if ((const char *)stopped_at < (const char *)tail)
		return ct_dump_fail(d, EINVAL, "truncated or malformed %s attribute", lvl->name);
	return MNL_CB_OK;
}

int ct_dump_nested(const struct nlattr *nest, const struct ct_attr_level *lvl,
		   const struct nlattr **tb, struct ct_dump *d)
{
	struct level_parse lp = {lvl, tb, d};
	const char *tail =
		(const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest);
	const struct nlattr *a;

	if (mnl_attr_parse_nested(nest, attr_cb, &lp) < MNL_CB_OK)
		return MNL_CB_ERROR;
	mnl_attr_for_each_nested(a, nest);
	return check_tail(a, tail, lvl, d);
}

int ct_dump_attrs(const struct nlmsghdr *nlh, const struct ct_attr_level *lvl,
		  const struct nlattr **tb, struct ct_dump *d)
{
	struct level_parse lp = {lvl, tb, d};
	const struct nlattr *a;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &lp) < MNL_CB_OK)
		return MNL_CB_ERROR;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg));
	return check_tail(a, mnl_nlmsg_get_payload_tail(nlh), lvl, d);
}

/* Every message whole: a cut-off last message would otherwise pass unnoticed. */
static int check_framing(const unsigned char *b, size_t len, struct ct_dump *d)
{
	size_t off = 0;

	if (len == 0)
		return ct_dump_fail(d, EINVAL, "empty reply");
	while (off < len) {
		struct nlmsghdr h;

		if (len - off < sizeof(h))
			return ct_dump_fail(d, EINVAL, "truncated message header in reply");
		memcpy(&h, b + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h))
			return ct_dump_fail(d, EINVAL, "message with impossible length %u",
					    h.nlmsg_len);
		if (h.nlmsg_len > len - off)
			return ct_dump_fail(d, EINVAL,
					    "truncated message in reply (%zu of its %u bytes)",
					    len - off, h.nlmsg_len);
		off += MNL_ALIGN(h.nlmsg_len) < len - off ? MNL_ALIGN(h.nlmsg_len) : len - off;
	}
	return MNL_CB_OK;
}

static int error_message(const struct nlmsghdr *nlh, struct ct_dump *d)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	int code;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return ct_dump_fail(d, EBADMSG, "truncated error message in reply");
	code = e->error;
	if (code == 0)
		return MNL_CB_STOP; /* an acknowledgement: nothing more comes */
	if (code > 0 || code < -4095)
		return ct_dump_fail(d, EBADMSG, "malformed error code in reply");
	if (code == -EPERM)
		return ct_dump_fail(d, EPERM, "permission denied (needs CAP_NET_ADMIN)");
	return ct_dump_fail(d, -code, "kernel refused the request: %s", strerror(-code));
}

/* NLMSG_DONE carries the dump's own result: a negative one is an error, not an end. */
static int done_message(const struct nlmsghdr *nlh, struct ct_dump *d)
{
	int code;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(code))
		return MNL_CB_STOP;
	memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
	if (code < -4095 || code > 0)
		return ct_dump_fail(d, EBADMSG, "malformed result in the end of the dump");
	if (code < 0)
		return ct_dump_fail(d, -code, "dump ended with an error: %s", strerror(-code));
	return MNL_CB_STOP;
}

static int data_message(const struct nlmsghdr *nlh, struct ct_dump *d)
{
	int ret;

	if (nlh->nlmsg_type != d->want_type[0] &&
	    (d->want_type[1] == 0 || nlh->nlmsg_type != d->want_type[1]))
		return ct_dump_fail(d, EINVAL, "unexpected message type 0x%x in reply",
				    nlh->nlmsg_type);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return ct_dump_fail(d, EINVAL, "reply too short for its header");
	/* A table that changed under the dump is still a fair sample: noted, not refused. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted = true;
	d->messages++;
	ret = d->cb(nlh, d);
	if (ret == MNL_CB_STOP)
		d->stopped = true;
	else if (ret == MNL_CB_ERROR && !d->failed)
		return ct_dump_fail(d, EINVAL, "malformed message in reply");
	return ret;
}

/* One message: the control types, then data. MNL_CB_OK to go on. */
static int one_message(const struct nlmsghdr *nlh, unsigned int seq, unsigned int portid,
		       struct ct_dump *d)
{
	if (!mnl_nlmsg_portid_ok(nlh, portid))
		return ct_dump_fail(d, ESRCH, "reply from an unexpected netlink port");
	if (!mnl_nlmsg_seq_ok(nlh, seq))
		return ct_dump_fail(d, EPROTO, "reply with an unexpected sequence number");
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return MNL_CB_OK;
	case NLMSG_ERROR:
		return error_message(nlh, d);
	case NLMSG_DONE:
		return done_message(nlh, d);
	case NLMSG_OVERRUN:
		return ct_dump_fail(d, ENOBUFS, "the kernel reported an overrun");
	default:
		return data_message(nlh, d);
	}
}

static int walk(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		struct ct_dump *d)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len, ret = MNL_CB_OK;

	while (ret == MNL_CB_OK && mnl_nlmsg_ok(nlh, left)) {
		ret = one_message(nlh, seq, portid, d);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	if (ret == MNL_CB_ERROR)
		return -(d->error > 0 ? d->error : EINVAL);
	if (ret == MNL_CB_STOP)
		return d->stopped ? 2 : 1;
	return 0;
}

int ct_dump_parse(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		  struct ct_dump *d)
{
	void *copy = NULL;
	int ret;

	if (len > INT32_MAX) {
		ct_dump_fail(d, EINVAL, "reply too large");
		return -EINVAL;
	}
	if (check_framing(buf, len, d) < 0)
		return -EINVAL;
	/* Headers are read in place: give them an aligned buffer, whatever the caller had. */
	if ((uintptr_t)buf % MNL_ALIGNTO) {
		copy = malloc(len);
		if (!copy) {
			ct_dump_fail(d, ENOMEM, "out of memory");
			return -ENOMEM;
		}
		memcpy(copy, buf, len);
		buf = copy;
	}
	ret = walk(buf, len, seq, portid, d);
	free(copy);
	return ret;
}

static int send_request(struct mnl_socket *nl, char *buf, unsigned int seq, struct ct_dump *d)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = d->type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = d->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		int e = errno ? errno : EIO;

		ct_dump_fail(d, e, "cannot send request: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* Wait for the next datagram until the deadline. 1: readable, 0: deadline, -errno. */
static int wait_readable(struct mnl_socket *nl, struct ct_dump *d)
{
	struct pollfd p = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};

	for (;;) {
		int ms = ct_dump_ms_left(d->deadline), n;

		if (ms == 0)
			return 0;
		n = poll(&p, 1, ms);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR) {
			int e = errno;

			ct_dump_fail(d, e, "poll failed: %s", strerror(e));
			return -e;
		}
	}
}

static int receive(struct mnl_socket *nl, char *buf, unsigned int seq, struct ct_dump *d)
{
	unsigned int portid = mnl_socket_get_portid(nl);

	for (;;) {
		ssize_t n;
		int ret = wait_readable(nl, d);

		if (ret <= 0)
			return ret < 0 ? ret : CT_DUMP_DEADLINE;
		n = mnl_socket_recvfrom(nl, buf, CT_DUMP_BUFSIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno ? errno : EIO;

			if (e == ENOBUFS)
				ct_dump_fail(d, e, "receive buffer overrun (ENOBUFS)");
			else if (e == ENOSPC)
				ct_dump_fail(d, e, "a datagram larger than %d bytes",
					     CT_DUMP_BUFSIZE);
			else
				ct_dump_fail(d, e, "receive failed: %s", strerror(e));
			return -e;
		}
		if (n == 0) {
			ct_dump_fail(d, EPIPE, "socket closed before the reply ended");
			return -EPIPE;
		}
		d->datagrams++;
		ret = ct_dump_parse(buf, (size_t)n, seq, portid, d);
		if (ret < 0)
			return ret;
		if (ret == 1)
			return CT_DUMP_DONE;
		if (ret == 2)
			return CT_DUMP_STOPPED;
	}
}

int ct_dump_run(struct mnl_socket **nl, struct ct_dump *d, char *err, size_t errlen)
{
	unsigned int seq = (unsigned int)time(NULL) | 1u;
	char *buf;
	int ret;

	d->err = err;
	d->errlen = errlen;
	d->failed = false;
	d->error = 0;
	if (!*nl) {
		ct_dump_fail(d, EBADF, "no socket");
		return -EBADF;
	}
	buf = malloc(CT_DUMP_BUFSIZE);
	if (!buf) {
		ct_dump_fail(d, ENOMEM, "out of memory");
		return -ENOMEM;
	}
	ret = send_request(*nl, buf, seq, d);
	if (ret == 0)
		ret = receive(*nl, buf, seq, d);
	free(buf);
	/* Mid-dump, the kernel would answer the next request with the rest of this one. */
	if (ret != CT_DUMP_DONE) {
		mnl_socket_close(*nl);
		*nl = NULL;
	}
	return ret;
}
