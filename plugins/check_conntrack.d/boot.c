/* What a reboot brings back: the boot configuration that loads tracking or sizes its hash. */
#include "boot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"
#include "rootfs.h"
#include "units.h"

#define BOOT_MAX_FILES 1000
#define BOOT_MAX_CONF_SIZE (1024 * 1024)
#define BOOT_MAX_RULESET_SIZE (4 * 1024 * 1024)
#define BOOT_MAX_INCLUDES 32

/*
 * Kernel modules that load nf_conntrack (they need it): the core and its helpers, NAT, and the
 * matches and targets that use connection state. A trailing '*' is a prefix.
 */
static const char *const tracking_modules[] = {
	"nf_conntrack*",  "nf_nat*",	   "ip_conntrack*",   "ip_nat*",	"nft_ct",
	"nft_nat",	  "nft_masq*",	   "nft_redir*",      "nft_chain_nat*", "nft_flow_offload",
	"nf_flow_table*", "xt_state",	   "xt_conntrack",    "xt_CT",		"xt_NOTRACK",
	"xt_connmark",	  "xt_CONNMARK",   "xt_connlimit",    "xt_connbytes",	"xt_connlabel",
	"xt_helper",	  "xt_cluster",	   "xt_nat",	      "xt_MASQUERADE",	"xt_REDIRECT",
	"ipt_state",	  "ipt_conntrack", "ipt_MASQUERADE",  "ipt_REDIRECT",	"ipt_NETMAP",
	"iptable_nat",	  "ip6table_nat",  "ip6t_MASQUERADE", "ip6t_REDIRECT",
};

/* kmod treats '-' and '_' in module names alike. */
static bool same_char(char a, char b)
{
	return a == b || ((a == '-' || a == '_') && (b == '-' || b == '_'));
}

bool ct_boot_tracking_module(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(tracking_modules) / sizeof(tracking_modules[0]); i++) {
		const char *p = tracking_modules[i];
		size_t pl = strlen(p), j;
		bool prefix = p[pl - 1] == '*';

		if (prefix)
			pl--;
		if (len < pl || (!prefix && len != pl))
			continue;
		for (j = 0; j < pl && same_char(name[j], p[j]); j++)
			;
		if (j == pl)
			return true;
	}
	return false;
}

/* A physical line [*s, *e) of [*p, end), without its "\n" or "\r\n"; false at the end. */
static bool next_line(const char **p, const char *end, const char **s, const char **e)
{
	const char *nl;

	if (*p >= end)
		return false;
	*s = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*e = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next blank-separated word of [*s, e); false when none is left. */
static bool next_word(const char **s, const char *e, const char **ws, size_t *wl)
{
	while (*s < e && blank(**s))
		(*s)++;
	if (*s >= e)
		return false;
	*ws = *s;
	while (*s < e && !blank(**s))
		(*s)++;
	*wl = (size_t)(*s - *ws);
	return true;
}

static bool word_is(const char *w, size_t wl, const char *lit)
{
	return wl == strlen(lit) && memcmp(w, lit, wl) == 0;
}

/* Is w one of the ", " separated phrases of what? */
static bool what_has(const char *what, const char *w, size_t wl)
{
	const char *p = what;

	while (*p) {
		const char *end = strstr(p, ", ");
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == wl && memcmp(p, w, wl) == 0)
			return true;
		if (!end)
			break;
		p = end + 2;
	}
	return false;
}

/* Append a phrase to what (", " separated) unless it is there; ", ..." once it is full. */
static void what_add(char *what, size_t len, const char *w, size_t wl)
{
	size_t used = strnlen(what, len);

	if (!wl || what_has(what, w, wl) || used + 1 >= len)
		return;
	if (used + (used ? 2 : 0) + wl < len - 5) {
		snprintf(what + used, len - used, "%s%.*s", used ? ", " : "", (int)wl, w);
		return;
	}
	if (used < 3 || strcmp(what + used - 3, "...") != 0)
		snprintf(what + used, len - used, "%s...", used ? ", " : "");
}

/* Each phrase of src ("a, b") added to dst. */
static void what_merge(char *dst, size_t len, const char *src)
{
	while (*src) {
		const char *end = strstr(src, ", ");
		size_t n = end ? (size_t)(end - src) : strlen(src);

		what_add(dst, len, src, n);
		if (!end)
			break;
		src = end + 2;
	}
}

