# The rulesets tests/kernel/judge.t loads, each in a fresh namespace (sourced by it).
# judge_case ID CONSTRUCT EXAMPLE [listed=REGEX]... [todo=WHY] <<'EOF' ... EOF
# A body is a shell script (set -e) run inside the namespace; `rule FAMILY HOOK 'RULE' [PRIO]`
# adds one rule to a base chain. Every ruleset lets loopback traffic through, as real ones do:
# what the judge counts is what reaches conntrack.

# --- What forces tracking without a matching rule (issue 13, item 1) -----------------------------

judge_case obj-helper "a ct helper object no rule uses" 'ct helper ftp-std { type "ftp" protocol tcp; }' \
	'listed=^object: nftables inet t ftp-std handle [0-9]+: ct helper type "ftp"$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	ct helper ftp-std { type "ftp" protocol tcp; }
}
NFT
EOF
judge_case obj-helper-ip6 "" "" 'listed=^object: nftables ip6 t ftp6 handle [0-9]+: ct helper' <<'EOF'
nft -f - <<'NFT'
table ip6 t {
	ct helper ftp6 { type "ftp" protocol tcp; }
}
NFT
EOF
judge_case obj-timeout "a ct timeout object no rule uses" 'ct timeout tmo { protocol tcp; l3proto ip; policy = { established: 100 } } (ip table)' \
	'listed=^object: nftables ip t tmo handle [0-9]+: ct timeout$' <<'EOF'
nft -f - <<'NFT'
table ip t {
	ct timeout tmo {
		protocol tcp;
		l3proto ip;
		policy = { established: 100 };
	}
}
NFT
EOF
judge_case obj-expect "a ct expectation object no rule uses" 'ct expectation ex { protocol tcp; dport 21; ... l3proto ip6; } (ip6 table)' \
	'listed=^object: nftables ip6 t ex handle [0-9]+: ct expectation$' <<'EOF'
nft -f - <<'NFT'
table ip6 t {
	ct expectation ex {
		protocol tcp;
		dport 21;
		timeout 1s;
		size 8;
		l3proto ip6;
	}
}
NFT
EOF
judge_case obj-synproxy "a synproxy object no rule uses" 'synproxy sp { mss 1460; wscale 7; }' \
	'listed=^object: nftables inet t sp handle [0-9]+: synproxy$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	synproxy sp {
		mss 1460
		wscale 7
	}
}
NFT
EOF
judge_case obj-synproxy-ip "" "" <<'EOF'
nft -f - <<'NFT'
table ip t {
	synproxy sp {
		mss 1460
		wscale 7
	}
}
NFT
EOF
judge_case obj-counter "a counter, quota or limit object" 'counter c { }; quota q { over 1 mbytes }; limit l { rate 10/second }' <<'EOF'
nft -f - <<'NFT'
table inet t {
	counter c { }
	quota q { over 1 mbytes }
	limit l { rate 10/second }
}
NFT
EOF
judge_case set-ctcount "a set declared with a ct count" 'set s { type ipv4_addr; ct count over 20; }' \
	'listed=^set: nftables ip t s handle [0-9]+: ct count over 20$' <<'EOF'
nft -f - <<'NFT'
table ip t {
	set s {
		type ipv4_addr
		ct count over 20
	}
}
NFT
EOF
judge_case set-ctcount-ip6 "" "" 'listed=^set: nftables ip6 t s6 handle [0-9]+: ct count over 5$' <<'EOF'
nft -f - <<'NFT'
table ip6 t {
	set s6 {
		type ipv6_addr
		ct count over 5
	}
}
NFT
EOF
judge_case set-two-exprs "a set declared with a counter and a ct count" 'set s { ...; counter; ct count over 2; }' \
	'listed=^set: nftables inet t s handle [0-9]+: ct count over 2$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	set s {
		type ipv4_addr
		size 100
		flags dynamic
		counter
		ct count over 2
	}
}
NFT
EOF
judge_case set-counter "a set declared with a counter" 'set s { type ipv4_addr; counter; }' <<'EOF'
nft -f - <<'NFT'
table inet t {
	set s {
		type ipv4_addr
		counter
	}
}
NFT
EOF
judge_case dynset-add "a set update with a ct count" 'add @s { ip saddr ct count over 20 }' \
	'listed=^rule: nftables ip t c handle [0-9]+: ct count over 20 in add @s$' <<'EOF'
nft -f - <<'NFT'
table ip t {
	set s {
		type ipv4_addr
		size 65535
		flags dynamic
	}
	chain c {
		type filter hook input priority 0;
		add @s { ip saddr ct count over 20 }
	}
}
NFT
EOF
judge_case dynset-update "" "" 'listed=^rule: nftables inet t c handle [0-9]+: ct count over 20 in update @s$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	set s {
		type ipv4_addr
		size 65535
		flags dynamic
	}
	chain c {
		type filter hook input priority 0;
		update @s { ip saddr ct count over 20 }
	}
}
NFT
EOF
judge_case dynset-limit "a set update with a limit" 'add @s { ip saddr limit rate 10/second }' <<'EOF'
nft -f - <<'NFT'
table ip t {
	set s {
		type ipv4_addr
		size 65535
		flags dynamic
	}
	chain c {
		type filter hook input priority 0;
		add @s { ip saddr limit rate 10/second }
	}
}
NFT
EOF
judge_case meter "a meter with a ct count" 'meter m { ip saddr ct count over 2 }' \
	'listed=^rule: nftables ip t filter-input handle [0-9]+: ct count over 2 in meter m$' <<'EOF'
