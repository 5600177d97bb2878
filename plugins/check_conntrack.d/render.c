/* Renders the verdict: the status line, perfdata and long output. Reads no files. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

/*
 * A threshold as perfdata wants it on one scale. For integer entries, alerting above x is the
 * same as alerting above floor(x) and below x the same as below ceil(x), so percent thresholds
 * convert to whole entry counts without changing when they fire.
 */
static const char *threshold_on(const struct ct_threshold *t, bool want_percent, uint64_t max,
				char *buf, size_t len)
{
	struct mp_range r;

	if (!t->set)
		return NULL;
	if (t->percent == want_percent)
		return mp_range_format(&t->range, buf, len);
	if (max == 0)
		return NULL;
	r = t->range;
	if (want_percent) {
		r.start = r.start * 100.0 / (double)max;
		r.end = r.end * 100.0 / (double)max;
	} else {
		r.start = ceil(r.start * (double)max / 100.0);
		r.end = floor(r.end * (double)max / 100.0);
	}
	return mp_range_format(&r, buf, len);
}

#define CT_PREFIX 192

/* What each namespace adds in --netns=all: single words, so a label splits at its last '_'. */
static const char *const ns_metrics[] = {"entries", "utilization", "drop"};
static const char *const plain_labels[] = {"entries",	  "utilization",    "buckets",
					   "state_rules", "tracking_rules", "notrack_rules"};

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

static bool is_plain_label(const char *l)
{
	for (size_t i = 0; i < sizeof(plain_labels) / sizeof(plain_labels[0]); i++)
		if (strcmp(l, plain_labels[i]) == 0)
			return true;
	for (int i = 0; i < CT_COUNTER_MAX; i++)
		if (strcmp(l, ct_counter_names[i]) == 0)
			return true;
	return false;
}

/* A prefix that would make a plain label: a namespace "early" would emit early_drop. */
static bool reserved(const char *pre)
{
	char l[CT_PREFIX + 16];

	if (!pre[0])
		return true;
	for (size_t m = 0; m < sizeof(ns_metrics) / sizeof(ns_metrics[0]); m++) {
		snprintf(l, sizeof(l), "%s%s", pre, ns_metrics[m]);
		if (is_plain_label(l))
			return true;
	}
	return false;
}

/*
 * Unique perfdata prefixes for --netns=all. A name that is label-safe as it is keeps its form
 * ("web": web_entries), as does a changed one that clashes with nothing ("pid 7 (nginx)":
 * pid_7_nginx_entries). Any other gets its namespace's inode behind "__", which no safe form holds:
 * "a:b" beside "a_b" gives a_b__4026532345_entries. Inodes differ, so prefixes do.
 */
