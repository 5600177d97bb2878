/*
 * Every process's network namespace, for --netns=all. The kernel spends about 4 us on each
 * /proc/PID/ns/net (three path components, each checked against the live task, then the ptrace
 * check) and 1 us listing each process: 20,000 processes take 100 ms of one core. The processes
 * are listed first; on a host with thousands of them a second thread reads their namespaces
 * meanwhile and goes on while the caller checks the namespaces found so far; the caller reads
 * too whenever the next process is not read yet. A small host, or one where no thread can be
 * started, is read as the caller goes.
 *
 * The listing is cut into chunks: a thread claims a chunk (the next one, atomically), reads each
 * process's namespace in it, and marks each done. The caller takes the processes in order, each
 * once it is done.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp.h"
#include "procscan.h"

#define BLOCK 1024u /* processes a block */
#define BLOCKS 4096u /* PID_MAX_LIMIT, 4194304 processes */
#define CHUNK 64u /* processes a thread claims at once */
#define THREAD_FROM 2048u /* processes listed before a second thread pays for its start */
#define STACK (128u * 1024u) /* the second thread's: a path and a stat buffer */

struct block {
	struct ct_pid_ns p[BLOCK];
	atomic_uchar done[BLOCK];
};

struct ct_proc_list {
	int procfd;
	int second_fd; /* the second thread's own open of the tree, -1 without one */
	DIR *dir; /* the listing, NULL once over */
	unsigned threads;
	pthread_t second;
	size_t consumed; /* the caller's */
	size_t n; /* listed: the lister's own count */
	int list_err; /* written before listed_all */
	atomic_size_t published; /* listed, for every thread */
	atomic_size_t next; /* the first process of the next chunk to claim */
	atomic_bool listed_all;
	atomic_bool stop;
	struct block *block[BLOCKS];
};

static struct ct_pid_ns *at(struct ct_proc_list *l, size_t i)
{
	return &l->block[i / BLOCK]->p[i % BLOCK];
}

static atomic_uchar *done(struct ct_proc_list *l, size_t i)
{
	return &l->block[i / BLOCK]->done[i % BLOCK];
}

static size_t published(struct ct_proc_list *l)
{
	return atomic_load_explicit(&l->published, memory_order_acquire);
}

/*
 * The inode of a process's network namespace: readlink gives "net:[INODE]" without resolving
 * the link to the namespace file (a quarter cheaper than stat); a --procfs tree that holds
 * something else there is asked with stat. 0 or -errno.
 */
static int ns_inode(int procfd, const char *rel, uint64_t *inode)
{
	char link[64];
	struct stat st;
	ssize_t len = readlinkat(procfd, rel, link, sizeof(link) - 1);

	if (len > 0) {
		size_t n = (size_t)len;

		/* "net:[" digits "]" */
		if (n > 6 && strncmp(link, "net:[", 5) == 0 && link[n - 1] == ']' &&
		    mp_parse_u64(link + 5, n - 6, UINT64_MAX, inode) == 0 && *inode)
			return 0;
	} else if (errno != EINVAL) {
		return -errno;
	}
	if (fstatat(procfd, rel, &st, 0) < 0)
		return -errno;
	*inode = st.st_ino;
	return 0;
}

/* Read one chunk through fd, waiting for the lister where the chunk is not listed yet. */
static void read_chunk(struct ct_proc_list *l, int fd, size_t first)
{
	char rel[sizeof(((struct ct_pid_ns *)0)->pid) + 8];

	for (size_t i = first; i < first + CHUNK; i++) {
		while (i >= published(l)) {
			if ((atomic_load(&l->listed_all) && i >= published(l)) ||
			    atomic_load(&l->stop))
				return;
			sched_yield();
		}
		snprintf(rel, sizeof(rel), "%s/ns/net", at(l, i)->pid);
		at(l, i)->err = ns_inode(fd, rel, &at(l, i)->inode);
		atomic_store_explicit(done(l, i), 1, memory_order_release);
	}
}

/*
 * Claim a chunk and read it through fd: false when none may be claimed now. A chunk not wholly
 * listed is claimed only for the process the caller waits for (want; the second thread:
 * SIZE_MAX).
 */
static bool claim(struct ct_proc_list *l, int fd, size_t want)
{
	size_t c = atomic_load(&l->next);

	for (;;) {
		size_t have = published(l);
		bool all = atomic_load(&l->listed_all);

		if (all && c >= have)
			return false;
		if (!all && c + CHUNK > have && (want == SIZE_MAX || c > want))
			return false;
		if (atomic_compare_exchange_weak(&l->next, &c, c + CHUNK)) {
			read_chunk(l, fd, c);
			return true;
		}
	}
}