rule ip input 'meter m { ip saddr ct count over 2 } accept'
EOF
judge_case meter-ip6 "" "" 'listed=ct count over 2 in meter m6$' <<'EOF'
rule ip6 input 'meter m6 { ip6 saddr ct count over 2 } accept'
EOF
judge_case meter-limit "a meter with a limit" 'meter m { ip saddr limit rate 10/second }' <<'EOF'
rule inet input 'tcp dport 22 meter m { ip saddr limit rate 10/second } accept'
EOF
judge_case objmap-helper "a ct helper assigned through a map" 'ct helper set tcp dport map { 21 : "ftp-std" }' \
	'listed=^object: nftables inet t ftp-std handle [0-9]+: ct helper type "ftp"$' \
	'listed=^rule: nftables inet t p handle [0-9]+: ct helper set \.\.\. map$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	ct helper ftp-std { type "ftp" protocol tcp; }
	chain p {
		type filter hook prerouting priority filter;
		ct helper set tcp dport map { 21 : "ftp-std" }
	}
}
NFT
EOF
judge_case objmap-timeout "a ct timeout assigned through a map" 'ct timeout set tcp dport map { 22 : "tmo" }' \
	'listed=^rule: nftables ip t p handle [0-9]+: ct timeout set \.\.\. map$' <<'EOF'
nft -f - <<'NFT'
table ip t {
	ct timeout tmo {
		protocol tcp;
		l3proto ip;
		policy = { established: 100 };
	}
	chain p {
		type filter hook prerouting priority raw;
		ct timeout set tcp dport map { 22 : "tmo" }
	}
}
NFT
EOF
judge_case objmap-expect "" "" 'listed=^rule: nftables ip6 t p handle [0-9]+: ct expectation set \.\.\. map$' <<'EOF'
nft -f - <<'NFT'
table ip6 t {
	ct expectation ex {
		protocol tcp;
		dport 21;
		timeout 1s;
		size 8;
		l3proto ip6;
	}
	chain p {
		type filter hook prerouting priority filter;
		ct expectation set tcp dport map { 21 : "ex" }
	}
}
NFT
EOF
judge_case objref-synproxy "synproxy by name" 'tcp dport 80 synproxy name "sp"' \
	'listed=^rule: nftables ip t c handle [0-9]+: synproxy name "sp"$' <<'EOF'
nft -f - <<'NFT'
table ip t {
	synproxy sp {
		mss 1460
		wscale 7
	}
	chain c {
		type filter hook input priority filter;
		tcp dport 80 synproxy name "sp"
	}
}
NFT
EOF
judge_case objref-synproxy-map "" "" 'listed=^rule: nftables inet t c handle [0-9]+: synproxy name \.\.\. map$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	synproxy sp {
		mss 1460
		wscale 7
	}
	chain c {
		type filter hook input priority filter;
		synproxy name tcp dport map { 80 : "sp" }
	}
}
NFT
EOF
judge_case objref-helper "a ct helper assigned by name" 'ct helper set "ftp-std"' \
	'listed=^rule: nftables inet t p handle [0-9]+: ct helper set "ftp-std"$' <<'EOF'
nft -f - <<'NFT'
table inet t {
	ct helper ftp-std { type "ftp" protocol tcp; }
	chain p {
		type filter hook prerouting priority filter;
		tcp dport 21 ct helper set "ftp-std"
	}
}
NFT
EOF
judge_case objref-timeout-ip6 "" "" 'listed=^rule: nftables ip6 t p handle [0-9]+: ct timeout set "tmo"$' <<'EOF'
nft -f - <<'NFT'
table ip6 t {
	ct timeout tmo {
		protocol tcp;
		l3proto ip6;
		policy = { established: 100 };
	}
	chain p {
		type filter hook prerouting priority raw;
		ct timeout set "tmo"
	}
}
NFT
EOF
judge_case counter-map "a named counter through a map" 'counter name tcp dport map { 22 : "c" }' <<'EOF'
nft -f - <<'NFT'
table inet t {
	counter c { }
	chain c {
		type filter hook input priority filter;
		counter name tcp dport map { 22 : "c" }
	}
}
NFT
EOF
judge_case legacy-synproxy "-j SYNPROXY on its own (iptables-legacy)" 'iptables-legacy -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7' \
	'listed=^rule: iptables-legacy ip filter INPUT #1: SYNPROXY$' <<'EOF'
