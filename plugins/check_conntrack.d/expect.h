/*
 * The expectation table (connections announced by helpers such as FTP and SIP): its size against
 * nf_conntrack_expect_max, from a bounded netlink dump or the kernel's own create/delete counters.
 */
#ifndef CT_EXPECT_H
#define CT_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mp.h"

#define CT_EXPECT_CAP 1000000u /* expectations counted at most by a dump */
#define CT_EXPECT_HELPERS 8 /* helper names told apart; the rest is "other" */

struct mnl_socket;
struct ct_threshold;

/* How many expectations each helper made (from the dump only). */
struct ct_expect_helper {
	char name[32];
	uint64_t count;
};

struct ct_expect {
	int count_rc; /* 0, or -errno: cannot tell (count_why says why) */
	uint64_t count;
	const char *source; /* "netlink dump" (the table itself) or "stat file counters" */
	char count_why[320];
	int max_rc; /* 0, or -errno: cannot tell (max_why) */
	uint64_t max;
	char max_why[320];
	struct ct_expect_helper helper[CT_EXPECT_HELPERS];
	size_t helpers;
	uint64_t other_helpers; /* expectations of helpers past the table */
};

/* nf_conntrack_expect_max from <procfs>/sys/net/netfilter. Returns max_rc. */
int ct_expect_read_max(const char *procfs, struct ct_expect *e);

/*
 * Count this namespace's expectations with an IPCTNL_MSG_EXP_GET dump on *nl (CAP_NET_ADMIN),
 * bounded by CT_EXPECT_CAP and the deadline (CLOCK_MONOTONIC, NULL: none); also counts them per
 * helper. Returns count_rc: 0, or -errno with count_why (-EPERM without CAP_NET_ADMIN). A dump cut
 * short closes *nl and sets it to NULL, as ct_dump_run does.
 */
int ct_expect_count_netlink(struct mnl_socket **nl, const struct timespec *deadline,
			    struct ct_expect *e);

/*
 * Count them from the kernel's per-CPU counters in <procfs>/net/stat/nf_conntrack, readable by
 * anyone: every expectation the kernel inserts counts in expect_create, every one it unlinks
 * (used, timed out, its master gone, evicted) in expect_delete, so their difference is the table's
 * size. Returns count_rc.
 */
int ct_expect_count_statfile(const char *procfs, struct ct_expect *e);

/* The same from an already parsed stat file (struct ct_counters), for callers that read it. */
struct ct_counters;
int ct_expect_count_from_counters(const struct ct_counters *c, struct ct_expect *e);

/* The dump parser, for unit tests and fuzzing on recorded bytes; as ct_composition_parse. */
int ct_expect_parse(const void *buf, size_t len, struct ct_expect *e, char *err, size_t errlen);

/* The verdict on the expectation table, and what its perfdata item carries. */
struct ct_expect_verdict {
	int state; /* OK, WARNING, CRITICAL; UNKNOWN when a threshold asks what cannot be told */
	bool have_pct;
	double pct; /* count / max x 100 */
	bool have_warn, have_crit;
	struct mp_range warn, crit; /* on the count scale, percent thresholds converted */
};

/*
 * --expect-warning / --expect-critical as -w/-c: a range on the count, or on the percentage of
 * nf_conntrack_expect_max when it ended in '%'. Either may be NULL or not set.
 */
void ct_expect_evaluate(const struct ct_expect *e, const struct ct_threshold *warn,
			const struct ct_threshold *crit, struct ct_expect_verdict *v);

/* "expect=N;W;C;0;MAX" (nothing when the count is not known; MAX left out when unknown). */
void ct_expect_perfdata(const struct ct_expect *e, const struct ct_expect_verdict *v,
			struct mp_buf *perf);

/*
 * The expect: line (no prefix, no newline): "3 of 4096 expectations (0.1%, netlink dump): ftp 3",
 * or what could not be told and why.
 */
void ct_expect_phrase(const struct ct_expect *e, const struct ct_expect_verdict *v,
		      struct mp_buf *out);

/* The summary fragment when the state is not OK: "expectation table 95.0% full (3891 of 4096)". */
bool ct_expect_summary(const struct ct_expect *e, const struct ct_expect_verdict *v,
		       struct mp_buf *out);

#endif
