/* Fuzzes the state file parser, mp_store_parse, and checks format/parse round trips. */
#include <errno.h>

#include "fuzz.h"
#include "retention_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct mp_store_record st, again;
	char err[256], buf[4096];
	int rc, n;

	memset(&st, 0, sizeof(st));
	rc = mp_store_parse(text, size, &st, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	if (rc == 0) {
		if (st.n > MP_STORE_MAX_VALUES)
			__builtin_trap();
		/* What was accepted is written back the same way and reads back equal. */
		n = mp_store_format(&st, buf, sizeof(buf));
		if (n < 0 || (size_t)n >= sizeof(buf))
			__builtin_trap();
		memset(&again, 0, sizeof(again));
		if (mp_store_parse(buf, (size_t)n, &again, err, sizeof(err)) != 0)
			__builtin_trap();
		if (again.n != st.n || again.time != st.time ||
		    strcmp(again.boot_id, st.boot_id) != 0)
			__builtin_trap();
		for (size_t i = 0; i < st.n; i++)
			if (strcmp(again.v[i].key, st.v[i].key) != 0 ||
			    again.v[i].value != st.v[i].value)
				__builtin_trap();
	}
	free(text);
	return 0;
}
