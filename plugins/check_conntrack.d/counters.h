/* Kernel connection-tracking statistics counters, as read from ctnetlink or the stat file. */
#ifndef CT_COUNTERS_H
#define CT_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One name per counter, the kernel's own (struct ip_conntrack_stat / CTA_STATS_*, lower case).
 * The stat file calls some of them differently: icmp_error -> error, clashres -> clash_resolve,
 * chainlength -> chaintoolong. These names are the perfdata labels: never rename them.
 */
enum ct_counter {
	CT_SEARCHED,
	CT_FOUND,
	CT_NEW,
	CT_INVALID,
	CT_IGNORE,
	CT_DELETE,
	CT_DELETE_LIST,
	CT_INSERT,
	CT_INSERT_FAILED,
	CT_DROP,
	CT_EARLY_DROP,
	CT_ERROR,
	CT_SEARCH_RESTART,
	CT_CLASH_RESOLVE,
	CT_CHAINTOOLONG,
	CT_COUNTER_MAX
};

extern const char *const ct_counter_names[CT_COUNTER_MAX];

struct ct_counters {
	uint64_t value[CT_COUNTER_MAX]; /* summed over CPUs */
	uint32_t present; /* bit (1u << counter) set when this kernel has it */
	/*
	 * Stat file only: expectations created and deleted, summed over CPUs. Each per-CPU
	 * counter is 32 bits, so their difference modulo 2^32 is the expectation table's size.
	 */
	uint64_t expect_create, expect_delete;
	bool have_expect;
	/* Pre-5.10 stat-file layout: insert_failed also counts clashes the kernel resolved. */
	bool insert_failed_counts_clashes;
	const char *source; /* "netlink" or "stat file", static string */
};

/* Index of a counter by kernel name (also accepts the stat-file aliases), or -1. */
int ct_counter_by_name(const char *name);

/*
 * /proc/net/stat/nf_conntrack. Parse the text by its header names; hex values; summed over CPU
 * lines. The entries column (the same namespace total on every line) is checked, not kept: the
 * entries come from /proc. Columns the kernel prints as fixed zeros for its layout are not marked
 * present. Returns 0, or -EINVAL with a one-line reason in err.
 */
int ct_statfile_parse(const char *text, size_t len, struct ct_counters *out, char *err,
		      size_t errlen);
/* Read and parse a stat file path. -ENOENT (or other -errno) when it cannot be read. */
int ct_statfile_read(const char *path, struct ct_counters *out, char *err, size_t errlen);

/*
 * ctnetlink, through libmnl, in the caller's current network namespace. ct_netlink_read sends the
 * IPCTNL_MSG_CT_GET_STATS_CPU dump request on an open NETLINK_NETFILTER socket and fills out's
 * counters (not entries: those come from /proc). Returns 0, or -errno (-EPERM without
 * CAP_NET_ADMIN) with a reason in err.
 */
struct mnl_socket;
int ct_netlink_read(struct mnl_socket *nl, struct ct_counters *out, char *err, size_t errlen);
/*
 * The dump parser behind it, for unit tests on recorded bytes: buf holds one or more netlink
 * messages as received. Returns 0 (more to come), 1 (done: NLMSG_DONE), or -errno (NLMSG_ERROR,
 * truncated or malformed) with a reason in err.
 */
int ct_netlink_parse_stats_cpu(const void *buf, size_t len, struct ct_counters *out, char *err,
			       size_t errlen);
/*
 * IPCTNL_MSG_CT_GET_STATS on an open NETLINK_NETFILTER socket: the entry count of the caller's
 * current namespace and the limit (the host's), as the sysctl files give them, in one request.
 * Returns 0, or -errno with a reason in err (-ENODATA: a reply without both).
 * ct_netlink_parse_count is its parser, for unit tests on recorded or made-up bytes.
 */
int ct_netlink_read_count(struct mnl_socket *nl, uint64_t *entries, uint64_t *max, char *err,
			  size_t errlen);
int ct_netlink_parse_count(const void *buf, size_t len, uint64_t *entries, uint64_t *max, char *err,
			   size_t errlen);

#endif
