#!/bin/bash
# Valgrind memcheck over representative plugin runs: fixture trees, the real /proc, bad arguments,
# extra-opts, verbose traces and, as root, --netns=all. Zero errors and zero leaks of any kind.
. "$(dirname "$0")/../lib/tap.sh"
T=$FIX/trees

if ! command -v valgrind >/dev/null; then
	echo "1..1"
	echo "not ok 1 - valgrind is needed (tests/install-deps installs it)"
	exit 1
fi
work=$(mktemp -d)
ns=""
cleanup() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# vg WANT-RC NAME ARGS...: the plugin under memcheck; 99 would be valgrind's own verdict.
kinds=all
vg() {
	local want=$1 name=$2 log
	shift 2
	log=$work/vg.$_n.log
	out=$(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=$kinds \
		--errors-for-leak-kinds=$kinds --track-fds=no --log-file="$log" "$PLUGIN" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -s "$log" ]; then
		ok 0 "$name: exit $rc, memcheck clean"
	else
		ok 1 "$name: exit $rc (want $want), memcheck clean"
		sed 's/^/# /' "$log" | head -30
		printf '%s\n' "$out" | head -3 | sed 's/^/# /'
	fi
}

vg 1 "fixture modern (WARNING)" --procfs=$T/modern/proc
vg 2 "fixture centos5, -vvv" --procfs=$T/centos5/proc -vvv
vg 0 "fixture centos6" --procfs=$T/centos6/proc
vg 0 "fixture none (not active)" --procfs=$T/none/proc
vg 3 "fixture garbage-count" --procfs=$T/garbage-count/proc
vg 0 "fixture limit0" --procfs=$T/limit0/proc -v
vg 3 "procfs that does not exist (UNKNOWN)" --procfs=$work/nothing
vg 3 "bad range" -w 5:1
vg 3 "unknown option" --nope
vg 3 "bad timeout" -t 0
vg 0 "help" -h
printf '[check_conntrack]\nwarning=95%%\ncritical=99%%\nverbose\n' >"$work/plugins.ini"
vg 0 "extra-opts from a file" --extra-opts=@"$work/plugins.ini" --procfs=$T/centos6/proc
vg 3 "extra-opts: a section not in the file is an error" --extra-opts=nosuch@"$work/plugins.ini"
# The -t alarm ends the run with _exit() from the signal handler: memory still reachable then is
# the process's to drop, not a leak; anything definitely or indirectly lost still counts.
cp -r "$T/modern" "$work/fifo"
rm "$work/fifo/proc/sys/net/netfilter/nf_conntrack_count"
mkfifo "$work/fifo/proc/sys/net/netfilter/nf_conntrack_count"
kinds=definite,indirect
vg 3 "timeout on a blocking proc file (-t 1)" --procfs="$work/fifo/proc" -t 1
kinds=all
# The real system: first run (baseline), second run (delta), verbose.
vg_real_rc() {
	"$PLUGIN" "$@" >/dev/null 2>&1
	echo $?
}
want=$(vg_real_rc -w 100% -c 100% --drop-critical=~:)
vg "$want" "real /proc, state saved" -w 100% -c 100% --drop-critical=~:
vg "$want" "real /proc again (compares with the previous run), -vvv" -w 100% -c 100% --drop-critical=~: -vvv
if [ "$(id -u)" -eq 0 ] && ns=hH-vg.$$ && ip netns add "$ns" 2>/dev/null; then
	want=$(vg_real_rc --netns=all -w 100% -c 100% --drop-critical=~:)
	vg "$want" "--netns=all as root (with namespace $ns)" --netns=all -w 100% -c 100% --drop-critical=~:
	vg "$want" "--netns=$ns" --netns=$ns -w 100% -c 100% --drop-critical=~:
elif [ "${CI:-}" = true ]; then
	ns=""
	ok 1 "--netns=all under valgrind needs root and network namespaces"
else
	ns=""
	echo "ok $((_n += 1)) # SKIP --netns=all under valgrind needs root"
fi
done_testing
