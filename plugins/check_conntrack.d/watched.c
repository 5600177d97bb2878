/* The table of watched counters: a rise of any of them between two runs can raise the state. */
#include "watched.h"

const struct ct_watched ct_watched[] = {
	{CT_DROP, "drop", "packets dropped",
	 "packets dropped because the table was full or an insert clashed (the kernel's drop "
	 "counter, the output says which)",
	 NULL, "0"},
	{CT_EARLY_DROP, "early-drop", "early drops",
	 "entries evicted to make room for new ones (early_drop)", "0", NULL},
	{CT_INSERT_FAILED, "insert-failed", "failed inserts",
	 "entries that could not be inserted (insert_failed)", NULL, NULL},
};

const size_t ct_watched_n = sizeof(ct_watched) / sizeof(ct_watched[0]);

_Static_assert(sizeof(ct_watched) / sizeof(ct_watched[0]) <= CT_WATCHED_MAX,
	       "raise CT_WATCHED_MAX: the configuration keeps thresholds for every row");

int ct_watched_index(enum ct_counter counter)
{
	for (size_t i = 0; i < ct_watched_n; i++)
		if (ct_watched[i].counter == counter)
			return (int)i;
	return -1;
}
