/* The benchmark's floor: the least a conntrack check can do, read the count and the limit, print
 * one line. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* Read a small proc file into buf as a string without its newline; returns 0 or -1. */
static int slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int main(void)
{
	char count[32], max[32];

	if (slurp("/proc/sys/net/netfilter/nf_conntrack_count", count, sizeof(count)) < 0 ||
	    slurp("/proc/sys/net/netfilter/nf_conntrack_max", max, sizeof(max)) < 0) {
		fputs("CONNTRACK UNKNOWN - cannot read nf_conntrack_count or nf_conntrack_max\n",
		      stdout);
		return 3;
	}
	printf("CONNTRACK OK - %s of %s entries\n", count, max);
	return 0;
}
