/* Unit tests for retention_store.c, the retention storage: file format, ownership and symlink
 * checks, write failures, locking. */
#include "tap.h"
#include "retention_store.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#define NOBODY 65534
#define CHILD_SKIP 77

static char base[64];

static void mkpath(char *buf, size_t len, const char *sub)
{
	snprintf(buf, len, "%s/%s", base, sub);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_n, why);
}

/* Run fn in a child; 0 passes, CHILD_SKIP skips, anything else fails. */
static void in_child(int (*fn)(const char *), const char *arg, const char *name)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0)
		_exit(fn(arg));
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SKIP) {
		char why[200];

		snprintf(why, sizeof(why), "%s: not possible here (needs root and mounts)", name);
		skip(why);
		return;
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", name);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		printf("#   child status %d\n", status);
}

static void fill(struct mp_store_record *st, const char *boot, time_t t)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->boot_id, sizeof(st->boot_id), "%s", boot);
	st->time = t;
}

#define BOOT "0b6a3f3e-6f43-4a4e-9a0e-3c2d6f9a1b2c"

static void test_format(void)
{
	struct mp_store_record st, back;
	char text[4096], err[200];
	uint64_t v;
	int n, i;

	fill(&st, BOOT, 1700000000);
	is_int(mp_store_set(&st, "drop", 5), 0, "set drop");
	is_int(mp_store_set(&st, "insert_failed", UINT64_MAX), 0, "set max uint64");
	is_int(mp_store_set(&st, "drop", 7), 0, "set drop again updates");
	is_int(st.n, 2, "two values");
	n = mp_store_format(&st, text, sizeof(text));
	ok(n > 0, "format");
	is_str(text,
	       "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1700000000\n"
	       "drop 7\ninsert_failed 18446744073709551615\n",
	       "format text");
	is_int(mp_store_parse(text, (size_t)n, &back, err, sizeof(err)), 0, "parse back");
	is_str(back.boot_id, BOOT, "boot_id round trip");
	is_int(back.time, 1700000000, "time round trip");
	ok(mp_store_get(&back, "insert_failed", &v) && v == UINT64_MAX, "uint64 max round trip");
	ok(mp_store_get(&back, "drop", &v) && v == 7, "drop round trip");
	ok(!mp_store_get(&back, "early_drop", &v), "missing key");
	is_int(mp_store_format(&st, text, 40), -ENOSPC, "format: small buffer");
	{
		char exact[256];

		is_int(mp_store_format(&st, exact, (size_t)n + 1), n,
		       "format: a buffer of the text and its terminator is enough");
		is_str(exact,
		       "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1700000000\n"
		       "drop 7\ninsert_failed 18446744073709551615\n",
		       "format: ... the same text");
		is_int(mp_store_format(&st, exact, (size_t)n), -ENOSPC,
		       "format: one byte less is not (the last value's line)");
		is_int(mp_store_format(&st, exact, (size_t)n - 1), -ENOSPC,
		       "format: nor two bytes less");
	}

	is_int(mp_store_set(&st, "has space", 1), -EINVAL, "set: bad key");
	is_int(mp_store_set(&st, "time", 1), -EINVAL, "set: reserved key");
	is_int(mp_store_set(&st, "a23456789012345678901234567890123", 1), -EINVAL, "set: long key");
	fill(&st, BOOT, 1);
	for (i = 0; i < MP_STORE_MAX_VALUES; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		mp_store_set(&st, k, (uint64_t)i);
	}
	is_int(mp_store_set(&st, "one_more", 1), -ENOSPC, "set: full");
	n = mp_store_format(&st, text, sizeof(text));
	is_int(mp_store_parse(text, (size_t)n, &back, err, sizeof(err)), 0, "32 values parse");
	fill(&st, "", 1);
	is_int(mp_store_format(&st, text, sizeof(text)), -EINVAL, "format: no boot_id");
}

