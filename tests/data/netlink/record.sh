#!/bin/sh
# Re-records the ctnetlink dumps and matching stat file used by tests/unit/test_counters.c.
# Run as root from the repository top. Uses its own network namespace; never changes nf_conntrack_max.
set -eu
NS=counters-rec
OUT=tests/data/netlink
TMP=$(mktemp -d /tmp/counters-rec.XXXXXX)
cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$TMP/ct-capture" "$OUT/capture.c" -lmnl
chmod 0755 "$TMP" "$TMP/ct-capture"
ip netns add "$NS"
ip -n "$NS" link set lo up
# Tracking starts in a namespace only once a rule needs it.
ip netns exec "$NS" nft -f - <<'NFT'
table inet counters_rec {
	chain out {
		type filter hook output priority 0; policy accept;
		ct state established,related,new counter accept
	}
}
NFT

# Loopback traffic: UDP and TCP exchanges (found, insert, entries), a TCP segment with SYN+FIN
# (invalid) and an ICMP error that belongs to no connection (error).
ip netns exec "$NS" python3 - <<'PY'
import socket, struct
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    srv = socket.socket(fam, socket.SOCK_DGRAM); srv.bind((addr, 0))
    for port in range(3):
        cli = socket.socket(fam, socket.SOCK_DGRAM)
        for i in range(5):
            cli.sendto(b"x", srv.getsockname()[:2])
            data, peer = srv.recvfrom(16)
            srv.sendto(b"y", peer)
            cli.recvfrom(16)
        cli.close()
lsn = socket.socket(); lsn.bind(("127.0.0.1", 0)); lsn.listen(8)
for i in range(4):
    c = socket.create_connection(lsn.getsockname()); s, _ = lsn.accept()
    c.sendall(b"ping"); s.recv(4); s.sendall(b"pong"); c.recv(4)
    c.close(); s.close()
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for i in range(3):
    tcp = struct.pack("!HHIIBBHHH", 40000 + i, 9, 1, 0, 5 << 4, 0x03, 1024, 0, 0)
    raw.sendto(tcp, ("127.0.0.1", 0))
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
inner = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                    socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.2")) + \
        struct.pack("!HHHH", 5555, 6666, 8, 0)
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
body = struct.pack("!BBHI", 3, 3, 0, 0) + inner
body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
for i in range(2):
    icmp.sendto(body, ("127.0.0.1", 0))
PY
sleep 1

# Retry while the stat file moves under the capture (a garbage-collection pass, late packets).
for try in 1 2 3 4 5; do
	if ip netns exec "$NS" "$TMP/ct-capture" "$TMP/kernel"; then
		break
	fi
	sleep 1
done
chmod 1777 "$TMP"
ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$TMP/ct-capture" "$TMP/eperm"
cp "$TMP/kernel-cpu.bin" "$TMP/kernel.stat" "$TMP/eperm-cpu.bin" "$OUT/"

uname -r >"$OUT/kernel.release"
echo "recorded in $OUT on $(uname -r)"
