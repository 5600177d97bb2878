/*
 * Retention, the step between collection and evaluation, on a state directory of its own: a first
 * run saves a baseline, the next one compares with it (what rose, in how many seconds), a reboot
 * or a counter that went backwards starts a new baseline, --peek saves nothing, a state directory
 * that cannot be used says so, and baselines of namespaces that are gone are pruned. The
 * forecast's samples are kept in the same file, under the same lock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "retention.h"
#include "statedir.h"

#include "tap.h"

#define BOOT_A "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
#define BOOT_B "7c2a1f3b-4d5e-4f60-9bac-1d2e3f4a5b6c"

static char dir[64];

/*
 * One run of retention, as a new process would do it: what the last run found forgotten, the
 * state directory opened, the namespaces compared and saved, the directory closed.
 */
static void retain(const struct ct_config *cfg, struct ct_snapshot *snap, time_t now)
{
	for (size_t i = 0; i < snap->n; i++) {
		struct ct_ns *ns = &snap->ns[i];

		ns->retention = CT_RET_NONE;
		ns->retention_note[0] = '\0';
		memset(ns->delta, 0, sizeof(ns->delta));
		ns->seconds = 0;
		ns->baseline_read = false;
		ns->fc_kept = false;
		ns->fc_note[0] = '\0';
		ns->fc_note_level = 0;
	}
	memset(&snap->store, 0, sizeof(snap->store));
	ct_statedir_open(cfg, &snap->store, &snap->trace);
	ct_retain(cfg, snap, now);
	ct_statedir_close(&snap->store);
}

static struct ct_ns counted_ns(uint64_t inode, uint64_t drop)
{
	struct ct_ns ns = {.inode = inode};

	snprintf(ns.label, sizeof(ns.label), "ns%llu", (unsigned long long)inode);
	ns.counters.present = 1u << CT_DROP | 1u << CT_FOUND;
	ns.counters.value[CT_DROP] = drop;
	ns.counters.value[CT_FOUND] = 1000;
	return ns;
}

/* Files in the state directory whose names hold this text. */
static int files_with(const char *text)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strstr(de->d_name, text) != NULL;
	if (d)
		closedir(d);
	return n;
}

static void baseline_and_delta(void)
{
	struct ct_config cfg;
	struct ct_ns ns = counted_ns(7, 10);
	struct ct_snapshot snap = {.n = 1, .ns = &ns, .boot_id = BOOT_A};

	ct_options_init(&cfg);
	cfg.state_dir = dir;
	retain(&cfg, &snap, 1000);
	is_int(ns.retention, CT_RET_BASELINE, "first run: a baseline");
	is_str(ns.retention_note, "counters: first run, baseline saved", "... saved");
	ok(!snap.store.unusable, "... in a usable state directory");

	ns.counters.value[CT_DROP] = 15;
	retain(&cfg, &snap, 1060);
	is_int(ns.retention, CT_RET_DELTA, "second run: compared");
	is_int(ns.delta[CT_DROP], 5, "... drop rose by 5");
	is_int(ns.delta[CT_FOUND], 0, "... found did not");
	ok(ns.seconds == 60, "... in 60 s");

	ns.counters.value[CT_DROP] = 3;
	retain(&cfg, &snap, 1120);
	is_int(ns.retention, CT_RET_BASELINE, "a counter went backwards: a new baseline");
	is_str(ns.retention_note, "counters: new baseline (drop went backwards: 15 -> 3)",
	       "... says which and how");
	is_int(ns.delta[CT_DROP], 0, "... and claims no rise");

	snprintf(snap.boot_id, sizeof(snap.boot_id), "%s", BOOT_B);
	ns.counters.value[CT_DROP] = 4;
	retain(&cfg, &snap, 1180);
	is_str(ns.retention_note, "counters: new baseline (the host rebooted since the last check)",
	       "another boot id: a new baseline");

	/* --peek compares, saves nothing: the next scheduled run still sees the rise. */
	cfg.peek = true;
	ns.counters.value[CT_DROP] = 9;
	retain(&cfg, &snap, 1240);
	is_int(ns.delta[CT_DROP], 5, "--peek: compared (4 -> 9)");
	is_str(ns.retention_note,
	       "counters: looked with --peek: the baseline stays for the next check",
	       "... says the baseline stays");
	cfg.peek = false;
	retain(&cfg, &snap, 1300);
	is_int(ns.delta[CT_DROP], 5, "after --peek: the scheduled run sees the same rise");

	/* Another check definition (other thresholds) keeps a baseline of its own. */
	cfg.warn.range.end = 70;
	ns.counters.value[CT_DROP] = 100;
	retain(&cfg, &snap, 1360);
	is_int(ns.retention, CT_RET_BASELINE, "other thresholds: another check, its own baseline");
}

