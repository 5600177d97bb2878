#!/usr/bin/env bash
# The real kernel: drops between runs, netlink against the stat file, unprivileged runs, --netns=all.
# Full tables are namespaces filled to the real nf_conntrack_max (tests/lib/fill.sh), never a
# lowered one.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

A=ctk-a-$$ B=ctk-b-$$ C=ctk-c-$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
# nobody's state directory: a directory nobody cannot keep state in makes the check UNKNOWN.
install -d -m 700 -o nobody "$tmp/nobody"
cleanup() {
	for n in $A $B $C; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp" "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
for n in $A $B $C; do
	ip netns add "$n"
	ip netns exec "$n" ip link set lo up
	ip netns exec "$n" nft 'add table inet ctk; add chain inet ctk out { type filter hook output priority 0; }; add rule inet ctk out ct state new,established accept'
done
flows() { ip netns exec "$1" bash -c "for p in \$(seq $2 $3); do echo x >/dev/udp/127.0.0.1/\$p; done" 2>/dev/null; }
perf_counters() { printf '%s\n' "$1" | head -1 | grep -oE "\b(found|invalid|insert|insert_failed|drop|early_drop|error|search_restart|clash_resolve|chaintoolong)=[0-9]+c" | sort | tr '\n' ' '; }

# The fill scenario: baseline, a full table with drops, then quiet again.
run --netns=$A
is "$rc" 0 "baseline run in namespace $A: OK"
like "$out" "counters: first run, baseline saved" "baseline saved"
drop0=$(ct_stat $A drop)
fill_to_limit $A
is "$(ct_count $A)" "$MAX" "$A filled to the real limit: $MAX entries in $fill_s s"
is "$refused" 100 "the count stops at the limit: the kernel refused the 100 entries beyond it"
new_flows $A 0 60
is "$refused" 60 "full table of assured entries: all 60 new flows refused"
kdrops=$(($(ct_stat $A drop) - drop0))
is "$kdrops" 60 "the kernel's drop counter rose by 60"
run --netns=$A
is "$rc" 2 "table full: CRITICAL"
like "$first" "^CONNTRACK CRITICAL - netns $A: $MAX of $MAX entries \(100\.0%\), $kdrops packets dropped \(table full\) since last check, ([^|]* sampled\), )?tracking forced by 1 rule \(state match\) \|" "the drops since the first run are named"
echo "# fill scenario, second run: ${first%% | *}"
like "$(dmesg 2>/dev/null | tail -50)" "nf_conntrack: table full|^$" "dmesg agrees (when readable)"
# Drops alone are CRITICAL (--drop-critical=0): 30 more dropped, then the table emptied.
new_flows $A 1000 30
ip netns exec $A conntrack -F 2>/dev/null
is "$(ct_count $A)" 0 "$A emptied (conntrack -F in $A) after 30 more flows were dropped"
run --netns=$A
is "$rc" 2 "an empty table with new drops: CRITICAL"
like "$first" "^CONNTRACK CRITICAL - netns $A: 0 of $MAX entries \(0\.0%\), 30 packets dropped \(table full\) since last check," "the 30 drops since the second run make it CRITICAL"
run --netns=$A
is "$rc" 0 "fourth run, no new drops: OK again"
unlike "$first" "dropped" "fourth run: no drops named"
like "$out" "drop \+0" "fourth run: drop +0 in the long output"

# Netlink and the stat file give the same numbers (as root: netlink; as nobody: the stat file).
root_out=$(ip netns exec $A "$PLUGIN" --state-dir=$tmp/root -v)
nobody_out=$(ip netns exec $A setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" --state-dir=$tmp/nobody -v 2>&1)
like "$root_out" "counters from netlink" "root: counters from netlink"
like "$nobody_out" "counters from /proc/net/stat/nf_conntrack" "nobody: counters from the stat file"
like "$nobody_out" "counters: netlink needs CAP_NET_ADMIN" "nobody: -v says why netlink was not used"
is "$(perf_counters "$nobody_out")" "$(perf_counters "$root_out")" "the same counters from netlink and the stat file"
like "$nobody_out" "^CONNTRACK OK - $(ct_count $A) of $MAX entries" "nobody: entries still reported"
like "$nobody_out" "rules not inspected \(needs CAP_NET_ADMIN" "nobody: rules not inspected, and why"
echo "# root:   $(perf_counters "$root_out")"

# A setcap'd copy run as nobody: netlink, then every capability dropped.
cp "$PLUGIN" $tmp/check_conntrack_cap
if setcap cap_net_admin+ep $tmp/check_conntrack_cap 2>/dev/null; then
	cap_out=$(ip netns exec $A setpriv --reuid=nobody --regid=nogroup --clear-groups $tmp/check_conntrack_cap --state-dir=$tmp/cap -vv 2>&1)
	like "$cap_out" "counters from netlink" "setcap cap_net_admin as nobody: netlink used"
	like "$cap_out" "tracking forced by (at least )?1 rule " "setcap cap_net_admin as nobody: rules inspected (at least, when legacy names are root's)"
	like "$cap_out" "capabilities dropped after collection" "setcap: capabilities dropped"
else
	ok 1 "setcap not supported on $tmp's filesystem"
fi

# Hidden stat file and no privilege: counters unavailable, utilization still checked.
mkdir -p $tmp/proc/sys/net/netfilter
echo 5 >$tmp/proc/sys/net/netfilter/nf_conntrack_count
echo 100 >$tmp/proc/sys/net/netfilter/nf_conntrack_max
chmod -R a+rX $tmp/proc
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" --procfs=$tmp/proc --state-dir=$tmp/nobody2 -w 1% 2>&1); rc=$?
is "$rc" 1 "no stat file, no privilege: utilization still checked (WARNING at 5%)"
like "$out" "counters not available: " "no stat file, no privilege: counters not available"

# --netns=all: three namespaces, one of them full.
flows $B 41001 41005
fill_to_limit $C
is "$(ct_count $C)" "$MAX" "$C filled to the real limit: $MAX entries in $fill_s s"
new_flows $C 0 60
is "$refused" 60 "$C: the 60 flows beyond the limit refused"
# Every namespace its own lines whatever else the host runs: no bound on the output.
run --netns=all --output-limit=0
is "$rc" 2 "--netns=all with one full namespace: CRITICAL"
like "$first" "^CONNTRACK CRITICAL - netns $C: $MAX of $MAX entries \(100\.0%\).*\(fullest of [0-9]+ namespaces\)" "--netns=all names the full namespace"
like "$out" $'\n'"netns $A: OK - " "--netns=all: a line for $A"
like "$out" $'\n'"netns $B: OK - [0-9]+ of $MAX entries" "--netns=all: a line for $B"
like "$out" $'\n'"netns $C: CRITICAL - $MAX of $MAX entries" "--netns=all: a line for $C"
like "$out" $'\n'"netns host: " "--netns=all: a line for the host"
like "$first" " ${C}_entries=$MAX;$WARN_AT;$CRIT_AT;0;$MAX ${C}_utilization=100.00%;80;90;0;100 ${C}_drop=[0-9]+c" "--netns=all: per-namespace perfdata"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" --netns=all --state-dir=$tmp/nobody3 2>&1); rc=$?
is "$rc" 3 "--netns=all as nobody: UNKNOWN (namespaces cannot be entered)"
like "$out" "^CONNTRACK UNKNOWN - netns host: [0-9]+ of [0-9]+ entries .*not checked: see below\)" "--netns=all as nobody: the summary names a namespace it could read and counts the others"
like "$out" $'\n'"netns $C: UNKNOWN - cannot enter network namespace $C: .*needs CAP_SYS_ADMIN" "--netns=all as nobody: says why per namespace"
run --netns=no-such-namespace-$$
is "$rc" 3 "--netns=missing: UNKNOWN"
like "$first" "cannot open network namespace /run/netns/no-such-namespace" "--netns=missing: says why"
sleep 300 & sleeper=$!
ip netns exec $B sleep 300 & bsleeper=$!
sleep 0.2
run --netns=/proc/$bsleeper/ns/net
is "$rc" 0 "--netns=/proc/PID/ns/net: a namespace by path"
like "$first" "^CONNTRACK OK - netns /proc/$bsleeper/ns/net: [0-9]+ of $MAX entries" "--netns=PATH: that namespace's entries"
kill $sleeper $bsleeper 2>/dev/null
done_testing
