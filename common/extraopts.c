/* --extra-opts=[section][@file]: plugin arguments kept in an ini file, as monitoring-plugins does.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp.h"

#define INI_MAX_SIZE (1024 * 1024)

/* Searched in this order when no file is named; MP_CONFIG_FILE and NAGIOS_CONFIG_PATH first. */
static const char *const default_files[] = {
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	"/etc/nagios/plugins.ini",
	"/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini",
	"/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini",
	"/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
	NULL,
};
static const char *const config_path_names[] = {"monitoring-plugins.ini", "plugins.ini",
						"nagios-plugins.ini", NULL};

/* Slots for n arguments and the closing NULL: powers of two, so an ini file of any length
 * costs a few reallocations, not one per line. */
static size_t arg_slots(size_t n)
{
	size_t slots = 16;

	while (slots < n + 1)
		slots *= 2;
	return slots;
}

static int push_arg(char ***args, int *nargs, char *arg)
{
	size_t n = (size_t)*nargs;
	char **grown;

	if (!arg)
		return -1;
	if (!*args || arg_slots(n + 1) != arg_slots(n)) {
		grown = realloc(*args, sizeof(char *) * arg_slots(n + 1));
		if (!grown) {
			free(arg);
			return -1;
		}
		*args = grown;
	}
	(*args)[n] = arg;
	(*args)[n + 1] = NULL;
	*nargs = (int)n + 1;
	return 0;
}

/* An option's name: letters, digits, '-' and '_', not starting with '-' (a "-" key would make
 * "--", the end of the options, and "-x" keys options of another shape). */
