/* Retention storage between plugin runs: small locked text files, replaced atomically. */
#include "retention_store.h"

#include "mp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#ifndef DEFAULT_STATE_DIR
#define DEFAULT_STATE_DIR "/run/monitoring-plugins"
#endif

#define STATE_MAGIC "# monitoring-plugins state v"
#define STATE_VERSION 1
#define STATE_MAX_SIZE (64 * 1024)
#define TIME_MAX (sizeof(time_t) < 8 ? (uint64_t)INT32_MAX : (uint64_t)INT64_MAX)
/* Room left in a file name for the ".lock" and ".tmp" suffixes. */
#define STATE_NAME_MAX 200

static void fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Is path (or, before it exists, its parent) on a file system held in memory? */
static bool in_memory(const char *path)
{
	char parent[PATH_MAX];
	struct statfs sf;
	char *slash;

	if (statfs(path, &sf) < 0) {
		if (errno != ENOENT ||
		    snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
			return false;
		slash = strrchr(parent, '/');
		if (!slash)
			return false;
		slash[slash == parent ? 1 : 0] = '\0';
		if (statfs(parent, &sf) < 0)
			return false;
	}
	return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}

static bool valid_plugin(const char *plugin)
{
	return plugin && *plugin && !strchr(plugin, '/') && strcmp(plugin, ".") != 0 &&
	       strcmp(plugin, "..") != 0;
}

enum default_place { PLACE_RUN, PLACE_SHM, PLACE_HOME, PLACE_END };

/*
 * The default places, in the order they are tried. /run/monitoring-plugins/<euid>/<plugin> comes
 * first where /run is a tmpfs, as systemd mounts it; where it is not (containers, some minimal
 * systems) /dev/shm/monitoring-plugins-<euid>/<plugin> does, so that a check run every minute
 * still does not write to disk every minute. Root never uses /dev/shm: anyone may create
 * entries there, so a local user could prepare root's path before root's first run. Last, for
 * a user whose defaults are taken (someone else made /dev/shm/monitoring-plugins-<euid>): the
 * home directory from the password database (never $HOME, which the caller sets).
 */
static enum default_place default_place(unsigned i)
{
	static const enum default_place root[] = {PLACE_RUN, PLACE_HOME, PLACE_END};
	static const enum default_place run_first[] = {PLACE_RUN, PLACE_SHM, PLACE_HOME, PLACE_END};
	static const enum default_place shm_first[] = {PLACE_SHM, PLACE_RUN, PLACE_HOME, PLACE_END};
	static int run_is_first = -1; /* decided once per process: it is asked several times */
	const enum default_place *order;

	if (run_is_first < 0)
		run_is_first = in_memory(DEFAULT_STATE_DIR) || !in_memory("/dev/shm");
	order = geteuid() == 0 ? root : run_is_first ? run_first : shm_first;
	for (unsigned k = 0; k <= i; k++)
		if (order[k] == PLACE_END)
			return PLACE_END;
	return order[i];
}

const char *mp_store_default_dir(unsigned i, const char *plugin, char *buf, size_t len)
{
	unsigned long uid = (unsigned long)geteuid();
	struct passwd *pw;
	int n = -1;

	if (!buf || !len || !valid_plugin(plugin))
		return NULL;
	switch (default_place(i)) {
	case PLACE_RUN:
		n = snprintf(buf, len, "%s/%lu/%s", DEFAULT_STATE_DIR, uid, plugin);
		break;
	case PLACE_SHM:
		n = snprintf(buf, len, "/dev/shm/monitoring-plugins-%lu/%s", uid, plugin);
		break;
	case PLACE_HOME:
		pw = getpwuid((uid_t)uid);
		if (pw && pw->pw_dir && pw->pw_dir[0] == '/' && pw->pw_dir[1])
			n = snprintf(buf, len, "%s/.local/state/monitoring-plugins/%s", pw->pw_dir,
				     plugin);
		break;
	case PLACE_END:
		break;
	}
	return n < 0 || (size_t)n >= len ? NULL : buf;
}

/*
 * Where state lives. Like the monitoring-plugins state API (np_state_*), the default path holds
 * the effective uid, so two users running the same plugin never share, or can tamper with, one
 * another's files: $MP_STATE_PATH/<euid>/<plugin> when that is set (read with secure_getenv, so
 * a setuid or setcap binary ignores it), else the first default place above: a tmpfs, because
 * state that compares kernel counters means nothing after a reboot anyway. An explicit
 * directory (a command-line option) is used as given.
 */
const char *mp_store_dir(const char *explicit_dir, const char *plugin, char *buf, size_t len)
{
	const char *prefix;
	int n;

	if (!buf || !len)
		return NULL;
	if (explicit_dir && *explicit_dir) {
		n = snprintf(buf, len, "%s", explicit_dir);
	} else {
		if (!valid_plugin(plugin))
			return NULL;
		prefix = secure_getenv("MP_STATE_PATH");
		if (!prefix || !*prefix)
			return mp_store_default_dir(0, plugin, buf, len);
		n = snprintf(buf, len, "%s/%lu/%s", prefix, (unsigned long)geteuid(), plugin);
	}
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return buf;
}

/* "uid 1000 (alice)", for messages about someone else's directory. */
static const char *who(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name && pw->pw_name[0])
		snprintf(buf, len, "uid %lu (%.32s)", (unsigned long)uid, pw->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
	return buf;
}

/* A sticky directory anyone may write to, like /tmp and /dev/shm. */
static bool shared_sticky(const struct stat *st)
{
	return (st->st_mode & S_ISVTX) && (st->st_mode & S_IWOTH);
}

/*
 * May the caller trust this directory on its state path? Whoever else can write to a component
 * can replace what follows it (a symbolic link to /etc, a directory of prepared files). So each
 * one is root's or the caller's and writable by nobody else, except a sticky directory anyone may
 * write to (/tmp, /dev/shm): there nobody can move or replace another user's entries, so what
 * follows is safe as long as it is root's or the caller's, not the user's who made it first.
 * The state directory itself is the caller's, and writable by nobody else. -EPERM with the
 * reason, naming the owner.
 */
static int trust(const char *path, const struct stat *st, uid_t me, bool last, char *err,
		 size_t errlen)
{
	char owner[64], self[64];

	if (S_ISLNK(st->st_mode)) {
		fail(err, errlen, "%s is a symbolic link (owned by %s), not followed", path,
		     who(st->st_uid, owner, sizeof(owner)));
		return -EPERM;
	}
	if (!S_ISDIR(st->st_mode)) {
		fail(err, errlen, "%s is not a directory", path);
		return -ENOTDIR;
	}
	if (st->st_uid != me && (last || st->st_uid != 0)) {
		fail(err, errlen, "%s is owned by %s, not by %s", path,
		     who(st->st_uid, owner, sizeof(owner)), who(me, self, sizeof(self)));
		return -EPERM;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (last || !shared_sticky(st))) {
		fail(err, errlen, "%s is writable by %s (mode %04o, owner %s)", path,
		     st->st_mode & S_IWOTH ? "others" : "its group",
		     (unsigned)(st->st_mode & 07777), who(st->st_uid, owner, sizeof(owner)));
		return -EPERM;
	}
	return 0;
}

/*
 * A directory made on the way: 0755 when it is a shared prefix that holds one directory per user
 * (/run/monitoring-plugins, $MP_STATE_PATH: the next component is the caller's uid), else 0700.
 * Below /tmp or /dev/shm there is no shared prefix: the first user to make it would own it.
 */
static mode_t new_dir_mode(const char *rest)
{
	char uid[24];
	size_t n;

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)geteuid());
	n = strlen(uid);
	while (*rest == '/')
		rest++;
	return strncmp(rest, uid, n) == 0 && (rest[n] == '/' || rest[n] == '\0') ? 0755 : 0700;
}

