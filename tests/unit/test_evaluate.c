/*
 * Evaluation (snapshot -> verdict tree: states, texts, perfdata per part, the namespace the
 * summary names and the order of the others, the host-wide sections), advice, and the three
 * formats of the same trees (classic, multi-line, mp-test-json), without the binary. Issue 14's
 * parts: forecast, composition, timeouts, expectations.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "drops.h"
#include "composition.h"
#include "evaluate.h"
#include "expect.h"
#include "timeouts.h"
#include "options.h"
#include "render.h"

#include "ns_fixture.h"
#include "tap.h"

/* A namespace whose table was read; its counters and rules as the cases set them. */
static struct ct_ns ns_read(const char *label, uint64_t entries, uint64_t max)
{
	return ct_test_ns(label, entries, max, 0);
}

/* The drop, early_drop and insert_failed counters, and their rise since a baseline. */
static void counters(struct ct_ns *ns, uint64_t drop, uint64_t rose)
{
	ns->counters_rc = 0;
	ns->counters.source = "netlink";
	ns->counters.present = 1u << CT_DROP | 1u << CT_EARLY_DROP | 1u << CT_INSERT_FAILED;
	ns->counters.value[CT_DROP] = drop;
	ns->retention = CT_RET_DELTA;
	ns->delta[CT_DROP] = rose;
	ns->seconds = 60;
}

static const mp_subcheck *nth(const mp_subcheck_list *l, size_t n)
{
	for (; l && n; n--)
		l = l->next;
	return l ? &l->subcheck : NULL;
}

static const mp_subcheck *top(const struct ct_verdict *v, size_t n)
{
	return nth(v->check.subchecks, n);
}

/* The subcheck of namespace n's part p. */
static const mp_subcheck *part(const struct ct_verdict *v, size_t n, size_t p)
{
	const mp_subcheck *ns = top(v, n);

	return ns ? nth(ns->subchecks, p) : NULL;
}

/* Labels of a part's perfdata, space-separated. */
static const char *labels(const mp_subcheck *sc, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const pd_list *p = sc ? sc->perfdata : NULL; p && o < len; p = p->next)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "", p->data.label);
	return buf;
}

static char *format(struct ct_verdict *v, int format)
{
	char *s;

	if (format < 0) {
		v->check.default_output_override = ct_render_classic;
		v->check.default_output_override_content = v;
	} else {
		mp_set_format((mp_output_format)format);
	}
	s = mp_fmt_output(v->check);
	mp_set_format(MP_FORMAT_MULTI_LINE);
	v->check.default_output_override = NULL;
	return s;
}

static void is_format(struct ct_verdict *v, int f, const char *want, const char *name)
{
	char *got = format(v, f);

	is_str(got, want, name);
	free(got);
}

