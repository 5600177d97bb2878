/* What to do about a full table on this kernel: the key, a value, its cost, where to persist it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

/* Bytes per entry when the kernel does not say (struct nf_conn on 64-bit, rounded up). */
#define CT_ENTRY_BYTES_GUESS 320

/* Twice what is in use (or the limit, whichever is larger), rounded up to a multiple of 64 Ki. */
static uint64_t suggested_max(const struct ct_proc *p)
{
	uint64_t base = p->entries > p->max ? p->entries : p->max;
	uint64_t v = base * 2;

	return (v + 65535) / 65536 * 65536;
}

static void raise_limit(const struct ct_config *cfg, const struct ct_snapshot *snap,
			const struct ct_ns *ns, struct mp_buf *out)
{
	const struct ct_proc *p = &ns->proc;
	const struct ct_persistence *ps = &snap->persist;
	uint64_t want = suggested_max(p);
	uint64_t bytes = ps->object_size ? ps->object_size : CT_ENTRY_BYTES_GUESS;
	uint64_t ratio = p->have_buckets && p->buckets ? (p->max + p->buckets - 1) / p->buckets : 1;

	(void)cfg;
	if (!ratio)
		ratio = 1;
	mp_buf_printf(out,
		      "advice: raise the limit: sysctl -w %s=%" PRIu64
		      " (up to %.0f MiB of kernel memory when full, %" PRIu64
		      " bytes per entry%s)\n",
		      p->sysctl_key, want, (double)(want * bytes) / (1024.0 * 1024.0), bytes,
		      ps->object_size ? "" : ", estimated");
	if (p->have_buckets)
		mp_buf_printf(out,
			      "advice: size the hash table with it: %" PRIu64
			      " buckets (now %" PRIu64 "): echo %" PRIu64
			      " > /sys/module/nf_conntrack/parameters/hashsize, persisted as "
			      "'options nf_conntrack hashsize=%" PRIu64 "' in /etc/modprobe.d/\n",
			      want / ratio, p->buckets, want / ratio, want / ratio);
	if (ps->boot.found)
		mp_buf_printf(out, "advice: persist it where boot sets it now: %s line %u\n",
			      ps->boot.file, ps->boot.line);
	else
		mp_buf_printf(out,
			      "advice: persist it: echo '%s = %" PRIu64
			      "' > /etc/sysctl.d/90-conntrack.conf, and load nf_conntrack early "
			      "(/etc/modules-load.d/) so the setting finds the key at boot\n",
			      p->sysctl_key, want);
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

void ct_advice(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res, struct mp_buf *out)
{
	const struct ct_ns *ns = &snap->ns[res->fullest];
	const struct ct_ns_result *r = &res->ns[res->fullest];
	bool alarmed = r->state == MP_WARNING || r->state == MP_CRITICAL;

	if (!ct_ns_read(ns) || !ns->proc.sysctl_key)
		return;
	if (!alarmed && cfg->verbose < 1)
		return;
	if (ns->proc.max)
		raise_limit(cfg, snap, ns, out);
	exempt_traffic(ns, out);
}
