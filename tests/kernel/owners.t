#!/usr/bin/env bash
# The real kernel: kube-proxy-style and Docker-style rulesets, loaded as they write them
# (tests/data/owners, with iptables-nft-restore and iptables-legacy-restore) in namespaces of
# their own; the owners module names who wrote the rules, from every rule the readers count and
# the tables of nftables objects and sets; the plugin (--netns=NAME, as an admin runs it) prints
# the owner: line and fits its advice (-v gives it when OK).
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/probe.sh"

D=$TOP/tests/data/owners
tmp=$(mktemp -d)
cleanup() {
	for n in $(ip netns list | awk '{print $1}' | grep -- "^ct-boot-o.*-$$\$"); do ip netns del "$n"; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_probe "$tmp"
ok $? "tests/kernel/probe.c builds"
mkns() { local n=ct-boot-o$1-$$; ip netns add "$n"; echo "$n"; }
owners() { out=$(ip netns exec "$1" "$PROBE" owners 2>&1); }
plugin() { run --netns="$@"; }

for backend in nft legacy; do
	n=$(mkns kube$backend)
	ip netns exec $n iptables-$backend-restore <"$D/kube-proxy.rules"
	ok $? "kube-proxy ruleset loaded with iptables-$backend-restore"
	owners $n
	like "$out" "^owner: kube-proxy \(KUBE-\* chains\) and kubelet \(KUBE-FIREWALL\) write rules here, rules that need tracking are in their chains$" "$backend: kube-proxy and kubelet named, both with tracking rules"
	like "$out" "^advice: kube-proxy sets nf_conntrack_max when it starts, to --conntrack-max-per-core times the CPUs" "$backend: kube-proxy's advice: it rewrites the limit"
	like "$out" "as a sysctl.d file alone does not last$" "$backend: ... so sysctl.d alone does not last"
	plugin $n
	like "$out" $'\n'"owner: kube-proxy \(KUBE-\* chains\) and kubelet \(KUBE-FIREWALL\) write rules here, rules that need tracking are in their chains"$'\n' "$backend: the plugin names kube-proxy and kubelet"
	unlike "$out" "advice:" "$backend: the plugin, OK: no advice"
	plugin $n -v
	like "$out" $'\n'"advice: kube-proxy sets nf_conntrack_max when it starts, .*as a sysctl.d file alone does not last"$'\n' "$backend: the plugin -v: kube-proxy's advice on where the limit lasts"
	unlike "$out" "sysctl.d/90-conntrack.conf" "$backend: the plugin -v: no sysctl.d advice on a kube-proxy node"
	like "$out" $'\n'"advice: kubelet writes KUBE-FIREWALL each time it starts" "$backend: the plugin -v: kubelet's sentence"

	n=$(mkns docker$backend)
	ip netns exec $n iptables-$backend-restore <"$D/docker.rules"
	ok $? "Docker ruleset loaded with iptables-$backend-restore"
	owners $n
	like "$out" "^owner: Docker \(DOCKER\* chains\) writes rules here, none of the rules that need tracking is in its chains$" "$backend: Docker named; its MASQUERADE and state rule sit in built-in chains"
	like "$out" "^advice: Docker writes its rules when it starts" "$backend: Docker's advice"
	plugin $n
	like "$out" $'\n'"owner: Docker \(DOCKER\* chains\) writes rules here, none of the rules that need tracking is in its chains"$'\n' "$backend: the plugin names Docker"
	plugin $n -v
	like "$out" $'\n'"advice: persist it: echo 'net.netfilter.nf_conntrack_max = [0-9]+' > /etc/sysctl.d/90-conntrack.conf" "$backend: the plugin -v, Docker: sysctl.d still the place"
	like "$out" $'\n'"advice: Docker writes its rules when it starts and again on restart, .*put rules of your own in DOCKER-USER"$'\n' "$backend: the plugin -v: Docker's sentence"
	ip netns exec $n iptables-$backend -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
	owners $n
	like "$out" "^owner: Docker \(DOCKER\* chains\) writes rules here, rules that need tracking are in its chains$" "$backend: a published port (DNAT in DOCKER): tracking in Docker's chains"

	# Owners come from every rule counted, not only the 20 the output lists.
	n=$(mkns many$backend)
	{ echo '*filter'; for p in $(seq 1000 1039); do echo "-A INPUT -p tcp --dport $p -m conntrack --ctstate NEW -j ACCEPT"; done
	  echo ':ufw-before-input - [0:0]'; echo '-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'; echo 'COMMIT'; } |
		ip netns exec $n iptables-$backend-restore
	owners $n
	like "$out" "^rules: 41 tracking, 20 kept$" "$backend: 41 tracking rules, 20 kept"
	like "$out" "^items: 41 rules, 0 objects, 0 sets$" "$backend: counted by item in the same read"
	like "$out" "^owner: ufw \(ufw-\* chains\) writes rules here, rules that need tracking are in its chains$" "$backend: the owner of the 41st rule is still named"
done

n=$(mkns plain)
ip netns exec $n nft 'add table inet f; add chain inet f in { type filter hook input priority 0; }; add rule inet f in ct state established accept'
owners $n
like "$out" "^owner: none recognised$" "a hand-written ruleset: no owner"
plugin $n -v
unlike "$out" "owner:" "a hand-written ruleset: the plugin prints no owner: line"
# Objects and sets have no chain: their table names the owner. firewalld's ct helper object
# needs tracking; a kube-proxy table holding only a set does not.
n=$(mkns objects)
ip netns exec $n nft 'add table inet firewalld; add ct helper inet firewalld helper-ftp-tcp { type "ftp" protocol tcp; }; add table ip kube-proxy; add set ip kube-proxy cluster-ips { type ipv4_addr; }'
owners $n
like "$out" "^items: 0 rules, 1 objects, 0 sets$" "objects: the ct helper object counted as one"
like "$out" "^owner: kube-proxy \(KUBE-\* chains\) and firewalld \(table firewalld or its zone chains\) write rules here, rules that need tracking are in the chains of firewalld$" "objects and sets: owners from their tables, tracking from firewalld's object"
n=$(mkns kpnft)
ip netns exec $n nft 'add table ip kube-proxy; add chain ip kube-proxy filter-forward { type filter hook forward priority -110; }; add rule ip kube-proxy filter-forward ct state invalid drop'
owners $n
like "$out" "^owner: kube-proxy \(KUBE-\* chains\) writes rules here, rules that need tracking are in its chains$" "kube-proxy's nftables mode: its table named"
done_testing
