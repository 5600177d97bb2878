#!/usr/bin/env bash
# The real kernel: several namespaces holding known counts, summed with their kernel memory by
# the memory module (tests/kernel/probe.c enters each as --netns does) and by the plugin under
# --netns=all: the memory: line and perfdata entries_total, a lower bound as nobody.
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
like "$out" "^memory: 6000 entries in 3 namespaces hold [0-9.]+ (KiB|MiB) of kernel memory \($size bytes each, the nf_conntrack slab's object size\), each may hold $MAX on its own: up to [0-9.]+ (MiB|GiB) for these$" "the line: total, memory at the slab's size, each namespace's own limit"
b=$((6000 * size)) u=$((b >= 1048576 ? 1048576 : 1024))
mem="$((b / u)).$(((b % u / (u / 1024) * 10 + 512) / 1024)) $([ $u -eq 1024 ] && echo KiB || echo MiB)"
like "$out" "hold $mem of kernel memory" "6000 x $size bytes = $mem"
out=$("$PROBE" memory $A no-such-ns-$$ $C 2>&1)
like "$out" "^memory: 4000 entries in 2 namespaces hold at least [0-9.]+ KiB .*, 1 more namespace could not be read$" "a namespace that cannot be entered: a lower bound, said"
like "$out" "^perfdata: entries_total=4000$" "entries_total of those read"

# The plugin under --netns=all. It would see every namespace of the host, so it runs in $A, in a
# mount and PID namespace of its own: /run/netns there holds $A, $B and $C only (bound aside,
# a tmpfs over /run/netns, bound back), /proc is the new PID namespace's (the plugin and its
# parent are its only processes, both in $A).
cat >"$tmp/inner.sh" <<'EOF'
#!/bin/bash
set -e
keep=$1 user=$2
shift 2
for n in "$@"; do touch "$keep/$n"; mount --bind "/run/netns/$n" "$keep/$n"; done
mount -t tmpfs ct-netns /run/netns
for n in "$@"; do touch "/run/netns/$n"; mount --bind "$keep/$n" "/run/netns/$n"; done
mount -t proc proc /proc
if [ "$user" = root ]; then exec "$PLUGIN" --netns=all --state-dir="$keep/state-root" $ARGS; fi
exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$PLUGIN" --netns=all --state-dir="$keep/state-nobody" $ARGS
EOF
chmod 755 "$tmp" "$tmp/inner.sh"
mkdir -m 711 "$tmp/keep"
mkdir -m 700 "$tmp/keep/state-nobody"
chown nobody "$tmp/keep/state-nobody"
all() { # USER [ARGS]: the plugin under --netns=all as USER, seeing $A (its own), $B and $C
	out=$(ip netns exec $A unshare -m -p -f --propagation private \
		env PLUGIN="$PLUGIN" ARGS="${2:-}" "$tmp/inner.sh" "$tmp/keep" "$1" $A $B $C 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
all root
is "$rc" 0 "plugin, --netns=all: OK"
like "$first" "\(fullest of 3 namespaces\)" "plugin: the three namespaces, and only those"
like "$first" " chaintoolong=[0-9]+c( time_to_full=[0-9]+s)?( expect=[^ ]+)? entries_total=6000 " "plugin: perfdata entries_total=6000, after the plain labels"
like "$out" $'\n'"memory: 6000 entries in 3 namespaces hold [0-9.]+ (KiB|MiB) of kernel memory \($size bytes each, the nf_conntrack slab's object size\), each may hold $MAX on its own: up to [0-9.]+ (MiB|GiB) for these"$'\n' "plugin: the memory: line"
like "$out" "hold $mem of kernel memory" "plugin: 6000 x $size bytes = $mem"
# Each namespace's own files: read in one namespace, none may stand for the next.
for n in "$A 1000" "$B 2000" "$C 3000"; do
	like "$out" $'\n'"netns ${n% *}: [A-Z]+ - ${n#* } of [0-9]+ entries" "plugin: ${n% *} holds ${n#* }"
done
# Past the first namespace the count comes over netlink (one request), not from that namespace's
# sysctl directory, and it is still each namespace's own (above); the limit is the host's.
all root -v
is "$(printf '%s\n' "$out" | grep -cE "entries = (2000|3000) and max = $MAX from netlink \(ctnetlink statistics\)")" 2 \
	"-v: $B and $C counted over netlink, with the host's limit"
is "$(printf '%s\n' "$out" | grep -cE "entries = 1000 from .*/sys/net/netfilter/nf_conntrack_count")" 1 \
	"-v: the first namespace ($A) read from its sysctl files"
all root --output-format=multi-line
like "$out" $'\n\t'"\\\\_\[OK\] - memory: 6000 entries in 3 namespaces"$'\n' "multi-line: the memory section"
like "$out" "'entries_total'=6000;;;" "multi-line: entries_total in the perfdata"
all nobody
is "$rc" 3 "plugin as nobody: UNKNOWN (namespaces it cannot enter)"
like "$out" $'\n'"memory: 1000 entries in 1 namespace hold at least [0-9.]+ KiB of kernel memory .*, 2 more namespaces could not be read"$'\n' "plugin as nobody: its own namespace summed, a lower bound said as such"
unlike "$first" "entries_total" "plugin as nobody: no entries_total (a lower bound is not graphed)"
done_testing
