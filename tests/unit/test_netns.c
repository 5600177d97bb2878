/* Unit tests for names and paths: escaped names, unique perfdata labels, checked directory options.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "procfs.h"
#include "evaluate.h"
#include "render.h"
#include "tap.h"

static void escapes(void)
{
	char out[32];

	ct_escape_name(out, sizeof(out), "web-1");
	is_str(out, "web-1", "a plain name is unchanged");
	ct_escape_name(out, sizeof(out), "e\033[31mx\ry");
	is_str(out, "e\\x1b[31mx\\x0dy", "ESC and CR are escaped");
	ct_escape_name(out, sizeof(out), "a\\b\n\x7f");
	is_str(out, "a\\\\b\\x0a\\x7f", "backslash, newline and DEL are escaped");
	ct_escape_name(out, 8, "abcdefghij");
	is_str(out, "abcd...", "a name that does not fit ends in ...");
	ct_escape_name(out, 8, "abcdefg");
	is_str(out, "abcdefg", "a name that just fits is whole");
	ct_escape_name(out, 8, "abcd\033");
	is_str(out, "abcd...", "an escape is never cut in half");
}

static void paths(void)
{
	char buf[16], err[320], dir[] = "/tmp/ct-unit-XXXXXX", sub[64], longp[PATH_MAX + 16];

	is_int(ct_path(buf, sizeof(buf), "%s/%s", "/proc", "self"), 0, "a path that fits");
	is_str(buf, "/proc/self", "the path built");
	is_int(ct_path(buf, sizeof(buf), "%s/%s", "/proc", "sys/net/netfilter"), -ENAMETOOLONG,
	       "a path that does not fit: -ENAMETOOLONG, not a shorter path");
	is_str(buf, "", "and nothing usable in the buffer");

	ok(mkdtemp(dir) != NULL, "a temporary directory");
	is_int(ct_check_root("--procfs", "", true, err, sizeof(err)), -EINVAL, "empty: refused");
	ok(strstr(err, "--procfs is empty") != NULL, "empty: says so (%s)", err);
	is_int(ct_check_root("--procfs", "proc", true, err, sizeof(err)), -EINVAL,
	       "relative: refused");
	memset(longp, '/', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	is_int(ct_check_root("--sysfs", longp, false, err, sizeof(err)), -ENAMETOOLONG,
	       "longer than PATH_MAX: refused, not cut");
	is_int(ct_check_root("--root", "/nonexistent/x", false, err, sizeof(err)), -ENOENT,
	       "missing: refused");
	ok(strstr(err, "--root=/nonexistent/x: No such file or directory") != NULL,
	   "missing: says why (%s)", err);
	is_int(ct_check_root("--procfs", dir, true, err, sizeof(err)), -ENOENT,
	       "an empty directory is not a proc tree");
	is_int(ct_check_root("--sysfs", dir, false, err, sizeof(err)), 0,
	       "an empty directory is a directory");
	snprintf(sub, sizeof(sub), "%s/sys", dir);
	ok(mkdir(sub, 0700) == 0, "sys/ made");
	is_int(ct_check_root("--procfs", dir, true, err, sizeof(err)), 0,
	       "a directory with sys/ looks like a proc tree");
	snprintf(sub, sizeof(sub), "%s/file", dir);
	close(open(sub, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	is_int(ct_check_root("--root", sub, false, err, sizeof(err)), -ENOTDIR,
	       "a file is not a directory");
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/sys", dir);
	rmdir(sub);
	rmdir(dir);
}

/* The classic output for namespaces with these labels, into out. */
static void render(const char *const *labels, size_t n, char *out, size_t len)
{
	struct ct_config cfg = {.procfs = "/proc", .missing_state = MP_OK};
	struct ct_snapshot snap = {.multi = true, .n = n};
	struct ct_verdict v;
	char *text;

	snap.ns = calloc(n, sizeof(*snap.ns));
	for (size_t i = 0; i < n; i++) {
		snprintf(snap.ns[i].label, sizeof(snap.ns[i].label), "%s", labels[i]);
		snap.ns[i].inode = 4026532000u + i;
		snap.ns[i].proc.max = 100;
		snap.ns[i].proc.entries = i;
		snap.ns[i].counters_rc = -ENOENT;
	}
	v = ct_evaluate(&cfg, &snap);
	text = ct_render_classic(&v);
	snprintf(out, len, "%s\n", text);
	free(text);
	ct_verdict_free(&v);
	free(snap.ns);
}

/* Every perfdata label of the first line, space-separated, must appear once. */
static int duplicates(const char *out)
{
	char line[4096], *labels[64], *save = NULL;
	int n = 0, dups = 0;
	const char *bar = strstr(out, " | ");

	snprintf(line, sizeof(line), "%s", bar ? bar + 3 : "");
	line[strcspn(line, "\n")] = '\0';
	for (char *t = strtok_r(line, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save)) {
		t[strcspn(t, "=")] = '\0';
		for (int i = 0; i < n; i++)
			dups += strcmp(labels[i], t) == 0;
		labels[n++] = t;
	}
	return dups;
}

