#!/usr/bin/env bash
# The real kernel: --netns=all names namespaces by what holds them, stably: a process whose cgroup
# path is a container's (a cgroup v2 subtree made here, as Docker, Kubernetes on containerd and
# podman make them) by its container id; run inside a namespace, the plugin does not call its own
# namespace the host's, 64 namespaces stay within Nagios' 8192 bytes, the first line and perfdata
# bounded, every namespace in the long output.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

pfx=ct-names-$$
tmp=$(mktemp -d)
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
cgroot=${cg2:+$cg2/$pfx}
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $(ls /run/netns 2>/dev/null | grep -F -- "$pfx-"); do ip netns del "$n" 2>/dev/null; done
	# Innermost first: a cgroup is removed once it holds neither processes nor cgroups.
	[ -n "$cgroot" ] && [ -d "$cgroot" ] && find "$cgroot" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

id1=4f1c0d9e2b7a8c3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5
id2=9a8b7c6d5e4f30211a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5
id3=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
pod=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_4a7b_8c9d_0e1f2a3b4c5d.slice

# holder CGROUP: a process in a namespace of its own, moved into $cgroot/CGROUP.
holder() {
	mkdir -p "$cgroot/$1" || return 1
	unshare --net sleep 300 &
	local p=$!
	pids="$pids $p"
	for _ in $(seq 50); do [ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
	echo "$p" >"$cgroot/$1/cgroup.procs"
}
if [ -z "$cg2" ]; then
	ok 1 "a cgroup v2 hierarchy is mounted (none in /proc/self/mounts)"
else
	holder "system.slice/docker-$id1.scope" && holder "$pod/cri-containerd-$id2.scope" &&
		holder "machine.slice/libpod-$id3.scope"
	ok $? "three processes in namespaces of their own, in cgroups named as Docker, containerd and podman name them"
	run --netns=all
	like "$out" $'\n'"netns docker-${id1:0:12}: [A-Z]+ - [0-9]+ of [0-9]+ entries" "Docker's form: named docker-ID (12 digits)"
	like "$out" $'\n'"netns containerd-${id2:0:12}: [A-Z]+ - " "Kubernetes on containerd: containerd-ID"
	like "$out" $'\n'"netns podman-${id3:0:12}: [A-Z]+ - " "podman: podman-ID"
	like "$first" " docker-${id1:0:12}_entries=[0-9]+" "its perfdata label: the id, not a pid"
	unlike "$out" "netns pid [0-9]+ \\(sleep\\)" "no namespace named by pid and program"
	run --netns=all
	like "$out" $'\n'"netns docker-${id1:0:12}: " "the same name on the next run"
	run --netns=all --output-format=prometheus
	like "$out" "^check_conntrack_entries\{netns=\"containerd-${id2:0:12}\"\} [0-9]+$" "the metrics' netns label: the id"
fi

# A namespace with a name under /run/netns is named so; the plugin run inside it knows it is not
# the host's, and finds the host's among the processes' (kthreadd's namespace, as root).
ip netns add "$pfx-self"
out=$(ip netns exec "$pfx-self" "$PLUGIN" --netns=all 2>&1)
like "$out" $'\n'"netns $pfx-self: [A-Z]+ - " "run inside a named namespace: its own namespace by its name"
like "$out" $'\n'"netns host: [A-Z]+ - " "... and the host's namespace is the host"
is "$(printf '%s\n' "$out" | grep -c '^netns host: ')" 1 "... one namespace called host"
out=$(unshare --net "$PLUGIN" --netns=all 2>&1)
like "$out" $'\n'"netns own: [A-Z]+ - " "run inside an unnamed namespace: \"own\", not \"host\""
is "$(printf '%s\n' "$out" | grep -c '^netns host: ')" 1 "... the host is still the initial namespace alone"
out=$(unshare --net "$PLUGIN" 2>&1)
first=${out%%$'\n'*}
like "$first" "^CONNTRACK [A-Z]+ - [0-9]+ of [0-9]+ entries" "inside a namespace, the namespace alone: no name claimed"
install -d -o nobody -g nogroup -m 700 "$tmp/nobody"
out=$(unshare --net setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$PLUGIN" --state-dir="$tmp/nobody" --netns=/proc/self/ns/net --output-format=prometheus 2>&1)
like "$out" '^check_conntrack_entries\{netns="/proc/self/ns/net"\} [0-9]+$' "nobody inside a namespace, by path: named by its path"
out=$(unshare --net setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$PLUGIN" --state-dir="$tmp/nobody" --output-format=prometheus 2>&1)
like "$out" '^check_conntrack_entries\{netns="own"\} [0-9]+$' "nobody inside a namespace (no kthreadd to ask): \"own\", told by net.core"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$PLUGIN" --state-dir="$tmp/nobody" --output-format=prometheus 2>&1)
like "$out" '^check_conntrack_entries\{netns="host"\} [0-9]+$' "nobody in the host's namespace: \"host\""
ip netns del "$pfx-self"

# 64 namespaces.
for i in $(seq -w 1 64); do ip netns add "$pfx-n$i" || break; done
run --netns=all
size=$((${#out} + 1))
ok $((!(size <= 8192))) "64 namespaces: the whole output within 8192 bytes ($size bytes)"
ok $((!(${#first} + 1 <= 2048))) "the first line bounded (${#first} bytes + newline)"
perf=${first#*|}
own=$(printf '%s\n' $perf | grep -c "^$pfx-n[0-9]*_entries=")
ok $((!(own <= 5))) "perfdata: at most 5 namespaces with labels of their own ($own of ours)"
like "$perf" "(^| )namespaces=[0-9]+ namespaces_warning=[0-9]+ namespaces_critical=[0-9]+ namespaces_unknown=[0-9]+" "perfdata: the totals"
# The sum of all namespaces' entries, unless one could not be read (the memory line then says so).
if printf '%s\n' "$out" | grep -q "^memory: [0-9]* entries in [0-9]* namespaces, at least"; then
	unlike "$perf" "entries_total=" "perfdata: no entries_total when a namespace was not read"
else
	like "$perf" "(^| )entries_total=[0-9]+( |$)" "perfdata: the entries of all namespaces"
fi
missing=""
for i in $(seq -w 1 64); do printf '%s\n' "$out" | grep -qE "^netns $pfx-n$i: |[:,] $pfx-n$i \(" || missing="$missing n$i"; done
is "${missing:-none}" none "every one of the 64 namespaces in the long output ($(printf '%s\n' "$out" | wc -l) lines)"
like "$out" $'\n'"\(output bounded to 8192 bytes by --output-limit: " "the long output says what it left out"
run --netns=all --output-limit=0
ok $((!(${#out} + 1 > 8192))) "--output-limit=0: no bound (${#out} bytes)"
own=$(printf '%s\n' ${first#*|} | grep -c "^$pfx-n[0-9]*_entries=")
is "$own" 64 "--output-limit=0: every namespace's labels"
run --netns=all --output-limit=4096
ok $((!(${#out} + 1 <= 4096))) "--output-limit=4096: within it (${#out} bytes)"
missing=""
for i in $(seq -w 1 64); do printf '%s\n' "$out" | grep -qE "^netns $pfx-n$i: |[:,] $pfx-n$i \(" || missing="$missing n$i"; done
is "${missing:-none}" none "--output-limit=4096: OK namespaces by name and fill, every one still there"
run --netns=all --output-format=prometheus
lint=$(printf '%s\n' "$out" | promtool check metrics 2>&1)
is "$?:$lint" "0:" "64 namespaces as metrics: promtool check metrics has nothing to say (${#out} bytes)"
done_testing
