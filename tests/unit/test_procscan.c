/*
 * Unit tests for the process listing of --netns=all (procscan.c): every process of a proc tree
 * once, in the tree's order, each with its namespace's inode or the reason it has none; read
 * over two threads on a large tree and over one on a small one.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "procscan.h"
#include "tap.h"

#define BASE 4026532000ull

/* A fake proc tree: n processes 1..n, process i in namespace BASE + i % 7. */
static void make_tree(const char *dir, unsigned n)
{
	char path[256], link[64];

	for (unsigned i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/%u", dir, i);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%u/ns", dir, i);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%u/ns/net", dir, i);
		snprintf(link, sizeof(link), "net:[%llu]", BASE + i % 7);
		if (symlink(link, path) < 0)
			printf("# symlink %s: %s\n", path, strerror(errno));
	}
}

static void remove_tree(const char *dir, unsigned n)
{
	char path[256];

	for (unsigned i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/%u/ns/net", dir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%u/ns", dir, i);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/%u", dir, i);
		rmdir(path);
	}
}

/* The pids as readdir lists them, with the same rule (a first digit 1-9). */
static char **listing(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 11)
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	return v;
}

/* The whole list, in the caller's order: n processes, or -errno. */
static int take_all(struct ct_proc_list *l, const struct ct_pid_ns **v, size_t cap)
{
	const struct ct_pid_ns *p;
	size_t n = 0;
	int r;

	while ((r = ct_proc_next(l, &p)) > 0)
		if (n < cap)
			v[n++] = p;
	return r < 0 ? r : (int)n;
}

/* Every process of the tree once, in order, with its own namespace. */
static void check_tree(const char *dir, unsigned n, unsigned threads, const char *what)
{
	struct ct_proc_list *l = NULL;
	size_t want_n, wrong_order = 0, wrong_inode = 0;
	char **want = listing(dir, &want_n), name[128];
	const struct ct_pid_ns **got = calloc(n + 1, sizeof(*got));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), have = -1;

	ok(ct_proc_scan_start(fd, &l) == 0, "%s: scan started", what);
	if (l)
		have = take_all(l, got, n + 1);
	ok(have == (int)n && want_n == n, "%s: %u processes listed (%d)", what, n, have);
	for (size_t i = 0; have > 0 && i < (size_t)have && i < want_n; i++) {
		if (strcmp(got[i]->pid, want[i]) != 0)
			wrong_order++;
		if (got[i]->err != 0 || got[i]->inode != BASE + strtoull(got[i]->pid, NULL, 10) % 7)
			wrong_inode++;
	}
	snprintf(name, sizeof(name), "%s: in the order of the listing", what);
	is_int(wrong_order, 0, name);
	snprintf(name, sizeof(name), "%s: each with its own namespace", what);
	is_int(wrong_inode, 0, name);
	snprintf(name, sizeof(name), "%s: read by %u thread(s)", what, threads);
	is_int(l ? ct_proc_threads(l) : 0, threads, name);
	ct_proc_list_free(l);
	for (size_t i = 0; i < want_n; i++)
		free(want[i]);
	free(want);
	free(got);
	close(fd);
}

/* A caller that stops half way: the second thread is stopped, nothing leaks or hangs. */
static void stop_early(const char *dir)
{
	struct ct_proc_list *l = NULL;
	const struct ct_pid_ns *p;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	ok(ct_proc_scan_start(fd, &l) == 0 && l, "stop early: scan started");
	for (int i = 0; l && i < 2500 && (r = ct_proc_next(l, &p)) > 0; i++)
		;
	ok(r == 1, "stop early: 2500 processes taken");
	ct_proc_list_free(l);
	close(fd);
}

static void fake_trees(void)
{
	char dir[] = "/tmp/ct-unit-procscan-XXXXXX", path[256];

	ok(mkdtemp(dir) != NULL, "a temporary directory");
	make_tree(dir, 10);
	/* Not processes: names that do not start with 1-9, and one too long for a pid. */
	snprintf(path, sizeof(path), "%s/self", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/0", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/123456789012345", dir);
	mkdir(path, 0700);
	check_tree(dir, 10, 1, "10 processes");
	remove_tree(dir, 10);

	make_tree(dir, 5000);
	check_tree(dir, 5000, 2, "5000 processes");
	stop_early(dir);
	remove_tree(dir, 5000);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/0", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/self", dir);
	rmdir(path);
	rmdir(dir);
}

/* A process without ns/net (gone), and one whose ns/net is no link (a --procfs tree: stat). */
static void odd_entries(void)
{
	char dir[] = "/tmp/ct-unit-procscan-XXXXXX", path[256];
	struct ct_proc_list *l = NULL;
	const struct ct_pid_ns *got[4];
	struct stat st = {0};
	int fd, n;

	ok(mkdtemp(dir) != NULL, "a temporary directory");
	snprintf(path, sizeof(path), "%s/7", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/8", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/8/ns", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/8/ns/net", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	stat(path, &st);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(ct_proc_scan_start(fd, &l) == 0, "odd entries: scan started");
	n = l ? take_all(l, got, 4) : -1;
	is_int(n, 2, "odd entries: both listed");
	for (int i = 0; i < n && i < 2; i++) {
		if (strcmp(got[i]->pid, "7") == 0)
			is_int(got[i]->err, -ENOENT, "no ns/net: -ENOENT (the process exited)");
		else
			ok(got[i]->err == 0 && got[i]->inode == st.st_ino,
			   "ns/net not a link: its inode, by stat");
	}
	ct_proc_list_free(l);
	close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/8/ns", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/8", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/7", dir);
	rmdir(path);
	rmdir(dir);
}

/* The real /proc: our own process, in our own namespace. */
static void real_proc(void)
{
	struct ct_proc_list *l = NULL;
	const struct ct_pid_ns *p;
	uint64_t self = 0;
	char pid[16];
	bool found = false;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	ct_netns_self("/proc", &self);
	ok(ct_proc_scan_start(fd, &l) == 0, "/proc: scan started");
	while (l && ct_proc_next(l, &p) > 0)
		if (strcmp(p->pid, pid) == 0)
			found = p->err == 0 && p->inode == self;
	ok(found, "/proc: this process, in its own namespace (%llu)", (unsigned long long)self);
	ct_proc_list_free(l);
	close(fd);
	ok(ct_proc_scan_start(-1, &l) == 0 && l, "no tree: no error");
	ok(l && ct_proc_next(l, &p) == 0, "no tree: nothing listed");
	ct_proc_list_free(l);
}

int main(void)
{
	fake_trees();
	odd_entries();
	real_proc();
	return tap_done();
}
