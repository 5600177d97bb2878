/* What boot will set for a sysctl: sysctl.d files read the way systemd-sysctl and procps do. */
#include "sysctl.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mp.h"
#include "rootfs.h"

/* Bounds on the work done per run: files considered, bytes read per file. */
#define SYSCTL_MAX_FILES 1000
#define SYSCTL_MAX_FILE_SIZE (1024 * 1024)
#define SYSCTL_KEY_MAX 256

/*
 * The directories systemd-sysctl reads, highest precedence first (relative to root). /lib/sysctl.d
 * only matters on systems without a merged /usr; where /lib is a link to usr/lib its names are
 * masked by the identical names found in /usr/lib/sysctl.d.
 */
static const char *const sysctl_dirs[] = {
	"etc/sysctl.d",	    "run/sysctl.d", "usr/local/lib/sysctl.d",
	"usr/lib/sysctl.d", "lib/sysctl.d",
};

/* systemd strips lines, keys and values of these only: a vertical tab stays part of a key. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim [*s, *e) in place. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static void copy_span(char *dst, size_t dstlen, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The kernel's isspace() (lib/ctype.c): ASCII white space and Latin-1's no-break space. */
static bool kernel_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* A digit's value as the kernel's integer parser reads it (bases up to 16); 16 for none. */
static unsigned digit_value(unsigned char c)
{
	unsigned char lc = c | 0x20;

	if (c >= '0' && c <= '9')
		return c - '0';
	if (lc >= 'a' && lc <= 'f')
		return lc - 'a' + 10u;
	return 16;
}

/* The number the kernel's proc_get_long() reads from a NUL-padded window: *len consumed. */
static int window_number(const char *w, size_t left, bool *neg, unsigned long long *val,
			 size_t *len)
{
	unsigned base = 10;
	size_t p = 0;
	bool overflow = false;

	*neg = w[0] == '-' && left > 1;
	p = *neg;
	if (w[p] < '0' || w[p] > '9')
		return -EINVAL;
	if (w[p] == '0' && (w[p + 1] | 0x20) == 'x' && digit_value((unsigned char)w[p + 2]) < 16) {
		base = 16;
		p += 2;
	} else if (w[p] == '0') {
		base = 8;
	}
	*val = 0;
	for (; digit_value((unsigned char)w[p]) < base; p++) {
		overflow |= __builtin_mul_overflow(*val, base, val);
		overflow |= __builtin_add_overflow(*val, digit_value((unsigned char)w[p]), val);
	}
	*len = p;
	return overflow ? -EINVAL : 0;
}

int ct_sysctl_dointvec(const char *s, size_t n, int *out)
{
	/* The kernel looks at 21 characters at most; a number that fills them is refused. */
	char w[24];
	size_t i = 0, left, len;
	unsigned long long v;
	bool neg;

	if (!s || !out)
		return -EINVAL;
	while (i < n && kernel_space((unsigned char)s[i]))
		i++;
	left = n - i + 1; /* the newline the writer appends counts */
	if (i == n)
		return -EINVAL; /* only white space: nothing to store */
	memset(w, 0, sizeof(w));
	memcpy(w, s + i, left - 1 < 21 ? left - 1 : 21);
	if (left - 1 < 21)
		w[left - 1] = '\n';
	if (window_number(w, left, &neg, &v, &len) < 0 || len >= 21)
		return -EINVAL;
	if (len < left && w[len] != ' ' && w[len] != '\t' && w[len] != '\n')
		return -EINVAL;
	if (neg ? v > (unsigned long long)INT_MAX + 1 : v > INT_MAX)
		return -EINVAL;
	*out = neg ? (int)(-(long long)v) : (int)v;
	return 0;
}

/*
 * Bring a key to the slashed form of a /proc/sys path: if the first separator is a dot, dots and
 * slashes swap roles (so "net.ipv4.conf.eth0/1.x" names conf/eth0.1/x); if it is a slash, the key
 * is already a path and dots stay part of names. Repeated and outer slashes are dropped.
 * Returns false when the key does not fit in out (it then matches nothing).
 */
