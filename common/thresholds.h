/*
 * Warning and critical ranges of a perfdata item and the state they give it, as libmonitoringplug
 * 3.x names them (lib/thresholds.h): our own implementation, library semantics.
 */
#ifndef CT_MPAPI_THRESHOLDS_H
#define CT_MPAPI_THRESHOLDS_H

/* Built against the real library, its own header is meant: a file beside this one included it. */
#ifdef CT_MONITORING_PLUGINS
#error "common/thresholds.h in a build against the real libmonitoringplug"
#endif

#include "perfdata.h"
#include "states.h"

/* The library's older pair of ranges, declared only so that the name is taken (see range). */
typedef struct {
	range *warning;
	range *critical;
} thresholds;

typedef struct {
	bool warning_is_set;
	mp_range warning;
	bool critical_is_set;
	mp_range critical;
} mp_thresholds;

/* Neither threshold set. */
mp_thresholds mp_thresholds_init(void);
mp_thresholds mp_thresholds_set_warn(mp_thresholds thlds, mp_range warn);
mp_thresholds mp_thresholds_set_crit(mp_thresholds thlds, mp_range crit);

/* Copies the thresholds that are set onto the item (one not set leaves the item's as it was). */
mp_perfdata mp_pd_set_thresholds(mp_perfdata pd, mp_thresholds th);

/*
 * CRITICAL when the critical range alerts, else WARNING when the warning range does, else OK.
 * As in the library, a range whose start is infinite excludes its end: "~:10" alerts at 10, and
 * "@~:10" does not.
 */
mp_state_enum mp_get_pd_status(mp_perfdata pd);

#endif
