#!/usr/bin/env bash
# The real kernel: the composition sample and the timeouts it names, held against conntrack -L.
# Tables full of unreplied UDP to port 53 and of TIME_WAIT, each filled to the real
# nf_conntrack_max in a namespace of its own; a 250,000-entry mix of a known make-up to measure
# the sample's shares; a dump cut short, a deadline, an unprivileged run. Run through
# tests/kernel/compose_probe.c (the collectors of plugins/check_conntrack.d in one process).
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

U=ct-cmp-u-$$ T=ct-cmp-t-$$ M=ct-cmp-m-$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
	for n in $U $T $M; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp" "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
make -s -C "$TOP" libcheck.a >/dev/null
cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP/common" -I"$TOP/plugins/check_conntrack.d" \
	-o "$tmp/probe" "$TOP/tests/kernel/compose_probe.c" "$TOP/libcheck.a" \
	$(pkg-config --cflags --libs libmnl) -lm
ok $? "tests/kernel/compose_probe.c builds against libcheck.a"
host_udp=$(cat /proc/sys/net/netfilter/nf_conntrack_udp_timeout)
probe() { local ns=$1; shift; ip netns exec "$ns" "$tmp/probe" "$@"; }
line() { printf '%s\n' "$1" | grep -m1 "^$2"; }

# A table full of unreplied UDP to port 53 (a resolver that does not answer, a DNS flood).
ip netns add $U
refused=$(ip netns exec $U "$FILL" -k udp53 0 $((MAX + 100)))
is "$(ct_count $U)" "$MAX" "$U: $MAX unreplied UDP entries to port 53, the real limit"
# Unreplied entries are what a full table evicts: each of the 100 beyond the limit was refused
# or took the place of an older one.
is $((refused + $(ct_stat $U early_drop))) 100 "$U: the 100 beyond the limit refused ($refused) or evicting an unreplied one"
out=$(probe $U composition)
is "$(line "$out" "composition: ")" "composition: 100% udp unreplied, 100% to port 53, 100% from 10.1.2.0/24 (5000 of $MAX sampled)" "UDP 53 table: the composition line"
like "$out" "^composition: destination ports: 53/udp 100%$" "UDP 53 table: one destination port"
like "$out" "^cost: sampled=5000 end=cap " "UDP 53 table: 5000 entries, stopped by the cap"
echo "# $(line "$out" "cost: ")"
# The namespace's own timeout, set inside it: the line names that value, the host keeps its own.
ip netns exec $U sysctl -qw net.netfilter.nf_conntrack_udp_timeout=45
out=$(probe $U timeouts)
is "$(line "$out" "timeouts: ")" "timeouts: 100% of sampled entries are udp unreplied, held by nf_conntrack_udp_timeout = 45 (45 s): datagrams that got no answer yet (DNS to a dead or slow server, scans, one-way traffic such as syslog): lowering it frees them sooner, but an answer later than the new value is then dropped by a stateful rule; exempting such traffic from tracking (notrack) removes the entries altogether (sysctl -w net.netfilter.nf_conntrack_udp_timeout=SECONDS)" "UDP 53 table: the timeout of this namespace, 45 s, and its trade-off"
is "$(line "$out" "summary: ")" "summary: udp unreplied entries live 45 s idle (nf_conntrack_udp_timeout)" "UDP 53 table: the summary fragment"
is "$(cat /proc/sys/net/netfilter/nf_conntrack_udp_timeout)" "$host_udp" "the host's own udp timeout is untouched ($host_udp)"
ip netns del $U

# A table full of TIME_WAIT (many short connections), clients spread over 250 /24s.
ip netns add $T
refused=$(ip netns exec $T "$FILL" -k timewait 0 $((MAX + 100)))
is "$(ct_count $T)" "$MAX" "$T: $MAX TIME_WAIT entries, the real limit"
is "$refused" 100 "$T: assured entries are never evicted: the 100 beyond the limit refused"
out=$(probe $T -v 2 composition)
is "$(line "$out" "composition: ")" "composition: 100% tcp TIME_WAIT, 100% to port 80 (5000 of $MAX sampled)" "TIME_WAIT table: the composition line (no source prefix dominates)"
like "$out" "^composition: tcp states: TIME_WAIT 100%$" "TIME_WAIT table: the tcp states"
like "$out" "^composition: source prefixes: 10\.2\.[0-9]+\.0/24 <1%, " "TIME_WAIT table: the sources spread over /24s"
like "$out" "^composition: destination addresses: 10\.80\.0\.80 100%$" "TIME_WAIT table: -vv gives full addresses"
out=$(probe $T timeouts)
like "$(line "$out" "timeouts: ")" "^timeouts: 100% of sampled entries are tcp TIME_WAIT, held by nf_conntrack_tcp_timeout_time_wait = $(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait) \(2 min\): lowering it frees closed connections sooner" "TIME_WAIT table: the timeout and its trade-off"
echo "# $(line "$out" "timeouts: " | cut -c1-150)..."
ip netns del $T

