#!/bin/bash
# Privilege hygiene: no capability is left after collection (root, and a setcap copy run as
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
trap 'rm -rf "$work"' EXIT
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }

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

# 3. Paths from the environment: honoured for a plain binary, ignored with file capabilities.
evil=$work/evil
mkdir -m 700 "$evil"
chown nobody "$evil"
MP_STATE_PATH=$evil nobody "$work/plain_check_conntrack" -w 100% -c 100% --drop-critical=~: >/dev/null 2>&1
ok $([ -n "$(find "$evil" -type f)" ]; echo $?) "plain binary: MP_STATE_PATH chooses the state directory"
rm -rf "${evil:?}"/*
MP_STATE_PATH=$evil nobody "$work/check_conntrack" -w 100% -c 100% --drop-critical=~: >/dev/null 2>&1
is "$(find "$evil" -mindepth 1 | wc -l)" 0 "setcap binary: MP_STATE_PATH ignored, nothing written there"

printf '[check_conntrack]\ntimeout=forty-two\n' >"$work/bad.ini"
mkdir "$work/cfg"
cp "$work/bad.ini" "$work/cfg/plugins.ini"
chmod -R a+rX "$work/bad.ini" "$work/cfg"
out=$(MP_CONFIG_FILE=$work/bad.ini nobody "$work/plain_check_conntrack" --extra-opts 2>&1)
like "$out" "invalid timeout 'forty-two'" "plain binary: MP_CONFIG_FILE chooses the ini file"
out=$(MP_CONFIG_FILE=$work/bad.ini nobody "$work/check_conntrack" --extra-opts 2>&1)
unlike "$out" "forty-two" "setcap binary: MP_CONFIG_FILE ignored"
out=$(NAGIOS_CONFIG_PATH=$work/cfg nobody "$work/plain_check_conntrack" --extra-opts 2>&1)
like "$out" "invalid timeout 'forty-two'" "plain binary: NAGIOS_CONFIG_PATH chooses the ini file"
out=$(NAGIOS_CONFIG_PATH=$work/cfg nobody "$work/check_conntrack" --extra-opts 2>&1)
unlike "$out" "forty-two" "setcap binary: NAGIOS_CONFIG_PATH ignored"
done_testing
