/*
 * The table's entries, limit and hash buckets of the current namespace from /proc, across kernel
 * generations; and the paths and directories everything else reads under.
 */
#ifndef CT_PROCFS_H
#define CT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "trace.h"

/* A path built from a root the admin chose: 0, or -ENAMETOOLONG rather than a shorter path. */
int ct_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * A directory option (--procfs, --sysfs, --root): 0, or -errno with the reason when it is empty,
 * relative, too long, missing, or (proc_tree) does not look like a proc tree.
 */
int ct_check_root(const char *option, const char *path, bool proc_tree, char *err, size_t errlen);
/* Fills ns->proc and ns->proc_rc (0, -ENOENT: not active, other -errno with ns->err). */
int ct_procfs_read(const char *procfs, struct ct_trace *trace, struct ct_ns *ns);
/* A sysctl file holding one decimal number: 0, or -errno with the reason. */
int ct_read_u64(const char *path, uint64_t *value, char *err, size_t errlen);
/*
 * Hold the current namespace's PROCFS/sys/net/netfilter open: ct_read_u64 opens the files in it
 * relative to it (one lookup of the directory per namespace) until ct_sysctl_dir_release, which
 * must come before the namespace is left. Holding nothing when it is absent.
 */
void ct_sysctl_dir_hold(const char *procfs);
void ct_sysctl_dir_release(void);

#endif
