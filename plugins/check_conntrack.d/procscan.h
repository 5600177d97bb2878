/*
 * Every process of a proc tree with the inode of its network namespace, in the tree's order: the
 * raw material of --netns=all. On a host with thousands of processes a second thread lists and
 * reads ahead while the caller checks the namespaces found so far.
 */
#ifndef CT_PROCSCAN_H
#define CT_PROCSCAN_H

#include <stddef.h>
#include <stdint.h>

struct ct_pid_ns {
	char pid[12]; /* the directory's name, as listed */
	int err; /* 0, or -errno: its namespace could not be read (ENOENT, ESRCH: it exited) */
	uint64_t inode;
};

struct ct_proc_list; /* opaque */

/*
 * Start listing the proc tree open at procfd (kept open by the caller until ct_proc_list_free).
 * 0 with *out, or -ENOMEM. A tree that cannot be listed is empty.
 */
int ct_proc_scan_start(int procfd, struct ct_proc_list **out);
/*
 * The next process, in the listing's order, its namespace read: 1 with *p (valid until
 * ct_proc_list_free), 0 after the last, -errno when the listing failed (ENOMEM, EOVERFLOW).
 */
int ct_proc_next(struct ct_proc_list *l, const struct ct_pid_ns **p);
/* Threads that listed and read: 1, or 2 on a large host. */
unsigned ct_proc_threads(const struct ct_proc_list *l);
/* Stops the second thread, if any, and frees everything. */
void ct_proc_list_free(struct ct_proc_list *l);

#endif
