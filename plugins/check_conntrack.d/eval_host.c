/*
 * The host-wide sections of the verdict, after the namespaces: what --netns=all could not look
 * at, the state directory, persistence of the limit, advice, notes on the limit, the -v trace.
 * Each is a part whose children are its long-output lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "parts.h"

/* ", which the kernel reads as 4096" when the value is not written as that decimal number. */
static const char *kernel_reading(const struct ct_sysctl_setting *s, char *buf, size_t len)
{
	char plain[16];

	snprintf(plain, sizeof(plain), "%d", s->number);
	if (s->number_rc < 0 || strcmp(plain, s->value) == 0)
		return "";
	snprintf(buf, len, ", which the kernel reads as %d", s->number);
	return buf;
}

/* A file that could not be read leaves the verdict open: say which, and what was read. */
static void persistence_unknown_line(const struct ct_persistence *p, uint64_t max, struct mp_buf *b)
{
	mp_buf_printf(b,
		      "persistence: cannot tell whether boot applies the running limit %" PRIu64
		      ": %s, ",
		      max, p->err);
	if (p->boot.found)
		mp_buf_printf(b,
			      "the files that could be read set %s = %s (%s line %u), but what "
			      "could not be read may override it\n",
			      p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else
		mp_buf_printf(b, "none of the files that could be read sets the limit\n");
}

static void persistence_lines(const struct ct_config *cfg, const struct ct_persistence *p,
			      const struct ct_ns *ns, struct mp_buf *b)
{
	char reading[48];

	if (ct_persistence_unknown(p))
		persistence_unknown_line(p, ns->proc.max, b);
	else if (p->refused)
		mp_buf_printf(b,
			      "persistence: boot writes %s = %s (%s line %u), which the kernel "
			      "refuses (it takes one number from 0 to 2147483647): the configured "
			      "limit is never applied, boot leaves the kernel's default\n",
			      p->boot.key, p->boot.value, p->boot.file, p->boot.line);
	else if (p->mismatch)
		mp_buf_printf(
			b,
			"persistence: the running limit %" PRIu64
			" is not what boot applies: %s = %s%s (%s line %u), the running value "
			"will be lost at reboot, or the configured one was never applied (a "
			"classic: sysctl ran before nf_conntrack was loaded)\n",
			ns->proc.max, p->boot.key, p->boot.value,
			kernel_reading(&p->boot, reading, sizeof(reading)), p->boot.file,
			p->boot.line);
	else if (p->boot.found && cfg->verbose)
		mp_buf_printf(b, "persistence: boot applies the running limit (%s line %u)\n",
			      p->boot.file, p->boot.line);
	else if (!p->boot.found && cfg->verbose)
		mp_buf_printf(b,
			      "persistence: no sysctl file sets the limit: boot uses the "
			      "kernel's default (a value set with sysctl -w is lost at reboot)\n");
}

/*
 * --netns=all: namespaces skipped (being created or deleted: a note) or not seen (the check is
 * incomplete: UNKNOWN).
 */
bool ct_section_coverage(const struct ct_snapshot *snap, mp_subcheck *out)
{
	const struct ct_netns_scan *s = &snap->scan;
	bool incomplete = s->unseen || s->untold;

	if (!snap->multi || !(s->skipped || incomplete))
		return false;
	if (incomplete)
		*out = ct_part(-1, "netns: not every namespace could be seen, so not every one was "
				   "checked");
	else
		*out = ct_part(-1, "netns: every namespace held was checked");
	if (s->skipped)
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_OK,
				     "netns: %u under /run/netns skipped: gone or not a namespace "
				     "when read (being created or deleted): %s",
				     s->skipped, s->skipped_names));
	if (s->unseen)
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_UNKNOWN,
				     "netns: %u namespace%s held by processes %s not seen, so not "
				     "checked: other users' processes show their namespace only to "
				     "root, run --netns=all as root (sudo)",
				     s->unseen, s->unseen == 1 ? "" : "s",
				     s->unseen == 1 ? "was" : "were"));
	if (s->untold)
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_UNKNOWN,
				     "netns: the namespaces of %u processes could not be told from "
				     "ours, so not checked",
				     s->untold));
	if (incomplete)
		mp_add_subcheck_to_subcheck(
			out, ct_part(STATE_UNKNOWN, "netns: first not seen: %s", s->unseen_why));
	return true;
}

