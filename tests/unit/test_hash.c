/* Unit tests for hash.c: entries per bucket, chaintoolong, and a fixture /proc with 16 x. */
#include "tap.h"
#include "counters.h"
#include "hash.h"
#include "procfs.h"
#include "snapshot.h"
#include "units.h"

#include <stdlib.h>
#include <string.h>

static const char *fixtures(void)
{
	const char *d = getenv("CT_FIXTURES");

	return d ? d : "tests/fixtures/trees";
}

static void test_levels(void)
{
	struct ct_hash_input in = {.max = 262144, .buckets = 262144, .entries = 1000};
	struct ct_hash h;

	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_OK, "1 per bucket (the default since 5.15): OK");
	is_int(h.suggested, 0, "1 per bucket: nothing to advise");
	in.buckets = 65536;
	is_int(ct_hash_assess(&in).level, CT_HASH_OK, "4 per bucket (the default before 5.15): OK");
	in.max = 8 * 65536;
	is_int(ct_hash_assess(&in).level, CT_HASH_OK,
	       "8 per bucket (the kernel's factor with a hashsize given): OK");
	in.max = 8 * 65536 + 1;
	is_int(ct_hash_assess(&in).level, CT_HASH_CROWDED, "just above 8 per bucket: crowded");
	in.max = 16 * 65536;
	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_CROWDED, "16 per bucket: crowded");
	is_int(h.suggested, 1048576, "16 per bucket: as many buckets as the limit advised");
	in.buckets = 0;
	is_int(ct_hash_assess(&in).level, CT_HASH_UNKNOWN, "buckets unknown: cannot tell");

	/* No limit: judged on the entries there are now. */
	in = (struct ct_hash_input){.max = 0, .buckets = 1024, .entries = 9000};
	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_CROWDED, "no limit, 8.8 per bucket now: crowded");
	is_int(h.suggested, 9216, "no limit: buckets for what is there, in pages of 512");

	/* chaintoolong: proof of harm, whatever the ratio. */
	in = (struct ct_hash_input){.max = 65536,
				    .buckets = 65536,
				    .entries = 60000,
				    .have_chaintoolong = true,
				    .have_delta = true,
				    .chaintoolong_delta = 3,
				    .seconds = 60};
	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_DROPPING, "chaintoolong rose: dropping");
	is_int(h.suggested, 131072, "dropping at 1 per bucket: twice the buckets");
	in.chaintoolong_delta = 0;
	is_int(ct_hash_assess(&in).level, CT_HASH_OK, "chaintoolong unchanged: OK");
	in.have_delta = false;
	in.chaintoolong_delta = 99;
	is_int(ct_hash_assess(&in).level, CT_HASH_OK, "first run (no delta): not judged on it");

	/* The kernel's cap on buckets is never passed. */
	in = (struct ct_hash_input){.max = 2147483647, .buckets = 1024};
	is_int(ct_hash_assess(&in).suggested, CT_HASH_BUCKETS_LIMIT,
	       "advice capped at the kernel's");
}

