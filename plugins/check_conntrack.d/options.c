/*
 * Option parsing and help: the command line (and the --extra-opts file's options before it) into
 * a struct ct_config, or a one-line reason. The watched counters' options come from their table.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "procfs.h"

#define DEFAULT_TIMEOUT 10 /* seconds */
/*
 * The classic output's bound: Nagios 4's MAX_PLUGIN_OUTPUT_LENGTH and the longest line of its
 * external command file (a passive result), 8192 bytes each.
 */
#define DEFAULT_OUTPUT_LIMIT 8192
#define OUTPUT_LIMIT_MIN 256u
#define OUTPUT_LIMIT_MAX (16u << 20)

enum long_only {
	OPT_MISSING = 256,
	OPT_PROCFS,
	OPT_SYSFS,
	OPT_EXTRA_OPTS,
	OPT_NETNS,
	OPT_STATE_DIR,
	OPT_STATE_KEY,
	OPT_PEEK,
	OPT_STATE_UNUSABLE,
	OPT_NO_RULES,
	OPT_STATE_RULES,
	OPT_TRACKING_RULES,
	OPT_PERSISTENCE,
	OPT_ROOT,
	OPT_OUTPUT_FORMAT,
	OPT_TTF_WARNING,
	OPT_TTF_CRITICAL,
	OPT_EXPECT_WARNING,
	OPT_EXPECT_CRITICAL,
	OPT_OUTPUT_LIMIT,
	OPT_WATCHED, /* OPT_WATCHED + 2 * row of the watched counter (+1 for critical) */
};

static const char short_options[] = ":w:c:t:vhV";
static const struct option fixed_options[] = {
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, 'c'},
	{"timeout", required_argument, NULL, 't'},
	{"missing", required_argument, NULL, OPT_MISSING},
	{"procfs", required_argument, NULL, OPT_PROCFS},
	{"sysfs", required_argument, NULL, OPT_SYSFS},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"extra-opts", optional_argument, NULL, OPT_EXTRA_OPTS},
	{"netns", required_argument, NULL, OPT_NETNS},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"state-key", required_argument, NULL, OPT_STATE_KEY},
	{"peek", no_argument, NULL, OPT_PEEK},
	{"state-unusable", required_argument, NULL, OPT_STATE_UNUSABLE},
	{"no-rules", no_argument, NULL, OPT_NO_RULES},
	{"state-rules", required_argument, NULL, OPT_STATE_RULES},
	{"tracking-rules", required_argument, NULL, OPT_TRACKING_RULES},
	{"persistence", required_argument, NULL, OPT_PERSISTENCE},
	{"root", required_argument, NULL, OPT_ROOT},
	{"output-format", required_argument, NULL, OPT_OUTPUT_FORMAT},
	{"time-to-full-warning", required_argument, NULL, OPT_TTF_WARNING},
	{"time-to-full-critical", required_argument, NULL, OPT_TTF_CRITICAL},
	{"expect-warning", required_argument, NULL, OPT_EXPECT_WARNING},
	{"expect-critical", required_argument, NULL, OPT_EXPECT_CRITICAL},
	{"output-limit", required_argument, NULL, OPT_OUTPUT_LIMIT},
};
#define NFIXED (sizeof(fixed_options) / sizeof(fixed_options[0]))

/* The fixed options, then --<row>-warning and --<row>-critical of each watched counter. */
static struct option long_options[NFIXED + 2 * CT_WATCHED_MAX + 1];
static char watched_names[2 * CT_WATCHED_MAX][48];

static const struct option *options_table(void)
{
	size_t n = NFIXED;

	if (long_options[0].name)
		return long_options;
	memcpy(long_options, fixed_options, sizeof(fixed_options));
	for (size_t w = 0; w < ct_watched_n; w++) {
		for (int crit = 0; crit < 2; crit++) {
			char *name = watched_names[2 * w + (size_t)crit];

			snprintf(name, sizeof(watched_names[0]), "%s-%s", ct_watched[w].option,
				 crit ? "critical" : "warning");
			long_options[n++] = (struct option){name, required_argument, NULL,
							    OPT_WATCHED + 2 * (int)w + crit};
		}
	}
	return long_options;
}

