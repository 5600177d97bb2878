#!/usr/bin/env bash
# The real kernel: the composition sample and the timeouts it names, held against conntrack -L.
# Tables full of unreplied UDP to port 53 and of TIME_WAIT, each filled to the real
# nf_conntrack_max in a namespace of its own; a 230,000-entry mix of a known make-up to measure
# the sample's shares; a dump cut short, a deadline, an unprivileged run. The collectors through
# tests/kernel/compose_probe.c, and the plugin itself on each table: the composition sampled
# under pressure only (full, or drops since the last check) and only with CAP_NET_ADMIN, its
# shares against conntrack -L, the timeouts of the namespace, full addresses at -vv only.
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
make -s -C "$TOP" libcheck.a plugins/check_conntrack >/dev/null
CT_CAP=$(sed -n 's/^#define CT_COMPOSITION_CAP \([0-9]*\).*/\1/p' "$TOP/plugins/check_conntrack.d/composition.h")
cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP/common" -I"$TOP/plugins/check_conntrack.d" \
	-o "$tmp/probe" "$TOP/tests/kernel/compose_probe.c" "$TOP/libcheck.a" \
	$(pkg-config --cflags --libs libmnl) -lm
ok $? "tests/kernel/compose_probe.c builds against libcheck.a"
host_udp=$(cat /proc/sys/net/netfilter/nf_conntrack_udp_timeout)
probe() { local ns=$1; shift; ip netns exec "$ns" "$tmp/probe" "$@"; }
line() { printf '%s\n' "$1" | grep -m1 "^$2"; }
# truth NS: each class's count by conntrack -L ("tcp TIME_WAIT 50000"), sorted. A listing that
# failed part way (conntrack -L exits non-zero: a dump of 262,144 entries on a busy machine can
# overrun its socket buffer) is no truth: asked again, three times at most, each failure said.
truth() {
	local try list
	for try in 1 2 3; do
		list=$(ip netns exec "$1" conntrack -L 2>"$tmp/truth.err") && break
		echo "# conntrack -L in $1 failed (try $try): $(head -c 200 "$tmp/truth.err")" >&2
	done
	printf '%s\n' "$list" | awk 'NF {
		if ($1 == "tcp") c = "tcp " $4
		else c = $1 " " (/UNREPLIED/ ? "unreplied" : /ASSURED/ ? "assured" : "replied")
		n[c]++
	} END { for (c in n) print c, n[c] }' | sort
}
# share OUT CLASS: the percentage the plugin's composition lines give a class ("udp unreplied"
# from the headline or the protocols and reply lines, "tcp STATE" from the tcp states line).
share() {
	case $2 in
	tcp\ *) printf '%s\n' "$1" | grep -m1 '^composition: tcp states: ' | grep -oE " ${2#tcp } [0-9]+%" ;;
	*) printf '%s\n' "$1" | grep -m1 -oE "^composition: [0-9]+% $2" ;;
	esac | grep -oE '[0-9]+%' | tr -d %
}
# within GOT WANT TOL: |GOT - WANT| <= TOL (percentage points)
within() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; }
ST=$tmp/state

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
is "$(line "$out" "timeouts: ")" "timeouts: 100% of sampled entries are udp unreplied, held by nf_conntrack_udp_timeout = 45 (45 s): datagrams that got no answer yet (DNS to a dead or slow server, scans, one-way traffic such as syslog): lowering it frees them sooner, but an answer later than the new value is then dropped by a stateful rule. Exempting such traffic from tracking (notrack) removes the entries altogether (sysctl -w net.netfilter.nf_conntrack_udp_timeout=SECONDS)" "UDP 53 table: the timeout of this namespace, 45 s, and its trade-off"
is "$(line "$out" "summary: ")" "summary: udp unreplied entries live 45 s idle (nf_conntrack_udp_timeout)" "UDP 53 table: the summary fragment"
is "$(cat /proc/sys/net/netfilter/nf_conntrack_udp_timeout)" "$host_udp" "the host's own udp timeout is untouched ($host_udp)"

# The plugin on the full UDP 53 table: CRITICAL, so under pressure; privileged: sampled.
run --netns=$U --state-dir=$ST
is "$rc" 2 "plugin, UDP 53 table: CRITICAL (full)"
like "$first" "^CONNTRACK CRITICAL - netns $U: $MAX of $MAX entries \(100\.0%\)[^;]*, 100% udp unreplied, 100% to port 53, 100% from 10\.1\.2\.0/24 \($CT_CAP of $MAX sampled\), " "plugin: the composition's headline in the summary"
is "$(line "$out" "composition: ")" "composition: 100% udp unreplied, 100% to port 53, 100% from 10.1.2.0/24 ($CT_CAP of $MAX sampled)" "plugin: the composition: line"
is "$(line "$out" "composition: destination ports: ")" "composition: destination ports: 53/udp 100%" "plugin: one destination port"
like "$(line "$out" "timeouts: ")" "^timeouts: 100% of sampled entries are udp unreplied, held by nf_conntrack_udp_timeout = 45 \(45 s\): datagrams that got no answer yet" "plugin: the namespace's own udp timeout (45 s) and its trade-off"
# Above 95% of the limit the kernel's garbage collector evicts unassured entries on its own: the
# count may have dropped a little since, but every entry is still of the one class.
like "$(truth $U | tr '\n' ';')" "^udp unreplied [0-9]+;$" "conntrack -L: every entry udp unreplied"
echo "# $first"

