/* Unit tests for the conntrack counters: names, the stat-file parser and the ctnetlink parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "counters.h"
#include "tap.h"

#define BIT(c) (1u << (c))
#define ALL_OLD                                                                                    \
	(BIT(CT_SEARCHED) | BIT(CT_FOUND) | BIT(CT_NEW) | BIT(CT_INVALID) | BIT(CT_IGNORE) |       \
	 BIT(CT_DELETE) | BIT(CT_DELETE_LIST) | BIT(CT_INSERT) | BIT(CT_INSERT_FAILED) |           \
	 BIT(CT_DROP) | BIT(CT_EARLY_DROP) | BIT(CT_ERROR))
#define CLASHRES                                                                                   \
	(BIT(CT_FOUND) | BIT(CT_INVALID) | BIT(CT_INSERT) | BIT(CT_INSERT_FAILED) | BIT(CT_DROP) | \
	 BIT(CT_EARLY_DROP) | BIT(CT_ERROR) | BIT(CT_SEARCH_RESTART) | BIT(CT_CLASH_RESOLVE))

/* tests/data/<rel>, found from this file's own path so the test runs from any directory. */
static const char *data_path(const char *rel)
{
	static char path[4096];
	const char *f = __FILE__, *slash = strrchr(f, '/');
	int dir = slash ? (int)(slash - f) : 0;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/../data/%s", dir, f, rel);
	else
		snprintf(path, sizeof(path), "../data/%s", rel);
	return path;
}

/* The whole file in malloc'd memory (not NUL-terminated as far as the parsers know). */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(size ? (size_t)size : 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

static void test_names(void)
{
	static const struct {
		const char *name;
		int want;
	} cases[] = {
		{"searched", CT_SEARCHED},
		{"found", CT_FOUND},
		{"new", CT_NEW},
		{"invalid", CT_INVALID},
		{"ignore", CT_IGNORE},
		{"delete", CT_DELETE},
		{"delete_list", CT_DELETE_LIST},
		{"insert", CT_INSERT},
		{"insert_failed", CT_INSERT_FAILED},
		{"drop", CT_DROP},
		{"early_drop", CT_EARLY_DROP},
		{"error", CT_ERROR},
		{"search_restart", CT_SEARCH_RESTART},
		{"clash_resolve", CT_CLASH_RESOLVE},
		{"chaintoolong", CT_CHAINTOOLONG},
		{"icmp_error", CT_ERROR},
		{"clashres", CT_CLASH_RESOLVE},
		{"chainlength", CT_CHAINTOOLONG},
		{"entries", -1},
		{"expect_new", -1},
		{"expect_create", -1},
		{"expect_delete", -1},
		{"Found", -1},
		{"", -1},
	};
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "ct_counter_by_name(\"%s\")", cases[i].name);
		is_int(ct_counter_by_name(cases[i].name), cases[i].want, name);
	}
	is_int(ct_counter_by_name(NULL), -1, "ct_counter_by_name(NULL)");
	for (i = 0; i < CT_COUNTER_MAX; i++) {
		int unique = ct_counter_names[i] != NULL;

		for (j = 0; unique && j < i; j++)
			unique = strcmp(ct_counter_names[i], ct_counter_names[j]) != 0;
		ok(unique && ct_counter_by_name(ct_counter_names[i]) == (int)i,
		   "name %zu (%s) is set, unique and round-trips", i,
		   ct_counter_names[i] ? ct_counter_names[i] : "(null)");
	}
}

