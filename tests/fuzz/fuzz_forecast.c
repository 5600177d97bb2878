/*
 * Fuzzes the forecast ring as stored in a state file: the file text through mp_store_parse,
 * then ct_fc_ring_load; a ring accepted is consistent, saves and loads back the same, and the
 * forecast and its phrases over it stay in bounds.
 */
#include <errno.h>

#include "forecast.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct mp_store_record st, again;
	struct ct_fc_ring r, back;
	struct ct_forecast f;
	char buf[512];
	uint64_t ttf;
	int rc;

	if (mp_store_parse(text, size, &st, NULL, 0) != 0)
		goto out;
	rc = ct_fc_ring_load(&r, &st);
	if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
		__builtin_trap();
	if (rc != 0) {
		if (r.n)
			__builtin_trap(); /* refused means empty */
		goto out;
	}
	if (r.n == 0 || r.n > CT_FC_SAMPLES)
		__builtin_trap();
	for (size_t i = 1; i < r.n; i++)
		if (r.s[i].time <= r.s[i - 1].time)
			__builtin_trap();
	memset(&again, 0, sizeof(again));
	if (ct_fc_ring_save(&r, &again) != (int)r.n || ct_fc_ring_load(&back, &again) != 0 ||
	    back.n != r.n || back.max != r.max || memcmp(back.s, r.s, r.n * sizeof(r.s[0])) != 0)
		__builtin_trap();
	/* A run now, with the newest count, against the stored limit. */
	ct_fc_push(&r, r.s[r.n - 1].time + 120, r.s[r.n - 1].entries, r.max, buf, sizeof(buf));
	f = ct_forecast(&r, r.s[r.n - 1].time, r.s[r.n - 1].entries, r.max);
	if (ct_forecast_time_to_full(&f, &ttf) && f.state == CT_FC_GROWING && f.recent_rate <= 0)
		__builtin_trap();
	(void)ct_forecast_line(&f, buf, sizeof(buf));
	(void)ct_forecast_summary(&f, true, buf, sizeof(buf));
out:
	free(text);
	return 0;
}