/* -errno of a failed call; -EPERM is kept for a path that is not trusted (trust() above). */
static int sys_err(void)
{
	return errno == EPERM ? -EACCES : -errno;
}

/* The state directory below /tmp or /dev/shm, readable by others (an older version made it). */
static int make_private(int dirfd, bool readable, const char *path, char *err, size_t errlen)
{
	int fd = readable ? dirfd : openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 || fchmod(fd, 0700) < 0 ? sys_err() : 0;

	if (r < 0)
		fail(err, errlen, "cannot make %s private (0700): %s", path, strerror(-r));
	if (fd >= 0 && fd != dirfd)
		close(fd);
	return r;
}

/*
 * One component: the state directory itself is opened for reading at once (it is looked at the
 * same way, through its descriptor), the others as paths only. When the direct open fails (a
 * link, not a directory, not readable), the path-only open tells trust() what is there.
 */
static int open_component(int fd, const char *comp, bool last, bool *readable)
{
	int sub;

	*readable = false;
	if (last) {
		sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*readable = sub >= 0;
		if (sub >= 0 || errno == ENOENT)
			return sub;
	}
	return openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * Open dir from / one component at a time, each with O_NOFOLLOW, and check each as it comes
 * (trust() above): the descriptor of one component opens the next, so nothing can be swapped in
 * between. openat2's RESOLVE_NO_SYMLINKS would refuse links in one call, but every component's
 * owner and mode must be looked at anyway, and this works on every kernel (and under valgrind).
 * With create, missing components are made (0700, new_dir_mode). Below a sticky shared one,
 * what is made is 0700, and the state directory is made 0700 if it was not. Returns an O_RDONLY
 * descriptor, or -errno with the reason. Per component: one open, one fstat, one close.
 */
static int open_dir(const char *dir, bool create, char *err, size_t errlen)
{
	char path[PATH_MAX];
	bool below_shared = false, last, readable = false;
	size_t n = dir ? strlen(dir) : 0;
	uid_t me = geteuid();
	struct stat st;
	char *comp, *end, save;
	int fd, sub, r;

	if (n == 0 || n >= sizeof(path) || dir[0] != '/') {
		fail(err, errlen, "state directory '%.200s' is not an absolute path",
		     dir ? dir : "");
		return -EINVAL;
	}
	memcpy(path, dir, n + 1);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = sys_err();
		fail(err, errlen, "cannot open /: %s", strerror(errno));
		goto out;
	}
	last = path[strspn(path, "/")] == '\0';
	r = trust("/", &st, me, last, err, errlen);
	if (r < 0)
		goto out;
	below_shared = shared_sticky(&st);
	for (comp = path + strspn(path, "/"); *comp; comp = end + strspn(end, "/")) {
		end = comp + strcspn(comp, "/");
		last = end[strspn(end, "/")] == '\0';
		save = *end;
		*end = '\0'; /* path is now the part walked so far, for messages */
		if (strcmp(comp, "..") == 0) {
			fail(err, errlen, "state directory %s: '..' is not allowed", dir);
			r = -EINVAL;
			goto out;
		}
		if (strcmp(comp, ".") == 0) {
			*end = save;
			continue;
		}
		sub = open_component(fd, comp, last, &readable);
		if (sub < 0 && errno == ENOENT && create) {
			mode_t mode =
				last || below_shared ? 0700 : new_dir_mode(dir + (end - path));

			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST) {
				r = sys_err();
				fail(err, errlen, "cannot create state directory %s: %s", path,
				     strerror(errno));
				goto out;
			}
			sub = open_component(fd, comp, last, &readable);
		}
		if (sub < 0 || fstat(sub, &st) < 0) {
			r = sys_err();
			fail(err, errlen, "%s %s: %s",
			     errno == ENOENT ? "no state directory" : "cannot open", path,
			     strerror(errno));
			if (sub >= 0)
				close(sub);
			goto out;
		}
		close(fd);
		fd = sub;
		r = trust(path, &st, me, last, err, errlen);
		if (r < 0)
			goto out;
		if (last && below_shared && (st.st_mode & 077)) {
			r = make_private(fd, readable, path, err, errlen);
			if (r < 0)
				goto out;
		}
		below_shared = below_shared || shared_sticky(&st);
		*end = save;
	}
	if (readable)
		return fd;
	/* Opened as a path only (it could not be read, or the path ends in "/" or "/."). */
	r = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r < 0) {
		r = sys_err();
		fail(err, errlen, "cannot open state directory %s: %s", dir, strerror(errno));
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static bool valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= STATE_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Take the lock; while another run holds it, a timeout names what the run was waiting for. */
static int lock_wait(int fd, int how, const char *dir, const char *lockname)
{
	char what[360];
	int r;

	if (flock(fd, how | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	snprintf(what, sizeof(what), "waiting for the state lock %.200s/%.80s held by another run",
		 dir, lockname);
	mp_timeout_while(what);
	while ((r = flock(fd, how)) < 0 && errno == EINTR)
		;
	mp_timeout_while(NULL);
	return r < 0 ? -errno : 0;
}

/*
 * Open and lock dir/lockname. A run that prunes old lock files (mp_store_remove) may unlink the
 * file between our open and our flock: then we hold a lock nobody else will ever look at, so
 * after locking, the name must still be that file; if not, take the one that is there now.
 */
static int take_lock(struct mp_store_handle *h, const char *dir, const char *lockname, bool shared,
		     char *err, size_t errlen)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat held, now;
	int fd, r;

	for (int tries = 0; tries < 100; tries++) {
		/* Read-only is enough for flock, and still works on a read-only file system. */
		fd = openat(h->dirfd, lockname, flags | (shared ? 0 : O_CREAT), 0600);
		if (fd < 0) {
			r = sys_err();
			fail(err, errlen, "%s %s/%s: %s",
			     r == -ENOENT ? "no lock file" : "cannot open lock file", dir, lockname,
			     strerror(errno));
			return r;
		}
		if (fstat(fd, &held) < 0 || !S_ISREG(held.st_mode)) {
			close(fd);
			fail(err, errlen, "lock file %s/%s is not a regular file", dir, lockname);
			return -EINVAL;
		}
		r = lock_wait(fd, shared ? LOCK_SH : LOCK_EX, dir, lockname);
		if (r < 0) {
			close(fd);
			fail(err, errlen, "cannot lock %s/%s: %s", dir, lockname, strerror(-r));
			return r;
		}
		if (fstatat(h->dirfd, lockname, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == held.st_ino && now.st_dev == held.st_dev) {
			h->lockfd = fd;
			h->lock_mtime = held.st_mtime;
			return 0;
		}
		close(fd);
	}
	fail(err, errlen, "lock file %s/%s keeps being replaced", dir, lockname);
	return -EAGAIN;
}

/* A handle with nothing open yet, for dir and lock: 0, or -EINVAL (said in err). */
static int lock_start(struct mp_store_handle *h, bool dir_ok, const char *lock, char *err,
		      size_t errlen)
{
	h->dirfd = -1;
	h->lockfd = -1;
	h->name[0] = '\0';
	if (!dir_ok || !valid_name(lock)) {
		fail(err, errlen, "bad state directory or file name");
		return -EINVAL;
	}
	return 0;
}

/* With h->dirfd open: take lock's .lock file in it, or close everything. */
static int lock_in(struct mp_store_handle *h, const char *dir, const char *lock, bool shared,
		   char *err, size_t errlen)
{
	char lockname[STATE_NAME_MAX + 8];
	int r;

	snprintf(lockname, sizeof(lockname), "%s.lock", lock);
	r = take_lock(h, dir, lockname, shared, err, errlen);
	if (r < 0)
		mp_store_close(h);
	return r;
}

int mp_store_lock(struct mp_store_handle *h, const char *dir, const char *lock, unsigned flags,
		  char *err, size_t errlen)
{
	bool shared = flags & MP_STORE_SHARED;
	int r;

	if (!h)
		return -EINVAL;
	r = lock_start(h, dir != NULL, lock, err, errlen);
	if (r < 0)
		return r;
	h->dirfd = open_dir(dir, !shared, err, errlen);
	if (h->dirfd < 0) {
		r = h->dirfd;
		h->dirfd = -1;
		return r;
	}
	return lock_in(h, dir, lock, shared, err, errlen);
}

int mp_store_lock_at(struct mp_store_handle *h, int dirfd, const char *dir, const char *lock,
		     unsigned flags, char *err, size_t errlen)
{
	int r;

	if (!h)
		return -EINVAL;
	r = lock_start(h, dirfd >= 0 && dir, lock, err, errlen);
	if (r < 0)
		return r;
	h->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (h->dirfd < 0) {
		r = -errno;
		fail(err, errlen, "cannot use state directory %s: %s", dir, strerror(errno));
		return r;
	}
	return lock_in(h, dir, lock, flags & MP_STORE_SHARED, err, errlen);
}

int mp_store_select(struct mp_store_handle *h, const char *name)
{
	if (!h || !valid_name(name))
		return -EINVAL;
	mp_copy(h->name, sizeof(h->name), name);
	return 0;
}

int mp_store_open(struct mp_store_handle *h, const char *dir, const char *name, char *err,
		  size_t errlen)
{
	int r = mp_store_lock(h, dir, name, 0, err, errlen);

	if (r == 0)
		mp_store_select(h, name);
	return r;
}

int mp_store_remove(struct mp_store_handle *h, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	int fd, r;

	if (!h || h->dirfd < 0 || !valid_name(name) || strcmp(name, h->name) == 0)
		return -EINVAL;
	if (n <= 5 || strcmp(name + n - 5, ".lock") != 0)
		return unlinkat(h->dirfd, name, 0) < 0 ? -errno : 0;
	/* A lock file only while nobody holds it; a run that opened it already sees it go. */
	fd = openat(h->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = flock(fd, LOCK_EX | LOCK_NB) < 0 || unlinkat(h->dirfd, name, 0) < 0 ? -errno : 0;
	close(fd);
	return r;
}

void mp_store_close(struct mp_store_handle *h)
{
	if (!h)
		return;
	if (h->lockfd >= 0)
		close(h->lockfd); /* releases the lock */
	if (h->dirfd >= 0)
		close(h->dirfd);
	h->lockfd = -1;
	h->dirfd = -1;
}

int mp_store_touch_lock(struct mp_store_handle *h)
{
	if (!h || h->lockfd < 0)
		return -EBADF;
	return futimens(h->lockfd, NULL) < 0 ? -errno : 0;
}

int mp_store_read_text(struct mp_store_handle *h, char **text, size_t *len, char *err,
		       size_t errlen)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	if (!h || h->dirfd < 0 || !text || !len || !h->name[0]) {
		fail(err, errlen, "state not open");
		return -EBADF;
	}
	fd = openat(h->dirfd, h->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (errno == ENOENT)
			fail(err, errlen, "no previous state %s", h->name);
		else if (errno == ELOOP)
			fail(err, errlen, "state file %s is a symbolic link, refused", h->name);
		else
			fail(err, errlen, "cannot open state file %s: %s", h->name,
			     strerror(errno));
		return r;
	}
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		fail(err, errlen, "cannot stat state file %s: %s", h->name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		r = -EINVAL;
		fail(err, errlen, "state file %s is not a regular file", h->name);
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		r = -EPERM;
		fail(err, errlen, "state file %s is owned by uid %lu, not by uid %lu, refused",
		     h->name, (unsigned long)sb.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if (sb.st_size > STATE_MAX_SIZE) {
		r = -EINVAL;
		fail(err, errlen, "state file %s is larger than %d bytes", h->name, STATE_MAX_SIZE);
		goto out;
	}
	buf = malloc(STATE_MAX_SIZE + 1);
	if (!buf) {
		r = -ENOMEM;
		fail(err, errlen, "out of memory");
		goto out;
	}
	/*
	 * Read one byte past the cap so a file that grew after fstat is still caught. Writers
	 * replace the file under the lock we hold, so a read that returns the size fstat saw has
	 * read it all: no second read just to be told "end of file".
	 */
	n = mp_read_fd(fd, buf, STATE_MAX_SIZE + 1, (size_t)sb.st_size, false);
	if (n < 0) {
		r = (int)n;
		fail(err, errlen, "cannot read state file %s: %s", h->name, strerror((int)-n));
		free(buf);
		goto out;
	}
	got = (size_t)n;
	if (got > STATE_MAX_SIZE) {
		r = -EINVAL;
		fail(err, errlen, "state file %s is larger than %d bytes", h->name, STATE_MAX_SIZE);
		free(buf);
	} else {
		buf[got] = '\0';
		*text = buf;
		*len = got;
		r = 0;
	}
out:
	close(fd);
	return r;
}

int mp_store_read(struct mp_store_handle *h, struct mp_store_record *st, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = NULL;
	int r;

	if (!st) {
		fail(err, errlen, "state not open");
		return -EBADF;
	}
	r = mp_store_read_text(h, &text, &len, err, errlen);
	if (r < 0)
		return r;
	r = mp_store_parse(text, len, st, err, errlen);
	free(text);
	return r;
}

static const char *write_reason(int e)
{
	switch (e) {
	case ENOSPC:
		return "no space left on the state file system";
	case EDQUOT:
		return "disk quota exceeded on the state file system";
	case EROFS:
		return "the state file system is read-only";
	case EACCES:
	case EPERM:
		return "permission denied in the state directory";
	default:
		return strerror(e);
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replace the file's text in place, where that is as safe as a rename and much cheaper (creating
 * and renaming over a file of a tmpfs costs some 20 us, a write 1 us): on a file system held in
 * memory, which a crash empties anyway, in a directory the caller may write to (as a rename
 * would need), over a file that is ours alone (0600, one link) and no longer than the new text,
 * which fits one page: one write of one page is done whole or not at all, even by a run killed
 * meanwhile, and needs no new page (no ENOSPC halfway). 0, or -EAGAIN: not done, rename.
 */
static int write_in_place(const struct mp_store_handle *h, const char *text, size_t len)
{
	struct statfs sf;
	struct stat dir, st;
	ssize_t n;
	int fd;

	if (len > 4096 || fstatfs(h->dirfd, &sf) < 0 ||
	    (sf.f_type != TMPFS_MAGIC && sf.f_type != RAMFS_MAGIC) || fstat(h->dirfd, &dir) < 0 ||
	    dir.st_uid != geteuid() || !(dir.st_mode & S_IWUSR))
		return -EAGAIN;
	fd = openat(h->dirfd, h->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -EAGAIN;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != dir.st_uid ||
	    st.st_nlink != 1 || (st.st_mode & 07777) != 0600 || st.st_size <= 0 ||
	    (size_t)st.st_size > len) {
		close(fd);
		return -EAGAIN;
	}
	n = pwrite(fd, text, len, 0);
	close(fd);
	/* Not written: the old text is whole. Written in part (cannot be for one page): rename. */
	return n == (ssize_t)len ? 0 : -EAGAIN;
}

static int write_text(struct mp_store_handle *h, const char *text, size_t len, char *err,
		      size_t errlen)
{
	char tmp[sizeof(h->name) + 8];
	const char *step;
	int fd, r;

	if (!h || h->dirfd < 0 || !text || !valid_name(h->name)) {
		fail(err, errlen, "state not open");
		return -EBADF;
	}
	if (write_in_place(h, text, len) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", h->name);
	fd = openat(h->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* We hold the lock, so this is the leftover of a run that was killed mid-write. */
		unlinkat(h->dirfd, tmp, 0);
		fd = openat(h->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
	}
	if (fd < 0) {
		r = -errno;
		fail(err, errlen, "cannot create %s: %s", tmp, write_reason(errno));
		return r;
	}
	/*
	 * No fsync: it costs more than the whole rest of a run on a disk (the benchmark measured
	 * 15 ms), and a plugin runs every minute on every host. rename() still replaces the file
	 * atomically for concurrent runs; after a crash the worst case is a lost or empty state
	 * file, which the next run reads as "new baseline" and says so: never an alert.
	 */
	step = "write";
	r = write_all(fd, text, len);
	if (close(fd) < 0 && r == 0) {
		step = "close";
		r = -errno;
	}
	if (r == 0) {
		step = "rename";
		r = renameat(h->dirfd, tmp, h->dirfd, h->name) < 0 ? -errno : 0;
	}
	if (r < 0) {
		unlinkat(h->dirfd, tmp, 0);
		fail(err, errlen, "cannot save state %s (%s): %s", h->name, step, write_reason(-r));
		return r;
	}
	return 0;
}

/* Signals that end a run are held off until the file is replaced: no temporary copy is left. */
int mp_store_write_text(struct mp_store_handle *h, const char *text, size_t len, char *err,
			size_t errlen)
{
	sigset_t saved;
	int r;

	mp_signals_hold(&saved);
	r = write_text(h, text, len, err, errlen);
	mp_signals_release(&saved);
	return r;
}

int mp_store_write(struct mp_store_handle *h, const struct mp_store_record *st, char *err,
		   size_t errlen)
{
	char text[4096];
	int len;

	if (!h || h->dirfd < 0 || !st || !valid_name(h->name)) {
		fail(err, errlen, "state not open");
		return -EBADF;
	}
	len = mp_store_format(st, text, sizeof(text));
	if (len < 0) {
		fail(err, errlen, "cannot format state %s: %s", h->name, strerror(-len));
		return len;
	}
	return mp_store_write_text(h, text, (size_t)len, err, errlen);
}

/* Keys: 1-31 characters out of letters, digits, '_', '-', '.' and ':' (no spaces). */
static bool valid_key(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= sizeof(((struct mp_store_value *)0)->key))
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == ':'))
			return false;
	}
	return !(n == 7 && memcmp(s, "boot_id", 7) == 0) && !(n == 4 && memcmp(s, "time", 4) == 0);
}

/* boot_id: 1-39 hex digits and dashes (a UUID is 36). */
static bool valid_boot_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= sizeof(((struct mp_store_record *)0)->boot_id))
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Strict decimal: digits only, no sign or blanks, no overflow; at most 20 digits. */
static bool parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	return n <= 20 && mp_parse_u64(s, n, max, out) == 0;
}

int mp_store_parse(const char *text, size_t len, struct mp_store_record *st, char *err,
		   size_t errlen)
{
	const char *p, *end;
	unsigned line = 0;
	size_t i;

	if (!st || (!text && len)) {
		fail(err, errlen, "no state text");
		return -EINVAL;
	}
	memset(st, 0, sizeof(*st));
	if (len == 0) {
		fail(err, errlen, "empty state file");
		return -EINVAL;
	}
	if (text[len - 1] != '\n') {
		fail(err, errlen, "state file truncated (no final newline)");
		return -EINVAL;
	}
	p = text;
	end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp;
		size_t n = (size_t)(eol - p);
		uint64_t v;

		line++;
		if (line == 1) {
			size_t m = sizeof(STATE_MAGIC) - 1;

			if (n < m || memcmp(p, STATE_MAGIC, m) != 0) {
				fail(err, errlen, "not a state file (bad first line)");
				goto bad;
			}
			if (n != m + 1 || p[m] != '0' + STATE_VERSION) {
				fail(err, errlen, "unsupported state file version '%.*s'",
				     (int)(n - m > 16 ? 16 : n - m), p + m);
				goto bad;
			}
			p = eol + 1;
			continue;
		}
		sp = memchr(p, ' ', n);
		if (!sp) {
			fail(err, errlen, "line %u: expected '<key> <value>'", line);
			goto bad;
		}
		if (line == 2) {
			if ((size_t)(sp - p) != 7 || memcmp(p, "boot_id", 7) != 0 ||
			    !valid_boot_id(sp + 1, (size_t)(eol - sp - 1))) {
				fail(err, errlen, "line 2: expected 'boot_id <uuid>'");
				goto bad;
			}
			memcpy(st->boot_id, sp + 1, (size_t)(eol - sp - 1));
		} else if (line == 3) {
			if ((size_t)(sp - p) != 4 || memcmp(p, "time", 4) != 0 ||
			    !parse_u64(sp + 1, (size_t)(eol - sp - 1), TIME_MAX, &v)) {
				fail(err, errlen, "line 3: expected 'time <epoch seconds>'");
				goto bad;
			}
			st->time = (time_t)v;
		} else {
			size_t kl = (size_t)(sp - p);

			if (!valid_key(p, kl)) {
				fail(err, errlen, "line %u: bad key", line);
				goto bad;
			}
			if (!parse_u64(sp + 1, (size_t)(eol - sp - 1), UINT64_MAX, &v)) {
				fail(err, errlen, "line %u: value is not a decimal uint64", line);
				goto bad;
			}
			for (i = 0; i < st->n; i++) {
				if (strlen(st->v[i].key) == kl &&
				    memcmp(st->v[i].key, p, kl) == 0) {
					fail(err, errlen, "line %u: duplicate key '%.*s'", line,
					     (int)kl, p);
					goto bad;
				}
			}
			if (st->n >= MP_STORE_MAX_VALUES) {
				fail(err, errlen, "more than %d values", MP_STORE_MAX_VALUES);
				goto bad;
			}
			memcpy(st->v[st->n].key, p, kl);
			st->v[st->n].key[kl] = '\0';
			st->v[st->n].value = v;
			st->n++;
		}
		p = eol + 1;
	}
	if (line < 3) {
		fail(err, errlen, "state file truncated (missing %s)",
		     line < 2 ? "boot_id" : "time");
		goto bad;
	}
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -EINVAL;
}

int mp_store_format(const struct mp_store_record *st, char *buf, size_t len)
{
	size_t off, i;
	int n;

	if (!st || !buf || st->n > MP_STORE_MAX_VALUES || st->time < 0 ||
	    !valid_boot_id(st->boot_id, strnlen(st->boot_id, sizeof(st->boot_id))))
		return -EINVAL;
	n = snprintf(buf, len, "%s%d\nboot_id %s\ntime %lld\n", STATE_MAGIC, STATE_VERSION,
		     st->boot_id, (long long)st->time);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	off = (size_t)n;
	for (i = 0; i < st->n; i++) {
		const char *k = st->v[i].key;
		size_t j, kl = strnlen(k, sizeof(st->v[i].key));

		if (!valid_key(k, kl))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (strcmp(st->v[j].key, k) == 0)
				return -EINVAL;
		/* "key value\n", copied (a --netns=all run formats some 30 values a namespace). */
		char num[24];
		size_t nl = strlen(mp_fmt_u64(st->v[i].value, num, sizeof(num)));

		if (kl + nl + 2 >= len - off)
			return -ENOSPC;
		memcpy(buf + off, k, kl);
		buf[off + kl] = ' ';
		memcpy(buf + off + kl + 1, num, nl);
		buf[off + kl + 1 + nl] = '\n';
		off += kl + nl + 2;
		buf[off] = '\0';
	}
	return (int)off;
}

int mp_store_set(struct mp_store_record *st, const char *key, uint64_t value)
{
	size_t i, kl;

	if (!st || !key)
		return -EINVAL;
	kl = strlen(key);
	if (!valid_key(key, kl))
		return -EINVAL;
	for (i = 0; i < st->n && i < MP_STORE_MAX_VALUES; i++) {
		if (strcmp(st->v[i].key, key) == 0) {
			st->v[i].value = value;
			return 0;
		}
	}
	if (st->n >= MP_STORE_MAX_VALUES)
		return -ENOSPC;
	memcpy(st->v[st->n].key, key, kl + 1);
	st->v[st->n].value = value;
	st->n++;
	return 0;
}

bool mp_store_get(const struct mp_store_record *st, const char *key, uint64_t *value)
{
	size_t i;

	if (!st || !key)
		return false;
	for (i = 0; i < st->n && i < MP_STORE_MAX_VALUES; i++) {
		if (strcmp(st->v[i].key, key) == 0) {
			if (value)
				*value = st->v[i].value;
			return true;
		}
	}
	return false;
}
