#!/usr/bin/env bash
# Records real plugin runs while a table fills up in a network namespace (as root): writes
# fill.txt, one line per run: run number, unix time, the plugin's first line.
# The table is filled to the real nf_conntrack_max, which is only read: the limit is global but
# each namespace's count is held against it on its own. Entries are made with tests/bench/fill.c
# -a (assured: the kernel cannot evict them), so once the table is full the flows that follow are
# dropped and counted in `drop`, as on a host full of established connections.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
PLUGIN=${PLUGIN:-$TOP/plugins/check_conntrack}
OUT=${1:-$TOP/tests/data/series/fill.txt}
NS=ctn-series-$$
exec 9>/run/lock/check_conntrack-kernel.lock
flock 9
MAX=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
ST=$(mktemp -d)
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$ST"' EXIT INT TERM
mkdir -m 700 "$ST/state"
cc -std=c11 -D_GNU_SOURCE -O2 -o "$ST/fill" "$TOP/tests/bench/fill.c" $(pkg-config --cflags --libs libmnl)
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# Output: a state rule switches tracking on. Input: the flows' datagrams end there (no ICMP).
ip netns exec "$NS" nft -f - <<NFT
table inet ctn {
	chain out { type filter hook output priority 0; ct state new,established accept; }
	chain in { type filter hook input priority 0; ip daddr 127.1.0.0/16 udp dport 1024-2047 drop; }
}
NFT
: >"$OUT"
made=0
flows=0
for run in $(seq 1 30); do
	# Traffic grows, then overflows: 2% of the limit in new connections a run at first, 7% later;
	# what the full table refuses is tried again as packets, which the kernel drops.
	n=$((MAX * (run < 10 ? 2 : 7) / 100))
	refused=$(ip netns exec "$NS" "$ST/fill" -a "$made" "$n")
	made=$((made + n))
	if [ "$refused" -gt 0 ]; then
		ip netns exec "$NS" "$ST/fill" "$flows" "$refused" >/dev/null
		flows=$((flows + refused))
	fi
	line=$(ip netns exec "$NS" "$PLUGIN" --state-dir="$ST/state" 2>&1 | head -1) || true
	printf '%d\t%d\t%s\n' "$run" "$(date +%s)" "$line" >>"$OUT"
	sleep 0.2
done
echo "recorded $(wc -l <"$OUT") runs in $OUT (nf_conntrack_max $MAX, left as it was)"
