/* Unit tests for boot.c: what a reboot brings back, from fixture roots and parser inputs. */
#include "tap.h"
#include "boot.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fixtures(void)
{
	const char *d = getenv("CT_FIXTURES");

	return d ? d : "tests/fixtures/trees";
}

static int scan(const char *tree, struct ct_boot *b)
{
	char root[1024];

	snprintf(root, sizeof(root), "%s/%s", fixtures(), tree);
	return ct_boot_scan(root, b);
}

static const struct ct_boot_item *find(const struct ct_boot *b, const char *file)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->item[i].file, file) == 0)
			return &b->item[i];
	return NULL;
}

static void test_module_names(void)
{
	static const char *const yes[] = {"nf_conntrack",     "nf_conntrack_ipv4",
					  "nf-conntrack-ftp", "nf_nat",
					  "nf_nat_sip",	      "ip_conntrack",
					  "ip_nat_irc",	      "xt_state",
					  "xt_conntrack",     "xt_CT",
					  "nft_ct",	      "nft_chain_nat",
					  "iptable_nat",      "ipt_MASQUERADE",
					  "xt_connmark"};
	static const char *const no[] = {
		"loop",	 "nf_tables",	 "xt_tcpudp", "iptable_filter", "nf_defrag_ipv4",
		"xt_ct", "br_netfilter", "nft_",      "nf_conntrac",	""};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ok(ct_boot_tracking_module(yes[i], strlen(yes[i])), "%s loads tracking", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!ct_boot_tracking_module(no[i], strlen(no[i])), "'%s' does not", no[i]);
}

static void config(const char *text, const char *want_what, unsigned want_line, const char *name)
{
	struct ct_boot b;
	char n[200];

	memset(&b, 0, sizeof(b));
	ct_boot_parse_config(text, strlen(text), "/etc/sysconfig/iptables-config",
			     "IPTABLES_MODULES", &b);
	snprintf(n, sizeof(n), "config %s: %s", name, want_what ? want_what : "nothing");
	if (!want_what) {
		is_int(b.n, 0, n);
		return;
	}
	is_int(b.n, 1, n);
	is_str(b.n ? b.item[0].what : "", want_what, n);
	is_int(b.n ? b.item[0].line : 0, want_line, "... on its line");
}

static void test_config(void)
{
	config("IPTABLES_MODULES=\"nf_conntrack_ipv4 xt_state\"\n", "nf_conntrack_ipv4, xt_state",
	       1, "double quotes");
	config("IPTABLES_MODULES='ip_conntrack_ftp'\n", "ip_conntrack_ftp", 1, "single quotes");
	config("  export IPTABLES_MODULES=nf_nat_ftp # helper\n", "nf_nat_ftp", 1,
	       "export, unquoted, comment");
	config("IPTABLES_MODULES=\"nf_nat_ftp\"\nIPTABLES_MODULES=\"\"\n", NULL, 0,
	       "the last (empty) assignment wins");
	config("IPTABLES_MODULES=\"\"\nIPTABLES_MODULES=\"nf_nat_ftp\"\n", "nf_nat_ftp", 2,
	       "the last assignment wins");
	config("IPTABLES_MODULES=\"ip_set xt_multiport\"\n", NULL, 0, "no tracking module");
	config("# IPTABLES_MODULES=\"nf_conntrack\"\n", NULL, 0, "commented out");
	config("IPTABLES_MODULES_UNLOAD=\"nf_conntrack\"\n", NULL, 0, "another key");
	config("IP6TABLES_MODULES=\"nf_conntrack\"\n", NULL, 0, "the IPv6 key is not this one");
	config("IPTABLES_MODULES=\"nf_conntrack_ftp\r\n", "nf_conntrack_ftp", 1,
	       "unterminated quote, CRLF");
}

static void test_modules(void)
{
	const char *text = "# comment\n; comment\n\nloop\nnf-conntrack-ftp ports=21\n"
			   "  xt_state\nxt_state\n";
	struct ct_boot b;

	memset(&b, 0, sizeof(b));
	ct_boot_parse_modules(text, strlen(text), "/etc/modules", &b);
	is_int(b.n, 1, "modules: one item for the file");
	is_str(b.item[0].what, "nf-conntrack-ftp, xt_state", "modules: the tracking modules, once");
	is_int(b.item[0].line, 5, "modules: the first line that loads one");
	is_int(b.item[0].count, 3, "modules: three lines load one");
}

