/* Unit tests for sysctl.c: the sysctl.d parser and the boot value under fixture roots. */
#include "tap.h"
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
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

static void expect(const char *tree, const char *value, const char *file, unsigned line,
		   unsigned overridden)
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
	snprintf(name, sizeof(name), "%s: overridden", tree);
	is_int(s.overridden, overridden, name);
}

static void test_fixture_trees(void)
{
	struct ct_sysctl_setting s;
	char err[256];

	expect("sysctl-conf-only", "262144", "/etc/sysctl.conf", 5, 0);
	/* sysctl.conf comes after every sysctl.d file, even 99-zz-*. */
	expect("sysctl-conf-last", "200000", "/etc/sysctl.conf", 3, 2);
	/* /etc/sysctl.d/50-conntrack.conf hides the /run, /usr/local/lib and /usr/lib ones. */
	expect("sysctl-mask-etc", "2000", "/usr/local/lib/sysctl.d/20-local.conf", 2, 1);
	expect("sysctl-devnull", "1000", "/usr/lib/sysctl.d/10-base.conf", 1, 0);
	expect("sysctl-alias", "300000", "/etc/sysctl.d/20-b.conf", 2, 1);
	expect("sysctl-slashed", "131072", "/etc/sysctl.d/30-slash.conf", 1, 0);
	expect("sysctl-dash", "65536", "/etc/sysctl.d/40-dash.conf", 2, 1);
	expect("sysctl-comments", "524288", "/etc/sysctl.d/10-comments.conf", 6, 0);
	/* 99-sysctl.conf -> ../sysctl.conf counts once, at the end; /lib -> usr/lib adds nothing.
	 */
	expect("sysctl-debian", "1048576", "/etc/sysctl.conf", 6, 1);

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
	is_int(s.overridden, 1, "one overridden");

	s = PARSE("net.netfilter.nf_conntrack_max = \"30\"\n");
	is_str(s.value, "\"30\"", "quotes are not special");
	s = PARSE("net.netfilter.nf_conntrack_max = 30 # comment\n");
	is_str(s.value, "30 # comment", "no comments after a value");
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
	is_int(s.overridden, 2, "overridden across calls");
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* Trees that cannot live in git: huge files, fifos, loops, many files, permissions. */
static void test_generated(void)
{
	char tmpl[] = "/tmp/ct-sysctl-XXXXXX", p[1024], err[256];
	struct ct_sysctl_setting s;
	const char *root = mkdtemp(tmpl);
	FILE *f;
	long i;
	pid_t pid;
	int status;

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
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), 0, "fifo+loop: 0");
	is_str(s.value, "11", "escaping link stays in root");
	is_str(s.file, "/etc/sysctl.d/07-escape.conf", "reported by the name it is applied as");
	ok(strstr(err, "06-loop.conf") != NULL, "loop noted (%s)", err);

	/* A file over 1 MiB: the part before the limit counts, the cut line does not. */
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/50-big.conf", root);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs("net.nf_conntrack_max = 12\n", f);
	for (i = 0; i < (1L << 20) / 30; i++)
		fputs("# padding padding padding pad\n\n", f);
	fputs("net.nf_conntrack_max = 13\n", f);
	fclose(f);
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), 0, "big: 0");
	is_str(s.value, "12", "big: tail ignored");
	ok(strstr(err, "1 MiB") != NULL || strstr(err, "06-loop") != NULL, "big: noted (%s)", err);
	unlink(p);

	/* More than 1000 files: bounded, noted, no crash. */
	for (i = 0; i < 1100; i++) {
		snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/%04ld-x.conf", root, i);
		put(p, i == 1099 ? "net.nf_conntrack_max = 99\n" : "kernel.x = 1\n");
	}
	is_int(ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err)), 0, "many: 0");
	ok(s.found, "many: still found something");
	for (i = 0; i < 1100; i++) {
		snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d/%04ld-x.conf", root, i);
		unlink(p);
	}

	/* Unreadable file and directory, as nobody (root reads everything). */
	chmod(root, 0755);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/06-loop.conf", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc/sysctl.d/60-secret.conf", root);
	put(p, "net.nf_conntrack_max = 60\n");
	chmod(p, 0600);
	snprintf(p, sizeof(p), "%s/usr/lib/sysctl.d", root);
	fflush(stdout);
	pid = geteuid() == 0 ? fork() : -1;
	if (pid == 0) {
		int r;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(9);
		r = ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err));
		_exit(r == 0 && strcmp(s.value, "11") == 0 && strstr(err, "60-secret.conf") ? 0
											    : 1);
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "unreadable file skipped and noted");
		chmod(p, 0700);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int r;

			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(9);
			r = ct_sysctl_boot_value(root, ct_keys, &s, err, sizeof(err));
			_exit(r == -EACCES && strstr(err, "usr/lib/sysctl.d") ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unreadable dir: -EACCES");
		chmod(p, 0755);
	} else {
		printf("ok %d # SKIP not root: cannot switch to nobody\n", ++tap_n);
		printf("ok %d # SKIP not root: cannot switch to nobody\n", ++tap_n);
	}

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		printf("# could not remove %s\n", root);
}

int main(void)
{
	test_fixture_trees();
	test_parse();
	test_generated();
	/* Again with the paths resolved by hand, as on kernels without openat2 (before 5.6). */
	printf("# the same trees, resolved without openat2\n");
	ct_sysctl_test_manual_resolve(true);
	test_fixture_trees();
	test_generated();
	ct_sysctl_test_manual_resolve(false);
	return tap_done();
}
