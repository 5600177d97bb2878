/* Fuzzes the sysctl.conf-format parser (ct_sysctl_parse, with the conntrack limit's key aliases)
 * and the kernel's reading of a value (ct_sysctl_dointvec). */
#include "fuzz.h"
#include "sysctl.h"

static const char *const keys[] = {"net.netfilter.nf_conntrack_max", "net.nf_conntrack_max", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct ct_sysctl_setting s;
	int number;

	memset(&s, 0, sizeof(s));
	(void)ct_sysctl_parse(text, size, "/etc/sysctl.d/99-fuzz.conf", keys, &s);
	if (s.found && (strnlen(s.value, sizeof(s.value)) == sizeof(s.value) ||
			strnlen(s.key, sizeof(s.key)) == sizeof(s.key)))
		__builtin_trap();
	/* The whole input as one value, as the kernel would read it when written. */
	(void)ct_sysctl_dointvec(text, size, &number);
	free(text);
	return 0;
}