/* Expected sums and presence for the samples in tests/data/statfile/. */
static const struct layout_case {
	const char *file;
	uint32_t present;
	bool counts_clashes;
	uint64_t value[CT_COUNTER_MAX];
} layouts[] = {
	{"statfile/2.6.18.stat",
	 ALL_OLD,
	 true,
	 {[CT_SEARCHED] = 188416,
	  [CT_FOUND] = 40960,
	  [CT_NEW] = 2560,
	  [CT_INVALID] = 160,
	  [CT_IGNORE] = 10,
	  [CT_DELETE] = 320,
	  [CT_DELETE_LIST] = 320,
	  [CT_INSERT] = 2560,
	  [CT_INSERT_FAILED] = 14,
	  [CT_DROP] = 6,
	  [CT_EARLY_DROP] = 3,
	  [CT_ERROR] = 18}},
	/* Sums past 32 bits; the second CPU line disagrees on entries (checked, not kept). */
	{"statfile/2.6.32.stat",
	 ALL_OLD,
	 true,
	 {[CT_SEARCHED] = 8589934590ull,
	  [CT_FOUND] = 4294967296ull,
	  [CT_NEW] = 11259376,
	  [CT_INVALID] = 2749,
	  [CT_IGNORE] = 0,
	  [CT_DELETE] = 11259137,
	  [CT_DELETE_LIST] = 11259137,
	  [CT_INSERT] = 11259376,
	  [CT_INSERT_FAILED] = 32,
	  [CT_DROP] = 257,
	  [CT_EARLY_DROP] = 33,
	  [CT_ERROR] = 8}},
	{"statfile/4.19.stat",
	 ALL_OLD | BIT(CT_SEARCH_RESTART),
	 true,
	 {[CT_FOUND] = 433410,
	  [CT_INVALID] = 4149,
	  [CT_INSERT_FAILED] = 6606,
	  [CT_DROP] = 18,
	  [CT_EARLY_DROP] = 9,
	  [CT_ERROR] = 6,
	  [CT_SEARCH_RESTART] = 33}},
	{"statfile/5.10.stat",
	 CLASHRES,
	 false,
	 {[CT_INVALID] = 102,
	  [CT_INSERT_FAILED] = 3,
	  [CT_DROP] = 144,
	  [CT_EARLY_DROP] = 9,
	  [CT_ERROR] = 1,
	  [CT_SEARCH_RESTART] = 10,
	  [CT_CLASH_RESOLVE] = 15}},
	{"statfile/5.15.stat",
	 CLASHRES | BIT(CT_CHAINTOOLONG),
	 false,
	 {[CT_INVALID] = 46,
	  [CT_INSERT_FAILED] = 1,
	  [CT_DROP] = 2560,
	  [CT_EARLY_DROP] = 50,
	  [CT_ERROR] = 4,
	  [CT_SEARCH_RESTART] = 3,
	  [CT_CLASH_RESOLVE] = 10,
	  [CT_CHAINTOOLONG] = 10}},
};

static void test_layouts(void)
{
	size_t i;
	int c;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout_case *t = &layouts[i];
		struct ct_counters cs;
		char err[256] = "", name[128];
		int ret = ct_statfile_read(data_path(t->file), &cs, err, sizeof(err));

		snprintf(name, sizeof(name), "%s parses", t->file);
		is_int(ret, 0, name);
		if (ret)
			printf("#   %s\n", err);
		snprintf(name, sizeof(name), "%s: present bits", t->file);
		is_int(cs.present, t->present, name);
		snprintf(name, sizeof(name), "%s: insert_failed_counts_clashes", t->file);
		is_int(cs.insert_failed_counts_clashes, t->counts_clashes, name);
		is_str(cs.source, "stat file", "source is the stat file");
		for (c = 0; c < CT_COUNTER_MAX; c++) {
			snprintf(name, sizeof(name), "%s: %s", t->file, ct_counter_names[c]);
			is_int(cs.value[c], t->value[c], name);
		}
	}
}

/* Parse a string as an exact-length buffer without terminator, so ASan sees any over-read. */
static int parse_exact(const char *s, size_t len, struct ct_counters *cs, char *err, size_t n)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, s, len);
	ret = ct_statfile_parse(copy, len, cs, err, n);
	free(copy);
	return ret;
}

#define H510 "entries clashres found new invalid ignore delete delete_list insert\n"

static void test_statfile_edges(void)
{
	struct ct_counters cs;
	char err[256];
	const char *s;

	s = "entries  future_column found icmp_error expect_new\n"
	    "00000005 ffffffff 00000001 00000002 00000003\n"
	    "00000005 ffffffff 00000001 00000002 00000003";
	is_int(parse_exact(s, strlen(s), &cs, err, sizeof(err)), 0,
	       "unknown columns skipped, last line without newline");
	is_int(cs.present, BIT(CT_FOUND) | BIT(CT_ERROR), "only known columns present");
	is_int(cs.value[CT_FOUND], 2, "found summed");
	is_int(cs.value[CT_ERROR], 4, "icmp_error is error");

	s = H510 "00000007 00000001 00000002 00000000 00000003 00000000 00000000 00000000 "
		 "00000009\n";
	is_int(parse_exact(s, strlen(s), &cs, err, sizeof(err)), 0, "clashres layout parses");
	is_int(cs.present, BIT(CT_CLASH_RESOLVE) | BIT(CT_FOUND) | BIT(CT_INVALID) | BIT(CT_INSERT),
	       "fixed zeros (new ignore delete delete_list) not present with clashres");

	s = "found entries\n\n0000000A 00000003\r\n  \n\t0000000b   00000004 \n\n";
	is_int(parse_exact(s, strlen(s), &cs, err, sizeof(err)), 0,
	       "blank lines, CRLF, tabs and upper-case hex accepted");
	is_int(cs.value[CT_FOUND], 21, "found = 0xa + 0xb");
	ok(cs.insert_failed_counts_clashes, "no clashres column: old semantics");

	s = "found\n00000000000000000000001\n";
	is_int(parse_exact(s, strlen(s), &cs, err, sizeof(err)), 0, "leading zeros past 16 digits");
	is_int(cs.value[CT_FOUND], 1, "value read");

	s = "found\nffffffffffffffff\n";
	is_int(parse_exact(s, strlen(s), &cs, err, sizeof(err)), 0, "UINT64_MAX is a value");
	ok(cs.value[CT_FOUND] == UINT64_MAX, "value is UINT64_MAX");
}

