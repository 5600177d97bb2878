/* Memory across namespaces: the sum of their entries at the slab's size per entry. */
#include "memory.h"

#include <inttypes.h>
#include <stdio.h>

#include "units.h"

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

struct ct_memory ct_memory_sum(const struct ct_memory_ns *ns, size_t n, uint64_t max,
			       uint64_t object_size)
{
	struct ct_memory m = {.max = max, .object_size = object_size};

	if (!object_size) {
		m.object_size = CT_MEMORY_ENTRY_GUESS;
		m.estimated = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ns[i].read) {
			m.unread++;
			continue;
		}
		m.namespaces++;
		m.entries_total =
			__builtin_add_overflow(m.entries_total, ns[i].entries, &m.entries_total)
				? UINT64_MAX
				: m.entries_total;
	}
	m.bytes = mul_sat(m.entries_total, m.object_size);
	if (max)
		m.bytes_full = mul_sat(mul_sat(max, m.namespaces), m.object_size);
	return m;
}

int ct_memory_line(const struct ct_memory *m, char *buf, size_t len)
{
	char size[32], full[32];
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (!m->namespaces)
		return ct_append(buf, len, n, "memory: cannot tell, no namespace could be read");
	ct_fmt_bytes(m->bytes, size, sizeof(size));
	n = ct_append(buf, len, n,
		      "memory: %" PRIu64 " entries in %zu namespace%s hold %s%s of kernel memory (",
		      m->entries_total, m->namespaces, m->namespaces == 1 ? "" : "s",
		      m->unread || m->untold ? "at least " : "", size);
	if (m->estimated)
		n = ct_append(buf, len, n,
			      "about %" PRIu64 " bytes each, an estimate: the slab's "
			      "object size could not be read)",
			      m->object_size);
	else
		n = ct_append(buf, len, n,
			      "%" PRIu64 " bytes each, the nf_conntrack slab's object size)",
			      m->object_size);
	if (m->max) {
		ct_fmt_bytes(m->bytes_full, full, sizeof(full));
		n = ct_append(buf, len, n,
			      ", each may hold %" PRIu64 " on its own: up to %s for %s", m->max,
			      full, m->namespaces == 1 ? "this one" : "these");
	}
	if (m->unread)
		n = ct_append(buf, len, n, ", %zu more namespace%s could not be read", m->unread,
			      m->unread == 1 ? "" : "s");
	if (m->untold)
		n = ct_append(buf, len, n,
			      ", the namespaces of %u process%s could not be told from ours",
			      m->untold, m->untold == 1 ? "" : "es");
	return n;
}
