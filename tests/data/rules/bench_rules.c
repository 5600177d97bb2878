/*
 * Test tool, not part of the plugin: reads the live rules of the current namespace with the rules
 * module, prints what it found and the mean time per call. Run by tests/data/rules/bench.sh:
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Icommon -Iplugins/check_conntrack.d -o /tmp/bench_rules \
 *      tests/data/rules/bench_rules.c plugins/check_conntrack.d/rules*.c $(pkg-config --libs
 * libmnl) ip netns exec NS /tmp/bench_rules [iterations [nft|legacy|all]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "rules.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, const struct ct_rules *r, int rc, const char *err, double t,
		   int n)
{
	printf("%-22s rc=%d rules=%zu state=%u tracking=%u notrack=%u  %.3f ms/call%s%s\n", what,
	       rc, r->n, r->state_rules, r->tracking_rules, r->notrack_rules, t * 1e3 / n,
	       err[0] ? "  " : "", err);
}

int main(int argc, char **argv)
{
	int iter = argc > 1 ? atoi(argv[1]) : 10, i, rc = 0;
	const char *mode = argc > 2 ? argv[2] : "all";
	int nft = strcmp(mode, "legacy") != 0, legacy = strcmp(mode, "nft") != 0;
	struct ct_rules r = {0};
	char err[128] = "";
	double t;

	if (iter < 1)
		iter = 1;
	t = now();
	for (i = 0; nft && i < iter; i++) {
		struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

		ct_rules_free(&r);
		r = (struct ct_rules){0};
		if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			perror("netlink");
			return 1;
		}
		rc = ct_rules_nft(nl, &r, err, sizeof(err));
		mnl_socket_close(nl);
	}
	if (nft)
		report("nftables", &r, rc, err, now() - t, iter);
	if (!legacy)
		goto out;

	t = now();
	for (i = 0; i < iter; i++) {
		ct_rules_free(&r);
		r = (struct ct_rules){0};
		err[0] = '\0';
		rc = ct_rules_legacy(AF_INET, "/proc", &r, err, sizeof(err));
	}
	report("iptables-legacy ip", &r, rc, err, now() - t, iter);

	t = now();
	for (i = 0; i < iter; i++) {
		ct_rules_free(&r);
		r = (struct ct_rules){0};
		err[0] = '\0';
		rc = ct_rules_legacy(AF_INET6, "/proc", &r, err, sizeof(err));
	}
	report("iptables-legacy ip6", &r, rc, err, now() - t, iter);
	if (r.n)
		printf("  first: %s %s %s %s #%llu kinds=%u what=%s\n", r.list[0].backend,
		       r.list[0].family, r.list[0].table, r.list[0].chain,
		       (unsigned long long)r.list[0].handle, r.list[0].kinds, r.list[0].what);

	err[0] = '\0';
	rc = ct_rules_holders("/proc", "/sys", &r, err, sizeof(err));
	printf("holders                rc=%d have_holders=%d holders='%s'%s%s\n", rc,
	       r.have_holders, r.holders, err[0] ? "  " : "", err);
out:
	ct_rules_free(&r);
	return 0;
}
