#!/bin/bash
# Re-records the ctnetlink table dumps used by tests/unit/test_composition.c and test_expect.c:
# dump-ct.bin (a table of a known mix), dump-exp.bin (three FTP expectations), eperm-ct.bin and
# eperm-exp.bin (the same requests as nobody), and what conntrack -L says of them (dump-ct.classes,
# dump-exp.count). Run as root from the repository top. Uses its own network namespace; changes no
# host-wide setting.
set -eu
NS=ct-dumps-rec-$$
OUT=tests/data/netlink
TMP=$(mktemp -d /tmp/dumps-rec.XXXXXX)
cleanup() {
	[ -n "${ftp_pid:-}" ] && kill "$ftp_pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$TMP/capture" "$OUT/capture_dump.c" -lmnl
cc -std=c11 -D_GNU_SOURCE -O2 -o "$TMP/fill" tests/bench/fill.c -lmnl
chmod 0755 "$TMP" "$TMP/capture"
ip netns add "$NS"
ip -n "$NS" link set lo up
# Tracking for the loopback ping and the FTP control connections, and the FTP helper on port 21.
ip netns exec "$NS" nft -f - <<'NFT'
table inet rec {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 21 ct helper set "ftp-std"
		ct state new,established accept
	}
}
NFT
for kind in udp53:200 udp53v6:30 timewait:40 established:15 synsent:5 assured:6; do
	ip netns exec "$NS" "$TMP/fill" -k "${kind%:*}" 0 "${kind#*:}" >/dev/null
done
ip netns exec "$NS" ping -c1 -W1 127.0.0.1 >/dev/null
# Three FTP control connections, each announcing a passive data port: three expectations.
mkfifo "$TMP/go"
ip netns exec "$NS" python3 tests/kernel/ftp_pasv.py 3 <"$TMP/go" >"$TMP/ftp.out" &
ftp_pid=$!
exec 8>"$TMP/go"
for i in $(seq 50); do grep -q "pasv done" "$TMP/ftp.out" && break; sleep 0.1; done

ip netns exec "$NS" "$TMP/capture" ct "$OUT/dump-ct.bin"
ip netns exec "$NS" "$TMP/capture" exp "$OUT/dump-exp.bin"
ip netns exec "$NS" conntrack -L 2>/dev/null | awk '{
	if ($1 == "tcp") c = "tcp " $4
	else c = $1 " " (/UNREPLIED/ ? "unreplied" : /ASSURED/ ? "assured" : "replied")
	n[c]++
} END { for (c in n) print c, n[c] }' | sort >"$OUT/dump-ct.classes"
ip netns exec "$NS" conntrack -L expect 2>/dev/null | wc -l >"$OUT/dump-exp.count"
chmod 1777 "$TMP"
for what in ct exp; do
	ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TMP/capture" $what "$TMP/eperm-$what.bin"
	cp "$TMP/eperm-$what.bin" "$OUT/"
done
exec 8>&-
wait "$ftp_pid" || true
ftp_pid=
uname -r >"$OUT/dumps.release"
echo "recorded in $OUT on $(uname -r): $(cat "$OUT/dump-ct.classes" | tr '\n' ';') expectations $(cat "$OUT/dump-exp.count")"