static void single(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 8500, 10000);
	struct ct_verdict v;
	char buf[256];

	ct_options_init(&cfg);
	snap.ns = &ns;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_WARNING, "85% against 80%/90%: WARNING");
	is_int(v.namespaces, 1, "one namespace");
	is_str(v.check.summary, "8500 of 10000 entries (85.0%), no rule needs connection tracking",
	       "summary: the namespace's phrase");
	is_str(top(&v, 0)->output, v.check.summary, "the namespace's text is its phrase");
	is_str(part(&v, 0, 0)->output, "8500 of 10000 entries (85.0%)", "part 1: utilization");
	is_int(mp_compute_subcheck_state(*part(&v, 0, 0)), STATE_WARNING, "... WARNING");
	is_str(labels(part(&v, 0, 0), buf, sizeof(buf)), "entries utilization",
	       "... with entries and utilization");
	is_str(part(&v, 0, 1)->output, "counters not available", "part 2: counters, none read");
	is_int(mp_compute_subcheck_state(*part(&v, 0, 1)), STATE_OK, "... a note, OK");
	is_str(part(&v, 0, 2)->output, "no rule needs connection tracking", "part 3: rules");
	is_str(labels(part(&v, 0, 2), buf, sizeof(buf)), "state_rules tracking_rules notrack_rules",
	       "... their counts, every backend read");
	is_str(top(&v, 1)->output, "advice", "WARNING: advice follows the namespace");
	is_format(&v, -1,
		  "CONNTRACK WARNING - 8500 of 10000 entries (85.0%), no rule needs connection "
		  "tracking | entries=8500;8000;9000;0;10000 utilization=85.00%;80;90;0;100 "
		  "state_rules=0 tracking_rules=0 notrack_rules=0\n"
		  "counters not available: no source\n"
		  "advice: raise the limit: sysctl -w net.netfilter.nf_conntrack_max=65536 (up to "
		  "20 MiB of kernel memory when full, 320 bytes per entry, estimated)\n"
		  "advice: persist it: echo 'net.netfilter.nf_conntrack_max = 65536' > "
		  "/etc/sysctl.d/90-conntrack.conf, and load nf_conntrack early "
		  "(/etc/modules-load.d/) so the setting finds the key at boot",
		  "classic: status line, perfdata, the lines below the parts");
	is_format(
		&v, MP_FORMAT_MULTI_LINE,
		"[WARNING] - 8500 of 10000 entries (85.0%), no rule needs connection tracking\n"
		"\t\\_[WARNING] - 8500 of 10000 entries (85.0%), no rule needs connection "
		"tracking\n"
		"\t\t\\_[WARNING] - 8500 of 10000 entries (85.0%)\n"
		"\t\t\\_[OK] - counters not available\n"
		"\t\t\t\\_[OK] - counters not available: no source\n"
		"\t\t\\_[OK] - no rule needs connection tracking\n"
		"\t\\_[OK] - advice\n"
		"\t\t\\_[OK] - advice: raise the limit: sysctl -w "
		"net.netfilter.nf_conntrack_max=65536 (up to 20 MiB of kernel memory when full, "
		"320 bytes per entry, estimated)\n"
		"\t\t\\_[OK] - advice: persist it: echo 'net.netfilter.nf_conntrack_max = 65536' "
		"> /etc/sysctl.d/90-conntrack.conf, and load nf_conntrack early "
		"(/etc/modules-load.d/) so the setting finds the key at boot"
		"|'entries'=8500;8000;9000;0;10000 'utilization'=85.000000%;80;90;0;100  "
		"'state_rules'=0;;; 'tracking_rules'=0;;; 'notrack_rules'=0;;; ",
		"multi-line: the tree, perfdata typed after '|' (the library's stray spaces too)");
	ct_verdict_free(&v);

	/* Below the thresholds: OK, and no advice without -v. */
	ns.proc.entries = 5000;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "50%: OK");
	ok(top(&v, 1) == NULL, "OK: nothing after the namespace (no advice without -v)");
	is_format(
		&v, MP_FORMAT_TEST_JSON,
		"{\"state\":\"OK\",\"summary\":\"5000 of 10000 entries (50.0%), no rule needs "
		"connection tracking\",\"checks\":[{\"output\":\"5000 of 10000 entries (50.0%), no "
		"rule needs connection tracking\",\"state\":\"OK\",\"checks\":[{\"output\":\"5000 "
		"of 10000 entries (50.0%)\",\"state\":\"OK\",\"perfdata\":[{\"label\":\"entries\","
		"\"value\":{\"type\":\"uint\",\"value\":\"5000\"},\"warn\":{\"alert_on_inside\":"
		"false,\"end\":{\"type\":\"int\",\"value\":\"8000\"},\"start\":{\"type\":\"int\","
		"\"value\":\"8000\"}},\"crit\":{\"alert_on_inside\":false,\"end\":{\"type\":"
		"\"int\","
		"\"value\":\"9000\"},\"start\":{\"type\":\"int\",\"value\":\"9000\"}},\"min\":{"
		"\"type\":\"uint\",\"value\":\"0\"},\"max\":{\"type\":\"uint\",\"value\":\"10000\"}"
		"},"
		"{\"label\":\"utilization\",\"value\":{\"type\":\"double\",\"value\":\"50.000000\"}"
		","
		"\"uom\":\"%\",\"warn\":{\"alert_on_inside\":false,\"end\":{\"type\":\"int\","
		"\"value\":\"80\"},\"start\":{\"type\":\"int\",\"value\":\"80\"}},\"crit\":{"
		"\"alert_on_inside\":false,\"end\":{\"type\":\"int\",\"value\":\"90\"},\"start\":{"
		"\"type\":\"int\",\"value\":\"90\"}},\"min\":{\"type\":\"int\",\"value\":\"0\"},"
		"\"max\":{\"type\":\"int\",\"value\":\"100\"}}]},{\"output\":\"counters not "
		"available\",\"state\":\"OK\",\"checks\":[{\"output\":\"counters not available: no "
		"source\",\"state\":\"OK\"}]},{\"output\":\"no rule needs connection tracking\","
		"\"state\":\"OK\",\"perfdata\":[{\"label\":\"state_rules\",\"value\":{\"type\":"
		"\"uint\",\"value\":\"0\"}},{\"label\":\"tracking_rules\",\"value\":{\"type\":"
		"\"uint\",\"value\":\"0\"}},{\"label\":\"notrack_rules\",\"value\":{\"type\":"
		"\"uint\",\"value\":\"0\"}}]}]}]}",
		"mp-test-json: the same tree");
	ct_verdict_free(&v);
	cfg.verbose = 1;
	v = ct_evaluate(&cfg, &snap);
	is_str(top(&v, 1) ? top(&v, 1)->output : NULL, "hash: cannot tell",
	       "OK with -v: the hash, unknown without buckets");
	is_str(top(&v, 2) ? top(&v, 2)->output : NULL, "advice", "OK with -v: advice");
	ct_verdict_free(&v);
}

static void watched_and_rules(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 100, 1000);
	struct ct_rule rule = {.family = "inet",
			       .backend = CT_BACKEND_NFT,
			       .table = "t",
			       .chain = "c",
			       .handle = 7,
			       .kinds = CT_RULE_STATE,
			       .what = "ct state"};
	struct ct_verdict v;
	char buf[256];

	ct_options_init(&cfg);
	snap.ns = &ns;
	counters(&ns, 40, 5);
	ct_rules_add(&ns.rules, &rule);
	cfg.state_rules_state = STATE_WARNING;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_CRITICAL,
	       "5 drops since the last check: CRITICAL (default --drop-critical=0)");
	is_str(v.check.summary,
	       "100 of 1000 entries (10.0%), 5 packets dropped (table not full when checked) since "
	       "last check, "
	       "tracking forced by 1 rule (state match)",
	       "summary: the rise folded in, then the rules");
	is_str(part(&v, 0, 1)->output,
	       "5 packets dropped (table not full when checked) since last check",
	       "part 2: the drop counter");
	is_int(mp_compute_subcheck_state(*part(&v, 0, 1)), STATE_CRITICAL, "... CRITICAL");
	is_str(labels(part(&v, 0, 1), buf, sizeof(buf)), "drop", "... with its perfdata");
	is_str(part(&v, 0, 2)->output, "0 early drops since last check", "part 3: early_drop");
	is_int(mp_compute_subcheck_state(*part(&v, 0, 2)), STATE_OK, "... OK");
	is_str(part(&v, 0, 4)->output, "counters from netlink", "part 5: the other counters");
	is_str(nth(part(&v, 0, 4)->subchecks, 0)->output,
	       "since last check (60 s ago, counters from netlink): insert_failed +0, drop +5 "
	       "(0.083/s), early_drop +0",
	       "... the line of what changed");
	is_str(part(&v, 0, 5)->output, "tracking forced by 1 rule (state match)",
	       "part 6: the rules");
	is_int(mp_compute_subcheck_state(*part(&v, 0, 5)), STATE_WARNING,
	       "... --state-rules=warning");
	is_str(nth(part(&v, 0, 5)->subchecks, 0)->output,
	       "rule: nftables inet t c handle 7: ct state", "... the rule as a line");
	ct_verdict_free(&v);

	/* A counter that did not rise is not in the phrase; no baseline, no alert. */
	ns.delta[CT_DROP] = 0;
	cfg.state_rules_state = -1;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "no rise, rules reported only: OK");
	is_str(top(&v, 0)->output,
	       "100 of 1000 entries (10.0%), tracking forced by 1 rule (state match)",
	       "no rise: not in the phrase");
	ct_verdict_free(&v);
	ns.retention = CT_RET_BASELINE;
	snprintf(ns.retention_note, sizeof(ns.retention_note),
		 "counters: first run, baseline saved");
	ns.delta[CT_DROP] = 0;
	v = ct_evaluate(&cfg, &snap);
	is_str(part(&v, 0, 1)->output, "packets dropped: no comparison with the last check",
	       "first run: the drop part says there is nothing to compare");
	is_str(nth(part(&v, 0, 4)->subchecks, 0)->output, "counters: first run, baseline saved",
	       "... and the counters part says why");
	ct_verdict_free(&v);
	ct_rules_free(&ns.rules);
}

