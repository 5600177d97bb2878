/* Fuzzes the boot configuration parsers (boot.c): iptables-config, modules-load.d, modprobe.d,
 * iptables-save and nft rulesets; the first byte picks one. Then the phrases over the result. */
#include "boot.h"
#include "fuzz.h"

static void check(const struct ct_boot *b)
{
	char buf[4096];

	if (b->n > CT_BOOT_ITEMS)
		__builtin_trap();
	for (size_t i = 0; i < b->n; i++) {
		const struct ct_boot_item *it = &b->item[i];

		if (strnlen(it->what, sizeof(it->what)) == sizeof(it->what) ||
		    strnlen(it->file, sizeof(it->file)) == sizeof(it->file))
			__builtin_trap();
		(void)ct_boot_advice(it, buf, sizeof(buf));
	}
	(void)ct_boot_lines(b, 0, 1024, buf, sizeof(buf));
	(void)ct_boot_summary(b, 0, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_boot_includes inc = {.n = 0};
	struct ct_boot b;
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_memdup(data + 1, size - 1);
	memset(&b, 0, sizeof(b));
	switch (data[0] % 5) {
	case 0:
		ct_boot_parse_config(text, size - 1, "/etc/sysconfig/iptables-config",
				     "IPTABLES_MODULES", &b);
		break;
	case 1:
		ct_boot_parse_modules(text, size - 1, "/etc/modules", &b);
		break;
	case 2:
		ct_boot_parse_modprobe(text, size - 1, "/etc/modprobe.d/x.conf", &b);
		break;
	case 3:
		ct_boot_parse_ruleset(text, size - 1, "/etc/sysconfig/iptables",
				      CT_BOOT_IPTABLES_SAVE, &b, NULL);
		break;
	default:
		ct_boot_parse_ruleset(text, size - 1, "/etc/nftables.conf", CT_BOOT_NFT, &b, &inc);
		if (inc.n > sizeof(inc.path) / sizeof(inc.path[0]))
			__builtin_trap();
		for (size_t i = 0; i < inc.n; i++)
			if (strnlen(inc.path[i], sizeof(inc.path[i])) == sizeof(inc.path[i]))
				__builtin_trap();
	}
	check(&b);
	free(text);
	return 0;
}
