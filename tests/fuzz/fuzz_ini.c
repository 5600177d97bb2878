/* Fuzzes the extra-opts ini parser, mp_ini_section, on the plugin's section and a short one. */
#include <ctype.h>

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
		/* Each an option of its own: never "--" (the end of the options) nor "---x". */
		if (nargs && args[nargs])
			__builtin_trap();
		for (int i = 0; i < nargs; i++) {
			if (!args[i] || args[i][0] != '-' || args[i][1] == '\0' ||
			    (args[i][1] == '-' && !isalnum((unsigned char)args[i][2])))
				__builtin_trap();
			free(args[i]);
		}
		free(args);
	}
	free(text);
	return 0;
}
