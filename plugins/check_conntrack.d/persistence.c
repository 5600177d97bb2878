/* Whether the running limit is the one boot applies (sysctl.d files), and what an entry costs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_collect.h"
#include "mp.h"
#include "persistence.h"
#include "procfs.h"
#include "statedir.h"
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

/*
 * The last answer, kept in the state directory with what it was read from: while every sysctl.d
 * directory and every file listed then is stamped the same (identity, size, mtime, ctime), the
 * files say the same, and a run stats them and reads this file (15 system calls on Debian 12)
 * instead of listing and reading them (29). Only a complete answer is kept (every source read;
 * nothing changed in the last 2 seconds, within one tick of the file system's clock), in a file per
 * root and layout of the limit's keys: "sysctl-boot-<hash of the root>-nf". The file is binary and
 * of this build: one of another size, format, plugin version (a newer parser may read the same
 * files otherwise) or owner, or that fails the checks below, is ignored and replaced.
 */
#define CACHE_MAGIC "ct-sysctl-boot 1, plugin " CT_VERSION
struct boot_cache {
	char magic[sizeof(CACHE_MAGIC)];
	uint32_t size;
	struct ct_sysctl_setting boot;
	struct ct_sysctl_print print;
};

static void cache_name(const char *root, bool ip_layout, char *name, size_t len)
{
	snprintf(name, len, "sysctl-boot-%016" PRIx64 "-%s", ct_fnv1a(root),
		 ip_layout ? "ip" : "nf");
}

static bool terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static bool cache_load(const struct ct_store *s, const char *name, struct boot_cache *c)
{
	struct stat st;
	unsigned char found, usable;
	ssize_t got;
	int fd;

	if (!s->locked)
		return false;
	fd = openat(s->h.dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size != (off_t)sizeof(*c)) {
		close(fd);
		return false;
	}
	got = mp_read_fd(fd, (char *)c, sizeof(*c), sizeof(*c), false);
	close(fd);
	/* The flags as bytes: a bool read from a file may hold anything. */
	memcpy(&found, &c->boot.found, 1);
	memcpy(&usable, &c->print.usable, 1);
	return got == (ssize_t)sizeof(*c) && memcmp(c->magic, CACHE_MAGIC, sizeof(c->magic)) == 0 &&
	       c->size == sizeof(*c) && found <= 1 && usable == 1 &&
	       terminated(c->boot.value, sizeof(c->boot.value)) &&
	       terminated(c->boot.key, sizeof(c->boot.key)) &&
	       terminated(c->boot.file, sizeof(c->boot.file)) &&
	       c->print.n <= CT_SYSCTL_PRINT_FILES;
}

static void cache_save(struct ct_snapshot *snap, const char *name, const struct boot_cache *c)
{
	struct mp_store_handle h;
	char dir[PATH_MAX], err[256];

	if (!snap->store.locked ||
	    ct_statedir_file(&snap->store, name, &h, dir, sizeof(dir), err, sizeof(err)) < 0)
		return;
	if (mp_store_write_text(&h, (const char *)c, sizeof(*c), err, sizeof(err)) < 0)
		ct_note(&snap->trace, 2, "persistence: not kept for the next run: %s", err);
	mp_store_close(&h);
}

void ct_collect_persistence(const struct ct_config *cfg, struct ct_snapshot *snap)
{
	static const char *const nf_keys[] = {"net.netfilter.nf_conntrack_max",
					      "net.nf_conntrack_max", NULL};
	static const char *const ip_keys[] = {"net.ipv4.netfilter.ip_conntrack_max",
					      "net.ipv4.ip_conntrack_max", NULL};
	struct ct_persistence *p = &snap->persistence;
	const struct ct_ns *host = NULL;
	struct boot_cache *c;
	char name[64];
	bool ip_layout;

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
	/* The old ip_conntrack layout has keys of its own, and an answer of its own. */
	ip_layout = strcmp(host->proc.layout, "ip_conntrack") == 0;
	c = snap->store.locked ? calloc(1, sizeof(*c)) : NULL;
	cache_name(cfg->root, ip_layout, name, sizeof(name));
	if (c && cache_load(&snap->store, name, c) && ct_sysctl_print_holds(cfg->root, &c->print)) {
		p->boot = c->boot;
		p->rc = 0;
		ct_note(&snap->trace, 1,
			"persistence: the sysctl.d files are as the last run read them: "
			"its answer, from %s/%s",
			snap->store.dir, name);
	} else {
		p->rc = ct_sysctl_boot_value_print(cfg->root, ip_layout ? ip_keys : nf_keys,
						   &p->boot, p->err, sizeof(p->err),
						   c ? &c->print : NULL);
		if (c && p->rc == 0 && c->print.usable) {
			memcpy(c->magic, CACHE_MAGIC, sizeof(c->magic));
			c->size = sizeof(*c);
			c->boot = p->boot;
			cache_save(snap, name, c);
		}
	}
	free(c);
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
