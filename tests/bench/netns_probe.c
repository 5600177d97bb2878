/*
 * The benchmark's "namespace scan alone": one process that finds every network namespace as
 * --netns=all does (plugins/check_conntrack.d/netns.c: /run/netns, then every /proc/PID/ns/net)
 * and enters none, so that the scan's cost per process stands apart from each namespace's
 * checks. Prints how many namespaces it found, and the time the scan took inside the process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

int main(void)
{
	struct ct_ns_target *t = NULL;
	struct ct_netns_scan scan;
	char err[320] = "";
	struct timespec a, b;
	size_t n = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = ct_netns_targets("all", "/proc", &t, &n, &scan, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);

	for (size_t i = 0; i < n; i++)
		if (t[i].fd >= 0)
			close(t[i].fd);
	free(t);
	if (rc < 0) {
		printf("NETNS UNKNOWN - %s\n", err);
		return 3;
	}
	printf("NETNS OK - %zu namespaces in %.1f ms\n", n,
	       (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}
