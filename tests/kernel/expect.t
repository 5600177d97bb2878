#!/usr/bin/env bash
# The real kernel: the expectation table of a namespace with the FTP helper (an nft "ct helper"
# on port 21) after real FTP control connections over loopback announced passive data ports.
# The count by netlink dump and by the stat file's counters, held against conntrack -L expect and
# conntrack -E expect; as nobody; after the masters are gone. Through tests/kernel/compose_probe.c.
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
make -s -C "$TOP" libcheck.a >/dev/null
cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP/common" -I"$TOP/plugins/check_conntrack.d" \
	-o "$tmp/probe" "$TOP/tests/kernel/compose_probe.c" "$TOP/libcheck.a" \
	$(pkg-config --cflags --libs libmnl) -lm
ok $? "tests/kernel/compose_probe.c builds against libcheck.a"
probe() { local ns=$1; shift; ip netns exec "$ns" "$tmp/probe" "$@"; }
line() { printf '%s\n' "$1" | grep -m1 "^$2"; }
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
out=$(probe $F expect)
like "$out" "^dump: 0 0$" "before any FTP: the dump counts 0"
like "$out" "^expect: 0 of $EMAX expectations \(0\.0%, netlink dump\)$" "before any FTP: 0 of $EMAX"

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
out=$(probe $F expect)
like "$out" "^dump: 0 $listed$" "the netlink dump counts as many as conntrack -L expect"
like "$out" "^statfile: 0 $listed$" "the stat file's expect_create - expect_delete says the same"
pct=$(awk -v n=$N -v m=$EMAX 'BEGIN { printf "%.1f", n * 100 / m }')
is "$(line "$out" "expect: ")" "expect: $N of $EMAX expectations ($pct%, netlink dump): ftp $N" "the expect line, with the helper"
is "$(line "$out" "perfdata: ")" "perfdata: expect=$N;;;0;$EMAX" "the perfdata item"
echo "# $(line "$out" "expect: ")"

# As nobody: no dump (CAP_NET_ADMIN), the stat file still answers.
out=$(ip netns exec $F setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$tmp/probe" expect 2>&1)
like "$out" "^dump: -1 0$" "nobody: the dump is refused (-EPERM)"
like "$out" "^expect: cannot tell how many expectations there are \(ctnetlink: permission denied \(needs CAP_NET_ADMIN\)\); nf_conntrack_expect_max is $EMAX$" "nobody: the dump's line says why"
like "$out" "^expect: $N of $EMAX expectations \($pct%, stat file counters\)$" "nobody: the stat file counters give $N"

# The masters gone (the table flushed): no expectation left, by either count.
echo quit >&8
exec 8>&-
wait "$ftp_pid" 2>/dev/null
ftp_pid=
ip netns exec $F conntrack -F 2>/dev/null
is "$(ip netns exec $F conntrack -L expect 2>/dev/null | wc -l)" 0 "after conntrack -F: conntrack -L expect lists none"
out=$(probe $F expect)
like "$out" "^dump: 0 0$" "after conntrack -F: the dump counts 0"
like "$out" "^statfile: 0 0$" "after conntrack -F: the stat file counts 0"

# A namespace without helpers: nothing, by either count.
ip netns add $E
ip netns exec $E nft 'add table inet t; add chain inet t out { type filter hook output priority 0; }; add rule inet t out ct state new accept'
out=$(probe $E expect)
like "$out" "^dump: 0 0$" "no helper: the dump counts 0"
like "$out" "^statfile: 0 0$" "no helper: the stat file counts 0"
done_testing
