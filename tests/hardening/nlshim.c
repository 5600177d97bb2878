/* LD_PRELOAD shim for tests/hardening/faults.t: spoils netlink receives the way CT_NLSHIM says. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
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
	}
	return n;
}
