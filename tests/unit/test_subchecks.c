/*
 * The owner part and the hash, memory and boot sections in the verdict tree (texts, states,
 * summary fragments, perfdata, when each is shown), the advice hooks (kube-proxy, the owners'
 * sentences, buckets never at a crowded ratio), and when the boot configuration is read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "advice_more.h"
#include "boot_collect.h"
#include "evaluate.h"
#include "hash.h"
#include "options.h"
#include "owners.h"
#include "render.h"

#include "ns_fixture.h"
#include "tap.h"

static const char *fixtures(void)
{
	const char *d = getenv("CT_FIXTURES");

	return d ? d : "tests/fixtures/trees";
}

static struct ct_ns ns_read(const char *label, uint64_t entries, uint64_t max, uint64_t buckets)
{
	return ct_test_ns(label, entries, max, buckets);
}

/* chaintoolong as the kernel counts it (5.15 on), risen by rose since a baseline (or none). */
static void chaintoolong(struct ct_ns *ns, uint64_t value, int rose)
{
	ns->counters_rc = 0;
	ns->counters.source = "stat file";
	ns->counters.present = 1u << CT_DROP | 1u << CT_INSERT_FAILED | 1u << CT_CHAINTOOLONG;
	ns->counters.value[CT_CHAINTOOLONG] = value;
	ns->retention = rose < 0 ? CT_RET_BASELINE : CT_RET_DELTA;
	ns->delta[CT_CHAINTOOLONG] = rose < 0 ? 0 : (uint64_t)rose;
	ns->seconds = 60;
}

static const mp_subcheck *nth(const mp_subcheck_list *l, size_t n)
{
	for (; l && n; n--)
		l = l->next;
	return l ? &l->subcheck : NULL;
}

/* The first subcheck below l whose text starts with prefix. */
static const mp_subcheck *find(const mp_subcheck_list *l, const char *prefix)
{
	for (; l; l = l->next)
		if (strncmp(l->subcheck.output, prefix, strlen(prefix)) == 0)
			return &l->subcheck;
	return NULL;
}

static const mp_subcheck *section(const struct ct_verdict *v, const char *prefix)
{
	return find(v->check.subchecks, prefix);
}

static const char *text(const mp_subcheck *sc)
{
	return sc ? sc->output : "(none)";
}

static char *classic(struct ct_verdict *v)
{
	char *s;

	v->check.default_output_override = ct_render_classic;
	v->check.default_output_override_content = v;
	s = mp_fmt_output(v->check);
	v->check.default_output_override = NULL;
	return s;
}

static void owner(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 10, 1000, 1000);
	struct ct_verdict v;
	const mp_subcheck *p;

	ct_options_init(&cfg);
	snap.ns = &ns;
	v = ct_evaluate(&cfg, &snap);
	ok(find(nth(v.check.subchecks, 0)->subchecks, "owner:") == NULL,
	   "owner: no part when nobody recognised wrote the rules");
	ct_verdict_free(&v);

	ns.rules.owners = 1u << CT_OWNER_KUBE_PROXY | 1u << CT_OWNER_KUBELET;
	ns.rules.tracking_owners = ns.rules.owners;
	v = ct_evaluate(&cfg, &snap);
	p = find(nth(v.check.subchecks, 0)->subchecks, "owner:");
	is_str(text(p), "owner: kube-proxy, kubelet", "owner: a part of the namespace, its names");
	is_int(p ? (int)mp_compute_subcheck_state(*p) : -1, STATE_OK, "... OK");
	is_str(p ? text(nth(p->subchecks, 0)) : "(none)",
	       "owner: kube-proxy (KUBE-* chains) and kubelet (KUBE-FIREWALL) write rules here, "
	       "rules that need tracking are in their chains",
	       "... its line, the owners module's");
	is_str(v.check.summary, "10 of 1000 entries (1.0%), no rule needs connection tracking",
	       "... not in the summary");
	ct_verdict_free(&v);

	ns.rules.owners = 1u << CT_OWNER_DOCKER;
	ns.rules.tracking_owners = 0;
	ns.rules.read[CT_BACKEND_NFT] = CT_READ_FAILED;
	v = ct_evaluate(&cfg, &snap);
	p = find(nth(v.check.subchecks, 0)->subchecks, "owner:");
	is_str(p ? text(nth(p->subchecks, 0)) : "(none)",
	       "owner: Docker (DOCKER* chains) writes rules here, none of the rules that need "
	       "tracking is in its chains (of the rules read)",
	       "owner: a backend not read: 'none' speaks of the rules read");
	ct_verdict_free(&v);
}

