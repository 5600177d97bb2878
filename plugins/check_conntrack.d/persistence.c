/* Whether the running limit is the one boot applies (sysctl.d files), and what an entry costs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_collect.h"
#include "persistence.h"
#include "procfs.h"
#include "sysctl.h"

/* A slab object larger than this is not an nf_conn: the file is garbage, the cost unknown. */
#define CT_OBJECT_SIZE_MAX 65536

/* Compare what boot writes with the running limit, as the kernel would read the value. */
static void compare(struct ct_snapshot *snap, const struct ct_ns *host)
{
	struct ct_persistence *p = &snap->persistence;

	/* nf_conntrack_max (and ip_conntrack_max) take 0 to INT_MAX on current kernels. */
	p->refused = p->boot.number_rc < 0 || p->boot.number < 0;
	p->mismatch = p->refused || (uint64_t)p->boot.number != host->proc.max;
	if (p->refused)
		ct_note(&snap->trace, 1, "boot writes %s = %s (%s:%u), which the kernel refuses",
			p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else
		ct_note(&snap->trace, 1, "boot applies %s = %s (%s:%u), the kernel reads %d",
			p->boot.key, p->boot.value, p->boot.file, p->boot.line, p->boot.number);
}

static void object_size(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	struct ct_persistence *p = &snap->persistence;
	char path[PATH_MAX], ignored[8];

	if (ct_path(path, sizeof(path), "%s/kernel/slab/nf_conntrack/object_size", cfg->sysfs) <
		    0 ||
	    ct_read_u64(path, &p->object_size, ignored, sizeof(ignored)) < 0)
		p->object_size = 0;
	if (p->object_size > CT_OBJECT_SIZE_MAX) {
		ct_note(&snap->trace, 1, "%s says %" PRIu64 " bytes: not believed", path,
			p->object_size);
		p->object_size = 0;
	}
}

void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	static const char *const nf_keys[] = {"net.netfilter.nf_conntrack_max",
					      "net.nf_conntrack_max", NULL};
	static const char *const ip_keys[] = {"net.ipv4.netfilter.ip_conntrack_max",
					      "net.ipv4.ip_conntrack_max", NULL};
	struct ct_persistence *p = &snap->persistence;
	const struct ct_ns *host = NULL;

	/* The limit is global: judge it where it is set, in our own (normally the host's)
	 * namespace. */
	for (size_t i = 0; i < snap->n; i++) {
		if (ct_ns_read(&snap->ns[i])) {
			host = &snap->ns[i];
			break;
		}
	}
	if (!host)
		return;
	p->checked = true;
	p->rc = ct_sysctl_boot_value(cfg->root,
				     strcmp(host->proc.layout, "ip_conntrack") ? nf_keys : ip_keys,
				     &p->boot, p->err, sizeof(p->err));
	if (p->rc < 0)
		/* A file that could not be read may hold the assignment that wins: no verdict. */
		ct_note(&snap->trace, 1, "persistence: cannot tell: %s", p->err);
	else if (p->boot.found)
		compare(snap, host);
	else
		ct_note(&snap->trace, 1, "no sysctl file under %s sets the limit", cfg->root);
}

void ct_collect_entry_size(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	if (!snap->persistence.checked)
		return;
	if (cfg->verbose || snap->multi || cfg->ttf_warn.set || cfg->ttf_crit.set ||
	    ct_pressure(cfg, snap))
		object_size(cfg, snap);
}
