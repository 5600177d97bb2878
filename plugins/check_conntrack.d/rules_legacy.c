/* iptables-legacy backend: read each x_tables table over getsockopt and classify its rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "mp.h"
#include "owners.h"
#include "rules.h"

/* Both families share one getinfo layout; only the entry header differs. */
_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo), "getinfo layouts");
_Static_assert(IPT_SO_GET_INFO == IP6T_SO_GET_INFO, "sockopt numbers");
_Static_assert(IPT_SO_GET_ENTRIES == IP6T_SO_GET_ENTRIES, "sockopt numbers");

struct entry_layout {
	size_t size; /* sizeof(struct ipt_entry) or ip6t_entry: where matches start */
	size_t target_offset; /* offsetof(..., target_offset) */
	size_t next_offset; /* offsetof(..., next_offset) */
	size_t table_start; /* offsetof(struct ipt_get_entries, entrytable) */
	const char *family;
	unsigned char l3; /* the traffic its tracking rules make the kernel track */
	unsigned char backend; /* enum ct_rules_backend */
};

static const struct entry_layout layout_ip = {
	sizeof(struct ipt_entry),
	offsetof(struct ipt_entry, target_offset),
	offsetof(struct ipt_entry, next_offset),
	offsetof(struct ipt_get_entries, entrytable),
	"ip",
	CT_L3_IPV4,
	CT_BACKEND_LEGACY_IP,
};

static const struct entry_layout layout_ip6 = {
	sizeof(struct ip6t_entry),
	offsetof(struct ip6t_entry, target_offset),
	offsetof(struct ip6t_entry, next_offset),
	offsetof(struct ip6t_get_entries, entrytable),
	"ip6",
	CT_L3_IPV6,
	CT_BACKEND_LEGACY_IP6,
};

static const char *const hook_names[NF_INET_NUMHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
							 "POSTROUTING"};

static uint16_t get_u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* An x_tables extension name: at most XT_EXTENSION_MAXNAMELEN bytes, not always terminated. */
static void get_name(char *dst, const unsigned char *src, size_t max)
{
	memcpy(dst, src, max);
	dst[max] = '\0'; /* a C string up to its first NUL, wherever that is */
}

/* The matches between the entry header and its target; 0 or -EINVAL with the reason. */
static int walk_matches(const unsigned char *e, size_t start, size_t end, unsigned *kinds,
			char *what, size_t whatlen, char *err, size_t errlen)
{
	const size_t hdr = sizeof(struct xt_entry_match);
	char name[XT_EXTENSION_MAXNAMELEN + 1];
	size_t m = start;

	while (m < end) {
		size_t msize;

		if (end - m < hdr) {
			snprintf(err, errlen, "iptables-legacy: truncated match");
			return -EINVAL;
		}
		msize = get_u16(e + m + offsetof(struct xt_entry_match, u.user.match_size));
		if (msize < hdr || msize > end - m) {
			snprintf(err, errlen, "iptables-legacy: bad match_size %zu", msize);
			return -EINVAL;
		}
		get_name(name, e + m + offsetof(struct xt_entry_match, u.user.name),
			 XT_EXTENSION_MAXNAMELEN);
		*kinds |= ct_rules_xt_kinds(false, name,
					    e[m + offsetof(struct xt_entry_match, u.user.revision)],
					    e + m + hdr, msize - hdr, what, whatlen);
		m += msize;
	}
	return 0;
}

static int walk(const struct entry_layout *l, const char *table, unsigned valid_hooks,
		const unsigned *hook_entry, const unsigned char *blob, size_t size,
		struct ct_rules *r, char *err, size_t errlen)
{
	const size_t thdr = sizeof(struct xt_entry_target);
	char chain[sizeof(((struct ct_rule *)0)->chain)] = "";
	char tname[XT_EXTENSION_MAXNAMELEN + 1];
	/* Every rule is counted, most with nothing that needs tracking: one entry for them all. */
	struct ct_rule counted = {.l3 = l->l3};
	unsigned short owners = 0; /* who writes the chain: looked up as it starts */
	uint64_t num = 0;
	size_t off = 0;
	int h, rc;

