/* The network namespaces to check: our own, one by name or path, or every one on the host. */
#ifndef CT_NETNS_H
#define CT_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct ct_ns_target {
	int fd; /* -1: our own namespace, nothing to enter */
	int err; /* 0, or -errno: a namespace that could not be opened (fd is -1) */
	uint64_t inode;
	char label[128];
};

/*
 * The namespaces spec names (NULL: our own, a name under /run/netns, a path, or "all"), in *out
 * (malloc'd, the caller closes the fds and frees it); what --netns=all could not look at in scan.
 * 0, or -errno with the reason.
 */
int ct_netns_targets(const char *spec, const char *procfs, struct ct_ns_target **out, size_t *n,
		     struct ct_netns_scan *scan, char *err, size_t errlen);
/*
 * Our own namespace alone, as ct_netns_targets(NULL, ...) gives it; without named, labelled "own"
 * rather than told apart ("host", its /run/netns name: some 20 system calls), for a run that shows
 * no label, and on the system's /proc without its inode (0: ct_netns_self when needed).
 */
int ct_netns_own_target(const char *procfs, bool named, struct ct_ns_target **out, size_t *n);
/*
 * The same, one namespace at a time, so that each can be checked while the processes are still
 * being looked at: start (0, or -errno with the reason), then next until it returns 0 (1: *t
 * filled, its fd the caller's to close; -errno: the reason in err), then end. scan is complete
 * once next returned 0. pending: whether next may give more. Without spec, our own namespace
 * alone: named ("host", its /run/netns name) with name_own, else labelled "own" (and without its
 * inode on the system's /proc, as ct_netns_own_target gives it).
 */
struct ct_netns_walk;
int ct_netns_walk_start(const char *spec, const char *procfs, bool name_own,
			struct ct_netns_walk **w, struct ct_netns_scan *scan, char *err,
			size_t errlen);
int ct_netns_walk_next(struct ct_netns_walk *w, struct ct_ns_target *t, char *err, size_t errlen);
bool ct_netns_walk_pending(const struct ct_netns_walk *w);
void ct_netns_walk_end(struct ct_netns_walk *w);
/* A name read from the system made safe for the output: control characters as \xNN. */
void ct_escape_name(char *out, size_t len, const char *name);
int ct_netns_self(const char *procfs, uint64_t *inode);
/*
 * The cookie of the namespace a socket lives in (sock), or of the current one (sock < 0): unique
 * within a boot, unlike the inode number, which the kernel reuses. 0: none (before 5.14).
 */
uint64_t ct_netns_cookie(int sock);

#endif