static void test_statfile_malformed(void)
{
	static const struct {
		const char *what;
		const char *text;
		size_t len; /* 0: strlen(text) */
		const char *reason;
	} cases[] = {
		{"empty file", "", 0, "empty"},
		{"only blank lines", "\n  \n\t\n", 0, "empty"},
		{"no header", "00000001 00000002\n00000001 00000002\n", 0, "no header"},
		{"header only", "entries found\n", 0, "no CPU lines"},
		{"header only, blank after", "entries found\n\n \n", 0, "no CPU lines"},
		{"not hex", "entries found\n00000001 0000000g\n", 0, "not a hex value"},
		{"0x prefix", "entries found\n00000001 0x10\n", 0, "not a hex value"},
		{"negative", "entries found\n00000001 -1\n", 0, "not a hex value"},
		{"17 significant digits", "entries found\n00000001 10000000000000000\n", 0,
		 "not a hex value"},
		{"too many columns", "entries found\n00000001 00000002 00000003\n", 0,
		 "more than the 2"},
		{"too few columns", "entries found drop\n00000001 00000002\n", 0,
		 "has 2 columns, header has 3"},
		{"second line short", "entries found\n00000001 00000002\n00000001\n", 0,
		 "line 3 has 1 columns"},
		{"sum overflows",
		 "entries found\n00000001 ffffffffffffffff\n00000001 0000000000000001\n", 0,
		 "overflows"},
		{"column twice", "entries found found\n00000001 00000002 00000003\n", 0, "twice"},
		{"alias twice", "entries error icmp_error\n00000001 00000002 00000003\n", 0,
		 "twice"},
		{"NUL in a value", "entries found\n00000001 000\0000002\n", 28, "not a hex value"},
		{"text NULL", NULL, 0, "empty"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_counters cs;
		char err[256] = "";
		size_t len = cases[i].len    ? cases[i].len
			     : cases[i].text ? strlen(cases[i].text)
					     : 0;
		int ret;

		memset(&cs, 0xa5, sizeof(cs));
		if (cases[i].text)
			ret = parse_exact(cases[i].text, len, &cs, err, sizeof(err));
		else
			ret = ct_statfile_parse(NULL, 0, &cs, err, sizeof(err));
		is_int(ret, -EINVAL, cases[i].what);
		ok(strstr(err, cases[i].reason) != NULL, "%s: reason '%s'", cases[i].what, err);
		ok(cs.present == 0, "%s: nothing reported", cases[i].what);
	}
}

/* Pseudo-random text made of the file's own alphabet: any result, never a crash. */
static void test_statfile_garbage(void)
{
	static const char alphabet[] = "0123456789abcdefxg \t\n\r\0entries found clashres drop";
	uint32_t x = 42;
	char *buf = malloc(256);
	int i, odd = 0;

	for (i = 0; i < 20000; i++) {
		struct ct_counters cs;
		char err[64];
		size_t len, j;
		int ret;

		x = x * 1103515245u + 12345u;
		len = (x >> 8) % 256;
		for (j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			buf[j] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		ret = ct_statfile_parse(buf, len, &cs, err, sizeof(err));
		if (ret != 0 && (ret != -EINVAL || cs.present != 0))
			odd++;
	}
	is_int(odd, 0, "20000 random stat files: 0 or -EINVAL with nothing reported");
	free(buf);
}

static void test_statfile_read(void)
{
	struct ct_counters cs;
	char err[256] = "", tmpl[] = "/tmp/test_counters.XXXXXX";
	char *big;
	FILE *f;
	int fd, ret;

	ret = ct_statfile_read("/nonexistent/nf_conntrack", &cs, err, sizeof(err));
	is_int(ret, -ENOENT, "missing stat file: -ENOENT");
	ok(strstr(err, "/nonexistent/nf_conntrack") != NULL, "reason names the path: %s", err);

	/* A header then more than 1 MiB of CPU lines: refused, not parsed. */
	fd = mkstemp(tmpl);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	ok(f != NULL, "temporary file");
	if (!f)
		return;
	big = malloc(1024 * 1024 + 64);
	memset(big, '0', 1024 * 1024 + 64);
	fputs("found\n", f);
	fwrite(big, 1, 1024 * 1024 + 64, f);
	fclose(f);
	free(big);
	ret = ct_statfile_read(tmpl, &cs, err, sizeof(err));
	is_int(ret, -EFBIG, "stat file over 1 MiB refused");
	unlink(tmpl);

	ret = ct_statfile_read("/proc/net/stat/nf_conntrack", &cs, err, sizeof(err));
	if (ret == -ENOENT) {
		ok(1, "# SKIP no /proc/net/stat/nf_conntrack here");
	} else {
		is_int(ret, 0, "this kernel's /proc/net/stat/nf_conntrack parses");
		if (ret)
			printf("#   %s\n", err);
		ok(cs.present != 0, "live stat file has counters");
	}
}

/* Offsets where whole netlink messages end in a recorded reply. */
static size_t message_ends(const unsigned char *buf, size_t len, size_t *ends, size_t max)
{
	size_t off = 0, n = 0;

	while (off + sizeof(struct nlmsghdr) <= len && n < max) {
		struct nlmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			break;
		off += MNL_ALIGN(h.nlmsg_len) < len - off ? MNL_ALIGN(h.nlmsg_len) : len - off;
		ends[n++] = off;
	}
	return n;
}

static bool is_end(const size_t *ends, size_t n, size_t off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ends[i] == off)
			return true;
	return false;
}

/* Every cut of a recorded dump: whole messages say "more to come", anything else fails. */
static void test_cuts(const unsigned char *buf, size_t len)
{
	size_t ends[64], n = message_ends(buf, len, ends, 64), cut;
	int bad = 0;

	ok(n > 0 && ends[n - 1] == len, "recorded dump is whole messages (%zu)", n);
	for (cut = 0; cut < len; cut++) {
		struct ct_counters cs = {0};
		char err[256] = "";
		unsigned char *part = malloc(cut ? cut : 1);
		int ret;

		memcpy(part, buf, cut);
		ret = ct_netlink_parse_stats_cpu(part, cut, &cs, err, sizeof(err));
		free(part);
		if (is_end(ends, n, cut) ? ret != 0 : (ret != -EINVAL || err[0] == '\0')) {
			printf("#   cut at %zu: %d (%s)\n", cut, ret, err);
			bad++;
		}
	}
	is_int(bad, 0, "every truncation of the dump is an error, whole messages ask for more");
}

static void test_netlink_recorded(void)
{
	size_t clen, tlen, ecl;
	unsigned char *cpu = slurp(data_path("netlink/kernel-cpu.bin"), &clen);
	unsigned char *text = slurp(data_path("netlink/kernel.stat"), &tlen);
	unsigned char *eperm_cpu = slurp(data_path("netlink/eperm-cpu.bin"), &ecl);
	struct ct_counters nl = {0}, st, one = {0};
	char err[256] = "";
	size_t ends[64], n, i, off;
	int ret, c;

	ok(cpu && text && eperm_cpu, "recorded captures are readable");
	if (!(cpu && text && eperm_cpu))
		goto out;

	ret = ct_netlink_parse_stats_cpu(cpu, clen, &nl, err, sizeof(err));
	is_int(ret, 1, "GET_STATS_CPU dump up to NLMSG_DONE: done");
	if (ret < 0)
		printf("#   %s\n", err);
	is_str(nl.source, "netlink", "source is netlink");
	ok(!nl.insert_failed_counts_clashes, "netlink does not claim old insert_failed semantics");

	ret = ct_statfile_parse((const char *)text, tlen, &st, err, sizeof(err));
	is_int(ret, 0, "stat file captured with the dump parses");
	is_int(nl.present, st.present, "netlink sends exactly the counters the stat file has");
	for (c = 0; c < CT_COUNTER_MAX; c++) {
		char name[96];

		snprintf(name, sizeof(name), "netlink %s == stat file", ct_counter_names[c]);
		is_int(nl.value[c], st.value[c], name);
	}
	ok(nl.value[CT_INVALID] > 0 && nl.value[CT_ERROR] > 0,
	   "recorded traffic moved counters (invalid %llu, error %llu)",
	   (unsigned long long)nl.value[CT_INVALID], (unsigned long long)nl.value[CT_ERROR]);

	/* Fed one message at a time, as datagrams may arrive: same sums. */
	n = message_ends(cpu, clen, ends, 64);
	for (i = 0, off = 0, ret = 0; i < n && ret == 0; off = ends[i++])
		ret = ct_netlink_parse_stats_cpu(cpu + off, ends[i] - off, &one, err, sizeof(err));
	ok(ret == 1 && i == n, "dump fed message by message ends at the last one");
	ok(memcmp(one.value, nl.value, sizeof(one.value)) == 0 && one.present == nl.present,
	   "message by message gives the same sums");

	/* libmnl reads headers in place: an odd address must not matter. */
	{
		unsigned char *odd = malloc(clen + 1);
		struct ct_counters cs = {0};

		memcpy(odd + 1, cpu, clen);
		ret = ct_netlink_parse_stats_cpu(odd + 1, clen, &cs, err, sizeof(err));
		ok(ret == 1 && memcmp(cs.value, nl.value, sizeof(cs.value)) == 0,
		   "unaligned buffer parses the same");
		free(odd);
	}

	test_cuts(cpu, clen);

	memset(&one, 0, sizeof(one));
	ret = ct_netlink_parse_stats_cpu(eperm_cpu, ecl, &one, err, sizeof(err));
	is_int(ret, -EPERM, "unprivileged GET_STATS_CPU: -EPERM");
	ok(strstr(err, "CAP_NET_ADMIN") != NULL, "EPERM reason: %s", err);
	ok(one.present == 0, "nothing reported on EPERM");

	/* Sums are 64-bit and guarded: a total at the limit cannot wrap. */
	memset(&one, 0, sizeof(one));
	one.value[CT_INVALID] = UINT64_MAX;
	ret = ct_netlink_parse_stats_cpu(cpu, clen, &one, err, sizeof(err));
	is_int(ret, -EOVERFLOW, "sum past UINT64_MAX: -EOVERFLOW");
out:
	free(cpu);
	free(text);
	free(eperm_cpu);
}

/* A hand-made reply: one message of the given type holding the given attribute bytes. */
struct msgbuf {
	uint32_t align; /* keeps data 4-aligned */
	unsigned char data[512];
	size_t len;
};

static void put_msg(struct msgbuf *m, uint16_t type, const void *attrs, size_t alen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->data + m->len);
	struct nfgenmsg *nfg = (struct nfgenmsg *)(nlh + 1);

	memset(nlh, 0, sizeof(*nlh) + sizeof(*nfg));
	nlh->nlmsg_len = (uint32_t)(sizeof(*nlh) + sizeof(*nfg) + alen);
	nlh->nlmsg_type = type;
	nfg->nfgen_family = AF_UNSPEC;
	if (alen)
		memcpy(nfg + 1, attrs, alen);
	m->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_done(struct msgbuf *m, uint16_t type, int error)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->data + m->len);
	size_t len = sizeof(*nlh) + (type == NLMSG_ERROR ? sizeof(struct nlmsgerr) : 4);

	memset(nlh, 0, len);
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = type;
	if (type == NLMSG_ERROR)
		((struct nlmsgerr *)(nlh + 1))->error = error;
	m->len += len;
}

