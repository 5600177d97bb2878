/*
 * The benchmark's bound on reading rules: one process that only asks the kernel for them and
 * looks at nothing, so whatever a checker does on top (parsing, classifying) is not in it.
 *
 *   fetch nft      NFT_MSG_GETRULE dump of every family, the datagrams received and dropped
 *   fetch legacy   IPT_SO_GET_INFO + IPT_SO_GET_ENTRIES of every table in ip_tables_names, into
 *                  memory laid out as the plugin lays it out
 *
 * Prints the bytes the kernel handed over.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>

static long fetch_nft(void)
{
	static char buf[32768];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	unsigned seq = (unsigned)time(NULL);
	long total = 0;
	int ret = MNL_CB_OK;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while (ret > MNL_CB_STOP) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0)
			return -1;
		total += n;
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL);
	}
	mnl_socket_close(nl);
	return ret < 0 ? -1 : total;
}

/* The copy's memory as the plugin gets it: prefaulted, on huge pages from 2 MiB. */
static void *blob(size_t size)
{
	const size_t huge = (size_t)2 << 20;
	char *map, *at;

	if (size < huge) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		return map == MAP_FAILED ? NULL : map;
	}
	map = mmap(NULL, size + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	at = (char *)(((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(at, size, MADV_HUGEPAGE);
	madvise(at, size, MADV_POPULATE_WRITE);
	return at;
}

static long fetch_legacy(void)
{
	char names[1024], *name, *save = NULL;
	FILE *f = fopen("/proc/net/ip_tables_names", "re");
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	size_t got;
	long total = 0;

	if (!f || fd < 0)
		return -1;
	got = fread(names, 1, sizeof(names) - 1, f);
	fclose(f);
	names[got] = '\0';
	for (name = strtok_r(names, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		struct ipt_getinfo info = {0};
		struct ipt_get_entries *e;
		socklen_t len = sizeof(info);
		size_t size;

		snprintf(info.name, sizeof(info.name), "%s", name);
		if (getsockopt(fd, SOL_IP, IPT_SO_GET_INFO, &info, &len) < 0)
			return -1;
		size = sizeof(*e) + info.size;
		e = blob(size);
		if (!e)
			return -1;
		memcpy(e->name, info.name, sizeof(e->name));
		e->size = info.size;
		len = (socklen_t)size;
		if (getsockopt(fd, SOL_IP, IPT_SO_GET_ENTRIES, e, &len) < 0)
			return -1;
		total += (long)info.size;
		/* Left mapped: the process ends right after. */
	}
	return total;
}

int main(int argc, char **argv)
{
	long n = -1;

	if (argc == 2 && strcmp(argv[1], "nft") == 0)
		n = fetch_nft();
	else if (argc == 2 && strcmp(argv[1], "legacy") == 0)
		n = fetch_legacy();
	if (n < 0) {
		fputs("usage: fetch nft|legacy (as root); or the kernel refused\n", stderr);
		return 3;
	}
	printf("%ld bytes\n", n);
	return 0;
}