iptables-legacy -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
EOF
judge_case legacy6-synproxy "" "" 'listed=^rule: iptables-legacy ip6 filter INPUT #1: SYNPROXY$' <<'EOF'
ip6tables-legacy -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
EOF
judge_case iptnft-synproxy "-j SYNPROXY on its own (iptables-nft)" 'iptables-nft -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7' \
	'listed=^rule: nftables ip filter INPUT #2 handle [0-9]+: SYNPROXY$' <<'EOF'
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
EOF
judge_case ip6tnft-synproxy "" "" 'listed=^rule: nftables ip6 filter INPUT #1 handle [0-9]+: SYNPROXY$' <<'EOF'
ip6tables-nft -A INPUT -p tcp --dport 80 -j SYNPROXY --mss 1460 --wscale 7
EOF

# --- nftables rules, every kind ------------------------------------------------------------------

judge_case ct-state "a state match" 'ct state established,related accept' \
	'listed=^rule: nftables inet t filter-input handle [0-9]+: ct state$' <<'EOF'
rule inet input 'ct state established,related accept'
EOF
judge_case ct-state-ip "" "" <<'EOF'
rule ip output 'ct state new accept'
EOF
judge_case ct-state-ip6 "a state match in an ip6 table" 'table ip6 ... ct state new accept' <<'EOF'
rule ip6 forward 'ct state new accept'
EOF
judge_case ct-state-unreached "a state match in a chain nothing jumps to" 'chain c { ct state new accept } (no hook)' <<'EOF'
nft -f - <<'NFT'
table inet t {
	chain c {
		ct state new accept
	}
}
NFT
EOF
judge_case ct-state-dormant "a state match in a dormant table" 'table inet t { flags dormant; ... ct state new accept }' <<'EOF'
nft -f - <<'NFT'
table inet t {
	flags dormant
	chain c {
		type filter hook input priority 0;
		ct state new accept
	}
}
NFT
EOF
judge_case ct-status "ct status, mark, label, direction, expiration..." 'ct status assured counter' \
	'listed=: ct status$' <<'EOF'
rule inet input 'ct status assured counter'
EOF
judge_case ct-mark "" "" 'listed=: ct mark$' <<'EOF'
rule inet input 'ct mark 1 counter'
EOF
judge_case ct-mark-set "setting ct mark, zone, event, label" 'ct mark set 1' 'listed=: ct mark set$' <<'EOF'
rule inet output 'ct mark set 1'
EOF
judge_case ct-zone-set "" "" 'listed=: ct zone set$' <<'EOF'
rule inet prerouting 'ct zone set 1' -300
EOF
judge_case ct-event-set "" "" 'listed=: ct event set$' <<'EOF'
rule inet prerouting 'ct event set new' -300
EOF
judge_case ct-helper-match "" "" 'listed=: ct helper$' <<'EOF'
rule inet input 'ct helper "ftp" counter'
EOF
judge_case ct-label "" "" 'listed=: ct label$' <<'EOF'
rule inet input 'ct label 1 counter'
EOF
judge_case ct-direction "" "" 'listed=: ct direction$' <<'EOF'
rule inet input 'ct direction original counter'
EOF
judge_case ct-expiration "" "" 'listed=: ct expiration$' <<'EOF'
rule inet input 'ct expiration 5s counter'
EOF
judge_case ct-l3proto "" "" 'listed=: ct l3proto$' <<'EOF'
rule inet input 'ct l3proto ipv4 counter'
EOF
judge_case ct-protocol "" "" 'listed=: ct protocol$' <<'EOF'
rule inet input 'ct original protocol tcp counter'
EOF
judge_case ct-original-saddr "ct original ip saddr" 'ct original ip saddr 192.0.2.1 counter' \
	'listed=: ct original ip saddr$' <<'EOF'
