/* Helpers shared by the libFuzzer targets: NUL-terminated copies and the error-message contract. */
#ifndef CT_FUZZ_H
#define CT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd copy with a NUL after it, so that an overread past size is caught by ASan. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An exact-size heap copy (no NUL): reading one byte past the input is an ASan error. */
static inline void *fuzz_memdup(const uint8_t *data, size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* Errors come back with a reason: non-empty and terminated (it may quote the input verbatim). */
static inline void fuzz_check_reason(int rc, const char *err, size_t errlen)
{
	size_t n;

	if (rc >= 0)
		return;
	n = strnlen(err, errlen);
	if (n == 0 || n == errlen)
		__builtin_trap();
}

/* Errors about file or kernel data: also one line (no newline). */
static inline void fuzz_check_err(int rc, const char *err, size_t errlen)
{
	fuzz_check_reason(rc, err, errlen);
	if (rc < 0 && strchr(err, '\n'))
		__builtin_trap();
}

#endif
