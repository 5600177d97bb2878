/*
 * Retention storage: what a plugin keeps between its runs, in small key/value or text files,
 * locked and replaced atomically. (Not a Monitoring Plugins state: those are mp_state_enum.)
 */
#ifndef MP_RETENTION_STORE_H
#define MP_RETENTION_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MP_STORE_MAX_VALUES 32

struct mp_store_value {
	char key[32];
	uint64_t value;
};

struct mp_store_record {
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id of the run that wrote it */
	time_t time; /* when it was written */
	size_t n;
	struct mp_store_value v[MP_STORE_MAX_VALUES];
};

/*
 * A handle on the store: the directory, a lock held from open to close so that concurrent runs
 * serialize their read-compare-write, and the file that read and write use (no '/').
 */
struct mp_store_handle {
	int dirfd;
	int lockfd;
	char name[256];
	/* The lock file's modification time when it was locked (mp_store_touch_lock). */
	time_t lock_mtime;
};

/*
 * The directory to use: explicit (an option) if non-NULL, used as given; else
 * <prefix>/<euid>/<plugin> as the monitoring-plugins state API does, prefix being
 * secure_getenv("MP_STATE_PATH"); without it, the first default place (below). Writes into buf;
 * returns buf, or NULL if it does not fit or plugin is bad.
 */
const char *mp_store_dir(const char *explicit_dir, const char *plugin, char *buf, size_t len);
/*
 * The default places, i = 0, 1, ... until NULL. Root: /run/monitoring-plugins/0/<plugin>, then
 * its home's .local/state/monitoring-plugins/<plugin>; never /dev/shm, where anyone may prepare a
 * path for root. Others: /run/monitoring-plugins/<euid>/<plugin> where /run is a tmpfs (only
 * root can create it: NRPE's nagios moves on), /dev/shm/monitoring-plugins-<euid>/<plugin> (first
 * where /run is not a tmpfs), then the home directory from the password database.
 */
const char *mp_store_default_dir(unsigned i, const char *plugin, char *buf, size_t len);

/*
 * Open the directory dir and take the lock file <lock>.lock in it (waiting at most until the
 * plugin timeout, which then names the lock). dir is reached from / one component at a time and
 * never through a symbolic link; each component belongs to root or the caller and nobody else
 * may write to it, except a sticky directory anyone may write to (/tmp, /dev/shm), below which
 * what is created is 0700 and dir is made 0700; dir itself is the caller's and writable by
 * nobody else. Missing components are created, 0700 (0755 for a prefix shared by users, whose next
 * component is the caller's uid). With MP_STORE_SHARED: a shared lock for a run that only
 * looks, and nothing is created (-ENOENT when dir or the lock file does not exist).
 * 0, or -errno with the reason in err: -EPERM when a component is a symbolic link or someone
 * else's (the reason names it and its owner).
 */
#define MP_STORE_SHARED 1u
int mp_store_lock(struct mp_store_handle *h, const char *dir, const char *lock, unsigned flags,
		  char *err, size_t errlen);
/*
 * mp_store_lock in a directory another handle has open and checked already (dirfd; dir names it
 * in messages): the descriptor is duplicated, the path not walked again.
 */
int mp_store_lock_at(struct mp_store_handle *h, int dirfd, const char *dir, const char *lock,
		     unsigned flags, char *err, size_t errlen);
/* The file of the locked directory that the read and write calls use next. 0 or -EINVAL. */
int mp_store_select(struct mp_store_handle *h, const char *name);
/* mp_store_lock(h, dir, name, 0) and mp_store_select(h, name): one file, its own lock. */
int mp_store_open(struct mp_store_handle *h, const char *dir, const char *name, char *err,
		  size_t errlen);
/*
 * Remove a file of the locked directory that no run needs any more (not the selected one). A
 * lock file goes only while nobody holds it; a run that had opened it notices and takes the new
 * one. 0 or -errno (-EWOULDBLOCK: the lock is held).
 */
int mp_store_remove(struct mp_store_handle *h, const char *name);
/*
 * Read the previous state. 0 = read; -ENOENT = none yet; -EINVAL = corrupt (reason in err);
 * other -errno. Never follows symlinks (O_NOFOLLOW); refuses a file not owned by the caller.
 */
int mp_store_read(struct mp_store_handle *h, struct mp_store_record *st, char *err, size_t errlen);
/* Write st to a temporary file (0600) and rename it over the old one. 0 or -errno + err. */
int mp_store_write(struct mp_store_handle *h, const struct mp_store_record *st, char *err,
		   size_t errlen);
/*
 * The same for a plugin's own format: the whole file as text (NUL-terminated, malloc'd, at most
 * 64 KiB; the caller frees it), with the same checks; and text written the same atomic way.
 */
int mp_store_read_text(struct mp_store_handle *h, char **text, size_t *len, char *err,
		       size_t errlen);
int mp_store_write_text(struct mp_store_handle *h, const char *text, size_t len, char *err,
			size_t errlen);
void mp_store_close(struct mp_store_handle *h);
/*
 * Nothing writes a lock file, so its modification time is free to say when the holder last did
 * a chore it does now and then (pruning): set it to now here, read it in h->lock_mtime after the
 * next lock. 0 or -errno (a read-only file system: the chore is simply done again).
 */
int mp_store_touch_lock(struct mp_store_handle *h);

/* Helpers on the value list. */
int mp_store_set(struct mp_store_record *st, const char *key, uint64_t value); /* 0 or -ENOSPC */
bool mp_store_get(const struct mp_store_record *st, const char *key, uint64_t *value);

/*
 * Parse / format the file text (unit tests, fuzzing). Parse returns 0 or -EINVAL + err. Format
 * returns bytes, -ENOSPC, or -EINVAL for content parse would refuse.
 */
int mp_store_parse(const char *text, size_t len, struct mp_store_record *st, char *err,
		   size_t errlen);
int mp_store_format(const struct mp_store_record *st, char *buf, size_t len);

#endif