rule inet input 'ct original ip saddr 192.0.2.1 counter'
EOF
judge_case ct-reply-daddr-ip6 "" "" 'listed=: ct reply ip6 daddr$' <<'EOF'
rule ip6 input 'ct reply ip6 daddr ::1 counter'
EOF
judge_case ct-bytes "" "" 'listed=: ct original bytes$' <<'EOF'
rule inet input 'ct original bytes > 0 counter'
EOF
judge_case ct-packets "" "" 'listed=: ct packets$' <<'EOF'
rule inet input 'ct packets > 0 counter'
EOF
judge_case ct-avgpkt "" "" 'listed=: ct avgpkt$' <<'EOF'
rule inet input 'ct avgpkt > 0 counter'
EOF
judge_case ct-id "" "" 'listed=: ct id$' <<'EOF'
rule inet input 'ct id 1 counter'
EOF
judge_case ct-count "a ct count in a rule" 'ct count over 10 drop' 'listed=: ct count over 10$' <<'EOF'
rule inet input 'meta l4proto tcp ct count over 10 drop'
EOF
judge_case ct-count-upto "" "" 'listed=: ct count 1000$' <<'EOF'
rule ip input 'meta l4proto tcp ct count 1000 counter'
EOF
judge_case meta-mark-from-ct "" "" 'listed=: ct mark$' <<'EOF'
rule inet input 'meta mark set ct mark'
EOF
judge_case nat-snat "source NAT" 'oifname "eth0" snat to 192.0.2.1' 'listed=: snat$' <<'EOF'
rule ip nat-postrouting 'oifname "eth0" snat to 192.0.2.1' 100
EOF
judge_case nat-dnat "destination NAT" 'tcp dport 8080 dnat to 192.0.2.1:80' 'listed=: dnat$' <<'EOF'
rule ip nat-prerouting 'tcp dport 8080 dnat to 192.0.2.1:80' -100
EOF
judge_case nat-masquerade "masquerade" 'oifname "eth0" masquerade' 'listed=: masquerade$' <<'EOF'
rule ip nat-postrouting 'oifname "eth0" masquerade' 100
EOF
judge_case nat-masquerade-random "" "" 'listed=: masquerade$' <<'EOF'
rule ip nat-postrouting 'oifname "eth0" masquerade fully-random' 100
EOF
judge_case nat-redirect "redirect" 'tcp dport 8080 redirect to :80' 'listed=: redirect$' <<'EOF'
rule ip nat-output 'tcp dport 8080 redirect to :80' -100
EOF
judge_case nat-inet "NAT in an inet table" 'table inet ... oifname "eth0" masquerade' <<'EOF'
rule inet nat-postrouting 'oifname "eth0" masquerade' 100
EOF
judge_case nat-ip6 "NAT in an ip6 table" 'table ip6 ... oifname "eth0" masquerade' <<'EOF'
rule ip6 nat-postrouting 'oifname "eth0" masquerade' 100
EOF
judge_case synproxy-inline "synproxy in a rule" 'tcp dport 80 synproxy mss 1460 wscale 7' 'listed=: synproxy$' <<'EOF'
rule inet input 'tcp dport 80 synproxy mss 1460 wscale 7'
EOF
judge_case stateless "stateless rules" 'tcp dport 22 accept; limit; log; reject; fib; meta mark set 1' <<'EOF'
nft -f - <<'NFT'
table inet t {
	chain c {
		type filter hook input priority 0;
		tcp dport 22 accept
		meta l4proto icmp limit rate 10/second accept
		tcp dport 23 log prefix "telnet " reject with tcp reset
		fib saddr type local accept
		meta mark set 1
		udp dport 5000-5100 counter drop
	}
}
NFT
EOF
judge_case sets-plain "sets and verdict maps" 'ip saddr @blocked drop; tcp dport vmap { 22 : accept }' <<'EOF'
nft -f - <<'NFT'
table inet t {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 192.0.2.0/24, 198.51.100.7 }
	}
	chain c {
		type filter hook input priority 0;
		ip saddr @blocked drop
		tcp dport vmap { 22 : accept, 23 : drop }
		ip saddr { 203.0.113.1, 203.0.113.2 } counter
	}
}
NFT
EOF
judge_case empty-tables "empty tables and base chains" 'table inet t { chain c { type filter hook input priority 0; } }' <<'EOF'
nft 'add table inet t; add table ip u; add table ip6 v; add chain inet t c { type filter hook input priority 0; }'
EOF
judge_case tproxy "tproxy and socket" 'meta l4proto tcp tproxy to :8080; socket transparent 1' <<'EOF'
nft -f - <<'NFT'
table inet t {
	chain c {
		type filter hook prerouting priority mangle;
		meta l4proto tcp socket transparent 1 accept
		tcp dport 8000 tproxy to :8080
	}
}
NFT
EOF
judge_case netdev "netdev ingress rules" 'table netdev ... ip saddr 192.0.2.1 drop (on lo)' <<'EOF'
nft -f - <<'NFT'
table netdev t {
	chain ingress {
		type filter hook ingress device lo priority 0;
		ip saddr 192.0.2.1 drop
		udp dport 9999 counter
	}
}
NFT
EOF
judge_case bridge "bridge rules" 'table bridge ... ether type arp accept' <<'EOF'
nft -f - <<'NFT'
table bridge t {
	chain forward {
		type filter hook forward priority 0;
		ether type arp accept
		meta protocol ip counter
	}
}
NFT
EOF
judge_case bridge-notrack "" "" 'listed=^exemption: nftables bridge t pre handle [0-9]+: notrack$' <<'EOF'
nft -f - <<'NFT'
table bridge t {
	chain pre {
		type filter hook prerouting priority -300;
		notrack
	}
}
NFT
EOF
judge_case arp "arp rules" 'table arp ... arp operation request counter' <<'EOF'
nft -f - <<'NFT'
table arp t {
	chain input {
		type filter hook input priority 0;
		arp operation request counter
	}
}
NFT
EOF
judge_case notrack-only "notrack alone" 'notrack (raw prerouting and output)' \
	'listed=^exemption: nftables inet t filter-prerouting handle [0-9]+: notrack$' <<'EOF'
rule inet prerouting 'notrack' -300
rule inet output 'notrack' -300
EOF

# --- Exemptions with rules that need tracking -----------------------------------------------------

judge_case notrack-everywhere "notrack on every hook, with a state match" 'notrack in raw prerouting and output; ct state new accept' <<'EOF'
rule inet prerouting 'notrack' -300
rule inet output 'notrack' -300
rule inet input 'ct state new accept'
EOF
judge_case notrack-output "" "" <<'EOF'
rule inet output 'notrack' -300
rule inet input 'ct state new accept'
EOF
judge_case notrack-prerouting "notrack on prerouting only, with a state match" 'notrack in raw prerouting; ct state new accept' <<'EOF'
rule inet prerouting 'notrack' -300
rule inet input 'ct state new accept'
EOF
judge_case notrack-udp "notrack for UDP only, with a state match" 'udp dport 9 notrack (both raw hooks); ct state new accept' <<'EOF'
rule inet prerouting 'udp dport 9 notrack' -300
rule inet output 'udp dport 9 notrack' -300
rule inet input 'ct state new accept'
EOF
judge_case notrack-legacy "" "" \
	'listed=^exemption: iptables-legacy ip raw OUTPUT #1: CT --notrack$' <<'EOF'
