/*
 * The check tree of the libmonitoringplug 3.x interface: building it, its states, printing it
 * and the exit. The text of each output format is mp_format.c's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpapi.h"
#include "output.h"

/* The summary mp_set_summary copied, which mp_exit may free (a summary set directly may not). */
static char *owned_summary;

void mpapi_die(const char *why)
{
	printf("UNKNOWN - %s\n", why);
	fflush(stdout);
	exit(STATE_UNKNOWN);
}

void mpapi_text_open(struct mpapi_text *t)
{
	t->s = NULL;
	t->len = 0;
	t->f = open_memstream(&t->s, &t->len);
	if (!t->f)
		mpapi_die("out of memory");
}

char *mpapi_text_close(struct mpapi_text *t)
{
	bool failed = ferror(t->f) != 0;

	if (fclose(t->f) != 0 || failed || !t->s) {
		free(t->s);
		mpapi_die("out of memory");
	}
	return t->s;
}

mp_check mp_check_init(void)
{
	mp_check check = {0};

	return check;
}

mp_subcheck mp_subcheck_init(void)
{
	mp_subcheck sc = {.default_state = STATE_UNKNOWN};

	return sc;
}

mp_subcheck mp_set_subcheck_state(mp_subcheck sc, mp_state_enum state)
{
	sc.state = state;
	sc.state_set_explicitly = true;
	return sc;
}

mp_subcheck mp_set_subcheck_default_state(mp_subcheck sc, mp_state_enum state)
{
	sc.default_state = state;
	return sc;
}

static mp_subcheck_list *new_node(mp_subcheck sc)
{
	mp_subcheck_list *node;

	/* The library refuses this too (an assertion or an UNKNOWN exit): every part says
	 * something. */
	if (!sc.output)
		mpapi_die("a subcheck without output text");
	node = calloc(1, sizeof(*node));
	if (!node)
		mpapi_die("out of memory");
	node->subcheck = sc;
	return node;
}

int mp_add_subcheck_to_check(mp_check check[static 1], mp_subcheck sc)
{
	mp_subcheck_list *node = new_node(sc);

	node->next = check->subchecks;
	check->subchecks = node;
	return 0;
}

int mp_add_subcheck_to_subcheck(mp_subcheck parent[static 1], mp_subcheck sc)
{
	mp_subcheck_list *node = new_node(sc), *end;

	if (!parent->subchecks) {
		parent->subchecks = node;
	} else {
		end = parent->last_ ? parent->last_ : parent->subchecks;
		while (end->next)
			end = end->next;
		end->next = node;
	}
	parent->last_ = node;
	return 0;
}

void mp_add_perfdata_to_subcheck(mp_subcheck sc[static 1], mp_perfdata pd)
{
	pd_list *node = calloc(1, sizeof(*node)), **tail = &sc->perfdata;

	if (!node)
		mpapi_die("out of memory");
	node->data = pd;
	while (*tail)
		tail = &(*tail)->next;
	*tail = node;
}

void mp_set_summary(mp_check check[static 1], char *summary)
{
	char *copy = strdup(summary);

	if (!copy)
		mpapi_die("out of memory");
	check->summary = copy;
	owned_summary = copy;
}

mp_state_enum mp_compute_subcheck_state(mp_subcheck sc)
{
	mp_state_enum state = STATE_OK;

	if (sc.evaluation_function)
		return sc.evaluation_function(sc);
	if (sc.state_set_explicitly)
		return sc.state;
	if (!sc.subchecks)
		return sc.default_state;
	for (const mp_subcheck_list *l = sc.subchecks; l; l = l->next)
		state = max_state_alt(state, mp_compute_subcheck_state(l->subcheck));
	return state;
}

/*
 * The worst of the top-level subchecks. A check with none checked nothing: UNKNOWN (the library
 * stops on an assertion there).
 */
mp_state_enum mp_compute_check_state(mp_check check)
{
	mp_state_enum state = STATE_OK;

	if (check.evaluation_function)
		return check.evaluation_function(check);
	if (!check.subchecks)
		return STATE_UNKNOWN;
	for (const mp_subcheck_list *l = check.subchecks; l; l = l->next)
		state = max_state_alt(state, mp_compute_subcheck_state(l->subcheck));
	return state;
}

void mp_print_output(mp_check check)
{
	char *text = mp_fmt_output(check);

	puts(text);
	free(text);
}

/* Every block the tree holds, once: a subcheck added twice shares its lists between copies. */
struct blocks {
	void **v;
	size_t n, cap;
};

static void blocks_add(struct blocks *b, void *p)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		void **v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return; /* exiting anyway: what is not listed is simply not freed */
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = p;
}

static void blocks_collect(struct blocks *b, mp_subcheck_list *l)
{
	for (; l; l = l->next) {
		blocks_add(b, l);
		for (pd_list *pd = l->subcheck.perfdata; pd; pd = pd->next)
			blocks_add(b, pd);
		blocks_collect(b, l->subcheck.subchecks);
	}
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* What this implementation allocated for the tree; the caller's strings are the caller's. */
static void free_tree(mp_check *check)
{
	struct blocks b = {0};

	blocks_collect(&b, check->subchecks);
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), cmp_ptr);
	for (size_t i = 0; i < b.n; i++) {
		if (i == 0 || b.v[i] != b.v[i - 1])
			free(b.v[i]);
	}
	free(b.v);
	if (check->summary && check->summary == owned_summary) {
		free(owned_summary);
		owned_summary = NULL;
	}
	check->subchecks = NULL;
	check->summary = NULL;
}

void mp_exit(mp_check check)
{
	int code = mp_get_format() == MP_FORMAT_TEST_JSON ? 0 : (int)mp_compute_check_state(check);

	mp_print_output(check);
	free_tree(&check);
	exit(code);
}
