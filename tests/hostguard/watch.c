/*
 * Watches the host-wide connection-tracking settings while the test suites or the benchmark run,
 * so that a suite which changes one, even for a moment, is caught: nf_conntrack_max is read every
 * millisecond (or every MS), every other writable file under /proc/sys/net/netfilter every 100 ms,
 * each against the value found at the start (these files live in the initial network namespace:
 * the watcher must be started there).
 *
 *   watch DIR PID [MS [ROOT]]  runs until PID is gone or a SIGTERM/SIGINT comes (ROOT: a copy
 *                       of the tree to watch instead, for testing the watcher). In DIR: pid;
 *                       before, the values found at the start ("key<TAB>value" lines); changes,
 *                       one line per change seen ("+T ms key: OLD -> NEW"); after, the values at
 *                       the end; summary, written last: "samples_max N", "samples_all N",
 *                       "ms N", "keys N" lines.
 * A key that appears later (nf_conntrack loaded meanwhile) is taken as found when it appears.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/proc/sys/net/netfilter"
#define ROOT_KEY "net.netfilter"
#define MAX_KEY "net.netfilter.nf_conntrack_max"
#define KEYS_MAX 256
#define ALL_EVERY_MS 100

struct key {
	char name[PATH_MAX];
	char value[256];
	int fd;
};

static struct key keys[KEYS_MAX];
static int nkeys, max_index = -1;
static const char *root = ROOT;
static volatile sig_atomic_t stop;
static FILE *changes;
static struct timespec t0;

static long elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

/* The value as one line: a trailing newline dropped, tabs and newlines inside made spaces. */
static int read_value(int fd, char *out, size_t size)
{
	ssize_t n = pread(fd, out, size - 1, 0);
	ssize_t i;

	if (n < 0)
		return -1;
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '\t' || out[i] == '\n')
			out[i] = ' ';
	return 0;
}

static int known(const char *name)
{
	int i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return 1;
	return 0;
}

static void add_key(const char *path)
{
	struct key *k = &keys[nkeys];
	char *c;

	snprintf(k->name, sizeof(k->name), "%s%s", ROOT_KEY, path + strlen(root));
	for (c = k->name; *c; c++)
		if (*c == '/')
			*c = '.';
	if (known(k->name))
		return;
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0 || read_value(k->fd, k->value, sizeof(k->value)) < 0) {
		if (k->fd >= 0)
			close(k->fd);
		return;
	}
	if (strcmp(k->name, MAX_KEY) == 0)
		max_index = nkeys;
	nkeys++;
}

/* Every writable regular file under DIR, depth first; writable files only are settings. */
static void scan(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL && nkeys < KEYS_MAX) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			scan(path);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 0222))
			add_key(path);
	}
	closedir(d);
}

static void sample(struct key *k)
{
	char now[sizeof(k->value)];

	if (read_value(k->fd, now, sizeof(now)) < 0 || strcmp(now, k->value) == 0)
		return;
	fprintf(changes, "+%ld ms %s: %s -> %s\n", elapsed_ms(), k->name, k->value, now);
	fflush(changes);
	/* Each change is written once; the next one is against this value. */
	snprintf(k->value, sizeof(k->value), "%s", now);
}

/* Written aside, then renamed: whoever waits for the file reads it whole. */
static int write_values(const char *dir, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	for (i = 0; i < nkeys; i++)
		fprintf(f, "%s\t%s\n", keys[i].name, keys[i].value);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

/* A decimal number, or -1 for anything else. */
static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || end == s || *end ? -1 : v;
}

static int rename_in(const char *dir, const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", dir, from);
	snprintf(b, sizeof(b), "%s/%s", dir, to);
	return rename(a, b) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long samples_max = 0, samples_all = 0, tick = 0, every = 1, all_every;
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd parent = {.events = POLLIN};
	FILE *summary;
	pid_t pid;
	int i;

	if (argc < 3 || argc > 5) {
		fputs("usage: watch DIR PID [MS [ROOT]]\n", stderr);
		return 2;
	}
	pid = (pid_t)number(argv[2]);
	if (argc >= 4)
		every = number(argv[3]);
	if (argc == 5)
		root = argv[4];
	if (pid < 1 || every < 1) {
		fputs("watch: PID and MS are positive numbers\n", stderr);
		return 2;
	}
	all_every = every < ALL_EVERY_MS ? ALL_EVERY_MS / every : 1;
	parent.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	summary = open_in(argv[1], "pid");
	fprintf(summary, "%ld\n", (long)getpid());
	if (fclose(summary) != 0)
		return 1;
	changes = open_in(argv[1], "changes");
	scan(root);
	if (write_values(argv[1], "before") < 0)
		return 1;
	while (!stop) {
		/* The sleep is a wait for the parent's end: its pidfd is readable once it exits. */
		int r = poll(&parent, parent.fd >= 0 ? 1 : 0, (int)every);

		if (r > 0 || (parent.fd < 0 && kill(pid, 0) < 0 && errno == ESRCH))
			break;
		if (max_index >= 0) {
			sample(&keys[max_index]);
			samples_max++;
		}
		if (++tick % all_every)
			continue;
		if (max_index < 0)
			scan(root);
		for (i = 0; i < nkeys; i++)
			sample(&keys[i]);
		samples_all++;
	}
	for (i = 0; i < nkeys; i++)
		sample(&keys[i]);
	if (fclose(changes) != 0 || write_values(argv[1], "after") < 0)
		return 1;
	/* The summary comes last and whole: its presence says the watcher is done. */
	summary = open_in(argv[1], ".summary");
	fprintf(summary, "samples_max %ld\nsamples_all %ld\nms %ld\nkeys %d\n", samples_max,
		samples_all, elapsed_ms(), nkeys);
	if (fclose(summary) != 0)
		return 1;
	return rename_in(argv[1], ".summary", "summary");
}
