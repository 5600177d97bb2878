/* What brings connection tracking back, or sizes its hash, after a reboot: boot configuration. */
#ifndef CT_BOOT_H
#define CT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a finding comes from; each has its own phrase and advice. */
enum ct_boot_source {
	CT_BOOT_IPTABLES_MODULES, /* IPTABLES_MODULES / IP6TABLES_MODULES in /etc/sysconfig */
	CT_BOOT_MODULES_LOAD, /* modules-load.d or /etc/modules names a tracking module */
	CT_BOOT_RULESET, /* a saved ruleset that needs tracking once restored */
	CT_BOOT_HASHSIZE, /* modprobe.d "options nf_conntrack hashsize=" (the last one) */
};

/* One file (or setting) that acts at boot: the first line that does it and how many do. */
struct ct_boot_item {
	enum ct_boot_source source;
	char file[160]; /* as the admin writes it: "/etc/sysconfig/iptables" */
	unsigned line;
	unsigned count; /* lines of that file that do it (rulesets, module lists) */
	char what[128]; /* "nf_conntrack_ipv4 xt_state", "-m state", "hashsize=65536" */
};

#define CT_BOOT_ITEMS 16

struct ct_boot {
	size_t n;
	unsigned dropped; /* findings beyond CT_BOOT_ITEMS, counted only */
	struct ct_boot_item item[CT_BOOT_ITEMS];
	/* The hash size boot gives the module: the last "options nf_conntrack hashsize=". */
	bool hashsize_found;
	int hashsize_rc; /* 0: a number the kernel takes (hashsize); -EINVAL: it refuses it */
	uint64_t hashsize;
	/* Anything that could not be read could hold what matters: "cannot tell" about absence. */
	int rc;
	unsigned unreadable;
	char err[256];
};

/*
 * Read, under root ("/" or a tree), what loads tracking or sets its hash size at boot:
 * IPTABLES_MODULES in /etc/sysconfig/iptables-config (IP6TABLES_MODULES in ip6tables-config);
 * modules-load.d (/etc, /run, /usr/local/lib, /usr/lib, /lib, systemd's precedence) and
 * /etc/modules naming a tracking module; modprobe.d (kmod's directories, and /etc/modprobe.conf)
 * "options nf_conntrack hashsize="; saved rulesets (/etc/sysconfig/iptables and ip6tables,
 * /etc/iptables/rules.v4 and .v6, /etc/nftables.conf and /etc/sysconfig/nftables.conf with the
 * files they include) scanned for what needs tracking. Bounded: 1 MiB per configuration file,
 * 4 MiB per ruleset, 1000 files per directory list, 32 included files.
 * Returns 0 when everything that exists could be read; else -errno of the first failure, named
 * in out->err (with how many more), out keeping what the readable files say.
 */
int ct_boot_scan(const char *root, struct ct_boot *out);

/* The parsers behind it, for unit tests and fuzzing: text need not be NUL-terminated. */
/* Shell-style "KEY=value" assignments (the last wins) naming tracking modules. */
void ct_boot_parse_config(const char *text, size_t len, const char *file, const char *key,
			  struct ct_boot *out);
/* modules-load.d / /etc/modules: one module per line, '#' and ';' comments. */
void ct_boot_parse_modules(const char *text, size_t len, const char *file, struct ct_boot *out);
/* modprobe.d: "options <module> hashsize=N" for nf_conntrack (ip_conntrack on old kernels). */
void ct_boot_parse_modprobe(const char *text, size_t len, const char *file, struct ct_boot *out);

enum ct_boot_format { CT_BOOT_IPTABLES_SAVE, CT_BOOT_NFT };
/* Included files an nft ruleset names, collected for the caller to read. */
struct ct_boot_includes {
	char path[8][256];
	size_t n;
	unsigned dropped;
};
/* A ruleset: one item for the file when some line needs tracking. includes may be NULL. */
void ct_boot_parse_ruleset(const char *text, size_t len, const char *file,
			   enum ct_boot_format format, struct ct_boot *out,
			   struct ct_boot_includes *includes);

/* Is name (a kernel module, '-' and '_' alike) one that loads connection tracking? */
bool ct_boot_tracking_module(const char *name, size_t len);

/*
 * Phrases, pure functions of the findings. active: 1 tracking is loaded now, 0 it is not, -1
 * unknown. buckets: the running hash size, 0 if unknown. Each returns what snprintf would
 * (the text may be cut to len).
 */
/* The long output: one "boot: ..." line per finding, or one that says there is none (or that
 * it cannot be told), each ending in '\n'. */
int ct_boot_lines(const struct ct_boot *b, int active, uint64_t buckets, char *buf, size_t len);
/* A summary fragment, empty unless a reboot would bring back tracking that is off now. */
int ct_boot_summary(const struct ct_boot *b, int active, char *buf, size_t len);
/* What to change so that a reboot keeps tracking off: one sentence for an item. */
int ct_boot_advice(const struct ct_boot_item *it, char *buf, size_t len);

#endif
