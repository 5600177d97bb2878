/*
 * Fuzzes the nftables rules cache parser, ct_rules_cache_parse: whatever it accepts is
 * consistent (no more rules kept than counted, at most keep of each class) and formats and
 * parses back to the same counts and rules.
 */
#include <errno.h>

#include "fuzz.h"
#include "rules.h"

static const struct ct_rules_cache_key key = {
	.boot_id = "e58ddbac-e9af-4c63-a283-3e6c23d6c956", .cookie = 5800, .genid = 2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct ct_rules r = {0}, again = {0};
	size_t keep = size ? data[0] % 3 * 10 : 20; /* 0 (all, as -v), 10 or 20 */
	char buf[65536];
	int rc, n;

	r.keep = keep;
	rc = ct_rules_cache_parse(text, size, true, &key, &r);
	if (rc != 0 && rc != -EINVAL && rc != -ESTALE && rc != -ENOMEM)
		__builtin_trap();
	if (rc == 0) {
		if (r.kept[0] > r.total[0] || r.kept[1] > r.total[1] || r.n != r.kept[0] + r.kept[1] ||
		    (keep && (r.kept[0] > keep || r.kept[1] > keep)))
			__builtin_trap();
		n = ct_rules_cache_format(&key, &r, keep, buf, sizeof(buf));
		if (n > 0) {
			again.keep = keep;
			if (ct_rules_cache_parse(buf, (size_t)n, true, &key, &again) != 0 ||
			    again.n != r.n || again.state_rules != r.state_rules ||
			    again.tracking_rules != r.tracking_rules ||
			    again.notrack_rules != r.notrack_rules || again.kinds != r.kinds ||
			    again.total[0] != r.total[0] || again.total[1] != r.total[1])
				__builtin_trap();
			for (size_t i = 0; i < r.n; i++)
				if (again.list[i].handle != r.list[i].handle ||
				    strcmp(again.list[i].what, r.list[i].what) != 0 ||
				    strcmp(again.list[i].chain, r.list[i].chain) != 0)
					__builtin_trap();
		}
	}
	ct_rules_free(&r);
	ct_rules_free(&again);
	free(text);
	return 0;
}
