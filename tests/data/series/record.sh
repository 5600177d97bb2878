#!/usr/bin/env bash
# Records real plugin runs while a table fills up in a network namespace (as root): writes
# fill.txt, one line per run: run number, unix time, the plugin's first line.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
PLUGIN=${PLUGIN:-$TOP/plugins/check_conntrack}
OUT=${1:-$TOP/tests/data/series/fill.txt}
NS=ctn-series-$$
MAXFILE=/proc/sys/net/netfilter/nf_conntrack_max
exec 9>/run/lock/check_conntrack-kernel.lock
flock 9
OLDMAX=$(cat $MAXFILE)
ST=$(mktemp -d)
trap 'echo "$OLDMAX" >$MAXFILE; ip netns del "$NS" 2>/dev/null; rm -rf "$ST"' EXIT INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
ip netns exec "$NS" nft -f - <<NFT
table inet ctn {
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
ip netns exec "$NS" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
echo 200 >$MAXFILE
: >"$OUT"
port=10000
for run in $(seq 1 30); do
	# Traffic grows, then overflows: 4 new flows a run at first, 14 later.
	n=$((run < 10 ? 4 : 14))
	ip netns exec "$NS" bash -c "for p in \$(seq $port $((port + n - 1))); do echo x >/dev/udp/127.0.0.1/\$p; done" 2>/dev/null || true
	port=$((port + n))
	line=$(ip netns exec "$NS" "$PLUGIN" --state-dir="$ST" 2>&1 | head -1) || true
	printf '%d\t%d\t%s\n' "$run" "$(date +%s)" "$line" >>"$OUT"
	sleep 0.2
done
echo "recorded $(wc -l <"$OUT") runs in $OUT"
