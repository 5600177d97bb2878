/*
 * Fills the connection-tracking table of the current network namespace for the benchmark: one
 * UDP datagram per flow, flow i going to loopback address 127.1.0.0 + i / 1024, port
 * 1024 + i % 1024, sent in batches with sendmmsg. Each flow becomes one unreplied entry when an
 * output rule in the namespace needs tracking; an input rule should drop the datagrams so that
 * no ICMP port-unreachable is built for each (bench.sh sets up both).
 *
 *   fill FIRST COUNT      sends flows FIRST .. FIRST + COUNT - 1, prints how many were refused
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 512

int main(int argc, char **argv)
{
	static struct sockaddr_in to[BATCH];
	static struct mmsghdr msg[BATCH];
	struct iovec iov;
	char byte = 'x';
	unsigned long first, count, i, refused = 0;
	int fd;

	if (argc != 3) {
		fputs("usage: fill FIRST COUNT\n", stderr);
		return 2;
	}
	first = strtoul(argv[1], NULL, 10);
	count = strtoul(argv[2], NULL, 10);
	if (count > 1024ul * 65000 || first > 1024ul * 65000 - count) {
		fputs("fill: at most 66,560,000 flows\n", stderr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("fill: socket");
		return 1;
	}
	iov.iov_base = &byte;
	iov.iov_len = 1;
	for (i = 0; i < count;) {
		unsigned n = count - i < BATCH ? (unsigned)(count - i) : BATCH, k, done = 0;

		for (k = 0; k < n; k++) {
			unsigned long flow = first + i + k;

			to[k].sin_family = AF_INET;
			to[k].sin_addr.s_addr = htonl(0x7f010000u + (uint32_t)(flow / 1024));
			to[k].sin_port = htons((uint16_t)(1024 + flow % 1024));
			memset(&msg[k], 0, sizeof(msg[k]));
			msg[k].msg_hdr.msg_name = &to[k];
			msg[k].msg_hdr.msg_namelen = sizeof(to[k]);
			msg[k].msg_hdr.msg_iov = &iov;
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		while (done < n) {
			int sent = sendmmsg(fd, msg + done, n - done, 0);

			if (sent < 0) {
				if (errno == EINTR)
					continue;
				/* A datagram netfilter refused (table full): count it, go on. */
				refused++;
				done++;
				continue;
			}
			done += (unsigned)sent;
		}
		i += n;
	}
	close(fd);
	printf("%lu\n", refused);
	return 0;
}
