#!/bin/sh
# Re-records the rules test data (kernel replies) in throw-away network namespaces; run as root.
set -eu
cd "$(dirname "$0")"
out=$(pwd)
tmp=$(mktemp -d)
cleanup() {
	for ns in hB-native hB-stateless hB-legacy hB-iptnft hB-objects hB-owners hB-eperm hB-changed; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$tmp/capture" capture.c $(pkg-config --libs libmnl)

# Native nftables: a state match, a ct set, nat (masquerade, dnat), notrack, a stateless rule.
ip netns add hB-native
ip netns exec hB-native nft -f - <<'EOF'
table inet hb {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		ct mark set 1
		tcp dport 22 accept
	}
}
table ip hbnat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "eth0" masquerade
	}
	chain pre {
		type nat hook prerouting priority dstnat;
		tcp dport 80 dnat to 10.0.0.1
	}
}
table inet hbraw {
	chain pre {
		type filter hook prerouting priority raw;
		udp dport 53 notrack
	}
}
EOF
ip netns exec hB-native nft -a list ruleset >nft-native.txt
ip netns exec hB-native "$tmp/capture" nft nft-native.nft

# Only a stateless rule: nothing needs tracking.
ip netns add hB-stateless
ip netns exec hB-stateless nft add table inet hb
ip netns exec hB-stateless nft add chain inet hb input '{ type filter hook input priority 0; }'
ip netns exec hB-stateless nft add rule inet hb input tcp dport 22 accept
ip netns exec hB-stateless "$tmp/capture" nft nft-stateless.nft

# iptables-legacy and ip6tables-legacy (x_tables blobs).
ip netns add hB-legacy
ip netns exec hB-legacy sh -e <<'EOF'
iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT
iptables-legacy -N HBCHAIN
iptables-legacy -A HBCHAIN -p tcp -j ACCEPT
iptables-legacy -A HBCHAIN -m connmark --mark 1 -j ACCEPT
iptables-legacy -A INPUT -j HBCHAIN
iptables-legacy -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
iptables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
ip6tables-legacy -A INPUT -m conntrack --ctstate NEW -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
iptables-legacy -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
iptables-legacy -t raw -A PREROUTING -p tcp -j CT --zone-orig 3
iptables-legacy -t raw -A OUTPUT -j NOTRACK
EOF
{
	ip netns exec hB-legacy iptables-legacy-save
	ip netns exec hB-legacy ip6tables-legacy-save
} | grep -v '^#' >legacy.txt
ip netns exec hB-legacy "$tmp/capture" legacy ip legacy-ip
ip netns exec hB-legacy "$tmp/capture" legacy ip6 legacy-ip6

# iptables-nft: what iptables 1.8 stores natively and what it keeps as x_tables compat.
ip netns add hB-iptnft
ip netns exec hB-iptnft sh -e <<'EOF'
iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
iptables-nft -A INPUT -m connmark --mark 1 -j ACCEPT
iptables-nft -t raw -A PREROUTING -j NOTRACK
iptables-nft -A INPUT -m conntrack --ctstatus ASSURED -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -A INPUT -j CONNMARK --set-mark 1
iptables-nft -t raw -A PREROUTING -p tcp -j CT --zone 1
iptables-nft -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables-nft -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
iptables-nft -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
EOF
{
	ip netns exec hB-iptnft nft -a list ruleset
	# What the kernel holds: nft prints compat matches translated, the debug view shows them.
	ip netns exec hB-iptnft nft --debug=netlink list ruleset 2>&1 | grep -E '^(ip|  \[ (match|target|ct|notrack))'
} >nft-iptnft.txt 2>&1
ip netns exec hB-iptnft "$tmp/capture" nft nft-iptnft.nft

# What forces tracking besides rules: stateful objects (used or not), a set declared with a ct
# count, set updates and meters with one, object maps, synproxy by name; and nft's names.
ip netns add hB-objects
ip netns exec hB-objects nft -f - <<'EOF'
table inet hbobj {
	ct helper ftp-std { type "ftp" protocol tcp; }
	ct expectation ex { protocol tcp; dport 21; timeout 1s; size 8; l3proto ip; }
	synproxy sp { mss 1460; wscale 7; }
	counter cnt { }
	set cc { type ipv4_addr; ct count over 20; }
	set d { type ipv4_addr; size 65535; flags dynamic; }
	chain p {
		type filter hook prerouting priority filter;
		ct helper set tcp dport map { 21 : "ftp-std" }
	}
	chain c {
		type filter hook input priority filter;
		add @d { ip saddr ct count over 20 }
		meter m { ip saddr ct count over 2 }
		tcp dport 80 synproxy name "sp"
		ct original ip saddr 1.2.3.4
		ct count over 10
		counter name "cnt"
		tcp dport 22 accept
	}
}
table ip6 hbobj6 {
	ct timeout tmo { protocol tcp; l3proto ip6; policy = { established: 100 }; }
	chain p {
		type filter hook prerouting priority raw;
		ct timeout set "tmo"
	}
}
table ip hbnat {
	chain o {
		type nat hook output priority -100;
		tcp dport 8080 redirect to :80
	}
}
EOF
ip netns exec hB-objects nft -a list ruleset >nft-objects.txt
ip netns exec hB-objects "$tmp/capture" nft nft-objects.nft

# Who wrote the rules (owners.h): Docker's ruleset (rules that need nothing in its DOCKER* chains,
# its NAT and state rules in built-in chains) and a chain of the admin's own after them, with
# iptables-nft and iptables-legacy; a kube-proxy table with only a set and a counter, firewalld's
# table with only a ct helper object.
ip netns add hB-owners
ip netns exec hB-owners sh -e <<'EOF'
for v in nft legacy; do
	iptables-$v-restore <../owners/docker.rules
	iptables-$v -N mine
	iptables-$v -A mine -m conntrack --ctstate NEW -j ACCEPT
done
EOF
ip netns exec hB-owners nft -f - <<'EOF'
table ip kube-proxy {
	set cluster-ips { type ipv4_addr; elements = { 10.96.0.1 }; }
	counter c { }
}
table inet firewalld {
	ct helper helper-ftp-tcp { type "ftp" protocol tcp; }
}
EOF
ip netns exec hB-owners nft -a list ruleset >nft-owners.txt
ip netns exec hB-owners "$tmp/capture" nft nft-owners.nft
ip netns exec hB-owners iptables-legacy-save | grep -v '^#' >legacy-owners.txt
ip netns exec hB-owners "$tmp/capture" legacy ip legacy-owners

# A dump the ruleset changed under: 30 rules (every tenth a state match) split over several
# datagrams, a rule added after the first; the kernel marks the rest NLM_F_DUMP_INTR.
ip netns add hB-changed
{
	echo 'add table inet hb'
	echo 'add chain inet hb input { type filter hook input priority 0; }'
	for i in $(seq 0 29); do
		if [ $((i % 10)) -eq 0 ]; then echo "add rule inet hb input tcp dport $((1000 + i)) ct state new accept"
		else echo "add rule inet hb input tcp dport $((1000 + i)) accept"; fi
	done
} | ip netns exec hB-changed nft -f -
ip netns exec hB-changed "$tmp/capture" nft-changed nft-changed.nft \
	nft add rule inet hb input tcp dport 7 accept

# Without CAP_NET_ADMIN: the dump answers NLMSG_ERROR EPERM.
ip netns add hB-eperm
chmod 1777 "$tmp"
ip netns exec hB-eperm setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$tmp/capture" nft "$tmp/nft-eperm.nft"
cp "$tmp/nft-eperm.nft" nft-eperm.nft
echo "recorded in $out"
