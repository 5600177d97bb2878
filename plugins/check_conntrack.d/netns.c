/* Network namespaces to check: our own, one by name or path, or every one on the host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mp.h"
#include "netns.h"
#include "nsname.h"
#include "procfs.h"
#include "procscan.h"

#define RUN_NETNS "/run/netns"
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/*
 * Names read from the system (a /run/netns entry, a process's comm) end up in the output: control
 * characters (an escape sequence, a carriage return) are shown as \xNN, a backslash as \\. A
 * name that does not fit ends in "...".
 */
static size_t escaped(unsigned char c, char piece[5])
{
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(piece, 5, "\\x%02x", c);
	if (c == '\\')
		return (size_t)snprintf(piece, 5, "\\\\");
	piece[0] = (char)c;
	piece[1] = '\0';
	return 1;
}

void ct_escape_name(char *out, size_t len, const char *name)
{
	const unsigned char *p;
	size_t o = 0, need = 0, room;
	char piece[5];

	if (len < 4) {
		if (len)
			out[0] = '\0';
		return;
	}
	for (p = (const unsigned char *)name; *p; p++)
		need += escaped(*p, piece);
	room = need < len ? need : len - 4; /* what does not fit gives way to "..." */
	for (p = (const unsigned char *)name; *p; p++) {
		size_t plen = escaped(*p, piece);

		if (o + plen > room)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
	}
	if (need >= len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

uint64_t ct_netns_cookie(int sock)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = sock >= 0 ? sock : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0 || len != sizeof(cookie))
		cookie = 0;
	if (fd != sock)
		close(fd);
	return cookie;
}

int ct_netns_self(const char *procfs, uint64_t *inode)
{
	char path[PATH_MAX];
	struct stat st;

	if (ct_path(path, sizeof(path), "%s/self/ns/net", procfs) < 0)
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return -errno;
	*inode = st.st_ino;
	return 0;
}

/* Room for one more target: its slot, or NULL. */
static struct ct_ns_target *grow(struct ct_ns_target **v, size_t *n)
{
	struct ct_ns_target *nv = *v;

	/* Room doubles at 8, 16, 32...: a node's hundreds of namespaces, no quadratic copying. */
	if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
		nv = realloc(*v, sizeof(**v) * (*n ? *n * 2 : 8));
		if (!nv)
			return NULL;
		*v = nv;
	}
	return &nv[(*n)++];
}

static int push(struct ct_ns_target **v, size_t *n, int fd, int err, uint64_t inode,
		const char *label)
{
	struct ct_ns_target *t = grow(v, n);

	if (!t)
		return -ENOMEM;
	t->fd = fd;
	t->err = err;
	t->inode = inode;
	ct_escape_name(t->label, sizeof(t->label), label);
	return 0;
}

static bool known(const struct ct_ns_target *v, size_t n, uint64_t inode)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].inode == inode)
			return true;
	}
	return false;
}

/*
 * The namespaces seen so far, by inode, for the scan of every process: a hash set (open
 * addressing; an inode is never 0), so that 20,000 processes over 500 namespaces cost 20,000
 * lookups, not 10 million comparisons.
 */
struct inode_set {
	uint64_t *slot;
	size_t cap, n; /* cap: a power of two, at least twice n */
};

