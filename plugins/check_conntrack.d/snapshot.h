/*
 * What the collectors found, one snapshot per run: the data types only. Collection fills it,
 * retention adds what changed since the last run, evaluation reads it.
 */
#ifndef CT_SNAPSHOT_H
#define CT_SNAPSHOT_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "boot.h"
#include "counters.h"
#include "forecast.h"
#include "rules.h"
#include "retention_store.h"
#include "sysctl.h"
#include "trace.h"

/* What /proc says about the table of one network namespace. */
struct ct_proc {
	bool active; /* the count file exists: connection tracking is loaded */
	uint64_t entries;
	uint64_t max; /* 0: no limit */
	uint64_t buckets;
	bool have_buckets;
	const char *layout; /* "nf_conntrack" or "ip_conntrack" */
	const char *sysctl_key; /* the key that sets the limit on this kernel */
};

/* How the counters compare with the previous run's. */
enum ct_retention {
	CT_RET_NONE, /* no counters, or state retention failed: nothing to compare */
	CT_RET_BASELINE, /* first run, reboot, counter went backwards or state unreadable */
	CT_RET_DELTA, /* delta[] and seconds are valid */
};

/*
 * A look inside a namespace's table during collection (collect_table.c): the expectation table,
 * a composition sample when the table is under pressure (or with -v), the timeouts. NULL where
 * not taken.
 */
struct ct_expect;
struct ct_composition;
struct ct_timeouts;
struct ct_inside {
	struct ct_expect *expect;
	struct ct_composition *composition;
	struct ct_timeouts *timeouts;
	bool pressure; /* under pressure when collected: the summary names the composition */
	int sample_rc; /* 0, or -errno: the sample was asked for and failed (why) */
	char why[320]; /* why it was sampled ("at the warning threshold"), or why not, or the error
			*/
};

/* Everything known about one network namespace. */
struct ct_ns {
	char label[128]; /* "host", a /run/netns name, a path, or one of nsname.h */
	uint64_t inode; /* of the namespace: its identity in this run */
	uint64_t cookie; /* SO_NETNS_COOKIE, 0 if none: names its state (inodes are reused) */
	int enter_rc; /* 0, or -errno: could not enter it (nothing else is valid) */
	int proc_rc; /* 0, -ENOENT (not active), other -errno: unreadable or garbage */
	char err[320]; /* one-line reason when enter_rc or proc_rc < 0 */
	struct ct_proc proc;
	int counters_rc; /* 0, or -errno: no source answered */
	char counters_why[320];
	struct ct_counters counters;
	enum ct_retention retention;
	char retention_note[320];
	uint64_t delta[CT_COUNTER_MAX];
	double seconds; /* since the previous run */
	/* The previous run's entries and limit, kept with its counters (with CT_RET_DELTA). */
	bool have_prev;
	uint64_t prev_entries, prev_max;
	struct ct_rules rules;
	/* This check's baseline (its previous run's record), read once under the lock. */
	bool baseline_read;
	int baseline_rc; /* 0; -ENOENT: none yet; other -errno (baseline_err) */
	char baseline_err[256];
	struct mp_store_record baseline;
	/* The forecast's samples, kept with the counters (retention.c). */
	bool fc_kept; /* fc_ring is this check's own, as of fc_now: the forecast may use it */
	uint64_t fc_now; /* this run's time: the window's newest sample */
	char fc_note[200]; /* why there are no samples, or what happened to them */
	int fc_note_level; /* 0: always said; 1: with -v (a sample not kept, too soon after one) */
	struct ct_fc_ring fc_ring;
	struct ct_inside inside;
};

/* What boot will apply to the limit, against the running value (host-wide). */
struct ct_persistence {
	bool checked;
	int rc; /* ct_sysctl_boot_value's: < 0 when some file could not be read (cannot tell) */
	char err[256];
	struct ct_sysctl_setting boot;
	bool mismatch; /* boot sets a value that is not the running one (all files read) */
	bool refused; /* ... one the kernel refuses: the configured limit is never applied */
	uint64_t object_size; /* bytes per entry (slab), 0 if unknown */
};

/* Persistence was looked at, but a file that could not be read leaves it undecided. */
static inline bool ct_persistence_unknown(const struct ct_persistence *p)
{
	return p->checked && p->rc < 0;
}

/* The namespace's table was read: entries and limit are valid. */
static inline bool ct_ns_read(const struct ct_ns *ns)
{
	return ns->enter_rc == 0 && ns->proc_rc == 0;
}

/* It could not be checked (not entered, or /proc unreadable); "not active" is not a failure. */
static inline bool ct_ns_failed(const struct ct_ns *ns)
{
	return ns->enter_rc < 0 || (ns->proc_rc < 0 && ns->proc_rc != -ENOENT);
}

/*
 * What --netns=all could not look at. A namespace file that is not (or no longer) a namespace is
 * one being created or deleted: skipped with a note. A namespace held by a process whose
 * /proc/PID/ns/net we may not read (another user's, without root) was never checked: the check is
 * incomplete.
 */
struct ct_netns_scan {
	unsigned skipped;
	char skipped_names[200]; /* the first few, for the note */
	unsigned unseen; /* namespaces other than ours, held by processes, not seen */
	unsigned untold; /* processes whose namespace could not even be told from ours */
	char unseen_why[320]; /* the first: "pid 1 (systemd): /proc/1/ns/net: Permission denied" */
	int unseen_errno;
};

/*
 * The state directory of the run (statedir.c): one directory and one lock per check definition
 * (the key), taken before the counters are read and held until retention saved them.
 */
struct ct_store {
	struct mp_store_handle h;
	bool locked;
	bool unusable; /* the counters cannot be kept: drop detection is off */
	char dir[PATH_MAX];
	char key[80];
	char why[320]; /* why unusable */
	char squat[400]; /* a default directory someone else owns or can write: not used */
};

/* Everything the collectors found, for evaluation and rendering. No collector prints. */
struct ct_snapshot {
	struct ct_trace trace; /* -v lines: which files were read and why */
	bool multi; /* --netns=all: several namespaces */
	size_t n;
	struct ct_ns *ns;
	struct ct_netns_scan scan; /* --netns=all: what was skipped or not seen */
	char caps_note[160]; /* what happened to capabilities */
	char boot_id[40]; /* this boot's id: a reboot restarts the counters' baseline */
	struct ct_persistence persistence;
	struct ct_store store;
	/* What boot brings back (boot_collect.c): read only when it is shown, else NULL. */
	struct ct_boot *boot;
	/* The composition samples of a run share a tenth of -t, counted from the first. */
	struct timespec sample_deadline;
	/*
	 * --netns=all: the host-wide values as the first namespace's sysctl files gave them (the
	 * limit, its file layout and key, the buckets, the expectation limit: read-only copies of
	 * the initial namespace's in the others); later namespaces ask netlink for their count.
	 * host_proc.active: those values are there (the first namespace tracked and was read).
	 */
	struct ct_proc host_proc;
	uint64_t host_expect_max;
	bool have_host_expect_max;
};

#endif