static void test_corrupt(void)
{
	static const struct {
		const char *text, *name;
	} bad[] = {
		{"", "empty"},
		{"# monitoring-plugins state v1\n", "only magic"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\n", "no time"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\nd", "truncated line"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 12",
		 "no final newline"},
		{"# monitoring-plugins state v2\nboot_id " BOOT "\ntime 1\n", "version 2"},
		{"# monitoring-plugins state v10\nboot_id " BOOT "\ntime 1\n", "version 10"},
		{"# monitoring-plugins state v\nboot_id " BOOT "\ntime 1\n", "no version"},
		{"#monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\n", "bad magic"},
		{"# monitoring-plugins state v1\ntime 1\nboot_id " BOOT "\n", "swapped lines"},
		{"# monitoring-plugins state v1\nboot_id \ntime 1\n", "empty boot_id"},
		{"# monitoring-plugins state v1\nboot_id xyz\ntime 1\n", "non-hex boot_id"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "0000\ntime 1\n", "long boot_id"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime -1\n", "negative time"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 99999999999999999999\n",
		 "time overflow"},
		{"# monitoring-plugins state v1\nboot_id " BOOT
		 "\ntime 1\ndrop 18446744073709551616\n",
		 "uint64 overflow"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 0x10\n",
		 "hex value"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop  1\n",
		 "two spaces"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1 \n",
		 "trailing space"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1\r\n", "CRLF"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop +1\n", "sign"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop \n", "no value"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\n\n", "blank line"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1\ndrop 2\n",
		 "duplicate key"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ntime 2\n",
		 "duplicate time"},
		{"# monitoring-plugins state v1\nboot_id " BOOT
		 "\ntime 1\na23456789012345678901234567890123 1\n",
		 "key too long"},
		{"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndr\top 1\n",
		 "tab in key"},
	};
	static const char nul[] =
		"# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndr\0p 1\n";
	struct mp_store_record st;
	char err[200], text[8192], name[100];
	size_t i, off;
	int k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		snprintf(name, sizeof(name), "corrupt: %s", bad[i].name);
		is_int(mp_store_parse(bad[i].text, strlen(bad[i].text), &st, err, sizeof(err)),
		       -EINVAL, name);
		ok(err[0] != '\0', "  with a reason (%s)", err);
	}
	/* A NUL inside is just a bad character. */
	is_int(mp_store_parse(nul, sizeof(nul) - 1, &st, err, sizeof(err)), -EINVAL,
	       "corrupt: NUL");
	/* One value too many. */
	off = (size_t)snprintf(text, sizeof(text),
			       "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\n");
	for (k = 0; k <= MP_STORE_MAX_VALUES; k++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "k%d %d\n", k, k);
	is_int(mp_store_parse(text, off, &st, err, sizeof(err)), -EINVAL, "corrupt: 33 values");
	ok(strstr(err, "values") != NULL, "  reason names the limit (%s)", err);
	is_int(mp_store_parse(NULL, 5, &st, err, sizeof(err)), -EINVAL, "NULL text");
	/* Every prefix of a good file is either refused or (at a line end) parses. */
	off = (size_t)snprintf(text, sizeof(text),
			       "# monitoring-plugins state v1\nboot_id " BOOT
			       "\ntime 1700000000\ndrop 1234\nnew 99\n");
	for (i = 0, k = 0; i < off; i++) {
		int r = mp_store_parse(text, i, &st, err, sizeof(err));

		if (r == 0 && text[i - 1] != '\n')
			k++;
	}
	is_int(k, 0, "truncations never parse mid-line");
}