static void not_checked(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = {.label = "web", .enter_rc = -EPERM};
	struct ct_verdict v;

	ct_options_init(&cfg);
	cfg.netns = "web"; /* --netns=web: the namespace asked about is named in the summary */
	snap.ns = &ns;
	snprintf(ns.err, sizeof(ns.err),
		 "cannot enter network namespace web: Operation not permitted");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_UNKNOWN, "not entered: UNKNOWN");
	is_str(part(&v, 0, 0)->output, ns.err, "... an UNKNOWN part with the reason");
	is_str(v.check.summary,
	       "netns web: cannot enter network namespace web: Operation not permitted",
	       "... named in the summary");
	ct_verdict_free(&v);

	ns = (struct ct_ns){.label = "host", .proc_rc = -ENOENT};
	snprintf(ns.err, sizeof(ns.err), "no nf_conntrack_count");
	cfg.missing_state = STATE_CRITICAL;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_CRITICAL, "not active, --missing=critical");
	is_str(part(&v, 0, 0)->output, "connection tracking is not active (no nf_conntrack_count)",
	       "... says so");
	ct_verdict_free(&v);
}

/* --netns=all: which namespace the summary names, and the order of the others. */
static void selection(void)
{
	struct ct_config cfg;
	struct ct_ns ns[4] = {ns_read("host", 100, 1000),
			      ns_read("busy", 850, 1000),
			      ns_read("dropping", 300, 1000),
			      {.label = "gone", .enter_rc = -ENOENT}};
	struct ct_snapshot snap = {.n = 4, .ns = ns, .multi = true};
	struct ct_verdict v;
	char buf[512];

	ct_options_init(&cfg);
	snprintf(ns[3].err, sizeof(ns[3].err), "cannot open network namespace gone");
	counters(&ns[2], 9, 9);
	v = ct_evaluate(&cfg, &snap);
	is_int(v.namespaces, 4, "four namespaces, then the sections");
	is_str(top(&v, 0)->output,
	       "netns dropping: CRITICAL - 300 of 1000 entries (30.0%), 9 packets dropped (table "
	       "not full when checked) since last check, no rule needs connection tracking",
	       "first: the worst state (CRITICAL at 30%), not the fullest table (WARNING at 85%)");
	ok(strncmp(top(&v, 1)->output, "netns busy: WARNING - ", 22) == 0, "then WARNING");
	ok(strncmp(top(&v, 2)->output, "netns host: OK - ", 17) == 0, "then OK");
	ok(strncmp(top(&v, 3)->output, "netns gone: UNKNOWN - ", 22) == 0,
	   "last: the namespace that could not be read, whatever its state");
	is_str(v.check.summary,
	       "netns dropping: 300 of 1000 entries (30.0%), 9 packets dropped (table not full "
	       "when checked) since "
	       "last check (fullest of 4 namespaces, 1 not checked: see below), no rule needs "
	       "connection tracking",
	       "summary: the first namespace, and what --netns=all covered");
	is_str(labels(part(&v, 0, 0), buf, sizeof(buf)),
	       "entries utilization dropping_entries dropping_utilization",
	       "the first namespace carries the plain labels and its own");
	is_str(labels(part(&v, 1, 0), buf, sizeof(buf)), "busy_entries busy_utilization",
	       "the others their own");
	is_str(labels(part(&v, 0, 1), buf, sizeof(buf)), "drop dropping_drop",
	       "the drop counter: plain and per namespace");
	ct_verdict_free(&v);

	/* None could be read: the summary names the first that could not. */
	snap.n = 1;
	snap.ns = &ns[3];
	v = ct_evaluate(&cfg, &snap);
	ok(strncmp(v.check.summary, "netns gone: cannot open", 23) == 0,
	   "only an unreadable namespace: it is named");
	ct_verdict_free(&v);

	/* Namespaces not seen leave the check incomplete: UNKNOWN, with a section saying why. */
	snap.n = 1;
	snap.ns = ns;
	snap.scan.unseen = 2;
	snap.scan.unseen_errno = EACCES;
	snprintf(snap.scan.unseen_why, sizeof(snap.scan.unseen_why), "pid 1: Permission denied");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_UNKNOWN,
	       "2 namespaces not seen, the one seen OK: UNKNOWN");
	is_str(v.check.summary,
	       "netns host: 100 of 1000 entries (10.0%) (fullest of 1 namespace, 2 more held by "
	       "processes not seen (/proc/PID/ns/net: Permission denied: needs root)), no rule "
	       "needs connection tracking",
	       "... the summary says what was not seen, and why");
	is_str(top(&v, 1)->output,
	       "netns: not every namespace could be seen, so not every one was checked",
	       "a coverage section");
	is_int(mp_compute_subcheck_state(*top(&v, 1)), STATE_UNKNOWN, "... UNKNOWN");
	ct_verdict_free(&v);
	/* What was seen is worse: that state stands. */
	snap.n = 2;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_WARNING,
	       "not every namespace seen, one seen WARNING: WARNING");
	ct_verdict_free(&v);
}

