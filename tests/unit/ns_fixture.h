/* A namespace whose table was read, for the evaluation tests; counters and rules as cases set them.
 */
#ifndef CT_TEST_NS_FIXTURE_H
#define CT_TEST_NS_FIXTURE_H

#include <errno.h>
#include <stdio.h>

#include "snapshot.h"

/* entries of max, buckets (0: not read); no counter source, every rules backend read whole. */
static inline struct ct_ns ct_test_ns(const char *label, uint64_t entries, uint64_t max,
				      uint64_t buckets)
{
	struct ct_ns ns = {0};

	snprintf(ns.label, sizeof(ns.label), "%s", label);
	ns.inode = 4026531840u + entries;
	ns.proc.active = true;
	ns.proc.entries = entries;
	ns.proc.max = max;
	ns.proc.buckets = buckets;
	ns.proc.have_buckets = buckets > 0;
	ns.proc.layout = "nf_conntrack";
	ns.proc.sysctl_key = "net.netfilter.nf_conntrack_max";
	ns.counters_rc = -ENOENT;
	snprintf(ns.counters_why, sizeof(ns.counters_why), "no source");
	for (int b = 0; b < CT_BACKENDS; b++)
		ns.rules.read[b] = CT_READ_DONE;
	return ns;
}

#endif
