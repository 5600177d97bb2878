/* The table's entries, limit and hash buckets from /proc, across kernel generations. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "procfs.h"

/* A path built from a root the admin chose: -ENAMETOOLONG rather than a shorter, other path. */
int ct_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

static bool is_dir_at(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return ct_path(path, sizeof(path), "%s/%s", root, name) == 0 && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

/*
 * A directory option (--procfs, --sysfs, --root) the checks read under: empty (an unset Icinga
 * variable), relative, too long or missing is a misconfiguration, never "nothing found there".
 * A proc tree must look like one, so that absent conntrack files mean "not active".
 */
int ct_check_root(const char *option, const char *path, bool proc_tree, char *err, size_t errlen)
{
	size_t len = strlen(path);
	struct stat st;

	if (len == 0)
		return snprintf(err, errlen,
				"%s is empty (an unset variable?): give an absolute "
				"directory",
				option),
		       -EINVAL;
	if (path[0] != '/')
		return snprintf(err, errlen, "%s wants an absolute directory, not '%.60s'", option,
				path),
		       -EINVAL;
	if (len > CT_ROOT_MAX)
		return snprintf(err, errlen, "%s is too long (%zu bytes, at most %d)", option, len,
				CT_ROOT_MAX),
		       -ENAMETOOLONG;
	if (stat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s=%.200s: %s", option, path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode))
		return snprintf(err, errlen, "%s=%.200s is not a directory", option, path),
		       -ENOTDIR;
	if (proc_tree && !is_dir_at(path, "sys") && !is_dir_at(path, "self"))
		return snprintf(err, errlen,
				"%s=%.200s does not look like a proc tree (neither sys/ nor self/ "
				"in it)",
				option, path),
		       -ENOENT;
	return 0;
}

/*
 * The netfilter sysctl directory of the namespace being read, while one is held. The kernel
 * keeps one /proc/sys/net/netfilter per network namespace under the one name, and a path lookup
 * compares that name with each namespace's in turn: on a host with 500 namespaces one lookup
 * costs about 30 us. Looked up once per namespace read, its files are then opened relative to it.
 */
static struct {
	int fd;
	size_t len;
	char path[PATH_MAX];
} sysctl_dir = {.fd = -1};

void ct_sysctl_dir_hold(const char *procfs)
{
	ct_sysctl_dir_release();
	if (ct_path(sysctl_dir.path, sizeof(sysctl_dir.path), "%s/sys/net/netfilter", procfs) < 0)
		return;
	sysctl_dir.len = strlen(sysctl_dir.path);
	/* Absent (another layout, tracking not active): every file is looked up by its path. */
	sysctl_dir.fd = open(sysctl_dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
}

void ct_sysctl_dir_release(void)
{
	if (sysctl_dir.fd >= 0)
		close(sysctl_dir.fd);
	sysctl_dir.fd = -1;
	sysctl_dir.len = 0;
}

/* A file of the held directory, opened relative to it; anything else by its path. */
static int open_sysctl(const char *path)
{
	const char *name = path + sysctl_dir.len;
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;

	if (sysctl_dir.fd >= 0 && strncmp(path, sysctl_dir.path, sysctl_dir.len) == 0 &&
	    name[0] == '/' && name[1] && !strchr(name + 1, '/'))
		return openat(sysctl_dir.fd, name + 1, flags);
	return open(path, flags);
}

/* A sysctl value: optional blanks, decimal digits, optional blanks and newline. Nothing else. */
int ct_read_u64(const char *path, uint64_t *value, char *err, size_t errlen)
{
	char buf[64];
	const char *p = buf;
	uint64_t v = 0;
	size_t digits;
	ssize_t n;
	int fd = open_sysctl(path), rc;

	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	/* A sysctl file hands over its one line in one read: no second read for EOF. */
	n = mp_read_fd(fd, buf, sizeof(buf) - 1, 0, true);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror((int)-n));
		return (int)n;
	}
	if (n == sizeof(buf) - 1 && buf[n - 1] != '\n') {
		snprintf(err, errlen, "%s is not a number (too long)", path);
		return -EINVAL;
	}
	buf[n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	digits = strspn(p, "0123456789");
	rc = mp_parse_u64(p, digits, UINT64_MAX, &v);
	if (rc == -ERANGE) {
		snprintf(err, errlen, "%s holds a number too large", path);
		return -EINVAL;
	}
	p += digits;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (rc < 0 || *p != '\0') {
		snprintf(err, errlen, "%s does not hold a number (%s)", path,
			 n == 0 ? "empty" : "garbage");
		return -EINVAL;
	}
	*value = v;
	return 0;
}

struct candidate {
	const char *rel;
	const char *layout;
	const char *key;
};

/* Modern files first: when several generations' files exist, the modern ones win. */
static const struct candidate count_files[] = {
	{"/sys/net/netfilter/nf_conntrack_count", "nf_conntrack", NULL},
	{"/sys/net/ipv4/netfilter/ip_conntrack_count", "ip_conntrack", NULL},
	{NULL, NULL, NULL},
};
static const struct candidate max_files[] = {
	{"/sys/net/netfilter/nf_conntrack_max", "nf_conntrack", "net.netfilter.nf_conntrack_max"},
	{"/sys/net/nf_conntrack_max", "nf_conntrack", "net.nf_conntrack_max"},
	{"/sys/net/ipv4/netfilter/ip_conntrack_max", "ip_conntrack",
	 "net.ipv4.netfilter.ip_conntrack_max"},
	{"/sys/net/ipv4/ip_conntrack_max", "ip_conntrack", "net.ipv4.ip_conntrack_max"},
	{NULL, NULL, NULL},
};
static const struct candidate bucket_files[] = {
	{"/sys/net/netfilter/nf_conntrack_buckets", "nf_conntrack", NULL},
	{"/sys/net/ipv4/netfilter/ip_conntrack_buckets", "ip_conntrack", NULL},
	{NULL, NULL, NULL},
};

/*
 * The first candidate that exists: its value, or the reason it is unusable. Returns the index
 * read, -1 when none exists (-ENOENT in *rc), or the index with *rc < 0 when it exists but fails.
 */
static int read_first(struct ct_trace *trace, struct ct_ns *ns, const char *procfs,
		      const struct candidate *c, const char *what, uint64_t *value, int *rc)
{
	char path[PATH_MAX];

	for (int i = 0; c[i].rel; i++) {
		if (ct_path(path, sizeof(path), "%s%s", procfs, c[i].rel) < 0) {
			snprintf(ns->err, sizeof(ns->err), "%s: path under %.60s... too long", what,
				 procfs);
			*rc = -ENAMETOOLONG;
			return i;
		}
		*rc = ct_read_u64(path, value, ns->err, sizeof(ns->err));
		if (*rc == -ENOENT) {
			ct_note(trace, 2, "%s: %s absent, trying the next layout", what, path);
			continue;
		}
		if (*rc == 0)
			ct_note(trace, 1, "%s = %llu from %s", what, (unsigned long long)*value,
				path);
		return i;
	}
	*rc = -ENOENT;
	return -1;
}

int ct_procfs_read(const char *procfs, struct ct_trace *trace, struct ct_ns *ns)
{
	struct ct_proc *p = &ns->proc;
	int rc, i;

	memset(p, 0, sizeof(*p));
	i = read_first(trace, ns, procfs, count_files, "entries", &p->entries, &rc);
	if (i < 0 && !is_dir_at(procfs, "sys/net")) {
		/* Where the kernel would put the files is missing too: absence proves nothing. */
		snprintf(ns->err, sizeof(ns->err),
			 "cannot tell whether connection tracking is active: no %.200s/sys/net",
			 procfs);
		return ns->proc_rc = -ENOTDIR;
	}
	if (i < 0) {
		snprintf(ns->err, sizeof(ns->err),
			 "no nf_conntrack_count or ip_conntrack_count under %s/sys/net", procfs);
		ct_note(trace, 1, "connection tracking is not active: %s", ns->err);
		return ns->proc_rc = -ENOENT;
	}
	if (rc < 0)
		return ns->proc_rc = rc;
	p->active = true;
	p->layout = count_files[i].layout;

	i = read_first(trace, ns, procfs, max_files, "max", &p->max, &rc);
	if (i < 0) {
		snprintf(ns->err, sizeof(ns->err),
			 "entries are counted but no limit file was found under %s/sys/net",
			 procfs);
		return ns->proc_rc = -EINVAL;
	}
	if (rc < 0)
		return ns->proc_rc = rc;
	p->sysctl_key = max_files[i].key;
	ct_note(trace, 2, "the limit is set with sysctl %s", p->sysctl_key);

	i = read_first(trace, ns, procfs, bucket_files, "buckets", &p->buckets, &rc);
	if (i >= 0 && rc == 0) {
		p->have_buckets = true;
	} else if (i >= 0) {
		/* Buckets are context, not the check: say why they are missing and go on. */
		ct_note(trace, 1, "buckets left out: %s", ns->err);
		ns->err[0] = '\0';
	}
	return ns->proc_rc = 0;
}