static void host_sections(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 10, 1000);
	struct ct_verdict v;

	ct_options_init(&cfg);
	snap.ns = &ns;
	counters(&ns, 0, 0);
	snap.persistence.checked = true;
	snap.persistence.boot.found = true;
	snap.persistence.mismatch = true;
	snprintf(snap.persistence.boot.key, sizeof(snap.persistence.boot.key),
		 "net.nf_conntrack_max");
	snprintf(snap.persistence.boot.value, sizeof(snap.persistence.boot.value), "2000");
	snprintf(snap.persistence.boot.file, sizeof(snap.persistence.boot.file),
		 "/etc/sysctl.conf");
	snap.persistence.boot.number = 2000;
	snap.persistence.boot.line = 3;
	cfg.persistence_state = STATE_WARNING;
	snap.store.unusable = true;
	snprintf(snap.store.why, sizeof(snap.store.why), "read-only file system");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_WARNING,
	       "limit not persistent (WARNING) and counters not kept (UNKNOWN): WARNING");
	is_str(v.check.summary,
	       "10 of 1000 entries (1.0%), no rule needs connection tracking, limit not "
	       "persistent, drop detection off: state not kept (read-only file system)",
	       "summary: the host's findings after the namespace's phrase");
	is_str(top(&v, 1)->output, "drop detection off: state not kept (read-only file system)",
	       "state directory section");
	is_int(mp_compute_subcheck_state(*top(&v, 1)), STATE_UNKNOWN, "... --state-unusable");
	is_str(top(&v, 2)->output, "persistence: limit not persistent", "persistence section");
	is_int(mp_compute_subcheck_state(*top(&v, 2)), STATE_WARNING, "... --persistence=warning");
	ok(strncmp(nth(top(&v, 2)->subchecks, 0)->output,
		   "persistence: the running limit 1000 is not what boot applies: "
		   "net.nf_conntrack_max = 2000 (/etc/sysctl.conf line 3)",
		   80) == 0,
	   "... its line");
	ct_verdict_free(&v);

	/* Persistence that cannot be told is UNKNOWN when asked, never the alert. */
	snap.store.unusable = false;
	snap.persistence.mismatch = false;
	snap.persistence.rc = -EACCES;
	snprintf(snap.persistence.err, sizeof(snap.persistence.err), "cannot read /etc/sysctl.d");
	cfg.persistence_state = STATE_CRITICAL;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_UNKNOWN,
	       "persistence undecided, --persistence=critical: UNKNOWN");
	ct_verdict_free(&v);

	/* A limit of 0: no utilization, count thresholds only, a line on the limit. */
	snap.persistence = (struct ct_persistence){0};
	ns.proc.max = 0;
	v = ct_evaluate(&cfg, &snap);
	is_str(part(&v, 0, 0)->output, "10 entries (no limit)", "limit 0: entries only");
	is_str(nth(top(&v, 1)->subchecks, 0)->output,
	       "net.netfilter.nf_conntrack_max is 0: the kernel sets no limit, percent thresholds "
	       "do not apply",
	       "limit 0: said in a section of its own");
	ct_verdict_free(&v);
}

static void advice(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {0};
	struct ct_ns ns = ns_read("host", 9000, 10000);
	struct mp_buf b = {0};

	ns.proc.buckets = 2500;
	ns.proc.have_buckets = true;
	snap.persistence.object_size = 256;
	ct_options_init(&cfg);
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	is_str(mp_buf_str(&b),
	       "advice: raise the limit: sysctl -w net.netfilter.nf_conntrack_max=65536 (up to 16 "
	       "MiB of kernel memory when full, 256 bytes per entry)\n"
	       "advice: size the hash table with it: 16384 buckets (now 2500): echo 16384 > "
	       "/sys/module/nf_conntrack/parameters/hashsize, persisted as 'options nf_conntrack "
	       "hashsize=16384' in /etc/modprobe.d/\n"
	       "advice: persist it: echo 'net.netfilter.nf_conntrack_max = 65536' > "
	       "/etc/sysctl.d/90-conntrack.conf, and load nf_conntrack early "
	       "(/etc/modules-load.d/) "
	       "so the setting finds the key at boot\n",
	       "advice: twice the limit in 64 Ki steps, its memory, buckets at today's ratio");
	mp_buf_free(&b);

	snap.persistence.boot.found = true;
	snprintf(snap.persistence.boot.file, sizeof(snap.persistence.boot.file),
		 "/etc/sysctl.conf");
	snap.persistence.boot.line = 4;
	ns.rules.tracking_rules = 1;
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b),
		  "advice: persist it where boot sets it now: /etc/sysctl.conf line 4\n") != NULL,
	   "advice: persisted where boot already sets it");
	ok(strstr(mp_buf_str(&b), "advice: or track less (the lasting cure)") != NULL,
	   "advice: rules force tracking, so exempting traffic is advised");
	ok(strstr(mp_buf_str(&b), "advice: no traffic is exempted from tracking yet\n") != NULL,
	   "advice: every backend read and no exemption: says so");
	mp_buf_free(&b);

	ns.rules.read[CT_BACKEND_NFT] = CT_READ_FAILED;
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "no traffic is exempted") == NULL,
	   "advice: a backend not read may hold exemptions: no claim");
	mp_buf_free(&b);

	ns.proc.max = 2147483647;
	ns.proc.entries = 2147483647;
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	ok(strncmp(mp_buf_str(&b),
		   "advice: the limit cannot be raised: net.netfilter.nf_conntrack_max is "
		   "2147483647, the kernel takes at most 2147483647\n",
		   100) == 0,
	   "advice: nothing above what the kernel takes");
	mp_buf_free(&b);
}

