/* Warning and critical ranges on a perfdata item, and the state they give its value. */
#include "thresholds.h"

mp_thresholds mp_thresholds_init(void)
{
	mp_thresholds th = {0};

	return th;
}

mp_thresholds mp_thresholds_set_warn(mp_thresholds th, mp_range warn)
{
	th.warning = warn;
	th.warning_is_set = true;
	return th;
}

mp_thresholds mp_thresholds_set_crit(mp_thresholds th, mp_range crit)
{
	th.critical = crit;
	th.critical_is_set = true;
	return th;
}

mp_perfdata mp_pd_set_thresholds(mp_perfdata pd, mp_thresholds th)
{
	if (th.warning_is_set) {
		pd.warn = th.warning;
		pd.warn_present = true;
	}
	if (th.critical_is_set) {
		pd.crit = th.critical;
		pd.crit_present = true;
	}
	return pd;
}

/*
 * Whether the value lies in the range the library's way: a finite start includes itself, a
 * finite end includes itself only when the start is finite too (with an infinite start the end
 * is excluded: "~:10" holds 9 but not 10).
 */
static bool in_range(mp_perfdata_value v, mp_range r)
{
	if (r.start_infinity && r.end_infinity)
		return true;
	if (r.start_infinity)
		return cmp_perfdata_value(v, r.end) < 0;
	if (cmp_perfdata_value(v, r.start) < 0)
		return false;
	return r.end_infinity || cmp_perfdata_value(v, r.end) <= 0;
}

static bool alerts(mp_perfdata_value v, mp_range r)
{
	return in_range(v, r) == r.alert_on_inside_range;
}

mp_state_enum mp_get_pd_status(mp_perfdata pd)
{
	if (pd.crit_present && alerts(pd.value, pd.crit))
		return STATE_CRITICAL;
	if (pd.warn_present && alerts(pd.value, pd.warn))
		return STATE_WARNING;
	return STATE_OK;
}
