/* State retention between plugin runs: small key/value files, locked and replaced atomically. */
#ifndef MP_STATE_H
#define MP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MP_STATE_MAX_VALUES 32

struct mp_state_value {
	char key[32];
	uint64_t value;
};

struct mp_state {
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id of the run that wrote it */
	time_t time; /* when it was written */
	size_t n;
	struct mp_state_value v[MP_STATE_MAX_VALUES];
};

/*
 * A state handle: the directory (created 0700 if missing, must be owned by the caller and not
 * writable by others), a lock held from open to close so that concurrent runs serialize their
 * read-compare-write, and the file name inside it (no '/').
 */
struct mp_state_handle {
	int dirfd;
	int lockfd;
	char name[256];
};

/*
 * The directory to use: explicit (an option) if non-NULL, used as given; else
 * <prefix>/<euid>/<plugin> as the monitoring-plugins state API does, prefix being
 * secure_getenv("MP_STATE_PATH"); without it, DEFAULT_STATE_DIR (/run/monitoring-plugins) when
 * /run is a tmpfs, else /dev/shm/monitoring-plugins-<euid>/<plugin>, so users never share files
 * and state stays off disk. Writes into buf; returns buf, or NULL if it does not fit or plugin
 * is bad.
 */
const char *mp_state_dir(const char *explicit_dir, const char *plugin, char *buf, size_t len);
/* The second choice when the default is not usable: the other of the two default places. */
const char *mp_state_fallback_dir(const char *plugin, char *buf, size_t len);

/* Open (and lock, waiting at most until the plugin timeout) the named state. 0 or -errno + err. */
int mp_state_open(struct mp_state_handle *h, const char *dir, const char *name, char *err,
		  size_t errlen);
/*
 * Read the previous state. 0 = read; -ENOENT = none yet; -EINVAL = corrupt (reason in err);
 * other -errno. Never follows symlinks (O_NOFOLLOW); refuses a file not owned by the caller.
 */
int mp_state_read(struct mp_state_handle *h, struct mp_state *st, char *err, size_t errlen);
/* Write st to a temporary file (0600) and rename it over the old one. 0 or -errno + err. */
int mp_state_write(struct mp_state_handle *h, const struct mp_state *st, char *err, size_t errlen);
/*
 * The same for a plugin's own format: the whole file as text (NUL-terminated, malloc'd, at most
 * 64 KiB; the caller frees it), with the same checks; and text written the same atomic way.
 */
int mp_state_read_text(struct mp_state_handle *h, char **text, size_t *len, char *err,
		       size_t errlen);
int mp_state_write_text(struct mp_state_handle *h, const char *text, size_t len, char *err,
			size_t errlen);
void mp_state_close(struct mp_state_handle *h);

/* Helpers on the value list. */
int mp_state_set(struct mp_state *st, const char *key, uint64_t value); /* 0 or -ENOSPC */
bool mp_state_get(const struct mp_state *st, const char *key, uint64_t *value);

/*
 * Parse / format the file text (unit tests, fuzzing). Parse returns 0 or -EINVAL + err. Format
 * returns bytes, -ENOSPC, or -EINVAL for content parse would refuse. (Named _file_ because
 * mp.h's mp_state_parse parses a plugin state name.)
 */
int mp_state_file_parse(const char *text, size_t len, struct mp_state *st, char *err,
			size_t errlen);
int mp_state_file_format(const struct mp_state *st, char *buf, size_t len);

#endif