static char (*ns_prefixes(const struct ct_snapshot *snap))[CT_PREFIX]
{
	size_t n = snap->n ? snap->n : 1;
	char(*pre)[CT_PREFIX] = calloc(n, CT_PREFIX);
	bool *plain = calloc(n, sizeof(*plain)), *keep = calloc(n, sizeof(*keep));

	for (size_t i = 0; pre && plain && keep && i < snap->n; i++) {
		const char *l = snap->ns[i].label;

		label_base(l, pre[i], CT_PREFIX);
		plain[i] = strlen(pre[i]) == strlen(l) + 1 && strncmp(pre[i], l, strlen(l)) == 0;
	}
	for (size_t i = 0; pre && plain && keep && i < snap->n; i++) {
		keep[i] = !reserved(pre[i]);
		/* A plain name yields to an earlier plain one only; a changed one to any other. */
		for (size_t j = 0; j < snap->n && keep[i]; j++)
			if (j != i && strcmp(pre[i], pre[j]) == 0 &&
			    (!plain[i] || (plain[j] && j < i)))
				keep[i] = false;
	}
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

/* pre: the namespace's label prefix in --netns=all, "" for the plain labels. */
static void perf_ns(const struct ct_config *cfg, const struct ct_snapshot *snap,
		    const struct ct_ns *ns, const struct ct_ns_result *r, const char *pre,
		    struct mp_buf *perf)
{
	const struct ct_proc *p = &ns->proc;
	bool plain = !pre[0];
	char v[40], w[96], c[96], mx[40], label[CT_PREFIX + 40];

	if (!ct_ns_read(ns))
		return;
	snprintf(v, sizeof(v), "%" PRIu64, p->entries);
	snprintf(mx, sizeof(mx), "%" PRIu64, p->max);
	snprintf(label, sizeof(label), "%sentries", pre);
	mp_perf_add(perf, label, v, NULL, threshold_on(&cfg->warn, false, p->max, w, sizeof(w)),
		    threshold_on(&cfg->crit, false, p->max, c, sizeof(c)), "0", p->max ? mx : NULL);
	if (r->have_utilization) {
		snprintf(v, sizeof(v), "%.2f", r->utilization);
		snprintf(label, sizeof(label), "%sutilization", pre);
		mp_perf_add(perf, label, v, "%",
			    threshold_on(&cfg->warn, true, p->max, w, sizeof(w)),
			    threshold_on(&cfg->crit, true, p->max, c, sizeof(c)), "0", "100");
	}
	if (p->have_buckets && (plain || !snap->multi)) {
		snprintf(v, sizeof(v), "%" PRIu64, p->buckets);
		mp_perf_add(perf, "buckets", v, NULL, NULL, NULL, NULL, NULL);
	}
	if (!plain && snap->multi) {
		/* Per namespace in --netns=all: the essentials only, or the line grows too long. */
		if ((ns->counters_rc == 0) && (ns->counters.present & (1u << CT_DROP))) {
			snprintf(v, sizeof(v), "%" PRIu64, ns->counters.value[CT_DROP]);
			snprintf(label, sizeof(label), "%sdrop", pre);
			mp_perf_add(perf, label, v, "c", NULL, NULL, NULL, NULL);
		}
		return;
	}
	/* A count is a claim: made only when every backend was read to its end. */
	if (ct_rules_complete(&ns->rules)) {
		static const char *const names[3] = {"state_rules", "tracking_rules",
						     "notrack_rules"};
		const unsigned vals[3] = {ns->rules.state_rules, ns->rules.tracking_rules,
					  ns->rules.notrack_rules};
		for (int i = 0; i < 3; i++) {
			snprintf(v, sizeof(v), "%u", vals[i]);
			snprintf(label, sizeof(label), "%s%s", pre, names[i]);
			mp_perf_add(perf, label, v, NULL, NULL, NULL, NULL, NULL);
		}
	}
	if (ns->counters_rc < 0)
		return;
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		if (!(ns->counters.present & (1u << i)))
			continue;
		snprintf(v, sizeof(v), "%" PRIu64, ns->counters.value[i]);
		snprintf(label, sizeof(label), "%s%s", pre, ct_counter_names[i]);
		mp_perf_add(perf, label, v, "c", NULL, NULL, NULL, NULL);
	}
}

/* "8500 of 10000 entries (85.0%), 37 packets dropped (table full) since last check" */
static void describe_ns(const struct ct_ns *ns, const struct ct_ns_result *r, struct mp_buf *b)
{
	const struct ct_proc *p = &ns->proc;
	static const char *const what[CT_W_MAX] = {"packets dropped (table full)", "early drops",
						   "failed inserts"};

	if (ct_ns_failed(ns)) {
		mp_buf_printf(b, "%s", ns->err);
		return;
	}
	if (ns->proc_rc == -ENOENT) {
		mp_buf_printf(b, "connection tracking is not active (%s)", ns->err);
		return;
	}
	if (r->have_utilization)
		mp_buf_printf(b, "%" PRIu64 " of %" PRIu64 " entries (%.1f%%)", p->entries, p->max,
			      r->utilization);
	else
		mp_buf_printf(b, "%" PRIu64 " entries (no limit)", p->entries);
	if (ns->retention != CT_RET_DELTA)
		return;
	for (int w = 0; w < CT_W_MAX; w++) {
		uint64_t d = ns->delta[ct_watched_counter[w]];

		if (d && (ns->counters.present & (1u << ct_watched_counter[w])))
			mp_buf_printf(b, ", %" PRIu64 " %s since last check", d, what[w]);
	}
}

/*
 * One of four phrases (an interface): "tracking forced by N rules (...)", "no rule needs
 * connection tracking", "rules partly inspected (...)", "rules not inspected (...)". When a
 * backend could not be read, rules found elsewhere are "at least N", followed by the third.
 */