static void test_modprobe(void)
{
	const char *a = "options nf_conntrack hashsize=16384\n";
	const char *b2 = "# later file\noptions  nf-conntrack \\\n  expect_hashsize=8 "
			 "hashsize=0x10000\noptions nf_nat foo=1\n";
	const char *bad = "options nf_conntrack hashsize=12k\n";
	const char *other = "options nf_conntrack_ipv4 hashsize=99\nalias hashsize=1\n";
	const char *old = "options ip_conntrack hashsize=8192\n";
	struct ct_boot b;

	memset(&b, 0, sizeof(b));
	ct_boot_parse_modprobe(a, strlen(a), "/usr/lib/modprobe.d/10-a.conf", &b);
	ct_boot_parse_modprobe(b2, strlen(b2), "/etc/modprobe.d/90-b.conf", &b);
	ok(b.hashsize_found && b.hashsize_rc == 0, "modprobe: found, a number");
	is_int(b.hashsize, 65536, "modprobe: the later file wins, 0x10000 read as the kernel does");
	is_int(b.n, 1, "modprobe: one setting");
	is_str(b.item[0].file, "/etc/modprobe.d/90-b.conf", "modprobe: named where it is set");
	is_int(b.item[0].line, 2, "modprobe: on the first line of the continued line");
	is_str(b.item[0].what, "hashsize=0x10000", "modprobe: as written");
	memset(&b, 0, sizeof(b));
	ct_boot_parse_modprobe(bad, strlen(bad), "/etc/modprobe.d/x.conf", &b);
	ok(b.hashsize_found && b.hashsize_rc == -EINVAL, "modprobe: 12k is refused by the kernel");
	memset(&b, 0, sizeof(b));
	ct_boot_parse_modprobe(other, strlen(other), "/etc/modprobe.d/x.conf", &b);
	ok(!b.hashsize_found && b.n == 0, "modprobe: other modules and commands are not it");
	memset(&b, 0, sizeof(b));
	ct_boot_parse_modprobe(old, strlen(old), "/etc/modprobe.conf", &b);
	ok(b.hashsize_found && b.hashsize == 8192, "modprobe: ip_conntrack (CentOS 5) counts");
}

static const char *ruleset(const char *text, enum ct_boot_format f, unsigned *count, unsigned *line,
			   struct ct_boot_includes *inc)
{
	static struct ct_boot b;

	memset(&b, 0, sizeof(b));
	ct_boot_parse_ruleset(text, strlen(text), "/x", f, &b, inc);
	*count = b.n ? b.item[0].count : 0;
	*line = b.n ? b.item[0].line : 0;
	return b.n ? b.item[0].what : "";
}

static void test_rulesets(void)
{
	struct ct_boot_includes inc = {.n = 0};
	unsigned count, line;

	is_str(ruleset("*filter\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n",
		       CT_BOOT_IPTABLES_SAVE, &count, &line, NULL),
	       "-m state", "iptables-save: -m state");
	is_str(ruleset("*raw\n-A PREROUTING -p udp --dport 53 -j CT --notrack\n"
		       "-I OUTPUT --jump NOTRACK\n-A X --match conntrack --ctstate NEW\n",
		       CT_BOOT_IPTABLES_SAVE, &count, &line, NULL),
	       "-j CT, -j NOTRACK, -m conntrack", "iptables-save: CT, long options, -I");
	is_int(count, 3, "iptables-save: three lines");
	is_int(line, 2, "iptables-save: first on line 2");
	is_str(ruleset("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n", CT_BOOT_IPTABLES_SAVE, &count,
		       &line, NULL),
	       "the nat table", "iptables-save: an empty nat table loads iptable_nat");
	is_str(ruleset("*filter\n-A INPUT -m comment --comment \"-m state \\\" -j DNAT\" -j "
		       "ACCEPT\n# -A INPUT -m state\n-A INPUT -m statex -j ACCEPT\n:DNAT - [0:0]\n",
		       CT_BOOT_IPTABLES_SAVE, &count, &line, NULL),
	       "", "iptables-save: comments, quoted words and look-alikes are not rules");
	is_str(ruleset("table inet f {\n chain c {\n  ct state established accept # ct mark\n"
		       "  tcp dport 22 accept comment \"ct state\"\n  ip saddr 1.2.3.4 "
		       "ct status dnat,snat accept\n  oifname eth0 masquerade;\n"
		       "  type nat hook postrouting priority 100;\n }\n}\n",
		       CT_BOOT_NFT, &count, &line, NULL),
	       "ct state, ct status, masquerade, a nat chain", "nft: ct, masquerade, nat chains");
	is_int(count, 4, "nft: four lines");
	is_int(line, 3, "nft: first on line 3");
	is_str(ruleset("table ip t {\n\tchain c { udp dport 53 notrack; }\n\tflowtable ft { }\n"
		       "\tchain f { flow add @ft }\n}\n",
		       CT_BOOT_NFT, &count, &line, NULL),
	       "notrack, flow offload", "nft: notrack and flow offload load the module too");
	is_str(ruleset("table inet f {\n chain c {\n  tcp dport { 22, 80 } accept\n  meta mark "
		       "set 1\n }\n}\n",
		       CT_BOOT_NFT, &count, &line, NULL),
	       "", "nft: a stateless ruleset");
	ruleset("include \"/etc/nftables.d/*.nft\"\ninclude \"local.nft\" # x\n"
		"include \"/x/\"\ninclude \"unterminated\n",
		CT_BOOT_NFT, &count, &line, &inc);
	is_int(inc.n, 3, "nft: includes collected");
	is_str(inc.path[0], "/etc/nftables.d/*.nft", "nft: the first include");
	is_str(inc.path[1], "local.nft", "nft: a relative include");
}

