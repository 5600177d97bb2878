/*
 * How a run ends when it cannot finish: the -t alarm, and SIGTERM, SIGINT or SIGHUP from whoever
 * started it, end it as UNKNOWN with one line that says why, written without waiting for a reader
 * that does not read. Steps that must not be cut in half (replacing a state file) hold them off.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp.h"

/* The signals that end a run; the first is the -t alarm. */
static const struct {
	int sig;
	const char *name;
} ending[] = {
	{SIGALRM, "SIGALRM"},
	{SIGTERM, "SIGTERM"},
	{SIGINT, "SIGINT"},
	{SIGHUP, "SIGHUP"},
};
#define N_ENDING (sizeof(ending) / sizeof(ending[0]))

/* Prepared in advance: a handler may only call async-signal-safe functions. */
static char line[N_ENDING][192];
static size_t line_len[N_ENDING];

/*
 * The alarm's line in two copies: the handler writes the current one while the other is being
 * prepared, so naming what the run waits for (mp_timeout_while) never hands it half a line.
 */
static char alarm_line[2][400];
static size_t alarm_len[2];
static volatile sig_atomic_t alarm_cur;
static const char *alarm_service = "";
static unsigned alarm_seconds;

static void ending_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < N_ENDING; i++)
		sigaddset(set, ending[i].sig);
}

/*
 * Write without waiting: a pipe nobody reads must not hold the run past its end. A pipe or a
 * terminal is opened afresh, non-blocking (O_NONBLOCK on fd 1 itself would also change it for
 * whoever shares it, such as the shell); a socket is sent to without waiting; a regular file never
 * waits for a reader.
 */
static void write_now(const char *s, size_t n)
{
	struct stat st;
	ssize_t r = 0;
	int fd, fl;

	if (fstat(STDOUT_FILENO, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		r = send(STDOUT_FILENO, s, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		/* Without /proc, the last resort: better the flag left on fd 1 than a hang. */
		fl = fd < 0 ? fcntl(STDOUT_FILENO, F_GETFL) : -1;
		if (fl >= 0 && fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
			fd = STDOUT_FILENO;
		if (fd >= 0)
			r = write(fd, s, n);
	} else {
		r = write(STDOUT_FILENO, s, n);
	}
	(void)r; /* nothing else can be done about it: the exit code still says UNKNOWN */
}

/* The other ending signals are blocked while this runs (sa_mask): one line, then the end. */
static void on_ending(int sig)
{
	int cur = alarm_cur;

	if (sig == SIGALRM)
		write_now(alarm_line[cur], alarm_len[cur]);
	for (size_t i = 1; i < N_ENDING; i++) {
		if (ending[i].sig == sig)
			write_now(line[i], line_len[i]);
	}
	_exit(MP_UNKNOWN);
}

/*
 * Once per run: the handlers stay, a later arm only moves the alarm. Each ending signal is asked
 * first, so that one ignored by whoever started us (nohup, a background job) stays ignored
 * without a moment in which our handler would take it.
 */
static void install(const char *service)
{
	static bool installed;
	struct sigaction sa, old;

	if (installed)
		return;
	installed = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ending;
	ending_set(&sa.sa_mask);
	for (size_t i = 1; i < N_ENDING; i++) {
		snprintf(line[i], sizeof(line[i]),
			 "%s UNKNOWN - stopped by %s before the check was done\n", service,
			 ending[i].name);
		line_len[i] = strlen(line[i]);
		if (sigaction(ending[i].sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(ending[i].sig, &sa, NULL);
	}
	sigaction(SIGALRM, &sa, NULL);
}

static void prepare_alarm(int slot, const char *what)
{
	snprintf(alarm_line[slot], sizeof(alarm_line[slot]),
		 "%s UNKNOWN - plugin timed out after %u seconds%s%s (raise it with -t)\n",
		 alarm_service, alarm_seconds, what ? " " : "", what ? what : "");
	alarm_len[slot] = strlen(alarm_line[slot]);
}

/*
 * The line is prepared in the slot the handler is not using, then made current: an alarm that
 * fires meanwhile writes the old line, whole. The same seconds again leave the alarm running:
 * the run is then timed from the first arm, which is never longer.
 */
void mp_timeout_arm(const char *service, unsigned seconds)
{
	int next = !alarm_cur;

	if (alarm_seconds && seconds == alarm_seconds && strcmp(service, alarm_service) == 0)
		return;
	alarm_service = service;
	alarm_seconds = seconds;
	prepare_alarm(next, NULL);
	alarm_cur = next;
	install(service);
	alarm(seconds);
}

void mp_timeout_while(const char *what)
{
	int next = !alarm_cur;

	prepare_alarm(next, what);
	alarm_cur = next;
}

void mp_timeout_disarm(void)
{
	sigset_t set;

	ending_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	alarm(0);
}

void mp_signals_hold(sigset_t *saved)
{
	sigset_t set;

	ending_set(&set);
	sigprocmask(SIG_BLOCK, &set, saved);
}

void mp_signals_release(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}
