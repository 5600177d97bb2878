/*
 * Stable names for network namespaces: a pid and a process name change with every restart and
 * churn graphs; the container, the service or the program a namespace belongs to does not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp.h"
#include "nsname.h"
#include "procfs.h"

/* The kernel's fixed inode of the initial network namespace (Linux 6.17 on); dynamic ones start
 * at 0xF0000000, so no other namespace ever has it. */
#define INIT_NET_INODE 0xEFFFFFF9u
#define PF_KTHREAD 0x00200000u
#define ID_SHOWN 12 /* digits of a container id, as docker ps, podman ps and crictl show it */

/* The cgroup files are small; a process in a deep tree has a few hundred bytes. */
#define CGROUP_MAX 4096

static bool is_id(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A cgroup path's component as a container: "<runtime>-<id>.scope" or a bare id. */
struct runtime {
	const char *prefix; /* of the component */
	const char *name; /* as the namespace's name says it */
};

static const struct runtime runtimes[] = {
	{"docker-", "docker"}, {"cri-containerd-", "containerd"},
	{"crio-", "crio"},     {"libpod-", "podman"},
	{"cri-o-", "crio"},
};

static bool container(const char *c, size_t n, const char *parent, size_t pn, char *out, size_t len)
{
	size_t body = n >= 6 && strncmp(c + n - 6, ".scope", 6) == 0 ? n - 6 : n;

	for (size_t r = 0; r < sizeof(runtimes) / sizeof(runtimes[0]); r++) {
		size_t p = strlen(runtimes[r].prefix);

		if (body > p && strncmp(c, runtimes[r].prefix, p) == 0 && is_id(c + p, body - p)) {
			snprintf(out, len, "%s-%.*s", runtimes[r].name, ID_SHOWN, c + p);
			return true;
		}
	}
	if (!is_id(c, n))
		return false;
	/* cgroupfs drivers: /docker/<id>, /kubepods/burstable/pod<uid>/<id> */
	snprintf(out, len, "%s-%.*s",
		 pn == 6 && strncmp(parent, "docker", 6) == 0 ? "docker" : "container", ID_SHOWN,
		 c);
	return true;
}

/* "lxc.payload.NAME" (LXC 4 on) or "lxc/NAME": the container's own name. */
static bool lxc(const char *c, size_t n, const char *parent, size_t pn, char *out, size_t len)
{
	if (n > 12 && strncmp(c, "lxc.payload.", 12) == 0) {
		snprintf(out, len, "lxc-%.*s", (int)(n - 12), c + 12);
		return true;
	}
	if (pn == 3 && strncmp(parent, "lxc", 3) == 0) {
		snprintf(out, len, "lxc-%.*s", (int)n, c);
		return true;
	}
	return false;
}

/* How much a /proc/PID/cgroup line is trusted: the unified hierarchy's, systemd's, any other. */
static int line_rank(const char *line, size_t len, const char **path, size_t *n)
{
	const char *c1 = memchr(line, ':', len), *c2;

	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(line + len - c1 - 1)) : NULL;
	if (!c2 || c2[1] != '/')
		return 0;
	*path = c2 + 1;
	*n = (size_t)(line + len - c2 - 1);
	if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
		return 3;
	return strncmp(c1 + 1, "name=systemd:", 13) == 0 ? 2 : 1;
}

/* The container or service one cgroup path names, innermost first. */
static bool path_name(const char *path, size_t n, char *out, size_t len)
{
	const char *service = NULL;
	size_t sn = 0;

	/* Innermost first: a container inside a service's slice is the container. */
	for (size_t end = n; end > 0;) {
		size_t start = end, pstart, pn;

		while (start > 0 && path[start - 1] != '/')
			start--;
		pstart = start ? start - 1 : 0;
		while (pstart > 0 && path[pstart - 1] != '/')
			pstart--;
		pn = start ? start - 1 - pstart : 0;
		if (end > start &&
		    (container(path + start, end - start, path + pstart, pn, out, len) ||
		     lxc(path + start, end - start, path + pstart, pn, out, len)))
			return true;
		if (!service && end - start > 8 && strncmp(path + end - 8, ".service", 8) == 0) {
			service = path + start;
			sn = end - start;
		}
		end = start ? start - 1 : 0;
	}
	if (!service)
		return false;
	snprintf(out, len, "%.*s", (int)sn, service);
	return true;
}