	while (off < size) {
		const unsigned char *e = blob + off;
		char what[sizeof(((struct ct_rule *)0)->what)];
		/* Past the rules the output lists, rules are only counted: no text for them. */
		size_t whatlen =
			!r->keep || r->kept[0] < r->keep || r->kept[1] < r->keep ? sizeof(what) : 0;
		size_t toff, next, tsize;
		unsigned kinds = 0;

		if (size - off < l->size) {
			snprintf(err, errlen, "iptables-legacy: truncated entry at %zu", off);
			return -EINVAL;
		}
		toff = get_u16(e + l->target_offset);
		next = get_u16(e + l->next_offset);
		if (next < l->size + thdr || next > size - off) {
			snprintf(err, errlen, "iptables-legacy: bad next_offset at %zu", off);
			return -EINVAL;
		}
		if (toff < l->size || toff > next - thdr) {
			snprintf(err, errlen, "iptables-legacy: bad target_offset at %zu", off);
			return -EINVAL;
		}
		tsize = get_u16(e + toff + offsetof(struct xt_entry_target, u.user.target_size));
		if (tsize < thdr || tsize > next - toff) {
			snprintf(err, errlen, "iptables-legacy: bad target_size at %zu", off);
			return -EINVAL;
		}
		for (h = 0; h < NF_INET_NUMHOOKS; h++) {
			if ((valid_hooks & (1u << h)) && hook_entry[h] == off) {
				mp_copy(chain, sizeof(chain), hook_names[h]);
				owners = (unsigned short)ct_owner_of(table, chain);
				num = 0;
			}
		}
		get_name(tname, e + toff + offsetof(struct xt_entry_target, u.user.name),
			 XT_EXTENSION_MAXNAMELEN);
		if (strcmp(tname, XT_ERROR_TARGET) == 0) {
			/* A user chain starts here, named by the data; "ERROR" ends the table. */
			size_t dlen = tsize - thdr;
			char cname[XT_FUNCTION_MAXNAMELEN + 1];

			if (dlen > XT_FUNCTION_MAXNAMELEN)
				dlen = XT_FUNCTION_MAXNAMELEN;
			get_name(cname, e + toff + thdr, dlen);
			snprintf(chain, sizeof(chain), "%s",
				 strcmp(cname, XT_ERROR_TARGET) == 0 ? "" : cname);
			owners = (unsigned short)ct_owner_of(table, chain);
			num = 0;
			off += next;
			continue;
		}
		num++;
		what[0] = '\0';
		rc = walk_matches(e, l->size, toff, &kinds, what, whatlen, err, errlen);
		if (rc < 0)
			return rc;
		kinds |= ct_rules_xt_kinds(
			true, tname, e[toff + offsetof(struct xt_entry_target, u.user.revision)],
			e + toff + thdr, tsize - thdr, what, whatlen);
		if (!ct_rules_wanted(r, kinds)) {
			counted.kinds = kinds;
			counted.owners = owners;
			ct_rules_count(r, &counted); /* counted (its owners too), not listed */
		} else {
			struct ct_rule rule = {.backend = l->backend,
					       .kinds = kinds,
					       .l3 = l->l3,
					       .owners = owners};

			mp_copy(rule.family, sizeof(rule.family), l->family);
			mp_copy(rule.table, sizeof(rule.table), table);
			memcpy(rule.chain, chain, sizeof(chain));
			memcpy(rule.what, what, sizeof(what));
			rule.handle = num;
			if (ct_rules_add(r, &rule) < 0) {
				snprintf(err, errlen, "iptables-legacy: out of memory");
				return -ENOMEM;
			}
		}
		off += next;
	}
	return 0;
}

