/* The boot configuration, read when it will be shown: what a reboot brings back, next to now. */
#include "boot_collect.h"

#include <errno.h>
#include <stdlib.h>

#include "trace.h"

/* A threshold as evaluation applies it: percent needs a limit, a count always applies. */
static bool alerts(const struct ct_threshold *t, const struct ct_proc *p)
{
	if (!t->set)
		return false;
	if (t->percent)
		return p->max &&
		       mp_range_alert(&t->range, (double)p->entries * 100.0 / (double)p->max);
	return mp_range_alert(&t->range, (double)p->entries);
}

static bool pressure(const struct ct_config *cfg, const struct ct_ns *ns)
{
	if (!ct_ns_read(ns))
		return false;
	if (alerts(&cfg->warn, &ns->proc) || alerts(&cfg->crit, &ns->proc))
		return true;
	return ns->retention == CT_RET_DELTA && (ns->delta[CT_DROP] || ns->delta[CT_EARLY_DROP]);
}

int ct_boot_active(const struct ct_snapshot *snap)
{
	bool off = false;

	for (size_t i = 0; i < snap->n; i++) {
		const struct ct_ns *ns = &snap->ns[i];

		if (ct_ns_read(ns))
			return 1;
		off |= ns->enter_rc == 0 && ns->proc_rc == -ENOENT;
	}
	return off ? 0 : -1;
}

bool ct_pressure(const struct ct_config *cfg, const struct ct_snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		if (pressure(cfg, &snap->ns[i]))
			return true;
	return false;
}

bool ct_boot_wanted(const struct ct_config *cfg, const struct ct_snapshot *snap)
{
	return cfg->verbose >= 1 || ct_boot_active(snap) == 0 || ct_pressure(cfg, snap);
}

void ct_collect_boot(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	struct ct_boot *b;

	if (!ct_boot_wanted(cfg, snap))
		return;
	/* Allocated only here: a run that reads nothing of it does not even zero it. */
	b = malloc(sizeof(*b));
	if (!b)
		mp_die(CT_SERVICE, "out of memory");
	snap->boot = b;
	if (ct_boot_scan(cfg->root, b) < 0)
		ct_note(&snap->trace, 1, "boot configuration under %s: %s", cfg->root, b->err);
	else
		ct_note(&snap->trace, 1, "boot configuration under %s read: %zu finding%s",
			cfg->root, b->n + b->dropped, b->n + b->dropped == 1 ? "" : "s");
}
