/* The data that flows through the plugin: config in, snapshot from the collectors, verdict out. */
#ifndef CT_SNAPSHOT_H
#define CT_SNAPSHOT_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "counters.h"
#include "mp.h"
#include "rules.h"
#include "state.h"
#include "sysctl.h"

#define CT_SERVICE "CONNTRACK"
#define CT_PLUGIN "check_conntrack"

/* A threshold argument: a range on a count, or on utilization when it ended in '%'. */
struct ct_threshold {
	bool set;
	bool percent;
	struct mp_range range;
};

/* The counters that have thresholds on their change since the previous run. */
enum ct_watched { CT_W_DROP, CT_W_EARLY_DROP, CT_W_INSERT_FAILED, CT_W_MAX };

/* The longest --procfs, --sysfs or --root: what is read under it must still fit in PATH_MAX. */
#define CT_ROOT_MAX (PATH_MAX - 256)

struct ct_config {
	struct ct_threshold warn, crit;
	struct ct_threshold delta_warn[CT_W_MAX], delta_crit[CT_W_MAX];
	int missing_state; /* state when connection tracking is not active */
	const char *procfs;
	const char *sysfs;
	const char *netns; /* NULL: our own; a name under /run/netns, a path, or "all" */
	const char *state_dir; /* NULL: the default (see common/state.h) */
	const char *state_key; /* NULL: derived from the options that define the check */
	bool peek; /* --peek: compare with the baseline, save nothing */
	int state_unusable; /* state when the counters cannot be kept between runs */
	const char *root; /* where sysctl configuration is read: "/" */
	bool no_rules; /* --no-rules: do not inspect the firewall */
	int state_rules; /* state when state-matching rules exist, -1: no effect */
	int persistence; /* state when the limit is not what boot applies, -1: no effect */
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
	const char *layout; /* "nf_conntrack" or "ip_conntrack" */
	const char *sysctl_key; /* the key that sets the limit on this kernel */
};

/* How the counters compare with the previous run's. */
enum ct_retention {
	CT_RET_NONE, /* no counters, or state retention failed: nothing to compare */
	CT_RET_BASELINE, /* first run, reboot, counter went backwards or state unreadable */
	CT_RET_DELTA, /* delta[] and seconds are valid */
};

/* Everything known about one network namespace. */
struct ct_ns {
	char label[128]; /* "host", the /run/netns name, a path, or "pid N (comm)" */
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
	struct ct_rules rules;
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
 * The state kept between runs (retention.c): one directory and one lock per check definition
 * (the key), taken before the counters are read and held until they are saved.
 */
struct ct_store {
	struct mp_state_handle h;
	bool locked;
	bool unusable; /* the counters cannot be kept: drop detection is off */
	char dir[PATH_MAX];
	char key[80];
	char why[320]; /* why unusable */
	char squat[400]; /* a default directory someone else owns or can write: not used */
};

/* Everything the collectors found, for evaluation and rendering. No collector prints. */
struct ct_snapshot {
	int verbose; /* how much of the trace to keep */
	struct mp_buf trace; /* -v lines: which files were read and why */
	bool multi; /* --netns=all: several namespaces */
	size_t n;
	struct ct_ns *ns;
	struct ct_netns_scan scan; /* --netns=all: what was skipped or not seen */
	char caps_note[160]; /* what happened to capabilities */
	char boot_id[40]; /* this boot's id: a reboot restarts the counters' baseline */
	struct ct_persistence persist;
	struct ct_store store;
};

/* The verdict for one namespace, and overall. */
struct ct_ns_result {
	int state;
	bool have_utilization;
	double utilization;
	int delta_state[CT_W_MAX];
	int rules_state;
};
struct ct_result {
	int state;
	size_t fullest; /* index of the namespace the summary names */
	int persistence_state;
	int store_state; /* the state given to an unusable state directory */
	struct ct_ns_result *ns;
};

/*
 * With --procfs pointing elsewhere, the kernel's own answers (netlink, getsockopt) could describe
 * another system than the tree read: only the tree is read then.
 */
static inline bool ct_procfs_is_elsewhere(const struct ct_config *cfg)
{
	return strcmp(cfg->procfs, "/proc") != 0;
}

/* retention.c: the state directory the run chose, shared with the rules cache. */
int ct_state_open(const struct ct_config *cfg, struct ct_snapshot *snap, const char *name,
		  struct mp_state_handle *h, char *dir, size_t dirlen, char *err, size_t errlen);
bool ct_state_exists(const struct ct_snapshot *snap, const char *name);

/* procfs.c */
int ct_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ct_check_root(const char *option, const char *path, bool proc_tree, char *err, size_t errlen);
int ct_procfs_read(const char *procfs, struct ct_snapshot *snap, struct ct_ns *ns);
int ct_read_u64(const char *path, uint64_t *value, char *err, size_t errlen);

/* collect.c: fills snap for the namespaces cfg names; drops capabilities when done. */
void ct_note(struct ct_snapshot *snap, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ct_collect(const struct ct_config *cfg, struct ct_snapshot *snap);
void ct_snapshot_free(struct ct_snapshot *snap);

/* netns.c */
struct ct_ns_target {
	int fd; /* -1: our own namespace, nothing to enter */
	int err; /* 0, or -errno: a namespace that could not be opened (fd is -1) */
	uint64_t inode;
	char label[128];
};
int ct_netns_targets(const char *spec, const char *procfs, struct ct_ns_target **out, size_t *n,
		     struct ct_netns_scan *scan, char *err, size_t errlen);
void ct_escape_name(char *out, size_t len, const char *name);
int ct_netns_self(const char *procfs, uint64_t *inode);
/*
 * The cookie of the namespace a socket lives in (sock), or of the current one (sock < 0): unique
 * within a boot, unlike the inode number, which the kernel reuses. 0: none (before 5.14).
 */
uint64_t ct_netns_cookie(int sock);

/* caps.c */
bool ct_caps_have(int cap);
int ct_caps_drop(char *err, size_t errlen);

/*
 * retention.c: before collection, choose the state directory and take the check's lock;
 * after it, compare each namespace's counters with the previous run's and save them; at the
 * end, prune the state of namespaces that are gone and release the lock.
 */
void ct_retention_begin(const struct ct_config *cfg, struct ct_snapshot *snap);
void ct_retention(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		  time_t now);
void ct_retention_end(const struct ct_config *cfg, struct ct_snapshot *snap, time_t now);

/* evaluate.c */
struct ct_result ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap);
void ct_result_free(struct ct_result *res);

/* rules_collect.c: the firewall of the current namespace (privileged) or module holders. */
/*
 * direct: the kernel may be asked (CAP_NET_ADMIN, our own /proc); nl: the namespace's netfilter
 * netlink socket, shared with the counters, or NULL with the reason in nl_err.
 */
void ct_collect_rules(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		      bool direct, struct mnl_socket *nl, const char *nl_err);
/* Unprivileged, after collection: the modules holding nf_conntrack where rules were not read. */
void ct_collect_holders(const struct ct_config *cfg, struct ct_snapshot *snap, bool direct);
/* persistence.c */
void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap);

/* advice.c: what to do about it, as long-output lines. */
void ct_advice(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res, struct mp_buf *out);

/* render.c */
void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res);

extern const char *const ct_watched_names[CT_W_MAX];
extern const enum ct_counter ct_watched_counter[CT_W_MAX];

#endif