static void test_phrases(void)
{
	struct ct_hash_input in = {.max = 1048576,
				   .buckets = 65536,
				   .entries = 983040,
				   .have_chaintoolong = true,
				   .have_delta = true,
				   .chaintoolong_delta = 0};
	struct ct_hash h = ct_hash_assess(&in);
	char buf[1024];

	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf,
	       "hash: 16 entries per bucket at the limit (1048576 / 65536 buckets): chains of "
	       "about "
	       "32 when the table is full, more than the 8 per bucket any kernel sets up by "
	       "itself, "
	       "long chains cost every packet, no chain too long since the last check",
	       "line: 16 per bucket");
	ct_hash_summary(&h, buf, sizeof(buf));
	is_str(buf, "16 entries per hash bucket at the limit", "summary: 16 per bucket");
	ct_hash_advice(&h, buf, sizeof(buf));
	is_str(buf,
	       "give the hash 1048576 buckets (now 65536, 8.0 MiB of kernel memory): sysctl -w "
	       "net.netfilter.nf_conntrack_buckets=1048576 or echo 1048576 > "
	       "/sys/module/nf_conntrack/parameters/hashsize, as root in the initial namespace "
	       "(the "
	       "only one where they are writable), persist it as 'options nf_conntrack "
	       "hashsize=1048576' in /etc/modprobe.d/ (loading with it sets the limit to 8 x the "
	       "buckets until sysctl sets it)",
	       "advice: buckets, how, where it is writable, how to persist");

	in = (struct ct_hash_input){.max = 262144, .buckets = 262144};
	h = ct_hash_assess(&in);
	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf,
	       "hash: 1 entry per bucket at the limit (262144 / 262144 buckets): chains of about 2 "
	       "when the table is full, this kernel does not count chains too long (5.15 on)",
	       "line: the default layout, an old kernel");
	ct_hash_summary(&h, buf, sizeof(buf));
	is_str(buf, "", "summary: nothing when healthy");
	is_int(ct_hash_advice(&h, buf, sizeof(buf)), 0, "advice: nothing when healthy");

	in = (struct ct_hash_input){.max = 10000,
				    .buckets = 6000,
				    .entries = 25000,
				    .entries_all = true,
				    .have_chaintoolong = true,
				    .have_delta = true,
				    .chaintoolong_delta = 12};
	h = ct_hash_assess(&in);
	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf,
	       "hash: 1.7 entries per bucket at the limit (10000 / 6000 buckets): chains of about "
	       "3.3 when the table is full, the hash holds 25000 entries of all namespaces now, 12 "
	       "new flows dropped since the last check because a hash chain was too long "
	       "(chaintoolong)",
	       "line: dropping, several namespaces sharing the hash");
	ct_hash_summary(&h, buf, sizeof(buf));
	is_str(buf, "12 flows dropped (hash chain too long)", "summary: dropping");
	is_int(h.suggested, 25088, "advice: buckets for every namespace's entries");

	in = (struct ct_hash_input){.max = 0, .buckets = 1024, .entries = 512};
	h = ct_hash_assess(&in);
	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf,
	       "hash: no limit: 512 entries now in 1024 buckets (0.5 per bucket), this kernel does "
	       "not count chains too long (5.15 on)",
	       "line: no limit");
	in.buckets = 0;
	h = ct_hash_assess(&in);
	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf, "hash: cannot tell, the bucket count could not be read", "line: unknown");
}

static void test_units(void)
{
	char b[32];

	ct_fmt_bytes(512, b, sizeof(b));
	is_str(b, "512 bytes", "bytes");
	ct_fmt_bytes(1536, b, sizeof(b));
	is_str(b, "1.5 KiB", "KiB");
	ct_fmt_bytes(65011712, b, sizeof(b));
	is_str(b, "62.0 MiB", "MiB");
	ct_fmt_bytes(262144ull * 320 * 100, b, sizeof(b));
	is_str(b, "7.8 GiB", "GiB");
	ct_fmt_bytes(300ull << 30, b, sizeof(b));
	is_str(b, "300 GiB", "no decimals from 100");
	ct_fmt_bytes(UINT64_MAX, b, sizeof(b));
	is_str(b, "16384 PiB", "the largest");
	ct_fmt_duration(45, b, sizeof(b));
	is_str(b, "45 s", "seconds");
	ct_fmt_duration(14 * 60 + 10, b, sizeof(b));
	is_str(b, "14 min", "minutes");
	ct_fmt_duration(5 * 3600, b, sizeof(b));
	is_str(b, "5.0 h", "hours, tenths below 10");
	ct_fmt_duration(9000, b, sizeof(b));
	is_str(b, "2.5 h", "150 min");
	ct_fmt_duration(20 * 3600 + 100, b, sizeof(b));
	is_str(b, "20 h", "hours");
	ct_fmt_duration(3 * 86400, b, sizeof(b));
	is_str(b, "3 days", "days");
	/* Rates: one format, never an exponent (the 2.39e+03/s beside 934/s). */
	ct_fmt_rate(14324.0 / 6, b, sizeof(b));
	is_str(b, "2387", "rate: whole from 100, no exponent");
	ct_fmt_rate(934.2, b, sizeof(b));
	is_str(b, "934", "rate: 934");
	ct_fmt_rate(28.0 / 61, b, sizeof(b));
	is_str(b, "0.459", "rate: three digits below 1");
	ct_fmt_rate(12.54, b, sizeof(b));
	is_str(b, "12.5", "rate: tenths below 100");
	ct_fmt_rate(99.96, b, sizeof(b));
	is_str(b, "100", "rate: rounding up to 100 is whole");
	ct_fmt_rate(1.0 / 86400, b, sizeof(b));
	is_str(b, "<0.001", "rate: one a day");
	ct_fmt_rate(1e12, b, sizeof(b));
	is_str(b, "1000000000000", "rate: huge, still no exponent");
}

