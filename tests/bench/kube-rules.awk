# The benchmark's kube-proxy node: about RULES rules shaped as kube-proxy writes them, for one
# backend. Every service has a cluster IP on port 80 and three endpoints; each endpoint's chain
# marks traffic for masquerading and DNATs it (three rules of eleven need connection tracking).
#   awk -v rules=100000 -v backend=legacy -f kube-rules.awk | iptables-legacy-restore
#   awk -v rules=100000 -v backend=nft -f kube-rules.awk | nft -f -
# legacy: iptables-restore input (kube-proxy's iptables mode: nat KUBE-SERVICES, KUBE-SVC-*,
# KUBE-SEP-*, KUBE-POSTROUTING, filter KUBE-FORWARD); nft: the same chains in one nftables table,
# the endpoint choice a numgen verdict map as kube-proxy's nftables mode has it.
function vip(i) { return sprintf("10.96.%d.%d", int(i / 250), i % 250 + 1) }
function pip(i, e) { return sprintf("10.244.%d.%d", int((3 * i + e) / 250) % 256, (3 * i + e) % 250 + 1) }
function legacy(s,    i, e, c) {
	print "*nat"
	print ":KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]"
	for (i = 0; i < s; i++) {
		printf ":KUBE-SVC-%06d - [0:0]\n", i
		for (e = 0; e < 3; e++)
			printf ":KUBE-SEP-%06d-%d - [0:0]\n", i, e
	}
	print "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"
	print "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"
	print "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN"
	print "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000"
	print "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"
	for (i = 0; i < s; i++) {
		c = sprintf("-m comment --comment \"default/svc-%06d:http\"", i)
		printf "-A KUBE-SERVICES -d %s/32 -p tcp %s -m tcp --dport 80 -j KUBE-SVC-%06d\n", vip(i), c, i
		printf "-A KUBE-SVC-%06d ! -s 10.244.0.0/16 -d %s/32 -p tcp %s -m tcp --dport 80 -j KUBE-MARK-MASQ\n", i, vip(i), c
		printf "-A KUBE-SVC-%06d %s -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-%06d-0\n", i, c, i
		printf "-A KUBE-SVC-%06d %s -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-%06d-1\n", i, c, i
		printf "-A KUBE-SVC-%06d %s -j KUBE-SEP-%06d-2\n", i, c, i
		for (e = 0; e < 3; e++) {
			printf "-A KUBE-SEP-%06d-%d -s %s/32 %s -j KUBE-MARK-MASQ\n", i, e, pip(i, e), c
			printf "-A KUBE-SEP-%06d-%d -p tcp %s -m tcp -j DNAT --to-destination %s:8080\n", i, e, c, pip(i, e)
		}
	}
	print "COMMIT\n*filter\n:KUBE-FORWARD - [0:0]"
	print "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD"
	print "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP"
	print "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT"
	print "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	print "COMMIT"
}
function nft(s,    i, e, t) {
	t = "ip kube"
	print "add table " t
	print "add chain " t " mark-for-masquerade"
	print "add chain " t " services"
	print "add chain " t " prerouting { type nat hook prerouting priority -100; }"
	print "add chain " t " output { type nat hook output priority -100; }"
	print "add chain " t " postrouting { type nat hook postrouting priority 100; }"
	print "add chain " t " forward { type filter hook forward priority 0; }"
	for (i = 0; i < s; i++) {
		printf "add chain %s svc-%06d\n", t, i
		for (e = 0; e < 3; e++)
			printf "add chain %s sep-%06d-%d\n", t, i, e
	}
	print "add rule " t " prerouting jump services"
	print "add rule " t " output jump services"
	print "add rule " t " mark-for-masquerade meta mark set meta mark | 0x4000"
	print "add rule " t " postrouting meta mark & 0x4000 == 0 return"
	print "add rule " t " postrouting meta mark set meta mark ^ 0x4000"
	print "add rule " t " postrouting masquerade fully-random"
	print "add rule " t " forward ct state invalid drop"
	print "add rule " t " forward meta mark & 0x4000 == 0x4000 accept"
	print "add rule " t " forward ct state established,related accept"
	for (i = 0; i < s; i++) {
		printf "add rule %s services ip daddr %s tcp dport 80 jump svc-%06d\n", t, vip(i), i
		printf "add rule %s svc-%06d ip daddr %s tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n", t, i, vip(i)
		printf "add rule %s svc-%06d numgen random mod 3 vmap { 0 : jump sep-%06d-0, 1 : jump sep-%06d-1, 2 : jump sep-%06d-2 }\n", t, i, i, i, i
		for (e = 0; e < 3; e++) {
			printf "add rule %s sep-%06d-%d ip saddr %s jump mark-for-masquerade\n", t, i, e, pip(i, e)
			printf "add rule %s sep-%06d-%d meta l4proto tcp dnat to %s:8080\n", t, i, e, pip(i, e)
		}
	}
}
BEGIN {
	if (backend == "legacy")
		legacy(int((rules - 11) / 11))
	else
		nft(int((rules - 9) / 9))
}
