/* Fuzzes the extra-opts ini parser, mp_ini_section, on the plugin's section and a short one. */
#include "fuzz.h"
#include "mp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	static const char *const sections[] = {"check_conntrack", "x"};
	char err[256];

	for (int s = 0; s < 2; s++) {
		char **args = NULL;
		int nargs = 0;
		bool found = false;
		int rc = mp_ini_section(text, size, sections[s], &args, &nargs, &found, err,
					sizeof(err));

		fuzz_check_err(rc, err, sizeof(err));
		for (int i = 0; i < nargs; i++) {
			if (!args[i] || args[i][0] != '-')
				__builtin_trap();
			free(args[i]);
		}
		free(args);
	}
	free(text);
	return 0;
}