/* The item for (source, file), made if needed; NULL (counted in dropped) when full. */
static struct ct_boot_item *item_for(struct ct_boot *out, enum ct_boot_source source,
				     const char *file, unsigned line)
{
	struct ct_boot_item *it;

	for (size_t i = 0; i < out->n; i++) {
		it = &out->item[i];
		if (it->source == source && strcmp(it->file, file ? file : "") == 0)
			return it;
	}
	if (out->n >= CT_BOOT_ITEMS) {
		out->dropped++;
		return NULL;
	}
	it = &out->item[out->n++];
	memset(it, 0, sizeof(*it));
	it->source = source;
	it->line = line;
	mp_copy(it->file, sizeof(it->file), file ? file : "");
	return it;
}

static void item_forget(struct ct_boot *out, struct ct_boot_item *it)
{
	size_t i = (size_t)(it - out->item);

	memmove(&out->item[i], &out->item[i + 1], (out->n - i - 1) * sizeof(*it));
	out->n--;
}

/*
 * The value of a shell assignment as the init script's shell reads it: "..." or '...' quoted,
 * else up to a blank or a comment. Backslash escapes inside "..." are taken literally; module
 * names hold none.
 */
static void shell_value(const char *s, const char *e, const char **vs, const char **ve)
{
	if (s < e && (*s == '"' || *s == '\'')) {
		const char *q = memchr(s + 1, *s, (size_t)(e - s - 1));

		*vs = s + 1;
		*ve = q ? q : e;
		return;
	}
	*vs = s;
	while (s < e && !blank(*s) && *s != '#' && *s != ';')
		s++;
	*ve = s;
}

void ct_boot_parse_config(const char *text, size_t len, const char *file, const char *key,
			  struct ct_boot *out)
{
	const char *p = text, *end, *s, *e;
	size_t kl = strlen(key);
	unsigned line = 0;

	if (!text)
		return;
	end = text + len;
	while (next_line(&p, end, &s, &e)) {
		const char *vs, *ve, *w;
		struct ct_boot_item *it;
		char what[sizeof(it->what)] = "";
		size_t wl;

		line++;
		while (s < e && blank(*s))
			s++;
		if ((size_t)(e - s) > 7 && memcmp(s, "export", 6) == 0 && blank(s[6]))
			for (s += 7; s < e && blank(*s); s++)
				;
		if ((size_t)(e - s) <= kl || memcmp(s, key, kl) != 0 || s[kl] != '=')
			continue;
		shell_value(s + kl + 1, e, &vs, &ve);
		while (next_word(&vs, ve, &w, &wl))
			if (ct_boot_tracking_module(w, wl))
				what_add(what, sizeof(what), w, wl);
		/* The last assignment is the one the init script sees. */
		it = item_for(out, CT_BOOT_IPTABLES_MODULES, file, line);
		if (!it)
			continue;
		if (!what[0]) {
			item_forget(out, it);
			continue;
		}
		it->line = line;
		it->count = 1;
		mp_copy(it->what, sizeof(it->what), what);
	}
}

void ct_boot_parse_modules(const char *text, size_t len, const char *file, struct ct_boot *out)
{
	const char *p = text, *end, *s, *e, *w;
	unsigned line = 0;
	size_t wl;

	if (!text)
		return;
	end = text + len;
	while (next_line(&p, end, &s, &e)) {
		struct ct_boot_item *it;

		line++;
		/* The module is the first word; what follows (parameters) is not ours to judge. */
		if (!next_word(&s, e, &w, &wl) || *w == '#' || *w == ';')
			continue;
		if (!ct_boot_tracking_module(w, wl))
			continue;
		it = item_for(out, CT_BOOT_MODULES_LOAD, file, line);
		if (!it)
			continue;
		it->count++;
		what_add(it->what, sizeof(it->what), w, wl);
	}
}

/*
 * kmod joins a line ending in a backslash with the next one. The logical line [*s, *e) may
 * therefore hold "\\\n" pairs, read as blanks by the word splitter below.
 */