/* The default places of a user that is not root, as nobody; 0 passes. */
static int child_defaults(const char *unused)
{
	char buf[512], run[128], shm[128];
	bool run_first;
	struct statfs sf;
	const char *d0, *d1, *d2;

	(void)unused;
	if (geteuid() == 0 && (setgid(NOBODY) < 0 || setuid(NOBODY) < 0))
		return CHILD_SKIP;
	run_first = (statfs("/run", &sf) == 0 && sf.f_type == TMPFS_MAGIC) ||
		    !(statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	snprintf(run, sizeof(run), "/run/monitoring-plugins/%lu/check_conntrack",
		 (unsigned long)geteuid());
	snprintf(shm, sizeof(shm), "/dev/shm/monitoring-plugins-%lu/check_conntrack",
		 (unsigned long)geteuid());
	d0 = mp_store_default_dir(0, "check_conntrack", buf, sizeof(buf));
	if (!d0 || strcmp(d0, run_first ? run : shm) != 0)
		return 2;
	d1 = mp_store_default_dir(1, "check_conntrack", buf + 128, sizeof(buf) - 128);
	if (!d1 || strcmp(d1, run_first ? shm : run) != 0)
		return 3;
	/* Then the home directory of the password database (nobody's may not exist: fine). */
	d2 = mp_store_default_dir(2, "check_conntrack", buf + 256, sizeof(buf) - 256);
	if (d2 && !strstr(d2, "/.local/state/monitoring-plugins/check_conntrack"))
		return 4;
	if (mp_store_default_dir(3, "check_conntrack", buf, sizeof(buf)))
		return 5;
	return 0;
}

static void test_dir(void)
{
	char buf[512];
	const char *d;
	bool shm = false;

	d = mp_store_dir("/srv/state", "check_conntrack", buf, sizeof(buf));
	is_str(d, "/srv/state", "explicit dir as given");
	setenv("MP_STATE_PATH", "/tmp/mpstate", 1);
	d = mp_store_dir(NULL, "check_conntrack", buf, sizeof(buf));
	snprintf(buf + 256, 256, "/tmp/mpstate/%lu/check_conntrack", (unsigned long)geteuid());
	is_str(d, buf + 256, "MP_STATE_PATH/<euid>/<plugin>");
	unsetenv("MP_STATE_PATH");
	if (geteuid() == 0) {
		/* Root: /run whatever it is, then its home; never /dev/shm, where anyone writes. */
		d = mp_store_dir(NULL, "check_conntrack", buf, sizeof(buf));
		is_str(d, "/run/monitoring-plugins/0/check_conntrack", "root: /run first");
		for (unsigned i = 0; mp_store_default_dir(i, "check_conntrack", buf, sizeof(buf));
		     i++)
			shm = shm || strncmp(buf, "/dev/shm", 8) == 0;
		ok(!shm, "root: no default place in /dev/shm");
		d = mp_store_default_dir(1, "check_conntrack", buf, sizeof(buf));
		ok(d && strstr(d, "/.local/state/monitoring-plugins/check_conntrack"),
		   "root: then its home (%s)", d ? d : "none");
	} else {
		skip("not root: root's defaults");
		skip("not root: root's defaults");
		skip("not root: root's defaults");
	}
	in_child(child_defaults, "", "others: /run and /dev/shm (tmpfs first), then home");
	ok(mp_store_default_dir(0, "../x", buf, sizeof(buf)) == NULL,
	   "default: bad plugin refused");
	ok(mp_store_dir(NULL, "../x", buf, sizeof(buf)) == NULL, "plugin with a slash refused");
	ok(mp_store_dir(NULL, "check_conntrack", buf, 10) == NULL, "too small a buffer");
}

static int tmpfs_child(const char *dir, const char *opts);

static int mode_of(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static bool empty_dir(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", path);
	return system(cmd) == 0;
}

/* A shared prefix outside /tmp: on a tmpfs mounted over dir in a private mount namespace. */
static int child_prefix(const char *dir)
{
	struct mp_store_handle h;
	char p[256], q[256], err[256];

	if (tmpfs_child(dir, "size=64k,mode=0755") < 0)
		return CHILD_SKIP;
	snprintf(q, sizeof(q), "%s/prefix/%lu/plugin", dir, (unsigned long)geteuid());
	if (mp_store_open(&h, q, "s", err, sizeof(err)) != 0)
		return 2;
	mp_store_close(&h);
	snprintf(p, sizeof(p), "%s/prefix", dir);
	if (mode_of(p) != 0755)
		return 3;
	snprintf(p, sizeof(p), "%s/prefix/%lu", dir, (unsigned long)geteuid());
	return mode_of(p) == 0700 && mode_of(q) == 0700 ? 0 : 4;
}

/* The path to the state directory: no symbolic link, nobody else's, nobody else may write. */
static void test_path(void)
{
	struct mp_store_handle h;
	char p[512], q[512], err[256];
	int r;

	mkpath(p, sizeof(p), "linktarget");
	mkdir(p, 0755);
	mkpath(q, sizeof(q), "link");
	if (symlink(p, q) < 0)
		abort();
	mkpath(p, sizeof(p), "link/sub");
	r = mp_store_open(&h, p, "s", err, sizeof(err));
	is_int(r, -EPERM, "a symbolic link on the way is refused");
	ok(strstr(err, "link is a symbolic link") != NULL, "  reason: %s", err);
	mkpath(p, sizeof(p), "linktarget");
	ok(empty_dir(p), "  nothing created where the link points");
	r = mp_store_open(&h, q, "s", err, sizeof(err));
	is_int(r, -EPERM, "a symbolic link as the state directory is refused");
	ok(empty_dir(p), "  nothing created where the link points");
	mkpath(p, sizeof(p), "x/../linktarget");
	is_int(mp_store_open(&h, p, "s", err, sizeof(err)), -EINVAL, "'..' refused");
	is_int(mp_store_open(&h, "relative/dir", "s", err, sizeof(err)), -EINVAL,
	       "relative path refused");

	/* Below a sticky shared directory (/tmp here) even a prefix for all users is 0700. */
	snprintf(q, sizeof(q), "%s/prefix/%lu/plugin", base, (unsigned long)geteuid());
	is_int(mp_store_open(&h, q, "s", err, sizeof(err)), 0, "prefix/<uid>/plugin created");
	mp_store_close(&h);
	mkpath(p, sizeof(p), "prefix");
	is_int(mode_of(p), 0700, "  below /tmp the prefix is 0700 too");
	is_int(mode_of(q), 0700, "  the state directory is 0700");
	in_child(child_prefix, "/mnt", "elsewhere: a prefix for all users 0755, the rest 0700");

	/* Group-writable on the way. */
	mkpath(p, sizeof(p), "gw");
	mkdir(p, 0700);
	chmod(p, 0775);
	mkpath(p, sizeof(p), "gw/sub");
	is_int(mp_store_open(&h, p, "s", err, sizeof(err)), -EPERM, "group-writable on the way");
	ok(strstr(err, "writable by its group") != NULL, "  reason: %s", err);

	/* A sticky world-writable directory (like /tmp): ours below it is fine, and made 0700. */
	mkpath(p, sizeof(p), "sticky");
	mkdir(p, 0700);
	chmod(p, 01777);
	mkpath(p, sizeof(p), "sticky/mine");
	mkdir(p, 0755);
	mkpath(q, sizeof(q), "sticky/mine/state");
	mkdir(q, 0755);
	is_int(mp_store_open(&h, q, "s", err, sizeof(err)), 0, "below a sticky shared directory");
	mp_store_close(&h);
	is_int(mode_of(q), 0700, "  the state directory there is made 0700");
	is_int(mode_of(p), 0755, "  the directories on the way are left as they are");
	mkpath(p, sizeof(p), "sticky");
	is_int(mp_store_open(&h, p, "s", err, sizeof(err)), -EPERM,
	       "the sticky shared directory itself is refused as the state directory");

	if (geteuid() != 0) {
		for (int i = 0; i < 3; i++)
			skip("not root: cannot chown to nobody");
		return;
	}
	mkpath(p, sizeof(p), "sticky/theirs");
	mkdir(p, 0777);
	chmod(p, 0777);
	if (chown(p, NOBODY, NOBODY) < 0)
		abort();
	mkpath(q, sizeof(q), "sticky/theirs/check_conntrack");
	is_int(mp_store_open(&h, q, "s", err, sizeof(err)), -EPERM,
	       "someone else's directory below a sticky one (squatted)");
	ok(strstr(err, "theirs is owned by uid 65534") != NULL, "  reason names the owner: %s",
	   err);
	ok(empty_dir(p), "  nothing created in it");
}

/* A run that only looks: a shared lock, nothing created. */
static void test_shared(void)
{
	struct mp_store_handle a, b;
	char p[512], err[256];

	mkpath(p, sizeof(p), "peek/dir");
	is_int(mp_store_lock(&a, p, "k", MP_STORE_SHARED, err, sizeof(err)), -ENOENT,
	       "shared: a missing directory is -ENOENT");
	ok(access(p, F_OK) < 0, "  and is not created");
	is_int(mp_store_lock(&a, p, "k", 0, err, sizeof(err)), 0, "exclusive: created");
	mp_store_close(&a);
	is_int(mp_store_lock(&a, p, "other", MP_STORE_SHARED, err, sizeof(err)), -ENOENT,
	       "shared: a missing lock file is -ENOENT");
	is_int(mp_store_lock(&a, p, "k", MP_STORE_SHARED, err, sizeof(err)), 0, "shared lock");
	is_int(mp_store_lock(&b, p, "k", MP_STORE_SHARED, err, sizeof(err)), 0,
	       "a second shared lock at the same time");
	mp_store_close(&a);
	mp_store_close(&b);

	/* Removing: a held lock stays, a free one goes, the selected file never. */
	is_int(mp_store_lock(&a, p, "k", 0, err, sizeof(err)), 0, "lock k");
	is_int(mp_store_lock(&b, p, "j", 0, err, sizeof(err)), 0, "lock j");
	is_int(mp_store_remove(&b, "k.lock"), -EWOULDBLOCK, "remove: a held lock stays");
	mp_store_close(&a);
	is_int(mp_store_remove(&b, "k.lock"), 0, "remove: a free lock goes");
	mp_store_select(&b, "j.cookie-1");
	is_int(mp_store_remove(&b, "j.cookie-1"), -EINVAL, "remove: never the selected file");
	mp_store_close(&b);
}

/*
 * A run waiting for the lock while another removes the lock file (pruning): once it gets the
 * lock it must hold the file that is there now, or two runs would hold "the" lock at once.
 */
static void test_lock_replaced(void)
{
	struct mp_store_handle a, b;
	char p[512], lock[600], err[256], c;
	int go[2], done[2], status, fd;
	pid_t pid;

	mkpath(p, sizeof(p), "replaced");
	snprintf(lock, sizeof(lock), "%s/k.lock", p);
	if (mp_store_lock(&a, p, "k", 0, err, sizeof(err)) != 0 || pipe(go) < 0 || pipe(done) < 0) {
		printf("# %s\n", err);
		abort();
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* Our copy of the parent's lock would keep it held. */
		close(a.lockfd);
		close(a.dirfd);
		close(go[1]);
		close(done[0]);
		if (mp_store_lock(&b, p, "k", 0, err, sizeof(err)) != 0)
			_exit(2);
		if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		mp_store_close(&b);
		_exit(0);
	}
	usleep(200 * 1000); /* the child now waits on the file we hold */
	unlink(lock);
	mp_store_close(&a);
	ok(read(done[0], &c, 1) == 1, "the waiting run got a lock");
	fd = open(lock, O_RDONLY);
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	   "  on the lock file that is there now");
	if (fd >= 0)
		close(fd);
	if (write(go[1], "x", 1) != 1)
		abort();
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "  and released it");
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

static void test_files(void)
{
	struct mp_store_handle h;
	struct mp_store_record st, back;
	char dir[128], p[512], err[256];
	struct stat sb;
	uint64_t v;
	int r, fd;

	/* mkdir -p (0700 on the way and for the state directory itself), round trip. */
	mkpath(dir, sizeof(dir), "a/b/c");
	is_int(mp_store_open(&h, dir, "conntrack", err, sizeof(err)), 0, "open creates a/b/c");
	mkpath(p, sizeof(p), "a/b");
	ok(stat(p, &sb) == 0 && (sb.st_mode & 07777) == 0700, "created parts on the way are 0700");
	ok(stat(dir, &sb) == 0 && (sb.st_mode & 07777) == 0700, "the state directory is 0700");
	is_int(mp_store_read(&h, &back, err, sizeof(err)), -ENOENT, "no state yet: -ENOENT");
	fill(&st, BOOT, 1700000001);
	mp_store_set(&st, "drop", 42);
	is_int(mp_store_write(&h, &st, err, sizeof(err)), 0, "write");
	is_int(mp_store_read(&h, &back, err, sizeof(err)), 0, "read back");
	ok(mp_store_get(&back, "drop", &v) && v == 42, "value read back");
	snprintf(p, sizeof(p), "%s/conntrack", dir);
	ok(stat(p, &sb) == 0 && (sb.st_mode & 07777) == 0600, "state file is 0600");
	snprintf(p, sizeof(p), "%s/conntrack.lock", dir);
	ok(stat(p, &sb) == 0 && (sb.st_mode & 07777) == 0600, "lock file is 0600");
	/* A leftover temp file of a killed run is replaced. */
	snprintf(p, sizeof(p), "%s/conntrack.tmp", dir);
	put(p, "junk");
	mp_store_set(&st, "drop", 43);
	is_int(mp_store_write(&h, &st, err, sizeof(err)), 0, "write over a stale temp file");
	ok(access(p, F_OK) < 0, "no temp file left");
	mp_store_close(&h);
	mp_store_close(&h);
	ok(h.dirfd == -1 && h.lockfd == -1, "close twice is harmless");
	is_int(mp_store_read(&h, &back, err, sizeof(err)), -EBADF, "read after close");

	is_int(mp_store_open(&h, dir, "a/b", err, sizeof(err)), -EINVAL, "name with a slash");
	is_int(mp_store_open(&h, dir, "..", err, sizeof(err)), -EINVAL, "name ..");
	mkpath(p, sizeof(p), "a/b/c/conntrack/x");
	ok(mp_store_open(&h, p, "n", err, sizeof(err)) < 0, "dir below a file: %s", err);

	/* Symlink in place of the state file: not followed on read nor on write. */
	mkpath(p, sizeof(p), "target");
	put(p, "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1\n");
	snprintf(err, sizeof(err), "%s/link", dir);
	if (symlink(p, err) < 0)
		abort();
	is_int(mp_store_open(&h, dir, "link", err, sizeof(err)), 0, "open link state");
	r = mp_store_read(&h, &back, err, sizeof(err));
	ok(r == -ELOOP, "symlink refused on read (%d: %s)", r, err);
	is_int(mp_store_write(&h, &st, err, sizeof(err)), 0, "write replaces the link itself");
	mp_store_close(&h);
	snprintf(err, sizeof(err), "%s/link", dir);
	ok(lstat(err, &sb) == 0 && S_ISREG(sb.st_mode), "link now a regular file");
	fd = open(p, O_RDONLY);
	r = fd >= 0 ? (int)read(fd, err, sizeof(err)) : -1;
	if (fd >= 0)
		close(fd);
	ok(r > 0 && strstr(err, "drop 1\n") != NULL, "link target untouched");

	/* Oversized and non-regular state files. */
	snprintf(p, sizeof(p), "%s/big", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 65 * 1024) < 0)
		abort();
	close(fd);
	mp_store_open(&h, dir, "big", err, sizeof(err));
	is_int(mp_store_read(&h, &back, err, sizeof(err)), -EINVAL, "over 64 KiB refused");
	mp_store_close(&h);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0600);
	mp_store_open(&h, dir, "fifo", err, sizeof(err));
	is_int(mp_store_read(&h, &back, err, sizeof(err)), -EINVAL, "fifo refused, no hang");
	mp_store_close(&h);
	snprintf(p, sizeof(p), "%s/trunc", dir);
	put(p, "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1");
	mp_store_open(&h, dir, "trunc", err, sizeof(err));
	is_int(mp_store_read(&h, &back, err, sizeof(err)), -EINVAL, "truncated file: -EINVAL");
	ok(strstr(err, "truncated") != NULL, "  reason: %s", err);
	mp_store_close(&h);

	if (geteuid() != 0) {
		skip("not root: cannot chown to nobody");
		skip("not root: cannot chown to nobody");
	} else {
		/* A file owned by someone else. */
		snprintf(p, sizeof(p), "%s/foreign", dir);
		put(p, "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1\n");
		if (chown(p, NOBODY, NOBODY) < 0)
			abort();
		mp_store_open(&h, dir, "foreign", err, sizeof(err));
		is_int(mp_store_read(&h, &back, err, sizeof(err)), -EPERM, "foreign file refused");
		mp_store_close(&h);
		/* A directory owned by someone else. */
		mkpath(p, sizeof(p), "nobodys");
		mkdir(p, 0700);
		if (chown(p, NOBODY, NOBODY) < 0)
			abort();
		is_int(mp_store_open(&h, p, "x", err, sizeof(err)), -EPERM, "foreign dir refused");
	}
	/* A directory writable by others. */
	mkpath(p, sizeof(p), "open");
	mkdir(p, 0700);
	chmod(p, 0777);
	is_int(mp_store_open(&h, p, "x", err, sizeof(err)), -EPERM, "world-writable dir refused");
	ok(strstr(err, "writable") != NULL, "  reason: %s", err);
	chmod(p, 0770);
	is_int(mp_store_open(&h, p, "x", err, sizeof(err)), -EPERM, "group-writable dir refused");
}

