/* What to do about a full table on this kernel: the key, a value, its cost, where to persist it. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "advice_more.h" /* the owners' and the hash's hooks (issue 14) */

/* Bytes per entry when the kernel does not say (struct nf_conn on 64-bit, rounded up). */
#define CT_ENTRY_BYTES_GUESS 320

/* nf_conntrack_max (ip_conntrack_max) is an int: the kernel takes 0 (no limit) to INT_MAX. */
#define CT_MAX_LIMIT ((uint64_t)INT_MAX)

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Twice what is in use (or the limit, whichever is larger), rounded up to a multiple of 64 Ki,
 * within what the kernel accepts. Never 0: that would mean "no limit".
 */
static uint64_t suggested_max(const struct ct_proc *p)
{
	uint64_t base = p->entries > p->max ? p->entries : p->max;

	if (base >= CT_MAX_LIMIT / 2)
		return CT_MAX_LIMIT;
	return clamp((base * 2 + 65535) / 65536 * 65536, 65536, CT_MAX_LIMIT);
}

static void persist_advice(const struct ct_persistence *ps, const char *key, uint64_t want,
			   struct mp_buf *out)
{
	if (ps->boot.found && !ct_persistence_unknown(ps)) {
		mp_buf_printf(out, "advice: persist it where boot sets it now: %s line %u\n",
			      ps->boot.file, ps->boot.line);
		return;
	}
	mp_buf_printf(out,
		      "advice: persist it: echo '%s = %" PRIu64
		      "' > /etc/sysctl.d/90-conntrack.conf, and load nf_conntrack early "
		      "(/etc/modules-load.d/) so the setting finds the key at boot\n",
		      key, want);
	if (ct_persistence_unknown(ps))
		mp_buf_printf(out,
			      "advice: before that, look at what this check could not read (%s): "
			      "a file applied after 90-conntrack.conf would override it\n",
			      ps->err);
}

static void raise_limit(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *out)
{
	const struct ct_proc *p = &ns->proc;
	const struct ct_persistence *ps = &snap->persistence;
	uint64_t want = suggested_max(p);
	uint64_t bytes = ps->object_size ? ps->object_size : CT_ENTRY_BYTES_GUESS;
	uint64_t buckets;

	if (want <= p->max) {
		mp_buf_printf(out,
			      "advice: the limit cannot be raised: %s is %" PRIu64
			      ", the kernel takes at most %" PRIu64 "\n",
			      p->sysctl_key, p->max, CT_MAX_LIMIT);
		return;
	}
	/* In floating point: exact below 2^53, and no product of two counts can wrap. */
	mp_buf_printf(out,
		      "advice: raise the limit: sysctl -w %s=%" PRIu64
		      " (up to %.0f MiB of kernel memory when full, %" PRIu64
		      " bytes per entry%s)\n",
		      p->sysctl_key, want, ceil((double)want * (double)bytes / 1048576.0), bytes,
		      ps->object_size ? "" : ", estimated");
	/* Never a crowded ratio, never fewer buckets than today (the hash module's). */
	buckets = p->have_buckets ? ct_advice_more_buckets(p, want) : 0;
	if (buckets > p->buckets)
		mp_buf_printf(out,
			      "advice: size the hash table with it: %" PRIu64
			      " buckets (now %" PRIu64 "): echo %" PRIu64
			      " > /sys/module/nf_conntrack/parameters/hashsize, persisted as "
			      "'options nf_conntrack hashsize=%" PRIu64 "' in /etc/modprobe.d/\n",
			      buckets, p->buckets, buckets, buckets);
	if (!ct_advice_more_persist(snap, out))
		persist_advice(ps, p->sysctl_key, want, out);
}

static void exempt_traffic(const struct ct_ns *ns, struct mp_buf *out)
{
	if (!ns->rules.tracking_rules)
		return;
	mp_buf_printf(
		out, "advice: or track less (the lasting cure): exempt busy stateless traffic in "
		     "the raw hook, before tracking: nft add rule inet raw prerouting udp dport 53 "
		     "notrack (in a chain of type filter hook prerouting priority raw), or "
		     "iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack; rules that "
		     "match on state then see those packets as untracked\n");
	/* Only when every backend was read: an unread one may hold the exemptions. */
	if (!ns->rules.notrack_rules && ct_rules_complete(&ns->rules))
		mp_buf_printf(out, "advice: no traffic is exempted from tracking yet\n");
}

void ct_advice(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *out)
{
	if (!ct_ns_read(ns) || !ns->proc.sysctl_key)
		return;
	if (ns->proc.max)
		raise_limit(snap, ns, out);
	exempt_traffic(ns, out);
	ct_advice_more(snap, out);
}
