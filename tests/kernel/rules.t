#!/usr/bin/env bash
# The real kernel: each kind of rule that forces tracking is found and counted in the right perfdata.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

# Every namespace made here is ctk-r*-$$: cleanup deletes them all, whatever failed, after the
# loops that change rulesets ($churners) and the temp dir ($work).
churners=""
work=$(mktemp -d /tmp/ctk-rules.XXXXXX)
cleanup() {
	[ -n "$churners" ] && kill $churners 2>/dev/null && wait $churners 2>/dev/null
	for n in $(ip netns list | awk '{print $1}' | grep -- "^ctk-r.*-$$\$"); do ip netns del "$n"; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkns() { local n=ctk-r$1-$$; ip netns add "$n"; echo "$n"; }
perf() { printf '%s\n' "$first" | grep -oE "\b(state|tracking|notrack)_rules=[0-9]+" | tr '\n' ' '; }

n=$(mkns nft)
ip netns exec $n nft 'add table inet f; add chain inet f in { type filter hook input priority 0; }; add rule inet f in ct state established,related accept'
run --netns=$n
is "$(perf)" "state_rules=1 tracking_rules=1 notrack_rules=0 " "native nft ct state: a state rule"
like "$first" ", tracking forced by 1 rule \(state match\) \|" "native nft ct state: the summary phrase"
like "$out" $'\n'"rule: nftables inet f in handle [0-9]+: ct state" "native nft ct state: listed with family, table, chain, handle"
run --netns=$n --state-rules=warning
is "$rc" 1 "--state-rules=warning: WARNING when state-matching rules exist"

# No nftables table at all: that result is cached too, and the first table and rule added are
# seen by the next run (a new generation), from the first run on.
n=$(mkns empty)
run --netns=$n -v
like "$out" $'\n'"nftables rules read" "no nftables table: dumped on the first run"
like "$first" ", no rule needs connection tracking \|" "no nftables table: no rule needs tracking"
run --netns=$n -v
like "$out" $'\n'"nftables rules unchanged since the last run \(generation [0-9]+\): taken from " \
	"no nftables table: the next run takes it from the cache"
like "$first" ", no rule needs connection tracking \|" "no nftables table: the same verdict from the cache"
ip netns exec $n nft 'add table ip t; add chain ip t out { type filter hook output priority 0; }; add rule ip t out ct state new accept'
run --netns=$n -v
like "$out" $'\n'"nftables rules read" "the first table added: read again"
is "$(perf)" "state_rules=1 tracking_rules=1 notrack_rules=0 " "the first table added: its state rule counted"

n=$(mkns leg)
ip netns exec $n iptables-legacy -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
run --netns=$n
is "$(perf)" "state_rules=1 tracking_rules=1 notrack_rules=0 " "iptables-legacy -m state: a state rule"
like "$out" $'\n'"rule: iptables-legacy ip filter INPUT #1: state match" "iptables-legacy -m state: listed with its rule number"

n=$(mkns leg6)
ip netns exec $n ip6tables-legacy -A FORWARD -p tcp -j ACCEPT
ip netns exec $n ip6tables-legacy -A FORWARD -m conntrack --ctstate NEW -j ACCEPT
run --netns=$n
is "$(perf)" "state_rules=1 tracking_rules=1 notrack_rules=0 " "ip6tables-legacy -m conntrack --ctstate: a state rule"
like "$out" $'\n'"rule: iptables-legacy ip6 filter FORWARD #2: " "ip6tables-legacy: rule number 2 in FORWARD"

n=$(mkns ipnft)
ip netns exec $n iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
ip netns exec $n iptables-nft -A INPUT -m connmark --mark 1 -j ACCEPT
run --netns=$n
is "$(perf)" "state_rules=1 tracking_rules=2 notrack_rules=0 " "iptables-nft: conntrack state + connmark"
like "$out" $'\n'"rule: nftables ip filter INPUT #1 handle [0-9]+: ctstate match" "iptables-nft rules listed as nftables, with the rule number iptables -L shows"
like "$out" $'\n'"rule: nftables ip filter INPUT #2 handle [0-9]+: connmark match" "iptables-nft: the second rule of INPUT"

n=$(mkns nat)
ip netns exec $n nft 'add table ip nat; add chain ip nat post { type nat hook postrouting priority 100; }; add rule ip nat post oifname "lo" masquerade'
run --netns=$n
is "$(perf)" "state_rules=0 tracking_rules=1 notrack_rules=0 " "nft masquerade: tracking, not state"
like "$first" "tracking forced by 1 rule \(NAT\), IPv4 only" "NAT named in the summary, and the one family its table tracks"
run --netns=$n --state-rules=critical
is "$rc" 0 "--state-rules does not fire on NAT alone"

n=$(mkns legnat)
ip netns exec $n iptables-legacy -t nat -A POSTROUTING -j MASQUERADE
run --netns=$n
is "$(perf)" "state_rules=0 tracking_rules=1 notrack_rules=0 " "iptables-legacy MASQUERADE: tracking"

n=$(mkns stateless)
ip netns exec $n nft 'add table inet f; add chain inet f in { type filter hook input priority 0; }; add rule inet f in tcp dport 22 accept'
ip netns exec $n iptables-legacy -A INPUT -p tcp --dport 80 -j ACCEPT
run --netns=$n
is "$(perf)" "state_rules=0 tracking_rules=0 notrack_rules=0 " "stateless rules only: zeros"
like "$first" ", no rule needs connection tracking \|" "stateless: the summary phrase"

n=$(mkns notrack)
ip netns exec $n nft 'add table inet raw; add chain inet raw pre { type filter hook prerouting priority raw; }; add rule inet raw pre udp dport 53 notrack'
ip netns exec $n iptables-legacy -t raw -A PREROUTING -p udp --dport 123 -j CT --notrack
ip netns exec $n iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT
run --netns=$n -v
is "$(perf)" "state_rules=1 tracking_rules=1 notrack_rules=2 " "notrack (nft) and CT --notrack (legacy): exemptions"
like "$out" $'\n'"exemption: nftables inet raw pre handle [0-9]+: notrack" "nft notrack listed as an exemption"
like "$out" $'\n'"exemption: iptables-legacy ip raw PREROUTING #1: CT --notrack" "legacy CT --notrack listed"

out=$(ip netns exec $n setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" --state-dir=/nonexistent 2>&1); rc=$?
like "$out" ", rules not inspected \(needs CAP_NET_ADMIN" "unprivileged: rules not inspected, and why"
unlike "$out" "state_rules=" "unprivileged: no rule perfdata"

# More than 20 rules: the long output stops at 20 unless -v.
n=$(mkns many)
{ echo 'add table inet f'; echo 'add chain inet f in { type filter hook input priority 0; }';
  for p in $(seq 1000 1029); do echo "add rule inet f in tcp dport $p ct state new accept"; done; } | ip netns exec $n nft -f -
run --netns=$n
is "$(perf)" "state_rules=30 tracking_rules=30 notrack_rules=0 " "30 state rules counted"
is "$(printf '%s\n' "$out" | grep -c '^rule: ')" 20 "long output lists 20 rules"
like "$out" "\.\.\. and 10 more rules \(-v lists all\)" "and says how many more"
run --netns=$n -v
is "$(printf '%s\n' "$out" | grep -c '^rule: ')" 30 "-v lists all 30"

# A large nftables ruleset is read once per change: later runs take its result from the state
# directory while the ruleset generation (NFT_MSG_GETGEN) is unchanged. Legacy rules have no
# generation and are read every time.
n=$(mkns big)
{ echo 'add table inet f'; echo 'add chain inet f in { type filter hook input priority 0; }';
  for i in $(seq 0 999); do
	if [ $((i % 4)) -eq 0 ]; then echo "add rule inet f in tcp dport $((1000 + i)) ct state new accept"
	else echo "add rule inet f in tcp dport $((1000 + i)) accept"; fi
  done; } | ip netns exec $n nft -f -
ip netns exec $n iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT
run --netns=$n -v
is "$(perf)" "state_rules=251 tracking_rules=251 notrack_rules=0 " "1,000 nft rules + 1 legacy: counted"
like "$out" $'\n'"nftables rules read" "first run: nftables rules dumped"
before=$first
run --netns=$n -v
like "$out" $'\n'"nftables rules unchanged since the last run \(generation [0-9]+\): taken from " \
	"second run: unchanged ruleset taken from the cache"
unlike "$out" $'\n'"nftables rules read" "second run: no dump"
is "$first" "$before" "second run: the same status line and perfdata"
is "$(printf '%s\n' "$out" | grep -c '^rule: ')" 251 "second run: -v still lists all 251"
ip netns exec $n nft add rule inet f in ct state invalid drop
run --netns=$n -v
like "$out" $'\n'"nftables rules read" "after a change: dumped again"
is "$(perf)" "state_rules=252 tracking_rules=252 notrack_rules=0 " "after a change: the new rule counted"
ip netns exec $n iptables-legacy -A INPUT -m conntrack --ctstate RELATED -j ACCEPT
run --netns=$n -v
like "$out" "nftables rules unchanged since the last run" "legacy change only: nftables from the cache"
is "$(perf)" "state_rules=253 tracking_rules=253 notrack_rules=0 " "legacy change only: legacy read afresh"
run --netns=$n
is "$(printf '%s\n' "$out" | grep -c '^rule: ')" 20 "without -v: 20 listed from the cache"
like "$out" "\.\.\. and 233 more rules \(-v lists all\)" "without -v: the rest counted"
ip netns exec $n iptables-nft -A INPUT -m conntrack --ctstate NEW -j ACCEPT
run --netns=$n
is "$(perf)" "state_rules=254 tracking_rules=254 notrack_rules=0 " "an iptables-nft change invalidates it too"
m=$(mkns big2)
ip netns exec $n nft list ruleset | ip netns exec $m nft -f -
run --netns=$m -v
like "$out" $'\n'"nftables rules read" "another namespace with the same ruleset: its own dump"
# Its copy: the 1,001 nftables rules and the iptables-nft one (nft lists it), no legacy rules.
is "$(perf)" "state_rules=252 tracking_rules=252 notrack_rules=0 " "another namespace: its own counts"
# Emptied: the empty result is kept too (filed under the generation read before the dump).
ip netns exec $m nft flush ruleset
run --netns=$m -v
like "$out" $'\n'"nftables rules read" "flushed: dumped again"
is "$(perf)" "state_rules=0 tracking_rules=0 notrack_rules=0 " "flushed: nothing counted"
run --netns=$m -v
like "$out" $'\n'"nftables rules unchanged since the last run" "flushed: then taken from the cache"
is "$(perf)" "state_rules=0 tracking_rules=0 notrack_rules=0 " "flushed: still nothing from the cache"
# -v takes the cache too: a default run files every rule (10,000 rules, 2,500 listed by -v:
# more than a state file's 64 KiB in one line each), and the -v run after it lists them from the
# file, exactly as a -v run that dumps them does.
n=$(mkns v10k)
awk 'BEGIN { print "add table inet f"; print "add chain inet f in { type filter hook input priority 0; }"
	for (i = 0; i < 10000; i++)
		if (i % 4 == 0) printf "add rule inet f in tcp dport %d ct state new accept\n", 1000 + i
		else printf "add rule inet f in tcp dport %d accept\n", 1000 + i }' | ip netns exec $n nft -f -
run --netns=$n
like "$out" "\.\.\. and 2480 more rules \(-v lists all\)" "10,000 nft rules: a default run lists 20"
run --netns=$n -v
like "$out" $'\n'"nftables rules unchanged since the last run \(generation [0-9]+\): taken from " \
	"10,000 nft rules: -v after a default run takes the cache"
cached=$(printf '%s\n' "$out" | grep -E '^(rule|exemption): ')
cached_first=$first
is "$(printf '%s\n' "$cached" | grep -c '^rule: ')" 2500 "10,000 nft rules: -v from the cache lists all 2,500"
out=$(env MP_STATE_PATH=$work/none "$PLUGIN" --netns=$n -v 2>&1)
like "$out" $'\n'"nftables rules read" "10,000 nft rules: a -v run without the file dumps them"
is "$(printf '%s\n' "$out" | grep -E '^(rule|exemption): ')" "$cached" \
	"10,000 nft rules: the cached -v listing equals the dumped one, rule for rule"
is "${out%%$'\n'*}" "$cached_first" "10,000 nft rules: the same status line from the cache"
run --netns=$n
is "$(printf '%s\n' "$out" | grep -c '^rule: ')" 20 "10,000 nft rules: the default run after -v lists 20"
# Objects, sets, iptables-nft rule numbers, exemptions and owners come back from the file as the
# kernel gives them: the run after this change reads them and files them with the 10,000 rules.
ip netns exec $n nft -f - <<'EOF'
table inet o {
	ct helper ftp-std { type "ftp" protocol tcp; }
	set cc { type ipv4_addr; ct count over 20; }
	chain c { type filter hook prerouting priority raw; ct helper set "ftp-std"; udp dport 53 notrack; }
}
EOF
ip netns exec $n iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
ip netns exec $n iptables-nft -A INPUT -m conntrack --ctstate NEW -j ACCEPT
ip netns exec $n iptables-nft -t nat -N DOCKER
ip netns exec $n iptables-nft -t nat -A DOCKER -p tcp -j DNAT --to-destination 10.0.0.2
run --netns=$n
like "$first" ", 2503 rules, 1 object and 1 set need connection tracking \(state match, other ct use, NAT\) and 1 rule exempts traffic from it " "with objects and sets: counted by item (and the exemption said beside them)"
run --netns=$n -v
like "$out" $'\n'"nftables rules unchanged since the last run \(generation [0-9]+\): taken from " \
	"with objects and sets: -v takes the cache"
cached=$(printf '%s\n' "$out" | grep -E '^(rule|object|set|exemption|owner): ')
cached_first=$first
like "$cached" $'\n'"object: nftables inet o ftp-std handle [0-9]+: ct helper type \"ftp\"" \
	"with objects and sets: the object from the cache"
like "$cached" $'\n'"set: nftables inet o cc handle [0-9]+: ct count over 20" \
	"with objects and sets: the set from the cache"
like "$cached" $'\n'"rule: nftables ip filter INPUT #2 handle [0-9]+: ctstate match" \
	"with objects and sets: an iptables-nft rule with its number from the cache"
like "$cached" $'\n'"exemption: nftables inet o c handle [0-9]+: notrack" \
	"with objects and sets: the exemption from the cache"
out=$(env MP_STATE_PATH=$work/none2 "$PLUGIN" --netns=$n -v 2>&1)
like "$out" $'\n'"nftables rules read" "with objects and sets: a -v run without the file reads them"
is "$(printf '%s\n' "$out" | grep -E '^(rule|object|set|exemption|owner): ')" "$cached" \
	"with objects and sets: the cached -v listing equals the read one, line for line"
is "${out%%$'\n'*}" "$cached_first" "with objects and sets: the same status line from the cache"

# A legacy table over 2 MiB (10,000 rules): its copy is laid out on huge pages, read the same.
n=$(mkns leg10k)
awk 'BEGIN { print "*filter"; for (i = 0; i < 10000; i++)
	if (i % 4 == 0) print "-A INPUT -m state --state ESTABLISHED -j ACCEPT"
	else printf "-A INPUT -p tcp --dport %d -j ACCEPT\n", 1000 + i; print "COMMIT" }' |
	ip netns exec $n iptables-legacy-restore
