/* Unit tests for sysctl.c: the sysctl.d parser and the boot value under fixture roots. */
#include "tap.h"
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const ct_keys[] = {"net.netfilter.nf_conntrack_max", "net.nf_conntrack_max",
				      NULL};

static const char *fixtures(void)
{
	const char *d = getenv("CT_FIXTURES");

	return d ? d : "tests/fixtures/trees";
}

static int boot(const char *tree, struct ct_sysctl_setting *s, char *err, size_t errlen)
{
	char root[1024];

	snprintf(root, sizeof(root), "%s/%s", fixtures(), tree);
	return ct_sysctl_boot_value(root, ct_keys, s, err, errlen);
}

static void expect(const char *tree, const char *value, const char *file, unsigned line)
{
	struct ct_sysctl_setting s;
	char err[256] = "", name[300];
	int r = boot(tree, &s, err, sizeof(err));

	snprintf(name, sizeof(name), "%s: returns 0", tree);
	is_int(r, 0, name);
	snprintf(name, sizeof(name), "%s: no note (%s)", tree, err);
	ok(err[0] == '\0', "%s", name);
	snprintf(name, sizeof(name), "%s: found", tree);
	ok(s.found, "%s", name);
	snprintf(name, sizeof(name), "%s: value", tree);
	is_str(s.value, value, name);
	snprintf(name, sizeof(name), "%s: file", tree);
	is_str(s.file, file, name);
	snprintf(name, sizeof(name), "%s: line", tree);
	is_int(s.line, line, name);
}

/* A tree whose value the kernel reads as number. */
static void expect_number(const char *tree, const char *value, int number)
{
	struct ct_sysctl_setting s;
	char err[256] = "", name[300];

	snprintf(name, sizeof(name), "%s: returns 0", tree);
	is_int(boot(tree, &s, err, sizeof(err)), 0, name);
	snprintf(name, sizeof(name), "%s: value as written", tree);
	is_str(s.value, value, name);
	snprintf(name, sizeof(name), "%s: the kernel takes it", tree);
	is_int(s.number_rc, 0, name);
	snprintf(name, sizeof(name), "%s: as %d", tree, number);
	is_int(s.number, number, name);
}

static void test_fixture_trees(void)
{
	struct ct_sysctl_setting s;
	char err[256];

	expect("sysctl-conf-only", "262144", "/etc/sysctl.conf", 5);
	/* sysctl.conf comes after every sysctl.d file, even 99-zz-*. */
	expect("sysctl-conf-last", "200000", "/etc/sysctl.conf", 3);
	/* /etc/sysctl.d/50-conntrack.conf hides the /run, /usr/local/lib and /usr/lib ones. */
	expect("sysctl-mask-etc", "2000", "/usr/local/lib/sysctl.d/20-local.conf", 2);
	expect("sysctl-devnull", "1000", "/usr/lib/sysctl.d/10-base.conf", 1);
	expect("sysctl-alias", "300000", "/etc/sysctl.d/20-b.conf", 2);
	expect("sysctl-slashed", "131072", "/etc/sysctl.d/30-slash.conf", 1);
	expect("sysctl-dash", "65536", "/etc/sysctl.d/40-dash.conf", 2);
	expect("sysctl-comments", "524288", "/etc/sysctl.d/10-comments.conf", 6);
	/* 99-sysctl.conf -> ../sysctl.conf counts once, at the end; /lib -> usr/lib adds nothing.
	 */
	expect("sysctl-debian", "1048576", "/etc/sysctl.conf", 6);
	/* Values as the kernel reads them: base 0, the number before a blank. */
	expect_number("sysctl-hex", "0x2710", 10000);
	expect_number("sysctl-octal", "010000", 4096);
	expect_number("sysctl-octal-equal", "023420", 10000);
	expect_number("sysctl-trailing-comment", "10000 # raised for the web tier", 10000);

	is_int(boot("sysctl-alias", &s, err, sizeof(err)), 0, "alias: 0");
	is_str(s.key, "net.nf_conntrack_max", "alias: key as written");
	is_int(boot("sysctl-dash", &s, err, sizeof(err)), 0, "dash: 0");
	is_str(s.key, "net.netfilter.nf_conntrack_max", "dash: key without the dash");
	is_int(boot("sysctl-slashed", &s, err, sizeof(err)), 0, "slashed: 0");
	is_str(s.key, "net/netfilter/nf_conntrack_max", "slashed: key as written");

	is_int(boot("sysctl-none", &s, err, sizeof(err)), 0, "none: 0");
	ok(!s.found, "none: not found");
	ok(err[0] == '\0', "none: no note");
	is_int(boot("sysctl-does-not-exist", &s, err, sizeof(err)), -ENOENT,
	       "missing root: -ENOENT");
	ok(err[0] != '\0', "missing root: reason (%s)", err);
}

