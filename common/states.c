/* Plugin states: names, parsing and the worst-of combination. */
#include <ctype.h>
#include <strings.h>

#include "mp.h"

static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *mp_state_name(int state)
{
	if (state < MP_OK || state > MP_UNKNOWN)
		return "UNKNOWN";
	return names[state];
}

int mp_state_parse(const char *s)
{
	for (int i = MP_OK; i <= MP_UNKNOWN; i++) {
		if (strcasecmp(s, names[i]) == 0)
			return i;
	}
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

/* UNKNOWN ranks between WARNING and OK: a check that could not look is worse than a clean one. */
static int rank(int state)
{
	switch (state) {
	case MP_OK:
		return 0;
	case MP_UNKNOWN:
		return 1;
	case MP_WARNING:
		return 2;
	default:
		return 3;
	}
}

int mp_state_worst(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}
