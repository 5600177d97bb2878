/* Test tool: records the raw ctnetlink statistics dump and the stat file for the unit tests. */
/*
 * Not part of the plugin. It sends the request check_conntrack sends (the
 * IPCTNL_MSG_CT_GET_STATS_CPU dump) and writes every datagram of the answer, back to back and
 * untouched, to PREFIX-cpu.bin; /proc/net/stat/nf_conntrack read just before and just after goes
 * to PREFIX.stat. If the stat file changed in between the capture is refused (exit 3): the traffic
 * must be quiet while recording so that both sources describe the same moment. A refused request
 * (NLMSG_ERROR) is recorded as well, exit status 0.
 *
 * Re-record (as root, from the repository top):
 *     sh tests/data/netlink/record.sh
 * which builds this tool into /tmp, creates a network namespace "counters-rec" with a `ct state`
 * nftables rule, makes some loopback traffic (python3: UDP and TCP on 127.0.0.1, so that found,
 * insert and entries move), runs
 *     ip netns exec counters-rec /tmp/ct-capture tests/data/netlink/kernel
 * and, for the permission check, the same as an unprivileged user inside that namespace:
 *     ip netns exec counters-rec setpriv --reuid=nobody --regid=nogroup --clear-groups \
 *         --inh-caps=-all /tmp/ct-capture /tmp/counters-rec/eperm
 * then copies the files and deletes the namespace. It never changes nf_conntrack_max.
 * By hand: cc -std=c11 -D_GNU_SOURCE -o /tmp/ct-capture tests/data/netlink/capture.c -lmnl
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
#define STATSIZE (1024 * 1024)

static size_t read_stat(char *buf, size_t size)
{
	FILE *f = fopen("/proc/net/stat/nf_conntrack", "r");
	size_t n;

	if (!f) {
		perror("/proc/net/stat/nf_conntrack");
		exit(1);
	}
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static void write_file(const char *prefix, const char *suffix, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", prefix, suffix);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	fprintf(stderr, "wrote %s (%zu bytes)\n", path, len);
}

/* Whether this datagram ends the answer: NLMSG_DONE or NLMSG_ERROR (a refusal). */
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

static size_t request(struct mnl_socket *nl, unsigned int seq, char *out, size_t outsize)
{
	char buf[BUFSIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	size_t used = 0;
	int done = 0;

	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS_CPU;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("mnl_socket_sendto");
		exit(1);
	}
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0) {
			perror("mnl_socket_recvfrom");
			exit(1);
		}
		if (used + (size_t)n > outsize) {
			fprintf(stderr, "answer too large\n");
			exit(1);
		}
		memcpy(out + used, buf, (size_t)n);
		used += (size_t)n;
		done = ends_answer(buf, (int)n);
	}
	return used;
}

int main(int argc, char **argv)
{
	static char before[STATSIZE], after[STATSIZE], cpu[16 * BUFSIZE];
	struct timeval tv = {.tv_sec = 5};
	struct mnl_socket *nl;
	size_t nbefore, nafter, ncpu;
	unsigned int seq = (unsigned int)time(NULL);

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT-PREFIX\n", argv[0]);
		return 2;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		return 1;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	nbefore = read_stat(before, sizeof(before));
	ncpu = request(nl, seq, cpu, sizeof(cpu));
	nafter = read_stat(after, sizeof(after));
	mnl_socket_close(nl);

	if (nbefore != nafter || memcmp(before, after, nbefore) != 0) {
		fprintf(stderr, "stat file changed during the capture: traffic is not quiet\n");
		return 3;
	}
	write_file(argv[1], "-cpu.bin", cpu, ncpu);
	write_file(argv[1], ".stat", before, nbefore);
	return 0;
}