static struct ct_sysctl_setting parse(const char *text, size_t len)
{
	struct ct_sysctl_setting s;

	memset(&s, 0, sizeof(s));
	ct_sysctl_parse(text, len, "/t.conf", ct_keys, &s);
	return s;
}

#define PARSE(lit) parse(lit, sizeof(lit) - 1)

static void test_parse(void)
{
	struct ct_sysctl_setting s;
	const char nul[] = "net.netfilter.nf_conntrack_max = 1\0net.nf_conntrack_max = 2\n";
	char *big;
	size_t n;
	int r;

	s = PARSE("net.netfilter.nf_conntrack_max=10\nnet.netfilter.nf_conntrack_max = 20\n");
	is_str(s.value, "20", "later assignment wins");
	is_int(s.line, 2, "later assignment line");

	s = PARSE("net.netfilter.nf_conntrack_max = \"30\"\n");
	is_str(s.value, "\"30\"", "quotes are not special");
	s = PARSE("net.netfilter.nf_conntrack_max = 30 # comment\n");
	is_str(s.value, "30 # comment", "no comments after a value: systemd writes it all");
	ok(s.number_rc == 0 && s.number == 30, "... and the kernel reads 30");
	s = PARSE("net.netfilter.nf_conntrack_max = 30# comment\n");
	is_int(s.number_rc, -EINVAL, "30# comment: the kernel refuses it");
	s = PARSE("net.netfilter.nf_conntrack_max = 0x1e\n");
	ok(s.number_rc == 0 && s.number == 30, "hexadecimal value");
	s = PARSE("\vnet.netfilter.nf_conntrack_max = 5\n");
	ok(!s.found, "a vertical tab is not stripped from a key (systemd strips blanks and CR/LF)");
	s = PARSE("net.netfilter.nf_conntrack_max\nnet.netfilter.nf_conntrack_maxx = 5\n");
	ok(!s.found, "no '=' and a longer key do not count");
	s = PARSE("net.netfilter.nf_conntrack_max = 1 = 2");
	is_str(s.value, "1 = 2", "first '=' splits, no final newline");
	s = PARSE("net.netfilter.nf_conntrack_max =\n");
	ok(s.found && s.value[0] == '\0', "empty value is an assignment");
	s = PARSE("  -  net.netfilter.nf_conntrack_max\t=\t7 \n");
	is_str(s.value, "7", "dash and blanks trimmed");
	s = PARSE("net.nf_conntrack_max = 1\rnet.netfilter.nf_conntrack_max = 2\r\nx=1\n");
	is_int(s.line, 2, "bare CR ends a line, CRLF is one line end");
	s = parse(nul, sizeof(nul) - 1);
	is_str(s.value, "2", "NUL ends a line");
	is_int(s.line, 2, "NUL line count");
	s = PARSE("/net//netfilter/nf_conntrack_max/ = 9\n");
	is_str(s.value, "9", "extra slashes ignored");
	s = PARSE("net.netfilter/nf_conntrack_max = 9\n");
	ok(!s.found, "dotted form: a slash is part of the name");

	/* Globs: an explicit key beats a glob in either order; "-key" excludes it from globs. */
	s = PARSE("net.netfilter.* = 1\n");
	is_str(s.value, "1", "glob matches");
	s = PARSE("*.netfilter* = 1\n");
	ok(!s.found, "glob * does not cross a separator");
	s = PARSE("net.netfilter.nf_conntrack_max = 5\nnet.netfilter.* = 1\n");
	is_str(s.value, "5", "explicit beats a later glob");
	s = PARSE("net.netfilter.* = 1\nnet.nf_conntrack_max = 5\n");
	is_str(s.value, "5", "explicit overrides an earlier glob");
	s = PARSE("net.netfilter.nf_conntrack_m?x = 1\n-net.netfilter.nf_conntrack_max\n");
	ok(!s.found, "exclusion after a glob");
	s = PARSE("-net.netfilter.nf_conntrack_max\nnet.netfilter.* = 1\n");
	ok(!s.found, "exclusion before a glob");
	s = PARSE("-net.netfilter.nf_conntrack_max\nnet.netfilter.nf_conntrack_max = 3\n");
	is_str(s.value, "3", "exclusion does not stop an explicit value");

	/* Oversized and odd input. */
	n = 3u << 20;
	big = malloc(n);
	if (!big)
		abort();
	memset(big, 'a', n);
	memcpy(big + n - 40, "\nnet.nf_conntrack_max=77", 24);
	s = parse(big, n - 16);
	is_str(s.value, "77", "3 MiB line then a key");
	memset(big, '=', n);
	s = parse(big, n);
	ok(!s.found, "all '='");
	memset(big, '\0', n);
	s = parse(big, n);
	ok(!s.found, "all NUL");
	free(big);
	s = PARSE("net.nf_conntrack_max = "
		  "123456789012345678901234567890123456789012345678901234567890"
		  "1234567890\n");
	is_int(strlen(s.value), sizeof(s.value) - 1, "long value truncated");
	r = ct_sysctl_parse(NULL, 0, "/x", ct_keys, &s);
	is_int(r, 0, "empty text");
	r = ct_sysctl_parse(NULL, 1, "/x", ct_keys, &s);
	is_int(r, -EINVAL, "NULL text with a length");
	s = PARSE("net.nf_conntrack_max = 1\nnet.nf_conntrack_max = 1\n");
	is_int(ct_sysctl_parse("net.nf_conntrack_max=2\n", 23, "/y", ct_keys, &s), 1,
	       "returns assignments seen");
	is_str(s.file, "/y", "file recorded");
}

