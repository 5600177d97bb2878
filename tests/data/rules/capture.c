/*
 * Test tool, not part of the plugin: records the raw kernel replies the rules parsers read.
 *
 * Re-record everything with tests/data/rules/record.sh (as root: it builds this tool, sets up
 * throw-away network namespaces named hB-*, runs the tool inside them and deletes them). By hand:
 *
 *   cc -std=c11 -D_GNU_SOURCE -o /tmp/capture tests/data/rules/capture.c $(pkg-config --libs
 * libmnl) ip netns exec NS /tmp/capture nft FILE          # NFT_MSG_GETRULE dump reply, as received
 *   ip netns exec NS /tmp/capture nft-changed FILE CMD...   # CMD runs during the dump
 *   ip netns exec NS /tmp/capture legacy ip PREFIX  # PREFIX.<table>.info / .entries per table
 *   ip netns exec NS /tmp/capture legacy ip6 PREFIX
 *
 * .info is struct ipt_getinfo (IPT_SO_GET_INFO), .entries the entrytable of IPT_SO_GET_ENTRIES,
 * both in this machine's byte order. An NLMSG_ERROR reply (run as nobody) is recorded as is.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

static void save(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "capture: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* A test tool may run a command: the change an interrupted dump is recorded under. */
static int run(char *const *argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "capture: %s failed\n", argv[0]);
		return 1;
	}
	return 0;
}

static char out[1 << 24];
static size_t used;

/*
 * One dump as received, appended to out: 0, 2 when the kernel refused it, 1 on failure. With
 * change, that command runs after the first datagram, so the kernel marks the rest of the dump
 * NLM_F_DUMP_INTR. bufsize: the receive buffer (the kernel sizes later datagrams to it; a small one
 * splits even a short ruleset into several).
 */
static int capture_dump(struct mnl_socket *nl, int msg, char *const *change, size_t bufsize)
{
	static char buf[32768];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned seq = (unsigned)time(NULL) + (unsigned)msg;
	int done = 0, refused = 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("capture: send");
		return 1;
	}
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, bufsize);
		const struct nlmsghdr *m = (const void *)buf;
		int left = (int)n;

		if (n <= 0 || used + (size_t)n > sizeof(out)) {
			perror("capture: receive");
			return 1;
		}
		memcpy(out + used, buf, (size_t)n);
		used += (size_t)n;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				refused = m->nlmsg_type == NLMSG_ERROR;
			}
		if (change && !done && run(change) != 0)
			return 1;
		change = NULL;
	}
	return refused ? 2 : 0;
}

/* The sets, objects and rules dumps (nft), or the rules dump alone with a change during it. */
static int capture_nft(const char *path, char *const *change, size_t bufsize)
{
	static const int all[] = {NFT_MSG_GETSET, NFT_MSG_GETOBJ, NFT_MSG_GETRULE};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("capture: netlink");
		return 1;
	}
	if (change && capture_dump(nl, NFT_MSG_GETRULE, change, bufsize) == 1)
		return 1;
	/* A refusal (EPERM) ends it: the plugin asks for nothing more either. */
	for (size_t i = 0, rc = 0; !change && rc == 0 && i < sizeof(all) / sizeof(all[0]); i++)
		if ((rc = (size_t)capture_dump(nl, all[i], NULL, bufsize)) == 1)
			return 1;
	mnl_socket_close(nl);
	save(path, out, used);
	return 0;
}

static int capture_legacy(int family, const char *prefix)
{
	const char *names =
		family == AF_INET ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names";
	int level = family == AF_INET ? SOL_IP : SOL_IPV6;
	size_t start = family == AF_INET ? offsetof(struct ipt_get_entries, entrytable)
					 : offsetof(struct ip6t_get_entries, entrytable);
	char line[64], path[4096];
	FILE *f = fopen(names, "r");
	int fd = socket(family, SOCK_RAW, IPPROTO_RAW);

	if (!f || fd < 0) {
		perror("capture: legacy");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct ipt_getinfo info;
		struct ipt_get_entries *e;
		socklen_t len = sizeof(info);

		line[strcspn(line, "\n")] = '\0';
		memset(&info, 0, sizeof(info));
		snprintf(info.name, sizeof(info.name), "%.31s", line);
		if (getsockopt(fd, level, IPT_SO_GET_INFO, &info, &len) < 0) {
			perror("capture: GET_INFO");
			return 1;
		}
		e = calloc(1, start + info.size);
		memcpy(e->name, info.name, sizeof(e->name));
		e->size = info.size;
		len = (socklen_t)(start + info.size);
		if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, e, &len) < 0) {
			perror("capture: GET_ENTRIES");
			return 1;
		}
		snprintf(path, sizeof(path), "%s.%s.info", prefix, line);
		save(path, &info, sizeof(info));
		snprintf(path, sizeof(path), "%s.%s.entries", prefix, line);
		save(path, (char *)e + start, info.size);
		free(e);
	}
	fclose(f);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nft") == 0)
		return capture_nft(argv[2], NULL, 32768);
	if (argc > 3 && strcmp(argv[1], "nft-changed") == 0)
		return capture_nft(argv[2], argv + 3, 4096);
	if (argc == 4 && strcmp(argv[1], "legacy") == 0)
		return capture_legacy(strcmp(argv[2], "ip6") == 0 ? AF_INET6 : AF_INET, argv[3]);
	fprintf(stderr,
		"usage: capture nft FILE | capture nft-changed FILE CMD... | capture legacy "
		"ip|ip6 PREFIX\n");
	return 2;
}