static bool next_logical_line(const char **p, const char *end, const char **s, const char **e,
			      unsigned *physical)
{
	const char *ls, *le;

	if (!next_line(p, end, &ls, &le))
		return false;
	(*physical)++;
	*s = ls;
	while (le > ls && le[-1] == '\\' && *p < end) {
		const char *ns, *ne;

		if (!next_line(p, end, &ns, &ne))
			break;
		(*physical)++;
		le = ne;
	}
	*e = le;
	return true;
}

/* next_word, with continuation backslashes and newlines as blanks. */
static bool next_kmod_word(const char **s, const char *e, const char **ws, size_t *wl)
{
	for (;;) {
		while (*s < e &&
		       (blank(**s) || **s == '\n' ||
			(**s == '\\' && *s + 1 < e && ((*s)[1] == '\n' || (*s)[1] == '\r'))))
			(*s)++;
		if (*s >= e)
			return false;
		*ws = *s;
		while (*s < e && !blank(**s) && **s != '\n' &&
		       !(**s == '\\' && *s + 1 < e && ((*s)[1] == '\n' || (*s)[1] == '\r')))
			(*s)++;
		*wl = (size_t)(*s - *ws);
		if (*wl)
			return true;
	}
}

/* The kernel reads a uint parameter with kstrtouint(s, 0): one number, an optional newline. */
static int parse_hashsize(const char *v, size_t vl, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long n;

	if (vl == 0 || vl >= sizeof(buf) || v[0] == '-' || v[0] == '+')
		return -EINVAL;
	memcpy(buf, v, vl);
	buf[vl] = '\0';
	errno = 0;
	n = strtoull(buf, &end, 0);
	if (errno || end == buf || *end || n > UINT32_MAX)
		return -EINVAL;
	*out = n;
	return 0;
}

static void modprobe_options(const char *s, const char *e, const char *file, unsigned line,
			     struct ct_boot *out)
{
	const char *w;
	size_t wl;

	while (next_kmod_word(&s, e, &w, &wl)) {
		struct ct_boot_item *it;
		const char *v;
		size_t vl;

		if (wl < 9 || memcmp(w, "hashsize=", 9) != 0)
			continue;
		v = w + 9;
		vl = wl - 9;
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		/* One setting for the whole boot: a later line replaces the earlier one. */
		for (size_t i = 0; i < out->n; i++)
			if (out->item[i].source == CT_BOOT_HASHSIZE)
				item_forget(out, &out->item[i--]);
		it = item_for(out, CT_BOOT_HASHSIZE, file, line);
		out->hashsize_found = true;
		out->hashsize_rc = parse_hashsize(v, vl, &out->hashsize);
		if (!it)
			continue;
		it->count = 1;
		snprintf(it->what, sizeof(it->what), "hashsize=%.*s", (int)(vl < 64 ? vl : 64), v);
	}
}

void ct_boot_parse_modprobe(const char *text, size_t len, const char *file, struct ct_boot *out)
{
	const char *p = text, *end, *s, *e, *w;
	unsigned line = 0;
	size_t wl;

	if (!text)
		return;
	end = text + len;
	for (;;) {
		unsigned first = line + 1;

		if (!next_logical_line(&p, end, &s, &e, &line))
			break;
		if (!next_kmod_word(&s, e, &w, &wl) || !word_is(w, wl, "options"))
			continue;
		if (!next_kmod_word(&s, e, &w, &wl))
			continue;
		/* nf_conntrack's hash; ip_conntrack's on CentOS/RHEL 5. */
		if (!(wl == 12 &&
		      (memcmp(w, "nf_conntrack", 12) == 0 || memcmp(w, "nf-conntrack", 12) == 0)) &&
		    !(wl == 12 &&
		      (memcmp(w, "ip_conntrack", 12) == 0 || memcmp(w, "ip-conntrack", 12) == 0)))
			continue;
		modprobe_options(s, e, file, first, out);
	}
}

/* What in an iptables-save line needs tracking: options and their argument. */
static const struct {
	const char *opt;
	const char *arg;
} ipt_tokens[] = {
	{"-m", "state"},       {"-m", "conntrack"}, {"-m", "connmark"},	  {"-m", "connlimit"},
	{"-m", "connbytes"},   {"-m", "connlabel"}, {"-m", "helper"},	  {"-m", "cluster"},
	{"-j", "CT"},	       {"-j", "NOTRACK"},   {"-j", "MASQUERADE"}, {"-j", "SNAT"},
	{"-j", "DNAT"},	       {"-j", "REDIRECT"},  {"-j", "NETMAP"},	  {"-j", "CONNMARK"},
	{"-j", "CONNSECMARK"},
};