static bool option_name(const char *s, const char *e)
{
	if (s == e || !isalnum((unsigned char)*s))
		return false;
	for (; s < e; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	}
	return true;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

int mp_ini_section(const char *text, size_t len, const char *section, char ***args, int *nargs,
		   bool *found, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	bool in_section = false, seen_section = false;
	unsigned lineno = 0;

	*found = false;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = eol ? eol : end;

		p = eol ? eol + 1 : end;
		lineno++;
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (memchr(s, '\0', (size_t)(e - s))) {
			snprintf(err, errlen, "config file error: NUL byte on line %u", lineno);
			return -1;
		}
		if (*s == '[') {
			const char *ns = s + 1, *ne = e;

			if (e[-1] != ']' || e - s < 2) {
				snprintf(err, errlen,
					 "config file error: bad section header on line %u",
					 lineno);
				return -1;
			}
			ne--;
			trim(&ns, &ne);
			seen_section = true;
			in_section = (size_t)(ne - ns) == strlen(section) &&
				     memcmp(ns, section, (size_t)(ne - ns)) == 0;
			if (in_section)
				*found = true;
			continue;
		}
		if (!seen_section) {
			snprintf(err, errlen,
				 "config file error: option outside a section on line %u", lineno);
			return -1;
		}
		if (!in_section)
			continue;
		const char *eq = memchr(s, '=', (size_t)(e - s));
		const char *ks = s, *ke = eq ? eq : e;
		trim(&ks, &ke);
		if (ks == ke) {
			snprintf(err, errlen, "config file error: option without a name on line %u",
				 lineno);
			return -1;
		}
		if (!option_name(ks, ke)) {
			snprintf(err, errlen,
				 "config file error: '%.*s' is no option name (line %u)",
				 (int)(ke - ks > 40 ? 40 : ke - ks), ks, lineno);
			return -1;
		}
		char *arg = NULL;
		int klen = (int)(ke - ks);
		const char *vs = eq ? eq + 1 : e, *ve = e;
		/* One letter: a short option with its value attached ("-w80%"), as getopt wants it.
		 */
		const char *dash = klen == 1 ? "-" : "--", *assign = klen == 1 ? "" : "=";
		trim(&vs, &ve);
		/* "key" and "key=" alike are the bare option, as Monitoring Plugins read "key=". */
		if (vs < ve) {
			if (asprintf(&arg, "%s%.*s%s%.*s", dash, klen, ks, assign, (int)(ve - vs),
				     vs) < 0)
				arg = NULL;
		} else if (asprintf(&arg, "%s%.*s", dash, klen, ks) < 0) {
			arg = NULL;
		}
		if (push_arg(args, nargs, arg) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Regular files only (-EINVAL otherwise): a FIFO or a device would block until -t, or never end. */
static int read_file(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	size_t cap = 0;
	struct stat st;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	n = mp_read_fd_alloc(fd, &buf, &cap, INI_MAX_SIZE - 1, 0);
	close(fd);
	if (n < 0 || n > INI_MAX_SIZE - 1) {
		free(buf);
		return n < 0 ? (int)n : -EFBIG;
	}
	*text = buf;
	*len = (size_t)n;
	return 0;
}

static const char *find_default_file(char *buf, size_t len)
{
	const char *env = secure_getenv("MP_CONFIG_FILE");

	if (env && env[0])
		return env;
	env = secure_getenv("NAGIOS_CONFIG_PATH");
	while (env && *env) {
		size_t n = strcspn(env, ":");

		for (int i = 0; n && config_path_names[i]; i++) {
			snprintf(buf, len, "%.*s/%s", (int)n, env, config_path_names[i]);
			if (access(buf, R_OK) == 0)
				return buf;
		}
		env += n;
		env += *env == ':';
	}
	for (int i = 0; default_files[i]; i++) {
		if (access(default_files[i], R_OK) == 0)
			return default_files[i];
	}
	return NULL;
}

/* Load one locator's options onto args. */
static int load_locator(const char *locator, const char *plugin, char ***args, int *nargs,
			char *err, size_t errlen)
{
	char section[256], pathbuf[4096];
	const char *at = locator ? strchr(locator, '@') : NULL;
	size_t slen = locator ? (at ? (size_t)(at - locator) : strlen(locator)) : 0;
	const char *file;
	char *text = NULL;
	size_t len = 0;
	bool found;
	int r;

	if (slen >= sizeof(section)) {
		snprintf(err, errlen, "extra-opts section name too long");
		return -1;
	}
	if (slen)
		memcpy(section, locator, slen);
	section[slen] = '\0';
	if (!slen)
		mp_copy(section, sizeof(section), plugin);
	file = at && at[1] ? at + 1 : find_default_file(pathbuf, sizeof(pathbuf));
	if (!file) {
		snprintf(err, errlen, "extra-opts: no config file found in the standard locations");
		return -1;
	}
	r = read_file(file, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "extra-opts: cannot read %.200s: %s", file,
			 r == -EINVAL ? "not a regular file" : strerror(-r));
		return -1;
	}
	/* A section that was named and is not there is an error: never another's options. */
	r = mp_ini_section(text, len, section, args, nargs, &found, err, errlen);
	free(text);
	if (r < 0)
		return -1;
	if (!found) {
		snprintf(err, errlen, "extra-opts: section [%.100s] not found in %.200s", section,
			 file);
		return -1;
	}
	return 0;
}

int mp_extra_opts(int argc, char **argv, const char *plugin, struct mp_argv *out, char *err,
		  size_t errlen)
{
	char **ini = NULL;
	int nini = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 1; i < argc; i++) {
		const char *loc = NULL;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--extra-opts", 12) != 0)
			continue;
		if (argv[i][12] == '=')
			loc = argv[i] + 13;
		else if (argv[i][12] != '\0')
			continue;
		else if (i + 1 < argc && argv[i + 1][0] != '-')
			loc = argv[i + 1];
		if (load_locator(loc, plugin, &ini, &nini, err, errlen) < 0)
			goto fail;
	}
	out->argv = calloc((size_t)argc + (size_t)nini + 1, sizeof(char *));
	if (!out->argv) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* The ini options go first so that the command line, parsed later, wins. */
	out->argv[out->argc++] = argv[0];
	for (int k = 0; k < nini; k++)
		out->argv[out->argc++] = ini[k];
	out->nowned = nini;
	free(ini);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--extra-opts") == 0) {
			if (i + 1 < argc && argv[i + 1][0] != '-')
				i++;
			continue;
		}
		if (strncmp(argv[i], "--extra-opts=", 13) == 0)
			continue;
		out->argv[out->argc++] = argv[i];
	}
	return 0;
fail:
	for (int k = 0; k < nini; k++)
		free(ini[k]);
	free(ini);
	return -1;
}

void mp_argv_free(struct mp_argv *a)
{
	for (int k = 1; a->argv && k <= a->nowned; k++)
		free(a->argv[k]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}