run --netns=$n
is "$(perf)" "state_rules=2500 tracking_rules=2500 notrack_rules=0 " "10,000 legacy rules (2.4 MB): all counted"
like "$out" "\.\.\. and 2480 more rules \(-v lists all\)" "10,000 legacy rules: 20 listed, the rest counted"
run --netns=$n -v
like "$out" $'\n'"rule: iptables-legacy ip filter INPUT #9997: state match" "10,000 legacy rules, -v: numbered to the end"

# The cache holds objects and sets as well as rules: a large ruleset whose tracking comes from a
# ct helper object and a set declared with a ct count (IPv6 tables only), then one more object
# (the generation moves with objects too).
n=$(mkns objcache)
{ echo 'add table ip6 f'; echo 'add chain ip6 f in { type filter hook input priority 0; }'
  echo 'add ct helper ip6 f ftp6 { type "ftp" protocol tcp; }'
  echo 'add set ip6 f s { type ipv6_addr; ct count over 20; }'
  for i in $(seq 0 999); do echo "add rule ip6 f in tcp dport $((1000 + i)) accept"; done; } | ip netns exec $n nft -f -
run --netns=$n -v
like "$first" ", tracking forced by 1 object and 1 set \(other ct use\), IPv6 only \|" "objects and sets: the summary"
like "$out" $'\n'"nftables rules read" "objects and sets: read"
like "$out" $'\n'"object: nftables ip6 f ftp6 handle [0-9]+: ct helper type \"ftp\"" "objects and sets: the object listed"
before=$first
run --netns=$n -v
like "$out" $'\n'"nftables rules unchanged since the last run" "objects and sets: then taken from the cache"
is "$first" "$before" "objects and sets: the same summary from the cache"
like "$out" $'\n'"set: nftables ip6 f s handle [0-9]+: ct count over 20" "objects and sets: the set listed from the cache"
ip netns exec $n nft 'add table ip g; add synproxy ip g sp { mss 1460; wscale 7; }'
run --netns=$n -v
like "$out" $'\n'"nftables rules read" "a new object: read again"
like "$first" ", tracking forced by 2 objects and 1 set \(other ct use\) \|" "a new object in an ip table: both families now"