static void test_centos6(void)
{
	struct ct_boot b;
	const struct ct_boot_item *it;
	char lines[4096], s[256], a[512];

	is_int(scan("boot-centos6", &b), 0, "centos6: everything read");
	it = find(&b, "/etc/sysconfig/iptables-config");
	ok(it && it->source == CT_BOOT_IPTABLES_MODULES, "centos6: IPTABLES_MODULES found");
	is_str(it ? it->what : "", "nf_conntrack_ipv4, nf_conntrack_ftp, ip_nat_irc",
	       "centos6: the modules it loads");
	ok(!find(&b, "/etc/sysconfig/ip6tables-config"), "centos6: an empty IP6TABLES_MODULES");
	it = find(&b, "/etc/sysconfig/iptables");
	ok(it && it->source == CT_BOOT_RULESET && it->count == 2 && it->line == 6,
	   "centos6: the saved rules' two state matches, from line 6");
	ok(!find(&b, "/etc/sysconfig/ip6tables"),
	   "centos6: ip6tables holds -m state in a comment only");
	ok(b.hashsize_found && b.hashsize == 131072, "centos6: modprobe.d sets hashsize=131072");
	ct_boot_lines(&b, 0, 16384, lines, sizeof(lines));
	is_str(lines,
	       "boot: connection tracking is not loaded now, but a reboot brings it back:\n"
	       "boot: /etc/sysconfig/iptables-config line 5 loads nf_conntrack_ipv4, "
	       "nf_conntrack_ftp, ip_nat_irc when the iptables service starts (IPTABLES_MODULES)\n"
	       "boot: /etc/modprobe.d/nf_conntrack.conf line 2 sets hashsize=131072 when "
	       "nf_conntrack loads (the limit then starts at 8 times the buckets until sysctl sets "
	       "it), 16384 buckets now\n"
	       "boot: /etc/sysconfig/iptables loads tracking when it is restored: 2 lines (-m "
	       "state, "
	       "first on line 6)\n",
	       "centos6: the long output, tracking off now");
	ct_boot_summary(&b, 0, s, sizeof(s));
	is_str(s, "tracking comes back after a reboot (/etc/sysconfig/iptables-config and 1 more)",
	       "centos6: the summary when tracking is off now");
	ct_boot_summary(&b, 1, s, sizeof(s));
	is_str(s, "", "centos6: nothing in the summary while tracking is on");
	ct_boot_lines(&b, 1, 0, lines, sizeof(lines));
	ok(strncmp(lines, "boot: /etc/sysconfig/iptables-config line 5 ", 44) == 0,
	   "centos6: tracking on now: the findings alone");
	ct_boot_advice(find(&b, "/etc/sysconfig/iptables-config"), a, sizeof(a));
	is_str(a,
	       "empty IPTABLES_MODULES in /etc/sysconfig/iptables-config (line 5 loads "
	       "nf_conntrack_ipv4, nf_conntrack_ftp, ip_nat_irc) so that the iptables service no "
	       "longer loads tracking when it starts",
	       "centos6: the advice for IPTABLES_MODULES");
	ct_boot_advice(find(&b, "/etc/sysconfig/iptables"), a, sizeof(a));
	is_str(a,
	       "take what loads tracking (-m state, first on line 6) out of "
	       "/etc/sysconfig/iptables, "
	       "or a reboot loads it again when the ruleset is restored",
	       "centos6: the advice for the saved rules");
}

