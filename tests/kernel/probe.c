/*
 * Test driver for the subcheck modules not yet wired into the plugin (forecast, owners, hash,
 * memory, boot): each subcommand reads the real kernel of the current namespace (or the named
 * ones) the way the plugin's collectors do and prints the module's phrases, for the kernel
 * suites. Built by them against libcheck.a; not installed.
 *
 *   probe forecast RINGFILE NOW      push this namespace's count at time NOW into the ring kept
 *                                    in RINGFILE (a state file), print the forecast
 *   probe hash [CHAINTOOLONG]        hash health; with the previous chaintoolong, its change
 *   probe memory NAME...             entries summed over the namespaces /run/netns/NAME
 *   probe owners                     who wrote this namespace's rules, objects and sets
 *                                    (nftables and legacy)
 *   probe boot ROOT                  what brings tracking back at boot under ROOT
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "boot.h"
#include "forecast.h"
#include "hash.h"
#include "memory.h"
#include "owners.h"
#include "netns.h"
#include "procfs.h"
#include "snapshot.h"

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "probe: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 2;
}

static int read_table(struct ct_ns *ns)
{
	struct ct_trace trace = {0};
	int rc = ct_procfs_read("/proc", &trace, ns);

	ct_trace_free(&trace);
	return rc;
}

static int forecast(const char *file, const char *now_text)
{
	struct ct_ns ns = {0};
	struct mp_store_record st = {.n = 0};
	struct ct_fc_ring r = {0};
	struct ct_forecast f;
	char text[8192], buf[512], why[128] = "";
	uint64_t now = strtoull(now_text, NULL, 10), ttf;
	size_t len = 0;
	FILE *fp;
	int n;

	if (read_table(&ns) < 0)
		return fail("cannot read the table: %s", ns.err);
	fp = fopen(file, "r");
	if (fp) {
		len = fread(text, 1, sizeof(text), fp);
		fclose(fp);
		if (mp_store_parse(text, len, &st, NULL, 0) < 0 || ct_fc_ring_load(&r, &st) < 0)
			return fail("%s holds no ring", file);
	}
	ct_fc_push(&r, now, ns.proc.entries, ns.proc.max, why, sizeof(why));
	f = ct_forecast(&r, now, ns.proc.entries, ns.proc.max);
	memset(&st, 0, sizeof(st));
	snprintf(st.boot_id, sizeof(st.boot_id), "0");
	st.time = (time_t)now;
	if (ct_fc_ring_save(&r, &st) < 0 || (n = mp_store_format(&st, text, sizeof(text))) < 0)
		return fail("cannot save the ring to %s", file);
	fp = fopen(file, "w");
	if (!fp || fwrite(text, 1, (size_t)n, fp) != (size_t)n || fclose(fp) != 0)
		return fail("cannot write %s", file);
	if (why[0])
		printf("ring: %s\n", why);
	ct_forecast_line(&f, buf, sizeof(buf));
	printf("%s\n", buf);
	ct_forecast_summary(&f, false, buf, sizeof(buf));
	printf("summary: %s\n", buf);
	if (ct_forecast_time_to_full(&f, &ttf))
		printf("perfdata: time_to_full=%" PRIu64 "s\n", ttf);
	return 0;
}

static int hash(const char *previous)
{
	struct ct_ns ns = {0};
	struct ct_counters c;
	struct ct_hash_input in;
	struct ct_hash h;
	char err[256], buf[1024];
	bool have_c;

	if (read_table(&ns) < 0)
		return fail("cannot read the table: %s", ns.err);
	have_c = ct_statfile_read("/proc/net/stat/nf_conntrack", &c, err, sizeof(err)) == 0;
	in = (struct ct_hash_input){
		.max = ns.proc.max,
		.buckets = ns.proc.have_buckets ? ns.proc.buckets : 0,
		.entries = ns.proc.entries,
		.have_chaintoolong = have_c && (c.present & (1u << CT_CHAINTOOLONG)),
	};
	if (in.have_chaintoolong && previous) {
		in.have_delta = true;
		in.chaintoolong_delta = c.value[CT_CHAINTOOLONG] - strtoull(previous, NULL, 10);
	}
	h = ct_hash_assess(&in);
	ct_hash_line(&h, buf, sizeof(buf));
	printf("%s\n", buf);
	if (in.have_chaintoolong)
		printf("chaintoolong: %" PRIu64 "\n", c.value[CT_CHAINTOOLONG]);
	if (ct_hash_advice(&h, buf, sizeof(buf)) > 0)
		printf("advice: %s\n", buf);
	return 0;
}

static int memory(int argc, char **argv)
{
	struct ct_memory_ns ns[64];
	struct ct_memory m;
	uint64_t size = 0, max = 0;
	char buf[1024], err[256];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), n = 0;
	FILE *fp;

	for (int i = 0; i < argc && n < 64; i++, n++) {
		struct ct_ns_target *t;
		struct ct_ns one = {0};
		struct ct_netns_scan scan = {0};
		size_t k;

		ns[n].read = false;
		if (ct_netns_targets(argv[i], "/proc", &t, &k, &scan, err, sizeof(err)) < 0 ||
		    k != 1)
			continue;
		if (setns(t[0].fd, CLONE_NEWNET) == 0 && read_table(&one) == 0) {
			ns[n].read = true;
			ns[n].entries = one.proc.entries;
			max = one.proc.max;
		}
		close(t[0].fd);
		free(t);
		if (setns(self, CLONE_NEWNET) < 0)
			return fail("cannot return to %s", "our namespace");
	}
	fp = fopen("/sys/kernel/slab/nf_conntrack/object_size", "r");
	if (fp) {
		if (fscanf(fp, "%" SCNu64, &size) != 1)
			size = 0;
		fclose(fp);
	}
	m = ct_memory_sum(ns, (size_t)n, max, size);
	ct_memory_line(&m, buf, sizeof(buf));
	printf("%s\nperfdata: entries_total=%" PRIu64 "\n", buf, m.entries_total);
	return 0;
}

static int owners(void)
{
	struct ct_rules r = {.keep = CT_RULES_LISTED};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char err[256], buf[1024];

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return fail("cannot open %s", "a netfilter netlink socket");
	if (ct_rules_nft(nl, 2500, &r, NULL, err, sizeof(err)) < 0)
		return fail("nftables: %s", err);
	mnl_socket_close(nl);
	if (ct_rules_legacy(AF_INET, "/proc", &r, err, sizeof(err)) < 0 ||
	    ct_rules_legacy(AF_INET6, "/proc", &r, err, sizeof(err)) < 0)
		return fail("iptables-legacy: %s", err);
	printf("rules: %zu tracking, %zu kept\n", r.total[0], r.n);
	/* The same read's counts by what forces tracking: the rules module counts both at once. */
	printf("items: %u rules, %u objects, %u sets\n", r.tracking_items[CT_ITEM_RULE],
	       r.tracking_items[CT_ITEM_OBJECT], r.tracking_items[CT_ITEM_SET]);
	ct_owner_line(r.owners, r.tracking_owners, buf, sizeof(buf));
	printf("%s\n", buf[0] ? buf : "owner: none recognised");
	for (int o = 0; o < CT_OWNER_MAX; o++)
		if (r.owners & (1u << o))
			printf("advice: %s\n", ct_owner_advice(o));
	ct_rules_free(&r);
	return 0;
}

