#!/usr/bin/env bash
# `make bench`: check_conntrack's cost per run against the floor and the peers' ways: an empty
# namespace; tables of 0, 100,000 and 1,000,000 entries; rulesets of 1,000 and 10,000 rules after
# a ruleset change and unchanged; a kube-proxy node's 100,000 rules (iptables-legacy, nftables);
# --netns=all with 500 more namespaces and 20,000 more processes; and where one default run's
# system calls and page faults go. Writes tests/bench/RESULTS.md.
#
# The method: every command runs as a whole process (fork, exec, wait4), all the commands of one
# part in rounds, each round every command once in a new (seeded, shuffled) order, so that run i
# of one command is paired with run i of the floor
# or of a peer: ratios and differences are the median of those pairs, not of medians taken apart.
#
# Needs root (network namespaces). Changes no host-wide setting and leaves nothing behind: the
# measurements run in a private mount namespace with a tmpfs of their own on /dev/shm, where the
# plugin's state goes too (MP_STATE_PATH); the default state directories of the host are compared
# before and after; nf_conntrack_max is only read (a table larger than 75% of it is spread over
# several namespaces); tests/hostguard/watch.c watches every writable sysctl under
# /proc/sys/net/netfilter during the run.
# Tunables (environment):
#   BENCH_BUDGET_MS  time budget per command and part (default 3000)
#   BENCH_MAX_RUNS   runs per command at most (default 400); BENCH_MIN_RUNS at least (default 5)
#   BENCH_SIZES      table sizes (default "0 100000 1000000")
#   BENCH_RULES      ruleset sizes (default "1000 10000"; none is always measured)
#   BENCH_KUBE       kube-proxy ruleset size (default 100000; 0 skips the part)
#   BENCH_NODE       "NAMESPACES PROCESSES" added for --netns=all (default "500 20000"; "0 0" skips)
#   BENCH_RUNS_DIR   keep every part's runs there (index round wall cpu rss rc), for a second look
#   PLUGIN           the plugin to measure (default the in-tree build)
#   MNL_STATIC       a static libmnl (libmnl.a) for \`make static\`, measured beside it when it builds
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
OUT=$TOP/tests/bench/RESULTS.md
die() {
	echo "bench: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"

# ---- Outside: the host's default state directories before and after, the rest inside a private
# mount namespace whose /dev/shm is a tmpfs of its own.
defaults() {
	for d in /run/monitoring-plugins /dev/shm/monitoring-plugins-*; do
		[ -e "$d" ] && find "$d" -printf '%p %y %s %T@ %C@\n'
	done 2>/dev/null | sort
}
if [ -z "${CTBENCH_PRIVATE:-}" ]; then
	before=$(defaults)
	CTBENCH_PRIVATE=1 unshare -m --propagation private bash "$0" "$@"
	rc=$?
	after=$(defaults)
	[ "$rc" -eq 0 ] || exit "$rc"
	shown=$(printf '%s\n' "$before" | awk 'NF' | wc -l)
	if [ "$before" = "$after" ]; then
		echo "Default state directories of the host (/run/monitoring-plugins, /dev/shm/monitoring-plugins-*):" >>"$OUT"
		echo "the same before and after the run, entry for entry (name, type, size, times: $shown entries)." >>"$OUT"
		echo "bench: the host's default state directories are unchanged" >&2
		exit 0
	fi
	{
		echo "Default state directories of the host CHANGED during the run (by this benchmark or"
		echo "something else running):"
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/    /'
	} >>"$OUT"
	die "the host's default state directories changed during the run"
fi
mount -t tmpfs -o mode=1777,size=512m ctbench-shm /dev/shm || die "cannot mount a private /dev/shm"

PLUGIN=${PLUGIN:-$TOP/plugins/check_conntrack}
BUDGET=${BENCH_BUDGET_MS:-3000}
MAXRUNS=${BENCH_MAX_RUNS:-400}
MINRUNS=${BENCH_MIN_RUNS:-5}
SIZES=${BENCH_SIZES:-0 100000 1000000}
RULES=${BENCH_RULES:-1000 10000}
KUBE=${BENCH_KUBE:-100000}
read -r NODE_NS NODE_PROCS <<<"${BENCH_NODE:-500 20000}"
LOCK=/run/lock/check_conntrack-kernel.lock
MAXFILE=/proc/sys/net/netfilter/nf_conntrack_max
COUNT=/proc/sys/net/netfilter/nf_conntrack_count
P=ctb-$$
START=$(date +%s)
log() { echo "bench: [$(($(date +%s) - START)) s] $*" >&2; }

for t in cc ip nft iptables-legacy-restore iptables-legacy-save conntrack flock; do
	command -v "$t" >/dev/null || NEED=1
done
if [ -n "${NEED:-}" ]; then
	log "installing what is missing (tests/install-deps)"
	sh tests/install-deps || die "tests/install-deps failed"
fi
# Only the last part needs these (where a run's system calls and page faults go).
if ! command -v strace >/dev/null || ! command -v perf >/dev/null; then
	log "installing strace and perf for the last part"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace linux-perf >/dev/null 2>&1
fi
[ -x "$PLUGIN" ] || die "no plugin at $PLUGIN: run make first"
[ -e "$MAXFILE" ] || modprobe nf_conntrack 2>/dev/null
[ -e "$MAXFILE" ] || die "no nf_conntrack in this kernel"

B=$(mktemp -d /tmp/ctbench.XXXXXX)
DISK=$(mktemp -d /var/tmp/ctbench-state.XXXXXX)
UNUSABLE=/proc/ctbench-no-state-dir
NSLIST=()
NODE_PIDS=()
cleanup() {
	[ -e "$B/guard/pid" ] && kill "$(cat "$B/guard/pid")" 2>/dev/null
	for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$B" "$DISK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Where the plugin's state goes: root's default is /run/monitoring-plugins, a tmpfs or not (root's
# state never goes to /dev/shm: common/retention_store.c), the host's own; so the runs get MP_STATE_PATH in
# the private tmpfs instead, the plugin's documented way to move it.
export MP_STATE_PATH=/dev/shm/ctbench-state
STATE_WHERE="MP_STATE_PATH=$MP_STATE_PATH, a tmpfs private to the benchmark (root's default place is the host's own /run/monitoring-plugins)"

# The tools: a static runner (its own pages count in a child's peak RSS, so it must be tiny).
W="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -O2"
MNL="$(pkg-config --cflags --libs libmnl)"
cc $W -static -o "$B/runner" tests/bench/runner.c || die "cannot build the runner"
cc $W -static -o "$B/procs" tests/bench/procs.c || die "cannot build procs"
cc $W -o "$B/floor" tests/bench/floor.c || die "cannot build the floor"
cc $W -o "$B/fill" tests/bench/fill.c $MNL || die "cannot build fill"
cc $W -o "$B/fetch" tests/bench/fetch.c $MNL || die "cannot build fetch"
# The floor again, made to load libmnl as the plugin does: what one more shared library costs.
cc $W -o "$B/floor_mnl" tests/bench/floor.c -Wl,--no-as-needed $(pkg-config --libs libmnl) ||
	die "cannot build the floor with libmnl"
mkdir "$B/emptyroot"
# The static build, when a static libmnl is at hand (Debian ships none): else said why not.
STATIC_PLUGIN="" STATIC_WHY=""
if make -s static >/dev/null 2>"$B/static.log"; then
	STATIC_PLUGIN=$TOP/plugins/check_conntrack-static
else
	STATIC_WHY=$(grep -m1 -oE "cannot find -l[a-z]+" "$B/static.log")
	STATIC_WHY=${STATIC_WHY:-$(tail -1 "$B/static.log")}
fi
# The host's settings, watched from here to the report (every 10 ms: a watcher waking every
# millisecond would be one more thing running beside the measured commands).
cc $W -o "$B/watch" tests/hostguard/watch.c || die "cannot build the watcher"
mkdir "$B/guard"
"$B/watch" "$B/guard" $$ 10 </dev/null >"$B/guard/log" 2>&1 &
RULES_PROBE="" NETNS_PROBE=""
LIBCHECK="-Icommon -Iplugins/check_conntrack.d $(pkg-config --cflags libmnl)"
if [ -f libcheck.a ]; then
	cc $W $LIBCHECK -o "$B/rules_probe" tests/bench/rules_probe.c libcheck.a $MNL -lm \
		2>"$B/probe.err" && RULES_PROBE=$B/rules_probe
	cc $W $LIBCHECK -o "$B/netns_probe" tests/bench/netns_probe.c libcheck.a $MNL -lm \
		2>>"$B/probe.err" && NETNS_PROBE=$B/netns_probe
fi

newns() { # newns NAME: a namespace with loopback up, registered for cleanup
	ip netns add "$1" || die "cannot create namespace $1"
	NSLIST+=("$1")
	ip netns exec "$1" ip link set lo up
}

# Results. R[tag|label] = "runs median min max cpu rss rssmax rc varied p25 p75"; every run is in
# RUNS[tag] (index round wall cpu rss rc), the command's index in IDX[tag|label].
declare -A R IDX RUNS LOADS ENTRIES ENTRIES_AFTER PLUGIN_OUT PROBE_OUT GREP_OUT SAW CACHEFILE
LABELS=() TAGS=() CMDS=()
NMEASURE=0
add() { # add TAG NS LABEL [%SCRIPT] CMD...: queue a command for the next measure (NS "" = here)
	TAGS+=("$1")
	LABELS+=("$3")
	[ ${#CMDS[@]} -gt 0 ] && CMDS+=(":::")
	[ -n "$2" ] && CMDS+=("@$2")
	shift 3
	CMDS+=("$@")
}
measure() { # run every queued command, interleaved, in one runner
	local out idx rest runs t
	NMEASURE=$((NMEASURE + 1))
	runs=$B/runs.$NMEASURE
	local load0
	load0=$(cut -d' ' -f1 /proc/loadavg)
	out=$("$B/runner" -n "$MAXRUNS" -m "$MINRUNS" -b "$BUDGET" -w 1 -t 300 -o "$runs" \
		"${CMDS[@]}") || die "runner failed"
	while IFS=$'\t' read -r idx rest; do
		t=${TAGS[idx]}
		R["$t|${LABELS[idx]}"]=${rest//$'\t'/ }
		IDX["$t|${LABELS[idx]}"]=$idx
		RUNS[$t]=$runs
		LOADS[$t]="$load0 -> $(cut -d' ' -f1 /proc/loadavg)"
	done <<<"$out"
	if [ -n "${BENCH_RUNS_DIR:-}" ]; then
		cp "$runs" "$BENCH_RUNS_DIR/runs.$NMEASURE"
		for i in "${!TAGS[@]}"; do echo "$i ${TAGS[i]} ${LABELS[i]}"; done >"$BENCH_RUNS_DIR/index.$NMEASURE"
	fi
	LABELS=() TAGS=() CMDS=()
}
field() { # field TAG LABEL N: the Nth result field (1 runs, 2 median, 3 min, 4 max, 5 cpu, 6 rss...)
	local v=${R["$1|$2"]:-}
	[ -n "$v" ] || return 1
	set -- $v "$3"
	local n=${!#}
	echo "${!n}"
}
# pair TAG LABEL REF [FIELD]: "ratio difference pairs" of LABEL against REF over the rounds both
# ran in: the medians of run-by-run ratios and differences (FIELD 3 wall ms, 4 CPU ms, 5 RSS KiB;
# the difference in us for times).
pair() {
	local a=${IDX["$1|$2"]:-} b=${IDX["$1|$3"]:-}
	[ -n "$a" ] && [ -n "$b" ] || return 1
	awk -F'\t' -v a="$a" -v b="$b" -v f="${4:-3}" '
	function median(v, n,    i, j, t) {
		for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	$1 == a { x[$2] = $f } $1 == b { y[$2] = $f }
	END {
		n = 0
		for (r in x) if ((r in y) && y[r] > 0) { n++; q[n] = x[r] / y[r]; d[n] = (x[r] - y[r]) * (f == 5 ? 1 : 1000) }
		if (!n) exit 1
		printf "%.4f %.0f %d\n", median(q, n), median(d, n), n
	}' "${RUNS[$1]}"
}
calc() { awk "BEGIN { printf \"%s\", $* }"; }

SHELL_CHECK='n=$(cat /proc/sys/net/netfilter/nf_conntrack_count); m=$(cat /proc/sys/net/netfilter/nf_conntrack_max); echo "CONNTRACK OK - $n of $m entries ($((n * 100 / m))%)"'
F="floor (tests/bench/floor.c)"
PLUG="check_conntrack"
DISKROW="check_conntrack, state on disk"
ALERTROW="check_conntrack -w 0 -c 0: alerting, composition sampled"
CHANGED="check_conntrack, after a ruleset change"
CACHED="check_conntrack, ruleset unchanged (cached)"
VCHANGED="check_conntrack -v, after a ruleset change"
VCACHED="check_conntrack -v, ruleset unchanged (cached)"
NOSTATE="check_conntrack, state dir unusable"
STATICROW="check_conntrack, static build (make static)"
SHELLROW="shell: cat count, max"
CTC="conntrack -C"
CTS="conntrack -S"
CTL="conntrack -L | wc -l"
WCL="wc -l /proc/net/nf_conntrack"
LEGGREP="iptables-legacy-save | grep -c state"
NFTGREP="nft list ruleset | grep -c ct"
FETCH_NFT="kernel fetch alone: nftables dump (tests/bench/fetch.c)"
FETCH_LEG="kernel fetch alone: legacy tables (tests/bench/fetch.c)"
PROBE="rules module alone (tests/bench/rules_probe.c)"
# A real change between runs: a table added and deleted in one transaction bumps the ruleset
# generation, as any committed change does; the runner runs it untimed before each run.
CHANGE='printf "add table ip ctbchange\ndelete table ip ctbchange\n" | nft -f -'
HAVE_PROC_CT=""
[ -r /proc/net/nf_conntrack ] && HAVE_PROC_CT=1
starts() { # process starts a peer's way pays (a shell and each program of its pipeline)
	case $1 in
	"$SHELLROW") echo 3 ;;
	*"|"*) echo 3 ;;
	"$CTC" | "$CTS" | "$WCL") echo 1 ;;
	*) echo 1 ;;
	esac
}
add_peers() { # add_peers TAG NS: the peers' ways that count entries
	add "$1" "$2" "$SHELLROW" sh -c "$SHELL_CHECK"
	add "$1" "$2" "$CTC" conntrack -C
	add "$1" "$2" "$CTS" conntrack -S
	add "$1" "$2" "$CTL" sh -c 'conntrack -L 2>/dev/null | wc -l'
	[ -n "$HAVE_PROC_CT" ] && add "$1" "$2" "$WCL" wc -l /proc/net/nf_conntrack
}
add_rule_peers() {
	add "$1" "$2" "$LEGGREP" sh -c 'iptables-legacy-save | grep -c state'
	add "$1" "$2" "$NFTGREP" sh -c 'nft list ruleset | grep -c ct'
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) LOAD1=""
firstsize=${SIZES%% *}
biggest=0
for s in $SIZES; do [ "$s" -gt "$biggest" ] && biggest=$s; done
tablens() { # tablens NAME: a namespace that tracks (nftables and legacy state rules), flows dropped
	newns "$1"
	# Output: a state rule switches tracking on; input: drop the flows (no ICMP for each).
	ip netns exec "$1" nft -f - <<NFT || die "nft rules for $1"
table inet ctb {
	chain out { type filter hook output priority 0; ct state new,established accept; }
	chain in { type filter hook input priority 0; ip daddr 127.1.0.0/16 udp dport 1024-2047 drop; }
}
NFT
	ip netns exec "$1" iptables-legacy -A OUTPUT -m state --state NEW,ESTABLISHED -j ACCEPT ||
		die "iptables-legacy rule for $1"
	ip netns exec "$1" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
		die "udp timeout in $1"
}

# ---- Part 1: the headline, in an empty namespace before the benchmark adds any entry (the
# kernel's conntrack hash is shared by all namespaces: dumping one walks the entries of all).
tablens "$P-h"
add h "$P-h" "$F" "$B/floor"
add h "$P-h" "$PLUG" "$PLUGIN"
[ -n "$STATIC_PLUGIN" ] && add h "$P-h" "$STATICROW" "$STATIC_PLUGIN"
add h "$P-h" "$DISKROW" "$PLUGIN" "--state-dir=$DISK"
add h "$P-h" "breakdown: floor linked with libmnl" "$B/floor_mnl"
add h "$P-h" "breakdown: --no-rules, no sysctl.d, no state" "$PLUGIN" --no-rules \
	"--root=$B/emptyroot" "--state-dir=$UNUSABLE"
add h "$P-h" "breakdown: no sysctl.d, no state" "$PLUGIN" "--root=$B/emptyroot" \
	"--state-dir=$UNUSABLE"
add h "$P-h" "$NOSTATE" "$PLUGIN" "--state-dir=$UNUSABLE"
[ -n "$RULES_PROBE" ] && add h "$P-h" "$PROBE" "$RULES_PROBE"
add_peers h "$P-h"
add_rule_peers h "$P-h"
log "part 1, the headline: measuring ${#LABELS[@]} commands in an empty namespace"
measure
ENTRIES[h]=$(ip netns exec "$P-h" cat "$COUNT")
ip netns del "$P-h"

# ---- Part 2: table size. nf_conntrack_max is global but each namespace's count is held against
# it on its own: a size above 75% of it is spread over several namespaces (the plugin stays OK,
# no flow is refused) and the commands run in the first of them, while the kernel's hash table,
# shared by all namespaces, holds every entry. One table-filling user of the kernel at a time:
# the kernel lock (tests/lib/tap.sh).
exec 9>"$LOCK"
log "waiting for the kernel lock $LOCK"
flock 9
MAX=$(cat "$MAXFILE")
PER=$((MAX * 3 / 4))
declare -A NSOF MEASURED
sum_entries() { # sum_entries SIZE: the entries of all the namespaces of that size
	local ns t=0
	for ns in ${NSOF[$1]}; do t=$((t + $(ip netns exec "$ns" cat "$COUNT"))); done
	echo "$t"
}
for s in $SIZES; do
	k=$(((s + PER - 1) / PER))
	[ "$k" -ge 1 ] || k=1
	for i in $(seq 1 "$k"); do
		ns=$P-t$s-$i
		share=$((s / k + (i <= s % k ? 1 : 0)))
		tablens "$ns"
		NSOF[$s]+="$ns "
		refused=$(ip netns exec "$ns" "$B/fill" 0 "$share") || die "fill $share in $ns"
		n=$(ip netns exec "$ns" cat "$COUNT")
		log "$ns: $n entries from $share flows ($refused refused)"
		[ "$n" -ge $((share * 99 / 100)) ] || die "$ns: only $n entries of $share"
		[ "$i" -eq 1 ] && MEASURED[$s]=$n
	done
	ENTRIES[$s]=$(sum_entries "$s")
done
for s in $SIZES; do
	ns=$P-t$s-1
	add "t$s" "$ns" "$F" "$B/floor"
	add "t$s" "$ns" "$PLUG" "$PLUGIN"
	add "t$s" "$ns" "$DISKROW" "$PLUGIN" "--state-dir=$DISK"
	add "t$s" "$ns" "$ALERTROW" "$PLUGIN" -w 0 -c 0
	add_peers "t$s" "$ns"
done
log "part 2, table size: measuring ${#LABELS[@]} commands at table sizes $SIZES"
measure
for s in $SIZES; do ENTRIES_AFTER[$s]=$(sum_entries "$s"); done
PLUGIN_OUT_BIG=$(ip netns exec "$P-t$biggest-1" "$PLUGIN" 2>&1 | head -1)
ALERT_OUT_BIG=$(ip netns exec "$P-t$biggest-1" "$PLUGIN" -w 0 -c 0 2>&1 | grep -m1 '^composition: ')
for s in $SIZES; do for ns in ${NSOF[$s]}; do ip netns del "$ns"; done; done
flock -u 9
exec 9>&-
log "table part done; kernel lock released"

# ---- Part 3: ruleset size, nftables and iptables-legacy apart. One rule in four matches on state.
add_rules_cmds() { # add_rules_cmds TAG NS: the plugin after a change and unchanged, -v, the bounds
	add "$1" "$2" "$F" "$B/floor"
	add "$1" "$2" "$CHANGED" "%$CHANGE" "$PLUGIN"
	add "$1" "$2" "$CACHED" "$PLUGIN"
	add "$1" "$2" "$VCHANGED" "%$CHANGE" "$PLUGIN" -v
	add "$1" "$2" "$VCACHED" "$PLUGIN" -v
	[ -n "$RULES_PROBE" ] && add "$1" "$2" "$PROBE" "$RULES_PROBE"
	add "$1" "$2" "$FETCH_NFT" "$B/fetch" nft
	add "$1" "$2" "$FETCH_LEG" "$B/fetch" legacy
	add_rule_peers "$1" "$2"
}
saw() { # saw TAG NS: what the plugin and the peers saw, and whether a change made it read again
	PLUGIN_OUT[$1]=$(ip netns exec "$2" "$PLUGIN" 2>&1 | head -1)
	[ -n "$RULES_PROBE" ] && PROBE_OUT[$1]=$(ip netns exec "$2" "$RULES_PROBE" 2>&1)
	GREP_OUT[$1]="$(ip netns exec "$2" sh -c 'iptables-legacy-save | grep -c state')/$(ip netns exec "$2" sh -c 'nft list ruleset | grep -c ct')"
	ip netns exec "$2" sh -c "$CHANGE"
	SAW[$1]="after a change: $(ip netns exec "$2" "$PLUGIN" -v 2>&1 | grep -m1 '^nftables rules'); then: $(ip netns exec "$2" "$PLUGIN" -v 2>&1 | grep -m1 '^nftables rules')"
}
newns "$P-r0"
RTAGS=(r0)
top=${RULES##* }
for n in $RULES; do RTAGS+=("n$n"); done
for n in $RULES; do RTAGS+=("l$n"); done
for n in $RULES; do
	newns "$P-n$n"
	awk -v n="$n" 'BEGIN {
		print "table inet ctb {\n\tchain input {\n\t\ttype filter hook input priority 0;"
		for (i = 0; i < n; i++)
			if (i % 4 == 0) print "\t\tct state established accept"
			else printf "\t\ttcp dport %d accept\n", 1000 + i
		print "\t}\n}"
	}' | ip netns exec "$P-n$n" nft -f - || die "loading $n nftables rules"
	newns "$P-l$n"
	awk -v n="$n" 'BEGIN {
		print "*filter"
		for (i = 0; i < n; i++)
			if (i % 4 == 0) print "-A INPUT -m state --state ESTABLISHED -j ACCEPT"
			else printf "-A INPUT -p tcp --dport %d -j ACCEPT\n", 1000 + i
		print "COMMIT"
	}' | ip netns exec "$P-l$n" iptables-legacy-restore || die "loading $n iptables-legacy rules"
done
for t in "${RTAGS[@]}"; do add_rules_cmds "$t" "$P-$t"; done
log "part 3, ruleset size: measuring ${#LABELS[@]} commands at ruleset sizes none $RULES"
measure
for t in "${RTAGS[@]}"; do saw "$t" "$P-$t"; done
for t in "${RTAGS[@]}"; do ip netns del "$P-$t"; done

# ---- Part 4: a kube-proxy node, its rules in one backend at a time (tests/bench/kube-rules.awk).
KTAGS=()
if [ "$KUBE" -gt 0 ]; then
	newns "$P-kl"
	awk -v rules="$KUBE" -v backend=legacy -f tests/bench/kube-rules.awk |
		ip netns exec "$P-kl" iptables-legacy-restore || die "loading the kube-proxy legacy rules"
	newns "$P-kn"
	log "loading $KUBE nftables rules (half a minute)"
	awk -v rules="$KUBE" -v backend=nft -f tests/bench/kube-rules.awk |
		ip netns exec "$P-kn" nft -f - || die "loading the kube-proxy nftables rules"
	KRULES[0]=$(ip netns exec "$P-kl" iptables-legacy-save | grep -c '^-A')
	KRULES[1]=$(ip netns exec "$P-kn" nft -a list ruleset | grep -E ' # handle [0-9]+$' |
		grep -cvE '^[[:space:]]*(table|chain) ')
	KTAGS=(kl kn)
	# One part per backend: the peer's large process (330 MB for nft) would otherwise leave
	# its memory to be freed under the other backend's runs.
	for t in kl kn; do
		add "$t" "$P-$t" "$F" "$B/floor"
		add "$t" "$P-$t" "$CHANGED" "%$CHANGE" "$PLUGIN"
		add "$t" "$P-$t" "$CACHED" "$PLUGIN"
		add "$t" "$P-$t" "$VCACHED" "$PLUGIN" -v
		# The static build maps no libc or loader before the table copy: the memory target's case.
		[ "$t" = kl ] && [ -n "$STATIC_PLUGIN" ] && add "$t" "$P-$t" "$STATICROW" "$STATIC_PLUGIN"
		if [ "$t" = kl ]; then
			add "$t" "$P-$t" "$FETCH_LEG" "$B/fetch" legacy
			add kl "$P-kl" "iptables-legacy-save | grep -c DNAT" sh -c 'iptables-legacy-save | grep -c DNAT'
		else
			add "$t" "$P-$t" "$FETCH_NFT" "$B/fetch" nft
			add kn "$P-kn" "nft list ruleset | grep -c dnat" sh -c 'nft list ruleset | grep -c dnat'
		fi
		log "part 4, kube-proxy: measuring ${#LABELS[@]} commands at $KUBE $([ $t = kl ] && echo iptables-legacy || echo nftables) rules"
		measure
	done
	for t in kl kn; do
		PLUGIN_OUT[$t]=$(ip netns exec "$P-$t" "$PLUGIN" 2>&1 | head -1)
		ip netns exec "$P-$t" sh -c "$CHANGE"
		SAW[$t]="after a change: $(ip netns exec "$P-$t" "$PLUGIN" -v 2>&1 | grep -m1 '^nftables rules')"
		CACHEFILE[$t]=$(find /dev/shm -name "nft-rules-cookie-*" -newer "$B/runner" -printf '%s %p\n' 2>/dev/null | sort -n | tail -1)
	done
	KGREP[0]=$(ip netns exec "$P-kl" sh -c 'iptables-legacy-save | grep -c DNAT')
	KGREP[1]=$(ip netns exec "$P-kn" sh -c 'nft list ruleset | grep -c dnat')
	ip netns del "$P-kl"
	ip netns del "$P-kn"
fi

# ---- Part 5: --netns=all on a node: the host as it is, then NODE_NS more namespaces (each held by
# a sleeping process, as containers hold them), then NODE_PROCS more processes in all.
NTAGS=()
node_cmds() {
	add "$1" "" "$F" "$B/floor"
	add "$1" "" "check_conntrack --netns=all" "$PLUGIN" --netns=all
	add "$1" "" "check_conntrack --netns=all --no-rules" "$PLUGIN" --netns=all --no-rules
	# The default run checks its own namespace alone: what the others cost it, if anything.
	add "$1" "" "check_conntrack (default: its own namespace)" "$PLUGIN"
	[ -n "$NETNS_PROBE" ] && add "$1" "" "namespace scan alone (tests/bench/netns_probe.c)" "$NETNS_PROBE"
}
node_start() { # node_start N NS: N more sleeping processes, NS of them in namespaces of their own
	local f=$B/procs.out.$1 fifo=$B/procs.in.$1
	mkfifo "$fifo"
	"$B/procs" "$1" "$2" <"$fifo" >"$f" 2>&1 &
	NODE_PIDS+=($!)
	exec 8>"$fifo" # procs ends (and kills its children) when this closes, or on SIGTERM
	for _ in $(seq 600); do
		grep -q '^ready' "$f" && return 0
		kill -0 "${NODE_PIDS[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	die "procs $1 $2 did not start: $(cat "$f")"
}
node_seen() { # what the scan found, and the processes there are
	NODE_FOUND[$1]="$("$NETNS_PROBE" 2>&1 | sed 's/ in [0-9.]* ms//'); $(ls /proc | grep -c '^[1-9]') processes"
}
declare -A NODE_FOUND CPU_AT
# cpu_taken TAG start|end: the whole machine's busy CPU time (/proc/stat: user, nice, system, irq,
# softirq; not steal, which the hypervisor takes) and that of the kernel's DAMON threads
# (kdamond.*: memory monitoring, a host-wide setting this benchmark leaves alone), in clock ticks,
# and the time. With the measured commands' own CPU time (the runs file) it tells how much of the
# machine's two cores the rest of it took while a part ran: a second thread needs a free one.
cpu_taken() {
	local kd=0 p
	for p in $(pgrep '^kdamond' 2>/dev/null); do
		kd=$((kd + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	CPU_AT[$1|$2]="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat) $kd $(date +%s%N)"
}
if [ "$NODE_NS" -gt 0 ] || [ "$NODE_PROCS" -gt 0 ]; then
	NTAGS=(v0 v1 v2)
	node_seen v0
	node_cmds v0
	log "part 5, --netns=all: the host as it is"
	measure
	node_start "$NODE_NS" "$NODE_NS"
	node_seen v1
	node_cmds v1
	log "part 5, --netns=all: $NODE_NS more namespaces"
	measure
	exec 8>&-
	wait "${NODE_PIDS[-1]}" 2>/dev/null
	node_start "$NODE_PROCS" "$NODE_NS"
	node_seen v2
	node_cmds v2
	log "part 5, --netns=all: $NODE_NS more namespaces in $NODE_PROCS more processes"
	cpu_taken v2 start
	measure
	cpu_taken v2 end
	NODE_OUT=$("$PLUGIN" --netns=all 2>&1 | head -1 | cut -c1-200)
	# The last timed part ends here: 20,000 processes exiting at once next would stand in the
	# load average for minutes (it counted 255 once).
	LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
	exec 8>&-
	wait "${NODE_PIDS[-1]}" 2>/dev/null
fi

# ---- Part 6: where one default run's system calls and page faults go, by source file.
WHERE="" WHERE_FLOOR="" WHERE_CTS=""
if command -v strace >/dev/null && command -v perf >/dev/null; then
	newns "$P-w"
	ip netns exec "$P-w" "$PLUGIN" >/dev/null 2>&1 # not the first run: the state exists
	WHERE=$(ip netns exec "$P-w" bash tests/bench/where.sh "$PLUGIN" 2>&1)
	totals() { awk -F'|' '$2 ~ /total/ { printf "%d system calls, %d page faults", $3, $4 }'; }
	WHERE_FLOOR=$(ip netns exec "$P-w" bash tests/bench/where.sh "$B/floor" 2>&1 | totals)
	WHERE_CTS=$(ip netns exec "$P-w" bash tests/bench/where.sh conntrack -S 2>&1 | totals)
	perfstat() { # perfstat CMD...: mean system calls and page faults over 20 runs
		# nsenter, not ip netns exec: that mounts another /sys, without the tracing events
		nsenter --net="/run/netns/$P-w" perf stat -x, -r 20 -e raw_syscalls:sys_enter \
			-e page-faults "$@" 2>&1 >/dev/null |
			awk -F, '$3 ~ /sys_enter/ { s = $1 } $3 ~ /page-faults/ { f = $1 }
				END { printf "%.0f system calls, %.0f page faults", s, f }'
	}
	STAT_PLUGIN=$(perfstat "$PLUGIN")
	STAT_FLOOR=$(perfstat "$B/floor")
	STAT_CTS=$(perfstat conntrack -S)
	ip netns del "$P-w"
fi
NSLIST=()
LOAD1=${LOAD1:-$(cut -d' ' -f1-3 /proc/loadavg)}
# What the plugin left in its default directory, the private tmpfs: it goes with this namespace.
LEFT=$(find /dev/shm -mindepth 1 -type f 2>/dev/null | wc -l)
# The watcher's verdict: the benchmark changed no host-wide setting, at any moment.
kill -TERM "$(cat "$B/guard/pid" 2>/dev/null)" 2>/dev/null
for _ in $(seq 100); do
	[ -e "$B/guard/summary" ] && break
	sleep 0.05
done
[ -e "$B/guard/summary" ] || die "the host settings watcher did not finish"
GUARD_N=$(awk '$1 == "samples_max" { print $2 }' "$B/guard/summary")
GUARD_KEYS=$(awk '$1 == "keys" { print $2 }' "$B/guard/summary")
GUARD_CHANGES=$(cat "$B/guard/changes")
[ -z "$GUARD_CHANGES" ] || log "host settings changed during the run (not by this script): $GUARD_CHANGES"
log "measured; writing $OUT"

# ---- Report.
ms() { printf '%.2f' "$1"; }
esc() { echo "${1//|/\\|}"; } # a | inside a Markdown table cell
mib() { awk -v a="$1" 'BEGIN { printf "%.2f", a / 1024 }'; }
human() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; } # 1000000 -> 1,000,000
us() { awk -v a="$1" 'BEGIN { printf "%+d", a }'; }
# cell TAG LABEL: "ratio x, +N us" against the floor, paired
vs_floor() {
	local p
	p=$(pair "$1" "$2" "$F") || { echo "-"; return; }
	set -- $p
	echo "$(printf '%.2f' "$1") x, $(us "$2") us"
}
# vs TAG LABEL PEER [FIELD]: how many times faster (or smaller) LABEL is than PEER, paired
vs() {
	local p
	p=$(pair "$1" "$3" "$2" "${4:-3}") || return 1
	set -- $p
	echo "$1"
}
verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }
# Part 5's last step: what the rest of the machine took of its cores meanwhile, and the
# --netns=all runs that had a second core (their CPU time, both threads, above their wall time)
# apart from those that had one.
cores_report() {
	local hz idx
	hz=$(getconf CLK_TCK)
	idx=${IDX["v2|check_conntrack --netns=all"]:-}
	[ -n "${CPU_AT[v2|start]:-}" ] && [ -n "${CPU_AT[v2|end]:-}" ] && [ -n "$idx" ] || return 0
	awk -v hz="$hz" -v idx="$idx" -v s="${CPU_AT[v2|start]}" -v e="${CPU_AT[v2|end]}" -F'\t' '
	function median(v, n,    i, j, t) {
		for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{ ours += $4 / 1000 }
	$1 == idx { if ($4 > 1.2 * $3) two[++n2] = $3; else one[++n1] = $3; cpu[++nc] = $4 }
	END {
		split(s, a, " "); split(e, b, " ")
		wall = (b[3] - a[3]) / 1e9
		busy = (b[1] - a[1]) / hz; kd = (b[2] - a[2]) / hz
		printf "While the +%s processes part ran (%.1f s), the measured runs took %.1f s of CPU and the rest of the machine (the warm-up runs, one a command, among it) %.2f cores on average", "'"$(human "$NODE_PROCS")"'", wall, ours, (busy - ours) / wall
		if (kd > 0) printf " (the kernel'"'"'s DAMON threads, kdamond: %.2f cores)", kd / wall
		printf ".\n--netns=all spends %.1f ms of CPU a run (median, both threads); ", median(cpu, nc)
		printf "with a second core free (CPU time above 1.2 x the wall time) %d of %d runs took %s ms (median); the others %s ms.\n", n2, n1 + n2, n2 ? sprintf("%.2f", median(two, n2)) : "-", n1 ? sprintf("%.2f", median(one, n1)) : "-"
	}' "${RUNS[v2]}"
}
floor_line() { # the floor of one part, in us
	echo "floor $(awk -v a="$(field "$1" "$F" 2)" 'BEGIN { printf "%.0f", a * 1000 }') us (load $(echo ${LOADS[$1]:-?}))"
}
row() { # row TAG LABEL: one headline-style row
	local l=$2 med
	med=$(field "$1" "$l" 2) || return 0
	printf '| %s | %s | %s | %s | %s-%s | %s | %s | %s |\n' "$(esc "$l")" "$(starts "$l")" \
		"$(field "$1" "$l" 1)" "$(ms "$med")" "$(ms "$(field "$1" "$l" 3)")" \
		"$(ms "$(field "$1" "$l" 4)")" "$(ms "$(field "$1" "$l" 5)")" \
		"$(mib "$(field "$1" "$l" 6)")" "$(vs_floor "$1" "$l")"
}
{
	echo "# check_conntrack benchmark"
	echo
	echo "Written by \`make bench\` (tests/bench/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| kernel | $(uname -r) |"
	echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores |"
	echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| system | $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") |"
	echo "| plugin | $("$PLUGIN" -V 2>&1 | head -1), commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- plugins common 2>/dev/null || echo ' (modified)') |"
	echo "| peers | $(conntrack --version 2>&1 | head -1); $(nft --version 2>&1); $(iptables-legacy --version 2>&1) |"
	[ -n "$STATIC_PLUGIN" ] && echo "| static build | make static with MNL_STATIC=${MNL_STATIC:-what pkg-config --static names} |"
	echo "| load average | $LOAD0 at start, $LOAD1 at the end of the last timed part |"
	echo
	echo "How it measures. Each command runs as a whole process, forked and exec'd by"
	echo "tests/bench/runner.c, stdout to /dev/null; the commands of one part run in rounds, each"
	echo "round every command once in a new order (a seeded shuffle: no command always follows the"
	echo "same one), until ${MAXRUNS} runs or ${BUDGET} ms of runs each (at least ${MINRUNS}), after one warm-up."
	echo "Wall time: median and min-max over runs; CPU: median user+sys of the process and the children"
	echo "it waited for; peak RSS: median ru_maxrss (for a pipeline, its largest process). **x floor**"
	echo "and **over the floor** pair run i of a command with run i of the floor, in the same part,"
	echo "and take the median of the ratios and of the differences (in microseconds): the floor moves"
	echo "with the machine and the load, so each part gives its own floor. The floor is"
	echo "tests/bench/floor.c, the least a check can do: read the two proc files, print a line."
	echo "**starts**: process starts each way pays (exec, dynamic loading); a pipeline under \`sh -c\`"
	echo "pays three, which is most of its cost when the work is small."
	echo "check_conntrack runs with default options: its state in $STATE_WHERE;"
	echo "\"state on disk\" puts it in /var/tmp. Namespaces: a \`ct state\` output rule (nftables)"
	echo "and an iptables-legacy \`-m state\` rule; entries are unreplied UDP flows made by"
	echo "tests/bench/fill.c. nf_conntrack_max is $(human "$MAX"), held against each namespace's"
	echo "count on its own; the benchmark writes no sysctl."
	if [ -z "$GUARD_CHANGES" ]; then
		echo "Watched: nf_conntrack_max, read $(human "$GUARD_N") times (every 10 ms), and all $GUARD_KEYS writable"
		echo "sysctls under /proc/sys/net/netfilter (every 100 ms) stayed as found for the whole run."
	else
		echo "Watched: sysctls under /proc/sys/net/netfilter CHANGED during the run (not by this"
		echo "script): $(echo $GUARD_CHANGES)."
	fi
	echo

	echo "## 1. Headline: an empty namespace, $(human "${ENTRIES[h]}") entries ($(floor_line h))"
	echo
	echo "| command | starts | runs | wall median ms | min-max ms | CPU ms | peak RSS MiB | x floor, over the floor (paired) |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|"
	for l in "$F" "$PLUG" "$STATICROW" "$DISKROW" "$NOSTATE" "breakdown: no sysctl.d, no state" \
		"breakdown: --no-rules, no sysctl.d, no state" "breakdown: floor linked with libmnl" \
		"$PROBE" "$SHELLROW" "$CTC" "$CTS" "$CTL" "$WCL" "$LEGGREP" "$NFTGREP"; do
		row h "$l"
	done
	echo
	for peer in "$CTS" "$CTC"; do
		p=$(pair h "$PLUG" "$peer") && set -- $p &&
			echo "check_conntrack against \`$peer\` (one process each), paired: $(printf '%.2f' "$1") x, $(us "$2") us over $3 pairs."
	done
	for peer in "$CTS" "$CTC"; do
		p=$(pair h "$STATICROW" "$peer") && set -- $p &&
			echo "The static build against \`$peer\`, paired: $(printf '%.2f' "$1") x, $(us "$2") us over $3 pairs."
	done
	[ -n "$STATIC_WHY" ] && echo "The static build (make static) was not measured: $STATIC_WHY (a static libmnl: MNL_STATIC=.../libmnl.a)."
	echo
	echo "Breakdown rows take the plugin apart: \`--root=\` an empty directory skips the sysctl.d"
	echo "persistence scan, \`--state-dir=\` a directory that cannot be created skips state retention"
	echo "(and the rules cache), \`--no-rules\` skips rule inspection; \"floor linked with libmnl\" is"
	echo "the floor loading the one shared library the plugin adds. The static build is the same"
	echo "plugin linked with -static-pie: no dynamic loader, no shared library (make static)."
	[ -z "$HAVE_PROC_CT" ] && echo && echo "/proc/net/nf_conntrack: absent on this kernel (not measured)."
	echo

	echo "## 2. Table size ($(floor_line "t$firstsize"))"
	echo
	echo "Every size alive at once, measured in one part. A size above $(human "$PER") entries (75% of"
	echo "nf_conntrack_max) is spread over several namespaces and measured in the first of them."
	echo -n "Per size, the measured namespace's entries of all, in how many namespaces:"
	sep=""
	total=0
	for s in $SIZES; do
		echo -n "$sep $(human "$s"): $(human "${MEASURED[$s]}") of $(human "${ENTRIES[$s]}") in $(echo ${NSOF[$s]} | wc -w)"
		sep=";"
		total=$((total + ${ENTRIES[$s]}))
	done
	echo "."
	echo "The kernel's conntrack hash table is shared by every namespace: a dump of one namespace"
	echo "walks the entries of all of them, so even the 0-entry namespace pays for the $(human "$total")."
	echo "Cells: wall median ms (x floor, paired)."
	echo
	hdr="| command | starts |"
	sep="|---|--:|"
	for s in $SIZES; do
		hdr="$hdr $(human "$s") |"
		sep="$sep--:|"
	done
	echo "$hdr over the floor at $(human "$biggest"), us | CPU ms, smallest -> largest | peak RSS MiB, smallest -> largest |"
	echo "$sep--:|--:|--:|"
	for l in "$F" "$PLUG" "$DISKROW" "$ALERTROW" "$SHELLROW" "$CTC" "$CTS" "$CTL" "$WCL"; do
		field "t$firstsize" "$l" 2 >/dev/null || continue
		r="| $(esc "$l") | $(starts "$l") |"
		for s in $SIZES; do
			p=$(pair "t$s" "$l" "$F") && set -- $p || set -- 0 0
			r="$r $(ms "$(field "t$s" "$l" 2)") ($(printf '%.2f' "$1")) |"
		done
		p=$(pair "t$biggest" "$l" "$F") && set -- $p || set -- - 0
		r="$r $(us "$2") | $(ms "$(field "t$firstsize" "$l" 5)") -> $(ms "$(field "t$biggest" "$l" 5)") |"
		r="$r $(mib "$(field "t$firstsize" "$l" 6)") -> $(mib "$(field "t$biggest" "$l" 6)") |"
		echo "$r"
	done
	echo
	echo -n "Entries per size before / after the measurement:"
	for s in $SIZES; do echo -n " $(human "${ENTRIES[$s]}") / $(human "${ENTRIES_AFTER[$s]}");"; done
	echo
	echo
	echo "Plugin at $(human "$biggest") entries: \`$PLUGIN_OUT_BIG\`"
	echo
	echo "\"Alerting\": -w 0 -c 0 make every table with an entry CRITICAL, so the plugin samples its"
	echo "composition (at most 5,000 entries over ctnetlink), reads the timeouts and gives the advice;"
	echo "an empty table does not alert. Its line at $(human "$biggest"): \`$ALERT_OUT_BIG\`"
	echo

	echo "## 3. Ruleset size ($(floor_line r0))"
	echo
	echo "The typical case first: **after a ruleset change**, a table added and deleted in one nft"
	echo "transaction before each run (untimed), so the generation the kernel reports differs from"
	echo "the one the plugin filed its last result under and it reads the rules again; on a host"
	echo "whose rules change all the time every run is this one. **Unchanged (cached)**: the same"
	echo "generation as the last run, the result taken from the state directory. iptables-legacy has"
	echo "no generation: it is read on every run, changed or not. -v lists every rule."
	echo "Cells: wall median ms (x floor, paired)."
	echo
	hdr="| command | starts |"
	sep="|---|--:|"
	for t in "${RTAGS[@]}"; do
		case $t in
		r0) hdr="$hdr no rules |" ;;
		n*) hdr="$hdr nftables $(human "${t#n}") |" ;;
		l*) hdr="$hdr legacy $(human "${t#l}") |" ;;
		esac
		sep="$sep--:|"
	done
	echo "$hdr"
	echo "$sep"
	for l in "$F" "$CHANGED" "$CACHED" "$VCHANGED" "$VCACHED" "$PROBE" "$FETCH_NFT" "$FETCH_LEG" \
		"$LEGGREP" "$NFTGREP"; do
		field r0 "$l" 2 >/dev/null || continue
		r="| $(esc "$l") | $(starts "$l") |"
		for t in "${RTAGS[@]}"; do
			p=$(pair "$t" "$l" "$F") && set -- $p || set -- 0
			r="$r $(ms "$(field "$t" "$l" 2)") ($(printf '%.2f' "$1")) |"
		done
		echo "$r"
	done
	echo
	echo "Peak RSS MiB of check_conntrack after a change / unchanged / -v after a change:"
	for t in "${RTAGS[@]}"; do
		echo -n " $t $(mib "$(field "$t" "$CHANGED" 6)") / $(mib "$(field "$t" "$CACHED" 6)") / $(mib "$(field "$t" "$VCHANGED" 6)");"
	done
	echo
	echo
	echo "What each saw (iptables-legacy-save | grep -c state / nft list ruleset | grep -c ct; the"
	echo "rules module alone; the plugin's -v note after a change, then on the next run):"
	echo
	for t in "${RTAGS[@]}"; do
		echo "- $t: ${GREP_OUT[$t]}; ${PROBE_OUT[$t]:-}; ${SAW[$t]}"
	done
	echo
	echo "\"kernel fetch alone\" only asks the kernel for the rules and looks at nothing: no checker"
	echo "that reads them can be faster."
	echo

	if [ ${#KTAGS[@]} -gt 0 ]; then
		echo "## 4. A kube-proxy node: $(human "${KRULES[0]}") iptables-legacy rules, $(human "${KRULES[1]}") nftables rules ($(floor_line kl); $(floor_line kn))"
		echo
		echo "tests/bench/kube-rules.awk: services with a cluster IP and three endpoints each, as"
		echo "kube-proxy writes them (KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-* with DNAT; the nftables"
		echo "table the same, the endpoint chosen by a numgen verdict map), one backend per namespace."
		echo "The peers are pipelines (3 process starts); on 100,000 rules the start is noise."
		echo
		echo "| command | legacy: wall ms | CPU ms | peak RSS MiB | nftables: wall ms | CPU ms | peak RSS MiB |"
		echo "|---|--:|--:|--:|--:|--:|--:|"
		for l in "$CHANGED" "$CACHED" "$VCACHED" "$STATICROW" "$FETCH_LEG" "$FETCH_NFT" \
			"iptables-legacy-save | grep -c DNAT" "nft list ruleset | grep -c dnat"; do
			[ "$l" = "$STATICROW" ] && ! field kl "$l" 2 >/dev/null && continue
			r="| $(esc "$l") |"
			for t in kl kn; do
				if field "$t" "$l" 2 >/dev/null; then
					r="$r $(ms "$(field "$t" "$l" 2)") | $(ms "$(field "$t" "$l" 5)") | $(mib "$(field "$t" "$l" 6)") |"
				else
					r="$r | | |"
				fi
			done
			echo "$r"
		done
		echo
		echo "| target (issue 16): check_conntrack against the peer, paired | faster (wall) | smaller (peak RSS) | verdict |"
		echo "|---|--:|--:|---|"
		for t in kl kn; do
			[ "$t" = kl ] && peer="iptables-legacy-save | grep -c DNAT" || peer="nft list ruleset | grep -c dnat"
			for l in "$CHANGED" "$CACHED" "$STATICROW"; do
				f=$(vs "$t" "$l" "$peer") || continue
				m=$(vs "$t" "$l" "$peer" 5)
				[ "$t" = kl ] && [ "$l" = "$CACHED" ] && continue # legacy: no cache
				if [ "$l" = "$STATICROW" ]; then
					what="iptables-legacy, static build (make static)"
				elif [ "$t" = kl ]; then
					what="iptables-legacy, read every run"
				else
					what="nftables, $([ "$l" = "$CHANGED" ] && echo "after a change" || echo "unchanged (cached)")"
				fi
				echo "| $what vs \`$(esc "$peer")\` | $(printf '%.3f' "$f") x | $(printf '%.3f' "$m") x | $(verdict "$f >= 2")/$(verdict "$m >= 2") |"
			done
		done
		echo
		echo "Plugin: legacy \`${PLUGIN_OUT[kl]:0:160}...\`; nftables \`${PLUGIN_OUT[kn]:0:160}...\`."
		echo "The peers counted ${KGREP[0]} and ${KGREP[1]} DNAT rules. The plugin's -v note, nftables:"
		echo "${SAW[kn]}. Its cache file: ${CACHEFILE[kn]:-not found} bytes (every rule -v lists;"
		echo "the bound is 16 MiB)."
		echo
		echo "iptables-legacy hands a table over in one piece (IPT_SO_GET_ENTRIES wants a buffer of"
		echo "the table's exact size): the plugin's peak RSS is that one copy; iptables-legacy-save"
		echo "holds it and its own parsed copy. The nftables dump of this ruleset costs the kernel"
		echo "about as much as \"kernel fetch alone\" shows: the plugin's share is the rest."
		echo
	fi

	if [ ${#NTAGS[@]} -gt 0 ]; then
		echo "## 5. --netns=all on a node"
		echo
		echo "tests/bench/procs.c holds $NODE_NS namespaces (a sleeping process each, unnamed, as"
		echo "containers hold them), then the same among $(human "$NODE_PROCS") sleeping processes. Found by the scan:"
		echo "host as it is: ${NODE_FOUND[v0]}; +$NODE_NS namespaces: ${NODE_FOUND[v1]}; +$(human "$NODE_PROCS") processes: ${NODE_FOUND[v2]}."
		echo "The namespaces are empty (no entry, no rule): each costs what a namespace costs to check."
		echo
		echo "| command | host as it is | +$NODE_NS namespaces | +$(human "$NODE_PROCS") processes | per namespace, us | per process, us |"
		echo "|---|--:|--:|--:|--:|--:|"
		for l in "$F" "check_conntrack --netns=all" "check_conntrack --netns=all --no-rules" \
			"namespace scan alone (tests/bench/netns_probe.c)" \
			"check_conntrack (default: its own namespace)"; do
			field v0 "$l" 2 >/dev/null || continue
			a=$(field v0 "$l" 2) b=$(field v1 "$l" 2) c=$(field v2 "$l" 2)
			echo "| $(esc "$l") | $(ms "$a") | $(ms "$b") | $(ms "$c") | $(calc "sprintf(\"%.0f\", ($b - $a) * 1000 / $NODE_NS)") | $(calc "sprintf(\"%.2f\", ($c - $b) * 1000 / ($NODE_PROCS - $NODE_NS))") |"
		done
		echo
		c=$(field v2 "check_conntrack --netns=all" 2)
		echo "Goal (issue 16): the whole run under 100 ms with $NODE_NS namespaces and $(human "$NODE_PROCS") processes: $(ms "$c") ms, $(verdict "$c < 100"). Load: ${LOADS[v0]}, ${LOADS[v1]}, ${LOADS[v2]}."
		echo "Costs per namespace and per process are differences of medians between parts"
		echo "(the floor's own drift between parts is in its row). Plugin: \`${NODE_OUT:-}...\`"
		echo
		cores_report
		echo
	fi

	if [ -n "$WHERE" ]; then
		echo "## 6. Where one default run's system calls and page faults go"
		echo
		echo "tests/bench/where.sh: one run in an empty namespace (not the first: its state exists),"
		echo "each system call (strace -k) and page fault (perf, DWARF call chains) given to the"
		echo "innermost frame in the plugin's own code, by source file, else to the process start."
		echo "Means of 20 runs (perf stat): check_conntrack $STAT_PLUGIN; the floor"
		echo "$STAT_FLOOR; conntrack -S $STAT_CTS."
		echo
		echo "| source | system calls | page faults | which calls |"
		echo "|---|--:|--:|---|"
		echo "$WHERE"
		echo
		echo "The floor, the same way: $WHERE_FLOOR; conntrack -S: $WHERE_CTS."
		echo
	fi

	echo "State: the plugin's default state directory was the benchmark's private tmpfs ($LEFT files"
	echo "there at the end, gone with it); \"state on disk\" used a temporary directory in /var/tmp,"
	echo "removed at the end."
	echo
	echo "Total time of this benchmark: $(($(date +%s) - START)) s."
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
cat "$OUT"
[ -z "$GUARD_CHANGES" ] || die "host settings changed during the run: $GUARD_CHANGES"
