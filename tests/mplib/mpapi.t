#!/bin/bash
# The real libmonitoringplug (monitoring-plugins 3.x): the vendored snapshot built once
# (tests/mplib/build.sh), tests/unit/test_mpapi.c built unchanged against it passes as it does
# against common/, and the plugin's sources compile and link against it. MONITORING_PLUGINS=DIR
# uses a tree already built instead. Without the snapshot or the autotools this suite skips and
# says why; under CI=true that is a failure.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"; rm -rf "$MP_STATE_PATH"' EXIT

. "$TOP/tests/mplib/lib.sh"
mplib_build "$work"

t=$TOP/build-monitoring-plugins/out/test_mpapi
tap=$("$t" 2>&1)
rc=$?
plan=$(printf '%s\n' "$tap" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
failed=$(printf '%s\n' "$tap" | grep -c '^not ok')
ok $((rc != 0 || failed != 0 || ${plan:-0} == 0)) \
	"test_mpapi against the real library: ${plan:-no} tests, $failed failed"
printf '%s\n' "$tap" | grep -A3 '^not ok' | head -n 40 | sed 's/^/# /'
# The same source against common/ (built by `make unit`) plans the same tests.
if [ -x tests/unit/test_mpapi ]; then
	ours=$(tests/unit/test_mpapi | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	is "$ours" "$plan" "test_mpapi plans as many tests against common/"
fi

# The plugin linked against the library answers as the usual build does.
PLUGIN=$MPLIB_PLUGIN
run --procfs="$FIX/trees/modern/proc"
is "$rc" 1 "the plugin built against the library: fixture modern is WARNING"
like "$first" '^CONNTRACK WARNING - 8500 of 10000 entries \(85\.0%\)' "... with the usual first line"
done_testing