/* Attribute bytes: {len, type, payload...} in host order as the kernel writes them. */
static size_t attr(unsigned char *p, uint16_t type, const void *payload, uint16_t plen)
{
	struct nlattr a = {.nla_len = (uint16_t)(sizeof(a) + plen), .nla_type = type};

	memcpy(p, &a, sizeof(a));
	memcpy(p + sizeof(a), payload, plen);
	return MNL_ALIGN(a.nla_len);
}

#define CPU_TYPE (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS_CPU)
#define STATS_TYPE (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS)

static void test_netlink_crafted(void)
{
	uint32_t be5 = htonl(5), be7 = htonl(7);
	uint64_t u64 = 1;
	unsigned char a[128];
	struct msgbuf m;
	struct ct_counters cs;
	char err[256];
	size_t alen;
	int ret;

	/* A good CPU message plus an unknown (newer) attribute of another size: skipped. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a, CTA_STATS_FOUND, &be5, 4);
	alen += attr(a + alen, CTA_STATS_MAX + 7, &u64, 8);
	alen += attr(a + alen, CTA_STATS_DROP, &be7, 4);
	put_msg(&m, CPU_TYPE, a, alen);
	put_msg(&m, CPU_TYPE, a, alen);
	put_done(&m, NLMSG_DONE, 0);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, 1, "crafted dump with an unknown attribute parses");
	ok(cs.value[CT_FOUND] == 10 && cs.value[CT_DROP] == 14, "two CPUs summed, big-endian");
	is_int(cs.present, BIT(CT_FOUND) | BIT(CT_DROP), "present: only what was sent");

	/* A known attribute with a wrong length. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a, CTA_STATS_FOUND, &u64, 2);
	put_msg(&m, CPU_TYPE, a, alen);
	put_done(&m, NLMSG_DONE, 0);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "u32 attribute of 2 bytes: -EINVAL");
	ok(strstr(err, "attribute") != NULL, "reason: %s", err);

	/* A nested attribute (flag set) whose type is a counter: its length is not a u32. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a + 4, CTA_STATS_FOUND, &be5, 4);
	alen = attr(a, NLA_F_NESTED | CTA_STATS_FOUND, a + 4, (uint16_t)alen);
	put_msg(&m, CPU_TYPE, a, alen);
	put_done(&m, NLMSG_DONE, 0);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "nested attribute with a wrong length: -EINVAL");

	/* An attribute that claims more bytes than the message has. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a, CTA_STATS_FOUND, &be5, 4);
	a[0] = 40;
	put_msg(&m, CPU_TYPE, a, alen);
	put_done(&m, NLMSG_DONE, 0);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "attribute longer than its message: -EINVAL");
	ok(strstr(err, "attribute") != NULL, "reason: %s", err);

	/* An attribute header shorter than itself (nla_len 2). */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a, CTA_STATS_FOUND, &be5, 4);
	a[0] = 2;
	put_msg(&m, CPU_TYPE, a, alen);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "attribute with nla_len 2: -EINVAL");

	/* A message too short to hold its nfgenmsg. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	put_msg(&m, CPU_TYPE, NULL, 0);
	((struct nlmsghdr *)m.data)->nlmsg_len = sizeof(struct nlmsghdr) + 2;
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "message without room for nfgenmsg: -EINVAL");

	/* A reply to another request (the global GET_STATS) on this parser. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	alen = attr(a, CTA_STATS_GLOBAL_ENTRIES, &be5, 4);
	put_msg(&m, STATS_TYPE, a, alen);
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	is_int(ret, -EINVAL, "GET_STATS reply given to the CPU parser: -EINVAL");
	ok(strstr(err, "message type") != NULL, "reason: %s", err);

	/* Done or ack with no data before it. */
	memset(&m, 0, sizeof(m));
	memset(&cs, 0, sizeof(cs));
	put_done(&m, NLMSG_DONE, 0);
	is_int(ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err)), -EINVAL,
	       "empty dump: -EINVAL");
	memset(&m, 0, sizeof(m));
	put_done(&m, NLMSG_ERROR, 0);
	is_int(ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err)), -EINVAL,
	       "bare ack: -EINVAL");

	/* NLMSG_ERROR codes come back as -errno; a short error message is malformed. */
	memset(&m, 0, sizeof(m));
	put_done(&m, NLMSG_ERROR, -EOPNOTSUPP);
	is_int(ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err)), -EOPNOTSUPP,
	       "kernel without GET_STATS_CPU: -EOPNOTSUPP");
	memset(&m, 0, sizeof(m));
	put_done(&m, NLMSG_ERROR, -EPERM);
	((struct nlmsghdr *)m.data)->nlmsg_len = sizeof(struct nlmsghdr) + 2;
	ret = ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err));
	ok(ret < 0, "truncated NLMSG_ERROR is an error (%d)", ret);

	/* Empty buffer, and header-sized garbage. */
	memset(&cs, 0, sizeof(cs));
	err[0] = '\0';
	is_int(ct_netlink_parse_stats_cpu(m.data, 0, &cs, err, sizeof(err)), -EINVAL,
	       "empty buffer: -EINVAL");
	ok(err[0] != '\0', "empty buffer has a reason: %s", err);
	memset(&m, 0, sizeof(m));
	m.len = sizeof(struct nlmsghdr);
	is_int(ct_netlink_parse_stats_cpu(m.data, m.len, &cs, err, sizeof(err)), -EINVAL,
	       "nlmsg_len 0: -EINVAL");
}

