#!/usr/bin/env bash
# --output-format=prometheus: metrics in the text exposition format 0.0.4, read by Prometheus' own
# checker (promtool check metrics) for every fixture tree; the values of a known tree; a baseline of
# its own, apart from the check's; exit 0 whatever the state. --output-limit's values.
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v promtool >/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - promtool is missing (tests/install-deps installs the prometheus package)"
		exit 1
	fi
	echo "1..0 # SKIP promtool is missing (Debian package prometheus)"
	exit 0
fi

# tree_args TREE: the options that read a fixture tree whole.
tree_args() {
	local t=$1
	args=(--procfs="$t/proc")
	[ -d "$t/sys" ] && args+=(--sysfs="$t/sys")
	[ -d "$t/etc" ] || [ -d "$t/usr" ] || [ -d "$t/lib" ] || [ -d "$t/run" ] && args+=(--root="$t")
}

checked=0
bad=""
for t in "$FIX"/trees/*; do
	[ -d "$t/proc" ] || continue
	tree_args "$t"
	for pass in 1 2; do
		run "${args[@]}" --output-format=prometheus
		# A tree that is no proc tree on its own (holders-*): one line, exit 3, no metrics.
		if [ "$rc" -eq 3 ] && [ "$out" = "$first" ] && [[ $first == "CONNTRACK UNKNOWN - "* ]]; then
			continue
		fi
		lint=$(printf '%s\n' "$out" | promtool check metrics 2>&1)
		if [ $? -ne 0 ] || [ -n "$lint" ] || [ "$rc" -ne 0 ]; then
			bad="$bad ${t##*/}(pass $pass, exit $rc: ${lint:0:200})"
		fi
		checked=$((checked + 1))
	done
done
is "${bad:-none}" "none" "promtool check metrics: no error and no lint on any of $checked outputs (every tree, a baseline run and a comparing one)"

M="--procfs=$FIX/trees/modern/proc"
# A state directory of these checks' own, then the suite's again (done_testing removes that one).
suite_state=$MP_STATE_PATH
export MP_STATE_PATH=$(mktemp -d)
run $M
is "$rc" 1 "the check on the modern tree: WARNING (85%)"
run $M --output-format=prometheus
is "$rc" 0 "metrics: exit 0 although the check is WARNING (the state is a sample)"
value() { # METRIC{LABELS}: its value in $out
	printf '%s\n' "$out" | awk -v m="$1" '$1 == m { print $2 }'
}
is "$(value check_conntrack_state)" 1 "check_conntrack_state 1 (WARNING)"
is "$(value 'check_conntrack_netns_state{netns="own"}')" 1 \
	"a namespace not known to be the host's (a proc tree) is \"own\", never \"host\""
is "$(value 'check_conntrack_entries{netns="own"}')" 8500 "entries"
is "$(value 'check_conntrack_entries_max{netns="own"}')" 10000 "entries_max: the limit"
is "$(value 'check_conntrack_utilization_ratio{netns="own"}')" 0.85 "utilization as a ratio"
is "$(value 'check_conntrack_buckets{netns="own"}')" 2500 "buckets"
is "$(value 'check_conntrack_drop_total{netns="own"}')" 2560 "drop: the kernel's counter as a counter"
is "$(value 'check_conntrack_part_state{netns="own",part="entries"}')" 1 \
	"the utilization part's state: WARNING"
like "$out" $'\n''# TYPE check_conntrack_drop_total counter'$'\n' "counters are TYPE counter"
like "$out" $'\n''# TYPE check_conntrack_entries gauge'$'\n' "entries is a gauge"
unlike "$out" "drop_since_last_check" \
	"the metrics' first run: no rise yet, although the check ran before (a baseline of its own)"
is "$(find "$MP_STATE_PATH" -name 'opts-*.lock' | wc -l)" 2 \
	"two check definitions: the check's and the metrics' (each its own lock and baseline)"
run $M --output-format=prometheus
is "$(value 'check_conntrack_drop_since_last_check{netns="own"}')" 0 "second run: the rise since the last check"
like "$(value 'check_conntrack_since_last_check_seconds{netns="own"}')" '^[0-9]+(\.[0-9]+)?$' \
	"second run: seconds since the last check"
is "$(printf '%s\n' "$out" | grep -c '^check_conntrack_rules_read{netns="own",backend=".*"} 0$')" 3 \
	"rules not read (--procfs): each backend says 0"
unlike "$out" "check_conntrack_state_rules" "rules not read: no count claimed"
like "$out" '^# HELP check_conntrack_state ' "HELP lines"
rm -rf "$MP_STATE_PATH"
export MP_STATE_PATH=$suite_state

run $M --output-format=PROMETHEUS
is "$rc" 0 "the format's name in any case"
for bad_limit in abc 100 -1 99999999999 ""; do
	run $M --output-limit="$bad_limit"
	is "$rc" 3 "--output-limit='$bad_limit': UNKNOWN"
	like "$first" "^CONNTRACK UNKNOWN - invalid --output-limit" "--output-limit='$bad_limit': says why"
done
run $M --output-limit=0
is "$rc" 1 "--output-limit=0 (no bound): taken"
run $M --output-limit=256
is "$rc" 1 "--output-limit=256: taken"
is "$out" "$first"$'\n'"(output cut at 256 bytes by --output-limit)" \
	"--output-limit=256, a longer first line: the first line whole, the rest cut and said so"
run $M --output-limit=600
ok $((!(${#out} + 1 <= 600))) "--output-limit=600: within it (${#out} bytes and a newline)"
like "$out" $'\n'"\(output cut at 600 bytes by --output-limit\)"'$' "... said at the end"
done_testing
