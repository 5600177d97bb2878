#!/usr/bin/env bash
# The real kernel: the expectation table of a namespace with the FTP helper (an nft "ct helper"
# on port 21) after real FTP control connections over loopback announced passive data ports,
# through the plugin: its expect: line and perfdata by netlink dump (privileged) and from the
# stat file's counters (as nobody), held against conntrack -L expect and conntrack -E expect;
# --expect-warning/critical as counts and percentages; after the masters are gone.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

F=ct-exp-f-$$ E=ct-exp-e-$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
	[ -n "${ftp_pid:-}" ] && kill "$ftp_pid" 2>/dev/null
	[ -n "${ev_pid:-}" ] && kill "$ev_pid" 2>/dev/null
	for n in $F $E; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp" "$MP_STATE_PATH"
}
trap cleanup EXIT INT TERM
make -s -C "$TOP" plugins/check_conntrack >/dev/null
line() { printf '%s\n' "$out" | grep -m1 "^$1"; }
S=$tmp/state
mkdir -p $tmp/nobody && chown nobody $tmp/nobody
asnobody() { # the plugin in namespace $1 without any capability
	local ns=$1
	shift
	out=$(ip netns exec "$ns" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$PLUGIN" --state-dir=$tmp/nobody "$@" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
EMAX=$(cat /proc/sys/net/netfilter/nf_conntrack_expect_max)
N=20

ip netns add $F
ip -n $F link set lo up
ip netns exec $F nft -f - <<'NFT'
table inet ftp {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 21 ct helper set "ftp-std"
	}
}
NFT
ok $? "$F: the FTP helper is assigned to tcp port 21"
run --netns=$F --state-dir=$S
is "$rc" 0 "before any FTP: OK"
like "$first" " expect=0;;;0;$EMAX( |$)" "before any FTP: perfdata expect=0;;;0;$EMAX"
is "$(line expect:)" "" "before any FTP: no expect: line (nothing to say)"
run --netns=$F --state-dir=$S -v
is "$(line expect:)" "expect: 0 of $EMAX expectations (0.0%, netlink dump)" "before any FTP, -v: 0 of $EMAX, by netlink dump"

# conntrack -E expect watches for 4 s while N control connections announce one PASV each.
ip netns exec $F timeout -s INT 4 conntrack -E expect >"$tmp/events" 2>/dev/null &
ev_pid=$!
sleep 0.5
mkfifo "$tmp/go"
ip netns exec $F python3 "$TOP/tests/kernel/ftp_pasv.py" $N <"$tmp/go" >"$tmp/ftp.out" 2>&1 &
ftp_pid=$!
exec 8>"$tmp/go"
for i in $(seq 100); do grep -q "pasv done" "$tmp/ftp.out" && break; sleep 0.1; done
like "$(cat "$tmp/ftp.out")" "pasv done" "$N FTP control connections announced a passive data port each"
wait "$ev_pid" 2>/dev/null
ev_pid=
listed=$(ip netns exec $F conntrack -L expect 2>/dev/null | wc -l)
is "$listed" $N "conntrack -L expect lists $N expectations"
# Over loopback the helper sees each 227 reply twice and replaces its expectation: made minus
# destroyed is what is left.
made=$(grep -c '^ *\[NEW\].*helper=ftp' "$tmp/events")
gone=$(grep -c '^ *\[DESTROY\].*helper=ftp' "$tmp/events")
is $((made - gone)) $N "conntrack -E expect: $made made, $gone destroyed, $N left, all by the ftp helper"

pct=$(awk -v n=$N -v m=$EMAX 'BEGIN { printf "%.1f", n * 100 / m }')
run --netns=$F --state-dir=$S
is "$rc" 0 "$N expectations, no threshold: OK"
is "$(line expect:)" "expect: $listed of $EMAX expectations ($pct%, netlink dump): ftp $listed" "the expect: line counts as many as conntrack -L expect, by helper"
like "$first" " expect=$listed;;;0;$EMAX( |$)" "perfdata expect=$listed;;;0;$EMAX"
echo "# $(line expect:)"
run --netns=$F --state-dir=$S --expect-warning=10 --expect-critical=50%
is "$rc" 1 "--expect-warning=10: WARNING"
like "$first" "^CONNTRACK WARNING - netns $F: [0-9]+ of [0-9]+ entries \([0-9.]+%\), expectation table $pct% full \($N of $EMAX\), " "... the summary says how full"
like "$first" " expect=$N;10;$((EMAX / 2));0;$EMAX( |$)" "... thresholds in perfdata, the percentage as a count"
echo "# $first"
run --netns=$F --state-dir=$S --expect-critical=$((N - 1))
is "$rc" 2 "--expect-critical=$((N - 1)): CRITICAL"
run --netns=$F --state-dir=$S --expect-warning=1%
is "$rc" 0 "--expect-warning=1%: $pct% is below: OK"

# As nobody: no dump (CAP_NET_ADMIN), the stat file's counters still answer.
asnobody $F
like "$first" " expect=$N;;;0;$EMAX( |$)" "nobody: perfdata expect=$N from the stat file's counters"
is "$(line expect:)" "expect: $N of $EMAX expectations ($pct%, stat file counters)" "nobody: the expect: line, from the stat file's counters"
asnobody $F --expect-warning=10
is "$rc" 1 "nobody, --expect-warning=10: WARNING all the same"

# The masters gone (the table flushed): no expectation left, by either count.
echo quit >&8
exec 8>&-
wait "$ftp_pid" 2>/dev/null
ftp_pid=
ip netns exec $F conntrack -F 2>/dev/null
is "$(ip netns exec $F conntrack -L expect 2>/dev/null | wc -l)" 0 "after conntrack -F: conntrack -L expect lists none"
run --netns=$F --state-dir=$S --expect-warning=10
is "$rc" 0 "after conntrack -F: OK"
is "$(line expect:)" "expect: 0 of $EMAX expectations (0.0%, netlink dump)" "after conntrack -F: the dump counts 0"
asnobody $F --expect-warning=10
is "$(line expect:)" "expect: 0 of $EMAX expectations (0.0%, stat file counters)" "after conntrack -F: the stat file counts 0"

# A namespace without helpers: nothing, by either count.
ip netns add $E
ip netns exec $E nft 'add table inet t; add chain inet t out { type filter hook output priority 0; }; add rule inet t out ct state new accept'
run --netns=$E --state-dir=$S -v
is "$(line expect:)" "expect: 0 of $EMAX expectations (0.0%, netlink dump)" "no helper: the dump counts 0"
asnobody $E -v
is "$(line expect:)" "expect: 0 of $EMAX expectations (0.0%, stat file counters)" "no helper: the stat file counts 0"
done_testing
