#!/usr/bin/env bash
# The real kernel: a new namespace never inherits a deleted one's baseline (the kernel reuses
# namespace inode numbers; the state is kept by the namespace cookie), and --netns=all with
# namespaces coming and going leaves a bounded number of state files.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

# Every namespace made here is ctk-st*-$$: cleanup deletes them all, whatever failed.
cleanup() {
	for n in $(ip netns list | awk '{print $1}' | grep -- "^ctk-st.*-$$\$"); do ip netns del "$n"; done
	rm -rf "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
ino() { stat -L -c %i "/run/netns/$1"; }
# The file a run kept its namespace's baseline in (-vv says it).
state_file() { printf '%s\n' "$1" | sed -nE 's|^state of namespace .* in .*/([^/]+)$|\1|p' | head -1; }
S=$MP_STATE_PATH/0/check_conntrack

# --- A new namespace with a deleted one's inode number: first run -------------------------
old=ctk-st-old-$$
ip netns add $old
run --netns=$old
like "$out" "counters: first run, baseline saved" "namespace $old: first run"
run --netns=$old -vv
like "$out" "since last check" "namespace $old: the second run compares"
old_file=$(state_file "$out")
like "$old_file" "\.cookie-[0-9]+$" "namespace $old: its state is kept by the namespace cookie ($old_file)"
old_ino=$(ino $old)
ip netns del $old
# The same name again (the same check) for a new namespace, with the dead one's inode number:
# the kernel gives out the lowest free number, once the dead namespace is cleaned up (in the
# background: seconds on a busy host). A UTS namespace made and gone at once shows the lowest
# free number without keeping it: wait while it is above the dead one's; a lower free number is
# filled with a network namespace kept alive under another name.
lowest_free() { unshare -u stat -L -c %i /proc/self/ns/uts; }
reused=no
for i in $(seq 300); do
	if [ "$(lowest_free)" -gt "$old_ino" ]; then
		sleep 0.1
		continue
	fi
	ip netns add $old
	[ "$(ino $old)" = "$old_ino" ] && reused=yes && break
	touch /run/netns/ctk-st-keep$i-$$
	mount --bind /run/netns/$old /run/netns/ctk-st-keep$i-$$
	ip netns del $old
done
[ -e /run/netns/$old ] || ip netns add $old
echo "# the new $old has inode $(ino $old); the deleted one had $old_ino (reused: $reused)"
run --netns=$old -vv
new_file=$(state_file "$out")
like "$out" "counters: first run, baseline saved" "a new namespace under the same name: first run"
ok $([ -n "$new_file" ] && [ "$new_file" != "$old_file" ]; echo $?) "the new namespace's state is another file ($new_file, was $old_file)"
like "$new_file" "\.cookie-[0-9]+$" "the new namespace's state is kept by its own cookie"
if [ $reused = yes ]; then
	unlike "$out" "since last check" "a new namespace with the dead one's inode: no comparison with the dead one's counters"
else
	echo "ok $((_n += 1)) # SKIP the kernel did not hand out inode $old_ino again within 100 namespaces"
fi

# --- --netns=all with namespaces coming and going: bounded state ---------------------------
for n in $(ip netns list | awk '{print $1}' | grep -- "^ctk-st.*-$$\$"); do ip netns del "$n"; done
rm -rf "$S"
# Every file but the locks, the rules caches and the sysctl.d answer keeps one namespace's counters.
baselines() { ls "$S" | grep -cvE '\.lock$|^nft-rules-|^sysctl-boot-'; }
# The rules cache of each namespace, named by its cookie, and the cache's lock.
caches() { ls "$S" | grep -cE '^nft-rules-cookie-[0-9]+$'; }
cache_locks() { ls "$S" | grep -cE '^nft-rules-cookie-[0-9]+\.lock$'; }
excess=() cache_excess=()
for round in $(seq 30); do
	ip netns add ctk-st-c$round-a-$$
	ip netns add ctk-st-c$round-b-$$
	prev=$((round - 1))
	ip netns del ctk-st-c$prev-a-$$ 2>/dev/null
	ip netns del ctk-st-c$prev-b-$$ 2>/dev/null
	run --netns=all
	seen=$(printf '%s\n' "$first" | sed -nE 's/.*\(fullest of ([0-9]+) namespaces.*/\1/p')
	excess+=($(($(baselines) - ${seen:-0})))
	cache_excess+=($(($(caches) - ${seen:-0})) $(($(cache_locks) - ${seen:-0})))
done
echo "# baselines beyond the live namespaces after each of 30 rounds: ${excess[*]}"
is "$(printf '%s\n' "${excess[@]}" | sort -n | tail -1)" 0 "30 rounds of namespaces coming and going: never more baselines than live namespaces"
echo "# rules caches and their locks beyond the live namespaces: ${cache_excess[*]}"
is "$(printf '%s\n' "${cache_excess[@]}" | sort -n | tail -1)" 0 "30 rounds: never more rules caches (nor their locks) than live namespaces"
ok $([ "$(caches)" -gt 0 ]; echo $?) "the rules caches are there to count ($(caches) of them)"
# (The run also keeps one answer of the sysctl.d files, and its lock: only the baselines' locks
# are counted next.)
is "$(ls "$S" | grep -c '^opts-.*\.lock$')" 1 "one baseline lock file: one check definition"
like "$out" $'\n'"netns ctk-st-c30-a-$$: OK - " "the last round's namespaces were checked"

done_testing
