/* Configuration files under --root: resolved inside it, read with bounds, listed as systemd does.
 */
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mp.h"

#if defined(__has_include) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else /* headers older than Linux 5.6: the call is tried anyway, ENOSYS falls back */
struct open_how {
	unsigned long long flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* Symlinks followed while resolving one path by hand. */
#define ROOT_MAX_LINKS 40

/* Count a source that could not be read; the first one names the reason. */
void ct_unread(struct ct_unread *u, int rc, const char *fmt, ...)
{
	va_list ap;

	u->n++;
	if (u->rc)
		return;
	u->rc = rc;
	if (!u->err || !u->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(u->err, u->errlen, fmt, ap);
	va_end(ap);
}

void ct_unread_finish(struct ct_unread *u)
{
	size_t used;

	if (u->n <= 1 || !u->err || !u->errlen)
		return;
	used = strlen(u->err);
	snprintf(u->err + used, u->errlen - used, " (and %u more)", u->n - 1);
}

/*
 * Resolve path (relative to rootfd) to a canonical path without symlinks, treating rootfd as "/"
 * for absolute link targets and "..". A link to /dev/null resolves to "dev/null" even when a
 * fixture tree has no dev/, so the caller can see the mask. 0 or -errno.
 */
static int resolve_in_root(int rootfd, const char *path, char *out, size_t outlen)
{
	char todo[PATH_MAX], target[PATH_MAX];
	unsigned links = 0;
	size_t o = 0;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo) || outlen < 2)
		return -ENAMETOOLONG;
	out[0] = '\0';
	while (todo[0]) {
		char *comp = todo, *slash;
		size_t clen, save = o;
		struct stat st;
		ssize_t tl;

		while (*comp == '/')
			comp++;
		if (!*comp)
			break;
		slash = strchr(comp, '/');
		clen = slash ? (size_t)(slash - comp) : strlen(comp);
		if (clen == 1 && comp[0] == '.') {
			memmove(todo, comp + clen, strlen(comp + clen) + 1);
			continue;
		}
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
			memmove(todo, comp + clen, strlen(comp + clen) + 1);
			continue;
		}
		if (o + (o ? 1 : 0) + clen + 1 > outlen)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, comp, clen);
		o += clen;
		out[o] = '\0';
		memmove(todo, comp + clen, strlen(comp + clen) + 1);
		if (fstatat(rootfd, out, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > ROOT_MAX_LINKS)
			return -ELOOP;
		tl = readlinkat(rootfd, out, target, sizeof(target) - 1);
		if (tl < 0)
			return -errno;
		if (tl == 0)
			return -ENOENT;
		target[tl] = '\0';
		if (strcmp(target, "/dev/null") == 0 && !todo[0]) {
			snprintf(out, outlen, "dev/null");
			return 0;
		}
		o = target[0] == '/' ? 0 : save;
		out[o] = '\0';
		if ((size_t)tl + 1 + strlen(todo) + 1 > sizeof(todo))
			return -ENAMETOOLONG;
		memmove(todo + tl + 1, todo, strlen(todo) + 1);
		memcpy(todo, target, (size_t)tl);
		todo[tl] = '/';
	}
	if (!out[0])
		snprintf(out, outlen, ".");
	return 0;
}

/* Test hook: resolve by hand under every root, as on kernels without openat2. */
static bool manual_resolve;

void ct_root_test_manual_resolve(bool on)
{
	manual_resolve = on;
}

/*
 * Open path (relative to rootfd) following links as if rootfd were "/". The kernel does that in
 * one call (openat2 RESOLVE_IN_ROOT, Linux 5.6); older kernels, or a seccomp filter that refuses
 * the call, get the path resolved by hand first. Returns an fd or -errno.
 */
