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

/* systemd strips lines, keys and values of these only: a vertical tab stays part of a key. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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

/* The kernel's isspace() (lib/ctype.c): ASCII white space and Latin-1's no-break space. */
static bool kernel_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* A digit's value as the kernel's integer parser reads it (bases up to 16); 16 for none. */
static unsigned digit_value(unsigned char c)
{
	unsigned char lc = c | 0x20;

	if (c >= '0' && c <= '9')
		return c - '0';
	if (lc >= 'a' && lc <= 'f')
		return lc - 'a' + 10u;
	return 16;
}

/* The number the kernel's proc_get_long() reads from a NUL-padded window: *len consumed. */
static int window_number(const char *w, size_t left, bool *neg, unsigned long long *val,
			 size_t *len)
{
	unsigned base = 10;
	size_t p = 0;
	bool overflow = false;

	*neg = w[0] == '-' && left > 1;
	p = *neg;
	if (w[p] < '0' || w[p] > '9')
		return -EINVAL;
	if (w[p] == '0' && (w[p + 1] | 0x20) == 'x' && digit_value((unsigned char)w[p + 2]) < 16) {
		base = 16;
		p += 2;
	} else if (w[p] == '0') {
		base = 8;
	}
	*val = 0;
	for (; digit_value((unsigned char)w[p]) < base; p++) {
		overflow |= __builtin_mul_overflow(*val, base, val);
		overflow |= __builtin_add_overflow(*val, digit_value((unsigned char)w[p]), val);
	}
	*len = p;
	return overflow ? -EINVAL : 0;
}

int ct_sysctl_dointvec(const char *s, size_t n, int *out)
{
	/* The kernel looks at 21 characters at most; a number that fills them is refused. */
	char w[24];
	size_t i = 0, left, len;
	unsigned long long v;
	bool neg;

	if (!s || !out)
		return -EINVAL;
	while (i < n && kernel_space((unsigned char)s[i]))
		i++;
	left = n - i + 1; /* the newline the writer appends counts */
	if (i == n)
		return -EINVAL; /* only white space: nothing to store */
	memset(w, 0, sizeof(w));
	memcpy(w, s + i, left - 1 < 21 ? left - 1 : 21);
	if (left - 1 < 21)
		w[left - 1] = '\n';
	if (window_number(w, left, &neg, &v, &len) < 0 || len >= 21)
		return -EINVAL;
	if (len < left && w[len] != ' ' && w[len] != '\t' && w[len] != '\n')
		return -EINVAL;
	if (neg ? v > (unsigned long long)INT_MAX + 1 : v > INT_MAX)
		return -EINVAL;
	*out = neg ? (int)(-(long long)v) : (int)v;
	return 0;
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
	out->number_rc = ct_sysctl_dointvec(vs, (size_t)(ve - vs), &out->number);
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

/* What could not be read: the first failure's errno and reason, and how many there were. */
struct unread {
	int rc;
	unsigned n;
	char *err;
	size_t errlen;
};

static void unread(struct unread *u, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Count a source that could not be read; the first one names the reason. */
static void unread(struct unread *u, int rc, const char *fmt, ...)
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
 * precedence and masks this one. A directory that exists but cannot be read, wholly or in part,
 * is counted in u: any name in it could mask or set the limit.
 */
static void scan_dir(int rootfd, bool real_root, unsigned d, struct conf_entry **entp, size_t *cap,
		     size_t *n, struct unread *u)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open_in_root(rootfd, real_root, sysctl_dirs[d], O_RDONLY | O_DIRECTORY);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return;
	if (fd < 0) {
		unread(u, fd, "cannot read /%s: %s", sysctl_dirs[d], strerror(-fd));
		return;
	}
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		long off;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			unread(u, -errno, "cannot read /%s: %s", sysctl_dirs[d], strerror(errno));
			break;
		}
		if (got == 0)
			break;
		for (off = 0; off < got;) {
			const struct ct_dirent64 *de = (const void *)(buf + off);
			struct conf_entry *ent = *entp;
			bool seen = false;
			size_t i;
			int r;

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
				unread(u, -E2BIG, "more than %d sysctl.d files: /%s not read whole",
				       SYSCTL_MAX_FILES, sysctl_dirs[d]);
				close(fd);
				return;
			}
			r = grow_entries(entp, cap, *n);
			if (r < 0) {
				unread(u, r, "cannot read /%s: %s", sysctl_dirs[d], strerror(-r));
				close(fd);
				return;
			}
			ent = *entp;
			snprintf(ent[*n].name, sizeof(ent[*n].name), "%s", de->name);
			ent[*n].dir = (unsigned char)d;
			ent[*n].skip = false;
			(*n)++;
		}
	}
	close(fd);
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
 * Which file each name really is: masks, dangling links and files reached twice. A name that
 * cannot be resolved (a symlink loop, a directory it cannot search) may be a file that sets the
 * limit: counted in u.
 */
