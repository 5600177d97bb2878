/*
 * The hash section: entries per bucket at the limit and chains the kernel found too long. The
 * hash is one for all namespaces, so it is a host-wide section; chaintoolong counts per namespace.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "parts.h"

/*
 * The limit and buckets are global: the namespace the summary names, or any read. Under
 * --netns=all the hash holds every namespace's entries, their sum; chaintoolong's rise is the
 * sum of theirs, compared only when every namespace that counts it has a baseline.
 */
static bool hash_input(const struct ct_snapshot *snap, const struct ct_ns *top,
		       struct ct_hash_input *in)
{
	const struct ct_ns *first = ct_ns_read(top) ? top : NULL;
	bool delta = true;

	*in = (struct ct_hash_input){.entries_all = snap->multi};
	for (size_t i = 0; i < snap->n; i++) {
		const struct ct_ns *ns = snap->multi ? &snap->ns[i] : top;

		if (!ct_ns_read(ns))
			continue;
		if (!first)
			first = ns;
		in->entries += ns->proc.entries;
		if (ns->counters_rc == 0 && (ns->counters.present & (1u << CT_CHAINTOOLONG))) {
			in->have_chaintoolong = true;
			delta &= ns->retention == CT_RET_DELTA;
			in->chaintoolong_delta += ns->delta[CT_CHAINTOOLONG];
			if (ns->seconds > in->seconds)
				in->seconds = ns->seconds;
		}
		if (!snap->multi)
			break;
	}
	if (!first)
		return false;
	in->max = first->proc.max;
	in->buckets = first->proc.have_buckets ? first->proc.buckets : 0;
	in->have_delta = in->have_chaintoolong && delta;
	if (!in->have_delta)
		in->chaintoolong_delta = 0;
	return true;
}

/* A phrase of the hash module into a buffer of its size. */
static char *phrase(int (*fn)(const struct ct_hash *, char *, size_t), const struct ct_hash *h)
{
	int n = fn(h, NULL, 0);
	char *s = malloc(n > 0 ? (size_t)n + 1 : 1);

	if (!s)
		mp_die(CT_SERVICE, "out of memory");
	s[0] = '\0';
	if (n > 0)
		fn(h, s, (size_t)n + 1);
	return s;
}

bool ct_section_hash(const struct ct_config *cfg, const struct ct_snapshot *snap,
		     const struct ct_ns *top, bool advice, mp_subcheck *out, struct mp_buf *summary)
{
	struct ct_hash_input in;
	struct ct_hash h;
	char *line, *frag, *fix;

	if (!hash_input(snap, top, &in))
		return false;
	h = ct_hash_assess(&in);
	if (h.level != CT_HASH_CROWDED && h.level != CT_HASH_DROPPING && cfg->verbose < 1)
		return false;
	frag = phrase(ct_hash_summary, &h);
	line = phrase(ct_hash_line, &h);
	if (frag[0]) {
		mp_buf_printf(summary, ", %s", frag);
		*out = ct_part(STATE_OK, "hash: %s", frag);
	} else {
		*out = ct_part(STATE_OK, "hash: %s",
			       h.level == CT_HASH_UNKNOWN ? "cannot tell" : "not crowded");
	}
	mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "%s", line));
	/* With the advice (an alert, or -v): the hash's own fix, at today's limit. */
	fix = phrase(ct_hash_advice, &h);
	if (advice && fix[0])
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_OK, "advice: %s: %s",
				     h.level == CT_HASH_DROPPING
					     ? "hash chains grew too long"
					     : "the hash is crowded even at today's limit",
				     fix));
	free(frag);
	free(line);
	free(fix);
	return true;
}
