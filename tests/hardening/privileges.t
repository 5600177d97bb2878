#!/bin/bash
# Privilege hygiene: no capability is left once the kernel was asked (root, and a setcap copy run as
# nobody), and the environment cannot choose paths for a binary that runs with file capabilities.
. "$(dirname "$0")/../lib/tap.sh"

why=""
[ "$(id -u)" -eq 0 ] || why="needs root"
[ -z "$why" ] && ! command -v setcap >/dev/null && why="needs setcap (libcap2-bin)"
[ -z "$why" ] && ! id nobody >/dev/null 2>&1 && why="needs a nobody user"
if [ -n "$why" ]; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - privilege suite cannot run in CI: $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
fi
work=$(mktemp -d)
chmod 755 "$work"
nspid=""
trap '[ -n "$nspid" ] && kill "$nspid" 2>/dev/null; rm -rf "$work"' EXIT
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
# The setcap binary ignores MP_STATE_PATH: its default places are the host's (/run/monitoring-
# plugins, /dev/shm), so those runs get a mount namespace of their own with fresh ones.
nobody_private() {
	unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 none /run &&
		mount -t tmpfs -o mode=1777 none /dev/shm &&
		exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"' sh "$@"
}
touch "$work/start"

# 1. As root, with every capability: the sets are empty when the process ends.
cc -shared -fPIC -o "$work/capshim.so" "$TOP/tests/hardening/capshim.c"
ok $? "capability shim builds"
CT_CAPSHIM_OUT=$work/caps LD_PRELOAD=$work/capshim.so "$PLUGIN" -w 100% -c 100% --drop-critical=~: >/dev/null 2>&1
like "$(cat "$work/caps" 2>/dev/null)" "CapEff:[[:space:]]+0+$" "root run: CapEff empty at exit"
like "$(cat "$work/caps" 2>/dev/null)" "CapPrm:[[:space:]]+0+$" "root run: CapPrm empty at exit"
like "$(cat "$work/caps" 2>/dev/null)" "CapAmb:[[:space:]]+0+$" "root run: CapAmb empty at exit"