/* A word of a rule line: quoted strings (comments) are one word that never matches. */
static bool next_token(const char **s, const char *e, const char **ws, size_t *wl, bool *quoted)
{
	while (*s < e && blank(**s))
		(*s)++;
	if (*s >= e)
		return false;
	*ws = *s;
	*quoted = **s == '"';
	if (*quoted) {
		for ((*s)++; *s < e && **s != '"'; (*s)++)
			if (**s == '\\' && *s + 1 < e)
				(*s)++;
		if (*s < e)
			(*s)++;
	} else {
		while (*s < e && !blank(**s))
			(*s)++;
	}
	*wl = (size_t)(*s - *ws);
	return true;
}

static void ipt_line(const char *s, const char *e, char *what, size_t whatlen)
{
	const char *w, *prev = NULL;
	size_t wl, pl = 0;
	bool quoted;

	if (e - s >= 4 && memcmp(s, "*nat", 4) == 0 && (e - s == 4 || blank(s[4]))) {
		what_add(what, whatlen, "the nat table", 13);
		return;
	}
	if (e - s < 2 || s[0] != '-' || (s[1] != 'A' && s[1] != 'I'))
		return;
	while (next_token(&s, e, &w, &wl, &quoted)) {
		if (quoted) {
			prev = NULL;
			continue;
		}
		if (prev) {
			for (size_t i = 0; i < sizeof(ipt_tokens) / sizeof(ipt_tokens[0]); i++) {
				char phrase[48];
				int n;

				if (!word_is(w, wl, ipt_tokens[i].arg) ||
				    !((pl == 2 && memcmp(prev, ipt_tokens[i].opt, 2) == 0) ||
				      (word_is(prev, pl, "--match") &&
				       ipt_tokens[i].opt[1] == 'm') ||
				      (word_is(prev, pl, "--jump") && ipt_tokens[i].opt[1] == 'j')))
					continue;
				n = snprintf(phrase, sizeof(phrase), "%s %s", ipt_tokens[i].opt,
					     ipt_tokens[i].arg);
				what_add(what, whatlen, phrase, (size_t)n);
			}
		}
		prev = w;
		pl = wl;
	}
}

/* nft: separators besides blanks, so that "ct state{" or "masquerade;" still split. */
static bool nft_sep(char c)
{
	return blank(c) || c == ';' || c == '{' || c == '}' || c == ',' || c == '(' || c == ')';
}

static bool next_nft_token(const char **s, const char *e, const char **ws, size_t *wl, bool *quoted,
			   bool *listed)
{
	*listed = false;
	while (*s < e && nft_sep(**s))
		*listed |= *(*s)++ == ',';
	if (*s >= e || **s == '#')
		return false; /* a comment runs to the end of the line */
	*ws = *s;
	*quoted = **s == '"';
	if (*quoted) {
		for ((*s)++; *s < e && **s != '"'; (*s)++)
			;
		if (*s < e)
			(*s)++;
	} else {
		while (*s < e && !nft_sep(**s) && **s != '#' && **s != '"')
			(*s)++;
	}
	*wl = (size_t)(*s - *ws);
	return true;
}

/* Keywords of the nft language that need tracking on their own. */
static const char *const nft_words[] = {"notrack", "masquerade", "snat", "dnat", "redirect"};

static void nft_include(const char *w, size_t wl, struct ct_boot_includes *inc)
{
	if (!inc || wl < 2)
		return;
	if (inc->n >= sizeof(inc->path) / sizeof(inc->path[0]) || wl - 2 >= sizeof(inc->path[0])) {
		inc->dropped++;
		return;
	}
	memcpy(inc->path[inc->n], w + 1, wl - 2);
	inc->path[inc->n][wl - 2] = '\0';
	inc->n++;
}

/* Comparison operators between a ct key and its value. */
static bool nft_operator(const char *w, size_t wl)
{
	static const char *const ops[] = {"==", "!=", "eq", "ne", "&",	"|",  "!",   "<", ">",
					  "<=", ">=", "lt", "gt", "le", "ge", "and", "or"};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (word_is(w, wl, ops[i]))
			return true;
	return false;
}

