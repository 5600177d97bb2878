/* Network namespaces to check: our own, one by name or path, or every one on the host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

#define RUN_NETNS "/run/netns"

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

	snprintf(path, sizeof(path), "%s/self/ns/net", procfs);
	if (stat(path, &st) < 0)
		return -errno;
	*inode = st.st_ino;
	return 0;
}

static int push(struct ct_ns_target **v, size_t *n, int fd, uint64_t inode, const char *label)
{
	struct ct_ns_target *nv = realloc(*v, sizeof(**v) * (*n + 1));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n].fd = fd;
	nv[*n].inode = inode;
	snprintf(nv[*n].label, sizeof(nv[*n].label), "%s", label);
	(*n)++;
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

/* Open a namespace file and check it is one: a bind mount under /run/netns or /proc/PID/ns/net. */
static int open_ns(const char *path, uint64_t *inode, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open network namespace %s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s is not a network namespace", path);
		return -EINVAL;
	}
	*inode = st.st_ino;
	return fd;
}

/* Every namespace: named ones first (their names are the best labels), then processes'. */
static int all_targets(const char *procfs, struct ct_ns_target **v, size_t *n, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], label[128];
	uint64_t self = 0, inode = 0;
	struct dirent *de;
	DIR *d;
	int fd, r;

	r = ct_netns_self(procfs, &self);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s/self/ns/net: %s", procfs, strerror(-r));
		return r;
	}
	if (push(v, n, -1, self, "host") < 0)
		return -ENOMEM;
	d = opendir(RUN_NETNS);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", RUN_NETNS, de->d_name);
		fd = open_ns(path, &inode, err, errlen);
		if (fd < 0)
			continue;
		if (known(*v, *n, inode) || push(v, n, fd, inode, de->d_name) < 0)
			close(fd);
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s", procfs);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		struct stat st;
		char comm[64] = "?";

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/ns/net", procfs, de->d_name);
		if (stat(path, &st) < 0 || known(*v, *n, st.st_ino))
			continue;
		fd = open_ns(path, &inode, err, errlen);
		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", procfs, de->d_name);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(label, sizeof(label), "pid %.20s (%.60s)", de->d_name, comm);
		if (known(*v, *n, inode) || push(v, n, fd, inode, label) < 0)
			close(fd);
	}
	if (d)
		closedir(d);
	err[0] = '\0';
	return 0;
}

int ct_netns_targets(const char *spec, const char *procfs, struct ct_ns_target **out, size_t *n,
		     char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint64_t inode = 0;
	int fd, r;

	*out = NULL;
	*n = 0;
	if (!spec) {
		r = ct_netns_self(procfs, &inode);
		if (r < 0)
			inode = 0;
		return push(out, n, -1, inode, "host");
	}
	if (strcmp(spec, "all") == 0) {
		r = all_targets(procfs, out, n, err, errlen);
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
	if (strchr(spec, '/'))
		snprintf(path, sizeof(path), "%s", spec);
	else if (spec[0] == '\0' || strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return snprintf(err, errlen, "empty or bad namespace name"), -EINVAL;
	else
		snprintf(path, sizeof(path), "%s/%s", RUN_NETNS, spec);
	fd = open_ns(path, &inode, err, errlen);
	if (fd < 0)
		return fd;
	r = push(out, n, fd, inode, spec);
	if (r < 0)
		close(fd);
	return r;
}
