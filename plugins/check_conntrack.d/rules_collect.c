/* Collects which rules force connection tracking in the current namespace, or why it cannot. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_collect.h"
#include "retention_store.h"
#include "statedir.h"
#include "trace.h"

static void add_reason(struct ct_rules *r, const char *why)
{
	size_t l = strlen(r->why_not);

	if (!why[0] || strstr(r->why_not, why))
		return;
	snprintf(r->why_not + l, sizeof(r->why_not) - l, "%s%s", l ? ", " : "", why);
}

/* The cached result when the ruleset generation is the one it was made for. */
/*
 * Read without the file's own lock: a writer replaces the file whole (a new file renamed over
 * it, under that lock), never writes into it, so the file opened is one version, complete.
 */
static bool from_cache(struct ct_snapshot *snap, struct ct_rules *r, const char *name,
		       const struct ct_rules_cache_key *k)
{
	const struct ct_store *s = &snap->store;
	char err[256];
	int rc;

	if (!s->locked)
		return false;
	rc = ct_rules_cache_load(s->h.dirfd, name, k, r, err, sizeof(err));
	if (rc < 0) {
		ct_note(&snap->trace, 2, "nftables rules: %s/%s %s", s->dir, name, err);
		return false;
	}
	ct_note(&snap->trace, 1,
		"nftables rules unchanged since the last run (generation %" PRIu32
		"): taken from %s/%s",
		k->genid, s->dir, name);
	return true;
}

/* The file text for r: every rule when it fits the cache's bound, else what a run lists. */
static char *cache_text(const struct ct_rules_cache_key *k, const struct ct_rules *r, int *len)
{
	size_t cap = 4096 + r->n * 48;
	char *text = NULL, *bigger;

	for (;;) {
		if (cap > (size_t)CT_RULES_CACHE_MAX)
			cap = CT_RULES_CACHE_MAX;
		bigger = realloc(text, cap);
		if (!bigger)
			break;
		text = bigger;
		*len = ct_rules_cache_format(k, r, r->keep, text, cap);
		if (*len != -ENOSPC)
			return text;
		if (cap == CT_RULES_CACHE_MAX)
			break;
		cap *= 2;
	}
	/* -v's list would not fit: the next default run at least takes the file. */
	*len = text && r->keep == 0
		       ? ct_rules_cache_format(k, r, CT_RULES_LISTED, text, CT_RULES_CACHE_MAX)
		       : -ENOSPC;
	return text;
}

static void to_cache(struct ct_snapshot *snap, const struct ct_rules *r, const char *name,
		     const struct ct_rules_cache_key *k)
{
	struct mp_store_handle h;
	char dir[PATH_MAX], err[256], *text;
	int len = -ENOSPC;

	text = cache_text(k, r, &len);
	if (len > 0 &&
	    ct_statedir_file(&snap->store, name, &h, dir, sizeof(dir), err, sizeof(err)) == 0) {
		if (mp_store_write_text(&h, text, (size_t)len, err, sizeof(err)) < 0)
			ct_note(&snap->trace, 2, "nftables rules not cached: %s", err);
		mp_store_close(&h);
	}
	free(text);
}

/* The -v note of a backend's read: how many tries it took when the ruleset changed under it. */
static void note_read(struct ct_snapshot *snap, const struct ct_backend *be, int rc,
		      const struct ct_nft_dump *info, const char *err)
{
	if (rc < 0)
		ct_note(&snap->trace, 1, "%s rules not read: %s", be->title, err);
	else if (rc == 1)
		ct_note(&snap->trace, 1, "%s rules %s", be->title, be->absent);
	else if (info->tries > 1)
		ct_note(&snap->trace, 1,
			"%s rules read (try %u: the ruleset changed during the others)", be->title,
			info->tries);
	else
		ct_note(&snap->trace, 1, "%s rules read", be->title);
}

/* A backend's read, noted. */
static int read_noted(struct ct_snapshot *snap, const struct ct_backend *be,
		      const struct ct_backend_io *io, struct ct_rules *r, char *err, size_t errlen)
{
	int rc = be->read(io, r, err, errlen);

	note_read(snap, be, rc, io->info, err);
	return rc;
}

/* File what was read under its generation, when the read is proven to be of one. */
static void cache_read(struct ct_snapshot *snap, const struct ct_rules *r, const char *name,
		       struct ct_rules_cache_key *k, const struct ct_nft_dump *info)
{
	if (!info->have_genid)
		return;
	k->genid = info->genid;
	to_cache(snap, r, name, k);
}

