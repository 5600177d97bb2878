/* What boot will apply to the conntrack limit: sysctl.d files with systemd's precedence. */
#ifndef CT_SYSCTL_H
#define CT_SYSCTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rootfs.h"

struct ct_sysctl_setting {
	bool found; /* some file sets one of the keys */
	char value[64]; /* the value the last applied assignment sets, trimmed (cut to fit) */
	int number_rc; /* 0: the kernel takes value as number (ct_sysctl_dointvec); else -EINVAL */
	int number;
	char key[96]; /* as written in the file, e.g. "net.netfilter.nf_conntrack_max" */
	char file[512]; /* path relative to root, e.g. "/etc/sysctl.d/90-conntrack.conf" */
	unsigned line;
};

/*
 * Find what boot applies for any of keys (aliases of one value, in dotted or slashed form, e.g.
 * {"net.netfilter.nf_conntrack_max", "net.nf_conntrack_max", NULL}), reading under root (normally
 * "/", a fixture tree in tests): /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
 * /usr/lib/sysctl.d, /lib/sysctl.d with systemd-sysctl's rules (files ordered by name across
 * directories; a name in an earlier directory masks the same name in later ones; a symlink to
 * /dev/null masks), and /etc/sysctl.conf last, as procps' `sysctl --system` does.
 * Returns 0 when every file and directory could be read (found or not). Anything that could not
 * be read (permissions, a symlink loop, a file over 1 MiB, more than 1000 files) could hold the
 * assignment that wins, so the answer is incomplete: -errno of the first, err names the first
 * with its reason and counts the others ("(and 2 more)"), and out keeps what the readable files
 * say.
 */
int ct_sysctl_boot_value(const char *root, const char *const *keys, struct ct_sysctl_setting *out,
			 char *err, size_t errlen);

/*
 * What an answer was read from, to tell a later run whether it still holds: the stamp of each
 * sysctl.d directory, taken before it was listed, and of each file listed (read, masked, gone or
 * reached twice), taken before it was read. usable: the answer is complete (every source read),
 * there were no more than CT_SYSCTL_PRINT_FILES files, and none changed in the last 2 seconds.
 */
#define CT_SYSCTL_DIRS 5
#define CT_SYSCTL_PRINT_FILES 32
struct ct_sysctl_print {
	bool usable;
	struct ct_stamp dir[CT_SYSCTL_DIRS];
	uint32_t n;
	struct {
		uint8_t dir; /* index of the directory; CT_SYSCTL_DIRS for /etc/sysctl.conf */
		char name[NAME_MAX + 1];
		struct ct_stamp st;
	} file[CT_SYSCTL_PRINT_FILES];
};

/* ct_sysctl_boot_value, and what the answer was read from into fp (NULL: not asked). */
int ct_sysctl_boot_value_print(const char *root, const char *const *keys,
			       struct ct_sysctl_setting *out, char *err, size_t errlen,
			       struct ct_sysctl_print *fp);

/*
 * Whether every directory and file fp names is stamped as it was: then the sysctl.d files say
 * what they said when fp was taken. False for a print that is not usable, or on any difference.
 */
bool ct_sysctl_print_holds(const char *root, const struct ct_sysctl_print *fp);

/* Parse one sysctl.conf-format buffer, updating out for the keys (unit tests, fuzzing). */
int ct_sysctl_parse(const char *text, size_t len, const char *file, const char *const *keys,
		    struct ct_sysctl_setting *out);

/*
 * The int the kernel stores when s[0..n) is written to an int sysctl (proc_dointvec, as
 * systemd-sysctl and procps write it: the value, then a newline): leading white space skipped,
 * one number in base 0 (0x hex, 0 octal, else decimal) that must end in a space, tab or newline
 * (the rest is ignored), at most 20 characters with its sign, within INT_MIN..INT_MAX.
 * Returns 0 with *out set, or -EINVAL where the kernel refuses the write.
 */
int ct_sysctl_dointvec(const char *s, size_t n, int *out);

/* Tests: resolve paths by hand, as on kernels without openat2 (Linux < 5.6). */
void ct_sysctl_test_manual_resolve(bool on);

#endif