static void nft_line(const char *s, const char *e, char *what, size_t whatlen,
		     struct ct_boot_includes *inc)
{
	const char *w, *prev = NULL;
	size_t wl, pl = 0;
	bool quoted, listed, expect_value = false, in_value = false;

	while (next_nft_token(&s, e, &w, &wl, &quoted, &listed)) {
		char phrase[48];

		if (quoted) {
			if (prev && word_is(prev, pl, "include") && w[wl - 1] == '"')
				nft_include(w, wl, inc);
			prev = NULL;
			continue;
		}
		/* What follows "ct status" (an operator, then a value or a list of them) is not a
		 * statement: "ct status dnat,snat" holds no NAT. */
		if (expect_value) {
			expect_value = nft_operator(w, wl);
			in_value = !expect_value;
			continue;
		}
		if (in_value && listed)
			continue;
		in_value = false;
		if (prev && word_is(prev, pl, "ct")) {
			int n = snprintf(phrase, sizeof(phrase), "ct %.*s",
					 (int)(wl < 32 ? wl : 32), w);

			what_add(what, whatlen, phrase, (size_t)n);
			expect_value = true;
			prev = NULL;
			continue;
		}
		if (prev && word_is(prev, pl, "type") && word_is(w, wl, "nat"))
			what_add(what, whatlen, "a nat chain", 11);
		else if (prev && word_is(prev, pl, "flow") &&
			 (word_is(w, wl, "add") || word_is(w, wl, "offload")))
			what_add(what, whatlen, "flow offload", 12);
		for (size_t i = 0; i < sizeof(nft_words) / sizeof(nft_words[0]); i++)
			if (word_is(w, wl, nft_words[i]))
				what_add(what, whatlen, w, wl);
		prev = w;
		pl = wl;
	}
}

void ct_boot_parse_ruleset(const char *text, size_t len, const char *file,
			   enum ct_boot_format format, struct ct_boot *out,
			   struct ct_boot_includes *includes)
{
	const char *p = text, *end, *s, *e;
	struct ct_boot_item *it = NULL;
	unsigned line = 0;

	if (!text)
		return;
	end = text + len;
	while (next_line(&p, end, &s, &e)) {
		char what[sizeof(it->what)] = "";

		line++;
		while (s < e && blank(*s))
			s++;
		if (s < e && *s == '#')
			continue;
		if (format == CT_BOOT_IPTABLES_SAVE)
			ipt_line(s, e, what, sizeof(what));
		else
			nft_line(s, e, what, sizeof(what), includes);
		if (!what[0])
			continue;
		if (!it) {
			it = item_for(out, CT_BOOT_RULESET, file, line);
			if (!it)
				return;
		}
		it->count++;
		what_merge(it->what, sizeof(it->what), what);
	}
}

/* The directories systemd-modules-load reads, and kmod's for modprobe.d, highest first. */
static const char *const modules_load_dirs[] = {
	"etc/modules-load.d",	  "run/modules-load.d", "usr/local/lib/modules-load.d",
	"usr/lib/modules-load.d", "lib/modules-load.d",
};
static const char *const modprobe_dirs[] = {
	"etc/modprobe.d",     "run/modprobe.d", "usr/local/lib/modprobe.d",
	"usr/lib/modprobe.d", "lib/modprobe.d",
};

/* /etc/modules (Debian) comes last; where modules-load.d links to it, it is read once. */
static const struct ct_conf_dirs modules_load_conf = {
	.dirs = modules_load_dirs,
	.ndirs = sizeof(modules_load_dirs) / sizeof(modules_load_dirs[0]),
	.suffix = ".conf",
	.last = "etc/modules",
	.what = "modules-load.d",
	.max_files = BOOT_MAX_FILES,
};
/* /etc/modprobe.conf: what module-init-tools (CentOS/RHEL 5 and 6) read besides. */
static const struct ct_conf_dirs modprobe_conf = {
	.dirs = modprobe_dirs,
	.ndirs = sizeof(modprobe_dirs) / sizeof(modprobe_dirs[0]),
	.suffix = ".conf",
	.last = "etc/modprobe.conf",
	.what = "modprobe.d",
	.max_files = BOOT_MAX_FILES,
};

