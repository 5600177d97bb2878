#!/bin/bash
# Static analysis with the checked-in configurations: cppcheck, clang-tidy (.clang-tidy) and
# clang-format --dry-run (.clang-format). Zero findings each.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
src=$(ls common/*.c plugins/*.c plugins/check_conntrack.d/*.c)
cflags="-std=c11 -D_GNU_SOURCE -Icommon -Iplugins/check_conntrack.d -DCT_VERSION='\"x\"' $(pkg-config --cflags libmnl)"

for tool in cppcheck clang-tidy clang-format; do
	if ! command -v $tool >/dev/null; then
		ok 1 "$tool is installed (tests/install-deps installs it)"
		continue
	fi
done

if command -v cppcheck >/dev/null; then
	# shellcheck disable=SC2086
	out=$(cppcheck --quiet --enable=warning,portability,performance --std=c11 --inline-suppr \
		--suppressions-list=tests/hardening/cppcheck.supp --error-exitcode=1 \
		-D_GNU_SOURCE -Icommon -Iplugins/check_conntrack.d $src 2>&1)
	ok $? "cppcheck: no findings"
	[ -n "$out" ] && printf '%s\n' "$out" | head -20 | sed 's/^/# /'
fi

if command -v clang-tidy >/dev/null; then
	# Two at a time: the machine has two cores.
	# shellcheck disable=SC2086
	out=$(printf '%s\n' $src | xargs -P2 -n4 sh -c 'clang-tidy -quiet "$@" -- '"$cflags"' 2>&1 ||
		echo "clang-tidy failed on $*"' sh | grep -E 'error:|warning:|failed on')
	is "$out" "" "clang-tidy (.clang-tidy): no findings"
fi

if command -v clang-format >/dev/null; then
	out=$(clang-format --dry-run -Werror plugins/*.c plugins/check_conntrack.d/*.[ch] common/*.[ch] \
		tests/unit/*.[ch] 2>&1 | grep -E '^[^ ]+:[0-9]+:[0-9]+: error' | cut -d: -f1 | sort -u)
	is "$out" "" "clang-format --dry-run -Werror (.clang-format): every file formatted"
fi
done_testing