# Below its thresholds, with no drop since the last check: not under pressure, no sample.
high="-w $((MAX + 1)) -c $((MAX + 2)) --state-key=calm"
run --netns=$U --state-dir=$ST $high
is "$rc" 0 "count thresholds above the limit: OK"
unlike "$out" "composition|timeouts" "first run, no baseline, not at a threshold: no sample, nothing said"
run --netns=$U --state-dir=$ST $high
unlike "$out" "composition|timeouts" "no drop since the last check: no sample"
# New flows through a stateful rule into the full table: each evicts an unreplied entry
# (early_drop) or is dropped (drop). Either is pressure. 20,000 of them: the garbage collector may
# have freed up to 5% of the limit (13,107) meanwhile, and the rest still meet a full table.
ip -n $U link set lo up
ip netns exec $U nft -f - <<'NFT'
table inet t {
	chain out { type filter hook output priority 0; ct state new accept; }
	chain in { type filter hook input priority 0; ip daddr 127.1.0.0/16 udp dport 1024-2047 drop; }
}
NFT
ed0=$(ct_stat $U early_drop) d0=$(ct_stat $U drop)
new_flows $U 0 20000
run --netns=$U --state-dir=$ST $high --output-format=multi-line
ed=$(($(ct_stat $U early_drop) - ed0)) d=$(($(ct_stat $U drop) - d0))
ok $((ed + d >= 20000 - 13107 ? 0 : 1)) "20,000 new flows in the full table: early_drop +$ed, drop +$d"
like "$out" "\\_\[OK\] - composition: sampled under pressure \((\+[0-9]+ drop)?(, )?(\+[0-9]+ early_drop)? since the last check\)$" "drops since the last check, below the thresholds: under pressure, sampled"
like "$out" "^\[(OK|WARNING|CRITICAL)\] - netns $U: [0-9]+ of $MAX entries \((9[5-9]|100)\.[0-9]%\), [^|]*, (>99|100)% udp unreplied, " "... its headline in the summary"