/* -w or -c as the command line gives it, into cfg. */
static void parse_range(struct ct_config *cfg, int opt, const char *value)
{
	char name[16] = "check_conntrack", o[3] = {'-', (char)opt, '\0'}, v[32];
	char *argv[] = {name, o, v, NULL};
	struct ct_config_result r;

	snprintf(v, sizeof(v), "%s", value);
	r = ct_options_parse(3, argv, 0);
	if (opt == 'w')
		cfg->warn = r.config.warn;
	else
		cfg->crit = r.config.crit;
}

/* Which drop is which: the fill now and at the last check, early drops, failed inserts. */
static void drop_causes(void)
{
	struct ct_ns ns = ns_read("host", 500, 262144);
	char line[640];

	counters(&ns, 10, 10);
	is_int(ct_drop_cause(&ns), CT_DROPS_OTHER, "drops alone at 0.2%, no fill kept: neither");
	ns.counters.present &= ~(1u << CT_INSERT_FAILED);
	is_int(ct_drop_cause(&ns), CT_DROPS_OTHER,
	       "no insert_failed counter: never called clashes");
	ct_drop_line(&ns, line, sizeof(line));
	ok(strstr(line, "this kernel does not count failed inserts") != NULL, "... and said why");
	ns.counters.present |= 1u << CT_INSERT_FAILED;
	ns.delta[CT_INSERT_FAILED] = 10;
	is_int(ct_drop_cause(&ns), CT_DROPS_CLASH, "as many failed inserts: clashes");
	ns.delta[CT_INSERT_FAILED] = 9;
	is_int(ct_drop_cause(&ns), CT_DROPS_OTHER, "fewer failed inserts than drops: not clashes");
	ns.delta[CT_EARLY_DROP] = 1;
	is_int(ct_drop_cause(&ns), CT_DROPS_FULL, "an eviction: a full table");
	ns.delta[CT_EARLY_DROP] = 0;
	ns.proc.entries = 235930; /* 90.0004% */
	is_int(ct_drop_cause(&ns), CT_DROPS_FULL, "at 90% of the limit now: a full table");
	ns.proc.entries = 235929;
	is_int(ct_drop_cause(&ns), CT_DROPS_OTHER, "just below 90%: not near full");
	ns.have_prev = true;
	ns.prev_entries = 262144;
	ns.prev_max = 262144;
	is_int(ct_drop_cause(&ns), CT_DROPS_FULL, "full at the last check: a full table");
	ct_drop_line(&ns, line, sizeof(line));
	is_str(line,
	       "drop: table full: the table was at 90.0% of its limit now and 100.0% at the last "
	       "check (near full: 90% or more)",
	       "... its line");
	ns.proc.max = 0;
	ns.prev_max = 0;
	is_int(ct_drop_cause(&ns), CT_DROPS_OTHER, "no limit: never a full table");
	ns.retention = CT_RET_BASELINE;
	is_int(ct_drop_cause(&ns), CT_DROPS_NONE, "no comparison: no cause");
	is_int(ct_drop_line(&ns, line, sizeof(line)), 0, "... and no line");
}