# Rules read half way. A dump the ruleset changed under (the kernel marks it NLM_F_DUMP_INTR) is
# asked for again, 4 times at most. One that changed every time leaves the rule labels out (a 0
# would be a claim) and says so in the summary: the rules found elsewhere are "at least N".
# 5,000 rules (1,250 state matches) while two loops add and delete a stateless rule: any run that
# prints the labels must print the true counts.
n=$(mkns churn)
{ echo 'add table inet f'; echo 'add chain inet f in { type filter hook input priority 0; }'
  echo 'add chain inet f churn'
  for i in $(seq 0 4999); do
	if [ $((i % 4)) -eq 0 ]; then echo "add rule inet f in tcp dport $((1000 + i)) ct state new accept"
	else echo "add rule inet f in tcp dport $((1000 + i)) accept"; fi
  done; } | ip netns exec $n nft -f -
for i in 1 2; do
	ip netns exec $n sh -c 'while :; do nft add rule inet f churn tcp dport 9 accept; nft flush chain inet f churn; done' &
	churners="$churners $!"
done
sleep 0.3
changed="nftables rule dump: the ruleset changed during each of 4 tries"
# churn_runs LABELS COMPLETE PARTIAL: 60 runs, each either complete (exactly LABELS, and the
# COMPLETE phrase) or partial (no rule label, the PARTIAL phrase); anything else is counted bad.
churn_runs() {
	complete=0 partial=0 bad=0
	for i in $(seq 1 60); do
		run --netns=$n
		if [[ $first == *_rules=* ]]; then
			if [ "$(perf)" = "$1" ] && [[ $first == *", $2 |"* ]]; then complete=$((complete + 1))
			else bad=$((bad + 1)); echo "# bad: ${first:0:240}"; fi
		elif [[ $first == *", $3 |"* ]]; then partial=$((partial + 1))
		else bad=$((bad + 1)); echo "# bad: ${first:0:240}"; fi
	done
	echo "# 60 runs under churn: $complete read everything, $partial partial, $bad wrong"
}
churn_runs "state_rules=1250 tracking_rules=1250 notrack_rules=0 " "tracking forced by 1250 rules (state match)" \
	"rules not inspected ($changed)"