static void test_debian(void)
{
	struct ct_boot b;
	const struct ct_boot_item *it;
	char a[512];

	is_int(scan("boot-debian", &b), 0, "debian: everything read");
	it = find(&b, "/etc/modules-load.d/conntrack.conf");
	ok(it && it->source == CT_BOOT_MODULES_LOAD && strcmp(it->what, "nf_conntrack") == 0,
	   "debian: modules-load.d loads nf_conntrack");
	ok(!find(&b, "/usr/lib/modules-load.d/sip.conf") &&
		   !find(&b, "/etc/modules-load.d/sip.conf"),
	   "debian: a file masked by /dev/null loads nothing");
	it = find(&b, "/usr/lib/modules-load.d/helpers.conf");
	ok(it && strcmp(it->what, "nf-nat-ftp, xt_state") == 0, "debian: the vendor's file counts");
	it = find(&b, "/etc/modules");
	ok(it && it->line == 3 && strcmp(it->what, "nf_conntrack_ftp") == 0,
	   "debian: /etc/modules, with a parameter after the name");
	ok(!find(&b, "/etc/modules-load.d/modules.conf"),
	   "debian: modules-load.d's link to /etc/modules is read once, as /etc/modules");
	ok(b.hashsize_found && b.hashsize == 65536, "debian: /etc/modprobe.d wins over /usr/lib");
	it = find(&b, "/etc/iptables/rules.v4");
	ok(it && it->count == 4 &&
		   strcmp(it->what, "the nat table, -j MASQUERADE, -m conntrack") == 0,
	   "debian: rules.v4: nat table, MASQUERADE and ctstate (%s)", it ? it->what : "");
	ok(!find(&b, "/etc/iptables/rules.v6"), "debian: a stateless rules.v6");
	it = find(&b, "/etc/nftables.conf");
	ok(it && it->count == 1 && it->line == 9, "debian: nftables.conf: the ct state line only");
	ok(find(&b, "/etc/nftables.d/10-nat.nft") && find(&b, "/etc/nftables.d/20-plain.nft"),
	   "debian: the files an include glob names are read too");
	ct_boot_advice(find(&b, "/usr/lib/modules-load.d/helpers.conf"), a, sizeof(a));
	is_str(a,
	       "mask /usr/lib/modules-load.d/helpers.conf (it loads nf-nat-ftp, xt_state at boot): "
	       "ln -s /dev/null /etc/modules-load.d/helpers.conf",
	       "debian: a vendor file is masked, not edited");
}

