/* What boot will set for a sysctl: sysctl.d files read the way systemd-sysctl and procps do. */
#include "sysctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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

/* Bounds on the work done per run: files considered, bytes read per file, symlinks followed. */
#define SYSCTL_MAX_FILES 1000
#define SYSCTL_MAX_FILE_SIZE (1024 * 1024)
#define SYSCTL_MAX_LINKS 40
#define SYSCTL_KEY_MAX 256

/*
 * The directories systemd-sysctl reads, highest precedence first (relative to root). /lib/sysctl.d
 * only matters on systems without a merged /usr; where /lib is a link to usr/lib its names are
 * masked by the identical names found in /usr/lib/sysctl.d.
 */
static const char *const sysctl_dirs[] = {
	"etc/sysctl.d",	    "run/sysctl.d", "usr/local/lib/sysctl.d",
	"usr/lib/sysctl.d", "lib/sysctl.d",
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trim [*s, *e) in place. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static void copy_span(char *dst, size_t dstlen, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Bring a key to the slashed form of a /proc/sys path: if the first separator is a dot, dots and
 * slashes swap roles (so "net.ipv4.conf.eth0/1.x" names conf/eth0.1/x); if it is a slash, the key
 * is already a path and dots stay part of names. Repeated and outer slashes are dropped.
 * Returns false when the key does not fit in out (it then matches nothing).
 */
static bool normalize_key(const char *s, size_t n, char *out, size_t outlen)
{
	bool swap = false;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == '.') {
			swap = s[i] == '.';
			break;
		}
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (swap && c == '.')
			c = '/';
		else if (swap && c == '/')
			c = '.';
		if (c == '/' && (o == 0 || out[o - 1] == '/'))
			continue;
		if (o + 1 >= outlen)
			return false;
		out[o++] = c;
	}
	if (o > 0 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return true;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Does the (normalized) file key name one of the keys, exactly or as a glob pattern? */
static bool key_matches(const char *norm, bool glob, const char *const *keys)
{
	char alias[SYSCTL_KEY_MAX];
	size_t i;

	for (i = 0; keys[i]; i++) {
		if (!normalize_key(keys[i], strlen(keys[i]), alias, sizeof(alias)))
			continue;
		if (glob ? fnmatch(norm, alias, FNM_PATHNAME) == 0 : strcmp(norm, alias) == 0)
			return true;
	}
	return false;
}

/*
 * Handle one line [s, e). Returns 1 when it assigned one of the keys, else 0.
 * systemd's rules: explicit keys always beat glob patterns whatever the order, and a bare
 * "-key" (no '=') excludes that key from glob patterns. out->key remembers which kind of line
 * decided the current result, so the rule carries across files.
 */
static int parse_line(const char *s, const char *e, const char *file, unsigned line,
		      const char *const *keys, struct ct_sysctl_setting *out)
{
	const char *eq, *ks, *ke, *vs, *ve;
	char norm[SYSCTL_KEY_MAX];
	bool glob, exclusion;

	trim(&s, &e);
	if (s == e || *s == '#' || *s == ';')
		return 0;
	eq = memchr(s, '=', (size_t)(e - s));
	ks = s;
	ke = eq ? eq : e;
	if (*ks == '-')
		ks++;
	trim(&ks, &ke);
	exclusion = !eq;
	if (exclusion && ks == s)
		return 0; /* not an assignment: systemd and procps reject the line */
	if (ks == ke || ke - ks >= (long)sizeof(out->key))
		return 0;
	if (!normalize_key(ks, (size_t)(ke - ks), norm, sizeof(norm)) || !norm[0])
		return 0;
	glob = has_glob(norm);
	if (exclusion && glob)
		return 0; /* exclusions name concrete keys only */
	if (!key_matches(norm, glob, keys))
		return 0;

	if (exclusion) {
		/* Only a glob could have set the value so far; the exclusion undoes that. */
		if (out->found && out->key[0] && has_glob(out->key)) {
			out->found = false;
			out->value[0] = '\0';
		}
		if (!out->found) {
			out->key[0] = '-';
			copy_span(out->key + 1, sizeof(out->key) - 1, ks, ke);
			snprintf(out->file, sizeof(out->file), "%s", file ? file : "");
			out->line = line;
		}
		return 0;
	}
	/* A glob never overrides an explicit assignment or exclusion. */
	if (glob && out->key[0] && !has_glob(out->key))
		return 0;

	vs = eq + 1;
	ve = e;
	trim(&vs, &ve);
	if (out->found)
		out->overridden++;
	out->found = true;
	copy_span(out->key, sizeof(out->key), ks, ke);
	copy_span(out->value, sizeof(out->value), vs, ve);
	snprintf(out->file, sizeof(out->file), "%s", file ? file : "");
	out->line = line;
	return 1;
}

/*
 * Lines end at "\n", "\r", "\r\n" or a NUL byte, like systemd's line reader; text need not be
 * NUL-terminated. Returns the number of assignments to the keys seen, or -EINVAL on bad arguments.
 */
int ct_sysctl_parse(const char *text, size_t len, const char *file, const char *const *keys,
		    struct ct_sysctl_setting *out)
{
	const char *p, *end;
	unsigned line = 0;
	int n = 0;

	if ((!text && len) || !keys || !out)
		return -EINVAL;
	if (!text)
		return 0;
	p = text;
	end = text + len;
	while (p < end) {
		const char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r' && *eol != '\0')
			eol++;
		if (line < UINT_MAX)
			line++;
		n += parse_line(p, eol, file, line, keys, out);
		if (eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
			eol++;
		p = eol + 1;
	}
	return n;
}

static void note(char *err, size_t errlen, bool overwrite, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Put a one-line reason in err; unless overwrite, keep the first reason already there. */
static void note(char *err, size_t errlen, bool overwrite, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen || (!overwrite && err[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
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
		if (++links > SYSCTL_MAX_LINKS)
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

void ct_sysctl_test_manual_resolve(bool on)
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

/* One candidate file: 260 bytes, so the usual handful costs one page, not one each. */
struct conf_entry {
	char name[NAME_MAX + 1];
	unsigned char dir; /* index in sysctl_dirs; the sysctl.conf entry has none */
	bool skip;
	dev_t dev;
	ino_t ino;
};

static bool conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct conf_entry *)a)->name, ((const struct conf_entry *)b)->name);
}

/* Room for one more entry: doubling, up to SYSCTL_MAX_FILES (+1 for sysctl.conf). */
static int grow_entries(struct conf_entry **ent, size_t *cap, size_t n)
{
	struct conf_entry *ne;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	if (want > SYSCTL_MAX_FILES + 1)
		want = SYSCTL_MAX_FILES + 1;
	if (want <= n)
		return -ENOSPC;
	ne = realloc(*ent, want * sizeof(**ent));
	if (!ne)
		return -ENOMEM;
	*ent = ne;
	*cap = want;
	return 0;
}

/* Where an entry lives, as the admin would write it: "/etc/sysctl.d/10-x.conf". */
static void entry_path(const struct conf_entry *e, bool conf, char *out, size_t outlen)
{
	if (conf)
		snprintf(out, outlen, "/etc/sysctl.conf");
	else
		snprintf(out, outlen, "/%s/%s", sysctl_dirs[e->dir], e->name);
}

/* The kernel's directory record (getdents64): read straight into a stack buffer. */
struct ct_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/*
 * Add the .conf names of one directory; a name already seen comes from a directory of higher
 * precedence and masks this one. Returns 0, or -errno when the directory exists but cannot be read.
 */
static int scan_dir(int rootfd, bool real_root, unsigned d, struct conf_entry **entp, size_t *cap,
		    size_t *n, char *err, size_t errlen)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open_in_root(rootfd, real_root, sysctl_dirs[d], O_RDONLY | O_DIRECTORY);
	bool full = false;

	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0) {
		note(err, errlen, true, "cannot read /%s: %s", sysctl_dirs[d], strerror(-fd));
		return fd;
	}
	while (!full) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		long off;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int r = -errno;

			note(err, errlen, true, "cannot read /%s: %s", sysctl_dirs[d],
			     strerror(errno));
			close(fd);
			return r;
		}
		if (got == 0)
			break;
		for (off = 0; off < got && !full;) {
			const struct ct_dirent64 *de = (const void *)(buf + off);
			struct conf_entry *ent = *entp;
			bool seen = false;
			size_t i;

			if (de->reclen == 0 || off + de->reclen > got)
				break; /* cannot happen; never loop on it */
			off += de->reclen;
			if (!conf_name(de->name))
				continue;
			if (de->type != DT_REG && de->type != DT_LNK && de->type != DT_UNKNOWN)
				continue;
			for (i = 0; i < *n && !seen; i++)
				seen = strcmp(ent[i].name, de->name) == 0;
			if (seen)
				continue;
			if (*n >= SYSCTL_MAX_FILES) {
				note(err, errlen, false,
				     "more than %d sysctl.d files, /%s partly ignored",
				     SYSCTL_MAX_FILES, sysctl_dirs[d]);
				full = true;
				break;
			}
			if (grow_entries(entp, cap, *n) < 0) {
				close(fd);
				note(err, errlen, true, "%s", strerror(ENOMEM));
				return -ENOMEM;
			}
			ent = *entp;
			snprintf(ent[*n].name, sizeof(ent[*n].name), "%s", de->name);
			ent[*n].dir = (unsigned char)d;
			ent[*n].skip = false;
			(*n)++;
		}
	}
	close(fd);
	return 0;
}