static void rules_phrase(const struct ct_ns *ns, struct mp_buf *b)
{
	const struct ct_rules *r = &ns->rules;
	bool complete = ct_rules_complete(r);

	if (r->tracking_rules) {
		char phrase[256];

		ct_rules_forced_phrase(r, complete, phrase, sizeof(phrase));
		mp_buf_printf(b, "%s", phrase);
		if (complete)
			return;
		mp_buf_printf(b, "; ");
	} else if (complete) {
		mp_buf_printf(b, "no rule needs connection tracking");
		return;
	}
	/* A backend that was not read may hold the rules: "none" would be a claim we cannot make.
	 */
	mp_buf_printf(b, "rules %s inspected (%s", ct_rules_some(r) ? "partly" : "not",
		      r->why_not[0] ? r->why_not : "unknown");
	if (r->have_holders && r->holders[0])
		mp_buf_printf(b, "; nf_conntrack is used by %s", r->holders);
	else if (r->have_holders)
		mp_buf_printf(b, "; no module uses nf_conntrack");
	mp_buf_printf(b, ")");
}

/* Which backends were read, when not all were: the counts below are then a lower bound. */
static void rules_backends_line(const struct ct_rules *r, struct mp_buf *b)
{
	static const char *const names[CT_BACKENDS] = {"nftables", "iptables-legacy IPv4",
						       "iptables-legacy IPv6"};
	static const char *const states[CT_READ_FAILED + 1] = {"not asked", "not in use", "read",
							       "not read"};
	const char *sep = "";

	if (ct_rules_complete(r) || !ct_rules_some(r))
		return;
	mp_buf_printf(b, "rules: partly inspected, the counts are a lower bound: ");
	for (int i = 0; i < CT_BACKENDS; i++) {
		mp_buf_printf(b, "%s%s %s", sep, names[i],
			      states[r->read[i] <= CT_READ_FAILED ? r->read[i] : CT_READ_FAILED]);
		sep = ", ";
	}
	mp_buf_printf(b, " (%s)\n", r->why_not);
}

/* The rules themselves: at most 20 of each kind unless -v. */
static void rules_lines(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *b)
{
	const struct ct_rules *r = &ns->rules;
	size_t shown[2] = {0, 0};
	const size_t limit = snap->verbose ? (size_t)-1 : CT_RULES_LISTED;

	rules_backends_line(r, b);
	for (size_t i = 0; i < r->n; i++) {
		const struct ct_rule *x = &r->list[i];
		int notrack = ct_rule_class(x->kinds);
		char line[512];

		if (shown[notrack] >= limit)
			continue;
		shown[notrack]++;
		ct_rule_line(x, line, sizeof(line));
		mp_buf_printf(b, "%s\n", line);
	}
	for (int k = 0; k < 2; k++) {
		size_t more = r->total[k] - shown[k];

		if (r->total[k] > shown[k])
			mp_buf_printf(b, "... and %zu more %s (-v lists all)\n", more,
				      k ? (more == 1 ? "exemption" : "exemptions")
					: (more == 1 ? "rule" : "rules"));
	}
}

/* ", which the kernel reads as 4096" when the value is not written as that decimal number. */
static const char *kernel_reading(const struct ct_sysctl_setting *s, char *buf, size_t len)
{
	char plain[16];

	snprintf(plain, sizeof(plain), "%d", s->number);
	if (s->number_rc < 0 || strcmp(plain, s->value) == 0)
		return "";
	snprintf(buf, len, ", which the kernel reads as %d", s->number);
	return buf;
}

