/*
 * The memory section under --netns=all: each namespace may hold the limit on its own, so the
 * kernel memory the tables take is their sum's. perfdata entries_total, when every namespace was
 * read (a lower bound is said in the line, never graphed as a total).
 */
#include <inttypes.h>
#include <stdlib.h>

#include "memory.h"
#include "parts.h"

bool ct_section_memory(const struct ct_snapshot *snap, mp_subcheck *out)
{
	struct ct_memory_ns *m;
	uint64_t max = 0;
	bool have_max = false;
	struct ct_memory sum;
	char line[640];

	if (!snap->multi)
		return false;
	m = calloc(snap->n ? snap->n : 1, sizeof(*m));
	if (!m)
		mp_die(CT_SERVICE, "out of memory");
	for (size_t i = 0; i < snap->n; i++) {
		const struct ct_ns *ns = &snap->ns[i];

		/* Not active is read too: that table holds nothing. */
		m[i].read = !ct_ns_failed(ns);
		m[i].entries = ct_ns_read(ns) ? ns->proc.entries : 0;
		if (ct_ns_read(ns) && !have_max) {
			max = ns->proc.max;
			have_max = true;
		}
	}
	sum = ct_memory_sum(m, snap->n, max, snap->persistence.object_size);
	free(m);
	/* Namespaces held by processes not seen were not read either. */
	sum.unread += snap->scan.unseen;
	sum.untold = snap->scan.untold;
	ct_memory_line(&sum, line, sizeof(line));
	*out = ct_part(STATE_OK, "memory: %" PRIu64 " entries in %zu namespace%s%s",
		       sum.entries_total, sum.namespaces, sum.namespaces == 1 ? "" : "s",
		       sum.unread || sum.untold ? ", at least" : "");
	mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "%s", line));
	if (sum.namespaces && !sum.unread && !sum.untold)
		mp_add_perfdata_to_subcheck(
			out, ct_perf(mp_create_pd_value(sum.entries_total), NULL, "entries_total"));
	return true;
}
