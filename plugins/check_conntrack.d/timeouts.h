/*
 * The namespace's conntrack timeouts (/proc/sys/net/netfilter), and which of them keeps the
 * entries of a dominant class alive, with what lowering it costs.
 */
#ifndef CT_TIMEOUTS_H
#define CT_TIMEOUTS_H

#include <stdint.h>

#include "composition.h"
#include "mp.h"

/* The timeouts read; the order is the order of the timeouts: line. */
enum ct_timeout {
	CT_TO_TCP_ESTABLISHED,
	CT_TO_TCP_TIME_WAIT,
	CT_TO_TCP_CLOSE_WAIT,
	CT_TO_TCP_SYN_SENT,
	CT_TO_TCP_SYN_RECV,
	CT_TO_TCP_FIN_WAIT,
	CT_TO_TCP_LAST_ACK,
	CT_TO_TCP_CLOSE,
	CT_TO_UDP,
	CT_TO_UDP_STREAM,
	CT_TO_ICMP,
	CT_TO_ICMPV6,
	CT_TO_GENERIC,
	CT_TO_MAX
};

/* What a timeout is called: its file (the sysctl key's last part), its short name in the line. */
const char *ct_timeout_file(enum ct_timeout to); /* "nf_conntrack_udp_timeout" */
const char *ct_timeout_name(enum ct_timeout to); /* "udp" */

struct ct_timeouts {
	uint64_t value[CT_TO_MAX]; /* seconds, valid where rc is 0 */
	int rc[CT_TO_MAX]; /* 0, or -errno: cannot tell (never a default) */
	char why[CT_TO_MAX][160]; /* why, where rc < 0 */
};

/*
 * Read every timeout from <procfs>/sys/net/netfilter (this namespace's own values). Returns how
 * many were read; the others have rc < 0.
 */
int ct_timeouts_read(const char *procfs, struct ct_timeouts *t);

/* The timeout that applies to a class of entries, or -1 when no single sysctl does. */
int ct_timeout_for_class(const struct ct_class *cls);

/* "5 days", "2 min", "30 s", "1 h 30 min". */
const char *ct_duration_text(uint64_t seconds, char *buf, size_t len);

/*
 * The summary fragment, when c (may be NULL) has a dominant class (CT_DOMINANT_PCT of the sample)
 * and its timeout was read: "tcp ESTABLISHED entries live 5 days idle
 * (nf_conntrack_tcp_timeout_established)". Nothing otherwise; returns whether it wrote.
 */
bool ct_timeouts_summary(const struct ct_timeouts *t, const struct ct_composition *c,
			 struct mp_buf *out);

/*
 * The timeouts: line (no prefix, no newline). With a dominant class: its share, the timeout that
 * keeps it, its value and the trade-off of lowering it (or "cannot tell" and why); else the values
 * read, e.g. "tcp established 432000 s (5 days), time_wait 120 s (2 min), ... udp 30 s".
 */
void ct_timeouts_phrase(const struct ct_timeouts *t, const struct ct_composition *c,
			struct mp_buf *out);

#endif
