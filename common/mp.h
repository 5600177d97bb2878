/* Our own small Monitoring Plugins layer: states, ranges, perfdata, output, timeout. */
#ifndef MP_H
#define MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of the Monitoring Plugins API. */
enum mp_state_code { MP_OK = 0, MP_WARNING = 1, MP_CRITICAL = 2, MP_UNKNOWN = 3 };

const char *mp_state_name(int state); /* "OK", "WARNING", "CRITICAL", "UNKNOWN" */
/* Parse "ok", "warning", "critical", "unknown" (any case) or 0-3. Returns the state or -1. */
int mp_state_parse(const char *s);
/* Worst of two states: CRITICAL > WARNING > UNKNOWN > OK. */
int mp_state_worst(int a, int b);

/*
 * A range as the developer guidelines define it: [@][start:]end, both ends inclusive.
 * "10" = 0:10, "10:" = 10:inf, "~:10" = -inf:10, "10:20", "@10:20" alerts inside.
 */
struct mp_range {
	double start, end;
	bool start_inf; /* "~" */
	bool end_inf; /* nothing after ':' */
	bool inside; /* "@": alert when inside */
};

/* 0, or -1 with a one-line reason in err (start > end, not a number, empty...). */
int mp_range_parse(const char *text, struct mp_range *r, char *err, size_t errlen);
/* True when value raises an alert against the range. */
bool mp_range_alert(const struct mp_range *r, double value);
/* Format a range back as text (the form perfdata uses); returns buf. */
char *mp_range_format(const struct mp_range *r, char *buf, size_t len);

/* A growable string buffer; every append is checked, out of memory sets oom. */
struct mp_buf {
	char *s;
	size_t len, cap;
	bool oom;
};
void mp_buf_printf(struct mp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mp_buf_free(struct mp_buf *b);
static inline const char *mp_buf_str(const struct mp_buf *b)
{
	return b->s ? b->s : "";
}

/* Format a number as the C locale does, integral values without decimals, at most 3 decimals. */
char *mp_fmt_num(double v, char *buf, size_t len);

/*
 * Append one perfdata item: 'label'=value[uom];warn;crit;min;max. Any of warn, crit, min, max may
 * be NULL (left empty; trailing empty fields are dropped). The label is quoted when it needs it
 * (space, '=' or a quote) and quotes inside it are doubled.
 */
void mp_perf_add(struct mp_buf *perf, const char *label, const char *value, const char *uom,
		 const char *warn, const char *crit, const char *min, const char *max);

/*
 * The plugin's answer on stdout: "<SERVICE> <STATE> - summary | perfdata", then the long output
 * lines. Newlines or '|' in the summary would break the protocol and are replaced.
 */
void mp_output(const char *service, int state, const char *summary, const char *perfdata,
	       const char *long_output);
/* For argument errors and the like: one line "<SERVICE> UNKNOWN - reason", exit 3. */
void mp_die(const char *service, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Arm a SIGALRM timeout that ends the run as "<SERVICE> UNKNOWN - ... timed out after N s". */
void mp_timeout_arm(const char *service, unsigned seconds);
/* What the run is waiting for, named in that message ("waiting for ..."); NULL: nothing. */
void mp_timeout_while(const char *what);
void mp_timeout_disarm(void);

/*
 * --extra-opts=[section][@file]: a new argv with the ini options of each named section inserted
 * before the command-line arguments (which therefore win) and every --extra-opts removed. The
 * default section is the plugin name; the default file is searched in the standard locations.
 * Returns 0, or -1 with a one-line reason in err. Free with mp_argv_free after the run.
 */
struct mp_argv {
	int argc;
	char **argv;
	int nowned; /* argv[1..nowned] were allocated here */
};
int mp_extra_opts(int argc, char **argv, const char *plugin, struct mp_argv *out, char *err,
		  size_t errlen);
void mp_argv_free(struct mp_argv *a);
/* The ini parser behind it (unit tests, fuzzing): appends "--key=value" args of section. */
int mp_ini_section(const char *text, size_t len, const char *section, char ***args, int *nargs,
		   bool *found, char *err, size_t errlen);

#endif
