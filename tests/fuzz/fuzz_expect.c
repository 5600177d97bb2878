/* Fuzzes the expectation count's dump parser (ct_expect_parse, IPCTNL_MSG_EXP_GET replies). */
#include "expect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_memdup(data, size);
	struct ct_expect e;
	struct ct_expect_verdict v;
	struct mp_buf b = {0};
	char err[256];
	int rc;

	memset(&e, 0, sizeof(e));
	e.source = "netlink dump";
	e.max = size;
	rc = ct_expect_parse(buf, size, &e, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	if (rc > 2 || e.helpers > CT_EXPECT_HELPERS)
		__builtin_trap();
	ct_expect_evaluate(&e, NULL, NULL, &v);
	ct_expect_phrase(&e, &v, &b);
	mp_buf_free(&b);
	free(buf);
	return 0;
}
