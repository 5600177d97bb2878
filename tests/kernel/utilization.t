#!/usr/bin/env bash
# The real kernel: flows in a network namespace are counted, the default thresholds hold at the
# real limit entry by entry, and a filled table is CRITICAL. Tables are filled in a namespace of
# this suite up to the real nf_conntrack_max, which is only read (tests/lib/fill.sh).
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

NS=ctk-util-$$
NS2=ctk-full-$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	rm -rf "$tmp"
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
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
nsx() { ip netns exec "$NS" "$@"; }
# N UDP flows to distinct ports on loopback: each is one unreplied entry (30 s timeout).
flows() { ip netns exec "${3:-$NS}" bash -c "for p in \$(seq $1 $2); do echo x >/dev/udp/127.0.0.1/\$p; done" 2>/dev/null; }

out=$(nsx "$PLUGIN"); rc=$?
like "$out" "^CONNTRACK OK - 0 of $MAX entries" "fresh namespace: no entries yet"
flows 20001 20040
out=$(nsx "$PLUGIN"); rc=$?
is "$rc" 0 "40 flows: OK"
n=$(nsx cat /proc/sys/net/netfilter/nf_conntrack_count)
like "$out" "^CONNTRACK OK - $n of $MAX entries .* entries=$n;" "40 flows: entries counted as the kernel counts them ($n)"
ok $((n >= 40 ? 0 : 1)) "40 flows: at least 40 entries ($n)"
out=$(nsx "$PLUGIN" -w 10 -c 1000); rc=$?
is "$rc" 1 "40 flows, -w 10: WARNING"

# The default thresholds at the real limit, one entry either side of each (NS2 holds only
# entries that do not expire meanwhile). $WARN_AT entries are at most 80%: OK; one more is above.
full() { out=$(ip netns exec "$NS2" "$PLUGIN"); rc=$?; first=${out%%$'\n'*}; }
pct() { awk -v n="$1" -v m="$MAX" 'BEGIN { printf "%.1f", n * 100 / m }'; }
fill_assured "$NS2" "$WARN_AT"
echo "# $NS2: $WARN_AT entries in $fill_s s"
full
is "$rc" 0 "$WARN_AT of $MAX entries (80% at most): OK"
like "$first" "^CONNTRACK OK - $WARN_AT of $MAX entries \($(pct $WARN_AT)%\)" "OK: the kernel's count and limit"
fill_assured "$NS2" 1
full
is "$rc" 1 "$((WARN_AT + 1)) of $MAX entries (above 80%): WARNING"
like "$first" "^CONNTRACK WARNING - $((WARN_AT + 1)) of $MAX entries .* entries=$((WARN_AT + 1));$WARN_AT;$CRIT_AT;0;$MAX utilization=" "WARNING: thresholds in entries from the real limit"
fill_assured "$NS2" $((CRIT_AT - WARN_AT - 1))
full
is "$rc" 1 "$CRIT_AT of $MAX entries (90% at most): still WARNING"
fill_assured "$NS2" 1
full
is "$rc" 2 "$((CRIT_AT + 1)) of $MAX entries (above 90%): CRITICAL"
unlike "$first" "dropped" "above 90%, nothing dropped yet: no drops named"

# Fill the table to the real limit: the count stops there and new flows are dropped.
fill_to_limit "$NS2"
is "$(ct_count "$NS2")" "$MAX" "$NS2 filled to the real limit: $MAX entries ($fill_s s for the last $((MAX - CRIT_AT - 1)) and 100 beyond)"
is "$refused" 100 "the kernel refused the 100 entries beyond the limit"
drop0=$(ct_stat "$NS2" drop)
new_flows "$NS2" 0 60
is "$refused" 60 "table full: the 60 new flows refused"
is "$(($(ct_stat "$NS2" drop) - drop0))" 60 "the kernel's drop counter rose by 60"
full
is "$rc" 2 "limit reached, 60 more flows: CRITICAL"
like "$first" "^CONNTRACK CRITICAL - $MAX of $MAX entries \(100\.0%\), 60 packets dropped \(table full\) since last check, ([^|]* sampled\), )?tracking forced by 1 rule \(state match\) \| entries=$MAX;$WARN_AT;$CRIT_AT;0;$MAX utilization=100.00%" "full table: entries equal to the limit, the drops named"

# The host is not the namespace: its own count is compared with the same global limit.
hostn=$(cat /proc/sys/net/netfilter/nf_conntrack_count)
out=$("$PLUGIN"); rc=$?
like "$out" "^CONNTRACK [A-Z]+ - $hostn of $MAX entries" "host namespace: its own count"

done_testing