/* The advice answers the reasons of the alert, and only them. */
static void reasons(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {0};
	struct ct_ns ns = ns_read("host", 500, 262144);
	struct mp_buf b = {0};
	char note[200];

	ct_options_init(&cfg);
	is_int(ct_why_utilization(&cfg, &ns), CT_WHY_THRESHOLD, "0.2%: not a full table");
	ns.proc.entries = 240000;
	is_int(ct_why_utilization(&cfg, &ns), CT_WHY_FULL, "91.6%: a full table");
	ns.proc.entries = 220000;
	is_int(ct_why_utilization(&cfg, &ns), CT_WHY_FULL, "83.9% against -w 80%: filling");
	parse_range(&cfg, 'w', "10%:");
	ns.proc.entries = 500;
	is_int(ct_why_utilization(&cfg, &ns), CT_WHY_THRESHOLD,
	       "-w 10%: (alert below) at 0.2%: more room would not clear it");
	is_int(ct_why_counter(&ns, CT_EARLY_DROP), CT_WHY_FULL, "early drops: a full table");
	is_int(ct_why_counter(&ns, CT_INSERT_FAILED), CT_WHY_CLASH, "failed inserts: clashes");

	ct_options_init(&cfg);
	parse_range(&cfg, 'w', "80");
	parse_range(&cfg, 'c', "~:90");
	ct_threshold_note(&cfg, &ns, note, sizeof(note));
	is_str(note, "-w 80 and -c ~:90 are 80 and ~:90 entries, 80% and ~:90% are the utilization",
	       "the note names both as written");
	parse_range(&cfg, 'c', "101");
	ct_threshold_note(&cfg, &ns, note, sizeof(note));
	is_str(note, "-w 80 is 80 entries, 80% is the utilization", "-c 101: not a percentage");

	/* Under --netns: the way into the namespace, as it is named. */
	cfg.netns = "all";
	ns.rules.tracking_rules = 1;
	ns.rules.kinds = CT_RULE_STATE | CT_RULE_NAT;
	snprintf(ns.label, sizeof(ns.label), "pid 1234 (nginx)");
	ct_advice(&cfg, &snap, &ns, CT_WHY_ASKED, &b);
	ok(strstr(mp_buf_str(&b), "\n    nsenter -t 1234 -n nft add table inet raw\n") != NULL,
	   "a process's namespace: nsenter -t PID -n");
	ok(strstr(mp_buf_str(&b), "not in netns pid 1234 (nginx), where it is read-only") != NULL,
	   "... and the limit is the host's");
	mp_buf_free(&b);
	snprintf(ns.label, sizeof(ns.label), "/proc/1/ns/net");
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "\n    nsenter --net=/proc/1/ns/net nft add table inet raw\n") !=
		   NULL,
	   "a namespace file: nsenter --net=PATH");
	mp_buf_free(&b);
	snprintf(ns.label, sizeof(ns.label), "odd name");
	ct_advice(&cfg, &snap, &ns, CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "queries and answers, in netns odd name, these lines") != NULL &&
		   strstr(mp_buf_str(&b), "\n    nft add table inet raw\n") != NULL,
	   "a name a shell would split: the lines as they are, the namespace named");
	mp_buf_free(&b);
	snprintf(ns.label, sizeof(ns.label), "host");
	cfg.netns = NULL;

	/* Each reason its own advice. */
	ct_advice(&cfg, &snap, &ns, CT_WHY_CLASH, &b);
	ok(strstr(mp_buf_str(&b), "(this namespace has NAT rules: listed above)") != NULL,
	   "clashes: the NAT rules of the namespace pointed at");
	ok(strstr(mp_buf_str(&b), "raise the limit:") == NULL, "clashes: no higher limit");
	mp_buf_free(&b);
	cfg.state_rules_state = STATE_WARNING;
	ns.rules.state_rules = 1;
	ct_advice(&cfg, &snap, &ns, CT_WHY_RULES, &b);
	ok(strncmp(mp_buf_str(&b), "advice: --state-rules alerts on the state matches", 49) == 0,
	   "--state-rules: advice about the state matches");
	ok(strstr(mp_buf_str(&b), "--tracking-rules alerts") == NULL,
	   "... not about --tracking-rules, not given");
	mp_buf_free(&b);
	cfg.tracking_rules_state = STATE_CRITICAL;
	ct_advice(&cfg, &snap, &ns, CT_WHY_RULES, &b);
	ok(strstr(mp_buf_str(&b), "advice: --tracking-rules alerts on everything listed above") !=
		   NULL,
	   "--tracking-rules: advice about everything that forces tracking");
	mp_buf_free(&b);
	ct_advice(&cfg, &snap, &ns, CT_WHY_DROPS, &b);
	ok(strncmp(mp_buf_str(&b), "advice: drops that neither a full table", 39) == 0,
	   "drops neither explains: the kernel log");
	mp_buf_free(&b);
	snap.persistence.checked = true;
	snap.persistence.boot.found = true;
	snprintf(snap.persistence.boot.file, sizeof(snap.persistence.boot.file),
		 "/etc/sysctl.conf");
	snprintf(snap.persistence.boot.key, sizeof(snap.persistence.boot.key),
		 "net.netfilter.nf_conntrack_max");
	snap.persistence.boot.line = 3;
	snap.persistence.boot.number = 65536;
	ct_advice(&cfg, &snap, &ns, CT_WHY_PERSISTENCE | CT_WHY_FULL, &b);
	ok(strstr(mp_buf_str(&b), "to keep the running limit") == NULL &&
		   strstr(mp_buf_str(&b),
			  "persist it where boot sets it now: /etc/sysctl.conf line 3") != NULL,
	   "persistence with a full table: said once, with the new limit");
	mp_buf_free(&b);
	ct_advice(&cfg, &snap, &ns, CT_WHY_PERSISTENCE, &b);
	ok(strstr(mp_buf_str(&b), "\n    sysctl -w net.netfilter.nf_conntrack_max=65536\n") != NULL,
	   "persistence alone: the configured limit applied now, on a line of its own");
	mp_buf_free(&b);
}

/* The part of namespace 0 whose text starts with prefix, or NULL. */
static const mp_subcheck *part_named(const struct ct_verdict *v, const char *prefix)
{
	const mp_subcheck *ns = top(v, 0);

	for (const mp_subcheck_list *l = ns ? ns->subchecks : NULL; l; l = l->next)
		if (strncmp(l->subcheck.output, prefix, strlen(prefix)) == 0)
			return &l->subcheck;
	return NULL;
}

/* The classic output holds this line (or, with a trailing '*', a line starting so). */
static bool has_line(struct ct_verdict *v, const char *line)
{
	char *out = format(v, -1), *p = out;
	size_t n = strlen(line);
	bool prefix = n && line[n - 1] == '*', found = false;

	if (prefix)
		n--;
	while (p && *p && !found) {
		size_t len = strcspn(p, "\n");

		found = prefix ? len >= n && strncmp(p, line, n) == 0
			       : len == n && strncmp(p, line, n) == 0;
		p += len;
		p += *p == '\n';
	}
	free(out);
	return found;
}

static bool first_line_has(struct ct_verdict *v, const char *text)
{
	char *out = format(v, -1);
	char *nl = strchr(out, '\n');
	bool found;

	if (nl)
		*nl = '\0';
	found = strstr(out, text) != NULL;
	free(out);
	return found;
}

