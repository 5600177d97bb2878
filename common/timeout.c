/* The plugin timeout: SIGALRM ends a stuck run as UNKNOWN with a clear one-line message. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

static char timeout_msg[160];
static size_t timeout_len;

static void on_alarm(int sig)
{
	(void)sig;
	/* Only async-signal-safe calls here: the message was prepared when the alarm was armed. */
	ssize_t r = write(STDOUT_FILENO, timeout_msg, timeout_len);
	(void)r;
	_exit(MP_UNKNOWN);
}

void mp_timeout_arm(const char *service, unsigned seconds)
{
	struct sigaction sa;

	snprintf(timeout_msg, sizeof(timeout_msg),
		 "%s UNKNOWN - plugin timed out after %u seconds (raise it with -t)\n", service,
		 seconds);
	timeout_len = strlen(timeout_msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void mp_timeout_disarm(void)
{
	alarm(0);
}
