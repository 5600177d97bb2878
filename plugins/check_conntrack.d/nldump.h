/* A bounded ctnetlink dump: one request, one receive loop, ended by the caller's cap or a deadline.
 */
#ifndef CT_NLDUMP_H
#define CT_NLDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libmnl/libmnl.h>

/* How a dump ended. Anything but CT_DUMP_DONE leaves the kernel mid-dump: the socket is closed. */
enum ct_dump_end {
	CT_DUMP_DONE, /* NLMSG_DONE: every message was read; the socket serves the next request */
	CT_DUMP_STOPPED, /* the message callback asked to stop (its cap was reached) */
	CT_DUMP_DEADLINE, /* the deadline passed first */
};

/*
 * One dump. The caller fills type (the request's nlmsg_type), family, deadline and cb/data; the
 * runner fills the rest. cb sees each data message whose type is one of want_type[] with
 * nfgenmsg present; it returns MNL_CB_OK, MNL_CB_STOP (enough), or MNL_CB_ERROR after
 * ct_dump_fail.
 */
struct ct_dump {
	uint16_t type;
	uint8_t family;
	uint16_t want_type[2]; /* reply types accepted (0: unused) */
	const struct timespec *deadline; /* CLOCK_MONOTONIC; NULL: none */
	int (*cb)(const struct nlmsghdr *nlh, struct ct_dump *d);
	void *data;
	/* Filled by the runner. */
	size_t messages; /* data messages handed to cb */
	size_t datagrams; /* datagrams received */
	bool interrupted; /* NLM_F_DUMP_INTR: the table changed under the dump */
	bool stopped;
	char *err;
	size_t errlen;
	bool failed;
	int error; /* the errno of the first failure */
};

/* For callbacks: record a one-line reason ("ctnetlink: " before it) and errno e; MNL_CB_ERROR. */
int ct_dump_fail(struct ct_dump *d, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Send d's dump request on *nl and read the answer until NLMSG_DONE, the callback's stop or the
 * deadline. Returns an enum ct_dump_end, or -errno with a one-line reason in err. On anything but
 * CT_DUMP_DONE the socket is closed and *nl set to NULL (the kernel would go on sending the rest of
 * the dump on it): open a fresh one for the next request.
 */
int ct_dump_run(struct mnl_socket **nl, struct ct_dump *d, char *err, size_t errlen);

/*
 * The parser behind it, for unit tests and fuzzing on recorded bytes: buf holds one or more
 * netlink messages as received (seq and portid 0: not checked). Returns 0 (more to come), 1
 * (NLMSG_DONE), 2 (the callback stopped), or -errno with a reason.
 */
int ct_dump_parse(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		  struct ct_dump *d);

/*
 * How each attribute that is read must look, per nesting level: a libmnl type, or an exact payload
 * length for binary data (type MNL_TYPE_BINARY). Attributes not listed are not read, so not judged.
 */
struct ct_attr_rule {
	enum mnl_attr_data_type type;
	uint16_t len;
};
struct ct_attr_level {
	const char *name; /* for the reason: "entry", "tuple"... */
	int max;
	const struct ct_attr_rule *rule; /* max + 1 rows */
};

/*
 * Validate a message's attributes (after its nfgenmsg) or a nested attribute's against the level's
 * rules into tb[0..max] (zeroed by the caller): a bad length, an attribute given twice or a walk
 * that stops short of the end fails with a reason. MNL_CB_OK or MNL_CB_ERROR.
 */
int ct_dump_attrs(const struct nlmsghdr *nlh, const struct ct_attr_level *lvl,
		  const struct nlattr **tb, struct ct_dump *d);
int ct_dump_nested(const struct nlattr *nest, const struct ct_attr_level *lvl,
		   const struct nlattr **tb, struct ct_dump *d);

/* Milliseconds from now until the deadline (0 when past), -1 for none. */
int ct_dump_ms_left(const struct timespec *deadline);

#endif