static struct ct_threshold threshold(const char *opt, const char *text)
{
	char *argv[] = {"check_conntrack", (char *)opt, (char *)text, NULL};
	struct ct_config_result r = ct_options_parse(3, argv, 0);

	if (strcmp(opt, "--time-to-full-warning") == 0)
		return r.config.ttf_warn;
	if (strcmp(opt, "--time-to-full-critical") == 0)
		return r.config.ttf_crit;
	return strcmp(opt, "--expect-warning") == 0 ? r.config.expect_warn : r.config.expect_crit;
}

static void forecast_part(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 48000, 262144);
	struct ct_verdict v;
	struct ct_forecast f;
	uint64_t ttf;
	char want[256];

	ct_options_init(&cfg);
	snap.ns = &ns;
	counters(&ns, 0, 0);
	/* Twelve samples two minutes apart, 4000 entries more each time: 2000 a minute. */
	ns.fc_kept = true;
	for (int i = 0; i < 12; i++)
		ns.fc_ring.s[i] = (struct ct_fc_sample){1700000000u + 120u * (unsigned)i,
							4000u * (unsigned)(i + 1)};
	ns.fc_ring.n = 12;
	ns.fc_ring.max = 262144;
	ns.fc_now = 1700000000u + 120u * 11;
	f = ct_forecast(&ns.fc_ring, ns.fc_now, 48000, 262144);
	ttf = 0;
	ct_forecast_time_to_full(&f, &ttf);
	is_int(ttf, (262144 - 48000) * 60 / 2000 + 1, "the series grows 2000 a minute: full then");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "growing, no threshold: OK");
	is_str(part_named(&v, "forecast") ? part_named(&v, "forecast")->output : NULL,
	       "forecast: full in ~107 min at the current rate", "the forecast part");
	is_str(v.check.summary,
	       "48000 of 262144 entries (18.3%), full in ~107 min at the current rate, no rule "
	       "needs connection tracking",
	       "the summary says when");
	ok(has_line(&v,
		    "forecast: full in ~107 min at the current rate (+2000 entries/min over the "
		    "last 10 min, growing over the 22 min of 12 samples, 48000 of 262144 "
		    "entries now)"),
	   "the forecast: line in the long output");
	snprintf(want, sizeof(want), " insert_failed=0c drop=0c early_drop=0c time_to_full=%llus",
		 (unsigned long long)ttf);
	ok(first_line_has(&v, want), "perfdata time_to_full=%llus after the counters",
	   (unsigned long long)ttf);
	ct_verdict_free(&v);

	cfg.ttf_warn = threshold("--time-to-full-warning", "7200:");
	cfg.ttf_crit = threshold("--time-to-full-critical", "1800:");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_WARNING,
	       "--time-to-full-warning=7200: and 107 min to full: WARNING");
	snprintf(want, sizeof(want), " time_to_full=%llus;7200:;1800:", (unsigned long long)ttf);
	ok(first_line_has(&v, want), "... the thresholds in its perfdata");
	ct_verdict_free(&v);

	/* Flat: no time to full, no perfdata, nothing in the summary, no alert. */
	for (int i = 0; i < 12; i++)
		ns.fc_ring.s[i].entries = 48000;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "flat with thresholds set: OK");
	is_str(part_named(&v, "forecast")->output, "forecast: not growing toward the limit",
	       "... the part says so");
	ok(!first_line_has(&v, "time_to_full"), "... no time_to_full perfdata");
	ok(!strstr(v.check.summary, "full in"), "... nothing in the summary");
	ct_verdict_free(&v);

	/* No samples kept: cannot tell, and why. */
	ns.fc_kept = false;
	snprintf(ns.fc_note, sizeof(ns.fc_note), "no samples kept between runs (%s)",
		 "/x is not a directory");
	v = ct_evaluate(&cfg, &snap);
	ok(has_line(&v, "forecast: cannot tell (no samples kept between runs (/x is not a "
			"directory))"),
	   "no samples kept: cannot tell, and why");
	is_int(mp_compute_check_state(v.check), STATE_OK, "... never an alert of its own");
	ct_verdict_free(&v);
}

