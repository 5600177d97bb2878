/* Unit tests for the timeouts: fixture trees read, classes mapped to timeouts, the phrases. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "composition.h"
#include "tap.h"
#include "timeouts.h"

/* tests/fixtures/trees/<name>/proc, found from this file's own path. */
static const char *tree(const char *name)
{
	static char path[4096];
	const char *f = __FILE__, *slash = strrchr(f, '/');
	int dir = slash ? (int)(slash - f) : 0;

	snprintf(path, sizeof(path), "%.*s%s../fixtures/trees/%s/proc", dir, f, slash ? "/" : "",
		 name);
	return path;
}

static void test_read(void)
{
	struct ct_timeouts t;

	is_int(ct_timeouts_read(tree("timeouts-6.18"), &t), CT_TO_MAX,
	       "6.18 tree: every timeout read");
	is_int(t.value[CT_TO_TCP_ESTABLISHED], 432000, "tcp established 432000");
	is_int(t.value[CT_TO_TCP_TIME_WAIT], 120, "time_wait 120");
	is_int(t.value[CT_TO_UDP], 30, "udp 30");
	is_int(t.value[CT_TO_UDP_STREAM], 120, "udp stream 120");
	is_int(t.value[CT_TO_GENERIC], 600, "generic 600");

	is_int(ct_timeouts_read(tree("timeouts-partial"), &t), 6, "partial tree: 6 of 13 read");
	is_int(t.rc[CT_TO_TCP_TIME_WAIT], -ENOENT, "a missing file: -ENOENT, cannot tell");
	is_int(t.rc[CT_TO_TCP_CLOSE_WAIT], -EINVAL, "a file that is not a number: -EINVAL");
	is_int(t.rc[CT_TO_UDP], -ENOENT, "no udp files: -ENOENT");
	is_int(t.value[CT_TO_UDP], 0, "nothing made up for what could not be read");
	ok(strstr(t.why[CT_TO_TCP_CLOSE_WAIT],
		  "nf_conntrack_tcp_timeout_close_wait does not hold a number") != NULL,
	   "the reason names the file");

	is_int(ct_timeouts_read("/nonexistent", &t), 0, "no tree: nothing read");
}

static void test_mapping(void)
{
	static const struct {
		struct ct_class cls;
		int want;
	} cases[] = {
		{{CT_P_TCP, 3}, CT_TO_TCP_ESTABLISHED},
		{{CT_P_TCP, 7}, CT_TO_TCP_TIME_WAIT},
		{{CT_P_TCP, 5}, CT_TO_TCP_CLOSE_WAIT},
		{{CT_P_TCP, 1}, CT_TO_TCP_SYN_SENT},
		{{CT_P_TCP, 2}, CT_TO_TCP_SYN_RECV},
		{{CT_P_TCP, 4}, CT_TO_TCP_FIN_WAIT},
		{{CT_P_TCP, 6}, CT_TO_TCP_LAST_ACK},
		{{CT_P_TCP, 8}, CT_TO_TCP_CLOSE},
		{{CT_P_TCP, 9}, CT_TO_TCP_SYN_SENT},
		{{CT_P_TCP, 0}, -1},
		{{CT_P_TCP, CT_TCP_UNKNOWN}, -1},
		{{CT_P_UDP, CT_R_UNREPLIED}, CT_TO_UDP},
		{{CT_P_UDP, CT_R_REPLIED}, CT_TO_UDP},
		{{CT_P_UDP, CT_R_ASSURED}, CT_TO_UDP_STREAM},
		{{CT_P_UDPLITE, CT_R_ASSURED}, CT_TO_UDP_STREAM},
		{{CT_P_ICMP, CT_R_UNREPLIED}, CT_TO_ICMP},
		{{CT_P_ICMPV6, CT_R_REPLIED}, CT_TO_ICMPV6},
		{{CT_P_OTHER, CT_R_ASSURED}, CT_TO_GENERIC},
		{{CT_P_SCTP, CT_R_ASSURED}, -1},
		{{CT_P_GRE, CT_R_ASSURED}, -1},
	};
	char name[96], cls[48];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "%s -> %s",
			 ct_class_name(&cases[i].cls, cls, sizeof(cls)),
			 cases[i].want < 0 ? "no single timeout" : ct_timeout_file(cases[i].want));
		is_int(ct_timeout_for_class(&cases[i].cls), cases[i].want, name);
	}
}

static void test_duration(void)
{
	static const struct {
		uint64_t s;
		const char *want;
	} cases[] = {
		{0, "0 s"},	    {10, "10 s"},	  {60, "1 min"},	{120, "2 min"},
		{90, "1 min 30 s"}, {3600, "1 h"},	  {5400, "1 h 30 min"}, {86400, "1 day"},
		{432000, "5 days"}, {90061, "1 day 1 h"}, {86401, "1 day"},
	};
	char buf[32], name[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "%llu s is %s", (unsigned long long)cases[i].s,
			 cases[i].want);
		is_str(ct_duration_text(cases[i].s, buf, sizeof(buf)), cases[i].want, name);
	}
}

