/* Whether the running limit is the one boot applies (sysctl.d files), and what an entry costs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	static const char *const nf_keys[] = {"net.netfilter.nf_conntrack_max",
					      "net.nf_conntrack_max", NULL};
	static const char *const ip_keys[] = {"net.ipv4.netfilter.ip_conntrack_max",
					      "net.ipv4.ip_conntrack_max", NULL};
	struct ct_persistence *p = &snap->persist;
	const struct ct_ns *host = NULL;
	char path[PATH_MAX];

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
	if (p->boot.found) {
		char *end;
		unsigned long long v = strtoull(p->boot.value, &end, 10);

		p->mismatch = *end != '\0' || end == p->boot.value || v != host->proc.max;
		ct_note(snap, 1, "boot applies %s = %s (%s:%u)", p->boot.key, p->boot.value,
			p->boot.file, p->boot.line);
	} else {
		ct_note(snap, 1, "no sysctl file under %s sets the limit", cfg->root);
	}
	char ignored[8];
	if (ct_path(path, sizeof(path), "%s/kernel/slab/nf_conntrack/object_size", cfg->sysfs) <
		    0 ||
	    ct_read_u64(path, &p->object_size, ignored, sizeof(ignored)) < 0)
		p->object_size = 0;
}