for t in iptables-legacy ip6tables-legacy; do
	$t -t raw -A PREROUTING -j CT --notrack
	$t -t raw -A OUTPUT -j CT --notrack
	$t -A INPUT -m state --state NEW -j ACCEPT
done
EOF
judge_case notrack-alias-legacy "" "" \
	'listed=^exemption: iptables-legacy ip raw OUTPUT #1: NOTRACK$' <<'EOF'
iptables-legacy -t raw -A PREROUTING -j NOTRACK
iptables-legacy -t raw -A OUTPUT -j NOTRACK
iptables-legacy -A INPUT -m state --state NEW -j ACCEPT
EOF
judge_case notrack-iptnft "" "" \
	'listed=^exemption: nftables ip raw OUTPUT #1 handle [0-9]+: NOTRACK$' <<'EOF'
iptables-nft -t raw -A PREROUTING -j NOTRACK
iptables-nft -t raw -A OUTPUT -j NOTRACK
iptables-nft -A INPUT -m conntrack --ctstate NEW -j ACCEPT
EOF
judge_case notrack-v4-state-v6 "notrack for IPv4, a state match for IPv6" 'table ip: notrack; table ip6: ct state new accept' <<'EOF'
rule ip prerouting 'notrack' -300
rule ip output 'notrack' -300
rule ip6 input 'ct state new accept'
EOF

# --- iptables-legacy ------------------------------------------------------------------------------

judge_case leg-state "-m state (iptables-legacy)" 'iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT' \
	'listed=^rule: iptables-legacy ip filter INPUT #1: state match$' <<'EOF'
iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT
EOF
judge_case leg-ctstate "" "" 'listed=^rule: iptables-legacy ip filter FORWARD #2: ctstate match$' <<'EOF'
iptables-legacy -A FORWARD -p tcp -j ACCEPT
iptables-legacy -A FORWARD -m conntrack --ctstate NEW -j ACCEPT
EOF
judge_case leg-ctstatus "-m conntrack without --ctstate" 'iptables-legacy -A INPUT -m conntrack --ctstatus ASSURED' \
	'listed=: conntrack match$' <<'EOF'
iptables-legacy -A INPUT -m conntrack --ctstatus ASSURED -j ACCEPT
EOF
judge_case leg-ctorigsrc "" "" 'listed=: conntrack match$' <<'EOF'
iptables-legacy -A INPUT -m conntrack --ctorigsrc 192.0.2.1 -j ACCEPT
EOF
judge_case leg-connmark "-m connmark, -j CONNMARK" 'iptables-legacy -A INPUT -m connmark --mark 1' 'listed=: connmark match$' <<'EOF'
iptables-legacy -A INPUT -m connmark --mark 1 -j ACCEPT
EOF
judge_case leg-connmark-target "" "" 'listed=^rule: iptables-legacy ip mangle PREROUTING #1: CONNMARK$' <<'EOF'
iptables-legacy -t mangle -A PREROUTING -j CONNMARK --restore-mark
EOF
judge_case leg-connlimit "-m connlimit, connbytes, connlabel, helper" 'iptables-legacy -A INPUT -p tcp -m connlimit --connlimit-above 10' \
	'listed=: connlimit match$' <<'EOF'
iptables-legacy -A INPUT -p tcp -m connlimit --connlimit-above 10 -j REJECT
EOF
judge_case leg-connbytes "" "" 'listed=: connbytes match$' <<'EOF'
iptables-legacy -A INPUT -m connbytes --connbytes 10 --connbytes-dir both --connbytes-mode bytes -j ACCEPT
EOF
judge_case leg-connlabel "" "" 'listed=: connlabel match$' <<'EOF'
iptables-legacy -A INPUT -m connlabel --label 1 -j ACCEPT
EOF
judge_case leg-helper "" "" 'listed=: helper match$' <<'EOF'
iptables-legacy -A INPUT -m helper --helper ftp -j ACCEPT
EOF
judge_case leg-cluster "" "" 'listed=: cluster match$' <<'EOF'
iptables-legacy -A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef -j ACCEPT
EOF
judge_case leg-connsecmark "" "" 'listed=^rule: iptables-legacy ip mangle INPUT #1: CONNSECMARK$' <<'EOF'
iptables-legacy -t mangle -A INPUT -j CONNSECMARK --save
EOF
judge_case leg-ct-zone "-j CT with options" 'iptables-legacy -t raw -A PREROUTING -j CT --zone 1' \
	'listed=^rule: iptables-legacy ip raw PREROUTING #1: CT --zone 1$' <<'EOF'