static void resolve_entries(int rootfd, bool real_root, struct conf_entry *ent, size_t n,
			    struct unread *u)
{
	char path[PATH_MAX];
	size_t i, j;

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
			unread(u, r, "cannot read %s: %s", path, strerror(-r));
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

/* Read and parse the files in the order boot applies them. */
static void parse_entries(int rootfd, bool real_root, const struct conf_entry *ent, size_t n,
			  const char *const *keys, struct ct_sysctl_setting *out, struct unread *u)
{
	char *buf = NULL, path[PATH_MAX];
	size_t bufcap = 0, i;

	for (i = 0; i < n; i++) {
		bool truncated;
		ssize_t got;

		if (ent[i].skip)
			continue;
		entry_path(&ent[i], i == n - 1, path, sizeof(path));
		got = read_conf(rootfd, real_root, path + 1, &buf, &bufcap, &truncated);
		if (got == -ENOENT)
			continue; /* removed since it was listed: it sets nothing now */
		if (got < 0) {
			unread(u, (int)got, "cannot read %s: %s", path, strerror((int)-got));
			continue;
		}
		if (truncated) {
			/* Drop the partial last line: half a number is worse than none. */
			while (got > 0 && buf[got - 1] != '\n')
				got--;
			unread(u, -EFBIG, "cannot read %s: larger than 1 MiB", path);
		}
		ct_sysctl_parse(buf, (size_t)got, path, keys, out);
	}
	free(buf);
}

/*
 * /etc/sysctl.conf is applied after all sysctl.d files, as `sysctl --system` does. A file reached
 * twice (Debian's /etc/sysctl.d/99-sysctl.conf is a link to ../sysctl.conf) is read only at its
 * last position, so it is neither counted twice nor applied earlier than it really takes effect.
 */
int ct_sysctl_boot_value(const char *root, const char *const *keys, struct ct_sysctl_setting *out,
			 char *err, size_t errlen)
{
	bool real_root = !root || !*root || strcmp(root, "/") == 0;
	struct unread u = {.err = err, .errlen = errlen};
	struct conf_entry *ent = NULL;
	size_t n = 0, cap = 0;
	int rootfd, r;
	unsigned d;

	if (err && errlen)
		err[0] = '\0';
	if (!out || !keys)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rootfd = open(real_root ? "/" : root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		unread(&u, -errno, "cannot open root %s: %s", root ? root : "/", strerror(errno));
		out->unreadable = u.n;
		return u.rc;
	}
	/*
	 * Small and grown on demand: a run reads a handful of short files, and large allocations
	 * (mmap, page faults, munmap) cost more than the reading itself.
	 */
	for (d = 0; d < sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]); d++)
		scan_dir(rootfd, real_root, d, &ent, &cap, &n, &u);
	r = grow_entries(&ent, &cap, n);
	if (r < 0) {
		unread(&u, r, "cannot read the sysctl configuration: %s", strerror(-r));
	} else {
		qsort(ent, n, sizeof(*ent), cmp_entry);
		ent[n].skip = false; /* /etc/sysctl.conf, last */
		n++;
		resolve_entries(rootfd, real_root, ent, n, &u);
		parse_entries(rootfd, real_root, ent, n, keys, out, &u);
	}
	free(ent);
	close(rootfd);
	out->unreadable = u.n;
	if (u.n > 1 && err && errlen) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, " (and %u more)", u.n - 1);
	}
	return u.rc;
}
