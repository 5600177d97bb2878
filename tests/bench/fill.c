/*
 * Fills the connection-tracking table of the current network namespace, for the benchmark and
 * the kernel suites. The limit (nf_conntrack_max) is global but each namespace's count is held
 * against it on its own, so a namespace can be filled to the real limit without touching it.
 *
 *   fill FIRST COUNT      one UDP datagram per flow, flow i going to loopback address
 *                         127.1.0.0 + i / 1024, port 1024 + i % 1024, sent in batches with
 *                         sendmmsg. Each flow becomes one unreplied entry when an output rule in
 *                         the namespace needs tracking; an input rule should drop the datagrams
 *                         so that no ICMP port-unreachable is built for each. Unreplied entries
 *                         are what the kernel evicts (early_drop) to make room in a full table.
 *   fill -a FIRST COUNT   the same number of entries made over ctnetlink (CAP_NET_ADMIN), UDP
 *                         127.0.0.1:9 -> 127.2.0.0 + i / 1024, port 1024 + i % 1024, marked
 *                         assured (a reply was seen) with an hour to live: the kernel never
 *                         evicts those, so once the table is full every new flow is dropped
 *                         and counted in `drop`, as on a host full of established connections.
 *                         No packet is sent: the namespace needs no rule for these.
 *   fill -k KIND FIRST COUNT  entries of one kind over ctnetlink, for mixes of a known make-up
 *                         (each kind has its own addresses, so kinds never clash):
 *                           assured      the same as -a
 *                           udp53        UDP 10.1.2.0/24 -> 10.53.0.53 port 53, unreplied
 *                           udp53v6      UDP fd00:1:2:3::/64 -> fd00::53 port 53, unreplied
 *                           timewait     TCP 10.2.0.0/16 -> 10.80.0.80 port 80, TIME_WAIT
 *                           established  TCP 192.168.1.0/24 -> 10.44.3.0/24 port 443,
 *                                        ESTABLISHED, assured
 *                           synsent      TCP 10.3.0.0/16 -> 10.22.0.22 port 22, SYN_SENT
 *                         all with an hour to live: the mix stays as made while it is measured.
 *
 * Prints how many flows the kernel refused (a full table refuses them); a refusal for any other
 * reason than a full table is also named on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define BATCH 512
#define FLOWS_MAX (1024ul * 65000)
#define ASSURED_TTL 3600

static unsigned long send_datagrams(int fd, unsigned long first, unsigned long count)
{
	static struct sockaddr_in to[BATCH];
	static struct mmsghdr msg[BATCH];
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	unsigned long i, refused = 0;

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
	return refused;
}

static unsigned long fill_datagrams(unsigned long first, unsigned long count)
{
	unsigned long refused;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("fill: socket");
		exit(1);
	}
	refused = send_datagrams(fd, first, count);
	close(fd);
	return refused;
}

/* What -k makes: protocol, TCP state (0: none), status bits and where flow i goes. */
struct kind {
	const char *name;
	uint8_t family, proto, tcp_state;
	uint32_t status;
	void (*addresses)(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
			  uint16_t *dport);
};

static void put_be32(uint8_t *a, uint32_t v)
{
	v = htonl(v);
	memcpy(a, &v, 4);
}

/* 127.0.0.1:9 -> 127.2.0.0 + i / 1024, port 1024 + i % 1024 (the -a flows). */
static void assured_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
		       uint16_t *dport)
{
	put_be32(src, 0x7f000001u);
	put_be32(dst, 0x7f020000u + (uint32_t)(flow / 1024));
	*sport = 9;
	*dport = (uint16_t)(1024 + flow % 1024);
}

/* Client host h (1..250) of a /24 (or /64) and a source port: 250 x 64000 flows per prefix. */
static void client(unsigned long flow, uint32_t *net, uint32_t *host, uint16_t *sport)
{
	*host = (uint32_t)(flow % 250 + 1);
	*sport = (uint16_t)(1024 + (flow / 250) % 64000);
	*net = (uint32_t)(flow / (250ul * 64000));
}

static void udp53_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
		     uint16_t *dport)
{
	uint32_t net, host;

	client(flow, &net, &host, sport);
	put_be32(src, 0x0a010200u + (net << 8) + host);
	put_be32(dst, 0x0a350035u);
	*dport = 53;
}

static void udp53v6_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
		       uint16_t *dport)
{
	static const uint8_t prefix[8] = {0xfd, 0, 0, 1, 0, 2, 0, 3};
	uint32_t net, host;

	client(flow, &net, &host, sport);
	memset(src, 0, 16);
	memcpy(src, prefix, 8);
	put_be32(src + 8, net);
	put_be32(src + 12, host);
	memset(dst, 0, 16);
	dst[0] = 0xfd;
	dst[15] = 0x53;
	*dport = 53;
}

/* TCP clients spread over 250 /24s of 10.2.0.0/16. */
static void timewait_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
			uint16_t *dport)
{
	put_be32(src, 0x0a020000u + (uint32_t)((flow / 250) % 250 << 8) + (uint32_t)(flow % 250 + 1));
	*sport = (uint16_t)(1024 + flow / 62500 % 64000);
	put_be32(dst, 0x0a500050u);
	*dport = 80;
}

