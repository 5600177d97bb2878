#!/usr/bin/env bash
# The real kernel: which drop is which. The kernel's drop counter counts packets refused by a full
# table and insert clashes it could not resolve; the check calls drops "table full" only when the
# table was at or near its limit (now or at the last check) or entries were evicted, and the
# advice follows. Insert clashes are made on demand (tests/kernel/clash.c: two identical TCP SYNs
# held in an NFQUEUE until both have an unconfirmed entry), full tables by filling a namespace to
# the real nf_conntrack_max (tests/lib/fill.sh), which is only read. Early drops (entries evicted
# to make room) are a WARNING by default.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

tmp=$(mktemp -d)
CL=ct-drops-clash-$$ FU=ct-drops-full-$$ EV=ct-drops-evict-$$
cleanup() {
	for n in $CL $FU $EV; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$tmp/clash" "$TOP/tests/kernel/clash.c" \
	$(pkg-config --cflags --libs libmnl)
ok $? "tests/kernel/clash.c builds"
mkdir "$tmp/root"
# check NS [ARGS]: the plugin in NS, with a state directory of this suite's and no sysctl files.
check() {
	local ns=$1
	shift
	out=$(ip netns exec "$ns" "$PLUGIN" --state-dir="$tmp/state-$ns" --root="$tmp/root" "$@" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
mkns() {
	ip netns add "$1"
	ip netns exec "$1" ip link set lo up
}

# --- Insert clashes at low utilization -----------------------------------------------------------
# A ctstate rule makes the namespace track; SYNs to port 9 are queued after conntrack made their
# entry and dropped on input, so that no RST deletes the first entry before the second confirms.
mkns $CL
ip netns exec $CL iptables-legacy -A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
ip netns exec $CL iptables-legacy -I OUTPUT -p tcp --dport 9 -j NFQUEUE --queue-num 7
ip netns exec $CL iptables-legacy -A INPUT -p tcp --dport 9 -j DROP
check $CL
is "$rc" 0 "$CL: baseline"
drop0=$(ct_stat $CL drop) failed0=$(ct_stat $CL insert_failed) early0=$(ct_stat $CL early_drop)
pairs=$(ip netns exec $CL timeout 20 "$tmp/clash" 7 12 9)
is "$pairs" 12 "12 pairs of identical SYNs held in the queue and let go one after the other"
is "$(($(ct_stat $CL drop) - drop0))" 12 "the kernel dropped the 12 second SYNs (drop +12)"
is "$(($(ct_stat $CL insert_failed) - failed0))" 12 "... and counted each as a failed insert (insert_failed +12)"
is "$(($(ct_stat $CL early_drop) - early0))" 0 "... with nothing evicted (early_drop +0)"
entries=$(ct_count $CL)
check $CL
echo "# clash: ${first%% | *}"
is "$rc" 2 "drops are CRITICAL whatever their cause (--drop-critical=0)"
like "$first" "^CONNTRACK CRITICAL - $entries of $MAX entries \(0\.0%\), 12 packets dropped \(insert clashes\) since last check, 12 failed inserts since last check, " "summary: the drops are insert clashes, not a full table"
unlike "$out" "table full" "nothing says table full"
like "$out" "^drop: insert clashes, not a full table: the table was at 0\.0% of its limit now and 0\.0% at the last check, no entry was evicted, and insert_failed rose by 12 with the 12 drops" "a line says why: the fill now and at the last check, the failed inserts"
like "$out" "^advice: insert clashes are not a full table, raising the limit does not help" "advice on clashes"
like "$out" "^advice: give SNAT and masquerade rules fully-random \(nft: masquerade fully-random, or iptables: -j MASQUERADE --random-fully\)" "... fully-random for SNAT and masquerade, and DNS"
unlike "$out" "advice: raise the limit" "no advice to raise the limit"
out_ml=$(ip netns exec $CL "$PLUGIN" --state-dir="$tmp/state-$CL" --root="$tmp/root" --peek --output-format=multi-line 2>&1)
like "$out_ml" "^		\\\\_\[OK\] - 0 packets dropped since last check$" "multi-line, nothing since: the drop part names no cause"

# --- A table full at the real limit ---------------------------------------------------------------
mkns $FU
ip netns exec $FU nft 'add table inet ctk; add chain inet ctk out { type filter hook output priority 0; }; add rule inet ctk out ct state new,established accept'
check $FU
is "$rc" 0 "$FU: baseline"
fill_to_limit $FU
is "$(ct_count $FU)" "$MAX" "$FU filled to the real limit with assured entries: $MAX in $fill_s s"
failed0=$(ct_stat $FU insert_failed) drop0=$(ct_stat $FU drop)
new_flows $FU 0 40
is "$refused" 40 "the 40 new flows refused"
is "$(($(ct_stat $FU drop) - drop0))" 40 "the kernel's drop counter rose by 40"
is "$(($(ct_stat $FU insert_failed) - failed0))" 0 "... and insert_failed not at all: a full table is not a clash"
check $FU
echo "# full: ${first%% | *}"
is "$rc" 2 "full table with drops: CRITICAL"
like "$first" "^CONNTRACK CRITICAL - $MAX of $MAX entries \(100\.0%\), [0-9]+ packets dropped \(table full\) since last check," "summary: table full"
like "$out" "^drop: table full: the table was at 100\.0% of its limit now and 0\.0% at the last check \(near full: 90% or more\)$" "a line says why"
like "$out" "^advice: raise the limit: sysctl -w net\.netfilter\.nf_conntrack_max=$((MAX * 2)) " "the advice raises the limit"
unlike "$out" "advice: insert clashes" "no advice on clashes"
# Emptied, then more drops before the next check: the table was full at the last check.
ip netns exec $FU conntrack -F 2>/dev/null
is "$(ct_count $FU)" 0 "$FU emptied"
fill_to_limit $FU 0
new_flows $FU 100 20
ip netns exec $FU conntrack -F 2>/dev/null
check $FU
like "$first" "^CONNTRACK CRITICAL - 0 of $MAX entries \(0\.0%\), 20 packets dropped \(table full\) since last check," "full at the last check, empty now: the drops are still a full table's"
like "$out" "^drop: table full: the table was at 0\.0% of its limit now and 100\.0% at the last check" "... said with both fills"
ip netns del $FU

# --- A burst of evictions between checks ----------------------------------------------------------
# Unreplied UDP entries are what the kernel evicts (early_drop) to make room.
mkns $EV
ip netns exec $EV nft 'add table inet ctk; add chain inet ctk out { type filter hook output priority 0; }; add rule inet ctk out ct state new,established accept; add chain inet ctk in { type filter hook input priority 0; }; add rule inet ctk in udp dport 1024-2047 drop'
# One baseline for the runs below (--state-key), kept by the ones that only look (--peek).
check $EV -w 100% -c 100% --state-key=evict
is "$rc" 0 "$EV: baseline (-w 100% -c 100%: a full table alone does not alert)"
early0=$(ct_stat $EV early_drop) drop0=$(ct_stat $EV drop)
ip netns exec $EV "$FILL" 0 $((MAX + 5000)) >/dev/null
evicted=$(($(ct_stat $EV early_drop) - early0)) dropped=$(($(ct_stat $EV drop) - drop0))
ok $((evicted < 1000)) "the kernel evicted $evicted unreplied entries to make room ($dropped dropped)"
check $EV -w 100% -c 100% --state-key=evict --peek
echo "# evictions: ${first%% | *}"
is "$rc" $((dropped > 0 ? 2 : 1)) "a burst of $evicted evictions between checks: WARNING by default (CRITICAL only if packets were dropped too)"
like "$first" ", $evicted early drops since last check" "the evictions named in the summary"
like "$out" "^advice: raise the limit: " "evictions mean a full table: raise the limit"
check $EV -w 100% -c 100% --state-key=evict --peek --early-drop-warning=~:
is "$rc" $((dropped > 0 ? 2 : 0)) "--early-drop-warning=~: (a range that never alerts) turns the default off"
ip netns del $EV

done_testing