static int open_in_root(int rootfd, bool real_root, const char *path, int flags)
{
	struct open_how how = {
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char real[PATH_MAX];
	int fd, r, tries = 0;

	/* openat2 refuses O_PATH with O_NOCTTY. */
	flags |= O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY);
	/* Under the real root the kernel's own resolution is that already (and older tools, such
	 * as valgrind 3.19, know nothing of openat2). */
	if (real_root && !manual_resolve) {
		fd = openat(rootfd, path, flags);
		return fd < 0 ? -errno : fd;
	}
	how.flags = (unsigned long long)flags;

	while (!manual_resolve) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno == EAGAIN && ++tries < 8)
			continue; /* a concurrent rename: the kernel asks to try again */
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		break;
	}
	r = resolve_in_root(rootfd, path, real, sizeof(real));
	if (r < 0)
		return r;
	fd = openat(rootfd, real, flags | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/*
 * stat() of what path names under the root, links followed. Under the real root the kernel's
 * own resolution is the same thing in one call.
 */
static int stat_in_root(int rootfd, bool real_root, const char *path, struct stat *st)
{
	int fd, r = 0;

	if (real_root && !manual_resolve)
		return fstatat(rootfd, path, st, 0) < 0 ? -errno : 0;
	fd = open_in_root(rootfd, real_root, path, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Paths are relative to the root; a leading '/' as the admin writes it is the same thing. */
static const char *relative(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

int ct_root_open(struct ct_root *r, const char *root)
{
	r->real = !root || !*root || strcmp(root, "/") == 0;
	r->fd = open(r->real ? "/" : root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

void ct_root_close(struct ct_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

int ct_root_openat(const struct ct_root *r, const char *path, int flags)
{
	return open_in_root(r->fd, r->real, relative(path), flags);
}

int ct_root_stat(const struct ct_root *r, const char *path, struct stat *st)
{
	return stat_in_root(r->fd, r->real, relative(path), st);
}

void ct_stamp_set(struct ct_stamp *s, int rc, const struct stat *st)
{
	memset(s, 0, sizeof(*s));
	s->err = rc < 0 ? rc : 0;
	if (rc < 0)
		return;
	s->mode = st->st_mode;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = (uint64_t)st->st_size;
	s->mtime_s = st->st_mtim.tv_sec;
	s->mtime_ns = st->st_mtim.tv_nsec;
	s->ctime_s = st->st_ctim.tv_sec;
	s->ctime_ns = st->st_ctim.tv_nsec;
}

void ct_stamp_of(const struct ct_root *r, const char *path, struct ct_stamp *s)
{
	struct stat st;

	ct_stamp_set(s, ct_root_stat(r, path, &st), &st);
}

bool ct_stamp_same(const struct ct_stamp *a, const struct ct_stamp *b)
{
	return a->err == b->err && a->mode == b->mode && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

bool ct_stamp_recent(const struct ct_stamp *s, time_t now)
{
	return s->err == 0 && (s->mtime_s >= (int64_t)now - 2 || s->ctime_s >= (int64_t)now - 2);
}

ssize_t ct_root_read(const struct ct_root *r, const char *path, size_t max, char **buf, size_t *cap,
		     bool *truncated)
{
	struct stat st;
	ssize_t got;
	int fd;

	*truncated = false;
	if (max == 0)
		return -EINVAL;
	fd = ct_root_openat(r, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0; /* /dev/null, a fifo or anything else holds nothing */
	}
	got = mp_read_fd_alloc(fd, buf, cap, max, (size_t)st.st_size);
	close(fd);
	if (got > (ssize_t)max) {
		*truncated = true;
		got = (ssize_t)max;
	}
	return got;
}

static bool conf_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return name[0] != '.' && n > s && strcmp(name + n - s, suffix) == 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct ct_conf_file *)a)->name,
		      ((const struct ct_conf_file *)b)->name);
}

/* Room for one more entry: doubling, up to max_files (+1 for the last file). */
static int grow_entries(struct ct_conf_file **ent, size_t *cap, size_t n, size_t max_files)
{
	struct ct_conf_file *ne;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	if (want > max_files + 1)
		want = max_files + 1;
	if (want <= n)
		return -ENOSPC;
	ne = realloc(*ent, want * sizeof(**ent));
	if (!ne)
		return -ENOMEM;
	*ent = ne;
	*cap = want;
	return 0;
}

void ct_conf_path(const struct ct_conf_dirs *d, const struct ct_conf_file *e, char *out,
		  size_t outlen)
{
	if (e->dir >= d->ndirs)
		snprintf(out, outlen, "/%s", d->last ? d->last : "");
	else
		snprintf(out, outlen, "/%s/%s", d->dirs[e->dir], e->name);
}

/* The kernel's directory record (getdents64): read straight into a stack buffer. */
struct ct_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Is name listed already? Then a directory of higher precedence has it: it masks this one. */
static bool listed(const struct ct_conf_file *ent, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ent[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Add the names of one directory. A directory that exists but cannot be read, wholly or in
 * part, is counted in u: any name in it could mask or set what matters.
 */
static void scan_dir(const struct ct_root *r, const struct ct_conf_dirs *d, unsigned dir,
		     struct ct_conf_file **entp, size_t *cap, size_t *n, struct ct_unread *u)
{
	char buf[4096] __attribute__((aligned(8)));
	const char *path = d->dirs[dir];
	int fd = ct_root_openat(r, path, O_RDONLY | O_DIRECTORY);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return;
	if (fd < 0) {
		ct_unread(u, fd, "cannot read /%s: %s", path, strerror(-fd));
		return;
	}
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		long off;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ct_unread(u, -errno, "cannot read /%s: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		for (off = 0; off < got;) {
			const struct ct_dirent64 *de = (const void *)(buf + off);
			int rc;

			if (de->reclen == 0 || off + de->reclen > got)
				break; /* cannot happen; never loop on it */
			off += de->reclen;
			if (!conf_name(de->name, d->suffix))
				continue;
			if (de->type != DT_REG && de->type != DT_LNK && de->type != DT_UNKNOWN)
				continue;
			if (listed(*entp, *n, de->name))
				continue;
			if (*n >= d->max_files) {
				ct_unread(u, -E2BIG, "more than %zu %s files: /%s not read whole",
					  d->max_files, d->what, path);
				close(fd);
				return;
			}
			rc = grow_entries(entp, cap, *n, d->max_files);
			if (rc < 0) {
				ct_unread(u, rc, "cannot read /%s: %s", path, strerror(-rc));
				close(fd);
				return;
			}
			mp_copy((*entp)[*n].name, sizeof((*entp)[*n].name), de->name);
			(*entp)[*n].dir = (unsigned char)dir;
			(*entp)[*n].skip = false;
			(*n)++;
		}
	}
	close(fd);
}

/*
 * Which file each name really is: masks, dangling links and files reached twice (read only at
 * their last position). A name that cannot be resolved (a symlink loop, a directory it cannot
 * search) may be a file that matters: counted in u.
 */
static void resolve_entries(const struct ct_root *r, const struct ct_conf_dirs *d,
			    struct ct_conf_file *ent, size_t n, struct ct_unread *u)
{
	char path[PATH_MAX];
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct stat st;
		int rc;

		ct_conf_path(d, &ent[i], path, sizeof(path));
		rc = ct_root_stat(r, path, &st);
		ct_stamp_set(&ent[i].stamp, rc, &st);
		if ((rc == 0 && !S_ISREG(st.st_mode)) || rc == -ENOENT) {
			/* A link to /dev/null masks, a fifo sets nothing; a dangling link (or one
			 * to a /dev/null a fixture tree does not have) neither. */
			ent[i].skip = true;
		} else if (rc < 0) {
			ent[i].skip = true;
			ct_unread(u, rc, "cannot read %s: %s", path, strerror(-rc));
		} else {
			ent[i].dev = st.st_dev;
			ent[i].ino = st.st_ino;
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && !ent[i].skip; j++)
			if (!ent[j].skip && ent[i].dev == ent[j].dev && ent[i].ino == ent[j].ino)
				ent[i].skip = true;
}

int ct_conf_list(const struct ct_root *r, const struct ct_conf_dirs *d, struct ct_conf_file **out,
		 size_t *n, struct ct_unread *u, struct ct_stamp *dirs)
{
	struct ct_conf_file *ent = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	/*
	 * Small and grown on demand: a run reads a handful of short files, and large allocations
	 * (mmap, page faults, munmap) cost more than the reading itself.
	 */
	for (unsigned dir = 0; dir < d->ndirs; dir++) {
		if (dirs)
			ct_stamp_of(r, d->dirs[dir], &dirs[dir]);
		scan_dir(r, d, dir, &ent, &cap, n, u);
	}
	rc = grow_entries(&ent, &cap, *n, d->max_files);
	if (rc < 0) {
		free(ent);
		*n = 0;
		return rc;
	}
	qsort(ent, *n, sizeof(*ent), cmp_entry);
	if (d->last) {
		ent[*n].name[0] = '\0';
		ent[*n].dir = (unsigned char)d->ndirs;
		ent[*n].skip = false;
		(*n)++;
	}
	resolve_entries(r, d, ent, *n, u);
	*out = ent;
	return 0;
}
