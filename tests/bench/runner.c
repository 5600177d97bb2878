/*
 * The benchmark's timer: runs several commands in turn, many times each, and prints per command
 * the median, min and max wall time, the median CPU time (user + sys, children included) and the
 * peak RSS, all taken from fork/exec/wait4 so that nothing but the command itself is measured.
 *
 *   runner [-n MAXRUNS] [-m MINRUNS] [-b BUDGET_MS] [-w WARMUP] [-t TIMEOUT_S] CMD... [::: CMD...]
 *
 * A command whose first word is @NAME runs in the network namespace /run/netns/NAME (setns in
 * the child before exec: a few microseconds, the same for every command), so that commands in
 * different namespaces can be interleaved in one run. A next word %SCRIPT is run by /bin/sh, in
 * the same namespace and untimed, before each run of the command (and of its warm-up): a ruleset
 * change before each "after a change" run.
 * Commands run in rounds, each round every command once, in a new order (a seeded shuffle), so
 * that a burst of load from elsewhere hits every command alike, no command always follows the same
 * one, and a command's run in round i can be paired with another's in round i. A
 * command stops after MAXRUNS runs, or after MINRUNS runs once its runs add up to BUDGET_MS.
 * Output, times in ms, RSS in KiB: with -o FILE, one tab-separated line per run in FILE
 *   index round wall cpu rss exit_status
 * and on stdout one tab-separated line per command:
 *   index runs wall_median wall_min wall_max cpu_median rss_median rss_max exit_status varied
 *   wall_p25 wall_p75
 * Build it static: the child's peak RSS includes the runner's own pages before exec, so the
 * runner must stay far smaller than anything it measures.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 64

struct cmd {
	char **argv;
	const char *netns; /* /run/netns name, or NULL for the runner's own namespace */
	const char *pre; /* a /bin/sh script run untimed before each run, or NULL */
	int runs;
	double *wall, *cpu;
	long *rss;
	double spent;
	int rc, varied;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

/* In the child: enter the namespace, if any. */
static void enter(const char *netns)
{
	char path[300];
	int fd;

	if (!netns)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		_exit(126);
	close(fd);
}