int ct_rules_legacy_walk(int family, const char *table, unsigned valid_hooks,
			 const unsigned *hook_entry, const void *blob, size_t size,
			 struct ct_rules *r, char *err, size_t errlen)
{
	const struct entry_layout *l;
	struct ct_rules_mark mark = ct_rules_mark(r);
	int rc;

	if (family == AF_INET)
		l = &layout_ip;
	else if (family == AF_INET6)
		l = &layout_ip6;
	else {
		snprintf(err, errlen, "iptables-legacy: unknown family %d", family);
		return -EAFNOSUPPORT;
	}
	rc = walk(l, table, valid_hooks, hook_entry, blob, size, r, err, errlen);
	if (rc < 0) {
		/* All or nothing per table: forget what a corrupt blob added. */
		ct_rules_rollback(r, &mark);
	}
	return rc;
}

static int sockopt_fail(const char *table, const char *what, char *err, size_t errlen)
{
	int rc = errno ? -errno : -EIO;

	if (rc == -EPERM || rc == -EACCES)
		snprintf(err, errlen, "needs CAP_NET_ADMIN");
	else
		snprintf(err, errlen, "iptables-legacy %s %s: %s", table, what, strerror(-rc));
	return rc;
}

#define HUGE_PAGE ((size_t)2 << 20)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Up to this size a table copy is a heap allocation, not a mapping of its own. */
#define SMALL_TABLE (64 * 1024)

/* Where the table copy starts in the mapping: a huge page boundary for a large one. */
static struct ipt_get_entries *blob_at(void *map, size_t size)
{
	uintptr_t p = (uintptr_t)map;

	if (size >= HUGE_PAGE)
		p = (p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	return (struct ipt_get_entries *)p;
}

/*
 * Room for a table copy. The kernel writes the whole table (2.4 MB for 10,000 rules) and the walk
 * reads it once: page faults are most of that cost, so the copy is prefaulted, and from 2 MiB on
 * it starts on a huge page boundary and asks for transparent huge pages (one fault per 2 MiB
 * instead of 512; where THP is off, madvise changes nothing). The tail past the last full 2 MiB
 * stays in small pages, so the peak RSS is the table's size. NULL when out of memory.
 */
static void *blob_map(size_t size, size_t *maplen)
{
	bool huge = size >= HUGE_PAGE;
	void *map;

	/* A small table (a host's few rules) is copied to the heap: no mapping to make and undo. */
	if (size <= SMALL_TABLE) {
		*maplen = 0;
		return malloc(size);
	}
	*maplen = size + (huge ? HUGE_PAGE : 0);
	map = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | (huge ? 0 : MAP_POPULATE), -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	if (huge) {
		void *at = blob_at(map, size);

		madvise(at, size, MADV_HUGEPAGE);
		madvise(at, size, MADV_POPULATE_WRITE); /* Linux 5.14; else faulted by the copy */
	}
	return map;
}

static void blob_unmap(void *map, size_t maplen)
{
	if (maplen)
		munmap(map, maplen);
	else
		free(map);
}

/* One table: its info, then its entries (again if the table changed in between). */
static int read_table(int fd, int family, const char *table, struct ct_rules *r, char *err,
		      size_t errlen)
{
	const struct entry_layout *l = family == AF_INET ? &layout_ip : &layout_ip6;
	int level = family == AF_INET ? SOL_IP : SOL_IPV6;
	int tries, rc = -EAGAIN;

	for (tries = 0; tries < 3 && rc == -EAGAIN; tries++) {
		struct ipt_getinfo info;
		struct ipt_get_entries *ent;
		socklen_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		mp_copy(info.name, sizeof(info.name), table);
		if (getsockopt(fd, level, IPT_SO_GET_INFO, &info, &len) < 0) {
			/* Unloaded since the names file was read: nothing to see. */
			if (errno == ENOENT)
				return 0;
			return sockopt_fail(table, "info", err, errlen);
		}
		if (info.size > (1u << 30)) {
			snprintf(err, errlen, "iptables-legacy %s: table too large", table);
			return -EFBIG;
		}
		size_t blob = l->table_start + info.size, maplen;
		void *map = blob_map(blob, &maplen);

		if (!map) {
			snprintf(err, errlen, "iptables-legacy: out of memory");
			return -ENOMEM;
		}
		ent = blob_at(map, blob);
		memcpy(ent->name, info.name, sizeof(ent->name));
		ent->size = info.size;
		len = (socklen_t)(l->table_start + info.size);
		if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, ent, &len) < 0) {
			rc = errno == EAGAIN ? -EAGAIN
					     : sockopt_fail(table, "entries", err, errlen);
		} else {
			rc = ct_rules_legacy_walk(family, table, info.valid_hooks, info.hook_entry,
						  (const unsigned char *)ent + l->table_start,
						  info.size, r, err, errlen);
		}
		blob_unmap(map, maplen);
		if (rc == -ENOENT)
			return 0;
	}
	if (rc == -EAGAIN)
		snprintf(err, errlen, "iptables-legacy %s: table kept changing", table);
	return rc;
}

