/*
 * What to do about the alert, for the reason it was raised: the limit (its key on this kernel, a
 * value, its cost, where to persist it) only when the table is full or filling; the threshold,
 * the clashes, persistence or the rules when they are the reason. Commands stand on lines of
 * their own and work as pasted on a fresh host.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "advice_more.h" /* the owners' and the hash's hooks (issue 14) */
#include "drops.h"
#include "memory.h" /* CT_MEMORY_ENTRY_GUESS: bytes per entry when the slab does not say */

/* nf_conntrack_max (ip_conntrack_max) is an int: the kernel takes 0 (no limit) to INT_MAX. */
#define CT_MAX_LIMIT ((uint64_t)INT_MAX)

/* A bare count threshold reads like a percentage up to this, against a limit this far above. */
#define CT_PERCENT_LIKE_MAX 100
#define CT_PERCENT_LIKE_LIMIT 1000

/* Command lines of the advice: indented, alone on their line, so that they paste as they are. */
#define CMD "    "

/* What every piece of advice is given. */
struct advice {
	const struct ct_config *cfg;
	const struct ct_snapshot *snap;
	const struct ct_ns *ns;
	unsigned why;
	struct mp_buf *out;
};

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double utilization(const struct ct_proc *p)
{
	return p->max ? (double)p->entries * 100.0 / (double)p->max : 0;
}

/* A range alerts above its end ("80", "@90:"): more room is what would clear it. */
static bool high_side(const struct mp_range *r, double value)
{
	if (r->inside)
		return r->end_inf && value >= r->start;
	return !r->end_inf && value > r->end;
}

static bool alerts(const struct ct_threshold *t, const struct ct_proc *p)
{
	if (!t->set || (t->percent && !p->max))
		return false;
	return mp_range_alert(&t->range, t->percent ? utilization(p) : (double)p->entries);
}

unsigned ct_why_utilization(const struct ct_config *cfg, const struct ct_ns *ns)
{
	const struct ct_proc *p = &ns->proc;
	const struct ct_threshold *t[2] = {&cfg->crit, &cfg->warn};

	if (ct_near_full(p->entries, p->max))
		return CT_WHY_FULL;
	for (int i = 0; i < 2; i++)
		if (t[i]->percent && alerts(t[i], p) && high_side(&t[i]->range, utilization(p)))
			return CT_WHY_FULL;
	return CT_WHY_THRESHOLD;
}

unsigned ct_why_counter(const struct ct_ns *ns, enum ct_counter c)
{
	static const unsigned drop_why[] = {
		[CT_DROPS_NONE] = 0,
		[CT_DROPS_FULL] = CT_WHY_FULL,
		[CT_DROPS_CLASH] = CT_WHY_CLASH,
		[CT_DROPS_OTHER] = CT_WHY_DROPS,
	};

	switch (c) {
	case CT_DROP:
		return drop_why[ct_drop_cause(ns)];
	case CT_EARLY_DROP:
		return CT_WHY_FULL;
	case CT_INSERT_FAILED:
		return CT_WHY_CLASH;
	default:
		return 0;
	}
}

/* A threshold as it was written: "80", "80%", "10:", "@90%:". */
static const char *threshold_text(const struct ct_threshold *t, char *buf, size_t len)
{
	size_t n;

	mp_range_format(&t->range, buf, len);
	n = strlen(buf);
	if (!t->percent || n + 2 > len)
		return buf;
	if (n && buf[n - 1] == ':')
		snprintf(buf + n - 1, len - n + 1, "%%:");
	else
		snprintf(buf + n, len - n, "%%");
	return buf;
}

/* "80" of a bare "-w 80" (0:80 or ~:80, not inside), at most 100 entries. */
static bool percent_like(const struct ct_threshold *t, uint64_t max)
{
	const struct mp_range *r = &t->range;

	return t->set && !t->percent && !r->inside && !r->end_inf &&
	       (r->start_inf || r->start == 0) && r->end <= CT_PERCENT_LIKE_MAX &&
	       max >= CT_PERCENT_LIKE_LIMIT;
}