/*
 * Text cut at sep into pieces, wrapped before column 80 with indent spaces at the start of each
 * new line; the first line is the caller's, up to column col.
 */
static void put_wrapped(const char *text, char sep, int indent, int col)
{
	const char *p = text;
	const char seps[2] = {sep, '\0'};

	while (*p) {
		size_t len = strcspn(p, seps);

		if (col != indent && col + 1 + (int)len > 80) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col != indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)len, p);
		col += (int)len;
		p += len;
		p += strspn(p, seps);
	}
	putchar('\n');
}

static void print_usage(void)
{
	static const char *const before[] = {"[-w RANGE]", "[-c RANGE]"};
	static const char *const after[] = {"[--time-to-full-warning=RANGE]",
					    "[--time-to-full-critical=RANGE]",
					    "[--expect-warning=RANGE]",
					    "[--expect-critical=RANGE]",
					    "[--netns=NAME|PATH|all]",
					    "[--state-dir=DIR]",
					    "[--state-key=NAME]",
					    "[--peek]",
					    "[--state-unusable=STATE]",
					    "[--state-rules=STATE]",
					    "[--tracking-rules=STATE]",
					    "[--no-rules]",
					    "[--persistence=STATE]",
					    "[--root=DIR]",
					    "[-t SECONDS]",
					    "[--missing=STATE]",
					    "[--procfs=DIR]",
					    "[--sysfs=DIR]",
					    "[-v]",
					    "[--extra-opts=[SECTION][@FILE]]"};
	char text[2560] = "";
	size_t o = 0;

	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\t", before[i]);
	for (size_t w = 0; w < ct_watched_n; w++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "[--%s-warning=RANGE]\t[--%s-critical=RANGE]\t",
				      ct_watched[w].option, ct_watched[w].option);
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\t", after[i]);
	printf("Usage: check_conntrack");
	put_wrapped(text, '\t', 23, 22);
	putchar('\n');
}

/* --drop-warning=RANGE, --drop-critical=RANGE and what they watch, from the row. */
static void print_watched_help(const struct ct_watched *w)
{
	char text[512];
	int o;

	printf("     --%s-warning=RANGE, --%s-critical=RANGE\n%24s", w->option, w->option, "");
	o = snprintf(text, sizeof(text), "thresholds on %s since the previous run; ", w->help);
	if (!w->warning && !w->critical)
		snprintf(text + o, sizeof(text) - (size_t)o, "no default");
	else
		snprintf(text + o, sizeof(text) - (size_t)o, "default:%s%s%s%s%s%s",
			 w->warning ? " --" : "", w->warning ? w->option : "",
			 w->warning ? "-warning=" : "", w->warning ? w->warning : "",
			 w->critical ? (w->warning ? ", --" : " --") : "",
			 w->critical ? w->option : "");
	if (w->critical)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "-critical=%s",
			 w->critical);
	put_wrapped(text, ' ', 24, 24);
}