/* What the kernel's proc_dointvec stores for a written value, or refuses (-EINVAL). */
static void test_dointvec(void)
{
	static const struct {
		const char *in;
		int rc, want;
	} t[] = {
		{"10000", 0, 10000},
		{"0x2710", 0, 10000},
		{"0X2710", 0, 10000},
		{"0x7fffffff", 0, 2147483647},
		{"010000", 0, 4096},
		{"023420", 0, 10000},
		{"0", 0, 0},
		{"-0", 0, 0},
		{"-1", 0, -1},
		{"2147483647", 0, 2147483647},
		{"-2147483648", 0, -2147483647 - 1},
		{"10000 # c", 0, 10000},
		{"10000\t# c", 0, 10000},
		{"10000 20000", 0, 10000},
		{"\v\f 10000", 0, 10000},
		{"\xa0"
		 "10000",
		 0, 10000},
		{"00000000000000010000", 0, 4096},
		{"000000000000000010000", -EINVAL, 0},
		{"0x0000000000000002710", -EINVAL, 0},
		{"2147483648", -EINVAL, 0},
		{"-2147483649", -EINVAL, 0},
		{"0x80000000", -EINVAL, 0},
		{"18446744073709551616", -EINVAL, 0},
		{"99999999999999999999", -EINVAL, 0},
		{"10000#c", -EINVAL, 0},
		{"10000abc", -EINVAL, 0},
		{"10000\r", -EINVAL, 0},
		{"1e4", -EINVAL, 0},
		{"08", -EINVAL, 0},
		{"0x", -EINVAL, 0},
		{"0xg", -EINVAL, 0},
		{"+5", -EINVAL, 0},
		{"\"5\"", -EINVAL, 0},
		{"-", -EINVAL, 0},
		{"--1", -EINVAL, 0},
		{"", -EINVAL, 0},
		{"  \t", -EINVAL, 0},
	};
	char name[160];
	int v;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r;

		v = 12345;
		r = ct_sysctl_dointvec(t[i].in, strlen(t[i].in), &v);
		snprintf(name, sizeof(name), "dointvec '%s': %s", t[i].in,
			 t[i].rc ? "refused" : "taken");
		is_int(r, t[i].rc, name);
		if (t[i].rc == 0) {
			snprintf(name, sizeof(name), "dointvec '%s' = %d", t[i].in, t[i].want);
			is_int(v, t[i].want, name);
		}
	}
	/* Only the given bytes count, not what follows them in memory. */
	is_int(ct_sysctl_dointvec("12345", 3, &v), 0, "dointvec: length respected");
	is_int(v, 123, "dointvec: 123 of 12345");
	is_int(ct_sysctl_dointvec(NULL, 0, &v), -EINVAL, "dointvec: NULL refused");
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/*
 * ct_sysctl_boot_value as a user that permissions apply to (nobody when root, else as we are),
 * in a child: true when it returns rc, err contains what, and the value found is value.
 */
