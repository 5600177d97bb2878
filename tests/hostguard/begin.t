#!/usr/bin/env bash
# Host-wide settings, first half: `make check` runs this first and tests/hostguard/end.t last.
# It starts a watcher (tests/hostguard/watch.c) that reads nf_conntrack_max every millisecond and
# every writable sysctl under /proc/sys/net/netfilter every 100 ms while the suites run, and
# records the root namespace's firewall rules. No suite may change any of them, even briefly:
# on a real host a lowered nf_conntrack_max drops connections, and rules there filter its traffic.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_guard_dir

cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$G/watch" "$TOP/tests/hostguard/watch.c"
ok $? "the watcher builds"
# The watcher itself, on a copy of the tree: it must see changes that are undone before the end,
# which comparing the start with the end would miss (100 ms here; it reads every millisecond).
# echo truncates before it writes: the watcher may see the empty file on the way.
t=$G/selftest
mkdir -p "$t/tree/nf_log" "$t/out"
echo 262144 >"$t/tree/nf_conntrack_max"
echo 30 >"$t/tree/nf_conntrack_udp_timeout"
echo NONE >"$t/tree/nf_log/2"
"$G/watch" "$t/out" $$ 1 "$t/tree" </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do
	[ -s "$t/out/before" ] && break
	sleep 0.05
done
echo 32 >"$t/tree/nf_conntrack_max"
sleep 0.1
echo 262144 >"$t/tree/nf_conntrack_max"
echo 60 >"$t/tree/nf_conntrack_udp_timeout"
echo nf_log_ipv4 >"$t/tree/nf_log/2"
sleep 0.3
echo 30 >"$t/tree/nf_conntrack_udp_timeout"
echo NONE >"$t/tree/nf_log/2"
sleep 0.3
kill -TERM "$(cat "$t/out/pid")"
for _ in $(seq 100); do
	[ -e "$t/out/summary" ] && break
	sleep 0.05
done
seen=$(cat "$t/out/changes" 2>/dev/null)
like "$seen" "net\.netfilter\.nf_conntrack_max: .*-> 32$" "self-test: the watcher sees nf_conntrack_max lowered for 100 ms"
like "$seen" "net\.netfilter\.nf_conntrack_max: .*-> 262144$" "self-test: and put back"
like "$seen" "net\.netfilter\.nf_conntrack_udp_timeout: .*-> 60$" "self-test: another writable sysctl changed for 300 ms"
like "$seen" "net\.netfilter\.nf_log\.2: .*-> nf_log_ipv4$" "self-test: one in a subdirectory too"
is "$(cat "$t/out/after")" "$(cat "$t/out/before")" "self-test: start and end alone would have seen nothing"

# No descriptor of prove's is passed on, so prove does not wait for it. It follows prove ($PPID)
# and ends with it if the run is cut short; it writes its pid to $G/pid.
"$G/watch" "$G" "$PPID" </dev/null >"$G/log" 2>&1 &
for _ in $(seq 100); do
	[ -s "$G/before" ] && break
	sleep 0.05
done
keys=$(wc -l <"$G/before" 2>/dev/null || echo 0)
max=$(awk -F'\t' '$1 == "net.netfilter.nf_conntrack_max" { print $2 }' "$G/before" 2>/dev/null)
if [ -e /proc/sys/net/netfilter/nf_conntrack_max ]; then
	like "$max" "^[0-9]+$" "watching $keys writable sysctls under /proc/sys/net/netfilter; nf_conntrack_max is $max"
else
	ok 0 "nf_conntrack is not loaded: the watcher takes the sysctls as found when they appear"
fi
echo "# watcher pid $(cat "$G/pid"), following prove (pid $PPID)"
if [ "$(id -u)" -eq 0 ]; then
	rules_snapshot >"$G/rules.before"
	ok $? "the root namespace's rules recorded ($(grep -vc '^#' "$G/rules.before") lines)"
else
	echo "ok $((_n += 1)) # SKIP reading the root namespace's rules needs root"
fi
state_names >"$G/state.before"
ok $? "the host's default state directories listed ($(grep -c . "$G/state.before") names)"
done_testing