static bool normalize_key(const char *s, size_t n, char *out, size_t outlen)
{
	bool swap = false;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == '.') {
			swap = s[i] == '.';
			break;
		}
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (swap && c == '.')
			c = '/';
		else if (swap && c == '/')
			c = '.';
		if (c == '/' && (o == 0 || out[o - 1] == '/'))
			continue;
		if (o + 1 >= outlen)
			return false;
		out[o++] = c;
	}
	if (o > 0 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return true;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Does the (normalized) file key name one of the keys, exactly or as a glob pattern? */
static bool key_matches(const char *norm, bool glob, const char *const *keys)
{
	char alias[SYSCTL_KEY_MAX];
	size_t i;

	for (i = 0; keys[i]; i++) {
		if (!normalize_key(keys[i], strlen(keys[i]), alias, sizeof(alias)))
			continue;
		if (glob ? fnmatch(norm, alias, FNM_PATHNAME) == 0 : strcmp(norm, alias) == 0)
			return true;
	}
	return false;
}

/*
 * Handle one line [s, e). Returns 1 when it assigned one of the keys, else 0.
 * systemd's rules: explicit keys always beat glob patterns whatever the order, and a bare
 * "-key" (no '=') excludes that key from glob patterns. out->key remembers which kind of line
 * decided the current result, so the rule carries across files.
 */
static int parse_line(const char *s, const char *e, const char *file, unsigned line,
		      const char *const *keys, struct ct_sysctl_setting *out)
{
	const char *eq, *ks, *ke, *vs, *ve;
	char norm[SYSCTL_KEY_MAX];
	bool glob, exclusion;

	trim(&s, &e);
	if (s == e || *s == '#' || *s == ';')
		return 0;
	eq = memchr(s, '=', (size_t)(e - s));
	ks = s;
	ke = eq ? eq : e;
	if (*ks == '-')
		ks++;
	trim(&ks, &ke);
	exclusion = !eq;
	if (exclusion && ks == s)
		return 0; /* not an assignment: systemd and procps reject the line */
	if (ks == ke || ke - ks >= (long)sizeof(out->key))
		return 0;
	if (!normalize_key(ks, (size_t)(ke - ks), norm, sizeof(norm)) || !norm[0])
		return 0;
	glob = has_glob(norm);
	if (exclusion && glob)
		return 0; /* exclusions name concrete keys only */
	if (!key_matches(norm, glob, keys))
		return 0;

	if (exclusion) {
		/* Only a glob could have set the value so far; the exclusion undoes that. */
		if (out->found && out->key[0] && has_glob(out->key)) {
			out->found = false;
			out->value[0] = '\0';
		}
		if (!out->found) {
			out->key[0] = '-';
			copy_span(out->key + 1, sizeof(out->key) - 1, ks, ke);
			mp_copy(out->file, sizeof(out->file), file ? file : "");
			out->line = line;
		}
		return 0;
	}
	/* A glob never overrides an explicit assignment or exclusion. */
	if (glob && out->key[0] && !has_glob(out->key))
		return 0;

	vs = eq + 1;
	ve = e;
	trim(&vs, &ve);
	out->found = true;
	copy_span(out->key, sizeof(out->key), ks, ke);
	copy_span(out->value, sizeof(out->value), vs, ve);
	out->number_rc = ct_sysctl_dointvec(vs, (size_t)(ve - vs), &out->number);
	mp_copy(out->file, sizeof(out->file), file ? file : "");
	out->line = line;
	return 1;
}

/*
 * Lines end at "\n", "\r", "\r\n" or a NUL byte, like systemd's line reader; text need not be
 * NUL-terminated. Returns the number of assignments to the keys seen, or -EINVAL on bad arguments.
 */
int ct_sysctl_parse(const char *text, size_t len, const char *file, const char *const *keys,
		    struct ct_sysctl_setting *out)
{
	const char *p, *end;
	unsigned line = 0;
	int n = 0;

	if ((!text && len) || !keys || !out)
		return -EINVAL;
	if (!text)
		return 0;
	p = text;
	end = text + len;
	while (p < end) {
		const char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r' && *eol != '\0')
			eol++;
		if (line < UINT_MAX)
			line++;
		n += parse_line(p, eol, file, line, keys, out);
		if (eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
			eol++;
		p = eol + 1;
	}
	return n;
}

/* Test hook, kept for the existing tests: the resolution is rootfs.c's. */
void ct_sysctl_test_manual_resolve(bool on)
{
	ct_root_test_manual_resolve(on);
}

static const struct ct_conf_dirs sysctl_conf = {
	.dirs = sysctl_dirs,
	.ndirs = sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]),
	.suffix = ".conf",
	.last = "etc/sysctl.conf",
	.what = "sysctl.d",
	.max_files = SYSCTL_MAX_FILES,
};

/* Read and parse the files in the order boot applies them. */
static void parse_entries(const struct ct_root *r, const struct ct_conf_file *ent, size_t n,
			  const char *const *keys, struct ct_sysctl_setting *out,
			  struct ct_unread *u)
{
	char *buf = NULL, path[PATH_MAX];
	size_t bufcap = 0, i;