/* As nobody: a read-only (0500) state directory that already holds the lock and state files. */
static int child_readonly_dir(const char *dir)
{
	struct mp_store_handle h;
	struct mp_store_record st;
	char err[256];
	int r;

	if (geteuid() == 0 && (setgid(NOBODY) < 0 || setuid(NOBODY) < 0))
		return CHILD_SKIP;
	if (mp_store_open(&h, dir, "s", err, sizeof(err)) != 0)
		return 2;
	if (mp_store_read(&h, &st, err, sizeof(err)) != 0)
		return 3;
	mp_store_set(&st, "drop", 2);
	r = mp_store_write(&h, &st, err, sizeof(err));
	mp_store_close(&h);
	if (r != -EACCES || !strstr(err, "permission denied"))
		return 4;
	return 0;
}

/* A private mount namespace with a tmpfs on dir; it disappears with the child. */
static int tmpfs_child(const char *dir, const char *opts)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0)
		return -1;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, "") < 0)
		return -1;
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0)
		return -1;
	return 0;
}

static int child_erofs(const char *dir)
{
	struct mp_store_handle h;
	struct mp_store_record st;
	char err[256], sub[300];
	int r;

	if (tmpfs_child(dir, "size=64k,mode=0700") < 0)
		return CHILD_SKIP;
	snprintf(sub, sizeof(sub), "%s/p", dir);
	fill(&st, BOOT, 5);
	if (mp_store_open(&h, sub, "s", err, sizeof(err)) != 0 ||
	    mp_store_write(&h, &st, err, sizeof(err)) != 0)
		return 2;
	mp_store_close(&h);
	if (mount("tmpfs", dir, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k,mode=0700") < 0)
		return CHILD_SKIP;
	if (mp_store_open(&h, sub, "s", err, sizeof(err)) != 0)
		return 3;
	if (mp_store_read(&h, &st, err, sizeof(err)) != 0)
		return 4;
	r = mp_store_write(&h, &st, err, sizeof(err));
	mp_store_close(&h);
	if (r != -EROFS || !strstr(err, "read-only"))
		return 5;
	/* A state that does not exist yet cannot even get its lock file. */
	if (mp_store_open(&h, sub, "new", err, sizeof(err)) != -EROFS)
		return 6;
	return 0;
}

static int child_enospc(const char *dir)
{
	struct mp_store_handle h;
	struct mp_store_record st, back;
	char err[256], sub[300], second[300], block[1024];
	uint64_t v;
	int fd, r, i;

	if (tmpfs_child(dir, "size=8k,mode=0700") < 0)
		return CHILD_SKIP;
	fill(&st, BOOT, 5);
	mp_store_set(&st, "drop", 1);
	if (mp_store_open(&h, dir, "s", err, sizeof(err)) != 0 ||
	    mp_store_write(&h, &st, err, sizeof(err)) != 0)
		return 2;
	/* A second link keeps the file from being written in place: the rename needs room. */
	snprintf(sub, sizeof(sub), "%s/s", dir);
	snprintf(second, sizeof(second), "%s/s.second-link", dir);
	if (link(sub, second) < 0)
		return 8;
	snprintf(sub, sizeof(sub), "%s/filler", dir);
	fd = open(sub, O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 3;
	memset(block, 'x', sizeof(block));
	for (i = 0; i < 1000 && write(fd, block, sizeof(block)) > 0; i++)
		;
	close(fd);
	for (i = 0; i < MP_STORE_MAX_VALUES - 1; i++) {
		char k[16];

		snprintf(k, sizeof(k), "key%d", i);
		mp_store_set(&st, k, UINT64_MAX);
	}
	mp_store_set(&st, "drop", 2);
	r = mp_store_write(&h, &st, err, sizeof(err));
	if (r != -ENOSPC || !strstr(err, "no space"))
		return 4;
	snprintf(sub, sizeof(sub), "%s/s.tmp", dir);
	if (access(sub, F_OK) == 0)
		return 5;
	if (mp_store_read(&h, &back, err, sizeof(err)) != 0)
		return 6;
	if (!mp_store_get(&back, "drop", &v) || v != 1)
		return 7;
	/* Its only link again: written in place, in the page it has, with no room left. */
	if (unlink(second) < 0)
		return 9;
	if (mp_store_write(&h, &st, err, sizeof(err)) != 0)
		return 10;
	if (mp_store_read(&h, &back, err, sizeof(err)) != 0 || !mp_store_get(&back, "drop", &v) ||
	    v != 2)
		return 11;
	mp_store_close(&h);
	return 0;
}

/* Does the file at path hold needle? */
static bool file_has(const char *path, const char *needle)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, needle) != NULL;
}

/*
 * On a tmpfs a state file is rewritten in place (its inode stays); one that is not ours alone (a
 * second link) or not 0600 is replaced by a rename: the other link keeps the old text, the new
 * file is 0600.
 */
static int child_in_place(const char *dir)
{
	struct mp_store_handle h;
	struct mp_store_record st, back;
	char err[256], p[300], second[300];
	struct stat a, b;
	uint64_t v = 0;

	if (tmpfs_child(dir, "size=64k,mode=0700") < 0)
		return CHILD_SKIP;
	snprintf(p, sizeof(p), "%s/s", dir);
	snprintf(second, sizeof(second), "%s/other", dir);
	fill(&st, BOOT, 5);
	mp_store_set(&st, "drop", 1);
	if (mp_store_open(&h, dir, "s", err, sizeof(err)) != 0 ||
	    mp_store_write(&h, &st, err, sizeof(err)) != 0 || stat(p, &a) < 0)
		return 2;
	mp_store_set(&st, "drop", 2);
	if (mp_store_write(&h, &st, err, sizeof(err)) != 0 || stat(p, &b) < 0)
		return 3;
	if (b.st_ino != a.st_ino)
		return 4; /* not in place */
	if (mp_store_read(&h, &back, err, sizeof(err)) != 0 || !mp_store_get(&back, "drop", &v) ||
	    v != 2)
		return 5;
	if (link(p, second) < 0)
		return 6;
	mp_store_set(&st, "drop", 3);
	if (mp_store_write(&h, &st, err, sizeof(err)) != 0 || stat(p, &b) < 0)
		return 7;
	if (b.st_ino == a.st_ino || !file_has(second, "drop 2\n") || !file_has(p, "drop 3\n"))
		return 8; /* the second link was written through */
	if (chmod(p, 0644) < 0 || stat(p, &a) < 0)
		return 9;
	mp_store_set(&st, "drop", 4);
	if (mp_store_write(&h, &st, err, sizeof(err)) != 0 || stat(p, &b) < 0)
		return 10;
	mp_store_close(&h);
	if (b.st_ino == a.st_ino || (b.st_mode & 07777) != 0600 || !file_has(p, "drop 4\n"))
		return 11;
	return 0;
}

static void test_write_failures(void)
{
	char dir[128], p[512], lockp[512];

	mkpath(dir, sizeof(dir), "ro");
	mkdir(dir, 0700);
	snprintf(p, sizeof(p), "%s/s", dir);
	put(p, "# monitoring-plugins state v1\nboot_id " BOOT "\ntime 1\ndrop 1\n");
	snprintf(lockp, sizeof(lockp), "%s/s.lock", dir);
	put(lockp, "");
	if (geteuid() == 0) {
		if (chown(p, NOBODY, NOBODY) < 0 || chown(lockp, NOBODY, NOBODY) < 0 ||
		    chown(dir, NOBODY, NOBODY) < 0)
			abort();
		chmod(base, 0711);
	}
	chmod(dir, 0500);
	in_child(child_readonly_dir, dir, "read-only dir (0500, as nobody if root): -EACCES");
	mkpath(dir, sizeof(dir), "rofs");
	mkdir(dir, 0700);
	in_child(child_erofs, dir, "read-only tmpfs: -EROFS");
	mkpath(dir, sizeof(dir), "inplace");
	mkdir(dir, 0700);
	in_child(child_in_place, dir,
		 "tmpfs: rewritten in place; a second link or a mode other than 0600: renamed");
	mkpath(dir, sizeof(dir), "full");
	mkdir(dir, 0700);
	in_child(child_enospc, dir,
		 "full 8k tmpfs: -ENOSPC, temp removed, old state kept; in place, with its one "
		 "link, "
		 "the new state fits its page");
}

#define WORKERS 200

static int worker(const char *dir)
{
	struct mp_store_handle h;
	struct mp_store_record st;
	char err[256];
	uint64_t v = 0;
	int r;

	if (mp_store_open(&h, dir, "counter", err, sizeof(err)) != 0)
		return 2;
	r = mp_store_read(&h, &st, err, sizeof(err));
	if (r == -ENOENT)
		fill(&st, BOOT, 1);
	else if (r != 0)
		return 3;
	mp_store_get(&st, "counter", &v);
	if (mp_store_set(&st, "counter", v + 1) != 0)
		return 4;
	st.time++;
	r = mp_store_write(&h, &st, err, sizeof(err));
	mp_store_close(&h);
	return r == 0 ? 0 : 5;
}

static void test_concurrency(void)
{
	struct mp_store_handle h;
	struct mp_store_record st;
	char dir[128], err[256];
	pid_t pids[WORKERS];
	int i, failed = 0, status;
	uint64_t v = 0;

	mkpath(dir, sizeof(dir), "concurrent");
	fflush(stdout);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(dir));
		if (pids[i] < 0)
			failed++;
	}
	for (i = 0; i < WORKERS; i++) {
		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0))
			failed++;
	}
	is_int(failed, 0, "200 workers succeeded");
	is_int(mp_store_open(&h, dir, "counter", err, sizeof(err)), 0, "open after the workers");
	is_int(mp_store_read(&h, &st, err, sizeof(err)), 0, "file parses cleanly");
	if (!mp_store_get(&st, "counter", &v))
		v = 0;
	ok(v == WORKERS, "counter is exactly 200 (%llu)", (unsigned long long)v);
	is_int(st.time, 1 + WORKERS, "time advanced 200 times");
	mp_store_close(&h);
}

int main(void)
{
	char cmd[256];

	snprintf(base, sizeof(base), "/tmp/mp-state-XXXXXX");
	if (!mkdtemp(base))
		abort();
	test_format();
	test_corrupt();
	test_dir();
	test_path();
	test_shared();
	test_lock_replaced();
	test_files();
	test_write_failures();
	test_concurrency();
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", base, base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
	return tap_done();
}
