/* The owner part of a namespace: who wrote its rules, named from their tables and chains. */
#include <stdio.h>

#include "owners.h"
#include "parts.h"

bool ct_part_owner(const struct ct_ns *ns, mp_subcheck *out)
{
	const struct ct_rules *r = &ns->rules;
	unsigned all = r->owners | r->tracking_owners;
	struct mp_buf names = {0};
	char line[640];

	if (!ct_ns_read(ns) || !all)
		return false;
	for (int o = 0; o < CT_OWNER_MAX; o++)
		if (all & (1u << o))
			mp_buf_printf(&names, "%s%s", names.len ? ", " : "",
				      ct_owner_name((enum ct_owner)o));
	*out = ct_part(STATE_OK, "owner: %s", ct_text(&names));
	mp_buf_free(&names);
	ct_owner_line(r->owners, r->tracking_owners, line, sizeof(line));
	/* Where a backend was not read, "none of the rules" speaks of those read only. */
	mp_add_subcheck_to_subcheck(out,
				    ct_part(STATE_OK, "%s%s", line,
					    ct_rules_complete(r) ? "" : " (of the rules read)"));
	return true;
}
