/* Configuration files under --root: paths resolved inside it, bounded reads, systemd's conf dirs.
 */
#ifndef CT_ROOTFS_H
#define CT_ROOTFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/*
 * A root to read configuration under: "/" (the real one: the kernel resolves paths itself) or a
 * tree such as a fixture or a container's file system, where links are followed as if the tree
 * were "/" (openat2 RESOLVE_IN_ROOT, or by hand on kernels before 5.6).
 */
struct ct_root {
	int fd;
	bool real;
};

/* 0, or -errno when root cannot be opened as a directory (NULL or "" is "/"). */
int ct_root_open(struct ct_root *r, const char *root);
void ct_root_close(struct ct_root *r);

/* Open or stat path (relative to the root, a leading '/' allowed). fd / 0, or -errno. */
int ct_root_openat(const struct ct_root *r, const char *path, int flags);
int ct_root_stat(const struct ct_root *r, const char *path, struct stat *st);

/*
 * What a stat of a path said, as a cache of what the path held compares it: the error, or the
 * file's identity, type and mode, size, and change times (a write changes mtime and ctime; a
 * rename, chmod or new link ctime; a directory's entries its mtime).
 */
struct ct_stamp {
	int32_t err; /* 0, or the stat's -errno */
	uint32_t mode;
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};
void ct_stamp_set(struct ct_stamp *s, int rc, const struct stat *st);
void ct_stamp_of(const struct ct_root *r, const char *path, struct ct_stamp *s);
bool ct_stamp_same(const struct ct_stamp *a, const struct ct_stamp *b);
/*
 * Changed within 2 s of now (or after it): a file written twice within one tick of the file
 * system's clock keeps its times, so what it holds is not known from them until the tick is past.
 */
bool ct_stamp_recent(const struct ct_stamp *s, time_t now);

/*
 * Read at most max bytes of the regular file path into *buf (grown as needed from the file's
 * size, kept by the caller for the next file and freed by it). Returns the bytes read, 0 for
 * anything that is not a regular file (a mask to /dev/null, a fifo), or -errno. *truncated is set
 * when the file holds more than max bytes.
 */
ssize_t ct_root_read(const struct ct_root *r, const char *path, size_t max, char **buf, size_t *cap,
		     bool *truncated);

/* What could not be read: the first failure's errno and reason (in err), and how many. */
struct ct_unread {
	int rc;
	unsigned n;
	char *err;
	size_t errlen;
};
void ct_unread(struct ct_unread *u, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append " (and N more)" to err when more than one source failed. */
void ct_unread_finish(struct ct_unread *u);

/*
 * Directories read the way systemd reads sysctl.d and modules-load.d (and kmod modprobe.d): every
 * file ending in suffix, ordered by name across the directories; a name in an earlier directory
 * masks the same name in later ones; a link to /dev/null masks. dirs are relative to the root,
 * highest precedence first; last (NULL for none) is a file applied after all of them (procps
 * reads /etc/sysctl.conf last). what names the files in messages ("sysctl.d").
 */
struct ct_conf_dirs {
	const char *const *dirs;
	unsigned ndirs;
	const char *suffix;
	const char *last;
	const char *what;
	size_t max_files;
};

/* One file of such a listing. */
struct ct_conf_file {
	char name[NAME_MAX + 1];
	unsigned char dir; /* index in dirs; ndirs for the last file */
	bool skip; /* masked, gone, or the same file as a later entry */
	dev_t dev;
	ino_t ino;
	struct ct_stamp stamp; /* the stat that resolved it, taken before it is read */
};

/*
 * The files to read, in the order they apply (skip set on those that apply nothing). A directory
 * or name that exists but cannot be read (or more than max_files names) is counted in u: it could
 * hold what matters. dirs (NULL, or d->ndirs of them): each directory's stamp, taken before it is
 * listed. Returns 0 with *out malloc'd (the caller frees it), or -ENOMEM.
 */
int ct_conf_list(const struct ct_root *r, const struct ct_conf_dirs *d, struct ct_conf_file **out,
		 size_t *n, struct ct_unread *u, struct ct_stamp *dirs);
/* Where a listed file lives, as the admin would write it: "/etc/sysctl.d/10-x.conf". */
void ct_conf_path(const struct ct_conf_dirs *d, const struct ct_conf_file *e, char *out,
		  size_t outlen);

/* Tests: resolve paths by hand, as on kernels without openat2 (Linux < 5.6). */
void ct_root_test_manual_resolve(bool on);

#endif
