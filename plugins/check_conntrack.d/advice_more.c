/* What the owners and the hash add to the advice: lines after advice.c's, or in place of one. */
#include "advice_more.h"

#include <string.h>

#include "hash.h"
#include "owners.h"

/* Owners bits are a limit-wide matter: the limit is global, whichever namespace holds them. */
static unsigned owners_read(const struct ct_snapshot *snap)
{
	unsigned o = 0;

	for (size_t i = 0; i < snap->n; i++)
		if (ct_ns_read(&snap->ns[i]))
			o |= snap->ns[i].rules.owners;
	return o;
}

uint64_t ct_advice_more_buckets(const struct ct_proc *p, uint64_t want)
{
	return ct_hash_buckets_for(p->max, p->have_buckets ? p->buckets : 0, want);
}

bool ct_advice_more_persist(const struct ct_snapshot *snap, struct mp_buf *out)
{
	if (!(owners_read(snap) & (1u << CT_OWNER_KUBE_PROXY)))
		return false;
	mp_buf_printf(out, "advice: %s\n", ct_owner_advice(CT_OWNER_KUBE_PROXY));
	return true;
}

void ct_advice_more(const struct ct_snapshot *snap, struct mp_buf *out)
{
	unsigned o = owners_read(snap);

	for (int i = 0; i < CT_OWNER_MAX; i++) {
		const char *s = ct_owner_advice((enum ct_owner)i);

		/* kube-proxy's may stand where the limit is persisted already: said once. */
		if ((o & (1u << i)) && !strstr(mp_buf_str(out), s))
			mp_buf_printf(out, "advice: %s\n", s);
	}
}
