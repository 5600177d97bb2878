/*
 * Fuzzes the nftables dump parser, ct_rules_nft_parse: sets, objects and rules (NFT_MSG_GETSET,
 * GETOBJ and GETRULE replies one after the other), their expressions, set updates and maps.
 */
#include "fuzz.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_memdup(data, size);
	struct ct_rules r;
	char err[256];
	int rc;

	memset(&r, 0, sizeof(r));
	rc = ct_rules_nft_parse(buf, size, &r, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	if (r.n > r.cap || r.state_rules > r.tracking_rules ||
	    r.tracking_items[0] + r.tracking_items[1] + r.tracking_items[2] != r.tracking_rules ||
	    (r.tracking_rules && !r.tracking_l3) || (r.tracking_owners & ~r.owners) ||
	    (r.tracking_owners && !r.tracking_rules))
		__builtin_trap();
	ct_rules_free(&r);
	free(buf);
	return 0;
}
