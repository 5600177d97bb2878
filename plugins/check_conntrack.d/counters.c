/* Names of the conntrack statistics counters, and lookup by kernel or stat-file name. */
#include <string.h>

#include "counters.h"

const char *const ct_counter_names[CT_COUNTER_MAX] = {
	[CT_SEARCHED] = "searched",
	[CT_FOUND] = "found",
	[CT_NEW] = "new",
	[CT_INVALID] = "invalid",
	[CT_IGNORE] = "ignore",
	[CT_DELETE] = "delete",
	[CT_DELETE_LIST] = "delete_list",
	[CT_INSERT] = "insert",
	[CT_INSERT_FAILED] = "insert_failed",
	[CT_DROP] = "drop",
	[CT_EARLY_DROP] = "early_drop",
	[CT_ERROR] = "error",
	[CT_SEARCH_RESTART] = "search_restart",
	[CT_CLASH_RESOLVE] = "clash_resolve",
	[CT_CHAINTOOLONG] = "chaintoolong",
};

/* /proc/net/stat/nf_conntrack prints a few counters under other names. */
static const struct {
	const char *name;
	enum ct_counter counter;
} ct_aliases[] = {
	{"icmp_error", CT_ERROR},
	{"clashres", CT_CLASH_RESOLVE},
	{"chainlength", CT_CHAINTOOLONG},
};

int ct_counter_by_name(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < CT_COUNTER_MAX; i++)
		if (strcmp(name, ct_counter_names[i]) == 0)
			return (int)i;
	for (i = 0; i < sizeof(ct_aliases) / sizeof(ct_aliases[0]); i++)
		if (strcmp(name, ct_aliases[i].name) == 0)
			return (int)ct_aliases[i].counter;
	return -1;
}
