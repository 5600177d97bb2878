/*
 * Typed performance data and ranges, as libmonitoringplug 3.x names them (lib/perfdata.h): our
 * own implementation of the part a plugin of ours uses. Behaviour follows the library, including
 * where it departs from the developer guidelines (see the README's section on the library).
 */
#ifndef CT_MPAPI_PERFDATA_H
#define CT_MPAPI_PERFDATA_H

/* Built against the real library, its own header is meant: a file beside this one included it. */
#ifdef CT_MONITORING_PLUGINS
#error "common/perfdata.h in a build against the real libmonitoringplug"
#endif

#include <inttypes.h>
#include <stdbool.h>

/* Which member of a value is meant; NONE is a value never set. */
typedef enum pd_value_type {
	PD_TYPE_NONE = 0,
	PD_TYPE_INT,
	PD_TYPE_UINT,
	PD_TYPE_DOUBLE
} pd_value_type;

typedef struct {
	enum pd_value_type type;
	union {
		long long pd_int;
		unsigned long long pd_uint;
		double pd_double;
	};
} mp_perfdata_value;

#define MP_OUTSIDE false
#define MP_INSIDE true

/*
 * A range of values, each end either a value or infinite. alert_on_inside_range false (the
 * default): a value outside the range alerts; true ("@"): a value inside it alerts.
 */
typedef struct {
	mp_perfdata_value start;
	bool start_infinity;

	mp_perfdata_value end;
	bool end_infinity;

	bool alert_on_inside_range;
} mp_range;

/*
 * The library's older range type. Nothing here uses it: it is declared so that the name is taken
 * in both builds (a variable called "range" shadows it, which -Wshadow refuses against the real
 * library too).
 */
typedef struct {
	double start;
	bool start_infinity;
	double end;
	bool end_infinity;
	int alert_on;
	char *text;
} range;

/* One perfdata item: 'label'=value[uom];warn;crit;min;max. Strings stay the caller's. */
typedef struct {
	char *label;
	char *uom;
	mp_perfdata_value value;

	bool warn_present;
	mp_range warn;

	bool crit_present;
	mp_range crit;

	bool min_present;
	mp_perfdata_value min;

	bool max_present;
	mp_perfdata_value max;
} mp_perfdata;

/* The perfdata of a subcheck, in the order added. */
typedef struct pd_list_struct {
	mp_perfdata data;
	struct pd_list_struct *next;
} pd_list;

/* An item with nothing set: no label, no value, no thresholds. */
mp_perfdata perfdata_init(void);

/* A range infinite at both ends that alerts outside: never alerts until an end is set. */
mp_range mp_range_init(void);
mp_range mp_range_set_start(mp_range, mp_perfdata_value);
mp_range mp_range_set_end(mp_range, mp_perfdata_value);

typedef enum {
	MP_PARSING_SUCCESS = 0,
	MP_PARSING_SUCCES = MP_PARSING_SUCCESS,
	MP_PARSING_FAILURE,
	MP_RANGE_PARSING_FAILURE,
	MP_RANGE_PARSING_UNDERFLOW,
	MP_RANGE_PARSING_OVERFLOW,
	MP_RANGE_PARSING_INVALID_CHAR,
} mp_range_parser_error;

typedef struct mp_range_parsed {
	mp_range_parser_error error;
	mp_range range;
} mp_range_parsed;

/*
 * [@][start:]end as the library reads it. Unlike the guidelines, a range without ':' has an
 * infinite start ("10" is "~:10", not "0:10"), and the numbers are C literals (010 is 8, 0x10 is
 * 16) or else the longest decimal prefix ("10%" is 10.0). error is MP_RANGE_PARSING_FAILURE for
 * NULL, "" or "~" followed by anything but ':', MP_PARSING_FAILURE for a number that is none.
 */
mp_range_parsed mp_parse_range_string(const char *input);

#define mp_set_pd_value(P, V)                                                                      \
	_Generic((V), float                                                                        \
		 : mp_set_pd_value_float, double                                                   \
		 : mp_set_pd_value_double, int                                                     \
		 : mp_set_pd_value_int, unsigned int                                               \
		 : mp_set_pd_value_u_int, long                                                     \
		 : mp_set_pd_value_long, unsigned long                                             \
		 : mp_set_pd_value_u_long, long long                                               \
		 : mp_set_pd_value_long_long, unsigned long long                                   \
		 : mp_set_pd_value_u_long_long)(P, V)

mp_perfdata mp_set_pd_value_float(mp_perfdata, float);
mp_perfdata mp_set_pd_value_double(mp_perfdata, double);
mp_perfdata mp_set_pd_value_int(mp_perfdata, int);
mp_perfdata mp_set_pd_value_u_int(mp_perfdata, unsigned int);
mp_perfdata mp_set_pd_value_long(mp_perfdata, long);
mp_perfdata mp_set_pd_value_u_long(mp_perfdata, unsigned long);
mp_perfdata mp_set_pd_value_long_long(mp_perfdata, long long);
mp_perfdata mp_set_pd_value_u_long_long(mp_perfdata, unsigned long long);

/* Signed types become INT, unsigned ones UINT, float and double DOUBLE. */
#define mp_create_pd_value(V)                                                                      \
	_Generic((V), float                                                                        \
		 : mp_create_pd_value_float, double                                                \
		 : mp_create_pd_value_double, char                                                 \
		 : mp_create_pd_value_char, unsigned char                                          \
		 : mp_create_pd_value_u_char, int                                                  \
		 : mp_create_pd_value_int, unsigned int                                            \
		 : mp_create_pd_value_u_int, long                                                  \
		 : mp_create_pd_value_long, unsigned long                                          \
		 : mp_create_pd_value_u_long, long long                                            \
		 : mp_create_pd_value_long_long, unsigned long long                                \
		 : mp_create_pd_value_u_long_long)(V)

mp_perfdata_value mp_create_pd_value_float(float);
mp_perfdata_value mp_create_pd_value_double(double);
mp_perfdata_value mp_create_pd_value_char(char);
mp_perfdata_value mp_create_pd_value_u_char(unsigned char);
mp_perfdata_value mp_create_pd_value_int(int);
mp_perfdata_value mp_create_pd_value_u_int(unsigned int);
mp_perfdata_value mp_create_pd_value_long(long);
mp_perfdata_value mp_create_pd_value_u_long(unsigned long);
mp_perfdata_value mp_create_pd_value_long_long(long long);
mp_perfdata_value mp_create_pd_value_u_long_long(unsigned long long);

mp_perfdata mp_set_pd_max_value(mp_perfdata perfdata, mp_perfdata_value value);
mp_perfdata mp_set_pd_min_value(mp_perfdata perfdata, mp_perfdata_value value);

/* The value as a double (a uint64 above 2^53 loses its low bits). */
double mp_get_pd_value(mp_perfdata_value value);

/* -1, 0 or 1 as a is below, equal to or above b, across types. */
int cmp_perfdata_value(mp_perfdata_value, mp_perfdata_value);

/*
 * Text, each in new memory the caller frees. Integers in full; a double as printf's "%f"
 * (6 decimals, in the current LC_NUMERIC: keep the C locale). A perfdata item always quotes its
 * label and keeps the empty threshold fields: 'label'=5;;; (min and max left out when unset).
 */
char *pd_value_to_string(mp_perfdata_value);
char *pd_to_string(mp_perfdata);
char *pd_list_to_string(pd_list);
/* A start of 0 is left out ("0:10" prints as "10"), an infinite one prints "~:". */
char *mp_range_to_string(mp_range);

#endif