static size_t inode_slot(const struct inode_set *s, uint64_t inode)
{
	size_t i = (size_t)(inode * 0x9e3779b97f4a7c15ull) & (s->cap - 1);

	while (s->slot[i] && s->slot[i] != inode)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool inode_seen(const struct inode_set *s, uint64_t inode)
{
	return s->cap && s->slot[inode_slot(s, inode)] == inode;
}

static int inode_add(struct inode_set *s, uint64_t inode)
{
	if (2 * (s->n + 1) > s->cap) {
		struct inode_set bigger = {.cap = s->cap ? s->cap * 2 : 1024};

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				bigger.slot[inode_slot(&bigger, s->slot[i])] = s->slot[i];
		bigger.n = s->n;
		free(s->slot);
		*s = bigger;
	}
	if (!inode_seen(s, inode)) {
		s->slot[inode_slot(s, inode)] = inode;
		s->n++;
	}
	return 0;
}

/*
 * The network namespaces mounted somewhere (`ip netns add`, a container's bind mount), by inode:
 * the root of such a mount in /proc/self/mountinfo names it ("net:[4026532300]"). Read when a
 * mounted namespace file is first met, and once more when one is not there (mounted since).
 */
struct ns_mounts {
	uint64_t *inode;
	size_t n;
	unsigned reads;
	bool unknown; /* mountinfo could not be read whole: the filesystem has to do */
};

/* The most mountinfo read: a node with thousands of mounts holds a few hundred KiB. */
#define MOUNTINFO_MAX (16u << 20)

/* The inode a mount's root names, "net:[4026532300]" (the fourth field), or 0. */
static uint64_t mount_netns(const char *line, const char *end)
{
	const char *root = line, *close;
	uint64_t inode = 0;

	for (int field = 0; field < 3 && root; field++) {
		root = memchr(root, ' ', (size_t)(end - root));
		root = root ? root + 1 : NULL;
	}
	if (!root || end - root < 7 || strncmp(root, "net:[", 5) != 0)
		return 0;
	close = memchr(root + 5, ']', (size_t)(end - root - 5));
	if (!close || mp_parse_u64(root + 5, (size_t)(close - root - 5), UINT64_MAX, &inode) < 0)
		return 0;
	return inode;
}

static void read_mounts(struct ns_mounts *m)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	char *buf = NULL, *line, *end;
	size_t cap = 0;
	ssize_t len = fd < 0 ? -errno : mp_read_fd_alloc(fd, &buf, &cap, MOUNTINFO_MAX, 0);

	if (fd >= 0)
		close(fd);
	m->reads++;
	m->n = 0;
	m->unknown = len < 0 || (size_t)len > MOUNTINFO_MAX;
	for (line = buf; !m->unknown && line < buf + len; line = end + 1) {
		uint64_t inode, *more;

		end = memchr(line, '\n', (size_t)(buf + len - line));
		if (!end)
			end = buf + len;
		inode = mount_netns(line, end);
		if (!inode)
			continue;
		more = realloc(m->inode, (m->n + 1) * sizeof(*more));
		m->unknown = !more;
		if (more) {
			m->inode = more;
			m->inode[m->n++] = inode;
		}
	}
	free(buf);
}

/* Whether a mounted namespace file of this inode is a network namespace's. */
static bool mounted_netns(struct ns_mounts *m, uint64_t inode, bool nsfs)
{
	for (unsigned pass = 0; m && pass < 2; pass++) {
		if (m->reads == pass)
			read_mounts(m);
		if (m->unknown)
			break;
		for (size_t i = 0; i < m->n; i++)
			if (m->inode[i] == inode)
				return true;
	}
	/* Without the mounts to ask, a file on nsfs is a namespace and setns checks its type. */
	return (!m || m->unknown) && nsfs;
}

/*
 * Whether fd (of that inode) is a network namespace file. A file under /run/netns is a plain
 * empty file while `ip netns add` has not mounted the namespace on it yet, or after `ip netns
 * del` unmounted it: entering it would fail with EINVAL. Namespace files live on nsfs (on proc
 * before Linux 3.19, beside every other proc file), and the kernel names the file a descriptor
 * holds "net:[INODE]" for a network namespace ("mnt:[...]" for a mount namespace); a mounted one
 * shows its path there instead, and its mount's root names it. (The NS_GET_NSTYPE ioctl would
 * tell the type too, but valgrind does not know it.)
 */
