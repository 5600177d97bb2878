/*
 * A check as a tree of subchecks, its state and its output formats, as libmonitoringplug 3.x
 * names them (lib/output.h): our own implementation of the part a plugin of ours uses. The
 * formats print byte for byte what the library prints for the same tree.
 */
#ifndef CT_MPAPI_OUTPUT_H
#define CT_MPAPI_OUTPUT_H

/* Built against the real library, its own header is meant: a file beside this one included it. */
#ifdef CT_MONITORING_PLUGINS
#error "common/output.h in a build against the real libmonitoringplug"
#endif

#include "perfdata.h"
#include "states.h"

/*
 * One part of a check: its state, one text for humans, its perfdata and its own subchecks.
 * Adding copies the struct: build a subcheck completely (children, perfdata) before adding it to
 * its parent. Text and labels stay the caller's and must outlive the check.
 */
typedef struct mp_subcheck mp_subcheck;
struct mp_subcheck {
	mp_state_enum state; /* used when state_set_explicitly */
	mp_state_enum default_state; /* used when neither set nor derived from subchecks */
	bool state_set_explicitly;

	char *output;
	pd_list *perfdata;
	struct subcheck_list *subchecks;

	/* Computes the state instead of the rules above when set. */
	mp_state_enum (*evaluation_function)(mp_subcheck);

	/*
	 * This implementation's own, not the interface's (nothing outside mp_check.c uses it):
	 * a node of subchecks at or before its end, where the next child is looked for from, so
	 * that adding n children costs n, not n^2 / 2 (2,500 rule lines under -v). A copy of the
	 * struct may hold an older one: still a node of the same list, the walk goes on from it.
	 */
	struct subcheck_list *last_;
};

typedef struct subcheck_list {
	mp_subcheck subcheck;
	struct subcheck_list *next;
} mp_subcheck_list;

typedef enum output_format {
	MP_FORMAT_MULTI_LINE,
	MP_FORMAT_TEST_JSON,
} mp_output_format;

#define MP_FORMAT_DEFAULT MP_FORMAT_MULTI_LINE

/* The format mp_fmt_output, mp_print_output and mp_exit use; one per process. */
void mp_set_format(mp_output_format format);
mp_output_format mp_get_format(void);

/*
 * The root of the tree. Its state is the worst of its subchecks' (max_state_alt), computed.
 * summary: the text after "[STATE] - ", derived from the subchecks when NULL. ok_summary: the
 * summary when every subcheck is OK. default_output_override: when set, the multi-line format is
 * whatever it returns for default_output_override_content (new memory, which the printing frees);
 * mp-test-json ignores it.
 */
typedef struct mp_check mp_check;
struct mp_check {
	char *summary;
	char *ok_summary;
	mp_subcheck_list *subchecks;

	mp_state_enum (*evaluation_function)(mp_check);

	char *(*default_output_override)(void *);
	void *default_output_override_content;
};

mp_check mp_check_init(void);
/* No state yet: UNKNOWN until one is set or derived from subchecks. */
mp_subcheck mp_subcheck_init(void);

mp_subcheck mp_set_subcheck_state(mp_subcheck, mp_state_enum);
mp_subcheck mp_set_subcheck_default_state(mp_subcheck, mp_state_enum);

/*
 * The library puts a subcheck added to the check first (the output lists them newest first) and
 * one added to a subcheck last. A subcheck needs its output text. Both return 0.
 */
int mp_add_subcheck_to_check(mp_check check[static 1], mp_subcheck);
int mp_add_subcheck_to_subcheck(mp_subcheck check[static 1], mp_subcheck);

void mp_add_perfdata_to_subcheck(mp_subcheck check[static 1], mp_perfdata);

/* The first line's text instead of the derived one (copied). */
void mp_set_summary(mp_check check[static 1], char *summary);

mp_state_enum mp_compute_check_state(mp_check);
mp_state_enum mp_compute_subcheck_state(mp_subcheck);

typedef struct {
	bool parsing_success;
	mp_output_format output_format;
} parsed_output_format;
/* "multi-line" or "mp-test-json", in any case. */
parsed_output_format mp_parse_output_format(char *format_string);

/* The whole output in the current format, without the final newline; new memory. */
char *mp_fmt_output(mp_check);

/* Prints it with a newline. */
void mp_print_output(mp_check);

/*
 * Prints the output and exits: with the check's state, or 0 in mp-test-json. Ours frees the
 * memory it allocated for the tree first (the caller's strings stay the caller's).
 */
void mp_exit(mp_check) __attribute__((noreturn));

#endif