/* The saved rulesets the distributions restore at boot. */
static const struct {
	const char *path;
	enum ct_boot_format format;
} rulesets[] = {
	{"/etc/sysconfig/iptables", CT_BOOT_IPTABLES_SAVE}, /* iptables service (RHEL) */
	{"/etc/sysconfig/ip6tables", CT_BOOT_IPTABLES_SAVE},
	{"/etc/iptables/rules.v4", CT_BOOT_IPTABLES_SAVE}, /* netfilter-persistent (Debian) */
	{"/etc/iptables/rules.v6", CT_BOOT_IPTABLES_SAVE},
	{"/etc/nftables.conf", CT_BOOT_NFT}, /* nftables.service (Debian) */
	{"/etc/sysconfig/nftables.conf", CT_BOOT_NFT}, /* nftables.service (RHEL) */
};

struct reader {
	struct ct_root root;
	char *buf;
	size_t cap;
	struct ct_unread u;
};

/* Read one file into r->buf: its length, or -1 when it is absent or unreadable (counted). */
static ssize_t read_file(struct reader *r, const char *path, size_t max)
{
	bool truncated;
	ssize_t got = ct_root_read(&r->root, path, max, &r->buf, &r->cap, &truncated);

	if (got == -ENOENT || got == -ENOTDIR)
		return -1;
	if (got < 0) {
		ct_unread(&r->u, (int)got, "cannot read %s: %s", path, strerror((int)-got));
		return -1;
	}
	if (truncated) {
		/* The last line may be cut in half: what it says is not read. */
		while (got > 0 && r->buf[got - 1] != '\n')
			got--;
		ct_unread(&r->u, -EFBIG, "cannot read %s: larger than %zu MiB", path,
			  max / (1024 * 1024));
	}
	return got;
}

static void scan_config(struct reader *r, struct ct_boot *out)
{
	static const char *const cf[][2] = {
		{"/etc/sysconfig/iptables-config", "IPTABLES_MODULES"},
		{"/etc/sysconfig/ip6tables-config", "IP6TABLES_MODULES"},
	};

	for (size_t i = 0; i < sizeof(cf) / sizeof(cf[0]); i++) {
		ssize_t got = read_file(r, cf[i][0], BOOT_MAX_CONF_SIZE);

		if (got >= 0)
			ct_boot_parse_config(r->buf, (size_t)got, cf[i][0], cf[i][1], out);
	}
}

static void scan_list(struct reader *r, const struct ct_conf_dirs *d,
		      void (*parse)(const char *, size_t, const char *, struct ct_boot *),
		      struct ct_boot *out)
{
	struct ct_conf_file *ent;
	char path[PATH_MAX];
	size_t n;
	int rc = ct_conf_list(&r->root, d, &ent, &n, &r->u, NULL);

	if (rc < 0) {
		ct_unread(&r->u, rc, "cannot read the %s configuration: %s", d->what,
			  strerror(-rc));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		ssize_t got;

		if (ent[i].skip)
			continue;
		ct_conf_path(d, &ent[i], path, sizeof(path));
		got = read_file(r, path, BOOT_MAX_CONF_SIZE);
		if (got >= 0)
			parse(r->buf, (size_t)got, path, out);
	}
	free(ent);
}

/* The files an include names: nft reads a relative name from /etc, and expands a glob. */
struct include_queue {
	char path[BOOT_MAX_INCLUDES][256];
	size_t n;
	unsigned dropped;
};

