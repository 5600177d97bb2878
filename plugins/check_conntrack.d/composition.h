/*
 * What the conntrack table is made of, from a bounded sample of its entries read over ctnetlink:
 * protocols, TCP states, reply status, top destination ports, top source and destination
 * prefixes. Fixed-size tables only: memory does not grow with the sample.
 */
#ifndef CT_COMPOSITION_H
#define CT_COMPOSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mp.h"

#define CT_COMPOSITION_CAP 5000 /* entries sampled by default */
#define CT_COMPOSITION_CAP_MAX 10000000u
#define CT_TOP_SLOTS 64 /* counters per top-N table (Space-Saving): exact below 64 values */
#define CT_TOP_SHOWN 5 /* values listed per table in the long output */
#define CT_DOMINANT_PCT 50 /* a share this large (percent of the sample) dominates */

struct mnl_socket;

/* The protocols told apart; the rest is "other". */
enum ct_proto {
	CT_P_TCP,
	CT_P_UDP,
	CT_P_ICMP,
	CT_P_ICMPV6,
	CT_P_SCTP,
	CT_P_UDPLITE,
	CT_P_DCCP,
	CT_P_GRE,
	CT_P_OTHER,
	CT_P_MAX
};
extern const char *const ct_proto_names[CT_P_MAX];

/* An entry's reply status, from the kernel's IPS_SEEN_REPLY and IPS_ASSURED bits. */
enum ct_reply { CT_R_UNREPLIED, CT_R_REPLIED, CT_R_ASSURED, CT_R_MAX };
extern const char *const ct_reply_names[CT_R_MAX];

/* TCP states as the kernel numbers them (enum tcp_conntrack), and one for "not given". */
#define CT_TCP_STATES 10
#define CT_TCP_UNKNOWN CT_TCP_STATES
extern const char *const ct_tcp_state_names[CT_TCP_STATES + 1];

/*
 * A class of entries: TCP by state, every other protocol by reply status. The composition's
 * headline is its largest class ("udp unreplied", "tcp TIME_WAIT").
 */
#define CT_CLASS_SUB (CT_TCP_STATES + 1)
struct ct_class {
	enum ct_proto proto;
	int sub; /* a TCP state (CT_TCP_UNKNOWN: not given) or an enum ct_reply */
};

/* What a top-N table counts. The address tables are kept only when asked (-vv). */
enum ct_top_kind {
	CT_TOP_DPORT,
	CT_TOP_SRC_NET,
	CT_TOP_DST_NET,
	CT_TOP_SRC,
	CT_TOP_DST,
	CT_TOP_MAX
};

/* A value of a top-N table: a port of a protocol, or an address or prefix of a family. */
struct ct_top_key {
	uint8_t family; /* AF_INET, AF_INET6; 0 for a port */
	uint8_t proto; /* enum ct_proto, for a port */
	uint8_t plen; /* prefix length: 24, 64, or the full 32 or 128 */
	uint16_t port;
	uint8_t addr[16];
};

/* Space-Saving: count may overstate by at most err; count - err is certain. */
struct ct_top_slot {
	struct ct_top_key key;
	uint32_t count;
	uint32_t err;
};
struct ct_top {
	struct ct_top_slot slot[CT_TOP_SLOTS];
	unsigned int used;
};

/* Why the sample ended. */
enum ct_sample_end { CT_SAMPLE_WHOLE, CT_SAMPLE_CAP, CT_SAMPLE_DEADLINE };

struct ct_composition {
	uint32_t cap; /* entries to read at most */
	bool addresses; /* keep the full-address tables (CT_TOP_SRC, CT_TOP_DST) */
	uint32_t sampled;
	enum ct_sample_end end;
	bool interrupted; /* the table changed under the dump (still a sample) */
	uint32_t proto[CT_P_MAX];
	uint32_t reply[CT_R_MAX];
	uint32_t tcp_state[CT_TCP_STATES + 1];
	uint32_t cls[CT_P_MAX][CT_CLASS_SUB];
	struct ct_top top[CT_TOP_MAX];
	double seconds; /* how long the dump took */
	size_t datagrams;
};

/* Empty, ready for a sample of at most cap entries (0: CT_COMPOSITION_CAP). */
void ct_composition_init(struct ct_composition *c, uint32_t cap, bool addresses);

/*
 * Read a sample of the current namespace's table on *nl (a NETLINK_NETFILTER socket,
 * CAP_NET_ADMIN): an IPCTNL_MSG_CT_GET dump read until c->cap entries or the deadline
 * (CLOCK_MONOTONIC, NULL for none), never further. Returns 0 (c->end says why it ended), or -errno
 * with a one-line reason in err (-EPERM without CAP_NET_ADMIN). When the dump did not run to its
 * end (a cap, the deadline, an error) *nl has been closed and set to NULL: the next request needs a
 * fresh socket.
 */
int ct_composition_read(struct mnl_socket **nl, const struct timespec *deadline,
			struct ct_composition *c, char *err, size_t errlen);

/*
 * The dump parser behind it, for unit tests and fuzzing on recorded bytes (seq and port not
 * checked): returns 0 (more to come), 1 (the dump ended), 2 (the cap was reached), or -errno
 * with a reason.
 */
int ct_composition_parse(const void *buf, size_t len, struct ct_composition *c, char *err,
			 size_t errlen);

/*
 * Add one entry (the parser's last step; tests build samples with it): tcp_state for TCP (else
 * ignored), the kernel's status bits, addresses in network order (4 or 16 bytes), dport -1 when
 * the protocol has no ports.
 */
void ct_composition_add(struct ct_composition *c, enum ct_proto proto, int tcp_state,
			uint32_t status, int family, const uint8_t *src, const uint8_t *dst,
			int dport);

/* The largest class; false when nothing was sampled. *count is its size. */
bool ct_composition_top_class(const struct ct_composition *c, struct ct_class *cls,
			      uint32_t *count);
/* "udp unreplied", "tcp TIME_WAIT". */
const char *ct_class_name(const struct ct_class *cls, char *buf, size_t len);

/*
 * A top-N table sorted by certain count (count - err), largest first: up to n slots copied to
 * out. Returns how many.
 */
size_t ct_composition_top(const struct ct_composition *c, enum ct_top_kind kind,
			  struct ct_top_slot *out, size_t n);
/* "53/udp", "10.1.2.0/24", "2001:db8::/64", "10.1.2.3". */
const char *ct_top_key_text(enum ct_top_kind kind, const struct ct_top_key *k, char *buf,
			    size_t len);

/* A share as the output prints it: "71%", "<1%", "0%". */
const char *ct_share_text(uint64_t part, uint64_t whole, char *buf, size_t len);

/*
 * The summary fragment and the composition: line, e.g.
 *   "71% udp unreplied, 64% to port 53, 58% from 10.1.2.0/24 (5000 of 262144 sampled)"
 * entries is the namespace's count from /proc (the sample's denominator).
 */
void ct_composition_phrase(const struct ct_composition *c, uint64_t entries, struct mp_buf *out);

/*
 * The details under the headline, one "composition: ..." line per table (protocols, TCP states,
 * reply status, destination ports, source and destination prefixes); verbose >= 2 adds the full
 * addresses when they were kept. Nothing when nothing was sampled.
 */
void ct_composition_lines(const struct ct_composition *c, int verbose, struct mp_buf *out);

#endif