# A mix of a known make-up: 250,000 entries, the sample's shares against conntrack -L.
ip netns add $M
for k in udp53:150000 udp53v6:25000 timewait:50000 established:25000; do
	ip netns exec $M "$FILL" -k "${k%:*}" 0 "${k#*:}" >/dev/null
done
is "$(ct_count $M)" 250000 "$M: 250,000 entries (60% udp 53, 10% udp 53 over IPv6, 20% TIME_WAIT, 10% ESTABLISHED)"
ip netns exec $M conntrack -L 2>/dev/null | awk '{
	if ($1 == "tcp") c = "tcp " $4
	else c = $1 " " (/UNREPLIED/ ? "unreplied" : /ASSURED/ ? "assured" : "replied")
	n[c]++
} END { for (c in n) print c, n[c] }' | sort >"$tmp/truth"
is "$(tr '\n' ';' <"$tmp/truth")" "tcp ESTABLISHED 25000;tcp TIME_WAIT 50000;udp unreplied 175000;" "conntrack -L agrees with the make-up"
# Tolerance: 3 points. The dump walks the hash buckets, and an entry's bucket is a keyed hash of
# its tuple, so the first N entries are a uniform sample; at N = 5000 one standard error is at
# most 0.71 points, so 3 points is over 4 of them.
for cap in 1000 5000 20000; do
	probe $M -c $cap classes >"$tmp/sample"
	worst=$(awk -v cap=$cap 'NR == FNR { t[$1 " " $2] = $3; next }
		$1 == "class" { s[$2 " " $3] = $4 }
		END { for (c in t) { d = (s[c] + 0) / cap * 100 - t[c] / 2500; if (d < 0) d = -d; if (d > w) w = d }
			printf "%.2f", w }' "$tmp/truth" "$tmp/sample")
	tol=3
	[ $cap = 1000 ] && tol=5
	awk -v w=$worst -v t=$tol 'BEGIN { exit !(w <= t) }'
	ok $? "cap $cap: every class share within $tol points of conntrack -L (worst $worst)"
done
out=$(probe $M composition)
like "$(line "$out" "composition: ")" "^composition: (6[7-9]|7[0-3])% udp unreplied, (6[7-9]|7[0-3])% to port 53, (5[7-9]|6[0-3])% from 10\.1\.2\.0/24 \(5000 of 250000 sampled\)$" "mix: the composition line"
like "$out" "^composition: source prefixes: 10\.1\.2\.0/24 [0-9]+%, .*fd00:1:2:3::/64 ([89]|1[0-2])%" "mix: IPv6 sources aggregated to /64"
echo "# $(line "$out" "composition: ")"
echo "# $(line "$out" "cost: ")"
# The cost of reading every entry, for comparison: the whole 250,000.
out=$(probe $M -c 10000000 composition)
like "$out" "^cost: sampled=250000 end=whole " "the whole table read when the cap allows"
echo "# whole table: $(line "$out" "cost: ")"
t0=$(date +%s%N)
ip netns exec $M conntrack -L >/dev/null 2>&1
echo "# conntrack -L of the same table: $((($(date +%s%N) - t0) / 1000000)) ms"

# A dump cut short leaves nothing behind: counters and a whole dump on a fresh socket work.
out=$(probe $M reuse)
like "$out" "^first: rc=0 sampled=10 end=cap socket=closed$" "cut short at 10 entries: the socket is closed"
like "$out" "^counters: rc=0 read$" "then a counters request on a fresh socket is answered"
like "$out" "^second: rc=0 sampled=250000 end=whole socket=open" "then a whole dump on it reads all 250,000 entries"
is "$(ct_count $M)" 250000 "the table is as it was"

# A deadline: the sample stops in time and says so.
out=$(probe $M -c 10000000 -t 2 composition)
like "$(line "$out" "composition: ")" "before the time ran out" "a 2 ms deadline: the line says the time ran out"
like "$out" "^cost: sampled=[0-9]+ end=deadline seconds=0\.00[0-9]+ " "a 2 ms deadline: stopped within milliseconds"

# Unprivileged: cannot tell, and why.
out=$(ip netns exec $M setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$tmp/probe" composition 2>&1)
is "$(line "$out" "composition: ")" "composition: cannot tell (ctnetlink: permission denied (needs CAP_NET_ADMIN))" "nobody: cannot tell, needs CAP_NET_ADMIN"
ip netns del $M
done_testing