/* Pseudo-random bytes and mutations of a good reply: any result, but never a crash or a leak. */
static void test_netlink_garbage(void)
{
	size_t clen;
	unsigned char *cpu = slurp(data_path("netlink/kernel-cpu.bin"), &clen);
	uint32_t x = 12345;
	unsigned char buf[512];
	int i, odd = 0;

	for (i = 0; i < 20000; i++) {
		struct ct_counters cs = {0};
		char err[64];
		size_t len, j;
		int ret;

		if (cpu && i % 2 && clen <= sizeof(buf)) {
			len = clen;
			memcpy(buf, cpu, clen);
			for (j = 0; j < 1 + (size_t)(i % 4); j++) {
				x = x * 1103515245u + 12345u;
				buf[(x >> 8) % len] = (unsigned char)(x >> 20);
			}
		} else {
			x = x * 1103515245u + 12345u;
			len = (x >> 8) % sizeof(buf);
			for (j = 0; j < len; j++) {
				x = x * 1103515245u + 12345u;
				buf[j] = (unsigned char)(x >> 16);
			}
		}
		ret = ct_netlink_parse_stats_cpu(buf, len, &cs, err, sizeof(err));
		if (ret > 1)
			odd++;
	}
	is_int(odd, 0, "20000 mutated replies: results are 0, 1 or -errno");
	free(cpu);
}

