/*
 * The boot section: what loads connection tracking or sets its hash size at the next boot (read
 * under --root by boot_collect.c when it is shown), next to the running state.
 */
#include <stdlib.h>

#include "boot_collect.h"
#include "parts.h"

/* A phrase of the boot module into a buffer of its size. */
static char *boot_text(const struct ct_boot *b, int active, uint64_t buckets, bool summary)
{
	int n = summary ? ct_boot_summary(b, active, NULL, 0)
			: ct_boot_lines(b, active, buckets, NULL, 0);
	char *s = malloc(n > 0 ? (size_t)n + 1 : 1);

	if (!s)
		mp_die(CT_SERVICE, "out of memory");
	s[0] = '\0';
	if (n > 0 && summary)
		ct_boot_summary(b, active, s, (size_t)n + 1);
	else if (n > 0)
		ct_boot_lines(b, active, buckets, s, (size_t)n + 1);
	return s;
}

static bool brings_tracking(const struct ct_boot *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->item[i].source != CT_BOOT_HASHSIZE)
			return true;
	return b->dropped > 0;
}

/* -v, tracking off: what to change so that a reboot keeps it off. */
static void advice_lines(const struct ct_boot *b, mp_subcheck *out)
{
	char s[640];

	for (size_t i = 0; i < b->n; i++)
		if (ct_boot_advice(&b->item[i], s, sizeof(s)) > 0)
			mp_add_subcheck_to_subcheck(out, ct_part(STATE_OK, "advice: %s", s));
}

bool ct_section_boot(const struct ct_config *cfg, const struct ct_snapshot *snap,
		     const struct ct_ns *top, mp_subcheck *out, struct mp_buf *summary)
{
	const struct ct_boot *b = snap->boot;
	int active = ct_boot_active(snap);
	uint64_t buckets = ct_ns_read(top) && top->proc.have_buckets ? top->proc.buckets : 0;
	char *frag, *lines;

	if (!b)
		return false;
	/* Tracking off and nothing brings it back: nothing to say but with -v. */
	if (active == 0 && !brings_tracking(b) && b->rc == 0 && cfg->verbose < 1)
		return false;
	frag = boot_text(b, active, buckets, true);
	lines = boot_text(b, active, buckets, false);
	if (frag[0]) {
		mp_buf_printf(summary, ", %s", frag);
		*out = ct_part(-1, "boot: %s", frag);
	} else if (b->rc < 0 && !b->n) {
		*out = ct_part(-1, "boot: cannot tell what brings tracking back after a reboot");
	} else {
		*out = ct_part(-1, "boot: %s",
			       brings_tracking(b) ? "tracking is loaded at boot"
						  : "no boot configuration read loads tracking");
	}
	ct_part_lines(out, lines, STATE_OK);
	if (active == 0 && cfg->verbose >= 1)
		advice_lines(b, out);
	free(frag);
	free(lines);
	return true;
}