	for (i = 0; i < n; i++) {
		bool truncated;
		ssize_t got;

		if (ent[i].skip)
			continue;
		ct_conf_path(&sysctl_conf, &ent[i], path, sizeof(path));
		got = ct_root_read(r, path, SYSCTL_MAX_FILE_SIZE, &buf, &bufcap, &truncated);
		if (got == -ENOENT)
			continue; /* removed since it was listed: it sets nothing now */
		if (got < 0) {
			ct_unread(u, (int)got, "cannot read %s: %s", path, strerror((int)-got));
			continue;
		}
		if (truncated) {
			/* Drop the partial last line: half a number is worse than none. */
			while (got > 0 && buf[got - 1] != '\n')
				got--;
			ct_unread(u, -EFBIG, "cannot read %s: larger than 1 MiB", path);
		}
		ct_sysctl_parse(buf, (size_t)got, path, keys, out);
	}
	free(buf);
}

_Static_assert(sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]) == CT_SYSCTL_DIRS,
	       "the print has a stamp for each directory");

/* What the answer was read from: every listed file's stamp, unless there are too many. */
static void print_files(struct ct_sysctl_print *fp, const struct ct_conf_file *ent, size_t n,
			time_t now)
{
	if (n > CT_SYSCTL_PRINT_FILES) {
		fp->usable = false;
		return;
	}
	for (unsigned i = 0; i < CT_SYSCTL_DIRS; i++)
		if (ct_stamp_recent(&fp->dir[i], now))
			fp->usable = false;
	for (size_t i = 0; i < n; i++) {
		fp->file[i].dir = ent[i].dir;
		mp_copy(fp->file[i].name, sizeof(fp->file[i].name), ent[i].name);
		fp->file[i].st = ent[i].stamp;
		if (ct_stamp_recent(&ent[i].stamp, now))
			fp->usable = false;
	}
	fp->n = (uint32_t)n;
}

/*
 * /etc/sysctl.conf is applied after all sysctl.d files, as `sysctl --system` does. A file reached
 * twice (Debian's /etc/sysctl.d/99-sysctl.conf is a link to ../sysctl.conf) is read only at its
 * last position, so it is neither counted twice nor applied earlier than it really takes effect.
 */
int ct_sysctl_boot_value_print(const char *root, const char *const *keys,
			       struct ct_sysctl_setting *out, char *err, size_t errlen,
			       struct ct_sysctl_print *fp)
{
	struct ct_unread u = {.err = err, .errlen = errlen};
	struct ct_conf_file *ent;
	struct ct_root r;
	size_t n;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (fp)
		memset(fp, 0, sizeof(*fp));
	if (!out || !keys)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = ct_root_open(&r, root);
	if (rc < 0) {
		ct_unread(&u, rc, "cannot open root %s: %s", root ? root : "/", strerror(-rc));
		return u.rc;
	}
	rc = ct_conf_list(&r, &sysctl_conf, &ent, &n, &u, fp ? fp->dir : NULL);
	if (rc < 0) {
		ct_unread(&u, rc, "cannot read the sysctl configuration: %s", strerror(-rc));
	} else {
		parse_entries(&r, ent, n, keys, out, &u);
		if (fp) {
			fp->usable = true;
			print_files(fp, ent, n, time(NULL));
		}
		free(ent);
	}
	ct_root_close(&r);
	ct_unread_finish(&u);
	if (fp && u.rc < 0)
		fp->usable = false;
	return u.rc;
}

int ct_sysctl_boot_value(const char *root, const char *const *keys, struct ct_sysctl_setting *out,
			 char *err, size_t errlen)
{
	return ct_sysctl_boot_value_print(root, keys, out, err, errlen, NULL);
}

bool ct_sysctl_print_holds(const char *root, const struct ct_sysctl_print *fp)
{
	char path[PATH_MAX];
	struct ct_stamp now;
	struct ct_root r;
	bool same = true;

	if (!fp || !fp->usable || fp->n > CT_SYSCTL_PRINT_FILES || ct_root_open(&r, root) < 0)
		return false;
	for (unsigned i = 0; same && i < CT_SYSCTL_DIRS; i++) {
		ct_stamp_of(&r, sysctl_dirs[i], &now);
		same = ct_stamp_same(&now, &fp->dir[i]);
	}
	for (uint32_t i = 0; same && i < fp->n; i++) {
		struct ct_conf_file e = {.dir = fp->file[i].dir};

		if (e.dir > CT_SYSCTL_DIRS || !memchr(fp->file[i].name, '\0', sizeof(e.name))) {
			same = false;
			break;
		}
		mp_copy(e.name, sizeof(e.name), fp->file[i].name);
		ct_conf_path(&sysctl_conf, &e, path, sizeof(path));
		ct_stamp_of(&r, path, &now);
		same = ct_stamp_same(&now, &fp->file[i].st);
	}
	ct_root_close(&r);
	return same;
}