static void test_none(void)
{
	struct ct_boot b;
	char lines[1024], s[64];

	is_int(scan("boot-none", &b), 0, "none: everything read");
	is_int(b.n, 0, "none: nothing found");
	ct_boot_lines(&b, 0, 0, lines, sizeof(lines));
	is_str(lines,
	       "boot: no boot configuration read here loads tracking (iptables-config, "
	       "modules-load.d, /etc/modules, saved rulesets), services that write rules when they "
	       "start still may\n",
	       "none: said, with what was read");
	ct_boot_summary(&b, 0, s, sizeof(s));
	is_str(s, "", "none: nothing in the summary");
	is_int(scan("does-not-exist", &b), -ENOENT, "a missing root: -ENOENT");
	ct_boot_lines(&b, 1, 0, lines, sizeof(lines));
	ok(strstr(lines, "boot: cannot tell what brings tracking back after a reboot: cannot open "
			 "root ") != NULL,
	   "a missing root: cannot tell, and why");
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* As nobody (root reads everything): the child's scan result, checked there. */
static bool as_nobody(const char *root, int rc, const char *err, const char *file)
{
	struct ct_boot b;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(9);
		if (ct_boot_scan(root, &b) != rc || !strstr(b.err, err) ||
		    (file && !find(&b, file))) {
			printf("#   got %d '%s' %zu items\n", b.rc, b.err, b.n);
			_exit(1);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Trees that do not live in git: permissions, size, loops, many files. */
static void test_generated(void)
{
	char tmpl[] = "/tmp/ct-boot-XXXXXX", p[1024], lines[2048];
	const char *root = mkdtemp(tmpl);
	struct ct_boot b;
	FILE *f;

	if (!root)
		abort();
	chmod(root, 0755);
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/sysconfig", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/modules-load.d", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/sysconfig/iptables", root);
	put(p, "-A INPUT -m state --state NEW -j ACCEPT\n");
	snprintf(p, sizeof(p), "%s/etc/modules-load.d/ct.conf", root);
	put(p, "nf_conntrack\n");
	chmod(p, 0);
	ok(as_nobody(root, -EACCES, "cannot read /etc/modules-load.d/ct.conf: Permission denied",
		     "/etc/sysconfig/iptables"),
	   "unreadable file: -EACCES, named, what could be read kept");
	chmod(p, 0644);
	snprintf(p, sizeof(p), "%s/etc/modules-load.d", root);
	chmod(p, 0);
	ok(as_nobody(root, -EACCES, "cannot read /etc/modules-load.d: Permission denied", NULL),
	   "unreadable directory: -EACCES, named");
	chmod(p, 0755);

	/* Over 4 MiB: the part read counts, the rest is "cannot tell". */
	snprintf(p, sizeof(p), "%s/etc/sysconfig/iptables", root);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs("-A INPUT -m state --state NEW -j ACCEPT\n", f);
	for (int i = 0; i < 80000; i++)
		fputs("-A INPUT -p tcp --dport 80 -j ACCEPT -m comment --comment pad\n", f);
	fputs("-A INPUT -j DNAT\n", f);
	fclose(f);
	is_int(ct_boot_scan(root, &b), -EFBIG, "ruleset over 4 MiB: -EFBIG");
	ok(strstr(b.err, "cannot read /etc/sysconfig/iptables: larger than 4 MiB") != NULL,
	   "ruleset over 4 MiB: named (%s)", b.err);
	ok(find(&b, "/etc/sysconfig/iptables") != NULL,
	   "ruleset over 4 MiB: its first part counts");
	ct_boot_lines(&b, 1, 0, lines, sizeof(lines));
	ok(strstr(lines, "boot: also could not read what may bring it back: cannot read "
			 "/etc/sysconfig/iptables: larger than 4 MiB") != NULL,
	   "ruleset over 4 MiB: the long output says what was not read");
	unlink(p);

	/* A symlink loop, and an include that names itself (read once). */
	snprintf(p, sizeof(p), "%s/etc/modules-load.d/loop.conf", root);
	if (symlink("loop.conf", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/etc/nftables.conf", root);
	put(p, "include \"/etc/nftables.conf\"\ninclude \"nftables.conf\"\n");
	is_int(ct_boot_scan(root, &b), -ELOOP, "symlink loop: -ELOOP");
	ok(strstr(b.err, "loop.conf") != NULL, "symlink loop: named (%s)", b.err);
	is_int(b.n, 1, "an include of itself is read once, and finds nothing");
	snprintf(p, sizeof(p), "%s/etc/modules-load.d/loop.conf", root);
	unlink(p);

	/* More includes than the bound: said. */
	snprintf(p, sizeof(p), "%s/etc/nftables.conf", root);
	f = fopen(p, "w");
	if (!f)
		abort();
	for (int i = 0; i < 40; i++)
		fprintf(f, "include \"/etc/inc%d.nft\"\n", i);
	fclose(f);
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "%s/etc/inc%d.nft", root, i);
		put(p, i == 39 ? "table ip t { chain c { ct state new } }\n" : "\n");
	}
	is_int(ct_boot_scan(root, &b), -E2BIG, "more than 32 includes: -E2BIG");
	ok(strstr(b.err, "more than 32 files included") != NULL, "more than 32 includes: said");

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		printf("# could not remove %s\n", root);
}

int main(void)
{
	test_module_names();
	test_config();
	test_modules();
	test_modprobe();
	test_rulesets();
	test_centos6();
	test_debian();
	test_none();
	test_generated();
	return tap_done();
}
