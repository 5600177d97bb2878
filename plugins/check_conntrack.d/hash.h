/* Hash health: how long the table's hash chains get, and whether the kernel dropped for it. */
#ifndef CT_HASH_H
#define CT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Entries per bucket above which the table is crowded: more than any kernel sets up by itself.
 * nf_conntrack_init_start() makes the limit 1 x the buckets by default since 5.15 (4 x before),
 * and 8 x when a hashsize is given. Every entry sits in two chains (original and reply), so at
 * this ratio a full table averages chains of 16; the kernel refuses to add to a chain longer than
 * a random 50 to 80 (8 to 32 in 5.15 to 6.2), dropping the packet and counting chaintoolong.
 */
#define CT_HASH_PER_BUCKET_MAX 8

/*
 * The largest hashsize every kernel takes: nf_ct_alloc_hashtable() refuses more than
 * INT_MAX / sizeof(struct hlist_nulls_head) buckets (8 bytes on 64-bit; UINT_MAX / 8 before 6.12)
 * after rounding up to a page of buckets, so this is that bound rounded down to 64 KiB pages.
 */
#define CT_HASH_BUCKETS_LIMIT ((uint64_t)2147483647 / 8 / 8192 * 8192)

struct ct_hash_input {
	uint64_t max; /* nf_conntrack_max, 0: no limit */
	uint64_t buckets; /* nf_conntrack_buckets, 0: unknown */
	uint64_t entries; /* entries in the hash now: every namespace's when entries_all */
	bool entries_all; /* the hash is one for all namespaces: entries is their sum */
	bool have_chaintoolong; /* this kernel counts chains too long (5.15 on) */
	bool have_delta; /* chaintoolong_delta holds the change since the last check */
	uint64_t chaintoolong_delta;
	double seconds; /* since the last check */
};

enum ct_hash_level {
	CT_HASH_UNKNOWN, /* the bucket count could not be read */
	CT_HASH_OK,
	CT_HASH_CROWDED, /* more than CT_HASH_PER_BUCKET_MAX entries per bucket at the limit */
	CT_HASH_DROPPING, /* chaintoolong rose since the last check: packets were dropped */
};

struct ct_hash {
	enum ct_hash_level level;
	struct ct_hash_input in;
	double per_bucket; /* max / buckets; 0 without a limit */
	double now_per_bucket; /* entries / buckets */
	uint64_t suggested; /* buckets to advise, more than today; 0: none */
};

/*
 * Buckets to advise with a limit of want entries, the limit being max over buckets today:
 * today's entries per bucket kept while they are no more than CT_HASH_PER_BUCKET_MAX, else as
 * many buckets as the limit (the kernel's default since 5.15). In whole pages of heads, within
 * what the kernel takes, never fewer than today (0 buckets: unknown, as many as the limit).
 */
uint64_t ct_hash_buckets_for(uint64_t max, uint64_t buckets, uint64_t want);

/* Judge the hash from what was read. Pure. */
struct ct_hash ct_hash_assess(const struct ct_hash_input *in);

/* Phrases, snprintf's return. The long-output line "hash: ...", always one. */
int ct_hash_line(const struct ct_hash *h, char *buf, size_t len);
/* A summary fragment, empty unless crowded or dropping ("16 entries per hash bucket"). */
int ct_hash_summary(const struct ct_hash *h, char *buf, size_t len);
/* What to do, empty when nothing is needed: the bucket count, how to set it, its cost. */
int ct_hash_advice(const struct ct_hash *h, char *buf, size_t len);

#endif