static void established_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
			   uint16_t *dport)
{
	uint32_t net, host;

	client(flow, &net, &host, sport);
	put_be32(src, 0xc0a80100u + (net << 8) + host);
	put_be32(dst, 0x0a2c0300u + (uint32_t)(flow % 200));
	*dport = 443;
}

static void synsent_at(unsigned long flow, uint8_t *src, uint8_t *dst, uint16_t *sport,
		       uint16_t *dport)
{
	put_be32(src, 0x0a030000u + (uint32_t)((flow / 250) % 250 << 8) + (uint32_t)(flow % 250 + 1));
	*sport = (uint16_t)(1024 + flow / 62500 % 64000);
	put_be32(dst, 0x0a160016u);
	*dport = 22;
}

#define ASSURED (IPS_CONFIRMED | IPS_ASSURED | IPS_SEEN_REPLY)
/* TCP_CONNTRACK_* numbers: SYN_SENT 1, ESTABLISHED 3, TIME_WAIT 7. */
static const struct kind kinds[] = {
	{"assured", AF_INET, IPPROTO_UDP, 0, ASSURED, assured_at},
	{"udp53", AF_INET, IPPROTO_UDP, 0, IPS_CONFIRMED, udp53_at},
	{"udp53v6", AF_INET6, IPPROTO_UDP, 0, IPS_CONFIRMED, udp53v6_at},
	{"timewait", AF_INET, IPPROTO_TCP, 7, ASSURED, timewait_at},
	{"established", AF_INET, IPPROTO_TCP, 3, ASSURED, established_at},
	{"synsent", AF_INET, IPPROTO_TCP, 1, IPS_CONFIRMED, synsent_at},
};

static void put_tuple(struct nlmsghdr *nlh, int type, const struct kind *k, const uint8_t *src,
		      const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type), *nest;

	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (k->family == AF_INET) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, src);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, dst);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, dst);
	}
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, k->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tuple);
}

/* One IPCTNL_MSG_CT_NEW for flow `flow` at `at`; the kernel answers only if it refuses it. */
static size_t put_entry(char *at, const struct kind *k, unsigned long flow)
{
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nfgenmsg *nfg;

	k->addresses(flow, src, dst, &sport, &dport);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = (uint32_t)flow;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = k->family;
	nfg->version = NFNETLINK_V0;
	put_tuple(nlh, CTA_TUPLE_ORIG, k, src, dst, sport, dport);
	put_tuple(nlh, CTA_TUPLE_REPLY, k, dst, src, dport, sport);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(ASSURED_TTL));
	/* The kernel marks an entry it makes this way confirmed and refuses a status without it. */
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(k->status));
	if (k->tcp_state) {
		struct nlattr *info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, k->tcp_state);
		mnl_attr_nest_end(nlh, tcp);
		mnl_attr_nest_end(nlh, info);
	}
	return nlh->nlmsg_len;
}

/* Reads the refusals of the batch just sent (the kernel handled it inside sendto). */
static unsigned long count_refusals(struct mnl_socket *nl, int *other)
{
	static char buf[65536];
	unsigned long refused = 0;
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || err->error == 0)
				continue;
			refused++;
			if (-err->error != ENOMEM && !*other)
				*other = -err->error;
		}
	}
	return refused;
}

static struct mnl_socket *ctnetlink_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1, size = 4 << 20;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("fill: netlink");
		exit(1);
	}
	/* Refusals come back without the request in them, and there is room for a batch of them. */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	return nl;
}

static unsigned long fill_kind(const struct kind *k, unsigned long first, unsigned long count)
{
	static char buf[32768];
	struct mnl_socket *nl = ctnetlink_open();
	unsigned long i = 0, refused = 0;
	int other = 0;

	while (i < count) {
		size_t len = 0;

		for (; i < count && len + 512 <= sizeof(buf); i++)
			len += put_entry(buf + len, k, first + i);
		if (mnl_socket_sendto(nl, buf, len) < 0) {
			perror("fill: netlink send");
			exit(1);
		}
		refused += count_refusals(nl, &other);
	}
	mnl_socket_close(nl);
	if (other)
		fprintf(stderr, "fill: some refused for another reason than a full table: %s\n",
			strerror(other));
	return refused;
}

static int number(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static const struct kind *kind_named(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct kind *k = NULL;
	unsigned long first, count;
	int a = 1;

	if (argc == 4 && strcmp(argv[1], "-a") == 0) {
		k = kind_named("assured");
		a = 2;
	} else if (argc == 5 && strcmp(argv[1], "-k") == 0) {
		k = kind_named(argv[2]);
		a = 3;
		if (!k) {
			fprintf(stderr, "fill: no kind %s\n", argv[2]);
			return 2;
		}
	}
	if (argc != a + 2) {
		fputs("usage: fill [-a | -k KIND] FIRST COUNT\n", stderr);
		return 2;
	}
	if (number(argv[a], &first) < 0 || number(argv[a + 1], &count) < 0) {
		fputs("fill: FIRST and COUNT are decimal numbers\n", stderr);
		return 2;
	}
	if (count > FLOWS_MAX || first > FLOWS_MAX - count) {
		fputs("fill: at most 66,560,000 flows\n", stderr);
		return 2;
	}
	printf("%lu\n", k ? fill_kind(k, first, count) : fill_datagrams(first, count));
	return 0;
}