is "$bad" 0 "churn, nftables only: every run has the true counts, or no labels and says why"
ok $((complete == 0)) "churn, nftables only: retried dumps read everything ($complete of 60)"
ip netns exec $n iptables-legacy -A INPUT -m state --state ESTABLISHED -j ACCEPT
churn_runs "state_rules=1251 tracking_rules=1251 notrack_rules=0 " "tracking forced by 1251 rules (state match)" \
	"tracking forced by at least 1 rule (state match), rules partly inspected ($changed)"
is "$bad" 0 "churn, with a legacy rule: the true counts, or 'at least' and partly inspected, no labels"
ok $((complete == 0)) "churn, with a legacy rule: retried dumps read everything ($complete of 60)"
kill $churners 2>/dev/null; wait $churners 2>/dev/null; churners=""

# The same made certain: a shim marks every nftables dump NLM_F_DUMP_INTR.
shim=$work/nlshim.so
cc -shared -fPIC -o "$shim" "$TOP/tests/hardening/nlshim.c" -ldl
ok $? "netlink shim builds"
intr() { out=$(ip netns exec $n env CT_NLSHIM=dumpintr CT_NLSHIM_DUMPS=$work/dumps LD_PRELOAD="$shim" "$PLUGIN" "$@" 2>&1); rc=$?; first=${out%%$'\n'*}; }
n=$(mkns intr)
ip netns exec $n nft 'add table inet f; add chain inet f in { type filter hook input priority 0; }; add rule inet f in ct state established accept; add rule inet f in tcp dport 22 accept'
ip netns exec $n iptables-legacy -A INPUT -m conntrack --ctstate NEW -j ACCEPT
intr -v
is "$(cat $work/dumps)" 4 "every dump changed: asked for 4 times, no more"
like "$first" ", tracking forced by at least 1 rule \(state match\), rules partly inspected \($changed\) \|" \
	"every dump changed: 'at least' the legacy rule, partly inspected, in the summary"
