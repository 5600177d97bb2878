#!/usr/bin/env bash
# The real kernel: flows in a network namespace are counted, and a filled table is CRITICAL.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

NS=ctk-util-$$
NS2=ctk-full-$$
MAXFILE=/proc/sys/net/netfilter/nf_conntrack_max
OLDMAX=$(cat $MAXFILE)
cleanup() {
	echo "$OLDMAX" >$MAXFILE
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
}
trap cleanup EXIT INT TERM
setup_ns() {
	ip netns add "$1"
	ip netns exec "$1" ip link set lo up
	# A stateful rule switches tracking on in the namespace.
	ip netns exec "$1" nft -f - <<NFT
table inet ctk {
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
}
setup_ns "$NS"
setup_ns "$NS2"
nsx() { ip netns exec "$NS" "$@"; }
# N UDP flows to distinct ports on loopback: each is one unreplied entry (30 s timeout).
flows() { ip netns exec "${3:-$NS}" bash -c "for p in \$(seq $1 $2); do echo x >/dev/udp/127.0.0.1/\$p; done" 2>/dev/null; }

out=$(nsx "$PLUGIN"); rc=$?
like "$out" "^CONNTRACK OK - 0 of $OLDMAX entries" "fresh namespace: no entries yet"
flows 20001 20040
out=$(nsx "$PLUGIN"); rc=$?
is "$rc" 0 "40 flows: OK"
n=$(nsx cat /proc/sys/net/netfilter/nf_conntrack_count)
like "$out" "^CONNTRACK OK - $n of $OLDMAX entries .* entries=$n;" "40 flows: entries counted as the kernel counts them ($n)"
ok $((n >= 40 ? 0 : 1)) "40 flows: at least 40 entries ($n)"
out=$(nsx "$PLUGIN" -w 10 -c 1000); rc=$?
is "$rc" 1 "40 flows, -w 10: WARNING"

# Fill the table: lower the global limit briefly (the trap restores it).
echo 32 >$MAXFILE
flows 30001 30060 "$NS2"
out=$(ip netns exec "$NS2" "$PLUGIN"); rc=$?
is "$rc" 2 "limit 32, 60 more flows: CRITICAL"
like "$out" "^CONNTRACK CRITICAL - 32 of 32 entries \(100\.0%\); tracking forced by 1 rules \(state match\) \| entries=32;25;28;0;32 utilization=100.00%" "full table: entries equal to the limit"
echo "$OLDMAX" >$MAXFILE

# The host is not the namespace: its own count is compared with the same global limit.
hostn=$(cat /proc/sys/net/netfilter/nf_conntrack_count)
out=$("$PLUGIN"); rc=$?
like "$out" "^CONNTRACK [A-Z]+ - $hostn of $OLDMAX entries" "host namespace: its own count"

done_testing