static void queue_add(struct include_queue *q, const char *path)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->path[i], path) == 0)
			return;
	if (q->n >= BOOT_MAX_INCLUDES || strlen(path) >= sizeof(q->path[0])) {
		q->dropped++;
		return;
	}
	mp_copy(q->path[q->n++], sizeof(q->path[0]), path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A glob in the last part of the path only, as configurations use it ("/etc/nftables.d/NAME.nft"
 * with a star for NAME). */
static void queue_glob(struct reader *r, struct include_queue *q, const char *path)
{
	char dir[256], names[BOOT_MAX_INCLUDES][NAME_MAX + 1], full[512];
	const char *slash = strrchr(path, '/'), *glob = strpbrk(path, "*?["), *pattern;
	size_t n = 0;
	DIR *d;
	struct dirent *de;
	int fd;

	if (!slash || !glob || glob < slash || (size_t)(slash - path) >= sizeof(dir))
		return; /* no glob, or one in a directory's name */
	pattern = slash + 1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	fd = ct_root_openat(&r->root, dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return;
	if (fd < 0) {
		ct_unread(&r->u, fd, "cannot read %s: %s", dir, strerror(-fd));
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (fnmatch(pattern, de->d_name, FNM_PERIOD) != 0)
			continue;
		if (n >= BOOT_MAX_INCLUDES) {
			q->dropped++;
			continue;
		}
		mp_copy(names[n++], sizeof(names[0]), de->d_name);
	}
	closedir(d);
	/* nft reads a glob's files in sorted order. */
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", dir, names[i]);
		queue_add(q, full);
	}
}

static void queue_includes(struct reader *r, struct include_queue *q,
			   const struct ct_boot_includes *inc)
{
	char path[512];

	q->dropped += inc->dropped;
	for (size_t i = 0; i < inc->n; i++) {
		const char *p = inc->path[i];

		if (p[0] == '/')
			mp_copy(path, sizeof(path), p);
		else if (p[0] == '.' && p[1] == '/')
			snprintf(path, sizeof(path), "/%s", p + 2); /* nftables.service runs in / */
		else
			snprintf(path, sizeof(path), "/etc/%s", p);
		if (strpbrk(path, "*?["))
			queue_glob(r, q, path);
		else
			queue_add(q, path);
	}
}

static void scan_rulesets(struct reader *r, struct ct_boot *out)
{
	struct include_queue q = {.n = 0};
	struct ct_boot_includes inc;

	for (size_t i = 0; i < sizeof(rulesets) / sizeof(rulesets[0]); i++) {
		ssize_t got = read_file(r, rulesets[i].path, BOOT_MAX_RULESET_SIZE);

		if (got < 0)
			continue;
		inc.n = 0;
		inc.dropped = 0;
		ct_boot_parse_ruleset(r->buf, (size_t)got, rulesets[i].path, rulesets[i].format,
				      out, &inc);
		queue_includes(r, &q, &inc);
	}
	/* Included files may include more: the queue grows while it is read, up to its bound. */
	for (size_t i = 0; i < q.n; i++) {
		ssize_t got = read_file(r, q.path[i], BOOT_MAX_RULESET_SIZE);

		if (got < 0)
			continue;
		inc.n = 0;
		inc.dropped = 0;
		ct_boot_parse_ruleset(r->buf, (size_t)got, q.path[i], CT_BOOT_NFT, out, &inc);
		queue_includes(r, &q, &inc);
	}
	if (q.dropped)
		ct_unread(&r->u, -E2BIG, "more than %d files included by the nftables rulesets",
			  BOOT_MAX_INCLUDES);
}

int ct_boot_scan(const char *root, struct ct_boot *out)
{
	struct reader r = {.buf = NULL};
	int rc;

	memset(out, 0, sizeof(*out));
	r.u.err = out->err;
	r.u.errlen = sizeof(out->err);
	rc = ct_root_open(&r.root, root);
	if (rc < 0) {
		ct_unread(&r.u, rc, "cannot open root %s: %s", root ? root : "/", strerror(-rc));
	} else {
		scan_config(&r, out);
		scan_list(&r, &modules_load_conf, ct_boot_parse_modules, out);
		scan_list(&r, &modprobe_conf, ct_boot_parse_modprobe, out);
		scan_rulesets(&r, out);
		ct_root_close(&r.root);
	}
	free(r.buf);
	ct_unread_finish(&r.u);
	out->rc = r.u.rc;
	out->unreadable = r.u.n;
	return out->rc;
}

static bool brings_tracking(const struct ct_boot_item *it)
{
	return it->source != CT_BOOT_HASHSIZE;
}

static const char *modules_key(const char *file)
{
	return strstr(file, "ip6tables") ? "IP6TABLES_MODULES" : "IPTABLES_MODULES";
}

static int item_line(const struct ct_boot *b, const struct ct_boot_item *it, uint64_t buckets,
		     char *buf, size_t len, int n)
{
	switch (it->source) {
	case CT_BOOT_IPTABLES_MODULES:
		return ct_append(
			buf, len, n,
			"boot: %s line %u loads %s when the iptables service starts (%s)\n",
			it->file, it->line, it->what, modules_key(it->file));
	case CT_BOOT_MODULES_LOAD:
		return ct_append(buf, len, n, "boot: %s line %u loads %s at boot\n", it->file,
				 it->line, it->what);
	case CT_BOOT_RULESET:
		return ct_append(
			buf, len, n,
			"boot: %s loads tracking when it is restored: %u line%s (%s, first on "
			"line %u)\n",
			it->file, it->count, it->count == 1 ? "" : "s", it->what, it->line);
	case CT_BOOT_HASHSIZE:
		break;
	}
	if (b->hashsize_rc < 0)
		return ct_append(
			buf, len, n,
			"boot: %s line %u sets %s, a value the kernel refuses for nf_conntrack\n",
			it->file, it->line, it->what);
	n = ct_append(
		buf, len, n,
		"boot: %s line %u sets %s when nf_conntrack loads (the limit then starts at 8 "
		"times the buckets until sysctl sets it)",
		it->file, it->line, it->what);
	if (buckets)
		n = ct_append(buf, len, n, ", %" PRIu64 " buckets now", buckets);
	return ct_append(buf, len, n, "\n");
}

int ct_boot_lines(const struct ct_boot *b, int active, uint64_t buckets, char *buf, size_t len)
{
	bool tracking = false;
	int n = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < b->n; i++)
		tracking |= brings_tracking(&b->item[i]);
	if (tracking && active == 0)
		n = ct_append(buf, len, n,
			      "boot: connection tracking is not loaded now, but a reboot brings it "
			      "back:\n");
	for (size_t i = 0; i < b->n; i++)
		n = item_line(b, &b->item[i], buckets, buf, len, n);
	if (b->dropped)
		n = ct_append(buf, len, n, "boot: ... and %u more\n", b->dropped);
	if (b->rc < 0 && b->n == 0)
		return ct_append(buf, len, n,
				 "boot: cannot tell what brings tracking back after a "
				 "reboot: %s\n",
				 b->err);
	if (b->rc < 0)
		return ct_append(buf, len, n,
				 "boot: also could not read what may bring it back: %s\n", b->err);
	if (!tracking)
		n = ct_append(buf, len, n,
			      "boot: no boot configuration read here loads tracking "
			      "(iptables-config, modules-load.d, /etc/modules, saved rulesets), "
			      "services that write rules when they start still may\n");
	return n;
}

