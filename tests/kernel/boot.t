#!/usr/bin/env bash
# The real kernel: what brings tracking back at boot, beside the running state. A namespace of
# its own with entries; the plugin reads the fixture roots (CentOS 6: IPTABLES_MODULES, saved
# rules with state matches, a modprobe.d hashsize; Debian; none) under --root, only when the
# table is under pressure or with -v, and puts this kernel's buckets next to the hash size boot
# sets. (Tracking off cannot be made here: nf_conntrack is loaded for the whole host. That case
# is tests/fixtures/subchecks.t and tests/unit/test_subchecks.c.)
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

N=ct-boot-b-$$
R=$FIX/trees
tmp=$(mktemp -d)
cleanup() {
	ip netns del $N 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
ip netns add $N
fill_assured $N 100
is "$(ct_count $N)" 100 "the namespace holds 100 entries"
buckets=$(ip netns exec $N cat /proc/sys/net/netfilter/nf_conntrack_buckets)

run --netns=$N --root=$R/boot-centos6
is "$rc" 0 "100 entries, default thresholds: OK"
unlike "$out" "boot:" "OK: no boot line (the boot configuration is not read)"

# -w 50: 100 entries alert, the table is under pressure.
run --netns=$N --root=$R/boot-centos6 -w 50 -c 1000
is "$rc" 1 "-w 50 with 100 entries: WARNING"
unlike "$first" "comes back after a reboot" "tracking is on: nothing 'comes back'"
like "$out" $'\n'"boot: /etc/sysconfig/iptables-config line 5 loads nf_conntrack_ipv4, nf_conntrack_ftp, ip_nat_irc when the iptables service starts \(IPTABLES_MODULES\)"$'\n' "under pressure: IPTABLES_MODULES named, file and line"
like "$out" $'\n'"boot: /etc/sysconfig/iptables loads tracking when it is restored: 2 lines \(-m state, first on line 6\)"$'\n' "under pressure: the saved rules with state matches"
like "$out" $'\n'"boot: /etc/modprobe.d/nf_conntrack.conf line 2 sets hashsize=131072 when nf_conntrack loads \(the limit then starts at 8 times the buckets until sysctl sets it\), $buckets buckets now"$'\n' "under pressure: the hash size boot sets, next to this kernel's $buckets buckets"
unlike "$out" $'\n'"advice: empty IPTABLES_MODULES" "tracking is on: no advice to keep it off"

run --netns=$N --root=$R/boot-debian -v
like "$out" $'\n'"boot: /etc/modules-load.d/conntrack.conf line 1 loads nf_conntrack at boot"$'\n' "-v, Debian: modules-load.d"
like "$out" $'\n'"boot: /etc/nftables.conf loads tracking when it is restored: 1 line \(ct state, first on line 9\)"$'\n' "-v, Debian: nftables.conf"
like "$out" $'\n'"boot configuration under $R/boot-debian read: 8 findings"$'\n' "-v: the trace says it was read"
run --netns=$N --root=$R/boot-none -v
like "$out" $'\n'"boot: no boot configuration read here loads tracking \(iptables-config, modules-load.d, /etc/modules, saved rulesets\), services that write rules when they start still may"$'\n' "-v, a root that loads nothing: said"
done_testing