static void unusable(void)
{
	struct ct_config cfg;
	struct ct_ns ns = counted_ns(7, 10);
	struct ct_snapshot snap = {.n = 1, .ns = &ns, .boot_id = BOOT_A};
	char file[128];
	FILE *f;

	ct_options_init(&cfg);
	snprintf(file, sizeof(file), "%s/not-a-dir", dir);
	f = fopen(file, "w");
	if (f)
		fclose(f);
	cfg.state_dir = file;
	retain(&cfg, &snap, 1000);
	ok(snap.store.unusable, "a state directory that is a file: unusable");
	ok(snap.store.why[0] != '\0', "... with the reason: %s", snap.store.why);
	is_int(ns.retention, CT_RET_NONE, "... nothing compared");
	ok(strncmp(ns.retention_note,
		   "counters: no comparison with the last check (state not kept: ", 61) == 0,
	   "... and the namespace says so");
	unlink(file);
}

/* The state file of namespace ns as text: its values, one a line. */
static void state_text(const struct ct_snapshot *snap, const struct ct_ns *ns, char *buf,
		       size_t len)
{
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s.inode-%llu", dir, snap->store.key,
		 (unsigned long long)ns->inode);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* The forecast's samples: kept with the counters, started again after a reboot, --peek adds none.
 */
static void forecast_ring(void)
{
	struct ct_config cfg;
	struct ct_ns ns = counted_ns(21, 10);
	struct ct_snapshot snap = {.n = 1, .ns = &ns, .boot_id = BOOT_A};
	char text[2048];

	ct_options_init(&cfg);
	cfg.state_dir = dir;
	cfg.state_key = "ring";
	ns.proc.active = true;
	ns.proc.max = 1000;
	ns.proc.entries = 100;
	retain(&cfg, &snap, 1000);
	ok(ns.fc_kept && ns.fc_ring.n == 1, "first run: one sample");
	is_int(ns.fc_now, 1000, "... taken now");
	state_text(&snap, &ns, text, sizeof(text));
	ok(strstr(text, "\nfc_max 1000\n") && strstr(text, "\nfc0 4294967296100\n"),
	   "... in the state file beside the counters (fc_max, fc0 = time << 32 | entries)");
	ok(strstr(text, "\ndrop 10\n") != NULL, "... the counters still there");

	ns.proc.entries = 150;
	retain(&cfg, &snap, 1060);
	is_int(ns.fc_ring.n, 1, "60 s later: not kept (every other sample at one check a minute)");
	is_int(ns.fc_note_level, 1, "... said with -v only");
	is_str(ns.fc_note, "less than 100 s after the last sample: not kept", "... which says why");

	ns.proc.entries = 200;
	retain(&cfg, &snap, 1120);
	is_int(ns.fc_ring.n, 2, "120 s after the first: kept");
	ok(ns.fc_ring.s[1].time == 1120 && ns.fc_ring.s[1].entries == 200, "... as read");

	cfg.peek = true;
	ns.proc.entries = 300;
	retain(&cfg, &snap, 1300);
	is_int(ns.fc_ring.n, 2, "--peek: the samples loaded, none added");
	ok(ns.fc_kept && ns.fc_now == 1300, "... the forecast still uses this reading");
	state_text(&snap, &ns, text, sizeof(text));
	ok(strstr(text, "\nfc1 ") && !strstr(text, "\nfc2 "),
	   "... and the state file is unchanged");
	cfg.peek = false;

	retain(&cfg, &snap, 1320);
	is_int(ns.fc_ring.n, 3, "the next scheduled run adds its sample");

	snprintf(snap.boot_id, sizeof(snap.boot_id), "%s", BOOT_B);
	retain(&cfg, &snap, 1500);
	is_int(ns.fc_ring.n, 1, "another boot id: the samples start again with this one");
	is_str(ns.fc_note, "samples started again: the host rebooted since the last check",
	       "... and says why");
	snprintf(snap.boot_id, sizeof(snap.boot_id), "%s", BOOT_A);

	ns.counters_rc = -ENOENT;
	retain(&cfg, &snap, 1700);
	ok(!ns.fc_kept, "no counters, no state file: no samples");
	ok(strncmp(ns.fc_note, "no samples kept: they are kept with the counters", 48) == 0,
	   "... said: %s", ns.fc_note);
}

static void pruning(void)
{
	struct ct_config cfg;
	struct ct_ns ns[2] = {counted_ns(11, 1), counted_ns(12, 1)};
	struct ct_snapshot snap = {.n = 2, .ns = ns, .boot_id = BOOT_A, .multi = true};

	ct_options_init(&cfg);
	cfg.state_dir = dir;
	cfg.state_key = "prune";
	retain(&cfg, &snap, 1000);
	is_int(files_with("prune.inode-"), 2, "--netns=all: a baseline per namespace");
	snap.n = 1;
	retain(&cfg, &snap, 1060);
	is_int(files_with("prune.inode-12"), 0, "a namespace gone: its baseline pruned");
	is_int(files_with("prune.inode-11"), 1, "... the other kept");
	/* A namespace not entered may still be alive: nothing is pruned then. */
	ns[1].enter_rc = -EPERM;
	snap.n = 2;
	retain(&cfg, &snap, 1120);
	is_int(files_with("prune.inode-11"), 1, "a namespace not entered: nothing pruned");
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/ct-unit-retention-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	baseline_and_delta();
	unusable();
	forecast_ring();
	pruning();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