/*
 * A backend with a generation (nftables, the rules cache's format), from the cache when the
 * ruleset has not changed since it was written, else read: 0, 1 (not in use), or -errno. The
 * cache is written for every ruleset, the smallest and the empty one too (a dump is five requests:
 * generation, sets, objects, rules, generation again; a hit is one and a file read: for one table
 * of two rules 26 us dumped, 13 us from the cache, in process, medians of 300 runs), only under
 * the generation the read is proven to be of (the kernel said the same before and after it), and
 * never from a read that failed: that adds nothing to r and leaves the file alone.
 */
static int cached_read(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		       const struct ct_backend *be, const struct ct_backend_io *io, char *err,
		       size_t errlen)
{
	struct ct_rules *r = &ns->rules;
	struct ct_rules_cache_key k = {.boot_id = snap->boot_id};
	char name[64], why[160];
	bool have_file;
	int rc;

	/* The cache is the namespace's for this boot, named by its cookie (never reused). */
	if (!io->nl || !ns->cookie)
		return read_noted(snap, be, io, r, err, errlen);
	k.cookie = ns->cookie;
	snprintf(name, sizeof(name), "nft-rules-cookie-%" PRIu64, k.cookie);
	have_file = snap->boot_id[0] && r->n == 0 && !r->total[0] && !r->total[1] &&
		    ct_statedir_exists(&snap->store, name);
	if (have_file && be->generation(io, &k.genid, why, sizeof(why)) == 0 &&
	    from_cache(snap, r, name, &k))
		return 0;
	/*
	 * A read that may be cached keeps every rule, so that -v takes the file too; the other
	 * backends' rules after it are stored up to the usual limit (the output lists the same
	 * ones).
	 */
	if (snap->boot_id[0])
		r->keep = 0;
	rc = read_noted(snap, be, io, r, err, errlen);
	if (rc == 0 && snap->boot_id[0])
		cache_read(snap, r, name, &k, io->info);
	r->keep = cfg->verbose ? 0 : CT_RULES_LISTED;
	return rc;
}

/* What one backend's read left: its state, and why when it failed. */
static void backend_read(struct ct_rules *r, enum ct_rules_backend b, int rc, const char *err)
{
	r->read[b] = rc < 0 ? CT_READ_FAILED : rc == 1 ? CT_READ_ABSENT : CT_READ_DONE;
	if (rc < 0)
		add_reason(r, err);
}

void ct_collect_rules(const struct ct_config *cfg, struct ct_snapshot *snap, struct ct_ns *ns,
		      bool direct, struct mnl_socket *nl, const char *nl_err)
{
	struct ct_rules *r = &ns->rules;
	struct ct_nft_dump info;
	/* Retries of a changed read may take a quarter of -t: the rest is the run's. */
	const struct ct_backend_io io = {.nl = nl,
					 .nl_err = nl_err,
					 .procfs = cfg->procfs,
					 .budget_ms = cfg->timeout * 250,
					 .info = &info};
	char err[256];
	int rc;

	/* Only what the output lists is stored; the rest is counted. */
	r->keep = cfg->verbose ? 0 : CT_RULES_LISTED;
	if (cfg->no_rules) {
		add_reason(r, "--no-rules");
		return;
	}
	if (!direct) {
		/* ct_collect_holders says what it can, once privileges are gone. */
		add_reason(r, ct_procfs_is_elsewhere(cfg) ? "not with --procfs"
							  : "needs CAP_NET_ADMIN");
		return;
	}
	for (int b = 0; b < CT_BACKENDS; b++) {
		const struct ct_backend *be = &ct_backends[b];

		err[0] = '\0';
		info = (struct ct_nft_dump){0};
		rc = be->generation ? cached_read(cfg, snap, ns, be, &io, err, sizeof(err))
				    : read_noted(snap, be, &io, r, err, sizeof(err));
		backend_read(r, be->id, rc, err);
	}
}

/*
 * Where the firewall could not be asked, the modules that hold nf_conntrack hint at what uses it.
 * They are plain files (a --sysfs or --procfs tree may be anyone's), so they are read after
 * privileges are dropped, for each namespace that was entered.
 */
void ct_collect_holders(const struct ct_config *cfg, struct ct_snapshot *snap, bool direct)
{
	char err[256];

	if (direct || cfg->no_rules)
		return;
	for (size_t i = 0; i < snap->n; i++) {
		if (snap->ns[i].enter_rc < 0)
			continue;
		err[0] = '\0';
		if (ct_rules_holders(cfg->procfs, cfg->sysfs, &snap->ns[i].rules, err,
				     sizeof(err)) < 0)
			ct_note(&snap->trace, 1, "module holders: %s", err);
	}
}
