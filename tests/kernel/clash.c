/*
 * Test tool for tests/kernel/drops.t: insert clashes the kernel cannot resolve, on demand. Two
 * identical TCP SYNs (127.0.0.1:SPORT -> 127.0.0.1:PORT, from a raw socket) each get a new,
 * unconfirmed entry in the output hook, before either is in the table; an nftables rule queues
 * both to this program (NFQUEUE), which then lets them go on one after the other. The first is
 * confirmed; the second meets it in the table at confirmation, and TCP allows no clash to be
 * resolved: the kernel drops it and counts it in drop and insert_failed. That is the race of two
 * CPUs sending the first packets of one flow at once (UDP DNS queries through NAT), made certain.
 *
 *   clash QUEUE PAIRS PORT   PAIRS pairs, source ports 20000 on; prints the pairs done
 *
 * The namespace needs lo up, `tcp dport PORT queue num QUEUE` in an output chain of priority
 * above conntrack's (-200, e.g. 0) and a rule that makes it track.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

static char buf[8192];

static struct nlmsghdr *queue_msg(int type, uint16_t queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(queue);
	return nlh;
}

/* Send and wait for the kernel's acknowledgement. */
static int ask(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL) < 0 ? -1 : 0;
}

static int bind_queue(struct mnl_socket *nl, uint16_t queue)
{
	struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET)};
	struct nfqnl_msg_config_params params = {.copy_range = htonl(64),
						 .copy_mode = NFQNL_COPY_PACKET};
	struct nlmsghdr *nlh = queue_msg(NFQNL_MSG_CONFIG, queue);

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (ask(nl, nlh) < 0)
		return -1;
	nlh = queue_msg(NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	return ask(nl, nlh);
}

static int packet_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) == NFQA_PACKET_HDR &&
	    mnl_attr_get_payload_len(a) >= sizeof(struct nfqnl_msg_packet_hdr))
		tb[NFQA_PACKET_HDR] = a;
	return MNL_CB_OK;
}

/* The id of the next queued packet, or -1. */
static long next_packet(struct mnl_socket *nl)
{
	const struct nlattr *tb[NFQA_MAX + 1] = {0};
	const struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *nlh;
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

	if (n < (ssize_t)sizeof(*nlh))
		return -1;
	nlh = (struct nlmsghdr *)buf;
	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET)
		return -1;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), packet_attr, tb);
	if (!tb[NFQA_PACKET_HDR])
		return -1;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	return (long)ntohl(ph->packet_id);
}

static int accept_packet(struct mnl_socket *nl, uint16_t queue, uint32_t id)
{
	struct nfqnl_msg_verdict_hdr v = {.verdict = htonl(NF_ACCEPT), .id = htonl(id)};
	struct nlmsghdr *nlh = queue_msg(NFQNL_MSG_VERDICT, queue);

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(v), &v);
	return ask(nl, nlh);
}

static uint16_t checksum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A SYN from 127.0.0.1:sport to 127.0.0.1:dport, checksummed (the kernel adds the IP header). */
static void syn(struct tcphdr *t, uint16_t sport, uint16_t dport)
{
	uint32_t pseudo = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + IPPROTO_TCP + sizeof(*t);

	memset(t, 0, sizeof(*t));
	t->source = htons(sport);
	t->dest = htons(dport);
	t->seq = htonl(1);
	t->doff = sizeof(*t) / 4;
	t->syn = 1;
	t->window = htons(1024);
	t->check = htons(checksum(t, sizeof(*t), pseudo));
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct mnl_socket *nl;
	unsigned long pairs, done = 0;
	uint16_t queue, port;
	int raw;

	if (argc != 4) {
		fprintf(stderr, "usage: clash QUEUE PAIRS PORT\n");
		return 2;
	}
	queue = (uint16_t)strtoul(argv[1], NULL, 10);
	pairs = strtoul(argv[2], NULL, 10);
	port = (uint16_t)strtoul(argv[3], NULL, 10);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || bind_queue(nl, queue) < 0) {
		perror("nfqueue");
		return 1;
	}
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	if (raw < 0) {
		perror("raw socket");
		return 1;
	}
	for (unsigned long i = 0; i < pairs; i++) {
		struct tcphdr t;
		long id[2];

		syn(&t, (uint16_t)(20000 + i), port);
		for (int k = 0; k < 2; k++)
			if (sendto(raw, &t, sizeof(t), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
				perror("sendto");
				return 1;
			}
		id[0] = next_packet(nl);
		id[1] = next_packet(nl);
		if (id[0] < 0 || id[1] < 0) {
			fprintf(stderr, "clash: the queue did not hold both packets\n");
			return 1;
		}
		if (accept_packet(nl, queue, (uint32_t)id[0]) < 0 ||
		    accept_packet(nl, queue, (uint32_t)id[1]) < 0) {
			perror("verdict");
			return 1;
		}
		done++;
	}
	printf("%lu\n", done);
	close(raw);
	mnl_socket_close(nl);
	return 0;
}
