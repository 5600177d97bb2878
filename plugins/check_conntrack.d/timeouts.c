/*
 * The namespace's conntrack timeouts: read from /proc/sys/net/netfilter, named for the class of
 * entries that dominates the table, with the trade-off of lowering them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "procfs.h"
#include "timeouts.h"

/* One row per timeout: its file, its name in the line, what lowering it costs. */
static const struct {
	const char *file;
	const char *name;
	const char *tradeoff;
} rows[CT_TO_MAX] = {
	[CT_TO_TCP_ESTABLISHED] = {"nf_conntrack_tcp_timeout_established", "tcp established",
				   "lowering it forgets connections whose peers vanished without "
				   "closing sooner, but a connection idle for longer than the new "
				   "value loses its state (and its NAT mapping) unless it sends "
				   "keepalives more often"},
	[CT_TO_TCP_TIME_WAIT] =
		{"nf_conntrack_tcp_timeout_time_wait", "time_wait",
		 "lowering it frees closed connections sooner, at the risk of taking "
		 "a late segment of an old connection for one of a new connection "
		 "with the same ports. The cause is many short connections (reuse "
		 "them: keep-alive, connection pools)"},
	[CT_TO_TCP_CLOSE_WAIT] = {"nf_conntrack_tcp_timeout_close_wait", "close_wait",
				  "the peers closed and this side did not: lowering it frees the "
				  "entries sooner, but the usual cause is an application that does "
				  "not close its sockets"},
	[CT_TO_TCP_SYN_SENT] = {"nf_conntrack_tcp_timeout_syn_sent", "syn_sent",
				"connection attempts that got no answer (an unreachable upstream, "
				"a scan): lowering it frees them sooner and delays no connection "
				"answered within the new value"},
	[CT_TO_TCP_SYN_RECV] = {"nf_conntrack_tcp_timeout_syn_recv", "syn_recv",
				"half-open incoming connections (a SYN flood?): lowering it frees "
				"them sooner. SYN cookies or synproxy protect better"},
	[CT_TO_TCP_FIN_WAIT] =
		{"nf_conntrack_tcp_timeout_fin_wait", "fin_wait",
		 "closing connections: lowering it frees them sooner, at the risk of "
		 "dropping the last packets of a slow close"},
	[CT_TO_TCP_LAST_ACK] =
		{"nf_conntrack_tcp_timeout_last_ack", "last_ack",
		 "closing connections: lowering it frees them sooner, at the risk of "
		 "dropping the last packets of a slow close"},
	[CT_TO_TCP_CLOSE] = {"nf_conntrack_tcp_timeout_close", "close",
			     "closed connections: lowering it frees them sooner, at the risk of "
			     "dropping their last packets"},
	[CT_TO_UDP] = {"nf_conntrack_udp_timeout", "udp",
		       "datagrams that got no answer yet (DNS to a dead or slow server, scans, "
		       "one-way traffic such as syslog): lowering it frees them sooner, but an "
		       "answer later than the new value is then dropped by a stateful rule. "
		       "Exempting such traffic from tracking (notrack) removes the entries "
		       "altogether"},
	[CT_TO_UDP_STREAM] = {"nf_conntrack_udp_timeout_stream", "udp stream",
			      "lowering it frees idle UDP flows sooner, but a flow silent for "
			      "longer than the new value (VPN, VoIP, QUIC) loses its state and its "
			      "NAT mapping"},
	[CT_TO_ICMP] = {"nf_conntrack_icmp_timeout", "icmp",
			"lowering it frees unanswered ICMP requests sooner (a ping flood or scan "
			"makes these)"},
	[CT_TO_ICMPV6] = {"nf_conntrack_icmpv6_timeout", "icmpv6",
			  "lowering it frees unanswered ICMPv6 requests sooner (a ping flood or "
			  "scan makes these)"},
	[CT_TO_GENERIC] = {"nf_conntrack_generic_timeout", "generic",
			   "protocols without a tracker of their own: lowering it frees them "
			   "sooner, but a tunnel idle for longer than the new value loses its "
			   "state"},
};

const char *ct_timeout_file(enum ct_timeout to)
{
	return to < CT_TO_MAX ? rows[to].file : "?";
}

const char *ct_timeout_name(enum ct_timeout to)
{
	return to < CT_TO_MAX ? rows[to].name : "?";
}

int ct_timeouts_read(const char *procfs, struct ct_timeouts *t)
{
	char path[PATH_MAX];
	int n = 0;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < CT_TO_MAX; i++) {
		snprintf(path, sizeof(path), "%s/sys/net/netfilter/%s", procfs, rows[i].file);
		t->rc[i] = ct_read_u64(path, &t->value[i], t->why[i], sizeof(t->why[i]));
		if (t->rc[i] == 0)
			n++;
	}
	return n;
}

/* TCP states (enum tcp_conntrack order) -> their timeout; NONE and unknown have none. */
static const int tcp_state_timeout[CT_TCP_STATES + 1] = {
	-1,
	CT_TO_TCP_SYN_SENT,
	CT_TO_TCP_SYN_RECV,
	CT_TO_TCP_ESTABLISHED,
	CT_TO_TCP_FIN_WAIT,
	CT_TO_TCP_CLOSE_WAIT,
	CT_TO_TCP_LAST_ACK,
	CT_TO_TCP_TIME_WAIT,
	CT_TO_TCP_CLOSE,
	CT_TO_TCP_SYN_SENT, /* SYN_SENT2: a simultaneous open, the syn_sent timeout */
	-1,
};

