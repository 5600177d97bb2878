/*
 * Fuzzes the nftables rules cache parser, ct_rules_cache_parse: whatever it accepts is
 * consistent (no more rules kept than counted, at most keep of each class, counts by item that
 * add up) and formats and parses back to the same counts, rules, objects and sets; the start of
 * a text, which a run that lists 20 reads first, is taken only when the whole text would give
 * the same.
 */
#include <errno.h>

#include "fuzz.h"
#include "rules.h"

static const struct ct_rules_cache_key key = {
	.boot_id = "e58ddbac-e9af-4c63-a283-3e6c23d6c956", .cookie = 5800, .genid = 2};

/* A prefix that was taken must agree with the whole text, read the same way. */
static void check_prefix(const uint8_t *data, size_t size, size_t keep, const struct ct_rules *r,
			 int rc)
{
	size_t cut = size / 2;
	char *text = fuzz_memdup(data, cut);
	struct ct_rules part = {.keep = keep};
	int prc = ct_rules_cache_parse(text, cut, false, &key, &part);

	if (prc != 0 && prc != -EAGAIN && prc != -EINVAL && prc != -ESTALE && prc != -ENOMEM)
		__builtin_trap();
	if (prc == 0 && (rc != 0 || part.n != r->n || part.total[0] != r->total[0] ||
			 part.total[1] != r->total[1] || part.owners != r->owners))
		__builtin_trap();
	ct_rules_free(&part);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct ct_rules r = {0}, again = {0};
	/* 0 (all, as -v), 10 or 20: by the length, since every text worth reading starts alike */
	size_t keep = size % 3 * 10;
	char buf[65536];
	int rc, n;

	r.keep = keep;
	rc = ct_rules_cache_parse(text, size, true, &key, &r);
	if (rc != 0 && rc != -EINVAL && rc != -ESTALE && rc != -ENOMEM)
		__builtin_trap();
	if (rc == 0) {
		if (r.kept[0] > r.total[0] || r.kept[1] > r.total[1] ||
		    r.n != r.kept[0] + r.kept[1] ||
		    (keep && (r.kept[0] > keep || r.kept[1] > keep)) ||
		    r.tracking_items[0] + r.tracking_items[1] + r.tracking_items[2] !=
			    r.tracking_rules ||
		    (r.tracking_owners & ~r.owners) || (r.tracking_owners && !r.tracking_rules))
			__builtin_trap();
		n = ct_rules_cache_format(&key, &r, keep, buf, sizeof(buf));
		if (n > 0) {
			again.keep = keep;
			if (ct_rules_cache_parse(buf, (size_t)n, true, &key, &again) != 0 ||
			    again.n != r.n || again.state_rules != r.state_rules ||
			    again.tracking_rules != r.tracking_rules ||
			    again.notrack_rules != r.notrack_rules || again.kinds != r.kinds ||
			    again.total[0] != r.total[0] || again.total[1] != r.total[1] ||
			    again.tracking_l3 != r.tracking_l3 ||
			    memcmp(again.tracking_items, r.tracking_items,
				   sizeof(r.tracking_items)) ||
			    again.owners != r.owners || again.tracking_owners != r.tracking_owners)
				__builtin_trap();
			for (size_t i = 0; i < r.n; i++)
				if (again.list[i].handle != r.list[i].handle ||
				    again.list[i].item != r.list[i].item ||
				    again.list[i].position != r.list[i].position ||
				    strcmp(again.list[i].what, r.list[i].what) != 0 ||
				    strcmp(again.list[i].chain, r.list[i].chain) != 0 ||
				    strcmp(again.list[i].name, r.list[i].name) != 0)
					__builtin_trap();
		}
	}
	if (keep)
		check_prefix(data, size, keep, &r, rc);
	ct_rules_free(&r);
	ct_rules_free(&again);
	free(text);
	return 0;
}