/* The real thing on this host, then the same without privileges (a child drops to nobody). */
/* IPCTNL_MSG_CT_GET_STATS, as --netns=all asks it past the first namespace. */
static void test_netlink_count(void)
{
	/* A reply with one of the two attributes: which it holds, the check, the reason's words. */
	static const struct {
		uint16_t sent;
		const char *name, *reason;
	} lone[] = {
		{CTA_STATS_GLOBAL_ENTRIES, "no limit attribute: -ENODATA", "no limit"},
		{CTA_STATS_GLOBAL_MAX_ENTRIES, "no count attribute: -ENODATA", "no entry count"},
	};
	uint32_t be_n = htonl(4242), be_max = htonl(262144), be5 = htonl(5);
	uint64_t u64 = 1, entries = 0, max = 0;
	unsigned char a[128];
	struct msgbuf m;
	char err[256];
	size_t alen, cut;
	int ret, bad;

	memset(&m, 0, sizeof(m));
	alen = attr(a, CTA_STATS_GLOBAL_ENTRIES, &be_n, 4);
	alen += attr(a + alen, CTA_STATS_GLOBAL_MAX + 3, &u64, 8); /* a newer kernel's: skipped */
	alen += attr(a + alen, CTA_STATS_GLOBAL_MAX_ENTRIES, &be_max, 4);
	put_msg(&m, STATS_TYPE, a, alen);
	ret = ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err));
	is_int(ret, 0, "GET_STATS reply parses");
	ok(entries == 4242 && max == 262144, "entries and limit, big-endian (%llu, %llu)",
	   (unsigned long long)entries, (unsigned long long)max);

	/* Every truncation is an error, never a count. */
	for (cut = 1, bad = 0; cut < m.len; cut++) {
		entries = max = 7;
		ret = ct_netlink_parse_count(m.data, cut, &entries, &max, err, sizeof(err));
		if (ret >= 0 || err[0] == '\0' || entries != 7 || max != 7)
			bad++;
	}
	is_int(bad, 0, "every truncation of the reply is an error and leaves the values alone");

	/* A kernel without the limit attribute (or the count): said, not guessed. */
	for (size_t i = 0; i < sizeof(lone) / sizeof(lone[0]); i++) {
		memset(&m, 0, sizeof(m));
		alen = attr(a, lone[i].sent, &be_n, 4);
		put_msg(&m, STATS_TYPE, a, alen);
		ret = ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err));
		is_int(ret, -ENODATA, lone[i].name);
		ok(strstr(err, lone[i].reason) != NULL, "reason: %s", err);
	}

	/* A count of the wrong size, a message of another type, an error, nothing at all. */
	memset(&m, 0, sizeof(m));
	alen = attr(a, CTA_STATS_GLOBAL_ENTRIES, &u64, 8);
	alen += attr(a + alen, CTA_STATS_GLOBAL_MAX_ENTRIES, &be_max, 4);
	put_msg(&m, STATS_TYPE, a, alen);
	is_int(ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err)), -EINVAL,
	       "a 64-bit count: -EINVAL");
	memset(&m, 0, sizeof(m));
	alen = attr(a, CTA_STATS_FOUND, &be5, 4);
	put_msg(&m, CPU_TYPE, a, alen);
	is_int(ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err)), -EINVAL,
	       "a per-CPU message in its place: -EINVAL");
	memset(&m, 0, sizeof(m));
	put_done(&m, NLMSG_ERROR, -EPERM);
	ret = ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err));
	is_int(ret, -EPERM, "the kernel's EPERM: -EPERM");
	ok(strstr(err, "CAP_NET_ADMIN") != NULL, "reason: %s", err);
	memset(&m, 0, sizeof(m));
	put_done(&m, NLMSG_DONE, 0);
	ret = ct_netlink_parse_count(m.data, m.len, &entries, &max, err, sizeof(err));
	is_int(ret, -EINVAL, "NLMSG_DONE alone: -EINVAL");
	ok(strstr(err, "no statistics") != NULL, "reason: %s", err);
}