static int boot(const char *root)
{
	struct ct_boot b;
	struct ct_ns ns = {0};
	char buf[8192];
	int active = read_table(&ns) == 0 ? 1 : ns.proc_rc == -ENOENT ? 0 : -1;

	ct_boot_scan(root, &b);
	ct_boot_lines(&b, active, ns.proc.have_buckets ? ns.proc.buckets : 0, buf, sizeof(buf));
	printf("%s", buf);
	ct_boot_summary(&b, active, buf, sizeof(buf));
	printf("summary: %s\n", buf);
	for (size_t i = 0; i < b.n; i++)
		if (ct_boot_advice(&b.item[i], buf, sizeof(buf)) > 0)
			printf("advice: %s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "forecast") == 0)
		return forecast(argv[2], argv[3]);
	if (argc >= 2 && strcmp(argv[1], "hash") == 0)
		return hash(argc > 2 ? argv[2] : NULL);
	if (argc >= 3 && strcmp(argv[1], "memory") == 0)
		return memory(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "owners") == 0)
		return owners();
	if (argc == 3 && strcmp(argv[1], "boot") == 0)
		return boot(argv[2]);
	fprintf(stderr, "usage: probe forecast FILE NOW | hash [PREV] | memory NAME... | owners | "
			"boot ROOT\n");
	return 2;
}
