#!/usr/bin/env bash
# PENDING, NOT RUN BY make check (it is not a .t): the end-to-end forecast test, for when the
# plugin keeps the forecast ring (issue 14 item 1). It expects the wiring described in
# plugins/check_conntrack.d/forecast.h:
#   - the retention step loads the ring from the namespace's state file (ct_fc_ring_load; an
#     empty ring after a reboot, as the counters' baseline), pushes this run's sample
#     (ct_fc_push with time(NULL), entries, max) and saves it with the counters
#     (ct_fc_ring_save into the fresh state);
#   - the verdict has a "forecast:" long-output line (ct_forecast_line), the summary fragment
#     (ct_forecast_summary) and the perfdata time_to_full=Ns (ct_forecast_time_to_full).
# To enable: git mv tests/kernel/pending/forecast-e2e.sh tests/kernel/forecast-e2e.t
#
# The table grows for real (assured entries made over ctnetlink, in steps of 4000); the past
# runs' samples are written into the state file with the counts measured at each step, two
# minutes apart, so that one plugin run sees nine samples without the suite waiting 16 minutes.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

N=ct-boot-fce2e-$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del $N 2>/dev/null
	rm -rf "$tmp" "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
ip netns add $N
inode=$(stat -L -c %i /run/netns/$N)
dir=$MP_STATE_PATH/$(id -u)/check_conntrack
mkdir -p "$dir"
chmod 700 "$MP_STATE_PATH/$(id -u)" "$dir"
boot_id=$(cat /proc/sys/kernel/random/boot_id)

# The first run makes the state file (first run: baseline, no forecast).
run --netns=$N
like "$out" "forecast: not yet" "first run: collecting"

counts=()
for k in $(seq 1 8); do
	fill_assured $N 4000
	counts+=("$(ct_count $N)")
done
now=$(date +%s) # (time << 32 below: bash arithmetic is signed 64-bit, fine until 2038)
{
	echo "# monitoring-plugins state v1"
	echo "boot_id $boot_id"
	echo "time $((now - 120))"
	echo "fc_max $MAX"
	for k in $(seq 0 7); do
		echo "fc$k $(( ((now - 120 * (8 - k)) << 32) | counts[k] ))"
	done
} >"$dir/netns-$inode"
chmod 600 "$dir/netns-$inode"
fill_assured $N 4000
count=$(ct_count $N)
run --netns=$N
is "$rc" 0 "growing, far from the limit: OK (no default time-to-full threshold)"
like "$out" $'\n'"forecast: full in ~[0-9.]+ (min|h) at the current rate \(\+2000 entries/min over the last [0-9]+ min, growing over the 16 min of 9 samples; $count of $MAX entries now\)" "the forecast line"
want=$(((MAX - count) * 60 / 2000))
got=$(printf '%s\n' "$first" | grep -oE "time_to_full=[0-9]+s" | grep -oE "[0-9]+")
ok $(( got * 100 >= want * 95 && got * 100 <= want * 105 ? 0 : 1 )) "time_to_full=${got}s within 5% of ${want}s"
run --netns=$N --time-to-full-warning=$((want * 2)):
is "$rc" 1 "--time-to-full-warning=$((want * 2)): WARNING"
like "$first" "full in ~" "the summary says when"
done_testing
