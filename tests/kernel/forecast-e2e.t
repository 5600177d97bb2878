#!/usr/bin/env bash
# The forecast end to end: the plugin itself, run after each of twelve steps in which a
# namespace's table grows for real (assured entries made over ctnetlink, 4000 a step), keeps its
# samples in its state file beside the counters and says when the table is full. Between runs
# the suite ages the state file by two minutes (every time in it moved back 120 s), so that the
# runs count as two minutes apart without the suite waiting 24 minutes; each sample's count is
# the one the plugin read. Then the growth stops, and a reboot (another boot id) starts again.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

N=ct-fce2e-$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del $N 2>/dev/null
	rm -rf "$tmp" "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
ip netns add $N
S=$tmp/state
K=--state-key=fce2e
file() { ls "$S"/fce2e.* 2>/dev/null | grep -v '\.lock$' | head -1; }
# age SECONDS: every time in the state file moved back (the samples are time << 32 | entries).
age() {
	local f k v
	f=$(file)
	while read -r k v; do
		case $k in
		time) echo "time $((v - $1))" ;;
		fc[0-9]*) echo "$k $((v - ($1 << 32)))" ;;
		*) echo "$k${v:+ $v}" ;;
		esac
	done <"$f" >"$f.new" && chmod 600 "$f.new" && mv "$f.new" "$f"
}
line() { printf '%s\n' "$out" | grep -m1 "^$1"; }

# The first run keeps the first sample.
fill_assured $N 4000
run --netns=$N --state-dir=$S $K
is "$rc" 0 "first run: OK"
is "$(line forecast:)" "forecast: not yet, 1 sample over 0 s (6 over 5 min needed)" "first run: one sample, not yet"
like "$(cat "$(file)")" $'\n'"fc0 [0-9]+"$'\n' "the sample is in the namespace's state file, beside the counters"
like "$(cat "$(file)")" $'\n'"(drop|found) [0-9]+"$'\n' "... which holds the counters too"

for k in $(seq 2 5); do
	age 120
	fill_assured $N 4000
	run --netns=$N --state-dir=$S $K
done
is "$(line forecast:)" "forecast: not yet, 5 samples over 8 min (6 over 5 min needed)" "five runs over 8 min: not yet"

# A run 60 s after the last keeps no sample (checks every minute keep every other one).
age 60
run --netns=$N --state-dir=$S $K -v
like "$out" $'\n'"forecast: less than 100 s after the last sample: not kept"$'\n' "a run 60 s after the last: not kept (-v says so)"
age 60

for k in $(seq 6 12); do
	age 120
	fill_assured $N 4000
	run --netns=$N --state-dir=$S $K
done
count=$(ct_count $N)
is "$count" 48000 "the table holds 48000 entries after twelve steps"
# Exact counts two minutes apart, give or take the second each run itself takes: the headroom at
# 2000 entries a minute, within 2%.
want=$(((MAX - count) * 60 / 2000 + ((MAX - count) * 60 % 2000 > 0)))
is "$rc" 0 "growing, far from full: OK (no default time-to-full threshold)"
got=$(printf '%s\n' "$first" | grep -oE " time_to_full=[0-9]+s" | grep -oE "[0-9]+")
ok $((got * 100 >= want * 98 && got * 100 <= want * 102 ? 0 : 1)) "perfdata time_to_full=${got}s, within 2% of ${want}s (the headroom at 2000 a minute)"
like "$(line forecast:)" "^forecast: full in ~[0-9.]+ (min|h) at the current rate \(\+(19[6-9][0-9]|2000) entries/min over the last 10 min, growing over the 2[45] min of 12 samples, 48000 of $MAX entries now\)$" "the forecast: line"
[ "$want" -le 21600 ] && like "$first" "^CONNTRACK OK - netns $N: 48000 of $MAX entries \([0-9.]+%\), full in ~[0-9.]+ (min|h) at the current rate, " "the summary says when"
echo "# $first"
echo "# $(line forecast:)"

# Thresholds on it: the same samples, another check definition would start its own, so the key
# stays; a run that only looks (--peek) saves nothing.
age 120
fill_assured $N 4000
before=$(cat "$(file)")
run --netns=$N --state-dir=$S $K --peek --time-to-full-warning=$((want * 2)):
is "$rc" 1 "--time-to-full-warning=$((want * 2)): WARNING"
like "$first" " time_to_full=[0-9]+s;$((want * 2)):( |;)" "... the threshold in its perfdata"
is "$(cat "$(file)")" "$before" "--peek: the state file unchanged"
run --netns=$N --state-dir=$S $K --time-to-full-critical=$((want * 2)):
is "$rc" 2 "--time-to-full-critical=$((want * 2)): CRITICAL"

# The growth stops: once the newer half of the window is flat, no forecast, no perfdata.
for k in $(seq 1 8); do
	age 120
	run --netns=$N --state-dir=$S $K --time-to-full-critical=$((want * 2)):
done
is "$rc" 0 "growth stopped: OK again"
echo "# $(line forecast:)"
like "$(line forecast:)" "^forecast: (no significant growth over the last [0-9]+ min|grew by [0-9]+ entries/min over the last [0-9]+ min, but 0/min in its newer half)" "growth stopped: no forecast once the newer half is flat"
unlike "$first" "time_to_full" "... no time_to_full perfdata"

# Another boot id in the state file (a reboot): the samples start again.
f=$(file)
sed -i "s/^boot_id .*/boot_id 00000000-0000-0000-0000-000000000000/" "$f"
age 120
run --netns=$N --state-dir=$S $K
like "$out" $'\n'"forecast: not yet, 1 sample over 0 s" "after a reboot: one sample again"
like "$out" $'\n'"forecast: samples started again: the host rebooted since the last check"$'\n' "... and says why"
done_testing
