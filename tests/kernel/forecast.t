#!/usr/bin/env bash
# The real kernel: a namespace's table grown in steps over several "runs" of the forecast module
# (tests/kernel/probe.c, fed the time of each run), and one that stays steady. The plugin itself:
# tests/kernel/forecast-e2e.t.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"
. "$(dirname "$0")/../lib/probe.sh"

G=ct-boot-fcg-$$ S=ct-boot-fcs-$$
tmp=$(mktemp -d)
cleanup() {
	for n in $G $S; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
build_probe "$tmp"
ok $? "tests/kernel/probe.c builds"
ip netns add $G
ip netns add $S
t0=$(date +%s)
probe() { out=$(ip netns exec "$1" "$PROBE" forecast "$tmp/$1.ring" "$2" 2>&1); }

# Steady: 10000 entries that stay (assured, an hour to live), sampled every 2 min.
fill_assured $S 10000
for k in $(seq 0 9); do probe $S $((t0 + 120 * k)); done
is "$(ct_count $S)" 10000 "steady: the table holds 10000"
like "$out" "^forecast: no significant growth over the last 18 min \(10 samples, \+0 entries/min within the noise\)$" "steady: no forecast"
unlike "$out" "time_to_full" "steady: no time_to_full perfdata"

# Growing: 4000 more entries before each sample 2 min apart (2000 a minute).
for k in $(seq 0 4); do
	fill_assured $G 4000
	probe $G $((t0 + 120 * k))
done
like "$out" "^forecast: not yet, 5 samples over 8 min \(6 over 5 min needed\)$" "growing: 5 samples are not enough"
for k in $(seq 5 11); do
	fill_assured $G 4000
	probe $G $((t0 + 120 * k))
done
count=$(ct_count $G)
is "$count" 48000 "growing: the table holds 48000"
# Exact counts, so the fit is exact: the headroom at 2000 entries a minute.
want=$(((MAX - count) * 60 / 2000 + ((MAX - count) * 60 % 2000 > 0)))
like "$out" "^perfdata: time_to_full=${want}s$" "growing: time_to_full=${want}s, the headroom at 2000 a minute"
like "$out" "^forecast: full in ~[0-9.]+ (min|h) at the current rate \(\+2000 entries/min over the last 10 min, growing over the 22 min of 12 samples, 48000 of $MAX entries now\)$" "growing: the forecast line"
[ "$want" -le 21600 ] && like "$out" "^summary: full in ~" "growing: in the summary (within 6 h)"
[ "$want" -gt 21600 ] && like "$out" "^summary: $" "growing: beyond 6 h, not in the summary"

# Growth stops: once the newest half is flat, no forecast.
for k in $(seq 12 19); do probe $G $((t0 + 120 * k)); done
like "$out" "^forecast: (no significant growth over the last 30 min|grew by [0-9]+ entries/min over the last 30 min, but 0/min in its newer half)" "stopped: no forecast once the newer half is flat"
unlike "$out" "time_to_full" "stopped: no time_to_full perfdata"

# A run 60 s after the last sample reads the table but keeps no sample (one in two).
probe $G $((t0 + 120 * 19 + 60))
like "$out" "^ring: less than 100 s after the last sample: not kept$" "a run 60 s later: not kept"
# The ring lives in a state file the plugin's counters share: 17 values.
is "$(grep -c '^fc' "$tmp/$G.ring")" 17 "the ring: fc_max and 16 samples in the state file"
done_testing
