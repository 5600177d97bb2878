/*
 * The benchmark's node: NPROC sleeping processes, NNS of them each in a network namespace of its
 * own (as containers hold them, unnamed), for --netns=all to find.
 *
 *   procs NPROC NNS
 *
 * Prints "ready <pids> <namespaces>" once every child sleeps, then waits until its standard input
 * closes or it gets SIGTERM/SIGINT, and kills and reaps every child. Children die with it
 * whatever happens (PR_SET_PDEATHSIG), so nothing outlives a benchmark that was killed.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A child: its own namespace when asked, then sleep until killed. Reports readiness on fd. */
static void child(int own_netns, int fd, pid_t parent)
{
	char ok = own_netns && unshare(CLONE_NEWNET) < 0 ? 'n' : 'y';

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0); /* the parent died before the line above */
	if (write(fd, &ok, 1) != 1)
		_exit(1);
	close(fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	long nproc, nns, started = 0, failed = 0;
	pid_t *pids, parent = getpid();
	int ready[2];
	char c;

	if (argc != 3 || (nproc = atol(argv[1])) < 1 || (nns = atol(argv[2])) < 0 || nns > nproc) {
		fputs("usage: procs NPROC NNS\n", stderr);
		return 2;
	}
	pids = calloc((size_t)nproc, sizeof(*pids));
	if (!pids || pipe(ready) < 0)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (long i = 0; i < nproc && !stop; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(ready[0]);
			child(i < nns, ready[1], parent);
		}
		if (pid < 0) {
			perror("procs: fork");
			break;
		}
		pids[started++] = pid;
	}
	close(ready[1]);
	for (long i = 0; i < started; i++)
		if (read(ready[0], &c, 1) != 1 || c != 'y')
			failed++;
	if (started == nproc && !failed && !stop) {
		printf("ready %ld %ld\n", nproc, nns);
		fflush(stdout);
		while (!stop && read(0, &c, 1) > 0)
			;
	} else {
		fprintf(stderr, "procs: %ld of %ld started, %ld not ready\n", started, nproc,
			failed);
	}
	for (long i = 0; i < started; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < started; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	return started == nproc && !failed ? 0 : 1;
}
