#!/usr/bin/env bash
# The real kernel: --netns=all as the namespaces really are. Our own namespace as nobody, what an
# unprivileged run cannot see, process names with control characters, unique perfdata labels,
# half-made namespaces, and namespaces created and deleted while the plugin runs.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

# Every namespace made here is ct-paths-$$-*; processes are ours by pid; cleanup removes it all.
pfx=ct-paths-$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=""
cleanup() {
	touch "$tmp/stop"
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $(ls /run/netns 2>/dev/null | grep -F -- "$pfx-"); do
		ip netns del "$n" 2>/dev/null || rm -f "/run/netns/$n"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
install -d -o nobody -g nogroup -m 700 "$tmp/nobody"
as_nobody() {
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PLUGIN" \
		--state-dir="$tmp/nobody" "$@" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
has_raw() { # TEXT: 0 when it holds a raw ESC or CR
	case $1 in *$'\e'* | *$'\r'*) return 0 ;; esac
	return 1
}

# Our own namespace needs no setns: nobody may name it by path.
as_nobody --netns=/proc/self/ns/net
ok $((rc == 3)) "nobody, --netns=/proc/self/ns/net: not UNKNOWN (exit $rc)"
like "$first" "^CONNTRACK [A-Z]+ - netns /proc/self/ns/net: [0-9]+ of [0-9]+ entries" "nobody, own namespace by path: its entries"
unlike "$out" "cannot enter" "nobody, own namespace by path: nothing to enter"

# A namespace only a root process holds (as Docker's and Kubernetes' are), with 500 entries: an
# nft ct state rule in it and UDP over its loopback. The holder's name carries ESC and CR.
unshare --net bash -c '
	trap "kill \$! 2>/dev/null; exit 0" TERM
	ip link set lo up
	nft "add table inet t; add chain inet t out { type filter hook output priority 0; }; add rule inet t out ct state new,established accept"
	for p in $(seq 1000 1499); do echo x >/dev/udp/127.0.0.1/$p; done 2>/dev/null
	printf "e\033[31mx\ry" >/proc/$$/comm
	touch "$1/ready"
	sleep 300 & wait' holder "$tmp" &
holder=$!
pids="$pids $holder"
for _ in $(seq 50); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
[ -e "$tmp/ready" ]
ok $? "a root process holds a namespace with entries"

run --netns=all
# Named after its program (tests/kernel/names.t: containers and services), unless this suite runs
# inside a service or a container, whose name it then bears.
name='process e\\x1b\[31mx\\x0dy'
grep -qE '\.service|[0-9a-f]{64}|lxc' "/proc/$holder/cgroup" && name='[^:]+'
like "$out" $'\n'"netns $name: [A-Z]+ - [0-9]+ of [0-9]+ entries" "root, --netns=all: the process's namespace, its name escaped"
entries=$(printf '%s\n' "$out" | grep -E "^netns $name: " | grep -m1 -oE -- '- [0-9]+ of' | grep -oE '[0-9]+')
ok $((${entries:-0} < 400)) "root, --netns=all: its entries are counted (${entries:-none} of 500 flows)"
! has_raw "$out"
ok $? "root, --netns=all: no raw ESC or CR in the output"

# nobody cannot see that namespace: it says so, and the check is not a clean OK.
as_nobody --netns=all
is "$rc" 3 "nobody, --netns=all, a namespace it cannot see: UNKNOWN"
like "$first" "\(fullest of (1 namespace|[0-9]+ namespaces), [1-9][0-9]* more held by processes not seen \(/proc/PID/ns/net: Permission denied: needs root\)" "nobody, --netns=all: the summary counts what it did not see, and why"
like "$out" $'\n'"netns: (1 namespace held by processes was|[0-9]+ namespaces held by processes were) not seen, so not checked" "nobody, --netns=all: the long output says they were not checked"
unlike "$first" "fullest of [0-9]+ namespaces?\)" "nobody, --netns=all: never claims all were checked"
unlike "$out" "\b1 namespaces\b" "nobody, --netns=all: 1 namespace, singular"
! has_raw "$out"
ok $? "nobody, --netns=all: no raw ESC or CR in the output"
kill "$holder"
wait "$holder" 2>/dev/null

# Perfdata labels are unique: a_b, a:b and a@b would all have been <name>_entries.
for n in a_b a:b a@b; do ip netns add "$pfx-$n"; done
run --netns=all
labels=$(printf '%s\n' "${first#*| }" | tr ' ' '\n' | sed 's/=.*//')
is "$(printf '%s\n' "$labels" | sort | uniq -d | tr '\n' ' ')" "" "--netns=all: every perfdata label is unique"
like "$first" " $pfx-a_b_entries=" "a label-safe name keeps its plain label"
is "$(printf '%s\n' "$labels" | grep -cE "^$pfx-a_b__[0-9]+_entries\$")" 2 "a:b and a@b: labels of their own"
like "$out" $'\n'"netns $pfx-a:b: [A-Z]+ - " "a:b: its line names it as it is"

# A file under /run/netns that is not (yet) a namespace: `ip netns add` between creating the file
# and mounting the namespace on it, or `ip netns del` between the two steps back.
install -m 0 /dev/null "/run/netns/$pfx-half"
run --netns=all
ok $((rc == 3)) "--netns=all, a half-made namespace: not UNKNOWN (exit $rc)"
like "$out" $'\n'"netns: [0-9]+ under /run/netns skipped: .*$pfx-half" "the half-made namespace is skipped with a note"
unlike "$out" "Invalid argument" "no EINVAL from entering it"
run --netns=$pfx-half
is "$rc" 3 "--netns=NAME of a half-made namespace: UNKNOWN"
like "$first" "$pfx-half is not a network namespace" "--netns=NAME of a half-made namespace: says so"
rm -f "/run/netns/$pfx-half"

# A namespace file of another kind bound to a file, as `ip netns add` binds a network namespace
# (here a uts namespace, in a mount namespace of our own): not a network namespace, and said so;
# a network namespace bound the same way is entered. The kernel shows a bound namespace file by
# its path, not as "net:[INODE]": its mount tells what it is.
ip netns add "$pfx-bound"
touch "$tmp/uts" "$tmp/net"
bound() { # WHAT FILE: the plugin on FILE, with WHAT bound to it
	out=$(unshare -m sh -c 'mount --make-rprivate / && mount --bind "$2" "$3" &&
		exec "$1" --netns="$3" --no-rules' sh "$PLUGIN" "$1" "$2" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
bound /proc/self/ns/uts "$tmp/uts"
is "$rc" 3 "--netns=FILE, a uts namespace bound to it: UNKNOWN"
is "$first" "CONNTRACK UNKNOWN - netns $tmp/uts: $tmp/uts is not a network namespace" \
	"--netns=FILE, a uts namespace bound to it: not a network namespace"
bound "/run/netns/$pfx-bound" "$tmp/net"
like "$first" "^CONNTRACK [A-Z]+ - netns $tmp/net: [0-9]+ of [0-9]+ entries" \
	"--netns=FILE, a network namespace bound to it: entered"
ip netns del "$pfx-bound"

# Churn: namespaces created and deleted while --netns=all runs, again and again.
(
	i=0
	while [ ! -e "$tmp/stop" ]; do
		ip netns add "$pfx-c$i" && ip netns del "$pfx-c$i"
		i=$((i + 1))
	done
	echo "$i" >"$tmp/churned"
) &
churner=$!
pids="$pids $churner"
unknown=0 einval=0 skipped=0 why=""
for _ in $(seq 100); do
	run --netns=all
	if [ "$rc" -eq 3 ]; then
		unknown=$((unknown + 1))
		[ -n "$why" ] || why=$first
	fi
	case $out in *"Invalid argument"*) einval=$((einval + 1)) ;; esac
	case $out in *"under /run/netns skipped"*) skipped=$((skipped + 1)) ;; esac
done
touch "$tmp/stop"
wait "$churner"
is "$unknown" 0 "churn: no run of 100 is UNKNOWN${why:+ (first: ${why:0:200})}"
is "$einval" 0 "churn: no 'Invalid argument' from a namespace being made or removed"
churned=$(cat "$tmp/churned" 2>/dev/null)
ok $((${churned:-0} < 20)) "churn: namespaces came and went during the runs (${churned:-0} of them, $skipped runs skipped one half made or gone)"

done_testing
