/* Fuzzes the ctnetlink IPCTNL_MSG_CT_GET_STATS_CPU dump parser, ct_netlink_parse_stats_cpu. */
#include "counters.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_memdup(data, size);
	struct ct_counters c;
	char err[256];
	int rc;

	memset(&c, 0, sizeof(c));
	rc = ct_netlink_parse_stats_cpu(buf, size, &c, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	if (rc > 1)
		__builtin_trap();
	free(buf);
	return 0;
}