/*
 * Read at most SYSCTL_MAX_FILE_SIZE bytes of a regular file into *buf (grown as needed, from the
 * file's size: most are a few hundred bytes); 0 masked/empty, >0 bytes, -errno.
 */
static ssize_t read_conf(int rootfd, bool real_root, const char *path, char **buf, size_t *cap,
			 bool *truncated)
{
	struct stat st;
	size_t got = 0;
	int fd;

	*truncated = false;
	fd = open_in_root(rootfd, real_root, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0; /* /dev/null, a fifo or anything else sets nothing */
	}
	for (;;) {
		ssize_t r;

		if (got == *cap) {
			size_t want = *cap ? *cap * 2 : 4096;
			char *nb;

			while (want < (size_t)st.st_size + 1 && want < SYSCTL_MAX_FILE_SIZE)
				want *= 2;
			if (want > SYSCTL_MAX_FILE_SIZE)
				want = SYSCTL_MAX_FILE_SIZE;
			if (want <= *cap)
				break; /* at the limit */
			nb = realloc(*buf, want);
			if (!nb) {
				close(fd);
				return -ENOMEM;
			}
			*buf = nb;
			*cap = want;
		}
		r = read(fd, *buf + got, *cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == (size_t)st.st_size && got < *cap)
			break; /* the whole file as fstat saw it: spare the read that says EOF */
	}
	if (got == SYSCTL_MAX_FILE_SIZE) {
		char c;

		*truncated = read(fd, &c, 1) == 1;
	}
	close(fd);
	return (ssize_t)got;
}

