/* LD_PRELOAD shim for faults.t and kernel/rules.t: spoils netlink replies as CT_NLSHIM says. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool is_netlink(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_NETLINK;
}

/*
 * Scramble what follows each message header, the headers themselves left as they are: the
 * framing stays sound, so what has to catch the damage is the attribute walk. (Scrambling the
 * whole datagram would hit the second header of a multi-message dump datagram first, and the
 * case would test the framing check again, only on machines with more than one CPU.)
 */
static void scramble_payloads(unsigned char *p, ssize_t n)
{
	ssize_t off = 0;

	while (n - off >= (ssize_t)sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		ssize_t end;

		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h))
			break;
		end = h.nlmsg_len > (size_t)(n - off) ? n : off + (ssize_t)h.nlmsg_len;
		for (ssize_t i = off + (ssize_t)sizeof(h); i < end; i++)
			p[i] = (unsigned char)(p[i] * 31 + 7);
		if (end == n)
			break;
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
}

/*
 * dumpintr: the kernel's mark that the ruleset changed during a dump (NLM_F_DUMP_INTR) on the
 * first nftables rule of every datagram, as if a change came between any two of them.
 */
static void mark_dump_intr(unsigned char *p, ssize_t n)
{
	ssize_t off = 0;

	while (n - off >= (ssize_t)sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;

		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > (size_t)(n - off))
			break;
		if (h.nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)) {
			h.nlmsg_flags |= NLM_F_DUMP_INTR;
			memcpy(p + off, &h, sizeof(h));
			return;
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
}

/* CT_NLSHIM_DUMPS=FILE: how many nftables rule dumps were asked for, written after each. */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	static unsigned dumps;
	const char *path = getenv("CT_NLSHIM_DUMPS");
	const struct nlmsghdr *h = buf;

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
				   socklen_t))dlsym(RTLD_NEXT, "sendto");
	if (path && len >= sizeof(*h) && is_netlink(fd) &&
	    h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE) &&
	    (h->nlmsg_flags & NLM_F_DUMP)) {
		FILE *f = fopen(path, "w");

		if (f) {
			fprintf(f, "%u\n", ++dumps);
			fclose(f);
		}
	}
	return real(fd, buf, len, flags, to, tolen);
}

/*
 * enobufs: the receive fails with ENOBUFS (socket buffer overrun); oversize: the datagram did not
 * fit (MSG_TRUNC); truncate: the last bytes are cut off; nlmsgerr: the reply becomes an
 * NLMSG_ERROR carrying -EIO; garbage: every message's payload is scrambled.
 */
ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	const char *mode = getenv("CT_NLSHIM");
	ssize_t n;

	if (!real)
		real = (ssize_t(*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	if (!mode || !is_netlink(fd))
		return real(fd, msg, flags);
	if (strcmp(mode, "enobufs") == 0) {
		errno = ENOBUFS;
		return -1;
	}
	n = real(fd, msg, flags);
	if (n <= 0 || msg->msg_iovlen < 1)
		return n;
	if (strcmp(mode, "oversize") == 0) {
		msg->msg_flags |= MSG_TRUNC;
	} else if (strcmp(mode, "truncate") == 0) {
		n = n > 24 ? n - 7 : n / 2;
	} else if (strcmp(mode, "nlmsgerr") == 0 && msg->msg_iov[0].iov_len >= 64 && n >= 16) {
		struct nlmsghdr *h = msg->msg_iov[0].iov_base, orig = *h;
		struct nlmsgerr *e = NLMSG_DATA(h);

		h->nlmsg_type = NLMSG_ERROR;
		h->nlmsg_flags = 0;
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
		e->error = -EIO;
		e->msg = orig;
		n = h->nlmsg_len;
	} else if (strcmp(mode, "garbage") == 0) {
		scramble_payloads(msg->msg_iov[0].iov_base, n);
	} else if (strcmp(mode, "dumpintr") == 0) {
		mark_dump_intr(msg->msg_iov[0].iov_base, n);
	}
	return n;
}
