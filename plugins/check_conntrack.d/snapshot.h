/* The data that flows through the plugin: config in, snapshot from the collectors, verdict out. */
#ifndef CT_SNAPSHOT_H
#define CT_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "mp.h"

#define CT_SERVICE "CONNTRACK"
#define CT_PLUGIN "check_conntrack"

/* A -w/-c argument: a range on the entry count, or on utilization when it ended in '%'. */
struct ct_threshold {
	bool set;
	bool percent;
	struct mp_range range;
};

struct ct_config {
	struct ct_threshold warn, crit;
	int missing_state; /* state when connection tracking is not active */
	const char *procfs;
	const char *sysfs;
	unsigned timeout;
	int verbose;
};

/* What /proc says about the table of one network namespace. */
struct ct_proc {
	bool active; /* the count file exists: connection tracking is loaded */
	uint64_t entries;
	uint64_t max; /* 0: no limit */
	uint64_t buckets;
	bool have_buckets;
	const char *layout;     /* "nf_conntrack", "nf_conntrack (net.nf_conntrack_max)", "ip_conntrack" */
	const char *sysctl_key; /* the key that sets the limit on this kernel */
};

/* Everything the collectors found, for evaluation and rendering. No collector prints. */
struct ct_snapshot {
	int verbose;          /* how much of the trace to keep */
	struct mp_buf trace;  /* -v lines: which files were read and why */
	int proc_rc;          /* 0, -ENOENT (not active), other -errno: unreadable or garbage */
	char proc_err[320];   /* one-line reason when proc_rc < 0 */
	struct ct_proc proc;
};

/* The verdict. */
struct ct_result {
	int state;
	bool have_utilization;
	double utilization;
};

/* procfs.c */
int ct_procfs_read(const char *procfs, struct ct_snapshot *snap);
int ct_read_u64(const char *path, uint64_t *value, char *err, size_t errlen);
void ct_note(struct ct_snapshot *snap, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* evaluate.c */
struct ct_result ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap);

/* render.c */
void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res);

#endif