iptables-legacy -t raw -A PREROUTING -j CT --zone 1
EOF
judge_case leg-ct-helper "" "" 'listed=^rule: iptables-legacy ip raw PREROUTING #1: CT --helper ftp$' <<'EOF'
iptables-legacy -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
EOF
judge_case leg-ct-zone-mark "" "" 'listed=^rule: iptables-legacy ip raw PREROUTING #1: CT --zone-orig mark$' <<'EOF'
iptables-legacy -t raw -A PREROUTING -j CT --zone-orig mark
EOF
judge_case leg6-ct-helper "" "" 'listed=^rule: iptables-legacy ip6 raw PREROUTING #1: CT --helper ftp$' <<'EOF'
ip6tables-legacy -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
EOF
judge_case leg-ct-notrack "-j CT --notrack, -j NOTRACK alone" 'iptables-legacy -t raw -A PREROUTING -j CT --notrack' \
	'listed=^exemption: iptables-legacy ip raw PREROUTING #1: CT --notrack$' <<'EOF'
iptables-legacy -t raw -A PREROUTING -j CT --notrack
EOF
judge_case leg-notrack "" "" 'listed=^exemption: iptables-legacy ip raw OUTPUT #1: NOTRACK$' <<'EOF'
iptables-legacy -t raw -A OUTPUT -j NOTRACK
EOF
judge_case leg-masquerade "NAT targets (iptables-legacy)" 'iptables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE' \
	'listed=^rule: iptables-legacy ip nat POSTROUTING #1: MASQUERADE$' <<'EOF'
iptables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
EOF
judge_case leg-snat "" "" 'listed=: SNAT$' <<'EOF'
iptables-legacy -t nat -A POSTROUTING -o eth0 -j SNAT --to-source 192.0.2.1
EOF
judge_case leg-dnat "" "" 'listed=: DNAT$' <<'EOF'
iptables-legacy -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.0.2.1:80
EOF
judge_case leg-redirect "" "" 'listed=: REDIRECT$' <<'EOF'
iptables-legacy -t nat -A OUTPUT -p tcp --dport 8080 -j REDIRECT --to-ports 80
EOF
judge_case leg-netmap "" "" 'listed=: NETMAP$' <<'EOF'
iptables-legacy -t nat -A PREROUTING -d 198.51.100.0/24 -j NETMAP --to 192.0.2.0/24
EOF
judge_case leg-stateless "stateless rules (iptables-legacy)" 'iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT; -m limit; -m recent; -j LOG; -j REJECT' <<'EOF'
iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-legacy -A INPUT -p icmp -m limit --limit 10/second -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 23 -m recent --set --name telnet
iptables-legacy -A INPUT -p tcp --dport 24 -m hashlimit --hashlimit-above 5/second --hashlimit-name h -j DROP
iptables-legacy -A INPUT -m comment --comment "a comment" -p udp --dport 5000 -j LOG
iptables-legacy -A INPUT -p tcp --dport 25 -j REJECT --reject-with tcp-reset
iptables-legacy -A INPUT -m addrtype --dst-type MULTICAST -j DROP
iptables-legacy -t mangle -A PREROUTING -j MARK --set-mark 1
EOF
judge_case leg6-state "-m state (ip6tables-legacy)" 'ip6tables-legacy -A INPUT -m state --state NEW -j ACCEPT' \
	'listed=^rule: iptables-legacy ip6 filter INPUT #1: state match$' <<'EOF'
ip6tables-legacy -A INPUT -m state --state NEW -j ACCEPT
EOF
judge_case leg6-masquerade "" "" 'listed=^rule: iptables-legacy ip6 nat POSTROUTING #1: MASQUERADE$' <<'EOF'
ip6tables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
EOF
judge_case leg46-state "" "" <<'EOF'
iptables-legacy -A INPUT -m state --state NEW -j ACCEPT
ip6tables-legacy -A INPUT -m state --state NEW -j ACCEPT
EOF

# --- iptables-nft ---------------------------------------------------------------------------------

judge_case nft-state "-m state (iptables-nft)" 'iptables-nft -A INPUT -m state --state ESTABLISHED -j ACCEPT' \
	'listed=^rule: nftables ip filter INPUT #2 handle [0-9]+: state match$' <<'EOF'
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -A INPUT -m state --state ESTABLISHED -j ACCEPT
EOF
judge_case nft-ctstatus "" "" 'listed=: conntrack match$' <<'EOF'
iptables-nft -A INPUT -m conntrack --ctstatus ASSURED -j ACCEPT
EOF
judge_case nft-connmark "" "" 'listed=^rule: nftables ip mangle PREROUTING #1 handle [0-9]+: CONNMARK$' <<'EOF'
iptables-nft -t mangle -A PREROUTING -j CONNMARK --restore-mark
EOF
judge_case nft-connlimit "" "" 'listed=: connlimit match$' <<'EOF'
iptables-nft -A INPUT -p tcp -m connlimit --connlimit-above 10 -j REJECT
EOF
judge_case nft-ct-zone "" "" 'listed=^rule: nftables ip raw PREROUTING #1 handle [0-9]+: CT --zone 1$' <<'EOF'
iptables-nft -t raw -A PREROUTING -j CT --zone 1
EOF
judge_case nft-ct-helper "" "" 'listed=^rule: nftables ip raw PREROUTING #1 handle [0-9]+: CT --helper ftp$' <<'EOF'
iptables-nft -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
EOF
judge_case nft-notrack "" "" 'listed=^exemption: nftables ip raw PREROUTING #1 handle [0-9]+: NOTRACK$' <<'EOF'
iptables-nft -t raw -A PREROUTING -j NOTRACK
EOF
judge_case nft-masquerade "" "" 'listed=^rule: nftables ip nat POSTROUTING #1 handle [0-9]+: MASQUERADE$' <<'EOF'
iptables-nft -t nat -A POSTROUTING -o eth0 -j MASQUERADE
EOF
judge_case nft-stateless "" "" <<'EOF'
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -A INPUT -p icmp -m limit --limit 10/second -j ACCEPT
iptables-nft -A INPUT -m comment --comment "a comment" -p udp --dport 5000 -j LOG
EOF
judge_case nft6-state "" "" 'listed=^rule: nftables ip6 filter INPUT #1 handle [0-9]+: state match$' <<'EOF'
ip6tables-nft -A INPUT -m state --state NEW -j ACCEPT
EOF