static void labels(void)
{
	static const char *const names[] = {"host", "a_b", "a:b", "a@b", "early", "host", "::"};
	char out[8192];

	render(names, sizeof(names) / sizeof(names[0]), out, sizeof(out));
	is_int(duplicates(out), 0, "every perfdata label is unique");
	ok(strstr(out, " a_b_entries=") != NULL, "a label-safe name keeps its label");
	ok(strstr(out, " a_b__4026532002_entries=") && strstr(out, " a_b__4026532003_entries="),
	   "a:b and a@b get their namespace's inode");
	ok(strstr(out, " host_entries=") && strstr(out, " host__4026532005_entries="),
	   "a second \"host\" yields to our own namespace");
	ok(strstr(out, " early__4026532004_drop") == NULL &&
		   strstr(out, " early_entries=") == NULL &&
		   strstr(out, " early__4026532004_entries="),
	   "\"early\" would make early_drop: it gets its inode");
	ok(strstr(out, " _4026532006_entries=") != NULL, "a name of symbols only gets its inode");

	/* The same rules whatever the order: a later plain name still beats an earlier changed one,
	 * and of three plain ones the first keeps the name. */
	static const char *const again[] = {"host", "a:b", "web", "web", "a_b", "web"};
	render(again, sizeof(again) / sizeof(again[0]), out, sizeof(out));
	is_int(duplicates(out), 0, "every perfdata label is unique (second set)");
	ok(strstr(out, " a_b_entries=") && strstr(out, " a_b__4026532001_entries="),
	   "a plain a_b after a:b keeps its label, a:b gets its inode");
	ok(strstr(out, " web_entries=") && strstr(out, " web__4026532003_entries=") &&
		   strstr(out, " web__4026532005_entries=") && !strstr(out, " web__4026532002_"),
	   "the first of three plain \"web\" keeps it, the later two get their inodes");
}

/* Which namespaces --netns names: our own, one by path, one by name; what is not one. */
static void selection(void)
{
	struct ct_ns_target *t = NULL;
	struct ct_netns_scan scan;
	char err[320] = "";
	size_t n = 0;
	uint64_t self = 0;

	ok(ct_netns_self("/proc", &self) == 0 && self != 0, "our own namespace has an inode");
	is_int(ct_netns_targets(NULL, "/proc", &t, &n, &scan, err, sizeof(err)), 0,
	       "no --netns: one target");
	ok(n == 1 && t[0].fd == -1 && strcmp(t[0].label, "host") == 0 && t[0].inode == self,
	   "... our own, \"host\", nothing to enter");
	free(t);
	is_int(ct_netns_targets("/proc/self/ns/net", "/proc", &t, &n, &scan, err, sizeof(err)), 0,
	       "--netns=/proc/self/ns/net: found");
	ok(n == 1 && t[0].fd == -1 && strcmp(t[0].label, "/proc/self/ns/net") == 0,
	   "... our own again: nothing to enter, named as given");
	free(t);
	is_int(ct_netns_targets("ct-unit-no-such-namespace", "/proc", &t, &n, &scan, err,
				sizeof(err)),
	       -ENOENT, "--netns=NAME not under /run/netns: -ENOENT");
	is_str(err,
	       "cannot open network namespace /run/netns/ct-unit-no-such-namespace: No such file "
	       "or directory",
	       "... with the reason");
	is_int(ct_netns_targets("/dev/null", "/proc", &t, &n, &scan, err, sizeof(err)), -EINVAL,
	       "a file that is not a namespace: -EINVAL");
	is_str(err, "/dev/null is not a network namespace", "... says so");
	/* Files of /proc and other namespaces' files are on the right filesystem, and no network
	 * namespace either. */
	is_int(ct_netns_targets("/proc/self/status", "/proc", &t, &n, &scan, err, sizeof(err)),
	       -EINVAL, "--netns=/proc/self/status: -EINVAL");
	is_str(err, "/proc/self/status is not a network namespace", "... says so");
	is_int(ct_netns_targets("/proc/self/ns/mnt", "/proc", &t, &n, &scan, err, sizeof(err)),
	       -EINVAL, "--netns=/proc/self/ns/mnt: -EINVAL");
	is_str(err, "/proc/self/ns/mnt is not a network namespace", "... says so");
	is_int(ct_netns_targets("..", "/proc", &t, &n, &scan, err, sizeof(err)), -EINVAL,
	       "--netns=..: refused");
}

int main(void)
{
	escapes();
	paths();
	labels();
	selection();
	return tap_done();
}
