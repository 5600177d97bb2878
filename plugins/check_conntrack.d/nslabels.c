/*
 * Perfdata labels: the plain ones (the namespace the summary names) and the unique prefix of each
 * namespace's own labels under --netns=all.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nslabels.h"

/* What each namespace adds in --netns=all: single words, so a label splits at its last '_'. */
static const char *const ns_metrics[] = {"entries", "utilization", "drop"};
static const char *const plain_labels[] = {"entries",	  "utilization",    "buckets",
					   "state_rules", "tracking_rules", "notrack_rules"};
/* Plain labels after the counters: the forecast's, the expectation table's, the host's sum. */
static const char *const late_labels[] = {"time_to_full", "expect", "entries_total"};

/*
 * A label's perfdata-safe form: letters, digits, '-' and '.' kept, every other run of bytes one
 * '_', ending in '_'. It never starts with '_' and never holds "__".
 */
static void label_base(const char *label, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = label; *p && o + 2 < len; p++) {
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
			buf[o++] = *p;
		else if (o && buf[o - 1] != '_')
			buf[o++] = '_';
	}
	if (o && buf[o - 1] != '_')
		buf[o++] = '_';
	buf[o] = '\0';
}

int ct_label_rank(const char *label)
{
	const int nplain = (int)(sizeof(plain_labels) / sizeof(plain_labels[0]));

	for (int i = 0; i < nplain; i++)
		if (strcmp(label, plain_labels[i]) == 0)
			return i;
	for (int i = 0; i < CT_COUNTER_MAX; i++)
		if (strcmp(label, ct_counter_names[i]) == 0)
			return nplain + i;
	for (size_t i = 0; i < sizeof(late_labels) / sizeof(late_labels[0]); i++)
		if (strcmp(label, late_labels[i]) == 0)
			return nplain + CT_COUNTER_MAX + (int)i;
	return -1;
}

/*
 * A prefix that would make a plain label or a total's: a namespace "early" would emit
 * early_drop, one named "sum" sum_entries.
 */
static bool reserved(const char *pre)
{
	char l[CT_PREFIX + 16];

	if (!pre[0])
		return true;
	for (size_t m = 0; m < sizeof(ns_metrics) / sizeof(ns_metrics[0]); m++) {
		snprintf(l, sizeof(l), "%s%s", pre, ns_metrics[m]);
		if (ct_label_rank(l) >= 0 || strcmp(l, "sum_entries") == 0)
			return true;
	}
	return false;
}

/* Namespaces by prefix, and in their order where the prefixes are the same. */
static int by_prefix(const void *a, const void *b, void *arg)
{
	const char(*pre)[CT_PREFIX] = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(pre[i], pre[j]);

	return c ? c : (i > j) - (i < j);
}

/*
 * Unique perfdata prefixes for --netns=all. A name that is label-safe as it is keeps its form
 * ("web": web_entries), as does a changed one that clashes with nothing ("pid 7 (nginx)":
 * pid_7_nginx_entries). Any other gets its namespace's inode behind "__", which no safe form holds:
 * "a:b" beside "a_b" gives a_b__4026532345_entries. Inodes differ, so prefixes do.
 */
char (*ct_ns_prefixes(const struct ct_snapshot *snap))[CT_PREFIX]
{
	size_t n = snap->n ? snap->n : 1;
	char(*pre)[CT_PREFIX] = calloc(n, CT_PREFIX);
	bool *plain = calloc(n, sizeof(*plain)), *keep = calloc(n, sizeof(*keep));

	for (size_t i = 0; pre && plain && keep && i < snap->n; i++) {
		const char *l = snap->ns[i].label;

		label_base(l, pre[i], CT_PREFIX);
		plain[i] = strlen(pre[i]) == strlen(l) + 1 && strncmp(pre[i], l, strlen(l)) == 0;
	}
	/*
	 * A plain name yields to an earlier plain one only; a changed one to any other. Sorted, the
	 * namespaces that share a prefix are neighbours (n log n compares, not n squared: 500
	 * namespaces made 250,000).
	 */
	size_t *by = pre && plain && keep ? calloc(n, sizeof(*by)) : NULL;

	for (size_t i = 0; by && i < snap->n; i++)
		by[i] = i;
	if (by)
		qsort_r(by, snap->n, sizeof(*by), by_prefix, pre);
	for (size_t g = 0, end; by && g < snap->n; g = end) {
		bool first_plain = true;

		for (end = g + 1; end < snap->n && strcmp(pre[by[g]], pre[by[end]]) == 0; end++)
			;
		for (size_t k = g; k < end; k++) {
			size_t i = by[k];

			keep[i] = !reserved(pre[i]) && (end - g == 1 || (plain[i] && first_plain));
			if (plain[i])
				first_plain = false;
		}
	}
	if (!by) {
		free(keep);
		keep = NULL;
	}
	free(by);
	for (size_t i = 0; pre && plain && keep && i < snap->n; i++) {
		size_t o = strlen(pre[i]);

		if (!keep[i])
			snprintf(pre[i] + o, CT_PREFIX - o, "_%" PRIu64 "_", snap->ns[i].inode);
	}
	if (!plain || !keep) {
		free(pre);
		pre = NULL;
	}
	free(plain);
	free(keep);
	return pre;
}
