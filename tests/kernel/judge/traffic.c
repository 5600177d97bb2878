/*
 * Test tool for tests/kernel/judge.t: sends TCP (a connection to a listener), UDP (a datagram to
 * a closed port) and ICMP (an echo request) over 127.0.0.1, reads the namespace's
 * nf_conntrack_count, does the same over ::1 and reads it again. Prints "V4 V6": the entries
 * each family's traffic left in the table, which is the kernel's own answer to "is traffic of
 * this family tracked here". Run as root (raw ICMP sockets) in a fresh namespace with lo up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *count_file = "/proc/sys/net/netfilter/nf_conntrack_count";

static long count(void)
{
	FILE *f = fopen(count_file, "re");
	long n = -1;

	if (!f) {
		/* Not loaded at all: nothing can be tracked. */
		return errno == ENOENT ? 0 : -1;
	}
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static socklen_t loopback(int family, struct sockaddr_storage *ss, unsigned short port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->sin_port = htons(port);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_addr = in6addr_loopback;
	s6->sin6_port = htons(port);
	return sizeof(*s6);
}

/* A TCP connection to a listener on an ephemeral port: SYN, SYN-ACK, ACK, then FIN. */
static int tcp(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1, rc = -1;

	if (l >= 0 && bind(l, (struct sockaddr *)&ss, len) == 0 && listen(l, 1) == 0 &&
	    getsockname(l, (struct sockaddr *)&ss, &len) == 0 &&
	    (c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0 &&
	    connect(c, (struct sockaddr *)&ss, len) == 0)
		rc = 0;
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return rc;
}

/* A UDP datagram to the discard port, closed: the reply is an ICMP error. */
static int udp(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 9);
	int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s >= 0 && sendto(s, "x", 1, 0, (struct sockaddr *)&ss, len) == 1)
		rc = 0;
	if (s >= 0)
		close(s);
	return rc;
}

static unsigned short checksum(const void *p, size_t len)
{
	const unsigned char *b = p;
	unsigned long sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

/* An echo request; the kernel computes the ICMPv6 checksum itself. */
static int icmp(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);
	int s = socket(family, SOCK_RAW | SOCK_CLOEXEC,
		       family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6),
	    rc = -1;
	ssize_t n = -1;

	if (s < 0)
		return -1;
	if (family == AF_INET) {
		struct icmphdr h = {.type = ICMP_ECHO};

		h.un.echo.id = htons(0x6a67);
		h.un.echo.sequence = htons(1);
		h.checksum = checksum(&h, sizeof(h));
		n = sendto(s, &h, sizeof(h), 0, (struct sockaddr *)&ss, len);
	} else {
		struct icmp6_hdr h = {.icmp6_type = ICMP6_ECHO_REQUEST};

		h.icmp6_id = htons(0x6a67);
		h.icmp6_seq = htons(1);
		n = sendto(s, &h, sizeof(h), 0, (struct sockaddr *)&ss, len);
	}
	if (n > 0)
		rc = 0;
	close(s);
	return rc;
}

/* The replies travel through the same loopback: give them a moment to be tracked too. */
static void settle(void)
{
	struct timespec ts = {0, 2000000};

	nanosleep(&ts, NULL);
}

int main(void)
{
	static const int families[] = {AF_INET, AF_INET6};
	long seen[3];

	seen[0] = count();
	for (int i = 0; i < 2; i++) {
		/* A ruleset may drop some of it: what gets through is what the kernel judges. */
		tcp(families[i]);
		udp(families[i]);
		icmp(families[i]);
		settle();
		seen[i + 1] = count();
	}
	if (seen[0] < 0 || seen[1] < 0 || seen[2] < 0) {
		fprintf(stderr, "traffic: cannot read %s\n", count_file);
		return 1;
	}
	printf("%ld %ld\n", seen[1] - seen[0], seen[2] - seen[1]);
	return 0;
}
