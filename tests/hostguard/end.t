#!/usr/bin/env bash
# Host-wide settings, second half (see tests/hostguard/begin.t): stops the watcher and fails if
# nf_conntrack_max, any other writable sysctl under /proc/sys/net/netfilter or the root
# namespace's firewall rules differed, at any moment of the run, from what begin.t found.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_guard_dir

pid=$(cat "$G/pid" 2>/dev/null)
kill -0 "$pid" 2>/dev/null
ok $? "the watcher (pid $pid) ran until the end of the suites"
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 100); do
	[ -e "$G/summary" ] && break
	sleep 0.05
done
summary() { awk -v k="$1" '$1 == k { print $2 }' "$G/summary" 2>/dev/null; }
n=$(summary samples_max)
ms=$(summary ms)
keys=$(summary keys)
max=$(awk -F'\t' '$1 == "net.netfilter.nf_conntrack_max" { print $2 }' "$G/before" 2>/dev/null)
ok $(((${n:-0} > 0) ? 0 : 1)) "the watcher read nf_conntrack_max $n times in $ms ms"
# changes_of GREP-ARGS: the number of changes the watcher wrote down, each shown as a comment.
changes_of() {
	grep "$@" "$G/changes" | sed 's/^/# changed: /' >&2
	grep -c "$@" "$G/changes"
}
is "$(changes_of ' net\.netfilter\.nf_conntrack_max: ')" 0 \
	"nf_conntrack_max stayed $max at every sample"
is "$(changes_of -v ' net\.netfilter\.nf_conntrack_max: ')" 0 \
	"the other $((${keys:-1} - 1)) writable sysctls under /proc/sys/net/netfilter stayed as found ($(summary samples_all) rounds)"
is "$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null)" "$max" \
	"nf_conntrack_max at the end: $max, as found"
# Keys present at both ends with another value (a change between two rounds would be in changes).
diffs=$(awk -F'\t' 'NR == FNR { was[$1] = $2; next } ($1 in was) && was[$1] != $2 { print $1 ": " was[$1] " -> " $2 }' \
	"$G/before" "$G/after" 2>/dev/null)
is "$diffs" "" "every watched sysctl at the end as at the start"
appeared=$(awk -F'\t' 'NR == FNR { was[$1] = 1; next } !($1 in was) { print $1 }' "$G/before" "$G/after" 2>/dev/null)
[ -n "$appeared" ] && echo "# appeared during the run (nf_conntrack loaded): $(echo $appeared)"
if [ "$(id -u)" -eq 0 ] && [ -e "$G/rules.before" ]; then
	is "$(rules_snapshot)" "$(cat "$G/rules.before")" "the root namespace's firewall rules as found"
else
	echo "ok $((_n += 1)) # SKIP reading the root namespace's rules needs root"
fi
new=$(state_names | LC_ALL=C comm -13 "$G/state.before" -)
is "${new:-none}" none "no suite wrote to the host's default state directories"
# On stderr, so that prove shows it without -v: what the guard saw over the whole run.
echo "# host settings: nf_conntrack_max $max read $n times over $((${ms:-0} / 1000)) s, $keys writable sysctls under /proc/sys/net/netfilter, $(grep -c . "$G/changes") changes" >&2
done_testing