static bool is_netns(int fd, uint64_t inode, struct ns_mounts *m)
{
	char path[64], link[PATH_MAX], want[40];
	struct statfs sf;
	ssize_t len;

	if (fstatfs(fd, &sf) < 0 || (sf.f_type != NSFS_MAGIC && sf.f_type != PROC_SUPER_MAGIC))
		return false;
	/* A process's ns/net (no mount to look for) on nsfs: the kernel gives network namespaces
	 * only there, and setns(CLONE_NEWNET) checks the type again before anything is read. One
	 * /proc/self lookup a namespace less under --netns=all. */
	if (!m && sf.f_type == NSFS_MAGIC)
		return true;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return sf.f_type == NSFS_MAGIC; /* no /proc to ask: setns checks the type */
	link[len] = '\0';
	if (link[0] == '/')
		return mounted_netns(m, inode, sf.f_type == NSFS_MAGIC);
	snprintf(want, sizeof(want), "net:[%" PRIu64 "]", inode);
	return strcmp(link, want) == 0;
}

/* The namespace we are in needs no setns (and an unprivileged setns into it fails with EPERM). */
static bool is_own(int fd)
{
	struct stat self, st;

	return stat("/proc/self/ns/net", &self) == 0 && fstat(fd, &st) == 0 &&
	       self.st_dev == st.st_dev && self.st_ino == st.st_ino;
}

/*
 * Open a namespace file and check it is a network namespace's: a bind mount under /run/netns or
 * /proc/PID/ns/net. m: the mounted namespaces, read when needed (NULL: the file is no mount).
 */
static int open_ns(const char *path, struct ns_mounts *m, uint64_t *inode, char *err, size_t errlen)
{
	struct stat st;
	char shown[160];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		int e = errno;

		ct_escape_name(shown, sizeof(shown), path);
		snprintf(err, errlen, "cannot open network namespace %s: %s", shown, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode) || !is_netns(fd, st.st_ino, m)) {
		close(fd);
		ct_escape_name(shown, sizeof(shown), path);
		snprintf(err, errlen, "%s is not a network namespace", shown);
		return -EINVAL;
	}
	*inode = st.st_ino;
	return fd;
}

static void note_skipped(struct ct_netns_scan *scan, const char *name)
{
	size_t used = strlen(scan->skipped_names);
	char shown[64];

	scan->skipped++;
	ct_escape_name(shown, sizeof(shown), name);
	if (used + strlen(shown) + 8 < sizeof(scan->skipped_names))
		snprintf(scan->skipped_names + used, sizeof(scan->skipped_names) - used, "%s%s",
			 used ? ", " : "", shown);
	else if (!strstr(scan->skipped_names, ", ..."))
		snprintf(scan->skipped_names + used, sizeof(scan->skipped_names) - used, ", ...");
}

/*
 * The namespaces named under /run/netns. One that vanished or is not (yet, or any longer) a
 * namespace is being created or deleted: skipped with a note. One that exists but cannot be
 * opened is kept, with the reason, as a namespace not checked.
 */
static int named_targets(struct ct_ns_target **v, size_t *n, struct ct_netns_scan *scan,
			 struct ns_mounts *m)
{
	char path[PATH_MAX], err[320];
	uint64_t inode = 0;
	struct dirent *de;
	DIR *d = opendir(RUN_NETNS);

	while (d && (de = readdir(d))) {
		struct statfs sf;
		int fd, r = 0;

		if (de->d_name[0] == '.')
			continue;
		if (ct_path(path, sizeof(path), "%s/%s", RUN_NETNS, de->d_name) < 0)
			continue; /* longer than NAME_MAX: not a directory entry */
		fd = open_ns(path, m, &inode, err, sizeof(err));
		if (fd < 0 && fd != -ENOENT && fd != -EINVAL && statfs(path, &sf) == 0 &&
		    sf.f_type == NSFS_MAGIC)
			r = push(v, n, -1, fd, 0, de->d_name);
		else if (fd < 0)
			note_skipped(scan, de->d_name);
		else if (known(*v, *n, inode) || (r = push(v, n, fd, 0, inode, de->d_name)) < 0)
			close(fd);
		if (r < 0) {
			closedir(d);
			return r;
		}
	}
	if (d)
		closedir(d);
	return 0;
}