static void print_help(void)
{
	printf("check_conntrack %s\n"
	       "Checks the Linux connection-tracking table: entries against the limit, before the\n"
	       "kernel logs \"nf_conntrack: table full, dropping packet\".\n\n",
	       CT_VERSION);
	print_usage();
	printf("Options:\n"
	       " -w, --warning=RANGE    warning threshold (default 80%%)\n"
	       " -c, --critical=RANGE   critical threshold (default 90%%)\n"
	       "                        A RANGE ending in %% applies to utilization (entries / "
	       "limit x\n"
	       "                        100), otherwise to the entry count. Ranges follow the\n"
	       "                        Monitoring Plugins guidelines: N = 0:N, N: , ~:N, N:M,\n"
	       "                        @N:M (alert inside); ends are inclusive.\n");
	for (size_t w = 0; w < ct_watched_n; w++)
		print_watched_help(&ct_watched[w]);
	printf("     --time-to-full-warning=RANGE, --time-to-full-critical=RANGE\n"
	       "                        thresholds on the seconds until the table is full at the\n"
	       "                        current rate (the forecast; 1800: alerts below half an\n"
	       "                        hour); no default\n"
	       "     --expect-warning=RANGE, --expect-critical=RANGE\n"
	       "                        thresholds on the expectation table (FTP, SIP helpers):\n"
	       "                        a count, or with %% of nf_conntrack_expect_max; no "
	       "default\n"
	       "     --netns=NAME|PATH|all\n"
	       "                        check a namespace under /run/netns, a namespace file such\n"
	       "                        as /proc/PID/ns/net, or every namespace on the host\n"
	       "     --state-dir=DIR    where counters are kept between runs (default\n"
	       "                        $MP_STATE_PATH/UID/check_conntrack, else\n"
	       "                        /run/monitoring-plugins/UID/check_conntrack; others\n"
	       "                        than root fall back to\n"
	       "                        /dev/shm/monitoring-plugins-UID/check_conntrack, the\n"
	       "                        first choice where /run is not a tmpfs, then to\n"
	       "                        ~/.local/state/monitoring-plugins/check_conntrack)\n"
	       "     --state-key=NAME   the baseline this check keeps (1-64 letters, digits,\n"
	       "                        '-', '_'); default: one per set of options that\n"
	       "                        define the check (all but -v, -t, --extra-opts and\n"
	       "                        the state options)\n"
	       "     --peek             compare with the baseline without saving a new one\n"
	       "                        (a manual run that leaves the drops to the\n"
	       "                        scheduled check)\n"
	       "     --state-unusable=STATE\n"
	       "                        state when the counters cannot be kept between runs\n"
	       "                        (drop detection is off; default unknown)\n"
	       "     --state-rules=STATE\n"
	       "                        state when firewall rules match on connection state (for\n"
	       "                        hosts meant to run a stateless firewall); default: "
	       "reported\n"
	       "                        only\n"
	       "     --tracking-rules=STATE\n"
	       "                        state when any rule, object or set forces connection\n"
	       "                        tracking (state matches, NAT, CONNMARK and other ct use);\n"
	       "                        default: reported only\n"
	       "     --no-rules         do not inspect the firewall rules\n"
	       "     --persistence=STATE\n"
	       "                        state when the running limit is not what boot applies\n"
	       "                        (sysctl.conf, sysctl.d); default: reported only\n"
	       "     --root=DIR         read sysctl and boot configuration (iptables-config,\n"
	       "                        modules-load.d, modprobe.d, saved rulesets) under DIR\n"
	       "                        (default /)\n"
	       " -t, --timeout=SECONDS  end the check as UNKNOWN after SECONDS (default 10)\n"
	       "     --missing=STATE    state when connection tracking is not active: ok, "
	       "warning,\n"
	       "                        critical or unknown (default ok)\n"
	       "     --procfs=DIR       read /proc from DIR (default /proc)\n"
	       "     --sysfs=DIR        read /sys from DIR (default /sys)\n"
	       "     --output-format=FORMAT\n"
	       "                        multi-line or mp-test-json, as Monitoring Plugins 3.x\n"
	       "                        print them, or prometheus (metrics for node_exporter's\n"
	       "                        textfile collector; exit 0) (default: CONNTRACK STATE -\n"
	       "                        summary | perfdata, then the long output)\n"
	       "     --output-limit=BYTES\n"
	       "                        bound of the default format's output (default 8192,\n"
	       "                        Nagios' limit; 0: none): the worst namespaces' perfdata,\n"
	       "                        details of OK namespaces left out first\n"
	       " -v, --verbose          show which files were read (-vv: and why, -vvv: all)\n"
	       "     --extra-opts=[SECTION][@FILE]\n"
	       "                        read options from an ini file (default section\n"
	       "                        check_conntrack, standard plugins.ini locations)\n"
	       " -h, --help             this help\n"
	       " -V, --version          the version\n\n");
	printf("Perfdata: entries=N;W;C;0;LIMIT utilization=P%%;W;C;0;100 buckets=N\n"
	       "state_rules=N tracking_rules=N notrack_rules=N, and the kernel counters as they\n"
	       "are (drop=Nc early_drop=Nc insert_failed=Nc ...); time_to_full=Ns while the\n"
	       "table grows toward the limit, expect=N;W;C;0;MAX.\n"
	       "Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
}

/* --output-limit: 0, or bytes enough for a first line and a few more. */
static int parse_output_limit(const char *arg, unsigned long *out)
{
	uint64_t v;

	if (mp_parse_u64(arg, strlen(arg), OUTPUT_LIMIT_MAX, &v) < 0 ||
	    (v != 0 && v < OUTPUT_LIMIT_MIN))
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* -w/-c: an optional trailing '%' (or one before the ':') makes it a utilization threshold. */
static int parse_threshold(const char *arg, struct ct_threshold *t, char *err, size_t errlen)
{
	char text[128], why[160];
	size_t n = strlen(arg);
	char *pct;
	int npct = 0;

	if (n == 0 || n >= sizeof(text)) {
		snprintf(err, errlen, "%s range", n ? "overlong" : "empty");
		return -1;
	}
	memcpy(text, arg, n + 1);
	t->percent = false;
	while ((pct = strchr(text, '%'))) {
		if (pct[1] != '\0' && pct[1] != ':') {
			snprintf(err, errlen, "'%s': %% may only follow a number", arg);
			return -1;
		}
		memmove(pct, pct + 1, strlen(pct + 1) + 1);
		npct++;
	}
	t->percent = npct > 0;
	if (npct && strchr(text, ':') && npct == 1 && arg[n - 1] != '%' && !strchr(text, '~') &&
	    text[strlen(text) - 1] != ':') {
		snprintf(err, errlen, "'%s' mixes a percentage and an entry count", arg);
		return -1;
	}
	if (mp_range_parse(text, &t->range, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "'%s': %s", arg, why);
		return -1;
	}
	t->set = true;
	return 0;
}

/* A state key becomes part of file names: 1-64 letters, digits, '-' and '_'. */
static bool valid_state_key(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int parse_timeout(const char *arg, unsigned *out)
{
	uint64_t v;

	if (mp_parse_u64(arg, strlen(arg), 86400, &v) < 0 || v == 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/*
 * The --extra-opts file's options, argv[1..nini], are trusted like the command line but parsed
 * on their own first: they may not ask for help or the version (every check would exit 0 with the
 * help text) nor name another ini file, and a key written without its value must not take the
 * next argument as one. 0, or -1 with the reason.
 */
static int check_ini_options(char **argv, int nini, char *reason, size_t len)
{
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(nini + 1, argv, short_options, options_table(), NULL)) != -1) {
		if (c == 'h' || c == 'V' || c == OPT_EXTRA_OPTS) {
			snprintf(reason, len, "the --extra-opts file may not set --%s",
				 c == 'h'   ? "help"
				 : c == 'V' ? "version"
					    : "extra-opts");
			return -1;
		}
		if (c == ':' || (optarg && optarg == argv[optind - 1])) {
			snprintf(reason, len,
				 "'%.60s' in the --extra-opts file needs a value (key=value)",
				 argv[c == ':' ? optind - 1 : optind - 2]);
			return -1;
		}
	}
	return 0;
}

void ct_options_init(struct ct_config *cfg)
{
	char why[256];

	*cfg = (struct ct_config){
		.missing_state = MP_OK,
		.procfs = "/proc",
		.sysfs = "/sys",
		.timeout = DEFAULT_TIMEOUT,
		.output_limit = DEFAULT_OUTPUT_LIMIT,
		.root = "/",
		.state_rules_state = -1,
		.tracking_rules_state = -1,
		.persistence_state = -1,
		.state_unusable = MP_UNKNOWN,
	};
	parse_threshold("80%", &cfg->warn, why, sizeof(why));
	parse_threshold("90%", &cfg->crit, why, sizeof(why));
	for (size_t w = 0; w < ct_watched_n; w++) {
		if (ct_watched[w].warning)
			parse_threshold(ct_watched[w].warning, &cfg->delta_warn[w], why,
					sizeof(why));
		if (ct_watched[w].critical)
			parse_threshold(ct_watched[w].critical, &cfg->delta_crit[w], why,
					sizeof(why));
	}
}

/*
 * --time-to-full-* (seconds, never a percentage) and --expect-* (a count or a percentage of
 * nf_conntrack_expect_max, like -w/-c).
 */
static int parse_extra(int c, const char *arg, struct ct_config *cfg, struct ct_config_result *r)
{
	static const char *const names[] = {"time-to-full-warning", "time-to-full-critical",
					    "expect-warning", "expect-critical"};
	struct ct_threshold *t[] = {&cfg->ttf_warn, &cfg->ttf_crit, &cfg->expect_warn,
				    &cfg->expect_crit};
	int i = c - OPT_TTF_WARNING;
	char why[256];
	int rc = parse_threshold(arg, t[i], why, sizeof(why));

	if (rc == 0 && (i >= 2 || !t[i]->percent))
		return 0;
	snprintf(r->reason, sizeof(r->reason), "invalid --%s range %s", names[i],
		 rc == 0 ? "(seconds, not a percentage)" : why);
	r->errorcode = MP_UNKNOWN;
	return -1;
}

/* --<row>-warning or --<row>-critical of a watched counter: a count, never a percentage. */
static int parse_watched(int which, const char *arg, struct ct_config *cfg,
			 struct ct_config_result *r)
{
	size_t w = (size_t)which / 2;
	bool crit = which % 2;
	struct ct_threshold *t = crit ? &cfg->delta_crit[w] : &cfg->delta_warn[w];
	char why[256];

	if (parse_threshold(arg, t, why, sizeof(why)) == 0 && !t->percent)
		return 0;
	snprintf(r->reason, sizeof(r->reason), "invalid --%s-%s range %s", ct_watched[w].option,
		 crit ? "critical" : "warning",
		 t->percent ? "(a count since the last check, not a percentage)" : why);
	r->errorcode = MP_UNKNOWN;
	return -1;
}

struct ct_config_result ct_options_parse(int argc, char **argv, int nini)
{
	struct ct_config_result r = {0};
	struct ct_config *cfg = &r.config;
	char why[256];
	int c;

	ct_options_init(cfg);
	if (nini && check_ini_options(argv, nini, r.reason, sizeof(r.reason)) < 0) {
		r.errorcode = MP_UNKNOWN;
		return r;
	}
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, short_options, options_table(), NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'c':
			if (parse_threshold(optarg, c == 'w' ? &cfg->warn : &cfg->crit, why,
					    sizeof(why)) < 0) {
				snprintf(r.reason, sizeof(r.reason), "invalid %s range %s",
					 c == 'w' ? "warning" : "critical", why);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			break;
		case 't':
			if (parse_timeout(optarg, &cfg->timeout) < 0) {
				snprintf(r.reason, sizeof(r.reason),
					 "invalid timeout '%.40s': want whole seconds from 1 to "
					 "86400",
					 optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			break;
		case OPT_MISSING:
			cfg->missing_state = mp_state_parse(optarg);
			if (cfg->missing_state < 0) {
				snprintf(r.reason, sizeof(r.reason),
					 "invalid --missing state '%.40s': want ok, warning, "
					 "critical "
					 "or unknown",
					 optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			break;
		case OPT_NETNS:
			if (!optarg[0]) {
				snprintf(r.reason, sizeof(r.reason),
					 "--netns needs a name, a path or all");
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			cfg->netns = optarg;
			break;
		case OPT_STATE_DIR:
			if (optarg[0] != '/') {
				snprintf(r.reason, sizeof(r.reason),
					 "--state-dir wants an absolute path, not '%.60s'", optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			cfg->state_dir = optarg;
			break;
		case OPT_STATE_KEY:
			if (!valid_state_key(optarg)) {
				snprintf(r.reason, sizeof(r.reason),
					 "invalid --state-key '%.60s': want 1 to 64 "
					 "letters, digits, '-' or '_'",
					 optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			cfg->state_key = optarg;
			break;
		case OPT_PEEK:
			cfg->peek = true;
			break;
		case OPT_NO_RULES:
			cfg->no_rules = true;
			break;
		case OPT_STATE_RULES:
		case OPT_TRACKING_RULES:
		case OPT_PERSISTENCE:
		case OPT_STATE_UNUSABLE: {
			int st = mp_state_parse(optarg);
			const char *name = c == OPT_STATE_RULES	     ? "state-rules"
					   : c == OPT_TRACKING_RULES ? "tracking-rules"
					   : c == OPT_PERSISTENCE    ? "persistence"
								     : "state-unusable";

			if (st < 0) {
				snprintf(
					r.reason, sizeof(r.reason),
					"invalid --%s state '%.40s': want ok, warning, critical or "
					"unknown",
					name, optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			*(c == OPT_STATE_RULES	    ? &cfg->state_rules_state
			  : c == OPT_TRACKING_RULES ? &cfg->tracking_rules_state
			  : c == OPT_PERSISTENCE    ? &cfg->persistence_state
						    : &cfg->state_unusable) = st;
			break;
		}
		case OPT_ROOT:
			cfg->root = optarg;
			r.root_given = true;
			break;
		case OPT_OUTPUT_FORMAT: {
			parsed_output_format f = mp_parse_output_format(optarg);

			/* Ours, not the library's: the tree as metrics for Prometheus. */
			cfg->prometheus = strcasecmp(optarg, "prometheus") == 0;
			cfg->perf_detail = cfg->prometheus;
			if (!f.parsing_success && !cfg->prometheus) {
				snprintf(r.reason, sizeof(r.reason),
					 "invalid --output-format '%.40s': want multi-line, "
					 "mp-test-json or prometheus",
					 optarg);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			cfg->output_format_set = !cfg->prometheus;
			cfg->output_format = f.output_format;
			break;
		}
		case OPT_TTF_WARNING:
		case OPT_TTF_CRITICAL:
		case OPT_EXPECT_WARNING:
		case OPT_EXPECT_CRITICAL:
			if (parse_extra(c, optarg, cfg, &r) < 0)
				return r;
			break;
		case OPT_OUTPUT_LIMIT:
			if (parse_output_limit(optarg, &cfg->output_limit) < 0) {
				snprintf(r.reason, sizeof(r.reason),
					 "invalid --output-limit '%.40s': want 0 (no bound) or "
					 "bytes from %u to %u",
					 optarg, OUTPUT_LIMIT_MIN, OUTPUT_LIMIT_MAX);
				r.errorcode = MP_UNKNOWN;
				return r;
			}
			break;
		case OPT_PROCFS:
			cfg->procfs = optarg;
			r.procfs_given = true;
			break;
		case OPT_SYSFS:
			cfg->sysfs = optarg;
			r.sysfs_given = true;
			break;
		case 'v':
			if (cfg->verbose < 3)
				cfg->verbose++;
			break;
		case 'h':
			print_help();
			r.exit_ok = true;
			return r;
		case 'V':
			printf("check_conntrack %s\n", CT_VERSION);
			r.exit_ok = true;
			return r;
		case ':':
			snprintf(r.reason, sizeof(r.reason), "option '%.60s' needs a value",
				 argv[optind - 1]);
			r.errorcode = MP_UNKNOWN;
			return r;
		case '?':
		default:
			if (c >= OPT_WATCHED && c < OPT_WATCHED + 2 * (int)ct_watched_n) {
				if (parse_watched(c - OPT_WATCHED, optarg, cfg, &r) < 0)
					return r;
				break;
			}
			if (optopt && optopt < 256)
				snprintf(r.reason, sizeof(r.reason),
					 "unknown option '-%c' (see --help)", optopt);
			else
				snprintf(r.reason, sizeof(r.reason),
					 "unknown option '%.60s' (see --help)", argv[optind - 1]);
			r.errorcode = MP_UNKNOWN;
			return r;
		}
	}
	if (optind < argc) {
		snprintf(r.reason, sizeof(r.reason), "unexpected argument '%.60s' (see --help)",
			 argv[optind]);
		r.errorcode = MP_UNKNOWN;
	}
	return r;
}

int ct_options_check_roots(const struct ct_config_result *cr, char *err, size_t errlen)
{
	const struct ct_config *cfg = &cr->config;

	if ((cr->procfs_given && ct_check_root("--procfs", cfg->procfs, true, err, errlen) < 0) ||
	    (cr->root_given && ct_check_root("--root", cfg->root, false, err, errlen) < 0) ||
	    (cr->sysfs_given && ct_check_root("--sysfs", cfg->sysfs, false, err, errlen) < 0))
		return -1;
	return 0;
}