static void advice_hooks(void)
{
	struct ct_snapshot snap = {.n = 2};
	struct ct_ns ns[2] = {ns_read("host", 9000, 10000, 2500), ns_read("pod", 100, 10000, 2500)};
	struct mp_buf b = {0};
	const char *kube = ct_owner_advice(CT_OWNER_KUBE_PROXY);
	struct ct_proc p = {.max = 1048576, .buckets = 65536, .have_buckets = true};
	struct ct_config cfg;

	ct_options_init(&cfg);
	snap.ns = ns;
	snap.persistence.object_size = 256;
	ct_advice(&cfg, &snap, &ns[0], CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "advice: persist it: echo 'net.netfilter.nf_conntrack_max = "
				  "65536' > /etc/sysctl.d/90-conntrack.conf") != NULL,
	   "advice: no owner, the sysctl.d advice");
	mp_buf_free(&b);

	/* kube-proxy's rules in another namespace (the host's) still rewrite the global limit. */
	ns[1].rules.owners = 1u << CT_OWNER_KUBE_PROXY | 1u << CT_OWNER_DOCKER;
	ct_advice(&cfg, &snap, &ns[0], CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "/etc/sysctl.d/90-conntrack.conf") == NULL,
	   "advice: kube-proxy: no sysctl.d advice");
	ok(strstr(mp_buf_str(&b), "advice: size the hash table with it: 16384 buckets") != NULL,
	   "advice: kube-proxy: the limit and the buckets still advised");
	ok(strstr(mp_buf_str(&b), kube) != NULL, "advice: kube-proxy's sentence instead");
	ok(strstr(mp_buf_str(&b), kube) &&
		   strstr(strstr(mp_buf_str(&b), kube) + strlen(kube), kube) == NULL,
	   "advice: ... said once");
	ok(strstr(mp_buf_str(&b), "advice: or track less") <
		   strstr(mp_buf_str(&b), ct_owner_advice(CT_OWNER_DOCKER)),
	   "advice: Docker's sentence after the advice");
	mp_buf_free(&b);

	/* Insert clashes: not the limit's matter, so not the owners' sentences either. */
	ct_advice(&cfg, &snap, &ns[0], CT_WHY_CLASH, &b);
	ok(strstr(mp_buf_str(&b), kube) == NULL &&
		   strstr(mp_buf_str(&b), ct_owner_advice(CT_OWNER_DOCKER)) == NULL,
	   "advice for clashes: no owner's sentence");
	mp_buf_free(&b);

	/* No limit: no raise advice, kube-proxy's sentence among the owners'. */
	ns[0].proc.max = 0;
	ct_advice(&cfg, &snap, &ns[0], CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), kube) != NULL, "advice: no limit: kube-proxy's sentence still");
	mp_buf_free(&b);

	is_int(ct_advice_more_buckets(&p, 2097152), 2097152,
	       "buckets: 16 per bucket today is not kept: one bucket per entry of the new limit");
	p = (struct ct_proc){.max = 10000, .buckets = 2500, .have_buckets = true};
	is_int(ct_advice_more_buckets(&p, 65536), 16384, "buckets: 4 per bucket kept");
	p = (struct ct_proc){.max = 262144, .buckets = 262144, .have_buckets = true};
	is_int(ct_advice_more_buckets(&p, 524288), 524288, "buckets: 1 per bucket kept");
	p.have_buckets = false;
	is_int(ct_advice_more_buckets(&p, 524288), 524288, "buckets unknown: one per entry");
	is_int(ct_hash_buckets_for(8 * 65536, 65536, 1048576), 131072,
	       "buckets: 8 per bucket (a hashsize given at load) is kept");
	is_int(ct_hash_buckets_for(2000000000, 262144, 2147483647), CT_HASH_BUCKETS_LIMIT,
	       "buckets: at most what the kernel takes");
	is_int(ct_hash_buckets_for(10, 4, 100), 512, "buckets: in whole pages of heads");
}

