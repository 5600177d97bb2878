/*
 * Test tool for tests/kernel/composition.t and tests/bench/composition.sh (not part of the
 * plugin): runs the composition, timeouts and expectation collectors of plugins/check_conntrack.d
 * in the current network namespace and prints their lines, so that a suite can hold the
 * collectors alone against conntrack -L and the kernel's own files (the plugin's own runs are in
 * the same suites).
 *
 *   compose_probe [-c CAP] [-t MS] [-v N] composition   the lines, then a cost line
 *   compose_probe [-c CAP] classes       one "class NAME COUNT" line per class, then "sampled N"
 *   compose_probe [-p PROCFS] [-c CAP] timeouts   the timeouts: line, after a composition sample
 *   compose_probe [-p PROCFS] expect     the count by dump and by stat file, the line, perfdata
 *   compose_probe reuse                  a sample cut short, then a counters read and a whole
 *                                        dump on a fresh socket
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "composition.h"
#include "counters.h"
#include "expect.h"
#include "procfs.h"
#include "snapshot.h"
#include "timeouts.h"

static struct mnl_socket *open_nl(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		exit(1);
	}
	return nl;
}

static uint64_t entries(const char *procfs)
{
	char path[512], err[256];
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/sys/net/netfilter/nf_conntrack_count", procfs);
	if (ct_read_u64(path, &n, err, sizeof(err)) < 0)
		fprintf(stderr, "%s\n", err);
	return n;
}

static const char *end_names[] = {"whole", "cap", "deadline"};

static int sample(struct ct_composition *c, unsigned cap, int ms, bool addresses)
{
	struct mnl_socket *nl = open_nl();
	struct timespec deadline;
	char err[320] = "";
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	ct_composition_init(c, cap, addresses);
	rc = ct_composition_read(&nl, &deadline, c, err, sizeof(err));
	if (nl)
		mnl_socket_close(nl);
	if (rc < 0)
		printf("composition: cannot tell (%s)\n", err);
	return rc;
}

static int composition(unsigned cap, int ms, int verbose, const char *procfs)
{
	struct ct_composition c;
	struct mp_buf b = {0};
	struct rusage ru;
	uint64_t n = entries(procfs);

	if (sample(&c, cap, ms, verbose >= 2) < 0)
		return 3;
	ct_composition_phrase(&c, n, &b);
	printf("composition: %s\n", mp_buf_str(&b));
	mp_buf_free(&b);
	ct_composition_lines(&c, verbose, &b);
	printf("%s", mp_buf_str(&b));
	mp_buf_free(&b);
	getrusage(RUSAGE_SELF, &ru);
	printf("cost: sampled=%u end=%s seconds=%.4f datagrams=%zu maxrss_kb=%ld struct_bytes=%zu\n",
	       c.sampled, end_names[c.end], c.seconds, c.datagrams, ru.ru_maxrss, sizeof(c));
	return 0;
}

static int classes(unsigned cap, int ms)
{
	struct ct_composition c;
	char name[48];

	if (sample(&c, cap, ms, false) < 0)
		return 3;
	for (int p = 0; p < CT_P_MAX; p++) {
		for (int s = 0; s < CT_CLASS_SUB; s++) {
			struct ct_class cls = {(enum ct_proto)p, s};

			if (!c.cls[p][s])
				continue;
			printf("class %s %u\n", ct_class_name(&cls, name, sizeof(name)), c.cls[p][s]);
		}
	}
	printf("sampled %u end %s seconds %.4f\n", c.sampled, end_names[c.end], c.seconds);
	return 0;
}

static int timeouts(unsigned cap, int ms, const char *procfs)
{
	struct ct_composition c;
	struct ct_timeouts t;
	struct mp_buf b = {0};

	ct_timeouts_read(procfs, &t);
	if (sample(&c, cap, ms, false) < 0)
		return 3;
	ct_timeouts_phrase(&t, &c, &b);
	printf("timeouts: %s\n", mp_buf_str(&b));
	mp_buf_free(&b);
	if (ct_timeouts_summary(&t, &c, &b))
		printf("summary: %s\n", mp_buf_str(&b));
	mp_buf_free(&b);
	ct_timeouts_phrase(&t, NULL, &b);
	printf("timeouts (no sample): %s\n", mp_buf_str(&b));
	mp_buf_free(&b);
	return 0;
}

static int expect(const char *procfs)
{
	struct ct_expect e, s;
	struct ct_expect_verdict v;
	struct mnl_socket *nl = open_nl();
	struct mp_buf b = {0}, perf = {0};

	memset(&e, 0, sizeof(e));
	ct_expect_read_max(procfs, &e);
	s = e;
	ct_expect_count_netlink(&nl, NULL, &e);
	if (nl)
		mnl_socket_close(nl);
	ct_expect_count_statfile(procfs, &s);
	printf("dump: %d %llu\n", e.count_rc, (unsigned long long)e.count);
	printf("statfile: %d %llu\n", s.count_rc, (unsigned long long)s.count);
	ct_expect_evaluate(&e, NULL, NULL, &v);
	ct_expect_phrase(&e, &v, &b);
	ct_expect_perfdata(&e, &v, &perf);
	printf("expect: %s\nperfdata: %s\n", mp_buf_str(&b), mp_buf_str(&perf));
	mp_buf_free(&b);
	mp_buf_free(&perf);
	ct_expect_evaluate(&s, NULL, NULL, &v);
	ct_expect_phrase(&s, &v, &b);
	printf("expect: %s\n", mp_buf_str(&b));
	mp_buf_free(&b);
	return 0;
}

/* A dump cut short must leave nothing behind: the next requests on a fresh socket succeed. */
static int reuse(void)
{
	struct ct_composition c, whole;
	struct ct_counters k;
	struct mnl_socket *nl = open_nl();
	char err[320] = "";
	int rc;

	ct_composition_init(&c, 10, false);
	rc = ct_composition_read(&nl, NULL, &c, err, sizeof(err));
	printf("first: rc=%d sampled=%u end=%s socket=%s\n", rc, c.sampled, end_names[c.end],
	       nl ? "open" : "closed");
	if (nl)
		mnl_socket_close(nl);
	nl = open_nl();
	rc = ct_netlink_read(nl, &k, err, sizeof(err));
	printf("counters: rc=%d %s\n", rc, rc ? err : "read");
	ct_composition_init(&whole, CT_COMPOSITION_CAP_MAX, false);
	rc = ct_composition_read(&nl, NULL, &whole, err, sizeof(err));
	printf("second: rc=%d sampled=%u end=%s socket=%s %s\n", rc, whole.sampled,
	       end_names[whole.end], nl ? "open" : "closed", rc ? err : "");
	if (nl)
		mnl_socket_close(nl);
	return 0;
}

int main(int argc, char **argv)
{
	const char *procfs = "/proc";
	unsigned cap = 0;
	int ms = 10000, verbose = 1, opt;

	while ((opt = getopt(argc, argv, "c:t:v:p:")) != -1) {
		if (opt == 'c')
			cap = (unsigned)strtoul(optarg, NULL, 10);
		else if (opt == 't')
			ms = atoi(optarg);
		else if (opt == 'v')
			verbose = atoi(optarg);
		else if (opt == 'p')
			procfs = optarg;
		else
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	if (strcmp(argv[optind], "composition") == 0)
		return composition(cap, ms, verbose, procfs);
	if (strcmp(argv[optind], "classes") == 0)
		return classes(cap, ms);
	if (strcmp(argv[optind], "timeouts") == 0)
		return timeouts(cap, ms, procfs);
	if (strcmp(argv[optind], "expect") == 0)
		return expect(procfs);
	if (strcmp(argv[optind], "reuse") == 0)
		return reuse();
	return 2;
}