# --- Rulesets as their tools write them -----------------------------------------------------------

# What Docker writes for the default bridge and one published port (iptables-save, abridged).
docker_rules='*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT'
judge_case docker-legacy "Docker (iptables-legacy)" 'DOCKER chains, MASQUERADE, DNAT, --ctstate RELATED,ESTABLISHED' \
	'listed=^rule: iptables-legacy ip filter FORWARD #3: ctstate match$' \
	'listed=^rule: iptables-legacy ip nat POSTROUTING #1: MASQUERADE$' \
	'listed=^rule: iptables-legacy ip nat DOCKER #2: DNAT$' <<EOF
iptables-legacy-restore <<'RULES'
$docker_rules
RULES
EOF
judge_case docker-nft "Docker (iptables-nft)" 'the same through iptables-nft' \
	'listed=^rule: nftables ip filter FORWARD #3 handle [0-9]+: ctstate match$' \
	'listed=^rule: nftables ip nat DOCKER #2 handle [0-9]+: DNAT$' <<EOF
iptables-nft-restore <<'RULES'
$docker_rules
RULES
EOF
judge_case docker-ipv6 "" "" <<EOF
iptables-legacy-restore <<'RULES'
$docker_rules
RULES
ip6tables-legacy-restore <<'RULES'
$(printf '%s\n' "$docker_rules" | sed 's|172\.17\.0\.0/16|fd00:dead:beef::/48|; s|172\.17\.0\.2/32|fd00:dead:beef::2/128|g; s|--to-destination 172\.17\.0\.2:80|--to-destination [fd00:dead:beef::2]:80|; s|127\.0\.0\.0/8|::1/128|')
RULES
EOF
judge_case docker-nftables "Docker-style native nftables (abridged)" 'table ip docker-bridges: ct state, masquerade, dnat' <<'EOF'
nft -f - <<'NFT'
table ip docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-in__docker0 }
	}
	chain filter-FORWARD {
		type filter hook forward priority filter; policy accept;
		oifname vmap @filter-forward-in-jumps
	}
	chain filter-forward-in__docker0 {
		ct state established,related counter accept
		ip daddr 172.17.0.2 tcp dport 80 counter accept
		drop
	}
	chain nat-POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 172.17.0.0/16 oifname != "docker0" counter masquerade
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80
	}
}
NFT
EOF
# kube-proxy's iptables mode for one service with one endpoint (iptables-save, abridged).
kube_rules='*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-IT2ZTR26TO4XFPTO -s 192.0.2.10/32 -m comment --comment "default/kubernetes:https" -j KUBE-MARK-MASQ
-A KUBE-SEP-IT2ZTR26TO4XFPTO -p tcp -m comment --comment "default/kubernetes:https" -m tcp -j DNAT --to-destination 192.0.2.10:6443
-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-NPX46M4PTMTKRN6Y ! -s 10.244.0.0/16 -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-MARK-MASQ
-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https -> 192.0.2.10:6443" -j KUBE-SEP-IT2ZTR26TO4XFPTO
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT'
judge_case kube-proxy-legacy "kube-proxy, iptables mode (iptables-legacy)" 'KUBE-SERVICES, KUBE-SEP DNAT, MASQUERADE --random-fully, --ctstate' \
	'listed=^rule: iptables-legacy ip nat KUBE-SEP-IT2ZTR26TO4XFPTO #2: DNAT$' \
	'listed=^rule: iptables-legacy ip filter KUBE-FORWARD #1: ctstate match$' <<EOF
iptables-legacy-restore <<'RULES'
$kube_rules
RULES
EOF
judge_case kube-proxy-nft "kube-proxy, iptables mode (iptables-nft)" 'the same through iptables-nft' \
	'listed=^rule: nftables ip nat KUBE-POSTROUTING #3 handle [0-9]+: MASQUERADE$' <<EOF
