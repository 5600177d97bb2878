/* The command line (and the --extra-opts file's options before it): parsed, checked, or why not. */
#ifndef CT_OPTIONS_H
#define CT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct ct_config_result {
	int errorcode; /* 0, or MP_UNKNOWN with reason */
	char reason[320];
	bool exit_ok; /* -h or -V: printed, leave with OK */
	bool sysfs_given; /* a missing /sys is context lost; a missing --sysfs is a mistake */
	/* A given --procfs or --root is checked before use; the defaults speak for themselves when
	 * read (a missing /proc makes every read fail with its reason). */
	bool procfs_given, root_given;
	struct ct_config config;
};

/* The defaults: -w 80% -c 90%, each watched counter's default thresholds, /proc, /sys, -t 10. */
void ct_options_init(struct ct_config *cfg);
/*
 * argv[1..nini] came from the --extra-opts file (help, version and --extra-opts are refused
 * there). Prints the help or the version itself (exit_ok).
 */
struct ct_config_result ct_options_parse(int argc, char **argv, int nini);
/*
 * The directories the check reads under. Empty (an unset variable), relative, too long or missing
 * is a misconfiguration: -errno with the reason, never "connection tracking is not active".
 */
int ct_options_check_roots(const struct ct_config_result *cr, char *err, size_t errlen);

#endif
