/*
 * The run's state directory: the key of the check definition, the first usable place, and its
 * lock, taken before the counters are read and held until retention saved them. Retention and
 * the rules cache keep their files there.
 */
#ifndef CT_STATEDIR_H
#define CT_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"
#include "retention_store.h"
#include "trace.h"

/* Chooses the directory and takes the check's lock; s->unusable (and why) when none works. */
void ct_statedir_open(const struct ct_config *cfg, struct ct_store *s, struct ct_trace *trace);
/* A file of its own in the locked directory, with its own lock: 0 or -errno (-ENOENT: none). */
int ct_statedir_file(const struct ct_store *s, const char *name, struct mp_store_handle *h,
		     char *dir, size_t dirlen, char *err, size_t errlen);
bool ct_statedir_exists(const struct ct_store *s, const char *name);
/* FNV-1a, 64 bits: a short name for a set of options or a path, not a secret. */
uint64_t ct_fnv1a(const char *s);
/* Releases the lock. */
void ct_statedir_close(struct ct_store *s);

#endif