static void hash(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 983040, 1048576, 65536);
	struct ct_verdict v;
	const mp_subcheck *h;

	ct_options_init(&cfg);
	snap.ns = &ns;
	chaintoolong(&ns, 23, 16);
	v = ct_evaluate(&cfg, &snap);
	is_str(v.check.summary,
	       "983040 of 1048576 entries (93.8%), no rule needs connection tracking, 16 flows "
	       "dropped (hash chain too long)",
	       "hash: chaintoolong rose: in the summary");
	h = section(&v, "hash:");
	is_str(text(h), "hash: 16 flows dropped (hash chain too long)", "hash: a section");
	is_int(h ? (int)mp_compute_subcheck_state(*h) : -1, STATE_OK,
	       "... OK: the drops count in insert_failed, which has its thresholds");
	is_str(h ? text(nth(h->subchecks, 0)) : "(none)",
	       "hash: 16 entries per bucket at the limit (1048576 / 65536 buckets): chains of "
	       "about 32 when the table is full, more than the 8 per bucket any kernel sets up by "
	       "itself, long chains cost every packet, 16 new flows dropped since the last check "
	       "because a hash chain was too long (chaintoolong)",
	       "... its line");
	ok(h && strncmp(text(nth(h->subchecks, 1)),
			"advice: hash chains grew too long: give the hash 1048576 buckets (now "
			"65536, 8.0 MiB of kernel memory): sysctl -w "
			"net.netfilter.nf_conntrack_buckets=1048576 or echo 1048576 > "
			"/sys/module/nf_conntrack/parameters/hashsize, as root in the initial "
			"namespace",
			200) == 0,
	   "... with the alert, its own fix: nf_conntrack_buckets, the initial namespace");
	ok(strstr(text(nth(section(&v, "advice")->subchecks, 1)),
		  "size the hash table with it: 2097152 buckets (now 65536)") != NULL,
	   "... the raised limit's buckets: never at 16 per bucket");
	ct_verdict_free(&v);

	/* Crowded on a quiet table: said, the fix only with the advice (an alert or -v). */
	ns.proc.entries = 1000;
	chaintoolong(&ns, 23, 0);
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "crowded, quiet: OK");
	is_str(v.check.summary,
	       "1000 of 1048576 entries (0.1%), no rule needs connection tracking, 16 entries per "
	       "hash bucket at the limit",
	       "crowded, quiet: in the summary");
	h = section(&v, "hash:");
	is_int(h && h->subchecks ? (int)(h->subchecks->next == NULL) : -1, 1,
	       "crowded, quiet: the line, no advice");
	ct_verdict_free(&v);

	/* A layout the kernel makes: nothing unless -v. */
	ns.proc.max = ns.proc.buckets = 262144;
	v = ct_evaluate(&cfg, &snap);
	ok(section(&v, "hash:") == NULL, "1 per bucket: no section");
	ct_verdict_free(&v);
	cfg.verbose = 1;
	v = ct_evaluate(&cfg, &snap);
	is_str(text(nth(section(&v, "hash:") ? section(&v, "hash:")->subchecks : NULL, 0)),
	       "hash: 1 entry per bucket at the limit (262144 / 262144 buckets): chains of about 2 "
	       "when the table is full, no chain too long since the last check",
	       "-v: the line");
	ct_verdict_free(&v);
}

