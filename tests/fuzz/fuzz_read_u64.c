/* Fuzzes the proc number reader, ct_read_u64, on a memfd holding the input (it reads a path). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[320];
	uint64_t v = 0;
	int fd = memfd_create("ct_read_u64", MFD_CLOEXEC), rc;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = ct_read_u64(path, &v, err, sizeof(err));
	fuzz_check_err(rc, err, sizeof(err));
	close(fd);
	return 0;
}
