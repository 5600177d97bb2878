/*
 * A look inside a namespace's table during collection: the expectation table on every run, a
 * bounded composition sample and the timeouts only when the table is under pressure (or -v asks),
 * so that a healthy host pays for none of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_table.h"
#include "composition.h"
#include "expect.h"
#include "retention.h"
#include "timeouts.h"
#include "trace.h"

/* A -w or -c threshold fires on this table: a percent one needs a limit. */
static bool fires(const struct ct_threshold *t, const struct ct_proc *p)
{
	if (!t->set)
		return false;
	if (t->percent)
		return p->max > 0 &&
		       mp_range_alert(&t->range, (double)p->entries * 100.0 / (double)p->max);
	return mp_range_alert(&t->range, (double)p->entries);
}

/* How much a watched counter rose since prev, or 0 when that cannot be told. */
static uint64_t rise(const struct ct_ns *ns, const struct mp_store_record *prev, enum ct_counter c)
{
	uint64_t old;

	if (ns->counters_rc < 0 || !(ns->counters.present & (1u << c)) ||
	    !mp_store_get(prev, ct_counter_names[c], &old) || ns->counters.value[c] < old)
		return 0;
	return ns->counters.value[c] - old;
}

bool ct_under_pressure(const struct ct_config *cfg, const struct ct_ns *ns,
		       const struct mp_store_record *prev, const char *boot_id, char *why,
		       size_t whylen)
{
	static const enum ct_counter harm[] = {CT_DROP, CT_EARLY_DROP};
	char buf[200] = "";
	size_t o = 0;

	if (fires(&cfg->crit, &ns->proc))
		o += (size_t)snprintf(buf, sizeof(buf), "at the critical threshold");
	else if (fires(&cfg->warn, &ns->proc))
		o += (size_t)snprintf(buf, sizeof(buf), "at the warning threshold");
	/* A baseline of another boot (or none) says nothing about the last interval. */
	for (size_t i = 0; prev && !(boot_id[0] && strcmp(prev->boot_id, boot_id) != 0) &&
			   i < sizeof(harm) / sizeof(harm[0]);
	     i++) {
		uint64_t d = rise(ns, prev, harm[i]);

		if (d && o < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s+%" PRIu64 " %s",
					      o ? ", " : "", d, ct_counter_names[harm[i]]);
	}
	if (o && strchr(buf, '+') && o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, " since the last check");
	if (why && whylen)
		mp_copy(why, whylen, buf);
	return o > 0;
}

/* A tenth of -t from now. */
static void tenth_of_timeout(const struct ct_config *cfg, struct timespec *d)
{
	long ms = (long)cfg->timeout * 100;

	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += ms / 1000;
	d->tv_nsec += (ms % 1000) * 1000000L;
	if (d->tv_nsec >= 1000000000L) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000L;
	}
}

/* All the samples of a run end at the same moment: a tenth of -t after the first began. */
static const struct timespec *sample_deadline(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	struct timespec *d = &snap->sample_deadline;

	if (d->tv_sec == 0 && d->tv_nsec == 0)
		tenth_of_timeout(cfg, d);
	return d;
}

static bool past(const struct timespec *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > d->tv_sec || (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

void ct_collect_expect(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       struct mnl_socket **nl)
{
	struct ct_expect *e;
	struct timespec deadline;

	if (!ct_ns_read(ns) || !(e = calloc(1, sizeof(*e))))
		return;
	ns->inside.expect = e;
	/* The limit is the host's: --netns=all reads it in the first namespace alone. */
	if (snap->multi && snap->have_host_expect_max) {
		e->max = snap->host_expect_max;
		e->max_rc = 0;
	} else if (ct_expect_read_max(cfg->procfs, e) == 0 && snap->multi) {
		snap->host_expect_max = e->max;
		snap->have_host_expect_max = true;
	}
	if (nl && *nl) {
		/* Each namespace's own tenth of -t: a small table, read on every run. */
		tenth_of_timeout(cfg, &deadline);
		if (ct_expect_count_netlink(nl, &deadline, e) == 0) {
			ct_note(&snap->trace, 1, "expectations counted by a netlink dump");
			return;
		}
		ct_note(&snap->trace, 1, "expectations: %s", e->count_why);
	}
	/* The stat file read for the counters has them; else it is read for them alone. */
	if (ns->counters_rc == 0 && ns->counters.have_expect)
		ct_expect_count_from_counters(&ns->counters, e);
	else
		ct_expect_count_statfile(cfg->procfs, e);
	if (e->count_rc == 0)
		ct_note(&snap->trace, 1, "expectations from the stat file's counters");
}

/* The sample itself: 0, or -errno with the reason in in->why. */
static int sample(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		  struct mnl_socket **nl)
{
	struct ct_inside *in = &ns->inside;
	const struct timespec *deadline = sample_deadline(cfg, snap);
	char err[256] = "";
	int rc;

	if (past(deadline)) {
		snprintf(in->why, sizeof(in->why),
			 "not sampled: the time for samples (a tenth of -t) ran out");
		return 0;
	}
	in->composition = malloc(sizeof(*in->composition));
	if (!in->composition)
		return -ENOMEM;
	ct_composition_init(in->composition, CT_COMPOSITION_CAP, cfg->verbose >= 2);
	rc = ct_composition_read(nl, deadline, in->composition, err, sizeof(err));
	if (rc < 0) {
		free(in->composition);
		in->composition = NULL;
		in->sample_rc = rc;
		snprintf(in->why, sizeof(in->why), "cannot tell (%s)", err);
		return rc;
	}
	ct_note(&snap->trace, 1, "composition: %u entries sampled in %.1f ms (%zu datagrams)",
		in->composition->sampled, in->composition->seconds * 1000,
		in->composition->datagrams);
	return 0;
}

void ct_collect_inside(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       struct mnl_socket **nl)
{
	struct ct_inside *in = &ns->inside;
	const struct mp_store_record *prev = NULL;

	if (!ct_ns_read(ns))
		return;
	if (!nl || !*nl) {
		/* Said with -v only: an unprivileged check of a healthy host needs no sample. */
		snprintf(in->why, sizeof(in->why), "not sampled (%s)",
			 ct_procfs_is_elsewhere(cfg) ? "not with --procfs"
			 : nl			     ? "no netlink socket"
						     : "ctnetlink needs CAP_NET_ADMIN");
	} else {
		/* Retention would read the baseline next: reading it now costs nothing more. */
		if (ns->counters_rc == 0)
			prev = ct_retain_baseline(snap, ns);
		in->pressure =
			ct_under_pressure(cfg, ns, prev, snap->boot_id, in->why, sizeof(in->why));
		if (in->pressure || cfg->verbose >= 1) {
			if (!in->pressure)
				snprintf(in->why, sizeof(in->why), "-v");
			ct_note(&snap->trace, 2, "composition: sampled (%s)", in->why);
			if (sample(cfg, snap, ns, nl) == -ENOMEM)
				snprintf(in->why, sizeof(in->why), "cannot tell (out of memory)");
		}
	}
	if ((in->composition || cfg->verbose >= 1) &&
	    (in->timeouts = calloc(1, sizeof(*in->timeouts))))
		ct_timeouts_read(cfg->procfs, in->timeouts);
}

void ct_inside_free(struct ct_inside *in)
{
	free(in->expect);
	free(in->composition);
	free(in->timeouts);
	in->expect = NULL;
	in->composition = NULL;
	in->timeouts = NULL;
}
