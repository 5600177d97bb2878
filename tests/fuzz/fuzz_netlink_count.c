/* Fuzzes the ctnetlink IPCTNL_MSG_CT_GET_STATS reply parser, ct_netlink_parse_count. */
#include "counters.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_memdup(data, size);
	uint64_t entries = 7, max = 7;
	char err[256];
	int rc;

	rc = ct_netlink_parse_count(buf, size, &entries, &max, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	/* 0 or -errno; a refused reply leaves the values alone; a count is 32 bits on the wire. */
	if (rc > 0 || (rc < 0 && (entries != 7 || max != 7)) || entries > UINT32_MAX ||
	    max > UINT32_MAX)
		__builtin_trap();
	free(buf);
	return 0;
}
