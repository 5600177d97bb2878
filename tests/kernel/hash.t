#!/usr/bin/env bash
# The real kernel: the hash module's read path in a fresh namespace (limit, buckets and the
# chaintoolong counter as this kernel has them), through the probe and through the plugin. The
# 16-entries-per-bucket case is a fixture (tests/fixtures/trees/hash-16x, tests/unit/test_hash.c,
# tests/fixtures/subchecks.t): the host's limit is never changed.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"
. "$(dirname "$0")/../lib/probe.sh"

N=ct-boot-h-$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del $N 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
build_probe "$tmp"
ok $? "tests/kernel/probe.c builds"
ip netns add $N
fill_assured $N 500
buckets=$(ip netns exec $N cat /proc/sys/net/netfilter/nf_conntrack_buckets)
ok $(test -n "$buckets"; echo $?) "the namespace shows nf_conntrack_buckets ($buckets)"
out=$(ip netns exec $N "$PROBE" hash 2>&1)
ratio=$(awk -v m=$MAX -v b=$buckets 'BEGIN { r = m / b; if (r >= 10 || r == int(r)) printf "%.0f", r; else printf "%.1f", r }')
like "$out" "^hash: $ratio entr(y|ies) per bucket at the limit \($MAX / $buckets buckets\)" "the limit and buckets this kernel has, as a ratio"
if head -1 /proc/net/stat/nf_conntrack | grep -qw chainlength; then
	like "$out" ", chaintoolong is compared from the next check on$" "5.15 on: chaintoolong read, compared next time"
	prev=$(printf '%s\n' "$out" | sed -n 's/^chaintoolong: //p')
	out=$(ip netns exec $N "$PROBE" hash "$prev" 2>&1)
	like "$out" ", no chain too long since the last check$" "5.15 on: unchanged since the last check"
else
	like "$out" ", this kernel does not count chains too long \(5.15 on\)$" "before 5.15: said"
fi
if awk -v m=$MAX -v b=$buckets 'BEGIN { exit !(m / b <= 8) }'; then
	unlike "$out" "^advice:" "a layout the kernel made: no advice"
fi

# The plugin reads the same: quiet by default on a layout the kernel made, the line with -v, and
# chaintoolong compared with its own last run.
run --netns=$N
if awk -v m=$MAX -v b=$buckets 'BEGIN { exit !(m / b <= 8) }'; then
	unlike "$out" "hash:" "plugin: a layout the kernel made: no hash line by default"
else
	like "$first" ", $ratio entries per hash bucket at the limit" "plugin: a crowded hash in the summary"
fi
run --netns=$N -v
like "$out" $'\n'"hash: $ratio entr(y|ies) per bucket at the limit \($MAX / $buckets buckets\)" "plugin -v: the hash: line, this kernel's limit and buckets"
if head -1 /proc/net/stat/nf_conntrack | grep -qw chainlength; then
	like "$out" $'\n'"hash: .*, no chain too long since the last check"$'\n' "plugin -v, 5.15 on: chaintoolong compared with the last run"
	like "$first" " chaintoolong=[0-9]+c" "plugin: chaintoolong in the perfdata"
else
	like "$out" $'\n'"hash: .*, this kernel does not count chains too long \(5.15 on\)"$'\n' "plugin -v, before 5.15: said"
fi
done_testing