/*
 * The unified hierarchy's path first, then systemd's, then the controllers': on a host with
 * both hierarchies a container may show in the controllers' paths only.
 */
bool ct_cgroup_name(const char *cgroup, char *out, size_t len)
{
	for (int want = 3; want > 0; want--)
		for (const char *line = cgroup; *line;) {
			size_t n = strcspn(line, "\n"), pn = 0;
			const char *path = NULL;

			if (line_rank(line, n, &path, &pn) == want && path_name(path, pn, out, len))
				return true;
			line += n + (line[n] == '\n');
		}
	return false;
}

/*
 * A small file of the proc tree, NUL-terminated; -errno. line: a one-line file (comm, stat), done
 * at its newline without asking again for the end of the file.
 */
static ssize_t read_small(const char *procfs, const char *pid, const char *file, char *buf,
			  size_t len, bool line)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (ct_path(path, sizeof(path), "%s/%s/%s", procfs, pid, file) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = mp_read_fd(fd, buf, len - 1, 0, line);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

void ct_process_ns_name(const char *procfs, const char *pid, char *out, size_t len)
{
	char buf[CGROUP_MAX] = "";

	if (read_small(procfs, pid, "cgroup", buf, sizeof(buf), false) > 0 &&
	    ct_cgroup_name(buf, out, len))
		return;
	if (read_small(procfs, pid, "comm", buf, 64, true) <= 0)
		snprintf(buf, sizeof(buf), "?");
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, len, "process %.60s", buf);
}

/* The namespace of kthreadd, which only the initial pid namespace shows as pid 2; 0: not told. */
static uint64_t kthread_netns(const char *procfs)
{
	char text[512] = "", path[PATH_MAX];
	const char *p;
	uint64_t flags = 0;
	struct stat st;

	if (read_small(procfs, "2", "stat", text, sizeof(text), true) <= 0)
		return 0;
	/* "2 (kthreadd) S 0 0 0 0 -1 FLAGS ...": the name may hold spaces, the last ')' ends it. */
	p = strrchr(text, ')');
	/* After the name: state, ppid, pgrp, session, tty, tpgid, then the flags. */
	for (int field = 0; p && field < 7; field++) {
		p = strchr(p + 1, ' ');
		while (p && p[1] == ' ')
			p++;
	}
	if (!p || mp_parse_u64(p + 1, strcspn(p + 1, " "), UINT64_MAX, &flags) < 0 ||
	    !(flags & PF_KTHREAD))
		return 0;
	if (ct_path(path, sizeof(path), "%s/2/ns/net", procfs) < 0 || stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

enum ct_initial ct_netns_initial(const char *procfs, uint64_t self, uint64_t *init_inode)
{
	char path[PATH_MAX];
	struct stat st;

	*init_inode = 0;
	if (self == INIT_NET_INODE) {
		*init_inode = self;
		return CT_INITIAL_YES;
	}
	*init_inode = kthread_netns(procfs);
	if (*init_inode)
		return *init_inode == self ? CT_INITIAL_YES : CT_INITIAL_NO;
	/* What the reader's namespace registers: net.core.netdev_max_backlog in the initial one. */
	if (ct_path(path, sizeof(path), "%s/sys/net/core/netdev_max_backlog", procfs) < 0)
		return CT_INITIAL_UNKNOWN;
	if (stat(path, &st) == 0) {
		*init_inode = self;
		return CT_INITIAL_YES;
	}
	if (errno != ENOENT || ct_path(path, sizeof(path), "%s/sys/net/core", procfs) < 0 ||
	    stat(path, &st) < 0)
		return CT_INITIAL_UNKNOWN;
	return CT_INITIAL_NO;
}

/* The entry under run_netns that is a mount of our namespace, if any. */
static bool run_netns_name(const char *run_netns, uint64_t self, char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = run_netns ? opendir(run_netns) : NULL;
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    ct_path(path, sizeof(path), "%s/%s", run_netns, de->d_name) < 0)
			continue;
		if (stat(path, &st) == 0 && st.st_ino == self && self) {
			mp_copy(out, len, de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

void ct_own_ns_name(const char *procfs, const char *run_netns, uint64_t self, char *out, size_t len)
{
	char buf[CGROUP_MAX] = "";

	if (run_netns_name(run_netns, self, out, len))
		return;
	if (read_small(procfs, "self", "cgroup", buf, sizeof(buf), false) > 0 &&
	    ct_cgroup_name(buf, out, len))
		return;
	snprintf(out, len, "own");
}