unlike "$first" "_rules=" "every dump changed: no rule labels"
like "$out" $'\n'"rules: partly inspected, the counts are a lower bound: nftables not read, iptables-legacy IPv4 read, " \
	"every dump changed: the long output says which backends were read"
like "$out" $'\n'"nftables rules not read: $changed" "every dump changed: -v says why"
unlike "$out" "no traffic is exempted" "every dump changed: no claim about exemptions"
intr --state-rules=warning
is "$rc" 1 "every dump changed: the legacy state rule is enough for --state-rules"
n=ctk-rnft-$$
# Its ruleset is cached from the runs above: a change makes this run dump it again.
ip netns exec $n nft add table inet bump
intr
like "$first" ", rules not inspected \($changed\) \|" "every dump changed, no legacy tables: not inspected"
unlike "$first" "_rules=" "every dump changed, no legacy tables: no rule labels"

# Legacy tables a capability-only run cannot see (their names are root's): what nftables showed is
# a lower bound, and the labels are left out.
n=ctk-rintr-$$
cp "$PLUGIN" $work/check_conntrack_cap
chmod 755 $work
mkdir -m 700 $work/nobody && chown nobody $work/nobody
if setcap cap_net_admin+ep $work/check_conntrack_cap 2>/dev/null; then
	out=$(ip netns exec $n setpriv --reuid=nobody --regid=nogroup --clear-groups $work/check_conntrack_cap --state-dir=$work/nobody 2>&1)
	first=${out%%$'\n'*}
	like "$first" ", tracking forced by at least 1 rule \(state match\), rules partly inspected \(needs root: /proc/net/ip_tables_names is readable by root only[,)]" \
		"cap_net_admin, legacy names unreadable: at least the nftables rule, partly inspected"
	unlike "$first" "_rules=" "cap_net_admin, legacy names unreadable: no rule labels"
else
	echo "ok $((_n += 1)) # SKIP setcap not supported on $work's filesystem"
	echo "ok $((_n += 1)) # SKIP setcap not supported on $work's filesystem"
fi
done_testing