# 2. A setcap copy run as nobody: it had CAP_NET_ADMIN for collection, none after it. The run
# is held while it writes its result, into a pipe we filled (its state lock is taken before the
# counters are read, with the capability still held: it cannot hold the run after collection).
cp "$PLUGIN" "$work/check_conntrack"
chmod 755 "$work/check_conntrack"
setcap cap_net_admin+ep "$work/check_conntrack"
ok $? "setcap cap_net_admin+ep on a copy"
cp "$PLUGIN" "$work/plain_check_conntrack"
chmod 755 "$work/plain_check_conntrack"
st=$work/nstate
mkdir -m 700 "$st"
chown nobody "$st"
out=$(nobody "$work/check_conntrack" --state-dir="$st" -vv -w 100% -c 100% --drop-critical=~: 2>&1)
like "$out" "counters from netlink" "setcap copy as nobody: netlink used (the capability worked)"
like "$out" "capabilities dropped after collection" "setcap copy as nobody: says it dropped them"
lock=$(ls "$st"/*.lock 2>/dev/null | head -1)
ok $([ -n "$lock" ]; echo $?) "setcap copy as nobody: state lock file exists"
mkfifo "$work/out"
exec 7<>"$work/out"
# Fill the pipe whatever its capacity: nonblocking writes until it is full.
dd if=/dev/zero of="$work/out" bs=4096 count=1024 oflag=nonblock 2>/dev/null
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$work/check_conntrack" --state-dir="$st" -t 20 -w 100% -c 100% --drop-critical=~: \
	>&7 2>/dev/null 7>&- &
pid=$!
caps=""
for _ in $(seq 50); do
	sleep 0.1
	# setpriv has exec'd the plugin, and it sleeps writing its result.
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = check_conntrack ] || continue
	wchan=$(cat "/proc/$pid/wchan" 2>/dev/null)
	case $wchan in *pipe_write) ;; *) continue ;; esac
	caps=$(grep '^Cap' "/proc/$pid/status" 2>/dev/null)
	break
done
echo "# held in: ${wchan:-?}"
like "$caps" "CapEff:[[:space:]]+0+$" "setcap copy as nobody, held after collection: CapEff empty"
like "$caps" "CapPrm:[[:space:]]+0+$" "setcap copy as nobody, held after collection: CapPrm empty"
exec 6<"$work/out" 7>&-
cat <&6 >/dev/null &
wait "$pid"
ok $? "setcap copy as nobody: finished OK once its output was read"
wait
exec 6<&-

# 3. Capabilities go with the last kernel request, before any file others may write is parsed.
# The setcap copy, as nobody, is held on a FIFO where such a file is opened while we read its
# status: the entry size under --sysfs (after netlink, and after sysctl.d under --root), and the
# module holders (<procfs>/modules, reached through an empty --sysfs).
# held_caps FIFO COMMAND...: $caps, the Cap lines of COMMAND (which must exec the plugin) while it
# has FIFO open, $out, its output.
held_caps() {
	local fifo=$1 pid
	shift
	"$@" -t 20 -vv >"$work/held.out" 2>&1 &
	pid=$!
	# Opening the FIFO to write returns once the plugin has opened it to read; it then waits in
	# read() until we close it.
	caps=$(timeout 10 bash -c 'exec 3>"$1" && grep "^Cap" "/proc/$2/status"' _ "$fifo" "$pid")
	wait "$pid"
	out=$(cat "$work/held.out")
}
# before TEXT FIRST SECOND NAME: a line matching FIRST comes before one matching SECOND.
before() {
	local a b
	a=$(printf '%s\n' "$1" | grep -n -m1 -E -- "$2" | cut -d: -f1)
	b=$(printf '%s\n' "$1" | grep -n -m1 -E -- "$3" | cut -d: -f1)
	ok $([ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; echo $?) "$4"
}
mkdir -p "$work/root/etc/sysctl.d" "$work/sys/kernel/slab/nf_conntrack" "$work/nosys"
echo 'net.netfilter.nf_conntrack_max = 10000' >"$work/root/etc/sysctl.d/90-ct.conf"
mkfifo "$work/sys/kernel/slab/nf_conntrack/object_size"
cp -r "$FIX/trees/modern/proc" "$work/proc"
mkfifo "$work/proc/modules"
chmod -R a+rX "$work/root" "$work/sys" "$work/nosys" "$work/proc"

setcap_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all
	"$work/check_conntrack" --state-dir="$st")

held_caps "$work/sys/kernel/slab/nf_conntrack/object_size" "${setcap_nobody[@]}" --root="$work/root" \
	--sysfs="$work/sys"
like "$out" "counters from netlink" "held on --sysfs: netlink was used before (the capability worked)"
like "$out" "boot applies net.netfilter.nf_conntrack_max = 10000" "held on --sysfs: sysctl.d under --root was read"
like "$caps" "CapEff:[[:space:]]+0+$" "held on a --sysfs file, after netlink: CapEff empty"
like "$caps" "CapPrm:[[:space:]]+0+$" "held on a --sysfs file, after netlink: CapPrm empty"
before "$out" "^iptables-legacy IPv6 rules" "^capabilities dropped" "-vv: the drop follows the last kernel request"
before "$out" "^composition: [0-9]+ entries sampled" "^capabilities dropped" "-vv: the composition sample (the last request, -v asks for it) before the drop"
before "$out" "^capabilities dropped" "^boot applies" "-vv: capabilities dropped before sysctl.d is parsed"

held_caps "$work/proc/modules" "${setcap_nobody[@]}" --procfs="$work/proc" --sysfs="$work/nosys"
like "$out" "rules not inspected \(not with --procfs" "held on <procfs>/modules: the module holders were being read"
like "$caps" "CapEff:[[:space:]]+0+$" "held on the module holders: CapEff empty"
like "$caps" "CapPrm:[[:space:]]+0+$" "held on the module holders: CapPrm empty"
# Root entering a namespace (CAP_SYS_ADMIN) reads the holders only once it has come back.
unshare --net sleep 60 &
nspid=$!
for _ in $(seq 50); do
	[ "$(readlink "/proc/$nspid/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.1
done
held_caps "$work/proc/modules" "$PLUGIN" --state-dir="$work/rstate" --procfs="$work/proc" \
	--sysfs="$work/nosys" --netns=/proc/$nspid/ns/net
kill "$nspid"
like "$out" "entered network namespace /proc/$nspid/ns/net" "root, --netns: the namespace was entered"
like "$out" "rules not inspected \(not with --procfs" "root, --netns: the module holders were being read"
like "$caps" "CapEff:[[:space:]]+0+$" "root, --netns, held on the module holders: CapEff empty"
like "$caps" "CapPrm:[[:space:]]+0+$" "root, --netns, held on the module holders: CapPrm empty"

# 4. Paths from the environment: honoured for a plain binary, ignored with file capabilities.
evil=$work/evil
mkdir -m 700 "$evil"
chown nobody "$evil"
MP_STATE_PATH=$evil nobody "$work/plain_check_conntrack" -w 100% -c 100% --drop-critical=~: >/dev/null 2>&1
ok $([ -n "$(find "$evil" -type f)" ]; echo $?) "plain binary: MP_STATE_PATH chooses the state directory"
rm -rf "${evil:?}"/*
MP_STATE_PATH=$evil nobody_private "$work/check_conntrack" -w 100% -c 100% --drop-critical=~: >/dev/null 2>&1
is "$(find "$evil" -mindepth 1 | wc -l)" 0 "setcap binary: MP_STATE_PATH ignored, nothing written there"

printf '[check_conntrack]\ntimeout=forty-two\n' >"$work/bad.ini"
mkdir "$work/cfg"
cp "$work/bad.ini" "$work/cfg/plugins.ini"
chmod -R a+rX "$work/bad.ini" "$work/cfg"
out=$(MP_CONFIG_FILE=$work/bad.ini nobody "$work/plain_check_conntrack" --extra-opts 2>&1)
like "$out" "invalid timeout 'forty-two'" "plain binary: MP_CONFIG_FILE chooses the ini file"
out=$(MP_CONFIG_FILE=$work/bad.ini nobody_private "$work/check_conntrack" --extra-opts 2>&1)
unlike "$out" "forty-two" "setcap binary: MP_CONFIG_FILE ignored"
out=$(NAGIOS_CONFIG_PATH=$work/cfg nobody "$work/plain_check_conntrack" --extra-opts 2>&1)
like "$out" "invalid timeout 'forty-two'" "plain binary: NAGIOS_CONFIG_PATH chooses the ini file"
out=$(NAGIOS_CONFIG_PATH=$work/cfg nobody_private "$work/check_conntrack" --extra-opts 2>&1)
unlike "$out" "forty-two" "setcap binary: NAGIOS_CONFIG_PATH ignored"

# Nothing of this suite in the host's default state directories of nobody.
U=$(id -u nobody)
left=$(find "/run/monitoring-plugins/$U" "/dev/shm/monitoring-plugins-$U" -newer "$work/start" 2>/dev/null)
is "${left:-none}" none "nothing written to nobody's default state directories on the host"
done_testing
