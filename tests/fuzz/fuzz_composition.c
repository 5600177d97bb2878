/*
 * Fuzzes the composition sample's dump parser (ct_composition_parse, IPCTNL_MSG_CT_GET replies)
 * and the phrases built from whatever it aggregated.
 */
#include "composition.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_memdup(data, size);
	struct ct_composition c;
	struct mp_buf b = {0};
	char err[256];
	int rc;

	/* A small cap some inputs reach, so that the stop path is taken too. */
	ct_composition_init(&c, size % 2 ? 3 : 0, true);
	rc = ct_composition_parse(buf, size, &c, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	if (rc > 2 || c.sampled > c.cap)
		__builtin_trap();
	ct_composition_phrase(&c, size, &b);
	ct_composition_lines(&c, 2, &b);
	if (b.oom)
		__builtin_trap();
	mp_buf_free(&b);
	free(buf);
	return 0;
}