static bool as_nobody(const char *root, int rc, const char *what, const char *value)
{
	struct ct_sysctl_setting s;
	char err[256];
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		int r;

		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(9);
		r = ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err));
		if (r != rc || !strstr(err, what) || strcmp(s.value, value) != 0) {
			printf("#   got %d '%s' value '%s'\n", r, err, s.value);
			_exit(1);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Trees that cannot live in git: huge files, fifos, loops, many files, permissions. */
static void test_generated(void)
{
	char tmpl[] = "/tmp/ct-sysctl-XXXXXX", p[1024], err[256];
	struct ct_sysctl_setting s;
	const char *root = mkdtemp(tmpl);
	FILE *f;
	long i;

	if (!root)
		abort();
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr/lib", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d", root);
	mkdir(p, 0755);

	/* A fifo must not block, a loop and an escaping link must not hurt. */
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/05-fifo.conf", root);
	mkfifo(p, 0644);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/06-loop.conf", root);
	if (symlink("06-loop.conf", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/07-escape.conf", root);
	if (symlink("../../../../../../../usr/lib/sysctl.d/01-in-root.conf", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/01-in-root.conf", root);
	put(p, "net.nf_conntrack_max = 11\n");
	/* The loop could be the file that sets the limit: the answer is incomplete. */
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), -ELOOP, "loop: -ELOOP");
	is_str(s.value, "11", "escaping link stays in root");
	is_str(s.file, "/etc/sysctl.d/07-escape.conf", "reported by the name it is applied as");
	ok(strstr(err, "/etc/sysctl.d/06-loop.conf") != NULL, "loop named (%s)", err);
	ok(!strstr(err, "more)"), "loop: the only one not read (%s)", err);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/06-loop.conf", root);
	unlink(p);
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), 0, "fifo: 0");
	ok(err[0] == '\0', "fifo: nothing noted (%s)", err);

	/* A file over 1 MiB: what follows the limit is unknown. */
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/50-big.conf", root);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs("net.nf_conntrack_max = 12\n", f);
	for (i = 0; i < (1L << 20) / 30; i++)
		fputs("# padding padding padding pad\n\n", f);
	fputs("net.nf_conntrack_max = 13\n", f);
	fclose(f);
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), -EFBIG, "big: -EFBIG");
	is_str(s.value, "12", "big: the part read is kept");
	is_str(err, "cannot read /etc/sysctl.d/50-big.conf: larger than 1 MiB", "big: named");
	/* Two at once: the first is named, the others counted. */
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/06-loop.conf", root);
	if (symlink("06-loop.conf", p) < 0)
		abort();
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), -ELOOP, "two: -ELOOP");
	ok(strstr(err, "06-loop.conf") && strstr(err, "(and 1 more)"),
	   "two: first named, "
	   "then counted (%s)",
	   err);
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/50-big.conf", root);
	unlink(p);

	/* More than 1000 files: bounded, and said. */
	for (i = 0; i < 1100; i++) {
		snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/%04ld-x.conf", root, i);
		put(p, i == 1099 ? "net.nf_conntrack_max = 99\n" : "kernel.x = 1\n");
	}
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), -E2BIG, "many: -E2BIG");
	ok(s.found, "many: still found something");
	ok(strstr(err, "more than 1000") != NULL, "many: said (%s)", err);
	for (i = 0; i < 1100; i++) {
		snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/%04ld-x.conf", root, i);
		unlink(p);
	}

	/* A directory that is a symlink loop. */
	snprintf(p, sizeof(p), "%s/run", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/run/sysctl.d", root);
	if (symlink("sysctl.d", p) < 0)
		abort();
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), -ELOOP,
	       "directory loop: -ELOOP");
	ok(strstr(err, "cannot read /run/sysctl.d") != NULL, "directory loop named (%s)", err);
	unlink(p);

	/* Unreadable file and directory, as nobody when root (root reads everything). */
	chmod(root, 0755);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/60-secret.conf", root);
	put(p, "net.nf_conntrack_max = 60\n");
	chmod(p, 0);
	ok(as_nobody(root, -EACCES, "/etc/sysctl.d/60-secret.conf: Permission denied", "11"),
	   "unreadable file: -EACCES, named, the readable rest kept");
	unlink(p);
	snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d", root);
	chmod(p, 0);
	ok(as_nobody(root, -EACCES, "cannot read /usr/lib/sysctl.d: Permission denied", ""),
	   "unreadable directory: -EACCES, named");
	chmod(p, 0755);

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		printf("# could not remove %s\n", root);
}