/*
 * The names of the family's tables, read to the end: 0, 1 when there are none (no names file, or
 * an empty one), or -errno with a reason. A handful of names of under 32 bytes each fit in len - 1.
 */
static int read_names(const char *path, char *names, size_t len, char *err, size_t errlen)
{
	size_t used = 0;
	ssize_t n;
	int fd, rc = 0;

	/* Read the names first: no socket at all where no legacy table exists (the usual case). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		/* No names file: the legacy x_tables of this family are not in use. */
		if (rc == -ENOENT)
			return 1;
		if (rc == -EACCES)
			snprintf(err, errlen, "needs root: %s is readable by root only", path);
		else
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	/* Up to len bytes: a file that fills them has more names than a kernel has tables. */
	n = mp_read_fd(fd, names, len, 0, false);
	if (n < 0)
		rc = (int)n;
	else
		used = (size_t)n;
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	/* A table left unread would be a table left out. */
	if (used == len) {
		snprintf(err, errlen, "%s: more table names than expected", path);
		return -EFBIG;
	}
	names[used] = '\0';
	return names[strspn(names, "\n")] ? 0 : 1;
}

int ct_rules_legacy(int family, const char *procfs, struct ct_rules *r, char *err, size_t errlen)
{
	char path[4096], names[1024] = "";
	int fd, rc;

	if (family != AF_INET && family != AF_INET6) {
		snprintf(err, errlen, "iptables-legacy: unknown family %d", family);
		return -EAFNOSUPPORT;
	}
	if (snprintf(path, sizeof(path), "%s/net/%s", procfs,
		     family == AF_INET ? "ip_tables_names" : "ip6_tables_names") >=
	    (int)sizeof(path)) {
		snprintf(err, errlen, "iptables-legacy: --procfs too long");
		return -ENAMETOOLONG;
	}
	rc = read_names(path, names, sizeof(names), err, errlen);
	if (rc != 0)
		return rc;
	/* iptables uses a raw socket; a datagram socket reaches the same getsockopt handlers, which
	 * ask only for CAP_NET_ADMIN, and costs less: no raw hash to join, no CAP_NET_RAW (a raw
	 * socket took 5-12 us, now and then 160 us; a datagram socket 1.5-3 us). */
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "iptables-legacy: socket: %s", strerror(-rc));
		return rc;
	}
	for (char *line = names, *next; rc == 0 && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (line[0] == '\0')
			continue;
		if (strlen(line) >= XT_TABLE_MAXNAMELEN) {
			snprintf(err, errlen, "%s: a table name too long to ask for", path);
			rc = -ENAMETOOLONG;
			break;
		}
		rc = read_table(fd, family, line, r, err, errlen);
	}
	close(fd);
	return rc;
}