/*
 * Errors: a directory that exists but cannot be read makes the result incomplete, so it is
 * returned as -errno (with whatever was found still in out). A file that cannot be read is skipped
 * and noted in err (if nothing was noted before), and the call still returns 0.
 *
 * /etc/sysctl.conf is applied after all sysctl.d files, as `sysctl --system` does. A file reached
 * twice (Debian's /etc/sysctl.d/99-sysctl.conf is a link to ../sysctl.conf) is read only at its
 * last position, so it is neither counted twice nor applied earlier than it really takes effect.
 */
int ct_sysctl_boot_value(const char *root, const char *const *keys, struct ct_sysctl_setting *out,
			 char *err, size_t errlen)
{
	bool real_root = !root || !*root || strcmp(root, "/") == 0;
	struct conf_entry *ent = NULL;
	size_t n = 0, cap = 0, bufcap = 0, i, j;
	char *buf = NULL, path[PATH_MAX];
	int rootfd, ret = 0;
	unsigned d;

	if (err && errlen)
		err[0] = '\0';
	if (!out || !keys)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rootfd = open(real_root ? "/" : root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		ret = -errno;
		note(err, errlen, true, "cannot open root %s: %s", root ? root : "/",
		     strerror(errno));
		return ret;
	}
	/*
	 * Small and grown on demand: a run reads a handful of short files, and large allocations
	 * (mmap, page faults, munmap) cost more than the reading itself.
	 */
	for (d = 0; d < sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]); d++) {
		int r = scan_dir(rootfd, real_root, d, &ent, &cap, &n, err, errlen);

		if (r < 0 && ret == 0)
			ret = r;
	}
	if (grow_entries(&ent, &cap, n) < 0) {
		free(ent);
		close(rootfd);
		note(err, errlen, true, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	qsort(ent, n, sizeof(*ent), cmp_entry);
	ent[n].skip = false; /* /etc/sysctl.conf, last */
	n++;

	/* Which file each name really is: masks, dangling links and files reached twice. */
	for (i = 0; i < n; i++) {
		struct stat st;
		int r;

		entry_path(&ent[i], i == n - 1, path, sizeof(path));
		r = stat_in_root(rootfd, real_root, path + 1, &st);
		if ((r == 0 && !S_ISREG(st.st_mode)) || r == -ENOENT) {
			/* A link to /dev/null masks, a fifo sets nothing; a dangling link (or one
			 * to a /dev/null a fixture tree does not have) neither. */
			ent[i].skip = true;
		} else if (r < 0) {
			ent[i].skip = true;
			note(err, errlen, false, "cannot resolve %s: %s", path, strerror(-r));
		} else {
			ent[i].dev = st.st_dev;
			ent[i].ino = st.st_ino;
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && !ent[i].skip; j++)
			if (!ent[j].skip && ent[i].dev == ent[j].dev && ent[i].ino == ent[j].ino)
				ent[i].skip = true;

	for (i = 0; i < n; i++) {
		bool truncated;
		ssize_t got;

		if (ent[i].skip)
			continue;
		entry_path(&ent[i], i == n - 1, path, sizeof(path));
		got = read_conf(rootfd, real_root, path + 1, &buf, &bufcap, &truncated);
		if (got < 0) {
			if (got != -ENOENT)
				note(err, errlen, false, "cannot read %s: %s", path,
				     strerror((int)-got));
			continue;
		}
		if (truncated) {
			/* Drop the partial last line: half a number is worse than none. */
			while (got > 0 && buf[got - 1] != '\n')
				got--;
			note(err, errlen, false, "%s is larger than 1 MiB, rest ignored", path);
		}
		ct_sysctl_parse(buf, (size_t)got, path, keys, out);
	}
	free(buf);
	free(ent);
	close(rootfd);
	return ret;
}