static void hash_all(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 2, .multi = true};
	struct ct_ns ns[2] = {ns_read("a", 500, 65536, 65536), ns_read("b", 700, 65536, 65536)};
	struct ct_verdict v;

	ct_options_init(&cfg);
	cfg.verbose = 1;
	snap.ns = ns;
	chaintoolong(&ns[0], 5, 2);
	chaintoolong(&ns[1], 9, 3);
	v = ct_evaluate(&cfg, &snap);
	ok(strstr(v.check.summary, ", 5 flows dropped (hash chain too long)") != NULL,
	   "--netns=all: chaintoolong's rise summed over namespaces");
	ok(strstr(text(nth(section(&v, "hash:")->subchecks, 0)),
		  ", the hash holds 1200 entries of all namespaces now") != NULL,
	   "--netns=all: the hash's entries are every namespace's");
	ct_verdict_free(&v);
	chaintoolong(&ns[1], 9, -1);
	v = ct_evaluate(&cfg, &snap);
	ok(strstr(text(nth(section(&v, "hash:")->subchecks, 0)),
		  ", chaintoolong is compared from the next check on") != NULL,
	   "--netns=all: one namespace without a baseline: no rise claimed");
	ct_verdict_free(&v);
}

static void memory(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 3, .multi = true};
	struct ct_ns ns[3] = {ns_read("a", 1000, 262144, 262144), ns_read("b", 2000, 262144, 0),
			      ns_read("c", 3000, 262144, 0)};
	struct ct_verdict v;
	const mp_subcheck *m;
	char *s;

	ct_options_init(&cfg);
	snap.ns = ns;
	snap.persistence.object_size = 256;
	v = ct_evaluate(&cfg, &snap);
	m = section(&v, "memory:");
	is_str(text(m), "memory: 6000 entries in 3 namespaces", "memory: a section");
	is_str(m ? text(nth(m->subchecks, 0)) : "(none)",
	       "memory: 6000 entries in 3 namespaces hold 1.5 MiB of kernel memory (256 bytes "
	       "each, the nf_conntrack slab's object size), each may hold 262144 on its own: up to "
	       "192 MiB for these",
	       "... its line");
	is_str(m && m->perfdata ? m->perfdata->data.label : "(none)", "entries_total",
	       "... perfdata entries_total");
	s = classic(&v);
	ok(strstr(s, " chaintoolong=0c entries_total=6000 c_entries=") != NULL ||
		   strstr(s, " entries_total=6000 c_entries=") != NULL,
	   "classic: entries_total after the plain labels, before the namespaces' own");
	free(s);
	ct_verdict_free(&v);

	/* One namespace not entered, one held by a process not seen: a lower bound. */
	ns[1].enter_rc = -EPERM;
	snprintf(ns[1].err, sizeof(ns[1].err), "cannot enter network namespace b");
	snap.scan.unseen = 1;
	v = ct_evaluate(&cfg, &snap);
	m = section(&v, "memory:");
	is_str(text(m), "memory: 4000 entries in 2 namespaces, at least", "lower bound: said");
	ok(m && strstr(text(nth(m->subchecks, 0)), "hold at least 1000 KiB of kernel memory") &&
		   strstr(text(nth(m->subchecks, 0)), ", 2 more namespaces could not be read"),
	   "... in its line, with how many were not read");
	ok(m && m->perfdata == NULL, "... no entries_total: a lower bound is not graphed");
	ct_verdict_free(&v);

	snap.multi = false;
	snap.n = 1;
	v = ct_evaluate(&cfg, &snap);
	ok(section(&v, "memory:") == NULL, "one namespace: no memory section");
	ct_verdict_free(&v);
}

