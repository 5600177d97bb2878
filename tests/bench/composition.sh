#!/usr/bin/env bash
# The composition sample at 250,000 entries: how close its shares come to conntrack -L, and what
# it costs. Fills NAMESPACES (default 5) namespaces one after the other with the same known mix
# (60% unreplied UDP to port 53, 10% the same over IPv6, 20% TIME_WAIT, 10% ESTABLISHED), each with
# its own hash order (the bucket of an entry depends on its namespace), samples each at several
# caps with tests/kernel/compose_probe.c and compares every class share with conntrack -L's count.
# Prints a markdown report on stdout. Needs root; changes no host-wide setting.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
K=${NAMESPACES:-5}
CAPS=${CAPS:-1000 5000 20000}
NS=ct-cmpb-$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
die() {
	echo "composition.sh: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
exec 9>/run/lock/check_conntrack-kernel.lock
flock 9
make -s -C "$TOP" libcheck.a >/dev/null || die "cannot build libcheck.a"
cc -std=c11 -D_GNU_SOURCE -O2 -o "$tmp/fill" "$TOP/tests/bench/fill.c" -lmnl || die "fill"
cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP/common" -I"$TOP/plugins/check_conntrack.d" \
	-o "$tmp/probe" "$TOP/tests/kernel/compose_probe.c" "$TOP/libcheck.a" -lmnl -lm ||
	die "probe"

# rss KB and wall ms of one probe run: "rss ms"
measure() {
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$tmp/rss" ip netns exec "$NS" "$tmp/probe" "$@" >"$tmp/out"
	t1=$(date +%s%N)
	echo "$(cat "$tmp/rss") $(((t1 - t0) / 1000000))"
}

echo "| namespace | cap | worst class error (points) | mean error | dump time (ms) |"
echo "|---|---|---|---|---|"
for i in $(seq "$K"); do
	ip netns add "$NS"
	for k in udp53:150000 udp53v6:25000 timewait:50000 established:25000; do
		ip netns exec "$NS" "$tmp/fill" -k "${k%:*}" 0 "${k#*:}" >/dev/null
	done
	n=$(ip netns exec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count)
	[ "$n" = 250000 ] || die "namespace $i holds $n entries, not 250000"
	ip netns exec "$NS" conntrack -L 2>/dev/null | awk '{
		if ($1 == "tcp") c = "tcp " $4
		else c = $1 " " (/UNREPLIED/ ? "unreplied" : /ASSURED/ ? "assured" : "replied")
		n[c]++
	} END { for (c in n) print c, n[c] }' >"$tmp/truth"
	for cap in $CAPS; do
		ip netns exec "$NS" "$tmp/probe" -c "$cap" classes >"$tmp/sample"
		awk -v cap="$cap" -v ns="$i" 'NR == FNR { t[$1 " " $2] = $3; next }
			$1 == "class" { s[$2 " " $3] = $4 }
			$1 == "sampled" { secs = $6 }
			END { for (c in t) { d = (s[c] + 0) / cap * 100 - t[c] / 2500; if (d < 0) d = -d
				if (d > w) w = d; sum += d; k++ }
				printf "| %d | %d | %.2f | %.2f | %.1f |\n", ns, cap, w, sum / k, secs * 1000 }' \
			"$tmp/truth" "$tmp/sample"
	done
	if [ "$i" = 1 ]; then
		read -r rss_cap ms_cap < <(measure composition)
		cost_cap=$(grep '^cost:' "$tmp/out")
		line=$(grep -m1 '^composition: ' "$tmp/out")
		read -r rss_all ms_all < <(measure -c 10000000 composition)
		cost_all=$(grep '^cost:' "$tmp/out")
		read -r rss_one ms_one < <(measure -c 1 composition)
		t0=$(date +%s%N)
		/usr/bin/time -f "%M" -o "$tmp/rss" ip netns exec "$NS" conntrack -L >/dev/null 2>&1
		ms_l=$((($(date +%s%N) - t0) / 1000000))
		rss_l=$(cat "$tmp/rss")
	fi
	ip netns del "$NS"
done
echo
echo "Cost at 250,000 entries (namespace 1; the probe is one process: the sample, its phrase, exit):"
echo
echo "| run | wall (ms) | peak RSS (KB) | probe's own figures |"
echo "|---|---|---|---|"
echo "| sample of 1 entry (baseline) | $ms_one | $rss_one | |"
echo "| sample of 5000 (default cap) | $ms_cap | $rss_cap | ${cost_cap#cost: } |"
echo "| whole table (250,000) | $ms_all | $rss_all | ${cost_all#cost: } |"
echo "| conntrack -L >/dev/null | $ms_l | $rss_l | |"
echo
echo "Line: $line"
