#!/usr/bin/env bash
# README's Quick start sample is what a first run prints: the plugin run as the README runs it,
# with default options, in a fresh namespace (no rules, no entries), its output held to the
# sample line by line with every number made N (the limit and the buckets are the host's).
# Then a second run: what the next ones print instead of the baseline line.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

N=ct-readme-$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del "$N" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$N"
ok $? "a fresh namespace"

# The block after "The first ends with the check's answer", four spaces in, up to a blank line.
sample=$(awk '/^The first ends with the check.s answer/ { on = 1; next }
	on && /^    / { sub(/^    /, ""); print; seen = 1; next }
	on && seen && /^$/ { exit }' "$TOP/README")
ok $((!($(printf '%s\n' "$sample" | grep -c .) >= 2))) "README: the Quick start sample found ($(printf '%s\n' "$sample" | grep -c .) lines)"
numbers() { sed -E 's/[0-9]+(\.[0-9]+)?/N/g'; }
out=$(ip netns exec "$N" "$PLUGIN" --state-dir="$tmp")
rc=$?
is "$rc" 0 "a first run in a fresh namespace: OK"
is "$(printf '%s\n' "$out" | numbers)" "$(printf '%s\n' "$sample" | numbers)" "README's Quick start sample is a first run, number for number in shape"
is "$(printf '%s\n' "$out" | sed -n 1p | sed 's/ | .*//')" "$(printf '%s\n' "$sample" | sed -n 1p | sed 's/ | .*//' | sed -E "s/262144/$(cat /proc/sys/net/netfilter/nf_conntrack_max)/")" "... and its summary word for word (the limit this host's)"
out=$(ip netns exec "$N" "$PLUGIN" --state-dir="$tmp")
# (0 s ago, or 1 where the two runs fall on either side of a second's turn.)
like "$out" $'\n'"since last check \([01] s ago, counters from netlink\): insert_failed \+0, drop \+0, early_drop \+0"$'\n' "the next run: the three watched counters since the last check, no others unchanged"
unlike "$out" "counters: first run" "... no baseline line"
done_testing
