/* Hash health: entries per bucket at the limit against the kernel's own layouts, chaintoolong. */
#include "hash.h"

#include <inttypes.h>
#include <stdio.h>

#include "units.h"

/* Buckets come in whole pages of heads: 512 of them on 4 KiB pages (the kernel rounds up). */
#define BUCKETS_STEP 512

static uint64_t round_up(uint64_t v)
{
	if (v > CT_HASH_BUCKETS_LIMIT)
		return CT_HASH_BUCKETS_LIMIT;
	v = (v + BUCKETS_STEP - 1) / BUCKETS_STEP * BUCKETS_STEP;
	return v > CT_HASH_BUCKETS_LIMIT ? CT_HASH_BUCKETS_LIMIT : v;
}

/*
 * As many buckets as the table can hold entries (the kernel's default since 5.15), or as it
 * holds now where that is more (no limit, or namespaces sharing the hash); twice today's when
 * chains overflowed anyway. Never fewer buckets than today.
 */
static uint64_t suggest(const struct ct_hash *h)
{
	uint64_t want = h->in.max > h->in.entries ? h->in.max : h->in.entries;

	if (h->level == CT_HASH_DROPPING && want <= h->in.buckets)
		want = h->in.buckets > CT_HASH_BUCKETS_LIMIT / 2 ? CT_HASH_BUCKETS_LIMIT
								 : h->in.buckets * 2;
	want = round_up(want);
	return want > h->in.buckets ? want : 0;
}

uint64_t ct_hash_buckets_for(uint64_t max, uint64_t buckets, uint64_t want)
{
	/* Today's ratio rounded up: a limit of 10 entries over 4 buckets is 3 per bucket. */
	uint64_t ratio = buckets ? max / buckets + (max % buckets != 0) : 0;
	uint64_t b = want;

	if (ratio >= 1 && ratio <= CT_HASH_PER_BUCKET_MAX)
		b = want / ratio + (want % ratio != 0);
	b = round_up(b ? b : 1);
	return b > buckets ? b : buckets;
}

struct ct_hash ct_hash_assess(const struct ct_hash_input *in)
{
	struct ct_hash h = {.level = CT_HASH_UNKNOWN, .in = *in};

	if (!in->buckets)
		return h;
	h.per_bucket = in->max ? (double)in->max / (double)in->buckets : 0;
	h.now_per_bucket = (double)in->entries / (double)in->buckets;
	if (in->have_chaintoolong && in->have_delta && in->chaintoolong_delta)
		h.level = CT_HASH_DROPPING;
	else if ((in->max ? h.per_bucket : h.now_per_bucket) > CT_HASH_PER_BUCKET_MAX)
		h.level = CT_HASH_CROWDED;
	else
		h.level = CT_HASH_OK;
	if (h.level != CT_HASH_OK)
		h.suggested = suggest(&h);
	return h;
}

/* A ratio as people say it: "16", "1.5", "0.3"; whole numbers without decimals. */
static int ratio(char *buf, size_t len, int n, double r)
{
	if (r >= 10 || r == (double)(uint64_t)r)
		return ct_append(buf, len, n, "%.0f", r);
	return ct_append(buf, len, n, "%.1f", r);
}

static int chains(const struct ct_hash *h, char *buf, size_t len, int n)
{
	const struct ct_hash_input *in = &h->in;

	if (!in->have_chaintoolong)
		return ct_append(buf, len, n,
				 ", this kernel does not count chains too long (5.15 on)");
	if (!in->have_delta)
		return ct_append(buf, len, n, ", chaintoolong is compared from the next check on");
	if (!in->chaintoolong_delta)
		return ct_append(buf, len, n, ", no chain too long since the last check");
	return ct_append(buf, len, n,
			 ", %" PRIu64 " new flows dropped since the last check because a hash "
			 "chain was too long (chaintoolong)",
			 in->chaintoolong_delta);
}

int ct_hash_line(const struct ct_hash *h, char *buf, size_t len)
{
	const struct ct_hash_input *in = &h->in;
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (h->level == CT_HASH_UNKNOWN)
		return ct_append(buf, len, n,
				 "hash: cannot tell, the bucket count could not be read");
	if (!in->max) {
		n = ct_append(buf, len, n,
			      "hash: no limit: %" PRIu64 " entries now in %" PRIu64 " buckets (",
			      in->entries, in->buckets);
		n = ratio(buf, len, n, h->now_per_bucket);
		n = ct_append(buf, len, n, " per bucket)");
	} else {
		n = ct_append(buf, len, n, "hash: ");
		n = ratio(buf, len, n, h->per_bucket);
		n = ct_append(buf, len, n,
			      " %s per bucket at the limit (%" PRIu64 " / %" PRIu64
			      " buckets): chains of about ",
			      h->per_bucket == 1 ? "entry" : "entries", in->max, in->buckets);
		n = ratio(buf, len, n, 2 * h->per_bucket);
		n = ct_append(buf, len, n, " when the table is full");
		if (h->per_bucket > CT_HASH_PER_BUCKET_MAX)
			n = ct_append(
				buf, len, n,
				", more than the %d per bucket any kernel sets up by itself, long "
				"chains cost every packet",
				CT_HASH_PER_BUCKET_MAX);
	}
	if (in->entries_all)
		n = ct_append(buf, len, n,
			      ", the hash holds %" PRIu64 " entries of all namespaces now",
			      in->entries);
	return chains(h, buf, len, n);
}

int ct_hash_summary(const struct ct_hash *h, char *buf, size_t len)
{
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (h->level == CT_HASH_DROPPING)
		return snprintf(buf, len, "%" PRIu64 " flows dropped (hash chain too long)",
				h->in.chaintoolong_delta);
	if (h->level != CT_HASH_CROWDED)
		return 0;
	n = ratio(buf, len, n, h->in.max ? h->per_bucket : h->now_per_bucket);
	return ct_append(buf, len, n, " entries per hash bucket%s",
			 h->in.max ? " at the limit" : "");
}

int ct_hash_advice(const struct ct_hash *h, char *buf, size_t len)
{
	uint64_t b = h->suggested;
	char size[32];

	if (len)
		buf[0] = '\0';
	if (!b)
		return 0;
	/* A bucket is one pointer: 8 bytes on 64-bit kernels. */
	ct_fmt_bytes(b * 8, size, sizeof(size));
	return snprintf(
		buf, len,
		"give the hash %" PRIu64 " buckets (now %" PRIu64
		", %s of kernel memory): sysctl -w net.netfilter.nf_conntrack_buckets=%" PRIu64
		" or echo %" PRIu64
		" > /sys/module/nf_conntrack/parameters/hashsize, as root in the initial "
		"namespace (the only one where they are writable), persist it as 'options "
		"nf_conntrack hashsize=%" PRIu64
		"' in /etc/modprobe.d/ (loading with it sets the limit to 8 x the buckets "
		"until sysctl sets it)",
		b, h->in.buckets, size, b, b, b);
}