static void composition_part(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 8500, 10000);
	struct ct_composition c;
	struct ct_timeouts t = {0};
	struct ct_verdict v;
	const uint8_t src[4] = {10, 1, 2, 7}, dst[4] = {10, 53, 0, 53}, web[4] = {10, 80, 0, 80};

	ct_options_init(&cfg);
	snap.ns = &ns;
	ct_composition_init(&c, 100, false);
	for (int i = 0; i < 71; i++)
		ct_composition_add(&c, CT_P_UDP, 0, 0, AF_INET, src, dst, 53);
	for (int i = 0; i < 29; i++)
		ct_composition_add(&c, CT_P_TCP, 7, 1u << 2, AF_INET, src, web, 80);
	c.end = CT_SAMPLE_CAP;
	for (int i = 0; i < CT_TO_MAX; i++)
		t.value[i] = 120;
	t.value[CT_TO_UDP] = 30;
	ns.inside.composition = &c;
	ns.inside.timeouts = &t;
	ns.inside.pressure = true;
	snprintf(ns.inside.why, sizeof(ns.inside.why), "at the warning threshold");
	v = ct_evaluate(&cfg, &snap);
	is_str(v.check.summary,
	       "8500 of 10000 entries (85.0%), 71% udp unreplied, 71% to port 53, 100% from "
	       "10.1.2.0/24 (100 of 8500 sampled), no rule needs connection tracking",
	       "under pressure: the composition's headline in the summary");
	is_str(part_named(&v, "composition")->output,
	       "composition: sampled under pressure (at the warning threshold)",
	       "the composition part says why it sampled");
	ok(has_line(&v, "composition: 71% udp unreplied, 71% to port 53, 100% from 10.1.2.0/24 "
			"(100 of 8500 sampled)"),
	   "... its headline as a line");
	ok(has_line(&v, "composition: destination ports: 53/udp 71%, 80/tcp 29%"),
	   "... and the shares");
	ok(!has_line(&v, "composition: source addresses:*"), "... no full address without -vv");
	is_str(part_named(&v, "timeouts")->output,
	       "timeouts: udp unreplied entries live 30 s idle (nf_conntrack_udp_timeout)",
	       "the timeouts part names the timeout that keeps the dominant class");
	ok(has_line(&v, "timeouts: 71% of sampled entries are udp unreplied, held by "
			"nf_conntrack_udp_timeout = 30 (30 s): *"),
	   "... its line, with the trade-off");
	is_int(mp_compute_subcheck_state(*part_named(&v, "composition")), STATE_OK,
	       "... notes, never a state");
	ct_verdict_free(&v);

	/* Sampled for -v only: the lines, but the summary stays as it was. */
	ns.proc.entries = 5000;
	ns.inside.pressure = false;
	snprintf(ns.inside.why, sizeof(ns.inside.why), "-v");
	cfg.verbose = 1;
	v = ct_evaluate(&cfg, &snap);
	is_str(v.check.summary, "5000 of 10000 entries (50.0%), no rule needs connection tracking",
	       "-v, not under pressure: the summary is unchanged");
	is_str(part_named(&v, "composition")->output, "composition: sampled (-v)",
	       "... the part says why it sampled");
	ct_verdict_free(&v);

	/* Not sampled: said with -v only. */
	ns.inside.composition = NULL;
	ns.inside.timeouts = NULL;
	snprintf(ns.inside.why, sizeof(ns.inside.why),
		 "not sampled (ctnetlink needs CAP_NET_ADMIN)");
	v = ct_evaluate(&cfg, &snap);
	ok(has_line(&v, "composition: not sampled (ctnetlink needs CAP_NET_ADMIN)"),
	   "-v without CAP_NET_ADMIN: says why not");
	ct_verdict_free(&v);
	cfg.verbose = 0;
	v = ct_evaluate(&cfg, &snap);
	ok(!part_named(&v, "composition") && !part_named(&v, "timeouts"),
	   "without -v: says nothing");
	ct_verdict_free(&v);
}

static void expect_part(void)
{
	struct ct_config cfg;
	struct ct_snapshot snap = {.n = 1};
	struct ct_ns ns = ns_read("host", 100, 10000);
	struct ct_expect e = {.source = "netlink dump", .count = 3900, .max = 4096};
	struct ct_verdict v;

	ct_options_init(&cfg);
	snap.ns = &ns;
	snprintf(e.helper[0].name, sizeof(e.helper[0].name), "sip");
	e.helper[0].count = 3900;
	e.helpers = 1;
	ns.inside.expect = &e;
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK,
	       "3900 of 4096 expectations, no threshold: OK");
	is_str(part_named(&v, "expect")->output, "expect: 3900 of 4096 expectations (95.2%)",
	       "the expect part");
	ok(has_line(&v, "expect: 3900 of 4096 expectations (95.2%, netlink dump): sip 3900"),
	   "... its line, by helper");
	ok(first_line_has(&v, " expect=3900;;;0;4096"), "... perfdata expect=N;W;C;0;MAX");
	ct_verdict_free(&v);

	cfg.expect_warn = threshold("--expect-warning", "80%");
	cfg.expect_crit = threshold("--expect-critical", "4000");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_WARNING, "--expect-warning=80%: WARNING");
	is_str(v.check.summary,
	       "100 of 10000 entries (1.0%), expectation table 95.2% full (3900 of 4096), no rule "
	       "needs connection tracking",
	       "... said in the summary");
	ok(first_line_has(&v, " expect=3900;3276;4000;0;4096"),
	   "... the percentage as a count in perfdata, the count as it is");
	e.count = 4001;
	ct_verdict_free(&v);
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_CRITICAL, "--expect-critical=4000: CRITICAL");
	ct_verdict_free(&v);

	/* None, no threshold: the part and its perfdata, no line. */
	ct_options_init(&cfg);
	e.count = 0;
	e.helpers = 0;
	v = ct_evaluate(&cfg, &snap);
	ok(part_named(&v, "expect") && !part_named(&v, "expect")->subchecks,
	   "no expectation, no threshold: no line");
	ok(first_line_has(&v, " expect=0;;;0;4096"), "... the perfdata still");
	ct_verdict_free(&v);

	/* Cannot tell: OK unless a threshold asks; then UNKNOWN, and why. */
	e.count_rc = -ENOENT;
	snprintf(e.count_why, sizeof(e.count_why),
		 "the stat file has no expect_create and "
		 "expect_delete columns");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_OK, "cannot tell, no threshold: OK");
	ok(!first_line_has(&v, "expect="), "... and no perfdata (no number claimed)");
	ct_verdict_free(&v);
	cfg.expect_warn = threshold("--expect-warning", "10");
	v = ct_evaluate(&cfg, &snap);
	is_int(mp_compute_check_state(v.check), STATE_UNKNOWN,
	       "cannot tell, a threshold set: UNKNOWN");
	ok(has_line(&v, "expect: cannot tell how many expectations there are (the stat file has "
			"no expect_create and expect_delete columns), nf_conntrack_expect_max is "
			"4096"),
	   "... and why");
	ct_verdict_free(&v);
}

int main(void)
{
	single();
	watched_and_rules();
	not_checked();
	selection();
	host_sections();
	advice();
	drop_causes();
	reasons();
	forecast_part();
	composition_part();
	expect_part();
	return tap_done();
}
