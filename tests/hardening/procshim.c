/*
 * LD_PRELOAD shim for tests/hardening/faults.t, for what a test cannot time from outside:
 * CT_PROCSHIM_SIGNAL=N raises signal N inside renameat, the moment a state file is replaced (its
 * temporary copy written, not yet renamed); CT_PROCSHIM_REALLOCS=FILE counts the plugin's realloc
 * calls and writes the count to FILE at exit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long reallocs;

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	int (*real)(int, const char *, int, const char *) =
		(int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	const char *sig = getenv("CT_PROCSHIM_SIGNAL");

	if (sig)
		raise(atoi(sig));
	return real(olddirfd, oldpath, newdirfd, newpath);
}

void *realloc(void *p, size_t size)
{
	static void *(*real)(void *, size_t);

	if (!real)
		real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	reallocs++;
	return real(p, size);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("CT_PROCSHIM_REALLOCS");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "%lu\n", reallocs);
	fclose(f);
}