int ct_timeout_for_class(const struct ct_class *cls)
{
	switch (cls->proto) {
	case CT_P_TCP:
		return cls->sub >= 0 && cls->sub <= CT_TCP_STATES ? tcp_state_timeout[cls->sub]
								  : -1;
	case CT_P_UDP:
	case CT_P_UDPLITE:
		/* A flow becomes a stream (assured) once it has seen traffic both ways for a while.
		 */
		return cls->sub == CT_R_ASSURED ? CT_TO_UDP_STREAM : CT_TO_UDP;
	case CT_P_ICMP:
		return CT_TO_ICMP;
	case CT_P_ICMPV6:
		return CT_TO_ICMPV6;
	case CT_P_OTHER:
		return CT_TO_GENERIC;
	default:
		/* sctp, dccp and gre have timeouts per state of their own: not named here. */
		return -1;
	}
}

const char *ct_duration_text(uint64_t s, char *buf, size_t len)
{
	static const struct {
		uint64_t seconds;
		const char *unit;
	} units[] = {{86400, "days"}, {3600, "h"}, {60, "min"}, {1, "s"}};
	size_t used = 0;
	int parts = 0;

	if (len)
		buf[0] = '\0';
	if (s == 0) {
		snprintf(buf, len, "0 s");
		return buf;
	}
	/* The two largest units that are not zero: "1 h 30 min", "5 days". */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && parts < 2 && used < len; i++) {
		uint64_t n = s / units[i].seconds;

		if (n == 0) {
			if (parts)
				break;
			continue;
		}
		s -= n * units[i].seconds;
		used += (size_t)snprintf(buf + used, len - used, "%s%llu %s", parts ? " " : "",
					 (unsigned long long)n,
					 n == 1 && units[i].seconds == 86400 ? "day"
									     : units[i].unit);
		parts++;
	}
	return buf;
}

/* The dominant class of c and its timeout; false when none dominates or none applies. */
static bool dominant_timeout(const struct ct_composition *c, struct ct_class *cls, uint32_t *count,
			     int *to)
{
	if (!c || !ct_composition_top_class(c, cls, count))
		return false;
	if ((uint64_t)*count * 100 < (uint64_t)CT_DOMINANT_PCT * c->sampled)
		return false;
	*to = ct_timeout_for_class(cls);
	return *to >= 0;
}

bool ct_timeouts_summary(const struct ct_timeouts *t, const struct ct_composition *c,
			 struct mp_buf *out)
{
	struct ct_class cls;
	uint32_t n;
	int to;
	char name[48], d[32];

	if (!dominant_timeout(c, &cls, &n, &to) || t->rc[to] < 0)
		return false;
	mp_buf_printf(out, "%s entries live %s idle (%s)", ct_class_name(&cls, name, sizeof(name)),
		      ct_duration_text(t->value[to], d, sizeof(d)), rows[to].file);
	return true;
}

/*
 * "tcp established 432000 s (5 days), time_wait 120 s (2 min), ..."; those that could not be read
 * say so, and the first reason is given once at the end.
 */
static void values(const struct ct_timeouts *t, struct mp_buf *out)
{
	const char *why = NULL;
	int unread = 0;
	char d[32];

	for (int i = 0; i < CT_TO_MAX; i++)
		unread += t->rc[i] < 0;
	if (unread == CT_TO_MAX) {
		mp_buf_printf(out, "cannot tell (%s)", t->why[0]);
		return;
	}
	unread = 0;
	for (int i = 0; i < CT_TO_MAX; i++) {
		mp_buf_printf(out, "%s%s ", i ? ", " : "", rows[i].name);
		if (t->rc[i] == 0 && t->value[i] < 60) {
			mp_buf_printf(out, "%llu s", (unsigned long long)t->value[i]);
			continue;
		}
		if (t->rc[i] == 0) {
			mp_buf_printf(out, "%llu s (%s)", (unsigned long long)t->value[i],
				      ct_duration_text(t->value[i], d, sizeof(d)));
			continue;
		}
		mp_buf_printf(out, "cannot tell");
		if (!why)
			why = t->why[i];
		unread++;
	}
	if (unread)
		mp_buf_printf(out, ", %d of %d cannot be told (%s)", unread, CT_TO_MAX, why);
}

void ct_timeouts_phrase(const struct ct_timeouts *t, const struct ct_composition *c,
			struct mp_buf *out)
{
	struct ct_class cls;
	uint32_t n;
	int to;
	char name[48], pct[8], d[32];

	if (!dominant_timeout(c, &cls, &n, &to)) {
		values(t, out);
		return;
	}
	mp_buf_printf(out, "%s of sampled entries are %s, held by %s",
		      ct_share_text(n, c->sampled, pct, sizeof(pct)),
		      ct_class_name(&cls, name, sizeof(name)), rows[to].file);
	if (t->rc[to] < 0) {
		mp_buf_printf(out, ": cannot tell its value (%s)", t->why[to]);
		return;
	}
	mp_buf_printf(out, " = %llu (%s): %s (sysctl -w net.netfilter.%s=SECONDS)",
		      (unsigned long long)t->value[to],
		      ct_duration_text(t->value[to], d, sizeof(d)), rows[to].tradeoff,
		      rows[to].file);
}
