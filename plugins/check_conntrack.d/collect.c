/* Collection: enter each namespace, read /proc and the counters, come back, drop privileges. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "collect.h"
#include "collect_table.h"
#include "netns.h"
#include "persistence.h"
#include "procfs.h"
#include "rules_collect.h"
#include "trace.h"

static struct mnl_socket *open_netfilter(char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0)
		return nl;
	snprintf(err, errlen, "netlink socket: %s", strerror(errno));
	if (nl)
		mnl_socket_close(nl);
	return NULL;
}

/*
 * Netlink when we may (direct), else the stat file, else "not available" with reasons. A failed
 * netlink read may leave replies queued: *nl is then replaced by a fresh socket for the rules.
 */
static void collect_counters(const struct ct_config *cfg, struct ct_snapshot *snap,
			     struct ct_ns *ns, bool direct, struct mnl_socket **nl, char *nl_err,
			     size_t nl_errlen)
{
	char why_nl[256] = "", why_stat[256] = "", path[PATH_MAX];
	int rc;

	if (!ns->proc.active) {
		/* A netlink request would autoload nf_conntrack: monitoring must not switch it on.
		 */
		snprintf(ns->counters_why, sizeof(ns->counters_why),
			 "connection tracking is not active");
		ns->counters_rc = -ENOENT;
		return;
	}
	if (!direct) {
		snprintf(why_nl, sizeof(why_nl), "%s",
			 ct_procfs_is_elsewhere(cfg) ? "netlink not used with --procfs"
						     : "netlink needs CAP_NET_ADMIN");
	} else if (!*nl) {
		mp_copy(why_nl, sizeof(why_nl), nl_err);
	} else if (ct_netlink_read(*nl, &ns->counters, why_nl, sizeof(why_nl)) == 0) {
		ns->counters.source = "netlink";
		ct_note(&snap->trace, 1, "counters from netlink (ctnetlink statistics)");
		ns->counters_rc = 0;
		return;
	} else {
		mnl_socket_close(*nl);
		*nl = open_netfilter(nl_err, nl_errlen);
	}
	ct_note(&snap->trace, 1, "counters: %s", why_nl);
	rc = ct_path(path, sizeof(path), "%s/net/stat/nf_conntrack", cfg->procfs);
	if (rc == 0)
		rc = ct_statfile_read(path, &ns->counters, why_stat, sizeof(why_stat));
	else
		snprintf(why_stat, sizeof(why_stat), "stat file path too long");
	if (rc == 0) {
		ns->counters.source = "stat file";
		ct_note(&snap->trace, 1, "counters from %s", path);
		ns->counters_rc = 0;
		return;
	}
	if (rc == -ENOENT)
		snprintf(why_stat, sizeof(why_stat), "%.200s absent (kernel built without it)",
			 path);
	ct_note(&snap->trace, 1, "counters: %s", why_stat);
	snprintf(ns->counters_why, sizeof(ns->counters_why), "%s, %s", why_nl, why_stat);
	ns->counters_rc = rc;
}

/*
 * --netns=all, past the first namespace: the count and the limit from one netlink request, not
 * from the namespace's sysctl directory (the kernel keeps one per namespace under one name, and
 * a lookup compares it with each in turn: ~30 us at 500 namespaces); the buckets and the file
 * layout are the host's, as the first namespace's files gave them. False (the files are read
 * instead) when netlink cannot say: the socket is then a fresh one.
 */
static bool count_netlink(struct ct_snapshot *snap, struct ct_ns *ns, struct mnl_socket **nl,
			  char *nl_err, size_t nl_errlen)
{
	uint64_t entries, max;
	char err[256] = "";

	if (!snap->host_proc.active || !*nl)
		return false;
	if (ct_netlink_read_count(*nl, &entries, &max, err, sizeof(err)) < 0) {
		ct_note(&snap->trace, 1, "entries: %s: read from the sysctl files instead", err);
		mnl_socket_close(*nl);
		*nl = open_netfilter(nl_err, nl_errlen);
		return false;
	}
	ns->proc = snap->host_proc;
	ns->proc.entries = entries;
	ns->proc.max = max;
	ns->proc_rc = 0;
	ct_note(&snap->trace, 1,
		"entries = %llu and max = %llu from netlink (ctnetlink statistics), buckets as the "
		"first namespace's files said (host-wide)",
		(unsigned long long)entries, (unsigned long long)max);
	return true;
}

