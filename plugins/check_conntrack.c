/* check_conntrack: a Monitoring Plugins check of the Linux connection-tracking table. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "boot_collect.h"
#include "collect.h"
#include "evaluate.h"
#include "options.h"
#include "persistence.h"
#include "render.h"
#include "render_prometheus.h"
#include "retention.h"
#include "statedir.h"

int main(int argc, char **argv)
{
	struct mp_argv args;
	struct ct_config_result cr;
	struct ct_snapshot snap = {0};
	struct ct_verdict verdict;
	char err[320], *text;
	int state;
	static char outbuf[8192];

	mp_stdio_init(CT_SERVICE);
	/* Output is written at the end, in one go: a buffer of our own spares stdio asking what
	 * stdout is (fstat, isatty) on every run. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	/* The whole run is timed, the ini file too: by the default until -t is known. */
	mp_timeout_arm(CT_SERVICE, 10);
	if (mp_extra_opts(argc, argv, CT_PLUGIN, &args, err, sizeof(err)) < 0)
		mp_die(CT_SERVICE, "%s", err);
	cr = ct_options_parse(args.argc, args.argv, args.nowned);
	if (cr.exit_ok || cr.errorcode) {
		mp_argv_free(&args);
		if (cr.exit_ok)
			return mp_exit_state(MP_OK);
		mp_die(CT_SERVICE, "%s", cr.reason);
	}
	mp_timeout_arm(CT_SERVICE, cr.config.timeout);
	if (ct_options_check_roots(&cr, err, sizeof(err)) < 0) {
		mp_argv_free(&args);
		mp_die(CT_SERVICE, "%s", err);
	}

	snap.trace.verbose = cr.config.verbose;
	/* Counters are read, compared and saved under one lock: overlapping runs count once. */
	ct_statedir_open(&cr.config, &snap.store, &snap.trace);
	if (ct_collect(&cr.config, &snap) < 0)
		mp_die(CT_SERVICE, "out of memory");
	ct_retain(&cr.config, &snap, time(NULL));
	ct_statedir_close(&snap.store);
	/* What a reboot brings back, and what an entry costs: read only when shown. */
	ct_collect_boot(&cr.config, &snap);
	ct_collect_entry_size(&cr.config, &snap);
	verdict = ct_evaluate(&cr.config, &snap);

	/* The classic format unless another was asked for. */
	if (cr.config.prometheus) {
		verdict.check.default_output_override = ct_render_prometheus;
		verdict.check.default_output_override_content = &verdict;
	} else if (cr.config.output_format_set) {
		mp_set_format(cr.config.output_format);
	} else {
		verdict.check.default_output_override = ct_render_classic;
		verdict.check.default_output_override_content = &verdict;
	}
	/* Still timed: a stdout nobody reads must not hold the run. */
	text = mp_fmt_output(verdict.check);
	fputs(text, stdout);
	putchar('\n');
	free(text);
	/*
	 * mp-test-json exits 0 whatever the state, as the library's mp_exit does; so do the
	 * metrics, whose state is a sample: the file they are written to must be replaced all the
	 * same.
	 */
	state = mp_exit_state(mp_get_format() == MP_FORMAT_TEST_JSON || cr.config.prometheus
				      ? STATE_OK
				      : (int)mp_compute_check_state(verdict.check));
	mp_timeout_disarm();
	ct_verdict_free(&verdict);
	ct_snapshot_free(&snap);
	mp_argv_free(&args);
	return state;
}
