/* Our own small Monitoring Plugins layer: states, ranges, perfdata, output, timeout. */
#ifndef MP_H
#define MP_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/*
 * An unsigned decimal, s[0..n): digits only (no sign, blank or base prefix), at most max. 0, or
 * -EINVAL (empty, not a digit) or -ERANGE (above max).
 */
int mp_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/*
 * The one bounded file reader. mp_read_fd reads fd into buf until the end of the file or until
 * len bytes (give one more than you accept to tell "full" from "more"), retrying interrupted
 * reads: the bytes read, or -errno. It also stops once expect bytes (fstat's size, 0: unknown)
 * were read, or, with line, after a read that ended in '\n' (a sysctl's one line): the read that
 * only says "end of file" is spared. mp_read_fd_alloc does the same into *buf, grown as needed
 * from *cap (a buffer the caller keeps and frees), up to max + 1 bytes: max + 1 means larger
 * than max; -ENOMEM.
 */
ssize_t mp_read_fd(int fd, char *buf, size_t len, size_t expect, bool line);
ssize_t mp_read_fd_alloc(int fd, char **buf, size_t *cap, size_t max, size_t expect);

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

/*
 * The text fmt stands for when it formats nothing: fmt itself when it holds no '%', the one
 * string argument when it is "%s" (then taken from ap), else NULL: it must be formatted. Lets a
 * printf-like function copy most of its text instead of formatting it.
 */
const char *mp_fmt_plain(const char *fmt, va_list ap);

/*
 * src into dst of size bytes, cut to size - 1 and terminated, as snprintf(dst, size, "%s", src)
 * does, and its length like snprintf's result; without the formatting (hundreds of instructions
 * a call, most of them for this one directive).
 */
size_t mp_copy(char *dst, size_t size, const char *src);

/* A whole number in decimal, as "%llu" writes it (cut to len - 1 bytes as snprintf would). */
char *mp_fmt_u64(unsigned long long v, char *buf, size_t len);

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
/* The same text, appended to out (ending in a newline). */
void mp_output_buf(struct mp_buf *out, const char *service, int state, const char *summary,
		   const char *perfdata, const char *long_output);
/* For argument errors and the like: one line "<SERVICE> UNKNOWN - reason", exit 3. */
void mp_die(const char *service, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * How a run ends when it cannot finish. From the first call on, the alarm (armed for seconds) and
 * SIGTERM, SIGINT and SIGHUP end the run with one line, "<SERVICE> UNKNOWN - ... timed out after
 * N seconds" or "... stopped by SIGTERM ...", and exit 3, without waiting on a stdout nobody
 * reads. Called again, it re-arms the alarm. Signals ignored at start (nohup) stay ignored.
 */
void mp_timeout_arm(const char *service, unsigned seconds);
/* What the run is waiting for, named in the alarm's line ("waiting for ..."); NULL: nothing. */
void mp_timeout_while(const char *what);
/* The answer is written: the alarm is off and no signal can add a second line any more. */
void mp_timeout_disarm(void);
/* Hold the alarm and those signals off over a step that must not be cut in half. */
void mp_signals_hold(sigset_t *saved);
void mp_signals_release(const sigset_t *saved);

/*
 * First thing in main: fds 0-2 are made valid (a closed one is /dev/null, read-only, so that the
 * answer written to a closed stdout fails), and a reader that went away fails the write (EPIPE)
 * instead of killing the run with SIGPIPE.
 */
void mp_stdio_init(const char *service);
/* The exit code: state, or MP_UNKNOWN when the answer could not be written in full. */
int mp_exit_state(int state);

/*
 * --extra-opts=[section][@file]: a new argv with the ini options of each named section inserted
 * before the command-line arguments (which therefore win) and every --extra-opts removed. The
 * default section is the plugin name; a section that is not in the file is an error, as in
 * Monitoring Plugins. The default file is searched in the standard locations. Returns 0, or -1
 * with a one-line reason in err. Free with mp_argv_free after the run. argv[1..nowned] are the
 * ini's: the plugin refuses help, version and --extra-opts among them, and a value taken from
 * the next argument.
 */
struct mp_argv {
	int argc;
	char **argv;
	int nowned; /* argv[1..nowned] were allocated here */
};
int mp_extra_opts(int argc, char **argv, const char *plugin, struct mp_argv *out, char *err,
		  size_t errlen);
void mp_argv_free(struct mp_argv *a);
/*
 * The ini parser behind it (unit tests, fuzzing): appends the options of section, "--key=value"
 * ("-kvalue" for a one-letter key), or the bare "--key" for "key" and "key=". Keys are option
 * names (letters, digits, '-', '_'; not starting with '-').
 */
int mp_ini_section(const char *text, size_t len, const char *section, char ***args, int *nargs,
		   bool *found, char *err, size_t errlen);

#endif
