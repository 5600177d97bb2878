/*
 * Plugin states, as libmonitoringplug 3.x names them (lib/states.h): our own implementation of
 * that interface, so the same plugin sources build against common/ or against the real library.
 */
#ifndef CT_MPAPI_STATES_H
#define CT_MPAPI_STATES_H

/* Built against the real library, its own header is meant: a file beside this one included it. */
#ifdef CT_MONITORING_PLUGINS
#error "common/states.h in a build against the real libmonitoringplug"
#endif

/*
 * The library's states.h pulls in <sys/param.h> (MIN, MAX, howmany...): so does ours, so that a
 * name clash with it shows in this build too and not only against the real library.
 */
#include <sys/param.h>

typedef enum state_enum {
	STATE_OK,
	STATE_WARNING,
	STATE_CRITICAL,
	STATE_UNKNOWN,
} mp_state_enum;

/*
 * The worse of two states by a ranking, worst first: the first ranked state that either one is
 * wins; two values outside the enum compare by number.
 */
static inline mp_state_enum mp_state_pick_(mp_state_enum a, mp_state_enum b,
					   const mp_state_enum rank[4])
{
	for (int i = 0; i < 4; i++) {
		if (a == rank[i] || b == rank[i])
			return rank[i];
	}
	return a > b ? a : b;
}

/* CRITICAL > WARNING > OK > UNKNOWN: a default of UNKNOWN gives way to any state found. */
static inline mp_state_enum max_state(mp_state_enum a, mp_state_enum b)
{
	static const mp_state_enum rank[4] = {STATE_CRITICAL, STATE_WARNING, STATE_OK,
					      STATE_UNKNOWN};

	return mp_state_pick_(a, b, rank);
}

/*
 * CRITICAL > WARNING > UNKNOWN > OK: a part that could not be checked is worse than one that is
 * fine. The check tree combines its subchecks with this one.
 */
static inline mp_state_enum max_state_alt(mp_state_enum a, mp_state_enum b)
{
	static const mp_state_enum rank[4] = {STATE_CRITICAL, STATE_WARNING, STATE_UNKNOWN,
					      STATE_OK};

	return mp_state_pick_(a, b, rank);
}

#endif