/* One more process to list: 1, 0 for a name too long to be a pid, or -errno. */
static int add(struct ct_proc_list *l, const char *name)
{
	size_t len = strlen(name);

	if (len >= sizeof(at(l, 0)->pid))
		return 0;
	if (l->n == (size_t)BLOCKS * BLOCK)
		return -EOVERFLOW;
	if (l->n % BLOCK == 0 && !(l->block[l->n / BLOCK] = calloc(1, sizeof(struct block))))
		return -ENOMEM;
	memcpy(at(l, l->n)->pid, name, len + 1);
	l->n++;
	return 1;
}

/* List up to max more processes: 1 when there may be more, 0 at the end, -errno. */
static int list_some(struct ct_proc_list *l, size_t max)
{
	struct dirent *de;
	size_t added = 0;
	int r = 0;

	while (l->dir && added < max && (de = readdir(l->dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		r = add(l, de->d_name);
		if (r < 0)
			break;
		added += (size_t)r;
	}
	atomic_store_explicit(&l->published, l->n, memory_order_release);
	if (r >= 0 && added == max)
		return 1;
	if (l->dir)
		closedir(l->dir);
	l->dir = NULL;
	l->list_err = r < 0 ? r : 0;
	atomic_store(&l->listed_all, true);
	return l->list_err;
}

/* The second thread: reads listed chunks until none is left or it is told to stop. */
static void *second(void *arg)
{
	struct ct_proc_list *l = arg;

	while (!atomic_load(&l->stop)) {
		if (!claim(l, l->second_fd, SIZE_MAX)) {
			if (atomic_load(&l->listed_all) && atomic_load(&l->next) >= published(l))
				break;
			sched_yield(); /* ahead of the listing: a few microseconds */
		}
	}
	return NULL;
}

/*
 * The signals that end a run (the -t alarm, SIGTERM) stay with the main thread's handler. The
 * second thread opens the tree again: a path looked up from a descriptor takes a reference on
 * its open file once the process has threads, and two threads sharing one would pass its cache
 * line back and forth for every process read.
 */
static bool start_second(struct ct_proc_list *l)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int rc;

	l->second_fd = openat(l->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->second_fd < 0)
		return false;
	if (pthread_attr_init(&attr) != 0)
		return false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_attr_setstacksize(&attr, STACK);
	if (rc == 0)
		rc = pthread_create(&l->second, &attr, second, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc == 0;
}

int ct_proc_scan_start(int procfd, struct ct_proc_list **out)
{
	struct ct_proc_list *l = calloc(1, sizeof(*l));
	int dupfd = procfd < 0 ? -1 : dup(procfd), r;

	*out = NULL;
	if (!l) {
		if (dupfd >= 0)
			close(dupfd);
		return -ENOMEM;
	}
	l->procfd = procfd;
	l->second_fd = -1;
	l->threads = 1;
	atomic_init(&l->published, 0);
	atomic_init(&l->next, 0);
	atomic_init(&l->listed_all, false);
	atomic_init(&l->stop, false);
	l->dir = dupfd < 0 ? NULL : fdopendir(dupfd);
	if (!l->dir && dupfd >= 0)
		close(dupfd);
	/*
	 * Listed here, whole (1 us a process): on a large host the second thread reads what is
	 * listed meanwhile, and the namespaces are then read by both threads.
	 */
	r = list_some(l, THREAD_FROM);
	if (r > 0 && start_second(l))
		l->threads = 2;
	while (r > 0)
		r = list_some(l, CHUNK);
	*out = l;
	return 0;
}

int ct_proc_next(struct ct_proc_list *l, const struct ct_pid_ns **p)
{
	size_t i = l->consumed;

	for (;;) {
		if (i < published(l) && atomic_load_explicit(done(l, i), memory_order_acquire)) {
			*p = at(l, i);
			l->consumed++;
			return 1;
		}
		if (atomic_load(&l->listed_all) && i >= published(l))
			return l->list_err;
		/* Read while waiting: the chunk it waits for, or any other. */
		if (!claim(l, l->procfd, i))
			sched_yield();
	}
}

unsigned ct_proc_threads(const struct ct_proc_list *l)
{
	return l->threads;
}

void ct_proc_list_free(struct ct_proc_list *l)
{
	if (!l)
		return;
	if (l->threads == 2) {
		atomic_store(&l->stop, true);
		pthread_join(l->second, NULL);
	}
	if (l->second_fd >= 0)
		close(l->second_fd);
	if (l->dir)
		closedir(l->dir);
	for (size_t b = 0; b < BLOCKS && l->block[b]; b++)
		free(l->block[b]);
	free(l);
}