/* One netfilter netlink socket per namespace serves both the counters and the nftables rules. */
static void collect_ns(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       bool net_admin)
{
	bool direct = net_admin && !ct_procfs_is_elsewhere(cfg);
	char nl_err[160] = "";
	struct mnl_socket *nl = direct ? open_netfilter(nl_err, sizeof(nl_err)) : NULL;

	/* Who the namespace is, for its baseline: a new one may get a deleted one's inode. */
	if (!ct_procfs_is_elsewhere(cfg))
		ns->cookie = ct_netns_cookie(nl ? mnl_socket_get_fd(nl) : -1);
	/* Without a cookie (before Linux 5.14) the baseline goes by the inode: ours, asked now. */
	if (!ns->cookie && !ns->inode && ct_netns_self(cfg->procfs, &ns->inode) < 0)
		ns->inode = 0;
	/*
	 * The sysctl directory is looked up once and its files opened relative to it: on a host
	 * with many namespaces each lookup is dear (the kernel compares the name with every
	 * namespace's), whether or not this run checks them.
	 */
	if (!snap->multi || !count_netlink(snap, ns, &nl, nl_err, sizeof(nl_err))) {
		ct_sysctl_dir_hold(cfg->procfs);
		ct_procfs_read(cfg->procfs, &snap->trace, ns);
		if (snap->multi && direct && ns->proc_rc == 0 && !snap->host_proc.active)
			snap->host_proc = ns->proc;
	}
	collect_counters(cfg, snap, ns, direct, &nl, nl_err, sizeof(nl_err));
	ct_collect_expect(cfg, snap, ns, direct ? &nl : NULL);
	/* A dump cut short closes its socket (the kernel would go on sending): the rules need one.
	 */
	if (direct && !nl && !nl_err[0])
		nl = open_netfilter(nl_err, sizeof(nl_err));
	ct_collect_rules(cfg, snap, ns, direct, nl, nl_err);
	/* Last: a sample cut short at its cap leaves nothing after it needing the socket. */
	ct_collect_inside(cfg, snap, ns, direct ? &nl : NULL);
	ct_sysctl_dir_release();
	if (nl)
		mnl_socket_close(nl);
}

/*
 * Privileges serve the kernel requests alone (netlink, the iptables-legacy sockets, entering
 * namespaces): they are gone before any file that others may write (sysctl.d under --root, a
 * --sysfs or --procfs tree) is parsed, and before state files and output.
 */
static void drop_privileges(struct ct_snapshot *snap)
{
	if (snap->caps_note[0])
		return;
	if (ct_caps_drop(snap->caps_note, sizeof(snap->caps_note)) == 0)
		snprintf(snap->caps_note, sizeof(snap->caps_note),
			 "capabilities dropped after collection from the kernel, before files are "
			 "parsed");
	ct_note(&snap->trace, 2, "%s", snap->caps_note);
}

