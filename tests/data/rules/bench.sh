#!/bin/sh
# Times the rules module against iptables-legacy-save / nft list on 10,000 rules (root, netns hB-bench).
set -eu
cd "$(dirname "$0")/../../.."
N=${N:-10000}
tmp=$(mktemp -d)
trap 'ip netns del hB-bench 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
cc -std=c11 -D_GNU_SOURCE -O2 -Icommon -Iplugins/check_conntrack.d -o "$tmp/bench_rules" \
	tests/data/rules/bench_rules.c plugins/check_conntrack.d/rules.c \
	plugins/check_conntrack.d/rules_nft.c plugins/check_conntrack.d/rules_legacy.c \
	$(pkg-config --libs libmnl)
# One rule in four matches on state, the others are stateless port rules.
awk -v n="$N" 'BEGIN {
	print "table inet hb {\n\tchain input {\n\t\ttype filter hook input priority 0;"
	for (i = 0; i < n; i++)
		if (i % 4 == 0) print "\t\tct state established accept"
		else printf "\t\ttcp dport %d accept\n", 1000 + i
	print "\t}\n}"
}' >"$tmp/rules.nft"
awk -v n="$N" 'BEGIN {
	print "*filter"
	for (i = 0; i < n; i++)
		if (i % 4 == 0) print "-A INPUT -m state --state ESTABLISHED -j ACCEPT"
		else printf "-A INPUT -p tcp --dport %d -j ACCEPT\n", 1000 + i
	print "COMMIT"
}' >"$tmp/rules.ipt"
ip netns add hB-bench
ip netns exec hB-bench nft -f "$tmp/rules.nft"
ip netns exec hB-bench iptables-legacy-restore <"$tmp/rules.ipt"
echo "== rules module, mean of 20 calls each"
ip netns exec hB-bench "$tmp/bench_rules" 20
echo "== counts by the tools"
ip netns exec hB-bench sh -c 'iptables-legacy-save | grep -c state; nft list ruleset | grep -c ct'
if command -v hyperfine >/dev/null; then
	ip netns exec hB-bench hyperfine -N -w 3 -m 20 \
		"$tmp/bench_rules 1 legacy" "$tmp/bench_rules 1 nft" 2>&1
	ip netns exec hB-bench hyperfine -w 3 -m 20 \
		'iptables-legacy-save | grep -c state' 'nft list ruleset | grep -c ct' 2>&1
fi