/* "pid 1 (systemd)": the process's name, read from the system, escaped on the way (the notes). */
static void process_label(const char *procfs, const char *pid, char *label, size_t len)
{
	char path[PATH_MAX], comm[64] = "?";
	FILE *f;

	if (ct_path(path, sizeof(path), "%s/%s/comm", procfs, pid) == 0 &&
	    (f = fopen(path, "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(label, len, "pid %.20s (%.60s)", pid, comm);
}

/*
 * A namespace as anyone may tell it: its rtnetlink kernel socket (protocol 0, port 0), listed with
 * its inode and hashed address in /proc/PID/net/netlink, which unlike /proc/PID/ns/net is not
 * reserved to whoever may ptrace the process. Two processes with the same socket share a namespace.
 * -ENOENT: the process has no namespace any more (it exited, or is a zombie).
 */
struct rtnl_id {
	uint64_t sk, inode;
};

/* "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode": the fields we need, or false. */
static bool netlink_line(char *line, struct rtnl_id *id, unsigned long *proto, unsigned long *port)
{
	char *field[10], *save = NULL, *end;
	int n = 0;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < 10;
	     t = strtok_r(NULL, " \t\n", &save))
		field[n++] = t;
	if (n != 10)
		return false;
	errno = 0;
	id->sk = strtoull(field[0], &end, 16);
	if (*end)
		return false;
	*proto = strtoul(field[1], &end, 10);
	if (*end)
		return false;
	*port = strtoul(field[2], &end, 10);
	if (*end)
		return false;
	id->inode = strtoull(field[9], &end, 10);
	return !*end && errno == 0;
}

static int rtnl_id(const char *procfs, const char *pid, struct rtnl_id *id)
{
	char path[PATH_MAX], line[256];
	int found = -ENODATA;
	FILE *f;

	if (ct_path(path, sizeof(path), "%s/%s/net/netlink", procfs, pid) < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		unsigned long proto, port;

		if (!netlink_line(line, id, &proto, &port))
			continue; /* the header */
		if (proto > 0)
			break; /* listed by protocol: NETLINK_ROUTE (0) is over */
		if (port == 0 && id->inode)
			found = 0;
	}
	fclose(f);
	return found;
}

/* Namespaces held by processes we may not look at, told apart without looking in. */
struct unseen {
	bool have_own;
	struct rtnl_id own;
	struct rtnl_id *ids;
	size_t n;
};

static bool same_id(const struct rtnl_id *a, const struct rtnl_id *b)
{
	return a->inode == b->inode && a->sk == b->sk;
}

/* A process whose namespace we may not look at: it may hold one nobody else shows us. */
static void note_unseen(struct ct_netns_scan *scan, struct unseen *u, const char *procfs,
			const char *pid, const char *path, int e)
{
	char label[128], shown[128];
	struct rtnl_id id = {0, 0};

	int r = rtnl_id(procfs, pid, &id);

	if (r == -ENOENT)
		return; /* exited, or a zombie: it holds no namespace any more */
	if (r == 0) {
		if (u->have_own && same_id(&id, &u->own))
			return; /* ours: checked already */
		for (size_t i = 0; i < u->n; i++)
			if (same_id(&id, &u->ids[i]))
				return;
		struct rtnl_id *nv = realloc(u->ids, sizeof(*nv) * (u->n + 1));

		if (nv) {
			u->ids = nv;
			u->ids[u->n++] = id;
		}
		scan->unseen++;
	} else {
		scan->untold++;
	}
	if (scan->unseen_why[0])
		return;
	process_label(procfs, pid, label, sizeof(label));
	ct_escape_name(shown, sizeof(shown), label);
	scan->unseen_errno = e;
	snprintf(scan->unseen_why, sizeof(scan->unseen_why), "%.127s: %.100s: %.60s", shown, path,
		 strerror(e));
}

/* The initial namespace's inode once told (0: not told): the host's, whoever holds it. */
static uint64_t init_inode;

/*
 * The labels given so far, by a hash of each (FNV-1a), as indexes into the targets: whether a
 * name is taken is one look, not a comparison with every namespace found before.
 */
struct label_set {
	uint32_t *slot; /* index + 1; 0: empty */
	size_t cap, have; /* cap: a power of two, at least twice have; targets[0, have) are in */
};

static size_t label_slot(const struct label_set *s, const struct ct_ns_target *v, const char *label)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *c = (const unsigned char *)label; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (!s->slot[i] || strcmp(v[s->slot[i] - 1].label, label) == 0)
			return i;
}

/* Every target's label in the set: 0, or -ENOMEM. */
static int label_sync(struct label_set *s, const struct ct_ns_target *v, size_t n)
{
	if (2 * n > s->cap) {
		struct label_set bigger = {.cap = s->cap ? s->cap : 64};

		while (2 * n > bigger.cap)
			bigger.cap *= 2;
		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		free(s->slot);
		*s = bigger;
	}
	for (; s->have < n; s->have++) {
		size_t i = label_slot(s, v, v[s->have].label);

		if (!s->slot[i])
			s->slot[i] = (uint32_t)s->have + 1;
	}
	return 0;
}

struct ct_netns_walk {
	const char *procfs;
	struct ct_netns_scan *scan;
	struct ct_ns_target *v; /* every namespace found, by inode and label; fds until given */
	size_t n, given;
	int procfd; /* the process scan's proc tree, -1 when no scan runs */
	struct ct_proc_list *procs;
	struct inode_set seen; /* the namespaces dealt with */
	struct unseen u;
	uint64_t last; /* the namespace of the process before, when dealt with */
	struct label_set labels;
};

/*
 * A process's namespace's name: "host" for the initial one, else its container, its service or
 * its program (nsname.h), stable across restarts; a name already taken gets the pid.
 */
static int named(struct ct_netns_walk *w, const char *pid, uint64_t inode, char *label, size_t len)
{
	char name[100], shown[128];
	int r;

	if (init_inode && inode == init_inode) {
		snprintf(label, len, "host");
		return 0;
	}
	ct_process_ns_name(w->procfs, pid, name, sizeof(name));
	r = label_sync(&w->labels, w->v, w->n);
	if (r < 0)
		return r;
	ct_escape_name(shown, sizeof(shown), name);
	if (w->labels.slot[label_slot(&w->labels, w->v, shown)])
		snprintf(label, len, "%s (pid %.20s)", name, pid);
	else
		mp_copy(label, len, name);
	return 0;
}

/*
 * A namespace first seen at this process: opened, checked, and kept with a name of its own.
 * *done: the namespace now dealt with: the one the process holds now, which may differ from the
 * one listed (p->inode), or the listed one when it cannot be opened; 0 when the process exited.
 */
static int process_target(struct ct_netns_walk *w, const struct ct_pid_ns *p, uint64_t *done)
{
	char path[PATH_MAX], label[128], err[320];
	const char *pid = p->pid;
	uint64_t inode = 0;
	int fd, r;

	*done = p->inode;
	if (ct_path(path, sizeof(path), "%s/%s/ns/net", w->procfs, pid) < 0)
		return 0;
	fd = open_ns(path, NULL, &inode, err, sizeof(err));
	if (fd == -ENOENT || fd == -ESRCH)
		*done = 0;
	if (fd < 0) {
		if (fd != -ENOENT && fd != -ESRCH && fd != -EINVAL)
			note_unseen(w->scan, &w->u, w->procfs, pid, path, -fd);
		return 0;
	}
	*done = inode;
	r = named(w, pid, inode, label, sizeof(label));
	if (r == 0 && !known(w->v, w->n, inode)) {
		r = push(&w->v, &w->n, fd, 0, inode, label);
		if (r == 0)
			return 0; /* kept, with its fd */
	}
	close(fd);
	return r;
}

/*
 * One process of the listing: its namespace, kept when it is new. A namespace counts as seen once
 * it is dealt with: a process that exited or moved since it was listed leaves its namespace to
 * the next process that holds it.
 */
static int process_one(struct ct_netns_walk *w, const struct ct_pid_ns *p)
{
	char path[PATH_MAX];
	uint64_t done = 0;
	int r;

	if (p->err < 0) {
		/* ENOENT, ESRCH: the process exited (with it any namespace only it held). */
		if (p->err != -ENOENT && p->err != -ESRCH &&
		    ct_path(path, sizeof(path), "%s/%s/ns/net", w->procfs, p->pid) == 0)
			note_unseen(w->scan, &w->u, w->procfs, p->pid, path, -p->err);
		return 0;
	}
	if (inode_seen(&w->seen, p->inode))
		return 0;
	r = process_target(w, p, &done);
	if (r == 0 && done)
		r = inode_add(&w->seen, done);
	return r;
}

/*
 * Our own namespace's name: "host" when it is the initial one; else what it is (the /run/netns
 * name pointing at it, our container or service) or "own": never "host" when that cannot be told.
 * The system's /run/netns is not asked about a proc tree read elsewhere (--procfs).
 */
static void own_label(const char *procfs, uint64_t self, char *label, size_t len)
{
	if (ct_netns_initial(procfs, self, &init_inode) == CT_INITIAL_YES) {
		snprintf(label, len, "host");
		return;
	}
	ct_own_ns_name(procfs, strcmp(procfs, "/proc") == 0 ? RUN_NETNS : NULL, self, label, len);
}

int ct_netns_own_target(const char *procfs, bool named, struct ct_ns_target **out, size_t *n)
{
	char own[128] = "own";
	uint64_t inode = 0;

	*out = NULL;
	*n = 0;
	/*
	 * Unnamed on the system's own /proc, the inode is left to whoever needs it (the caller
	 * asks when the namespace has no cookie): the first look at /proc/self costs 10 us.
	 */
	if ((named || strcmp(procfs, "/proc") != 0) && ct_netns_self(procfs, &inode) < 0)
		inode = 0;
	if (named)
		own_label(procfs, inode, own, sizeof(own));
	return push(out, n, -1, 0, inode, own);
}

/* Every namespace: named ones first (their names are the best labels); processes' follow. */
static int all_targets(const char *procfs, struct ct_ns_target **v, size_t *n,
		       struct ct_netns_scan *scan, struct ns_mounts *m, char *err, size_t errlen)
{
	uint64_t self = 0;
	char own[128];
	int r;

	r = ct_netns_self(procfs, &self);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s/self/ns/net: %s", procfs, strerror(-r));
		return r;
	}
	own_label(procfs, self, own, sizeof(own));
	r = push(v, n, -1, 0, self, own);
	if (r == 0)
		r = named_targets(v, n, scan, m);
	if (r < 0)
		mp_copy(err, errlen, strerror(-r));
	return r;
}

