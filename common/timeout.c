/* The plugin timeout: SIGALRM ends a stuck run as UNKNOWN with a clear one-line message. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

/*
 * Two messages: the handler writes the current one while the other is being prepared, so
 * naming what the run waits for (mp_timeout_while) never hands the handler a half-written line.
 */
static char timeout_msg[2][400];
static size_t timeout_len[2];
static volatile sig_atomic_t timeout_cur;
static const char *timeout_service = "";
static unsigned timeout_seconds;

static void on_alarm(int sig)
{
	int cur = timeout_cur;

	(void)sig;
	/* Only async-signal-safe calls here: the message was prepared beforehand. */
	ssize_t r = write(STDOUT_FILENO, timeout_msg[cur], timeout_len[cur]);
	(void)r;
	_exit(MP_UNKNOWN);
}

static void prepare(int slot, const char *what)
{
	snprintf(timeout_msg[slot], sizeof(timeout_msg[slot]),
		 "%s UNKNOWN - plugin timed out after %u seconds%s%s (raise it with -t)\n",
		 timeout_service, timeout_seconds, what ? " " : "", what ? what : "");
	timeout_len[slot] = strlen(timeout_msg[slot]);
}

void mp_timeout_arm(const char *service, unsigned seconds)
{
	struct sigaction sa;

	timeout_service = service;
	timeout_seconds = seconds;
	prepare(0, NULL);
	timeout_cur = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void mp_timeout_while(const char *what)
{
	int next = !timeout_cur;

	prepare(next, what);
	timeout_cur = next;
}

void mp_timeout_disarm(void)
{
	alarm(0);
}
