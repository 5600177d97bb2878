/*
 * Test tool: records the raw answer to a ctnetlink table dump for the unit tests (not part of the
 * plugin). `capture_dump ct FILE` sends the request the composition sample sends (IPCTNL_MSG_CT_GET,
 * NLM_F_DUMP, AF_UNSPEC), `capture_dump exp FILE` the expectation count's (IPCTNL_MSG_EXP_GET), and
 * writes every datagram of the answer, back to back and untouched, to FILE. A refusal
 * (NLMSG_ERROR, e.g. EPERM as an unprivileged user) is recorded as well. See record-dumps.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define BUFSIZE 32768
#define OUTSIZE (64 * BUFSIZE)

/* Whether this datagram ends the answer: NLMSG_DONE or NLMSG_ERROR. */
static int ends_answer(const char *buf, int len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return 1;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char out[OUTSIZE], buf[BUFSIZE];
	struct timeval tv = {.tv_sec = 5};
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	size_t used = 0;
	FILE *f;

	if (argc != 3 || (strcmp(argv[1], "ct") != 0 && strcmp(argv[1], "exp") != 0)) {
		fprintf(stderr, "usage: %s ct|exp FILE\n", argv[0]);
		return 2;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		return 1;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = strcmp(argv[1], "ct") == 0
				  ? NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET
				  : NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("mnl_socket_sendto");
		return 1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0) {
			perror("mnl_socket_recvfrom");
			return 1;
		}
		if (used + (size_t)n > sizeof(out)) {
			fprintf(stderr, "answer too large\n");
			return 1;
		}
		memcpy(out + used, buf, (size_t)n);
		used += (size_t)n;
		if (ends_answer(buf, (int)n))
			break;
	}
	mnl_socket_close(nl);
	f = fopen(argv[2], "w");
	if (!f || fwrite(out, 1, used, f) != used || fclose(f) != 0) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "wrote %s (%zu bytes)\n", argv[2], used);
	return 0;
}
