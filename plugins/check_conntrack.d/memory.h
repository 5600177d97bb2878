/* Memory across namespaces: each holds up to the limit on its own, so their sum is what counts. */
#ifndef CT_MEMORY_H
#define CT_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes per entry when the slab does not say: struct nf_conn on 64-bit, rounded up. */
#define CT_MEMORY_ENTRY_GUESS 320

/* One namespace as collected: its entries, when they could be read. */
struct ct_memory_ns {
	bool read;
	uint64_t entries;
};

struct ct_memory {
	size_t namespaces; /* read */
	size_t unread; /* could not be read: the sums are lower bounds */
	unsigned untold; /* processes whose namespace could not be told from ours: lower bounds too
			  */
	uint64_t entries_total; /* perfdata entries_total */
	uint64_t max; /* the limit each namespace is held to on its own; 0: none */
	uint64_t object_size; /* bytes per entry used */
	bool estimated; /* object_size is CT_MEMORY_ENTRY_GUESS, not the slab's */
	uint64_t bytes; /* entries_total x object_size (saturates at UINT64_MAX) */
	uint64_t bytes_full; /* if every namespace read filled to max; 0 without a limit */
};

/*
 * Sum the namespaces' entries and their kernel memory. object_size: the nf_conntrack slab's
 * object size (/sys/kernel/slab/nf_conntrack/object_size), 0 when it could not be read. Pure.
 */
struct ct_memory ct_memory_sum(const struct ct_memory_ns *ns, size_t n, uint64_t max,
			       uint64_t object_size);

/* The long-output line "memory: ...". snprintf's return. */
int ct_memory_line(const struct ct_memory *m, char *buf, size_t len);

#endif
