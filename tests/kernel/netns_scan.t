#!/usr/bin/env bash
# The real kernel: --netns=all looks at every process, each namespace once, on a host with
# thousands of processes (a second thread reads them while the namespaces found are checked),
# and a process that exits after it was listed leaves its namespace to the next one holding it.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

tmp=$(mktemp -d)
fake=$(mktemp -d /dev/shm/ct-scan-$$.XXXXXX) # tmpfs: a directory lists in creation order
node="" holder=""
cleanup() {
	[ -n "$node" ] && kill "$node" 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp" "$fake"
}
trap cleanup EXIT INT TERM

# --- Thousands of processes: 3000 sleeping, 30 of them each in a namespace of its own. The
# program's name is ours, so the namespaces' labels are (process NAME, then NAME (pid N)).
name=cts-$$
cc -std=c11 -D_GNU_SOURCE -O2 -static -o "$tmp/$name" "$TOP/tests/bench/procs.c"
ok $? "tests/bench/procs.c builds"
mkfifo "$tmp/in"
"$tmp/$name" 3000 30 <"$tmp/in" >"$tmp/out" 2>&1 &
node=$!
exec 8>"$tmp/in" # the node ends when this closes
for _ in $(seq 300); do grep -q '^ready' "$tmp/out" && break; sleep 0.1; done
like "$(cat "$tmp/out")" "^ready 3000 30" "3000 processes, 30 namespaces of their own"
want=$(for p in $(pgrep -P "$node"); do readlink "/proc/$p/ns/net"; done | sort -u |
	grep -vxF "$(readlink /proc/self/ns/net)" | wc -l)
is "$want" 30 "the processes hold 30 namespaces besides ours"
run --netns=all --no-rules
got=$(printf '%s\n' "$out" | grep -cE "^netns process $name( \(pid [0-9]+\))?: [A-Z]+ - ")
is "$got" 30 "--netns=all: each of the 30 namespaces once"
is "$(printf '%s\n' "$out" | grep -cE "^netns process $name: ")" 1 "one takes the program's name, the others add their pid"
unlike "$out" "not seen" "--netns=all as root: no namespace left unseen"
exec 8>&-
wait "$node" 2>/dev/null
node=""

# --- A process listed, then gone before its namespace is opened, and another process holding
# the same namespace: the namespace is checked all the same. A proc tree (--procfs) lists
# processes whose ns/net names the namespace but opens nothing (they exited), and one that holds
# it.
unshare --net sleep 300 &
holder=$!
for _ in $(seq 50); do
	[ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.1
done
inode=$(stat -L -c %i /proc/$holder/ns/net)
mkdir -p "$fake/proc/self/ns" "$fake/proc/sys"
ln -s /proc/self/ns/net "$fake/proc/self/ns/net"
exited() { # FIRST LAST: processes listed with the namespace, gone when it is opened
	for p in $(seq "$1" "$2"); do
		mkdir -p "$fake/proc/$p/ns"
		ln -s "net:[$inode]" "$fake/proc/$p/ns/net"
	done
}
# Made between the others: tmpfs lists in the order of creation, or the reverse.
exited 100 119
mkdir -p "$fake/proc/900/ns"
ln -s "/proc/$holder/ns/net" "$fake/proc/900/ns/net"
echo held >"$fake/proc/900/comm"
exited 120 139
run --netns=all --procfs="$fake/proc" --no-rules
like "$out" $'\n'"netns process held: " "a namespace whose first listed holders exited: checked through the next one"
kill "$holder"
wait "$holder" 2>/dev/null
holder=""
done_testing