/* A file that could not be read leaves the verdict open: say which, and what was read. */
static void persistence_unknown_line(const struct ct_persistence *p, uint64_t max, struct mp_buf *b)
{
	mp_buf_printf(b,
		      "persistence: cannot tell whether boot applies the running limit %" PRIu64
		      ": %s; ",
		      max, p->err);
	if (p->boot.found)
		mp_buf_printf(b,
			      "the files that could be read set %s = %s (%s line %u), but what "
			      "could not be read may override it\n",
			      p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else
		mp_buf_printf(b, "none of the files that could be read sets the limit\n");
}

static void persistence_lines(const struct ct_snapshot *snap, const struct ct_result *res,
			      struct mp_buf *b)
{
	const struct ct_persistence *p = &snap->persist;
	const struct ct_ns *ns = &snap->ns[res->fullest];
	char reading[48];

	if (!p->checked)
		return;
	if (ct_persistence_unknown(p))
		persistence_unknown_line(p, ns->proc.max, b);
	else if (p->refused)
		mp_buf_printf(b,
			      "persistence: boot writes %s = %s (%s line %u), which the kernel "
			      "refuses (it takes one number from 0 to 2147483647): the configured "
			      "limit is never applied, boot leaves the kernel's default\n",
			      p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else if (p->mismatch)
		mp_buf_printf(
			b,
			"persistence: the running limit %" PRIu64
			" is not what boot applies: %s = %s%s (%s line %u); the running value "
			"will be lost at reboot, or the configured one was never applied (a "
			"classic: sysctl ran before nf_conntrack was loaded)\n",
			ns->proc.max, p->boot.key, p->boot.value,
			kernel_reading(&p->boot, reading, sizeof(reading)), p->boot.file,
			p->boot.line);
	else if (p->boot.found && snap->verbose)
		mp_buf_printf(b, "persistence: boot applies the running limit (%s line %u)\n",
			      p->boot.file, p->boot.line);
	else if (!p->boot.found && snap->verbose)
		mp_buf_printf(b,
			      "persistence: no sysctl file sets the limit: boot uses the "
			      "kernel's default (a value set with sysctl -w is lost at reboot)\n");
}

/* Long output about the counters of one namespace. */
static void counters_lines(const struct ct_snapshot *snap, const struct ct_ns *ns, struct mp_buf *b)
{
	const char *sep = "";

	if (!ct_ns_read(ns))
		return;
	if (ns->counters_rc < 0) {
		mp_buf_printf(b, "counters not available: %s\n", ns->counters_why);
		return;
	}
	if (ns->retention != CT_RET_DELTA) {
		mp_buf_printf(b, "%s\n",
			      ns->retention_note[0] ? ns->retention_note : "counters: no baseline");
		return;
	}
	mp_buf_printf(b, "since last check (%.0f s ago, counters from %s): ", ns->seconds,
		      ns->counters.source);
	for (int i = 0; i < CT_COUNTER_MAX; i++) {
		bool watched = i == CT_DROP || i == CT_EARLY_DROP || i == CT_INSERT_FAILED;

		if (!(ns->counters.present & (1u << i)) ||
		    (!watched && !ns->delta[i] && snap->verbose < 1))
			continue;
		mp_buf_printf(b, "%s%s +%" PRIu64, sep, ct_counter_names[i], ns->delta[i]);
		if (ns->seconds > 0 && ns->delta[i])
			mp_buf_printf(b, " (%.3g/s)", (double)ns->delta[i] / ns->seconds);
		sep = ", ";
	}
	mp_buf_printf(b, "\n");
	if (ns->retention_note[0])
		mp_buf_printf(b, "%s\n", ns->retention_note);
	if (ns->delta[CT_INSERT_FAILED] && ns->counters.insert_failed_counts_clashes)
		mp_buf_printf(b,
			      "note: on this kernel insert_failed also counts clashes the kernel "
			      "resolved; on busy multi-CPU hosts it rises without harm\n");
}

/* Why namespaces were not seen: "Permission denied: needs root". */
static void unseen_reason(const struct ct_netns_scan *s, struct mp_buf *b)
{
	mp_buf_printf(b, "/proc/PID/ns/net: %s%s", strerror(s->unseen_errno),
		      s->unseen_errno == EACCES || s->unseen_errno == EPERM ? ": needs root" : "");
}

/*
 * --netns=all in the summary: how many namespaces, and every way it fell short of all of them.
 * " (fullest of 3 namespaces, 2 more held by processes not seen (/proc/PID/ns/net: Permission
 * denied: needs root), 1 not checked: see below)"
 */
static void scan_summary(const struct ct_snapshot *snap, struct mp_buf *b)
{
	const struct ct_netns_scan *s = &snap->scan;
	size_t failed = 0;

	for (size_t i = 0; i < snap->n; i++)
		failed += ct_ns_failed(&snap->ns[i]);
	mp_buf_printf(b, " (fullest of %zu namespace%s", snap->n, snap->n == 1 ? "" : "s");
	if (s->unseen || s->untold) {
		mp_buf_printf(b, ", ");
		if (s->unseen)
			mp_buf_printf(b, "%u more held by processes", s->unseen);
		if (s->unseen && s->untold)
			mp_buf_printf(b, " and ");
		if (s->untold)
			mp_buf_printf(b, "those of %u processes", s->untold);
		mp_buf_printf(b, " not seen (");
		unseen_reason(s, b);
		mp_buf_printf(b, ")");
	}
	if (failed)
		mp_buf_printf(b, ", %zu not checked: see below", failed);
	mp_buf_printf(b, ")");
}

static void scan_lines(const struct ct_snapshot *snap, struct mp_buf *b)
{
	const struct ct_netns_scan *s = &snap->scan;

	if (s->skipped)
		mp_buf_printf(b,
			      "netns: %u under /run/netns skipped: gone or not a namespace when "
			      "read (being created or deleted): %s\n",
			      s->skipped, s->skipped_names);
	if (s->unseen)
		mp_buf_printf(b,
			      "netns: %u namespace%s held by processes %s not seen, so not "
			      "checked: other users' processes show their namespace only to root; "
			      "run --netns=all as root (sudo)\n",
			      s->unseen, s->unseen == 1 ? "" : "s",
			      s->unseen == 1 ? "was" : "were");
	if (s->untold)
		mp_buf_printf(b,
			      "netns: the namespaces of %u processes could not be told from ours, "
			      "so not checked\n",
			      s->untold);
	if (s->unseen || s->untold)
		mp_buf_printf(b, "netns: first not seen: %s\n", s->unseen_why);
}

void ct_render(const struct ct_config *cfg, const struct ct_snapshot *snap,
	       const struct ct_result *res)
{
	struct mp_buf summary = {0}, perf = {0}, lines = {0};
	const struct ct_ns *top = &snap->ns[res->fullest];
	const struct ct_ns_result *rtop = &res->ns[res->fullest];
	char(*pre)[CT_PREFIX] = snap->multi ? ns_prefixes(snap) : NULL;

	if (snap->multi || strcmp(top->label, "host") != 0)
		mp_buf_printf(&summary, "netns %s: ", top->label);
	describe_ns(top, rtop, &summary);
	if (snap->multi)
		scan_summary(snap, &summary);
	if (ct_ns_read(top)) {
		mp_buf_printf(&summary, "; ");
		rules_phrase(top, &summary);
	}
	if (snap->persist.mismatch)
		mp_buf_printf(&summary, "; limit not persistent");
	else if (ct_persistence_unknown(&snap->persist))
		mp_buf_printf(&summary, "; cannot tell if the limit is persistent (%s)",
			      snap->persist.err);
	if (snap->store.squat[0])
		mp_buf_printf(&summary, "; default state directory not used: %s%s%s",
			      snap->store.squat, snap->store.dir[0] ? "; state kept in " : "",
			      snap->store.dir);
	if (res->store_state >= 0)
		mp_buf_printf(&summary, "; drop detection off: state not kept (%s)",
			      snap->store.why);
	if (snap->multi && !pre)
		mp_die(CT_SERVICE, "out of memory");
	perf_ns(cfg, snap, top, rtop, "", &perf);
	for (size_t i = 0; snap->multi && i < snap->n; i++) {
		perf_ns(cfg, snap, &snap->ns[i], &res->ns[i], pre[i], &perf);
		mp_buf_printf(&lines, "netns %s: %s - ", snap->ns[i].label,
			      mp_state_name(res->ns[i].state));
		describe_ns(&snap->ns[i], &res->ns[i], &lines);
		if (ct_ns_read(&snap->ns[i])) {
			mp_buf_printf(&lines, "; ");
			rules_phrase(&snap->ns[i], &lines);
		}
		mp_buf_printf(&lines, "\n");
		counters_lines(snap, &snap->ns[i], &lines);
		if (snap->verbose)
			rules_lines(snap, &snap->ns[i], &lines);
	}
	if (snap->multi)
		scan_lines(snap, &lines);
	if (!snap->multi) {
		counters_lines(snap, top, &lines);
		if (ct_ns_read(top))
			rules_lines(snap, top, &lines);
	}
	persistence_lines(snap, res, &lines);
	ct_advice(cfg, snap, res, &lines);
	if (ct_ns_read(top) && top->proc.max && top->proc.entries > top->proc.max)
		mp_buf_printf(&lines, "entries exceed the limit: it was lowered below the current "
				      "count; new flows are dropped until old ones expire\n");
	if (ct_ns_read(top) && !top->proc.max)
		mp_buf_printf(
			&lines,
			"%s is 0: the kernel sets no limit, percent thresholds do not apply\n",
			top->proc.sysctl_key);
	mp_buf_printf(&lines, "%s", mp_buf_str(&snap->trace));
	if (summary.oom || perf.oom || lines.oom)
		mp_die(CT_SERVICE, "out of memory");
	mp_output(CT_SERVICE, res->state, mp_buf_str(&summary), mp_buf_str(&perf),
		  mp_buf_str(&lines));
	mp_buf_free(&summary);
	mp_buf_free(&perf);
	mp_buf_free(&lines);
	free(pre);
}