/* The namespaces known before any process is looked at: our own, the named ones, or spec's. */
static int first_targets(const char *spec, const char *procfs, bool name_own,
			 struct ct_ns_target **v, size_t *n, struct ct_netns_scan *scan, char *err,
			 size_t errlen)
{
	struct ns_mounts m = {0};
	char path[PATH_MAX];
	uint64_t inode = 0;
	int fd, r = 0;

	if (!spec)
		return ct_netns_own_target(procfs, name_own, v, n);
	if (strcmp(spec, "all") == 0) {
		r = all_targets(procfs, v, n, scan, &m, err, errlen);
		free(m.inode);
		return r;
	}
	if (spec[0] == '\0' || strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return snprintf(err, errlen, "empty or bad namespace name"), -EINVAL;
	if (ct_path(path, sizeof(path), strchr(spec, '/') ? "%s" : RUN_NETNS "/%s", spec) < 0)
		return snprintf(err, errlen, "--netns: the path is too long (%zu bytes)",
				strlen(spec)),
		       -ENAMETOOLONG;
	fd = open_ns(path, &m, &inode, err, errlen);
	free(m.inode);
	if (fd < 0)
		return fd;
	if (is_own(fd)) {
		close(fd);
		fd = -1;
	}
	r = push(v, n, fd, 0, inode, spec);
	if (r < 0 && fd >= 0)
		close(fd);
	return r;
}

static void stop_processes(struct ct_netns_walk *w)
{
	ct_proc_list_free(w->procs);
	w->procs = NULL;
	if (w->procfd >= 0)
		close(w->procfd);
	w->procfd = -1;
}

/* The namespaces of running processes (containers without a name): looked at from here on. */
static int start_processes(struct ct_netns_walk *w)
{
	int r = 0;

	w->procfd = open(w->procfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->procfd < 0)
		return 0; /* as before: no tree, no process */
	w->u.have_own = rtnl_id(w->procfs, "self", &w->u.own) == 0;
	for (size_t i = 0; i < w->n && r == 0; i++)
		r = inode_add(&w->seen, w->v[i].inode);
	if (r == 0)
		r = ct_proc_scan_start(w->procfd, &w->procs);
	if (r < 0)
		stop_processes(w);
	return r;
}

int ct_netns_walk_start(const char *spec, const char *procfs, bool name_own,
			struct ct_netns_walk **out, struct ct_netns_scan *scan, char *err,
			size_t errlen)
{
	struct ct_netns_walk *w = calloc(1, sizeof(*w));
	int r;

	*out = w;
	memset(scan, 0, sizeof(*scan));
	if (!w)
		return snprintf(err, errlen, "%s", strerror(ENOMEM)), -ENOMEM;
	w->procfs = procfs;
	w->scan = scan;
	w->procfd = -1;
	r = first_targets(spec, procfs, name_own, &w->v, &w->n, scan, err, errlen);
	if (r == 0 && spec && strcmp(spec, "all") == 0 && (r = start_processes(w)) < 0)
		mp_copy(err, errlen, strerror(-r));
	return r;
}

/*
 * Every process is looked at (a namespace may be held by one process alone), at the cost of one
 * readlink each beside the directory listing (procscan.c); most share the namespace of the one
 * before or one seen before. Until the next namespace is found, or the last process is seen.
 */
static int next_process_target(struct ct_netns_walk *w, char *err, size_t errlen)
{
	while (w->given == w->n && w->procs) {
		const struct ct_pid_ns *p;
		int r = ct_proc_next(w->procs, &p);

		if (r == 0)
			stop_processes(w);
		if (r == 1 && p->err == 0 && p->inode == w->last)
			continue;
		if (r == 1)
			r = process_one(w, p);
		if (r < 0) {
			stop_processes(w);
			return snprintf(err, errlen, "%s", strerror(-r)), r;
		}
		if (r == 0 && w->procs && p->err == 0 && inode_seen(&w->seen, p->inode))
			w->last = p->inode;
	}
	return 0;
}

int ct_netns_walk_next(struct ct_netns_walk *w, struct ct_ns_target *t, char *err, size_t errlen)
{
	int r = next_process_target(w, err, errlen);

	if (r < 0)
		return r;
	if (w->given == w->n)
		return 0;
	*t = w->v[w->given];
	w->v[w->given++].fd = -1; /* the caller's now */
	return 1;
}

bool ct_netns_walk_pending(const struct ct_netns_walk *w)
{
	return w->given < w->n || w->procs;
}

void ct_netns_walk_end(struct ct_netns_walk *w)
{
	if (!w)
		return;
	stop_processes(w);
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].fd >= 0)
			close(w->v[i].fd);
	free(w->v);
	free(w->seen.slot);
	free(w->u.ids);
	free(w->labels.slot);
	free(w);
}

int ct_netns_targets(const char *spec, const char *procfs, struct ct_ns_target **out, size_t *n,
		     struct ct_netns_scan *scan, char *err, size_t errlen)
{
	struct ct_netns_walk *w = NULL;
	struct ct_ns_target t;
	int r = ct_netns_walk_start(spec, procfs, true, &w, scan, err, errlen);

	*out = NULL;
	*n = 0;
	while (r >= 0 && (r = ct_netns_walk_next(w, &t, err, errlen)) > 0) {
		struct ct_ns_target *slot = grow(out, n);

		if (slot) {
			*slot = t;
			continue;
		}
		r = -ENOMEM;
		mp_copy(err, errlen, strerror(ENOMEM));
		if (t.fd >= 0)
			close(t.fd);
	}
	ct_netns_walk_end(w);
	if (r < 0) {
		for (size_t i = 0; i < *n; i++)
			if ((*out)[i].fd >= 0)
				close((*out)[i].fd);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