/* The untimed script before a run: 0 when it exited 0. */
static int prepare(const char *pre, const char *netns)
{
	int status;
	pid_t pid;

	if (!pre)
		return 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		enter(netns);
		execl("/bin/sh", "sh", "-c", pre, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One run: returns its exit status (128 + signal when killed) or -1 when it could not start. */
static int run_once(const struct cmd *c, int timeout, double *wall, double *cpu, long *rss)
{
	struct rusage ru;
	double t0;
	int status;
	pid_t pid;

	if (prepare(c->pre, c->netns) < 0) {
		fprintf(stderr, "runner: the script before %s failed: %s\n", c->argv[0], c->pre);
		return -1;
	}
	t0 = now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd;

		enter(c->netns);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		alarm((unsigned)timeout); /* survives exec: a hung command ends as SIGALRM */
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*wall = now() - t0;
	*cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	*rss = ru.ru_maxrss;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_l(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static double median_d(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fputs("usage: runner [-n MAXRUNS] [-m MINRUNS] [-b BUDGET_MS] [-w WARMUP] [-t TIMEOUT_S] "
	      "[-o RUNS_FILE] [@NETNS] [%SCRIPT] CMD... [::: ...]\n",
	      stderr);
	exit(2);
}

/* xorshift64*: a reproducible shuffle, no libc state. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1du;
}

int main(int argc, char **argv)
{
	int maxruns = 300, minruns = 5, warmup = 2, timeout = 120, opt, ncmd = 0, i, active;
	int round = 0, order[MAX_CMDS];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	double budget = 2000;
	struct cmd cmds[MAX_CMDS];
	FILE *runs = NULL;

	while ((opt = getopt(argc, argv, "+n:m:b:w:t:o:")) != -1) {
		switch (opt) {
		case 'n':
			maxruns = atoi(optarg);
			break;
		case 'm':
			minruns = atoi(optarg);
			break;
		case 'b':
			budget = atof(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'o':
			runs = fopen(optarg, "we");
			if (!runs) {
				perror(optarg);
				return 1;
			}
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || maxruns < 1 || minruns < 1 || minruns > maxruns || timeout < 1)
		usage();
	/* Split the remaining arguments at ":::" in place. */
	for (i = optind; i < argc;) {
		if (ncmd == MAX_CMDS)
			usage();
		memset(&cmds[ncmd], 0, sizeof(cmds[ncmd]));
		if (argv[i][0] == '@' && i + 1 < argc) {
			cmds[ncmd].netns = argv[i] + 1;
			i++;
		}
		if (argv[i][0] == '%' && i + 1 < argc) {
			cmds[ncmd].pre = argv[i] + 1;
			i++;
		}
		cmds[ncmd].argv = &argv[i];
		while (i < argc && strcmp(argv[i], ":::") != 0)
			i++;
		if (&argv[i] == cmds[ncmd].argv)
			usage();
		if (i < argc)
			argv[i++] = NULL;
		cmds[ncmd].wall = calloc((size_t)maxruns, sizeof(double));
		cmds[ncmd].cpu = calloc((size_t)maxruns, sizeof(double));
		cmds[ncmd].rss = calloc((size_t)maxruns, sizeof(long));
		cmds[ncmd].rc = -2;
		if (!cmds[ncmd].wall || !cmds[ncmd].cpu || !cmds[ncmd].rss)
			return 1;
		ncmd++;
	}
	for (i = 0; i < ncmd; i++) {
		double w, c;
		long r;

		order[i] = i;
		for (int k = 0; k < warmup; k++)
			if (run_once(&cmds[i], timeout, &w, &c, &r) < 0)
				return 1;
	}
	do {
		active = 0;
		/*
		 * Each round runs the commands in a new order: a command that leaves the machine
		 * busy (a large process's memory to free) or warm (conntrack -S after conntrack -C
		 * finds the same binary in the caches) does not always precede the same one, as a
		 * rotation (A B C, B C A ...) would keep it. Seeded: two runs shuffle alike.
		 */
		for (int k = ncmd - 1; k > 0; k--) {
			int j = (int)(next_random(&seed) % (uint64_t)(k + 1)), t = order[k];

			order[k] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < ncmd; k++) {
			struct cmd *c = &cmds[order[k]];
			int rc;

			if (c->runs >= maxruns || (c->runs >= minruns && c->spent >= budget))
				continue;
			active++;
			rc = run_once(c, timeout, &c->wall[c->runs], &c->cpu[c->runs],
				      &c->rss[c->runs]);
			if (rc < 0) {
				fprintf(stderr, "runner: cannot run %s: %s\n", c->argv[0],
					strerror(errno));
				return 1;
			}
			if (runs)
				fprintf(runs, "%d\t%d\t%.3f\t%.3f\t%ld\t%d\n", (int)(c - cmds),
					round, c->wall[c->runs], c->cpu[c->runs], c->rss[c->runs],
					rc);
			if (c->rc != -2 && rc != c->rc)
				c->varied = 1;
			c->rc = rc;
			c->spent += c->wall[c->runs];
			c->runs++;
		}
		round++;
	} while (active);
	if (runs && fclose(runs) != 0)
		return 1;
	for (i = 0; i < ncmd; i++) {
		struct cmd *c = &cmds[i];
		double wmed = median_d(c->wall, c->runs), cmed = median_d(c->cpu, c->runs);

		qsort(c->rss, (size_t)c->runs, sizeof(long), cmp_l);
		printf("%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%ld\t%ld\t%d\t%d\t%.3f\t%.3f\n", i, c->runs,
		       wmed, c->wall[0], c->wall[c->runs - 1], cmed, c->rss[c->runs / 2],
		       c->rss[c->runs - 1], c->rc, c->varied, c->wall[c->runs / 4],
		       c->wall[(3 * c->runs) / 4]);
		free(c->wall);
		free(c->cpu);
		free(c->rss);
	}
	return 0;
}