/* A sample of n entries of one class and 100 - n spread over two others. */
static void sample(struct ct_composition *c, enum ct_proto p, int tcp, uint32_t status, int n)
{
	uint8_t a[4] = {10, 0, 0, 1};

	ct_composition_init(c, 0, false);
	for (int i = 0; i < n; i++)
		ct_composition_add(c, p, tcp, status, AF_INET, a, a, 80);
	for (int i = n; i < 100; i++)
		ct_composition_add(c, i % 2 ? CT_P_ICMP : CT_P_TCP, 1, IPS_CONFIRMED, AF_INET, a, a,
				   i % 2 ? -1 : 22);
}

static void test_phrases(void)
{
	struct ct_timeouts t;
	struct ct_composition c;
	struct mp_buf b = {0};

	ct_timeouts_read(tree("timeouts-6.18"), &t);
	sample(&c, CT_P_TCP, 3, IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED, 82);
	ct_timeouts_phrase(&t, &c, &b);
	is_str(mp_buf_str(&b),
	       "82% of sampled entries are tcp ESTABLISHED, held by "
	       "nf_conntrack_tcp_timeout_established = 432000 (5 days): "
	       "lowering it forgets connections whose peers vanished without closing sooner, but a "
	       "connection idle for "
	       "longer than the new value loses its state (and its NAT mapping) unless it sends "
	       "keepalives more often "
	       "(sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=SECONDS)",
	       "ESTABLISHED dominates: the timeout, its value in days and the trade-off");
	mp_buf_free(&b);
	ok(ct_timeouts_summary(&t, &c, &b), "ESTABLISHED dominates: a summary fragment");
	is_str(mp_buf_str(&b),
	       "tcp ESTABLISHED entries live 5 days idle (nf_conntrack_tcp_timeout_established)",
	       "the summary fragment");
	mp_buf_free(&b);

	sample(&c, CT_P_UDP, 0, IPS_CONFIRMED, 71);
	ct_timeouts_summary(&t, &c, &b);
	is_str(mp_buf_str(&b), "udp unreplied entries live 30 s idle (nf_conntrack_udp_timeout)",
	       "udp unreplied: nf_conntrack_udp_timeout");
	mp_buf_free(&b);
	sample(&c, CT_P_UDP, 0, IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED, 60);
	ct_timeouts_summary(&t, &c, &b);
	is_str(mp_buf_str(&b),
	       "udp assured entries live 2 min idle (nf_conntrack_udp_timeout_stream)",
	       "udp stream: nf_conntrack_udp_timeout_stream");
	mp_buf_free(&b);

	/* Nothing dominates: the values, and no summary. */
	sample(&c, CT_P_TCP, 7, IPS_CONFIRMED, 49);
	ok(!ct_timeouts_summary(&t, &c, &b), "49%%: nothing dominates, no summary fragment");
	ct_timeouts_phrase(&t, &c, &b);
	is_str(mp_buf_str(&b),
	       "tcp established 432000 s (5 days), time_wait 120 s (2 min), close_wait 60 s (1 "
	       "min), "
	       "syn_sent 120 s (2 min), syn_recv 60 s (1 min), fin_wait 120 s (2 min), last_ack 30 "
	       "s, "
	       "close 10 s, udp 30 s, udp stream 120 s (2 min), icmp 30 s, icmpv6 30 s, generic "
	       "600 s "
	       "(10 min)",
	       "nothing dominates: every value");
	mp_buf_free(&b);
	ct_timeouts_phrase(&t, NULL, &b);
	ok(strncmp(mp_buf_str(&b), "tcp established 432000 s (5 days), ", 35) == 0,
	   "no sample at all: every value");
	mp_buf_free(&b);

	/* The timeout that applies could not be read: cannot tell, and why. */
	ct_timeouts_read(tree("timeouts-partial"), &t);
	sample(&c, CT_P_TCP, 7, IPS_CONFIRMED, 90);
	ct_timeouts_phrase(&t, &c, &b);
	{
		const char *want =
			"90% of sampled entries are tcp TIME_WAIT, held by "
			"nf_conntrack_tcp_timeout_time_wait: cannot tell its value (cannot "
			"open ";

		ok(strncmp(mp_buf_str(&b), want, strlen(want)) == 0 &&
			   strstr(mp_buf_str(&b), "nf_conntrack_tcp_timeout_time_wait: No such "
						  "file or directory)"),
		   "TIME_WAIT dominates, its file missing: cannot tell, with the reason");
	}
	mp_buf_free(&b);
	ok(!ct_timeouts_summary(&t, &c, &b), "unreadable timeout: no summary fragment");
	ct_timeouts_phrase(&t, NULL, &b);
	ok(strstr(mp_buf_str(&b), "time_wait cannot tell, close_wait cannot tell, ") &&
		   strstr(mp_buf_str(&b), ", 7 of 13 cannot be told (cannot open "),
	   "partial tree: what could not be read is said, with the first reason");
	mp_buf_free(&b);
	ct_timeouts_read("/nonexistent", &t);
	ct_timeouts_phrase(&t, NULL, &b);
	is_str(mp_buf_str(&b),
	       "cannot tell (cannot open "
	       "/nonexistent/sys/net/netfilter/nf_conntrack_tcp_timeout_established: "
	       "No such file or directory)",
	       "nothing readable: cannot tell, and why");
	mp_buf_free(&b);
}

int main(void)
{
	test_read();
	test_mapping();
	test_duration();
	test_phrases();
	return tap_done();
}