static void put_in(const char *root, const char *rel, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* The print's re-check: every change that can alter the answer shows, nothing else is read. */
static void test_print(void)
{
	char tmpl[] = "/tmp/ct-sysctl-print-XXXXXX", p[1024], q[1024], err[256];
	struct ct_sysctl_setting s;
	struct ct_sysctl_print fp;
	const char *root = mkdtemp(tmpl);
	struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};

	if (!root)
		abort();
	const char *dirs[] = {"etc", "etc/sysctl.d", "usr", "usr/lib", "usr/lib/sysctl.d"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		mkdir(p, 0755);
	}
	put_in(root, "etc/sysctl.d/90-ct.conf", "net.netfilter.nf_conntrack_max = 1000\n");
	put_in(root, "usr/lib/sysctl.d/50-x.conf", "kernel.pid_max = 4194304\n");
	put_in(root, "etc/sysctl.conf", "# nothing\n");
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/99-sysctl.conf", root);
	if (symlink("../sysctl.conf", p) < 0)
		abort();

	is_int(ct_sysctl_boot_value_print(root, ct_keys, &s, err, sizeof(err), &fp), 0,
	       "print: the tree reads");
	is_str(s.value, "1000", "print: the value");
	ok(!fp.usable, "print: files made this second: not usable (a change in the same tick would "
		       "not show)");
	is_int(fp.n, 4, "print: 4 files listed (50-x, 90-ct, 99-sysctl, sysctl.conf)");
	ok(!ct_sysctl_print_holds(root, &fp), "print: an unusable print never holds");
	fp.usable = true; /* as if taken 3 seconds later: the comparisons themselves */
	ok(ct_sysctl_print_holds(root, &fp), "print: nothing changed: it holds");

	struct ct_stamp st = fp.file[0].st;
	ok(ct_stamp_recent(&st, time(NULL)), "stamp: made now: recent");
	st.mtime_s = st.ctime_s = (int64_t)time(NULL) - 3;
	ok(!ct_stamp_recent(&st, time(NULL)), "stamp: 3 s old: not recent");
	st.ctime_s = (int64_t)time(NULL) + 60;
	ok(ct_stamp_recent(&st, time(NULL)), "stamp: a time ahead of the clock: recent");

	/* The same size and the old mtime put back: ctime still tells. */
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/90-ct.conf", root);
	struct stat before;
	stat(p, &before);
	sleep(1); /* a new ctime second, whatever the file system's clock tick */
	put_in(root, "etc/sysctl.d/90-ct.conf", "net.netfilter.nf_conntrack_max = 2000\n");
	struct timespec back[2] = {before.st_atim, before.st_mtim};
	utimensat(AT_FDCWD, p, back, 0);
	ok(!ct_sysctl_print_holds(root, &fp),
	   "print: rewritten, same size, mtime put back: changed");

	/* Each kind of change, from a fresh print. */
#define FRESH()                                                                                    \
	do {                                                                                       \
		ct_sysctl_boot_value_print(root, ct_keys, &s, err, sizeof(err), &fp);              \
		fp.usable = true;                                                                  \
	} while (0)
	FRESH();
	is_str(s.value, "2000", "print: read again: the new value");
	ok(ct_sysctl_print_holds(root, &fp), "print: fresh: holds");
	put_in(root, "etc/sysctl.d/95-new.conf", "# new\n");
	ok(!ct_sysctl_print_holds(root, &fp), "print: a file added to a directory: changed");
	FRESH();
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/95-new.conf", root);
	unlink(p);
	ok(!ct_sysctl_print_holds(root, &fp), "print: a file removed: changed");
	FRESH();
	snprintf(p, sizeof(p), "%s/run", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/run/sysctl.d", root);
	mkdir(p, 0755);
	ok(!ct_sysctl_print_holds(root, &fp), "print: a directory that was missing made: changed");
	FRESH();
	put_in(root, "usr/lib/sysctl.d/.50-x.conf.new", "kernel.pid_max = 32768\n");
	snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/.50-x.conf.new", root);
	snprintf(q, sizeof(q), "%s/usr/lib/sysctl.d/50-x.conf", root);
	utimensat(AT_FDCWD, p, old, 0);
	ok(!ct_sysctl_print_holds(root, &fp),
	   "print: any new name in a directory, one no file list holds: changed");
	FRESH();
	rename(p, q);
	ok(!ct_sysctl_print_holds(root, &fp), "print: a file replaced by rename: changed");
	FRESH();
	chmod(q, 0600);
	ok(!ct_sysctl_print_holds(root, &fp), "print: a file's mode changed: changed");
	FRESH();
	put_in(root, "etc/sysctl.conf", "# changed through the link\n");
	ok(!ct_sysctl_print_holds(root, &fp), "print: the target of a link rewritten: changed");
	FRESH();
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/99-sysctl.conf", root);
	unlink(p);
	if (symlink("/dev/null", p) < 0)
		abort();
	ok(!ct_sysctl_print_holds(root, &fp), "print: a link turned into a mask: changed");
	FRESH();
	ok(ct_sysctl_print_holds(root, &fp), "print: after all that, a fresh print holds");
#undef FRESH

	/* More files than a print holds: never usable. */
	for (int i = 0; i < CT_SYSCTL_PRINT_FILES; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "usr/lib/sysctl.d/%02d-f.conf", i);
		put_in(root, rel, "# x\n");
	}
	ct_sysctl_boot_value_print(root, ct_keys, &s, err, sizeof(err), &fp);
	ok(!fp.usable && fp.n == 0, "print: more than %d files: not usable", CT_SYSCTL_PRINT_FILES);

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		abort();
}

int main(void)
{
	test_fixture_trees();
	test_parse();
	test_dointvec();
	test_generated();
	test_print();
	/* Again with the paths resolved by hand, as on kernels without openat2 (before 5.6). */
	printf("# the same trees, resolved without openat2\n");
	ct_sysctl_test_manual_resolve(true);
	test_fixture_trees();
	test_generated();
	test_print();
	ct_sysctl_test_manual_resolve(false);
	return tap_done();
}