iptables-nft-restore <<'RULES'
$kube_rules
RULES
EOF
judge_case kube-proxy-nftables "kube-proxy, nftables mode (IPv4 and IPv6)" 'table ip kube-proxy / ip6 kube-proxy: ct state new, dnat, masquerade fully-random' <<'EOF'
for f in ip ip6; do
	if [ $f = ip ]; then a=10.96.0.1 e=192.0.2.10 addr=ipv4_addr; else a=fd00:10:96::1 e='[2001:db8::10]' addr=ipv6_addr; fi
	nft -f - <<NFT
table $f kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips {
		type $addr
		comment "Active ClusterIPs"
		elements = { $a }
	}
	map service-ips {
		type $addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
	}
	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
	}
	chain service-endpoints-check {
	}
	chain cluster-ips-check {
		$f daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}
	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}
	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}
	chain services {
		$f daddr . meta l4proto . th dport vmap @service-ips
	}
	chain endpoint-default-kubernetes {
		meta l4proto tcp dnat to $e:6443
	}
}
NFT
done
EOF
judge_case firewalld "firewalld (nftables backend, abridged)" 'table inet firewalld: ct state { established, related } accept, ct status dnat accept, ...' \
	'listed=^rule: nftables inet firewalld filter_INPUT handle [0-9]+: ct state$' \
	'listed=^rule: nftables inet firewalld filter_INPUT handle [0-9]+: ct status$' <<'EOF'
nft -f - <<'NFT'
table inet firewalld {
	chain filter_PREROUTING {
		type filter hook prerouting priority filter + 10; policy accept;
		icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept
	}
	chain filter_INPUT {
		type filter hook input priority filter + 10; policy accept;
		ct state { established, related } accept
		ct status dnat accept
		iifname "lo" accept
		ct state invalid drop
		jump filter_INPUT_ZONES
		reject with icmpx admin-prohibited
	}
	chain filter_FORWARD {
		type filter hook forward priority filter + 10; policy accept;
		ct state { established, related } accept
		ct status dnat accept
		iifname "lo" accept
		ct state invalid drop
		reject with icmpx admin-prohibited
	}
	chain filter_OUTPUT {
		type filter hook output priority filter + 10; policy accept;
		ct state { established, related } accept
		oifname "lo" accept
	}
	chain filter_INPUT_ZONES {
		goto filter_IN_public
	}
	chain filter_IN_public {
		jump filter_IN_public_allow
		meta l4proto { icmp, ipv6-icmp } accept
	}
	chain filter_IN_public_allow {
		tcp dport 22 ct state { new, untracked } accept
		ip6 daddr fe80::/64 udp dport 546 ct state { new, untracked } accept
	}
	chain nat_PREROUTING {
		type nat hook prerouting priority dstnat + 10; policy accept;
	}
	chain nat_POSTROUTING {
		type nat hook postrouting priority srcnat + 10; policy accept;
	}
}
NFT
EOF
# ufw's before.rules and user rules as iptables-restore reads them (abridged), IPv4 and IPv6.
ufw_rules='*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-before-input - [0:0]
:ufw-before-output - [0:0]
:ufw-before-forward - [0:0]
:ufw-after-input - [0:0]
:ufw-user-input - [0:0]
:ufw-reject-input - [0:0]
:ufw-track-output - [0:0]
-A INPUT -j ufw-before-input
-A INPUT -j ufw-after-input
-A INPUT -j ufw-reject-input
-A FORWARD -j ufw-before-forward
-A OUTPUT -j ufw-before-output
-A OUTPUT -j ufw-track-output
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j DROP
-A ufw-before-input -j ufw-user-input
-A ufw-before-output -o lo -j ACCEPT
-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
-A ufw-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT
-A ufw-track-output -p udp -m conntrack --ctstate NEW -j ACCEPT
COMMIT'
judge_case ufw-legacy "ufw (iptables-legacy, IPv4 and IPv6)" 'ufw-before-input ... -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' \
	'listed=^rule: iptables-legacy ip filter ufw-before-input #2: ctstate match$' \
	'listed=^rule: iptables-legacy ip6 filter ufw-track-output #1: ctstate match$' <<EOF
iptables-legacy-restore <<'RULES'
$ufw_rules
RULES
ip6tables-legacy-restore <<'RULES'
$ufw_rules
RULES
EOF
judge_case ufw-nft "ufw (iptables-nft, IPv4 only)" 'the same through iptables-nft, IPv6 disabled' \
	'listed=^rule: nftables ip filter ufw-before-input #2 handle [0-9]+: ctstate match$' <<EOF
iptables-nft-restore <<'RULES'
$ufw_rules
RULES
EOF
judge_case ip6-only "an IPv6-only ruleset" 'table ip6 filter: ct state established,related accept; ...' \
	'listed=^rule: nftables ip6 filter input #1 handle [0-9]+: ct state$' <<'EOF'
nft -f - <<'NFT'
table ip6 filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related accept
		icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept
		tcp dport 22 accept
	}
}
table ip filter4 {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
NFT
EOF
judge_case inet-mixed "" "" <<'EOF'
rule ip6 input 'ct state new accept'
rule ip input 'tcp dport 22 accept'
nft 'add table inet u; add ct helper inet u h { type "ftp" protocol tcp; }'
EOF