# Unprivileged (no CAP_NET_ADMIN): nothing said without -v; with -v, why not.
mkdir -p $tmp/nobody && chown nobody $tmp/nobody
asnobody() { ip netns exec $U setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" --state-dir=$tmp/nobody "$@" 2>&1; }
out=$(asnobody)
like "$out" "^CONNTRACK CRITICAL - [0-9]+ of $MAX entries" "nobody: CRITICAL all the same"
unlike "$out" "composition" "nobody: no composition, nothing said"
out=$(asnobody -v)
like "$out" $'\n'"composition: not sampled \(ctnetlink needs CAP_NET_ADMIN\)"$'\n' "nobody -v: says why not"
like "$out" $'\n'"timeouts: tcp established [0-9]+ s .*, udp 45 s, " "nobody -v: the namespace's timeouts, readable by anyone"
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

# The plugin on the full TIME_WAIT table.
tw=$(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait)
run --netns=$T --state-dir=$ST
is "$rc" 2 "plugin, TIME_WAIT table: CRITICAL (full)"
like "$first" ", 100% tcp TIME_WAIT, 100% to port 80 \($CT_CAP of $MAX sampled\), " "plugin: the headline in the summary (no source prefix dominates)"
is "$(line "$out" "composition: tcp states: ")" "composition: tcp states: TIME_WAIT 100%" "plugin: the tcp states"
like "$(line "$out" "composition: source prefixes: ")" "^composition: source prefixes: 10\.2\.[0-9]+\.0/24 <1%, " "plugin: sources aggregated to /24s"
unlike "$out" "^composition: (source|destination) addresses" "plugin: no full address without -vv"
like "$(line "$out" "timeouts: ")" "^timeouts: 100% of sampled entries are tcp TIME_WAIT, held by nf_conntrack_tcp_timeout_time_wait = $tw \(2 min\): lowering it frees closed connections sooner" "plugin: the TIME_WAIT timeout and its trade-off"
is "$(truth $T | tr '\n' ';')" "tcp TIME_WAIT $MAX;" "conntrack -L: every entry in TIME_WAIT"
run --netns=$T --state-dir=$ST -vv
is "$(line "$out" "composition: destination addresses: ")" "composition: destination addresses: 10.80.0.80 100%" "plugin -vv: full addresses"
echo "# $first"
ip netns del $T

# A mix of a known make-up: 230,000 entries, the sample's shares against conntrack -L. Below 95%
# of the limit: above it the kernel's garbage collector evicts unassured entries (the unreplied
# UDP here) on its own, and the table would not stay as made.
ip netns add $M
for k in udp53:138000 udp53v6:23000 timewait:46000 established:23000; do
	ip netns exec $M "$FILL" -k "${k%:*}" 0 "${k#*:}" >/dev/null
done
is "$(ct_count $M)" 230000 "$M: 230,000 entries (60% udp 53, 10% udp 53 over IPv6, 20% TIME_WAIT, 10% ESTABLISHED)"
truth $M >"$tmp/truth"
is "$(tr '\n' ';' <"$tmp/truth")" "tcp ESTABLISHED 23000;tcp TIME_WAIT 46000;udp unreplied 161000;" "conntrack -L agrees with the make-up"
# Tolerance: 3 points. The dump walks the hash buckets, and an entry's bucket is a keyed hash of
# its tuple, so the first N entries are a uniform sample; at N = 5000 one standard error is at
# most 0.71 points, so 3 points is over 4 of them.
for cap in 1000 5000 20000; do
	probe $M -c $cap classes >"$tmp/sample"
	worst=$(awk -v cap=$cap 'NR == FNR { t[$1 " " $2] = $3; next }
		$1 == "class" { s[$2 " " $3] = $4 }
		END { for (c in t) { d = (s[c] + 0) / cap * 100 - t[c] / 2300; if (d < 0) d = -d; if (d > w) w = d }
			printf "%.2f", w }' "$tmp/truth" "$tmp/sample")
	tol=3
	[ $cap = 1000 ] && tol=5
	awk -v w=$worst -v t=$tol 'BEGIN { exit !(w <= t) }'
	ok $? "cap $cap: every class share within $tol points of conntrack -L (worst $worst)"
done
out=$(probe $M composition)
like "$(line "$out" "composition: ")" "^composition: (6[7-9]|7[0-3])% udp unreplied, (6[7-9]|7[0-3])% to port 53, (5[7-9]|6[0-3])% from 10\.1\.2\.0/24 \(5000 of 230000 sampled\)$" "mix: the composition line"
like "$out" "^composition: source prefixes: 10\.1\.2\.0/24 [0-9]+%, .*fd00:1:2:3::/64 ([89]|1[0-2])%" "mix: IPv6 sources aggregated to /64"
echo "# $(line "$out" "composition: ")"
echo "# $(line "$out" "cost: ")"

# The plugin on the mix (87.7% full: WARNING, under pressure): its shares against conntrack -L,
# within the same 3 points.
run --netns=$M --state-dir=$ST
is "$rc" 1 "plugin, the mix: WARNING (87.7%)"
for c in "udp unreplied:161000" "tcp TIME_WAIT:46000" "tcp ESTABLISHED:23000"; do
	got=$(share "$out" "${c%:*}")
	want=$(awk -v n="${c#*:}" 'BEGIN { printf "%.1f", n / 2300 }')
	within "$got" "$want" 3
	ok $? "plugin: ${c%:*} ${got}% of the sample, conntrack -L ${want}%: within 3 points"
done
like "$(line "$out" "composition: source prefixes: ")" "10\.1\.2\.0/24 [0-9]+%, .*fd00:1:2:3::/64 ([89]|1[0-2])%" "plugin: IPv6 sources aggregated to /64"
echo "# $(line "$out" "composition: ")"
echo "# $(line "$out" "composition: tcp states: ")"
run --netns=$M --state-dir=$ST -w 230001 -c 230002 --state-key=calm
unlike "$out" "composition" "plugin, the mix below count thresholds: no sample"

# The cost of reading every entry, for comparison: the whole 230,000.
out=$(probe $M -c 10000000 composition)
like "$out" "^cost: sampled=230000 end=whole " "the whole table read when the cap allows"
echo "# whole table: $(line "$out" "cost: ")"
t0=$(date +%s%N)
ip netns exec $M conntrack -L >/dev/null 2>&1
echo "# conntrack -L of the same table: $((($(date +%s%N) - t0) / 1000000)) ms"

# A dump cut short leaves nothing behind: counters and a whole dump on a fresh socket work.
out=$(probe $M reuse)
like "$out" "^first: rc=0 sampled=10 end=cap socket=closed$" "cut short at 10 entries: the socket is closed"
like "$out" "^counters: rc=0 read$" "then a counters request on a fresh socket is answered"
like "$out" "^second: rc=0 sampled=230000 end=whole socket=open" "then a whole dump on it reads all 230,000 entries"
is "$(ct_count $M)" 230000 "the table is as it was"

# A deadline: the sample stops in time and says so.
out=$(probe $M -c 10000000 -t 2 composition)
like "$(line "$out" "composition: ")" "before the time ran out" "a 2 ms deadline: the line says the time ran out"
like "$out" "^cost: sampled=[0-9]+ end=deadline seconds=0\.00[0-9]+ " "a 2 ms deadline: stopped within milliseconds"

# Unprivileged: cannot tell, and why.
out=$(ip netns exec $M setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$tmp/probe" composition 2>&1)
is "$(line "$out" "composition: ")" "composition: cannot tell (ctnetlink: permission denied (needs CAP_NET_ADMIN))" "nobody: cannot tell, needs CAP_NET_ADMIN"
ip netns del $M
done_testing