/* The example: a fixture /proc with a limit 16 x the buckets, read as the plugin does. */
static void test_fixture(void)
{
	struct ct_snapshot snap = {0};
	struct ct_ns ns = {0}, later = {0};
	struct ct_counters c0, c1;
	struct ct_hash_input in;
	struct ct_hash h;
	char proc[1024], path[1100], err[256], buf[1024];

	snprintf(proc, sizeof(proc), "%s/hash-16x/proc", fixtures());
	is_int(ct_procfs_read(proc, &snap.trace, &ns), 0, "16x: /proc read");
	snprintf(path, sizeof(path), "%s/net/stat/nf_conntrack", proc);
	is_int(ct_statfile_read(path, &c0, err, sizeof(err)), 0, "16x: stat file read");
	snprintf(proc, sizeof(proc), "%s/hash-16x-later/proc", fixtures());
	is_int(ct_procfs_read(proc, &snap.trace, &later), 0, "16x later: /proc read");
	snprintf(path, sizeof(path), "%s/net/stat/nf_conntrack", proc);
	is_int(ct_statfile_read(path, &c1, err, sizeof(err)), 0, "16x later: stat file read");
	ok(c0.present & (1u << CT_CHAINTOOLONG), "16x: the 5.15 layout has chaintoolong");
	in = (struct ct_hash_input){
		.max = ns.proc.max,
		.buckets = ns.proc.have_buckets ? ns.proc.buckets : 0,
		.entries = ns.proc.entries,
		.have_chaintoolong = (c1.present & (1u << CT_CHAINTOOLONG)) != 0,
		.have_delta = true,
		.chaintoolong_delta = c1.value[CT_CHAINTOOLONG] - c0.value[CT_CHAINTOOLONG],
		.seconds = 60,
	};
	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_DROPPING, "16x, chaintoolong rose: dropping");
	ct_hash_line(&h, buf, sizeof(buf));
	is_str(buf,
	       "hash: 16 entries per bucket at the limit (1048576 / 65536 buckets): chains of "
	       "about "
	       "32 when the table is full, more than the 8 per bucket any kernel sets up by "
	       "itself, "
	       "long chains cost every packet, 16 new flows dropped since the last check because a "
	       "hash chain was too long (chaintoolong)",
	       "16x: the line");
	in.have_delta = false;
	h = ct_hash_assess(&in);
	is_int(h.level, CT_HASH_CROWDED, "16x, first run: crowded");
	ct_hash_summary(&h, buf, sizeof(buf));
	is_str(buf, "16 entries per hash bucket at the limit", "16x: the summary fragment");
	ct_trace_free(&snap.trace);
}

int main(void)
{
	test_levels();
	test_phrases();
	test_units();
	test_fixture();
	return tap_done();
}