/*
 * The state directory: a default one someone else owns (not used), and counters that cannot be
 * kept (drop detection off: --state-unusable). Its text is in the summary, no line of its own.
 */
bool ct_section_statedir(const struct ct_snapshot *snap, int store_state, mp_subcheck *out)
{
	const struct ct_store *s = &snap->store;
	struct mp_buf b = {0};

	if (!s->squat[0] && store_state < 0)
		return false;
	if (s->squat[0])
		mp_buf_printf(&b, "default state directory not used: %s%s%s", s->squat,
			      s->dir[0] ? ", state kept in " : "", s->dir);
	if (store_state >= 0)
		mp_buf_printf(&b, "%sdrop detection off: state not kept (%s)",
			      s->squat[0] ? ", " : "", s->why);
	*out = ct_part(store_state >= 0 ? store_state : STATE_OK, "%s", ct_text(&b));
	mp_buf_free(&b);
	return true;
}

/* Whether boot applies the running limit; state the --persistence state when it does not. */
bool ct_section_persistence(const struct ct_config *cfg, const struct ct_snapshot *snap,
			    const struct ct_ns *top, int state, mp_subcheck *out)
{
	const struct ct_persistence *p = &snap->persistence;
	struct mp_buf b = {0};

	if (!p->checked)
		return false;
	persistence_lines(cfg, p, top, &b);
	if (ct_persistence_unknown(p))
		*out = ct_part(-1, "persistence: cannot tell if the limit is persistent (%s)",
			       p->err);
	else if (p->mismatch)
		*out = ct_part(-1, "persistence: limit not persistent");
	else
		*out = ct_part(-1, "persistence: %s",
			       p->boot.found ? "boot applies the running limit"
					     : "no sysctl file sets the limit");
	ct_part_lines(out, ct_text(&b), state);
	mp_buf_free(&b);
	if (!out->subchecks)
		*out = mp_set_subcheck_state(*out, (mp_state_enum)state);
	/* Only what was decided: no number when a sysctl file could not be read. */
	if (cfg->perf_detail && !ct_persistence_unknown(p))
		mp_add_perfdata_to_subcheck(out, ct_perf(mp_create_pd_value(p->mismatch ? 0 : 1),
							 NULL, "limit_persistent"));
	return true;
}

/* What to do about it, for the namespace the summary names and the reasons of its alerts. */
bool ct_section_advice(const struct ct_config *cfg, const struct ct_snapshot *snap,
		       const struct ct_ns *top, unsigned why, mp_subcheck *out)
{
	struct mp_buf b = {0};

	ct_advice(cfg, snap, top, why, &b);
	if (!b.len && !b.oom)
		return false;
	*out = ct_part(-1, "advice");
	ct_part_lines(out, ct_text(&b), STATE_OK);
	mp_buf_free(&b);
	return true;
}

/* The limit of the namespace the summary names, where it explains the utilization. */
bool ct_section_limit(const struct ct_ns *top, mp_subcheck *out)
{
	struct mp_buf b = {0};

	if (!ct_ns_read(top))
		return false;
	if (top->proc.max && top->proc.entries > top->proc.max)
		mp_buf_printf(&b, "entries exceed the limit: it was lowered below the current "
				  "count, new flows are dropped until old ones expire\n");
	if (!top->proc.max)
		mp_buf_printf(
			&b, "%s is 0: the kernel sets no limit, percent thresholds do not apply\n",
			top->proc.sysctl_key);
	if (!b.len && !b.oom)
		return false;
	*out = ct_part(-1, "the limit");
	ct_part_lines(out, ct_text(&b), STATE_OK);
	mp_buf_free(&b);
	return true;
}

/* -v: which files and sources were read, and why. */
bool ct_section_trace(const struct ct_snapshot *snap, mp_subcheck *out)
{
	const char *lines = ct_text(&snap->trace.lines);

	if (!lines[0])
		return false;
	*out = ct_part(-1, "what was read (-v)");
	ct_part_lines(out, lines, STATE_OK);
	return true;
}
