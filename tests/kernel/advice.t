#!/usr/bin/env bash
# The real kernel: the advice follows the reason of the alert, and its commands work as pasted.
# The exemption lines are pasted into fresh namespaces (nothing else in them) and must create
# what they need; a DNS exchange over a veth pair then leaves no entry where they were pasted and
# one where they were not. Under --netns the lines carry the way into that namespace and the
# limit is said to be the host's. --tracking-rules alerts where NAT or CONNMARK alone make the
# kernel track and --state-rules does not. Nothing here touches the root namespace.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

tmp=$(mktemp -d)
pre=ct-advice-$$
cleanup() {
	for n in $(ip netns list | awk '{print $1}' | grep -- "^$pre-"); do ip netns del "$n"; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
build_fill "$tmp"
ok $? "tests/bench/fill.c builds"
mkdir "$tmp/root"
mkns() {
	ip netns add "$pre-$1"
	ip netns exec "$pre-$1" ip link set lo up
	# Only IPv4 on the veth below: no neighbour discovery in the count.
	ip netns exec "$pre-$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	echo "$pre-$1"
}
stateful() { ip netns exec "$1" nft 'add table inet f; add chain inet f in { type filter hook input priority 0; }; add rule inet f in ct state new,established accept'; }
# check NS [ARGS]: the plugin run inside NS (its own namespace), state of this suite's.
check() {
	local ns=$1
	shift
	out=$(ip netns exec "$ns" "$PLUGIN" --state-dir="$tmp/state" --root="$tmp/root" "$@" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
# The command lines of the advice: indented by four spaces, alone on their line.
commands() { printf '%s\n' "$1" | sed -n "s/^    \\($2.*\\)\$/\\1/p"; }
# paste NS LINES: each line run as typed, in NS; the count of lines that failed.
paste_in() {
	local ns=$1 failed=0 line
	while IFS= read -r line; do
		ip netns exec "$ns" bash -c "$line" >>"$tmp/paste.log" 2>&1 || failed=$((failed + 1))
	done <<<"$2"
	echo "$failed"
}
# dns SERVER CLIENT: one UDP query from CLIENT to SERVER port 53 and its answer, over a veth pair.
responder='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.53.0.1", 53))
s.settimeout(5)
d, a = s.recvfrom(512)
s.sendto(d, a)'
query='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"q", ("10.53.0.1", 53))
print(s.recvfrom(512)[0].decode())'
dns() {
	# Made in the server's namespace, the peer then moved: no peer namespace in one request.
	ip -n "$1" link add "v$$" type veth peer name "w$$" &&
		ip -n "$1" link set "w$$" netns "$2"
	ok $? "a veth pair between $1 and $2"
	ip -n "$1" addr add 10.53.0.1/24 dev "v$$"
	ip -n "$2" addr add 10.53.0.2/24 dev "w$$"
	ip -n "$1" link set "v$$" up
	ip -n "$2" link set "w$$" up
	ip netns exec "$1" python3 -c "$responder" &
	sleep 0.3
	answer=$(ip netns exec "$2" python3 -c "$query" 2>&1)
	wait
}

# --- The exemption lines, pasted into fresh namespaces ---------------------------------------------
A=$(mkns a)
stateful "$A"
check "$A" -v
like "$out" "^advice: or track less \(the lasting cure\): exempt busy stateless traffic before tracking, e\.g\. a DNS server's queries and answers, these lines create the table and chains they need:$" "-v: the exemption advice, its lines said to create what they need"
nft_lines=$(commands "$out" "nft ")
ipt_lines=$(commands "$out" "iptables ")
is "$(printf '%s\n' "$nft_lines" | grep -c .)" 5 "five nft lines"
is "$(printf '%s\n' "$ipt_lines" | grep -c .)" 2 "two iptables lines"
printf '%s\n' "$nft_lines" "$ipt_lines" | sed 's/^/# pasted: /'

S=$(mkns srv)
stateful "$S"
is "$(paste_in "$S" "$nft_lines")" 0 "the nft lines, pasted into a fresh namespace, all succeed"
like "$(ip netns exec "$S" nft list chain inet raw prerouting)" "type filter hook prerouting priority raw; policy accept;" "... a prerouting chain at the raw priority"
like "$(ip netns exec "$S" nft list chain inet raw prerouting)" "udp dport 53 notrack" "... exempting queries"
like "$(ip netns exec "$S" nft list chain inet raw output)" "udp sport 53 notrack" "... and answers"
is "$(paste_in "$S" "$nft_lines")" 0 "pasted a second time: they still succeed"
C=$(mkns cli)
dns "$S" "$C"
is "$answer" q "a DNS query from a client namespace is answered"
is "$(ct_count "$S")" 0 "where the lines were pasted, the query and its answer left no entry"
check "$S"
like "$first" ", 1 rule needs connection tracking \(state match\) and 4 rules exempt traffic from it" "the plugin lists the exemptions there and claims neither"

# The same exchange without the lines: tracked.
S2=$(mkns srv2)
stateful "$S2"
C2=$(mkns cli2)
dns "$S2" "$C2"
is "$answer" q "without the lines: answered too"
ok $(($(ct_count "$S2") == 0)) "without the lines: the exchange is tracked ($(ct_count "$S2") entry)"

S3=$(mkns srv3)
stateful "$S3"
is "$(paste_in "$S3" "$ipt_lines")" 0 "the iptables lines, pasted into a fresh namespace, succeed"
like "$(ip netns exec "$S3" iptables -t raw -S)" "-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack" "... exempting queries"
C3=$(mkns cli3)
dns "$S3" "$C3"
is "$answer" q "a DNS query to the iptables-exempted namespace is answered"
is "$(ct_count "$S3")" 0 "... and left no entry"

# --- Under --netns: the way in, and the host's limit -----------------------------------------------
out=$("$PLUGIN" --netns="$A" -v --state-dir="$tmp/state" --root="$tmp/root" 2>&1)
like "$out" "^advice: the limit is one value for the whole host, held against each namespace's own count: set it in the initial network namespace \(on the host, not in netns $A, where it is read-only\)" "--netns: the limit is the host's, set in the initial namespace"
lines=$(commands "$out" "")
is "$(printf '%s\n' "$lines" | grep -vc "^ip netns exec $A \(nft\|iptables\) ")" 0 "--netns: every command line runs in that namespace (ip netns exec $A)"
failed=0
while IFS= read -r l; do
	[[ $l == "ip netns exec $A nft "* ]] || continue
	bash -c "$l" >>"$tmp/paste.log" 2>&1 || failed=$((failed + 1))
done <<<"$lines"
is "$failed" 0 "--netns: the nft lines, pasted on the host as they are, succeed"
like "$(ip netns exec "$A" nft list chain inet raw prerouting)" "udp dport 53 notrack" "... in namespace $A"

# --- --tracking-rules: NAT and CONNMARK alone --------------------------------------------------------
T=$(mkns track)
ip netns exec "$T" iptables-legacy -t nat -A POSTROUTING -o lo -j MASQUERADE
ip netns exec "$T" iptables-legacy -t mangle -A PREROUTING -j CONNMARK --restore-mark
check "$T"
like "$first" ", tracking forced by 2 rules \(other ct use, NAT\), IPv4 only \|.* state_rules=0 tracking_rules=2 " "CONNMARK and MASQUERADE: tracking forced, no state match"
check "$T" --state-rules=critical
is "$rc" 0 "--state-rules=critical: OK (no state match)"
check "$T" --tracking-rules=critical
is "$rc" 2 "--tracking-rules=critical: CRITICAL"
like "$out" "^advice: --tracking-rules alerts on everything listed above that makes the kernel track" "... with advice about the rules"
unlike "$out" "raise the limit" "... and not about the limit"
N=$(mkns nat)
ip netns exec "$N" nft 'add table ip n; add chain ip n post { type nat hook postrouting priority 100; }; add rule ip n post masquerade'
check "$N" --tracking-rules=warning
is "$rc" 1 "nftables masquerade alone, --tracking-rules=warning: WARNING"
check "$A" --tracking-rules=warning --state-rules=critical
is "$rc" 2 "a state match with --tracking-rules=warning --state-rules=critical: the worse, CRITICAL"
X=$(mkns exempt)
ip netns exec "$X" nft 'add table inet raw; add chain inet raw pre { type filter hook prerouting priority raw; }; add rule inet raw pre notrack'
check "$X" --tracking-rules=critical
is "$rc" 0 "exemptions alone, --tracking-rules=critical: OK"

# --- A count threshold far below the limit -------------------------------------------------------------
W=$(mkns count)
ip netns exec "$W" "$FILL" -a 0 500 >/dev/null
check "$W" -w 100 -c 1000
echo "# -w 100 -c 1000: ${first%% | *}"
is "$rc" 1 "-w 100 -c 1000 with 500 real entries: WARNING"
like "$out" "^advice: the alert is -w 100 \(a count of entries\), not a table filling up \(500 of $MAX entries, 0\.2%\): raising the limit would not clear it" "the advice is about the threshold"
unlike "$out" "raise the limit:" "no advice to raise the limit"
like "$out" "^note: -w 100 is 100 entries, 100% is the utilization$" "... and says what -w 100 is"

done_testing
