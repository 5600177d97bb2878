/* What boot will apply to the conntrack limit: sysctl.d files with systemd's precedence. */
#ifndef CT_SYSCTL_H
#define CT_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

struct ct_sysctl_setting {
	bool found; /* some file sets one of the keys */
	char value[64]; /* the value the last applied assignment sets, trimmed */
	char key[96]; /* as written in the file, e.g. "net.netfilter.nf_conntrack_max" */
	char file[512]; /* path relative to root, e.g. "/etc/sysctl.d/90-conntrack.conf" */
	unsigned line;
	unsigned overridden; /* how many earlier assignments of the same value it overrode */
};

/*
 * Find what boot applies for any of keys (aliases of one value, in dotted or slashed form, e.g.
 * {"net.netfilter.nf_conntrack_max", "net.nf_conntrack_max", NULL}), reading under root (normally
 * "/", a fixture tree in tests): /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
 * /usr/lib/sysctl.d, /lib/sysctl.d with systemd-sysctl's rules (files ordered by name across
 * directories; a name in an earlier directory masks the same name in later ones; a symlink to
 * /dev/null masks), and /etc/sysctl.conf last, as procps' `sysctl --system` does.
 * Returns 0 (found or not), or -errno on an unreadable directory with a reason in err.
 */
int ct_sysctl_boot_value(const char *root, const char *const *keys, struct ct_sysctl_setting *out,
			 char *err, size_t errlen);

/* Parse one sysctl.conf-format buffer, updating out for the keys (unit tests, fuzzing). */
int ct_sysctl_parse(const char *text, size_t len, const char *file, const char *const *keys,
		    struct ct_sysctl_setting *out);

/* Tests: resolve paths by hand, as on kernels without openat2 (Linux < 5.6). */
void ct_sysctl_test_manual_resolve(bool on);

#endif
