/*
 * What brings tracking back at boot, read under --root after retention, and only when it will be
 * shown: with -v, when tracking is not active, or when a table is under pressure.
 */
#ifndef CT_BOOT_COLLECT_H
#define CT_BOOT_COLLECT_H

#include <stdbool.h>

#include "config.h"
#include "snapshot.h"

/*
 * Is the boot configuration worth its reading (about 60 system calls)? -v; connection tracking
 * not active where a namespace was looked at (does a reboot undo that?); or a table under
 * pressure: at or beyond -w or -c, or drops or early drops since the last check.
 */
bool ct_boot_wanted(const struct ct_config *cfg, const struct ct_snapshot *snap);
/* A table under pressure: at or beyond -w or -c, or drops or early drops since the last check. */
bool ct_pressure(const struct ct_config *cfg, const struct ct_snapshot *snap);

/* Fills snap->boot (malloc'd) when wanted. Unprivileged: after collection dropped them. */
void ct_collect_boot(const struct ct_config *cfg, struct ct_snapshot *snap);

/* 1: tracking is loaded (a namespace was read), 0: it is not, -1: cannot tell. */
int ct_boot_active(const struct ct_snapshot *snap);

#endif
