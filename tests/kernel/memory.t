#!/usr/bin/env bash
# The real kernel: several namespaces holding known counts, summed with their kernel memory by
# the memory module (tests/kernel/probe.c enters each as --netns does).
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"
. "$(dirname "$0")/../lib/probe.sh"

A=ct-boot-ma-$$ B=ct-boot-mb-$$ C=ct-boot-mc-$$
tmp=$(mktemp -d)
cleanup() {
	for n in $A $B $C; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
build_probe "$tmp"
ok $? "tests/kernel/probe.c builds"
for n in $A $B $C; do ip netns add "$n"; done
fill_assured $A 1000
fill_assured $B 2000
fill_assured $C 3000
is "$(ct_count $A) $(ct_count $B) $(ct_count $C)" "1000 2000 3000" "three namespaces hold 1000, 2000, 3000"
size=$(cat /sys/kernel/slab/nf_conntrack/object_size)
out=$("$PROBE" memory $A $B $C 2>&1)
like "$out" "^perfdata: entries_total=6000$" "entries_total=6000"
like "$out" "^memory: 6000 entries in 3 namespaces hold [0-9.]+ (KiB|MiB) of kernel memory \($size bytes each, the nf_conntrack slab's object size\); each may hold $MAX on its own: up to [0-9.]+ (MiB|GiB) for these$" "the line: total, memory at the slab's size, each namespace's own limit"
b=$((6000 * size)) u=$((b >= 1048576 ? 1048576 : 1024))
mem="$((b / u)).$(((b % u / (u / 1024) * 10 + 512) / 1024)) $([ $u -eq 1024 ] && echo KiB || echo MiB)"
like "$out" "hold $mem of kernel memory" "6000 x $size bytes = $mem"
out=$("$PROBE" memory $A no-such-ns-$$ $C 2>&1)
like "$out" "^memory: 4000 entries in 2 namespaces hold at least [0-9.]+ KiB .*; 1 more namespace could not be read$" "a namespace that cannot be entered: a lower bound, said"
like "$out" "^perfdata: entries_total=4000$" "entries_total of those read"
done_testing
