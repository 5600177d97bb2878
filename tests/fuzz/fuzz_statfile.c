/* Fuzzes the /proc/net/stat/nf_conntrack parser, ct_statfile_parse. */
#include "counters.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct ct_counters c;
	char err[256];
	int rc;

	memset(&c, 0, sizeof(c));
	rc = ct_statfile_parse(text, size, &c, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	free(text);
	return 0;
}