static void boot(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = {0};
	struct ct_verdict v;
	const mp_subcheck *b;
	struct ct_boot scan;
	char root[512];

	ct_options_init(&cfg);
	snprintf(ns.label, sizeof(ns.label), "host");
	ns.proc_rc = -ENOENT;
	snprintf(ns.err, sizeof(ns.err), "no nf_conntrack_count");
	snap.ns = &ns;
	is_int(ct_boot_active(&snap), 0, "not active: tracking off");
	ok(ct_boot_wanted(&cfg, &snap), "not active: the boot configuration is read");
	snprintf(root, sizeof(root), "%s/boot-centos6", fixtures());
	ct_boot_scan(root, &scan);
	snap.boot = &scan;
	v = ct_evaluate(&cfg, &snap);
	is_str(v.check.summary,
	       "connection tracking is not active (no nf_conntrack_count), tracking comes back "
	       "after a reboot (/etc/sysconfig/iptables-config and 1 more)",
	       "CentOS 6 root: a reboot brings tracking back, in the summary");
	is_int(mp_compute_check_state(v.check), STATE_OK, "... OK: said, not judged");
	b = section(&v, "boot:");
	is_str(b ? text(nth(b->subchecks, 1)) : "(none)",
	       "boot: /etc/sysconfig/iptables-config line 5 loads nf_conntrack_ipv4, "
	       "nf_conntrack_ftp, ip_nat_irc when the iptables service starts (IPTABLES_MODULES)",
	       "... IPTABLES_MODULES named");
	ok(b && !find(b->subchecks, "advice:"), "... what to change only with -v");
	ct_verdict_free(&v);
	cfg.verbose = 1;
	v = ct_evaluate(&cfg, &snap);
	b = section(&v, "boot:");
	is_str(text(find(b ? b->subchecks : NULL, "advice:")),
	       "advice: empty IPTABLES_MODULES in /etc/sysconfig/iptables-config (line 5 loads "
	       "nf_conntrack_ipv4, nf_conntrack_ftp, ip_nat_irc) so that the iptables service no "
	       "longer loads tracking when it starts",
	       "-v: what to change so that a reboot keeps it off");
	ct_verdict_free(&v);
	cfg.verbose = 0;

	/* Nothing brings it back: nothing to say but with -v. */
	snprintf(root, sizeof(root), "%s/boot-none", fixtures());
	ct_boot_scan(root, &scan);
	v = ct_evaluate(&cfg, &snap);
	ok(section(&v, "boot:") == NULL, "boot-none, not active: no section");
	ct_verdict_free(&v);

	/* A file not read: cannot tell, naming it. */
	scan = (struct ct_boot){.rc = -EACCES, .unreadable = 1};
	snprintf(scan.err, sizeof(scan.err),
		 "cannot read /etc/sysconfig/iptables: Permission denied");
	v = ct_evaluate(&cfg, &snap);
	b = section(&v, "boot:");
	is_str(text(b), "boot: cannot tell what brings tracking back after a reboot",
	       "unreadable: cannot tell");
	is_str(b ? text(nth(b->subchecks, 0)) : "(none)",
	       "boot: cannot tell what brings tracking back after a reboot: cannot read "
	       "/etc/sysconfig/iptables: Permission denied",
	       "... naming the file");
	ct_verdict_free(&v);

	/* Tracking active: read when the table is under pressure, and with -v. */
	ns = ns_read("host", 100, 1000, 1000);
	is_int(ct_boot_active(&snap), 1, "read: tracking on");
	ok(!ct_boot_wanted(&cfg, &snap), "10%%, no drops: not read (a healthy run reads nothing)");
	ns.proc.entries = 850;
	ok(ct_boot_wanted(&cfg, &snap), "85%% against -w 80%%: read");
	ns.proc.entries = 100;
	ns.retention = CT_RET_DELTA;
	ns.delta[CT_EARLY_DROP] = 1;
	ok(ct_boot_wanted(&cfg, &snap), "early drops since the last check: read");
	ns.delta[CT_EARLY_DROP] = 0;
	ns.delta[CT_DROP] = 3;
	ok(ct_boot_wanted(&cfg, &snap), "drops since the last check: read");
	ns.delta[CT_DROP] = 0;
	cfg.verbose = 1;
	ok(ct_boot_wanted(&cfg, &snap), "-v: read");
}

int main(void)
{
	owner();
	advice_hooks();
	hash();
	hash_all();
	memory();
	boot();
	return tap_done();
}
