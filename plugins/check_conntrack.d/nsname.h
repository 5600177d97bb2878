/*
 * Names for network namespaces that stay the same from run to run: the container a namespace's
 * process runs in (its cgroup path), a systemd service, else the process's name; and whether a
 * namespace is the host's (the initial one), told only when the system says so.
 */
#ifndef CT_NSNAME_H
#define CT_NSNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The container or service a /proc/PID/cgroup text names: "docker-0123456789ab" (Docker),
 * "containerd-..." (containerd, Kubernetes), "crio-...", "podman-..." (libpod), "container-..."
 * (a bare id, as Kubernetes' cgroupfs driver makes them), "lxc-NAME", else the innermost systemd
 * service ("nginx.service"). Ids are cut to their first 12 digits, as the runtimes show them.
 * False when the path names none (a login session, the root).
 */
bool ct_cgroup_name(const char *cgroup, char *out, size_t len);

/* The name of a namespace held by process pid: ct_cgroup_name's, else "process COMM". */
void ct_process_ns_name(const char *procfs, const char *pid, char *out, size_t len);

/* Whether a namespace is the initial one (the host's). */
enum ct_initial {
	CT_INITIAL_UNKNOWN = -1,
	CT_INITIAL_NO = 0,
	CT_INITIAL_YES = 1,
};

/*
 * Whether our own namespace (of inode self) is the initial one, and the initial one's inode when
 * it can be told (else 0). Asked in this order: the inode the kernel gives the initial namespace
 * on kernels that fix it; the namespace of kthreadd (pid 2, a kernel thread: they all live in the
 * initial namespace), readable to root in the initial pid namespace; the sysctl
 * net.core.netdev_max_backlog, which the kernel registers in the initial namespace only.
 */
enum ct_initial ct_netns_initial(const char *procfs, uint64_t self, uint64_t *init_inode);

/*
 * The name of our own namespace when it is not known to be the host's: the name under /run/netns
 * that points at it (run_netns NULL: none looked for), else the container or service of our
 * cgroup, else "own".
 */
void ct_own_ns_name(const char *procfs, const char *run_netns, uint64_t self, char *out,
		    size_t len);

#endif
