/*
 * What the owners and the hash add to the advice (advice.c calls these three hooks): the hash
 * size that goes with a new limit, kube-proxy's word on where the limit lasts, and each owner's
 * own sentence.
 */
#ifndef CT_ADVICE_MORE_H
#define CT_ADVICE_MORE_H

#include <stdbool.h>
#include <stdint.h>

#include "mp.h"
#include "snapshot.h"

/* Buckets to advise with a new limit of want entries: never a crowded ratio (hash.h). */
uint64_t ct_advice_more_buckets(const struct ct_proc *p, uint64_t want);

/*
 * Where the limit lasts, when a program that rewrites it at start owns rules in a namespace
 * read (kube-proxy): its sentence, in place of the sysctl.d advice. false when none does.
 */
bool ct_advice_more_persist(const struct ct_snapshot *snap, struct mp_buf *out);

/* The sentence of each other owner of rules in a namespace read, after the advice. */
void ct_advice_more(const struct ct_snapshot *snap, struct mp_buf *out);

#endif
