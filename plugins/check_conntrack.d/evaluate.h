/* Evaluation: a snapshot and the options turned into states. */
#ifndef CT_EVALUATE_H
#define CT_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"

/* The verdict for one namespace, and overall. */
struct ct_ns_result {
	int state;
	bool have_utilization;
	double utilization;
	int delta_state[CT_WATCHED_MAX];
	int rules_state;
};
struct ct_result {
	int state;
	size_t fullest; /* index of the namespace the summary names */
	int persistence_state;
	int store_state; /* the state given to an unusable state directory */
	struct ct_ns_result *ns;
};

struct ct_result ct_evaluate(const struct ct_config *cfg, const struct ct_snapshot *snap);
void ct_result_free(struct ct_result *res);

#endif
