/*
 * A look inside a namespace's table during collection, in the namespace and before privileges are
 * dropped: the expectation table, a composition sample of the entries when the table is under
 * pressure (or -v asks), and the timeouts that keep them alive.
 */
#ifndef CT_COLLECT_TABLE_H
#define CT_COLLECT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "retention_store.h"
#include "snapshot.h"

struct mnl_socket;

/*
 * Whether the table is under pressure, from what collection knows before privileges go: the
 * count (or utilization) at the warning or critical threshold, or drops or early drops since
 * this check's baseline prev (NULL: none; one of another boot compares nothing). why (may be
 * NULL) says which, e.g. "at the critical threshold; +28 drop since the last check".
 */
bool ct_under_pressure(const struct ct_config *cfg, const struct ct_ns *ns,
		       const struct mp_store_record *prev, const char *boot_id, char *why,
		       size_t whylen);

/*
 * The expectation table: its limit, and its size from a netlink dump on *nl (nl NULL: not
 * privileged) or else from the stat file's counters. A dump cut short closes *nl (NULL).
 */
void ct_collect_expect(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       struct mnl_socket **nl);

/*
 * The composition sample (CAP_NET_ADMIN: nl not NULL) when the table is under pressure or with
 * -v, bounded by CT_COMPOSITION_CAP entries and a tenth of -t for all the run's samples; the
 * timeouts with it, or with -v. A sample cut short closes *nl (NULL).
 */
void ct_collect_inside(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       struct mnl_socket **nl);

void ct_inside_free(struct ct_inside *in);

#endif
