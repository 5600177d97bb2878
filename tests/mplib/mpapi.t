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

cannot() { # cannot REASON
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - the real library cannot be built in CI: $1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

dir=${MONITORING_PLUGINS:-}
if [ -z "$dir" ]; then
	start=$(date +%s)
	dir=$(tests/mplib/build.sh "$TOP/build-monitoring-plugins/src" 2>"$work/err")
	rc=$?
	case $rc in
	2 | 3) cannot "$(head -n 1 "$work/err")" ;;
	esac
	ok $rc "the snapshot's libmonitoringplug is built ($(($(date +%s) - start)) s)"
	if [ $rc -ne 0 ]; then
		sed 's/^/# /' "$work/err"
		done_testing
		exit 1
	fi
fi

out=$(make -s -C "$TOP" MONITORING_PLUGINS="$dir" mplib-unit mplib-plugin 2>&1)
ok $? "test_mpapi and the plugin build against $dir/lib/libmonitoringplug.a"
[ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'

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
PLUGIN=$TOP/build-monitoring-plugins/out/check_conntrack
run --procfs="$FIX/trees/modern/proc"
is "$rc" 1 "the plugin built against the library: fixture modern is WARNING"
like "$first" '^CONNTRACK WARNING - 8500 of 10000 entries \(85\.0%\)' "... with the usual first line"
done_testing
