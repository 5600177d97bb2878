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
 * enobufs: the receive fails with ENOBUFS (socket buffer overrun); oversize: the datagram did not
 * fit (MSG_TRUNC); truncate: the last bytes are cut off; nlmsgerr: the reply becomes an
 * NLMSG_ERROR carrying -EIO; garbage: the bytes are scrambled.
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
		unsigned char *p = msg->msg_iov[0].iov_base;

		for (ssize_t i = 16; i < n; i++)
			p[i] = (unsigned char)(p[i] * 31 + 7);
	}
	return n;
}
