/*
 * Fuzzes the iptables-legacy entries walker, ct_rules_legacy_walk. Input: one byte (even: IPv4,
 * odd: IPv6), then a struct ipt_getinfo as GET_INFO returns it, then the GET_ENTRIES blob.
 */
#include <linux/netfilter_ipv4/ip_tables.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipt_getinfo info;
	struct ct_rules r;
	char err[256];
	void *blob;
	int rc, family;

	if (size < 1 + sizeof(info))
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	memcpy(&info, data + 1, sizeof(info));
	data += 1 + sizeof(info);
	size -= 1 + sizeof(info);
	blob = fuzz_memdup(data, size); /* the kernel's buffer is malloc'd: aligned, exact size */
	memset(&r, 0, sizeof(r));
	rc = ct_rules_legacy_walk(family, "filter", info.valid_hooks, info.hook_entry, blob, size,
				  &r, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	ct_rules_free(&r);
	free(blob);
	return 0;
}