int ct_boot_summary(const struct ct_boot *b, int active, char *buf, size_t len)
{
	const struct ct_boot_item *first = NULL;
	unsigned more = b->dropped;

	if (len)
		buf[0] = '\0';
	if (active != 0)
		return 0;
	for (size_t i = 0; i < b->n; i++) {
		if (!brings_tracking(&b->item[i]))
			continue;
		if (first)
			more++;
		else
			first = &b->item[i];
	}
	if (!first)
		return 0;
	if (more)
		return snprintf(buf, len, "tracking comes back after a reboot (%s and %u more)",
				first->file, more);
	return snprintf(buf, len, "tracking comes back after a reboot (%s)", first->file);
}

int ct_boot_advice(const struct ct_boot_item *it, char *buf, size_t len)
{
	const char *name;

	if (len)
		buf[0] = '\0';
	switch (it->source) {
	case CT_BOOT_IPTABLES_MODULES:
		return snprintf(buf, len,
				"empty %s in %s (line %u loads %s) so that the iptables service "
				"no longer loads tracking when it starts",
				modules_key(it->file), it->file, it->line, it->what);
	case CT_BOOT_MODULES_LOAD:
		name = strrchr(it->file, '/');
		if (strcmp(it->file, "/etc/modules") == 0 ||
		    strncmp(it->file, "/etc/modules-load.d/", 20) == 0)
			return snprintf(buf, len, "remove %s from %s (line %u)", it->what, it->file,
					it->line);
		return snprintf(buf, len,
				"mask %s (it loads %s at boot): ln -s /dev/null "
				"/etc/modules-load.d%s",
				it->file, it->what, name ? name : "");
	case CT_BOOT_RULESET:
		return snprintf(buf, len,
				"take what loads tracking (%s, first on line %u) out of %s, or a "
				"reboot loads it again when the ruleset is restored",
				it->what, it->line, it->file);
	case CT_BOOT_HASHSIZE:
		break;
	}
	return 0;
}