/* The boot id tells a reboot (counters start again) from counters that went backwards. */
static void read_boot_id(const char *procfs, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if (ct_path(path, sizeof(path), "%s/sys/kernel/random/boot_id", procfs) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	n = mp_read_fd(fd, buf, len - 1, 0, true);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* One more namespace in the snapshot: its slot, zeroed, or NULL. */
static struct ct_ns *add_ns(struct ct_snapshot *snap, size_t *cap)
{
	if (snap->n == *cap) {
		size_t more = *cap ? *cap * 2 : 8;
		struct ct_ns *nv = realloc(snap->ns, more * sizeof(*nv));

		if (!nv)
			return NULL;
		snap->ns = nv;
		*cap = more;
	}
	memset(&snap->ns[snap->n], 0, sizeof(snap->ns[0]));
	return &snap->ns[snap->n++];
}

/*
 * Check one namespace: entered, read, left. *self_fd: our own namespace to come back to, opened
 * at the first namespace entered (-2: cannot come back, or could not: nothing more is entered).
 */
static void collect_target(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
			   const struct ct_ns_target *t, int *self_fd, bool net_admin)
{
	mp_copy(ns->label, sizeof(ns->label), t->label);
	ns->inode = t->inode;
	if (t->err < 0) {
		ns->enter_rc = t->err;
		snprintf(ns->err, sizeof(ns->err), "cannot open network namespace %s: %s",
			 ns->label, strerror(-t->err));
		return;
	}
	if (t->fd < 0) {
		collect_ns(cfg, snap, ns, net_admin);
		return;
	}
	if (*self_fd == -1) {
		*self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (*self_fd < 0)
			*self_fd = -2; /* cannot come back: enter nothing */
	}
	if (*self_fd == -3) {
		/* Reading on would describe the wrong namespace. */
		ns->enter_rc = -EBADF;
		snprintf(ns->err, sizeof(ns->err),
			 "not checked: cannot return to the own namespace");
		close(t->fd);
		return;
	}
	if (*self_fd < 0 || setns(t->fd, CLONE_NEWNET) < 0) {
		int e = *self_fd < 0 ? EBADF : errno;
		ns->enter_rc = -e;
		snprintf(ns->err, sizeof(ns->err), "cannot enter network namespace %s: %s%s",
			 ns->label, strerror(e),
			 e == EPERM ? " (needs CAP_SYS_ADMIN: run as root or via sudo)" : "");
		close(t->fd);
		return;
	}
	ct_note(&snap->trace, 2, "entered network namespace %s (inode %llu)", ns->label,
		(unsigned long long)ns->inode);
	collect_ns(cfg, snap, ns, net_admin);
	close(t->fd);
	if (setns(*self_fd, CLONE_NEWNET) < 0) {
		close(*self_fd);
		*self_fd = -3; /* stranded: every namespace after this one is left unchecked */
	}
}

/* What --netns could not give: one namespace, not checked, with the reason. */
static int walk_failed(const struct ct_config *cfg, struct ct_snapshot *snap, size_t *cap, int r,
		       const char *err)
{
	struct ct_ns *ns = add_ns(snap, cap);

	if (!ns)
		return -ENOMEM;
	ct_escape_name(ns->label, sizeof(ns->label), cfg->netns);
	ns->enter_rc = r;
	mp_copy(ns->err, sizeof(ns->err), err);
	return 0;
}

int ct_collect(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	struct ct_netns_walk *w = NULL;
	struct ct_ns_target t;
	size_t cap = 0;
	char err[320] = "";
	int self_fd = -1, r;
	bool net_admin = ct_caps_have(CAP_NET_ADMIN);
	bool direct = net_admin && !ct_procfs_is_elsewhere(cfg); /* netlink will be used */

	ct_note(&snap->trace, 2, "CAP_NET_ADMIN %s",
		net_admin ? "held: netlink sources used" : "not held: /proc sources only");
	/* First: the rules cache of every namespace is only valid within this boot. */
	read_boot_id(cfg->procfs, snap->boot_id, sizeof(snap->boot_id));
	snap->multi = cfg->netns && strcmp(cfg->netns, "all") == 0;
	snap->n = 0;
	/* --netns=all: each namespace is checked as soon as it is found (netns.c). */
	/* Our own namespace is named only where the name is shown: the metrics' label, -v. */
	r = ct_netns_walk_start(cfg->netns, cfg->procfs, cfg->prometheus || cfg->verbose, &w,
				&snap->scan, err, sizeof(err));
	while (r >= 0 && (r = ct_netns_walk_next(w, &t, err, sizeof(err))) > 0) {
		struct ct_ns *ns = add_ns(snap, &cap);

		if (!ns) {
			if (t.fd >= 0)
				close(t.fd);
			r = -ENOMEM;
			mp_copy(err, sizeof(err), strerror(ENOMEM));
			break;
		}
		/* Nothing to enter and nothing to ask the kernel: no privilege is needed at all. */
		if (t.fd < 0 && self_fd == -1 && !direct && !ct_netns_walk_pending(w))
			drop_privileges(snap);
		collect_target(cfg, snap, ns, &t, &self_fd, net_admin);
	}
	ct_netns_walk_end(w);
	if (self_fd >= 0)
		close(self_fd);
	if (r < 0 && walk_failed(cfg, snap, &cap, r, err) < 0)
		return -ENOMEM;
	if (!snap->ns && !(snap->ns = calloc(1, sizeof(*snap->ns))))
		return -ENOMEM;
	drop_privileges(snap);
	ct_collect_holders(cfg, snap, direct);
	ct_collect_persistence(cfg, snap);
	return 0;
}

void ct_snapshot_free(struct ct_snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++) {
		ct_rules_free(&snap->ns[i].rules);
		ct_inside_free(&snap->ns[i].inside);
	}
	free(snap->ns);
	free(snap->boot);
	ct_trace_free(&snap->trace);
	snap->ns = NULL;
	snap->boot = NULL;
	snap->n = 0;
}
