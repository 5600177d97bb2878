/*
 * The metrics format (render_prometheus.c) over hand-built trees: a part it has never heard of
 * shows with no change to the formatter, units become Prometheus' base units and suffixes, a
 * metric's samples are grouped under one HELP and TYPE, label values are escaped, and the states
 * of the check, each namespace and each part are samples.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render_prometheus.h"

#include "tap.h"

static mp_subcheck part(int state, const char *text)
{
	return ct_part(state, "%s", text);
}

static void add(mp_subcheck *p, mp_perfdata pd)
{
	mp_add_perfdata_to_subcheck(p, pd);
}

/* A namespace: utilization (entries with a max, a percentage), drop, and a part new to it. */
static mp_subcheck ns(const char *label, long long entries, int drop_state)
{
	mp_subcheck sc = part(-1, label), util = part(STATE_OK, "entries"),
		    drop = part(drop_state, "drops"), fresh = part(STATE_WARNING, "forecast");

	add(&util, mp_set_pd_max_value(ct_perf(mp_create_pd_value(entries), NULL, "entries"),
				       mp_create_pd_value(1000LL)));
	add(&util, ct_perf(mp_create_pd_value(entries / 10.0), "%", "utilization"));
	add(&drop, ct_perf(mp_create_pd_value(28ULL), "c", "drop"));
	add(&drop, ct_perf(mp_create_pd_value(3ULL), NULL, "drop_since_last_check"));
	add(&fresh, ct_perf(mp_create_pd_value(1800LL), "s", "full_in"));
	add(&fresh, ct_perf(mp_create_pd_value(250LL), "ms", "probe"));
	add(&fresh, ct_perf(mp_create_pd_value(2LL), "KB", "hash_memory"));
	add(&fresh,
	    ct_perf(mp_create_pd_value(1LL), NULL, "rules_read{backend=iptables-legacy IPv4}"));
	add(&fresh, ct_perf(mp_create_pd_value(7LL), "widgets", "odd"));
	mp_add_subcheck_to_subcheck(&sc, util);
	mp_add_subcheck_to_subcheck(&sc, drop);
	mp_add_subcheck_to_subcheck(&sc, fresh);
	return sc;
}

static const char *line_with(const char *text, const char *start)
{
	size_t n = strlen(start);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, start, n) == 0)
			return l;
	return NULL;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

int main(void)
{
	struct ct_verdict v = {.check = mp_check_init(), .namespaces = 2, .multi = true};
	mp_subcheck section = part(STATE_WARNING, "persistence: limit not persistent");
	const char *want, *at;
	char *out;

	v.names = calloc(2, sizeof(*v.names));
	v.names[0] = strdup("web");
	v.names[1] = strdup("odd \"one\\\n");
	add(&section, ct_perf(mp_create_pd_value(0LL), NULL, "limit_persistent"));
	/* The library puts a subcheck added to the check first: the last one first. */
	mp_add_subcheck_to_check(&v.check, section);
	mp_add_subcheck_to_check(&v.check, ns("odd", 100, STATE_OK));
	mp_add_subcheck_to_check(&v.check, ns("web", 850, STATE_CRITICAL));
	out = ct_render_prometheus(&v);

	want = "check_conntrack_state 2\n"
	       "# HELP check_conntrack_netns_state Each network namespace's state: 0 OK, 1 "
	       "WARNING, 2 CRITICAL, 3 UNKNOWN.\n# TYPE check_conntrack_netns_state gauge\n"
	       "check_conntrack_netns_state{netns=\"web\"} 2\n"
	       "check_conntrack_netns_state{netns=\"odd \\\"one\\\\\\n\"} 1\n";
	at = line_with(out, "check_conntrack_state ");
	ok(at && strncmp(at, want, strlen(want)) == 0,
	   "the check's state, then each namespace's, the name escaped (quote, backslash, "
	   "newline)");
	ok(strstr(out, "check_conntrack_part_state{netns=\"web\",part=\"drop\"} 2\n") != NULL,
	   "a part's state, named after its first perfdata label");
	ok(strstr(out, "check_conntrack_part_state{netns=\"web\",part=\"full_in\"} 1\n") != NULL,
	   "a part new to the formatter has its state too");
	ok(strstr(out, "check_conntrack_part_state{part=\"persistence\"} 1\n") != NULL,
	   "a host-wide section: named by its text, no namespace label");
	ok(strstr(out,
		  "# TYPE check_conntrack_entries gauge\ncheck_conntrack_entries{netns=\"web\"} "
		  "850\ncheck_conntrack_entries{netns=\"odd \\\"one\\\\\\n\"} 100\n") != NULL,
	   "one metric, one HELP and TYPE, every namespace's sample under it");
	ok(strstr(out, "check_conntrack_entries_max{netns=\"web\"} 1000\n") != NULL,
	   "a gauge's max: its own metric");
	ok(strstr(out, "check_conntrack_utilization_ratio{netns=\"web\"} 0.85\n") != NULL &&
		   !strstr(out, "utilization_ratio_max"),
	   "a percentage: a ratio (0.85 for 85%%), no max");
	ok(strstr(out,
		  "# TYPE check_conntrack_drop_total counter\ncheck_conntrack_drop_total{netns="
		  "\"web\"} 28\n") != NULL,
	   "unit c: a counter, _total");
	ok(strstr(out, "# TYPE check_conntrack_drop_since_last_check gauge\n") != NULL,
	   "the rise since the last check: a gauge");
	ok(strstr(out, "check_conntrack_full_in_seconds{netns=\"web\"} 1800\n") != NULL,
	   "a part the formatter never heard of: its perfdata as a sample, s as _seconds");
	ok(strstr(out, "check_conntrack_probe_seconds{netns=\"web\"} 0.25\n") != NULL,
	   "ms: in seconds");
	ok(strstr(out, "check_conntrack_hash_memory_bytes{netns=\"web\"} 2048\n") != NULL,
	   "KB: in bytes");
	ok(strstr(out, "check_conntrack_rules_read{netns=\"web\",backend=\"iptables-legacy IPv4\"} "
		       "1\n") != NULL,
	   "a label name{key=value}: a label of its own");
	ok(strstr(out, "check_conntrack_odd_widgets{netns=\"web\"} 7\n") != NULL,
	   "a unit Prometheus has no base for: in the name");
	ok(strstr(out, "\ncheck_conntrack_limit_persistent 0") != NULL,
	   "a host-wide section's perfdata: no namespace label");
	is_int(count(out, "# TYPE check_conntrack_entries "), 1, "each TYPE once");
	is_int(count(out, "# HELP "), count(out, "# TYPE "), "a HELP for every TYPE");
	ok(out[strlen(out) - 1] != '\n', "no final newline: the caller adds it");
	free(out);
	ct_verdict_free(&v);
	return tap_done();
}
