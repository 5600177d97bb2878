/* Unit tests for memory.c: entries and kernel memory summed over namespaces. */
#include "tap.h"
#include "memory.h"

#include <stdint.h>

static void test_sum(void)
{
	struct ct_memory_ns ns[] = {{true, 100000}, {true, 40000}, {true, 10000}};
	struct ct_memory_ns some[] = {{true, 1000}, {false, 0}, {true, 500}, {false, 7}};
	struct ct_memory_ns huge[] = {{true, UINT64_MAX}, {true, 5}};
	struct ct_memory m;
	char buf[512];

	m = ct_memory_sum(ns, 3, 262144, 248);
	is_int(m.entries_total, 150000, "three namespaces: entries_total");
	is_int(m.bytes, 150000ull * 248, "three namespaces: bytes");
	is_int(m.bytes_full, 3ull * 262144 * 248, "three namespaces: each full");
	ct_memory_line(&m, buf, sizeof(buf));
	is_str(buf,
	       "memory: 150000 entries in 3 namespaces hold 35.5 MiB of kernel memory (248 bytes "
	       "each, the nf_conntrack slab's object size), each may hold 262144 on its own: up to "
	       "186 MiB for these",
	       "three namespaces: the line");

	m = ct_memory_sum(some, 4, 0, 0);
	is_int(m.entries_total, 1500, "unreadable namespaces are not counted");
	is_int(m.unread, 2, "... but counted as unread");
	ok(m.estimated && m.object_size == CT_MEMORY_ENTRY_GUESS, "no slab size: the estimate");
	ct_memory_line(&m, buf, sizeof(buf));
	is_str(buf,
	       "memory: 1500 entries in 2 namespaces hold at least 469 KiB of kernel memory "
	       "(about 320 bytes each, an estimate: the slab's object size could not be read), 2 "
	       "more namespaces could not be read",
	       "partial, estimated, no limit: the line says all three");
	m.unread = 0;
	m.untold = 3;
	ct_memory_line(&m, buf, sizeof(buf));
	is_str(buf,
	       "memory: 1500 entries in 2 namespaces hold at least 469 KiB of kernel memory "
	       "(about 320 bytes each, an estimate: the slab's object size could not be read), the "
	       "namespaces of 3 processes could not be told from ours",
	       "processes whose namespace could not be told: a lower bound too");

	m = ct_memory_sum(ns, 1, 262144, 256);
	ct_memory_line(&m, buf, sizeof(buf));
	is_str(buf,
	       "memory: 100000 entries in 1 namespace hold 24.4 MiB of kernel memory (256 bytes "
	       "each, the nf_conntrack slab's object size), each may hold 262144 on its own: up to "
	       "64.0 MiB for this one",
	       "one namespace");

	m = ct_memory_sum(huge, 2, 2147483647, 65536);
	ok(m.entries_total == UINT64_MAX && m.bytes == UINT64_MAX, "overflow saturates");
	m = ct_memory_sum(some + 1, 1, 10, 248);
	ct_memory_line(&m, buf, sizeof(buf));
	is_str(buf, "memory: cannot tell, no namespace could be read", "nothing read: cannot tell");
	m = ct_memory_sum(NULL, 0, 10, 248);
	is_int(m.namespaces, 0, "no namespaces at all");
}

int main(void)
{
	test_sum();
	return tap_done();
}