/* Each sysctl file as one number, or 0 (the live tests compare with it). */
static uint64_t sysctl_u64(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void test_netlink_live(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct ct_counters cs;
	char err[256] = "";
	int ret, status;
	pid_t pid;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ok(1, "# SKIP no NETLINK_NETFILTER socket here");
		if (nl)
			mnl_socket_close(nl);
		return;
	}
	ret = ct_netlink_read(nl, &cs, err, sizeof(err));
	mnl_socket_close(nl);
	if (geteuid() != 0 || ret == -EPERM) {
		/* Not root, or root without CAP_NET_ADMIN (a restricted container). */
		is_int(ret, -EPERM, "ct_netlink_read without CAP_NET_ADMIN: -EPERM");
		return;
	}
	is_int(ret, 0, "ct_netlink_read on this host");
	if (ret)
		printf("#   %s\n", err);
	ok(cs.present & BIT(CT_DROP), "live: drop reported");
	is_str(cs.source, "netlink", "live: source");
	{
		/* The kernel's own files judge the count request (the count is read on both
		 * sides of the request: no traffic here, but the host is not ours alone). */
		struct mnl_socket *s = mnl_socket_open(NETLINK_NETFILTER);
		uint64_t before = sysctl_u64("/proc/sys/net/netfilter/nf_conntrack_count");
		uint64_t entries = 0, max = 0, after;

		ret = s && mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) == 0
			      ? ct_netlink_read_count(s, &entries, &max, err, sizeof(err))
			      : -EBADF;
		after = sysctl_u64("/proc/sys/net/netfilter/nf_conntrack_count");
		if (s)
			mnl_socket_close(s);
		is_int(ret, 0, "ct_netlink_read_count on this host");
		if (ret)
			printf("#   %s\n", err);
		ok(max == sysctl_u64("/proc/sys/net/netfilter/nf_conntrack_max"),
		   "live: limit %llu as nf_conntrack_max says", (unsigned long long)max);
		ok((entries >= before && entries <= after) ||
			   (entries <= before && entries >= after),
		   "live: count %llu between the file's %llu and %llu", (unsigned long long)entries,
		   (unsigned long long)before, (unsigned long long)after);
	}

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct mnl_socket *s;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		s = mnl_socket_open(NETLINK_NETFILTER);
		if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
			_exit(3);
		ret = ct_netlink_read(s, &cs, err, sizeof(err));
		if (ret == -EPERM && strstr(err, "CAP_NET_ADMIN") && cs.present == 0) {
			uint64_t e = 7, m = 7;

			/* The count request too: refused, nothing filled in. */
			ret = ct_netlink_read_count(s, &e, &m, err, sizeof(err));
			ret = ret == -EPERM && strstr(err, "CAP_NET_ADMIN") && e == 7 && m == 7 ? 0
												: 1;
		} else {
			ret = 1;
		}
		mnl_socket_close(s);
		_exit(ret);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0,
	   "ct_netlink_read and ct_netlink_read_count as nobody: -EPERM, needs CAP_NET_ADMIN");
}

int main(void)
{
	test_names();
	test_layouts();
	test_statfile_edges();
	test_statfile_malformed();
	test_statfile_garbage();
	test_statfile_read();
	test_netlink_recorded();
	test_netlink_crafted();
	test_netlink_garbage();
	test_netlink_count();
	test_netlink_live();
	return tap_done();
}
