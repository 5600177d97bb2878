/* Fuzzes the reading of a /proc/PID/cgroup text into a namespace's name (ct_cgroup_name): any
 * bytes, any lengths; the name always fits its buffer, NUL-terminated. */
#include "fuzz.h"
#include "nsname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char name[24];

	memset(name, 'x', sizeof(name));
	if (ct_cgroup_name(text, name, sizeof(name)) && strnlen(name, sizeof(name)) == sizeof(name))
		__builtin_trap();
	free(text);
	return 0;
}
