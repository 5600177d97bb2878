#!/bin/bash
# The plugin built against the real libmonitoringplug passes the command-line and fixture suites
# as the usual build does, and prints what the usual build prints, in every format: classic,
# multi-line, mp-test-json and prometheus, over every fixture tree. Skips as tests/mplib/mpapi.t
# does.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"; rm -rf "$MP_STATE_PATH"' EXIT

. "$TOP/tests/mplib/lib.sh"
mplib_build "$work"
ours=$TOP/plugins/check_conntrack
[ -x "$ours" ] || make -s -C "$TOP" plugins/check_conntrack

# Each suite whole, on the library's build: its own verdict, and as many tests as it plans.
for suite in tests/cli/*.t tests/fixtures/*.t; do
	tap=$(PLUGIN=$MPLIB_PLUGIN bash "$suite" 2>&1)
	rc=$?
	plan=$(printf '%s\n' "$tap" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | tail -n 1)
	passed=$(printf '%s\n' "$tap" | grep -c '^ok ')
	ok $((rc != 0 || ${plan:-0} == 0 || passed != plan)) \
		"$suite on the library's build: $passed of ${plan:-no} tests pass"
	printf '%s\n' "$tap" | grep -A3 '^not ok' | head -n 20 | sed 's/^/# /'
done

# both ARGS...: the two builds, each with a fresh state directory of the same name, twice (a
# baseline, then a comparison): the same output and exit code each time.
both() {
	local st=$work/state diffs="" o w
	for pass in 1 2; do
		[ -d "$work/ours" ] && mv "$work/ours" "$st"
		o=$(MP_STATE_PATH=$st "$ours" "$@" 2>&1; echo "exit $?")
		mv "$st" "$work/ours" 2>/dev/null
		[ -d "$work/lib" ] && mv "$work/lib" "$st"
		w=$(MP_STATE_PATH=$st "$MPLIB_PLUGIN" "$@" 2>&1; echo "exit $?")
		mv "$st" "$work/lib" 2>/dev/null
		# The time between two runs may differ by a second.
		o=$(printf '%s' "$o" | sed -E 's/\(([0-9]+) s ago/(N s ago/; s/^(check_conntrack_since_last_check_seconds[{][^}]*[}]) .*/\1 N/')
		w=$(printf '%s' "$w" | sed -E 's/\(([0-9]+) s ago/(N s ago/; s/^(check_conntrack_since_last_check_seconds[{][^}]*[}]) .*/\1 N/')
		[ "$o" = "$w" ] || diffs="$diffs $pass"
		[ "$o" = "$w" ] || diff <(printf '%s\n' "$o") <(printf '%s\n' "$w") | head -n 10 |
			sed 's/^/# /'
	done
	rm -rf "$work/ours" "$work/lib"
	is "$diffs" "" "both builds alike: $(printf '%s ' "$@" | sed "s|$FIX/trees/||g")"
}

for t in "$FIX"/trees/*/; do
	t=${t%/}
	args=(--procfs="$t/proc")
	[ -d "$t/proc" ] || args=(--procfs="$FIX/trees/modern/proc")
	[ -d "$t/sys" ] && args+=(--sysfs="$t/sys")
	[ -d "$t/etc" ] && args+=(--root="$t")
	for f in "" --output-format=multi-line --output-format=mp-test-json --output-format=prometheus; do
		both "${args[@]}" -v $f
	done
done
both --procfs="$FIX/trees/modern/proc" -w 8500 -c 9000 --output-format=mp-test-json
both --procfs="$FIX/trees/modern/proc" -w @8000:9000 -c ~:8499 --output-format=multi-line
both --procfs="$FIX/trees/modern/proc" -w 10: -c 5: --output-format=mp-test-json
# The expectation table's thresholds (a percentage as a count) and time-to-full ranges open at
# the end, in perfdata and JSON.
both --procfs="$FIX/trees/modern/proc" --expect-warning=10% --expect-critical=30 \
	--time-to-full-warning=1800: --output-format=mp-test-json
both --procfs="$FIX/trees/centos5/proc" --expect-warning=0 --output-format=multi-line
both --procfs="$FIX/trees/limit0/proc" -w 50% -c 100 --persistence=critical --output-format=multi-line
done_testing