int ct_threshold_note(const struct ct_config *cfg, const struct ct_ns *ns, char *buf, size_t len)
{
	const struct ct_threshold *t[2] = {&cfg->warn, &cfg->crit};
	const char *opt[2] = {"-w", "-c"}, *o[2];
	char v[2][48];
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (!ct_ns_read(ns))
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!percent_like(t[i], ns->proc.max))
			continue;
		o[n] = opt[i];
		threshold_text(t[i], v[n++], sizeof(v[0]));
	}
	if (n == 1)
		return snprintf(buf, len, "%s %s is %s entries, %s%% is the utilization", o[0],
				v[0], v[0], v[0]);
	if (n == 2)
		return snprintf(buf, len,
				"%s %s and %s %s are %s and %s entries, %s%% and %s%% are the "
				"utilization",
				o[0], v[0], o[1], v[1], v[0], v[1], v[0], v[1]);
	return 0;
}

/* -w/-c alerted, but not because the table is filling: more room would not clear it. */
static void threshold_advice(const struct advice *a)
{
	const struct ct_proc *p = &a->ns->proc;
	const bool crit = alerts(&a->cfg->crit, p);
	const struct ct_threshold *t = crit ? &a->cfg->crit : &a->cfg->warn;
	char text[48];

	mp_buf_printf(a->out, "advice: the alert is %s %s (%s), not a table filling up (",
		      crit ? "-c" : "-w", threshold_text(t, text, sizeof(text)),
		      t->percent ? "utilization" : "a count of entries");
	if (p->max)
		mp_buf_printf(a->out, "%" PRIu64 " of %" PRIu64 " entries, %.1f%%", p->entries,
			      p->max, utilization(p));
	else
		mp_buf_printf(a->out, "%" PRIu64 " entries, no limit", p->entries);
	mp_buf_printf(a->out, "): raising the limit would not clear it: %s\n",
		      t->percent ? "set the range that should alert"
				 : "set the count this host should not exceed, or alert on "
				   "utilization (-w 80% -c 90%)");
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

static void persist_limit(const struct ct_persistence *ps, const char *key, uint64_t want,
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

/* The namespace checked is not the plugin's own: its limit is set elsewhere. */
static bool elsewhere(const struct advice *a)
{
	return a->cfg->netns && strcmp(a->ns->label, "host") != 0;
}

/* One limit for the host, held against each namespace's count, set in the initial namespace. */
static void host_wide_limit(const struct advice *a)
{
	if (!elsewhere(a))
		return;
	mp_buf_printf(
		a->out,
		"advice: the limit is one value for the whole host, held against each "
		"namespace's own count: set it in the initial network namespace (on the host, "
		"not in netns %s, where it is read-only), with the sysctl and hash size lines "
		"below, and persist it in the host's /etc/sysctl.d\n",
		a->ns->label);
}

static void raise_limit(const struct advice *a)
{
	const struct ct_proc *p = &a->ns->proc;
	const struct ct_persistence *ps = &a->snap->persistence;
	uint64_t want = suggested_max(p);
	uint64_t bytes = ps->object_size ? ps->object_size : CT_MEMORY_ENTRY_GUESS;
	uint64_t buckets;

	if (!p->max)
		return;
	if (want <= p->max) {
		mp_buf_printf(a->out,
			      "advice: the limit cannot be raised: %s is %" PRIu64
			      ", the kernel takes at most %" PRIu64 "\n",
			      p->sysctl_key, p->max, CT_MAX_LIMIT);
		return;
	}
	host_wide_limit(a);
	/* In floating point: exact below 2^53, and no product of two counts can wrap. */
	mp_buf_printf(a->out,
		      "advice: raise the limit: sysctl -w %s=%" PRIu64
		      " (up to %.0f MiB of kernel memory when full, %" PRIu64
		      " bytes per entry%s)\n",
		      p->sysctl_key, want, ceil((double)want * (double)bytes / 1048576.0), bytes,
		      ps->object_size ? "" : ", estimated");
	/* Never a crowded ratio, never fewer buckets than today (the hash module's). */
	buckets = p->have_buckets ? ct_advice_more_buckets(p, want) : 0;
	if (buckets > p->buckets)
		mp_buf_printf(a->out,
			      "advice: size the hash table with it: %" PRIu64
			      " buckets (now %" PRIu64 "): echo %" PRIu64
			      " > /sys/module/nf_conntrack/parameters/hashsize, persisted as "
			      "'options nf_conntrack hashsize=%" PRIu64 "' in /etc/modprobe.d/\n",
			      buckets, p->buckets, buckets, buckets);
	if (!ct_advice_more_persist(a->snap, a->out))
		persist_limit(ps, p->sysctl_key, want, a->out);
}

/*
 * How to run a command in the namespace checked, when it is not the plugin's own: a prefix for
 * a name under /run/netns or a pid, else nothing (and the caller says where).
 */
static void in_namespace(const struct advice *a, char *prefix, size_t len)
{
	const char *label = a->ns->label;
	size_t digits = strncmp(label, "pid ", 4) == 0 ? strspn(label + 4, "0123456789") : 0;
	uint64_t pid;

	prefix[0] = '\0';
	if (!elsewhere(a))
		return;
	/* "pid 1234 (nginx)": the label of a process's namespace under --netns=all. */
	if (digits && strncmp(label + 4 + digits, " (", 2) == 0 &&
	    mp_parse_u64(label + 4, digits, UINT32_MAX, &pid) == 0)
		snprintf(prefix, len, "nsenter -t %" PRIu64 " -n ", pid);
	else if (label[0] && strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789._-") == strlen(label))
		snprintf(prefix, len, "ip netns exec %s ", label);
	else if (label[0] == '/' && !strpbrk(label, " '\"\\$`;&|<>()*?[]{}!#~"))
		snprintf(prefix, len, "nsenter --net=%s ", label);
}

/* Exempting busy traffic before tracking: nft and iptables lines that work on a fresh host. */
static void exempt_traffic(const struct advice *a)
{
	const struct ct_rules *r = &a->ns->rules;
	char pre[160];

	if (!r->tracking_rules)
		return;
	in_namespace(a, pre, sizeof(pre));
	mp_buf_printf(a->out,
		      "advice: or track less (the lasting cure): exempt busy stateless traffic "
		      "before tracking, e.g. a DNS server's queries and answers%s%s, these lines "
		      "create the table and chains they need:\n",
		      elsewhere(a) && !pre[0] ? ", in netns " : "",
		      elsewhere(a) && !pre[0] ? a->ns->label : "");
	mp_buf_printf(
		a->out,
		CMD
		"%snft add table inet raw\n" CMD
		"%snft 'add chain inet raw prerouting { type filter hook prerouting priority "
		"raw;}'\n" CMD
		"%snft 'add chain inet raw output { type filter hook output priority raw;}'\n" CMD
		"%snft add rule inet raw prerouting udp dport 53 notrack\n" CMD
		"%snft add rule inet raw output udp sport 53 notrack\n",
		pre, pre, pre, pre, pre);
	mp_buf_printf(a->out,
		      "advice: or with iptables (ip6tables the same for IPv6):\n" CMD
		      "%siptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack\n" CMD
		      "%siptables -t raw -A OUTPUT -p udp --sport 53 -j CT --notrack\n",
		      pre, pre);
	mp_buf_printf(a->out,
		      "advice: rules that match on state then see those packets as untracked: "
		      "accept them by port, or as ct state untracked (iptables: -m conntrack "
		      "--ctstate UNTRACKED)\n");
	/* Only when every backend was read: an unread one may hold the exemptions. */
	if (!r->notrack_rules && ct_rules_complete(r))
		mp_buf_printf(a->out, "advice: no traffic is exempted from tracking yet\n");
}

static void clashes(const struct advice *a)
{
	mp_buf_printf(
		a->out,
		"advice: insert clashes are not a full table, raising the limit does not help: "
		"the first packets of one new flow went out at once on two CPUs and the kernel "
		"could not merge their entries, mostly UDP (DNS) through SNAT, masquerade or "
		"DNAT%s\n",
		a->ns->rules.kinds & CT_RULE_NAT ? " (this namespace has NAT rules: listed above)"
						 : "");
	mp_buf_printf(
		a->out,
		"advice: give SNAT and masquerade rules fully-random (nft: masquerade "
		"fully-random, or iptables: -j MASQUERADE --random-fully), and keep resolvers "
		"from sending two queries from one socket at once (glibc: options "
		"single-request-reopen in /etc/resolv.conf), or run a local DNS cache\n");
}

static void other_drops(const struct advice *a)
{
	mp_buf_printf(a->out,
		      "advice: drops that neither a full table when checked nor insert clashes "
		      "explain: look for \"nf_conntrack: table full, dropping packet\" in the "
		      "kernel log (the table filled between checks: raise the limit) and check "
		      "more often, or look for memory pressure\n");
}

/* --persistence: what makes boot apply the running limit, or the configured one now. */
static void persistence(const struct advice *a)
{
	const struct ct_persistence *p = &a->snap->persistence;
	const struct ct_proc *run = &a->ns->proc;

	/* Raising the limit says where to persist the new one. */
	if ((a->why & CT_WHY_FULL) || !p->boot.found)
		return;
	if (p->refused) {
		mp_buf_printf(a->out,
			      "advice: make %s line %u a number the kernel takes (0 to "
			      "2147483647), e.g. the running limit: %s = %" PRIu64 "\n",
			      p->boot.file, p->boot.line, p->boot.key, run->max);
		return;
	}
	mp_buf_printf(a->out,
		      "advice: to keep the running limit after a reboot, make %s line %u say "
		      "'%s = %" PRIu64 "'. If %d is the limit meant, apply it now:\n" CMD
		      "sysctl -w %s=%d\n",
		      p->boot.file, p->boot.line, p->boot.key, run->max, p->boot.number,
		      run->sysctl_key, p->boot.number);
	mp_buf_printf(a->out,
		      "advice: a configured value that was never applied is a classic: sysctl ran "
		      "before nf_conntrack was loaded. Load it early:\n" CMD
		      "echo nf_conntrack > /etc/modules-load.d/conntrack.conf\n");
}

/* --state-rules, --tracking-rules: the rules there should not be. */
static void rules(const struct advice *a)
{
	const struct ct_rules *r = &a->ns->rules;

	if (a->cfg->state_rules_state >= 0 && r->state_rules)
		mp_buf_printf(
			a->out,
			"advice: --state-rules alerts on the state matches listed above: on a "
			"host meant to be stateless, match on ports and addresses instead, or "
			"remove them: the kernel stops tracking a namespace once nothing in it "
			"needs tracking\n");
	if (a->cfg->tracking_rules_state >= 0 && r->tracking_rules)
		mp_buf_printf(
			a->out,
			"advice: --tracking-rules alerts on everything listed above that makes "
			"the kernel track (state matches, NAT, CONNMARK and other ct use, "
			"stateful objects, sets with a ct count): remove them for a stateless "
			"host: the kernel stops tracking a namespace once nothing in it needs "
			"tracking\n");
}

/* What the owners of the rules say of the limit and of their rules (advice_more.c). */
static void owners(const struct advice *a)
{
	ct_advice_more(a->snap, a->out);
}

/*
 * The advice, one row per piece: the reasons it answers and what writes it, in the order the
 * output lists them. New advice (an owner's, the hash's) is a row here.
 */
static const struct {
	unsigned why;
	void (*give)(const struct advice *a);
} rows[] = {
	{CT_WHY_THRESHOLD, threshold_advice},
	{CT_WHY_FULL | CT_WHY_ASKED, raise_limit},
	{CT_WHY_FULL | CT_WHY_ASKED, exempt_traffic},
	{CT_WHY_CLASH, clashes},
	{CT_WHY_DROPS, other_drops},
	{CT_WHY_PERSISTENCE, persistence},
	{CT_WHY_RULES, rules},
	{CT_WHY_FULL | CT_WHY_ASKED | CT_WHY_RULES, owners},
};

void ct_advice(const struct ct_config *cfg, const struct ct_snapshot *snap, const struct ct_ns *ns,
	       unsigned why, struct mp_buf *out)
{
	const struct advice a = {.cfg = cfg, .snap = snap, .ns = ns, .why = why, .out = out};

	if (!ct_ns_read(ns) || !ns->proc.sysctl_key)
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].why & why)
			rows[i].give(&a);
}
