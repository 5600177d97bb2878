#!/usr/bin/env bash
# `make bench`: check_conntrack's cost per run against the floor and the peers' ways, at 0, 100,000
# and 1,000,000 conntrack entries and at 0, 1,000 and 10,000 rules; writes tests/bench/RESULTS.md.
#
# Needs root (network namespaces). Changes no host-wide setting: nf_conntrack_max is only read,
# a table larger than it allows is spread over several namespaces, and tests/hostguard/watch.c
# watches every writable sysctl under /proc/sys/net/netfilter during the run. Tunables (environment):
#   BENCH_BUDGET_MS  time budget per command and size (default 3000)
#   BENCH_MAX_RUNS   runs per command at most (default 400); BENCH_MIN_RUNS at least (default 5)
#   BENCH_SIZES      table sizes (default "0 100000 1000000")
#   BENCH_RULES      ruleset sizes (default "1000 10000"; none is always measured)
#   PLUGIN           the plugin to measure (default the in-tree build)
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
PLUGIN=${PLUGIN:-$TOP/plugins/check_conntrack}
BUDGET=${BENCH_BUDGET_MS:-3000}
MAXRUNS=${BENCH_MAX_RUNS:-400}
MINRUNS=${BENCH_MIN_RUNS:-5}
SIZES=${BENCH_SIZES:-0 100000 1000000}
RULES=${BENCH_RULES:-1000 10000}
OUT=$TOP/tests/bench/RESULTS.md
LOCK=/run/lock/check_conntrack-kernel.lock
MAXFILE=/proc/sys/net/netfilter/nf_conntrack_max
COUNT=/proc/sys/net/netfilter/nf_conntrack_count
P=ctb-$$
START=$(date +%s)

die() {
	echo "bench: $*" >&2
	exit 1
}
log() { echo "bench: [$(($(date +%s) - START)) s] $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in cc ip nft iptables-legacy-restore iptables-legacy-save conntrack flock; do
	command -v "$t" >/dev/null || NEED=1
done
if [ -n "${NEED:-}" ]; then
	log "installing what is missing (tests/install-deps)"
	sh tests/install-deps || die "tests/install-deps failed"
fi
[ -x "$PLUGIN" ] || die "no plugin at $PLUGIN: run make first"
[ -e "$MAXFILE" ] || modprobe nf_conntrack 2>/dev/null
[ -e "$MAXFILE" ] || die "no nf_conntrack in this kernel"

B=$(mktemp -d /tmp/ctbench.XXXXXX)
DISK=$(mktemp -d /var/tmp/ctbench-state.XXXXXX)
UNUSABLE=/proc/ctbench-no-state-dir
NSLIST=()
cleanup() {
	[ -e "$B/guard/pid" ] && kill "$(cat "$B/guard/pid")" 2>/dev/null
	for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$B" "$DISK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The tools: a static runner (its own pages count in a child's peak RSS, so it must be tiny).
W="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -O2"
cc $W -static -o "$B/runner" tests/bench/runner.c || die "cannot build the runner"
cc $W -o "$B/floor" tests/bench/floor.c || die "cannot build the floor"
cc $W -o "$B/fill" tests/bench/fill.c $(pkg-config --cflags --libs libmnl) || die "cannot build fill"
cc $W -o "$B/fetch" tests/bench/fetch.c $(pkg-config --cflags --libs libmnl) ||
	die "cannot build fetch"
# The floor again, made to load libmnl as the plugin does: what one more shared library costs.
cc $W -o "$B/floor_mnl" tests/bench/floor.c -Wl,--no-as-needed $(pkg-config --libs libmnl) ||
	die "cannot build the floor with libmnl"
mkdir "$B/emptyroot"
# The host's settings, watched from here to the report (every 10 ms: a watcher waking every
# millisecond would be one more thing running beside the measured commands).
cc $W -o "$B/watch" tests/hostguard/watch.c || die "cannot build the watcher"
mkdir "$B/guard"
"$B/watch" "$B/guard" $$ 10 </dev/null >"$B/guard/log" 2>&1 &
RULES_PROBE=""
if [ -f libcheck.a ] && cc $W -Icommon -Iplugins/check_conntrack.d \
	$(pkg-config --cflags libmnl) -o "$B/rules_probe" tests/bench/rules_probe.c libcheck.a \
	$(pkg-config --libs libmnl) -lm 2>"$B/rules_probe.err"; then
	RULES_PROBE=$B/rules_probe
fi
# Rule inspection in the plugin itself (issue 4): its --help names --state-rules.
PLUGIN_RULES=""
"$PLUGIN" --help 2>&1 | grep -q -- --state-rules && PLUGIN_RULES=1

newns() { # newns NAME: a namespace with loopback up, registered for cleanup
	ip netns add "$1" || die "cannot create namespace $1"
	NSLIST+=("$1")
	ip netns exec "$1" ip link set lo up
}

# Results: R[tag|label] = "runs median min max cpu rss rssmax rc varied p25 p75"
declare -A R ENTRIES ENTRIES_AFTER PLUGIN_OUT PROBE_OUT GREP_OUT
LABELS=()
TAGS=()
CMDS=()
add() { # add TAG NS LABEL CMD...: queue a command for the next measure
	TAGS+=("$1")
	LABELS+=("$3")
	[ ${#CMDS[@]} -gt 0 ] && CMDS+=(":::")
	CMDS+=("@$2")
	shift 3
	CMDS+=("$@")
}
measure() { # run every queued command, interleaved, in one runner
	local out idx rest
	out=$("$B/runner" -n "$MAXRUNS" -m "$MINRUNS" -b "$BUDGET" \
		-w 1 -t 120 "${CMDS[@]}") || die "runner failed"
	while IFS=$'\t' read -r idx rest; do
		R["${TAGS[idx]}|${LABELS[idx]}"]=${rest//$'\t'/ }
	done <<<"$out"
	LABELS=()
	TAGS=()
	CMDS=()
}
field() { # field TAG LABEL N: the Nth result field (1 runs, 2 median, 3 min, 4 max, 5 cpu, 6 rss...)
	local v=${R["$1|$2"]:-}
	[ -n "$v" ] || return 1
	set -- $v "$3"
	local n=${!#}
	echo "${!n}"
}
calc() { awk "BEGIN { printf \"%s\", $* }"; }

SHELL_CHECK='n=$(cat /proc/sys/net/netfilter/nf_conntrack_count); m=$(cat /proc/sys/net/netfilter/nf_conntrack_max); echo "CONNTRACK OK - $n of $m entries ($((n * 100 / m))%)"'
HAVE_PROC_CT=""
PEERS=("shell: cat count, max" "conntrack -C" "conntrack -S" "conntrack -L | wc -l")
add_common() { # add_common TAG NS [all]: the floor, the plugin's modes and the peers
	add "$1" "$2" "floor (tests/bench/floor.c)" "$B/floor"
	add "$1" "$2" "check_conntrack" "$PLUGIN"
	add "$1" "$2" "check_conntrack, state on disk" "$PLUGIN" "--state-dir=$DISK"
	if [ "${3:-}" = all ]; then
		add "$1" "$2" "check_conntrack, state dir unusable" "$PLUGIN" "--state-dir=$UNUSABLE"
	fi
	if [ "$1" = h ]; then
		# Where the time goes, one part at a time (headline only).
		add "$1" "$2" "breakdown: floor linked with libmnl" "$B/floor_mnl"
		[ -n "$PLUGIN_RULES" ] && add "$1" "$2" "breakdown: --no-rules, no sysctl.d, no state" \
			"$PLUGIN" --no-rules "--root=$B/emptyroot" "--state-dir=$UNUSABLE"
		add "$1" "$2" "breakdown: no sysctl.d, no state" "$PLUGIN" "--root=$B/emptyroot" \
			"--state-dir=$UNUSABLE"
	fi
	if [ "${3:-}" = all ]; then
		add "$1" "$2" "shell: cat count, max" sh -c "$SHELL_CHECK"
		add "$1" "$2" "conntrack -C" conntrack -C
		add "$1" "$2" "conntrack -S" conntrack -S
		add "$1" "$2" "conntrack -L | wc -l" sh -c 'conntrack -L 2>/dev/null | wc -l'
		[ -n "$HAVE_PROC_CT" ] &&
			add "$1" "$2" "wc -l /proc/net/nf_conntrack" wc -l /proc/net/nf_conntrack
	fi
	[ -n "$RULES_PROBE" ] && add "$1" "$2" "rules module alone" "$RULES_PROBE"
	add "$1" "$2" "iptables-legacy-save | grep -c state" sh -c 'iptables-legacy-save | grep -c state'
	add "$1" "$2" "nft list ruleset | grep -c ct" sh -c 'nft list ruleset | grep -c ct'
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# Where root's default state goes: /run, a tmpfs or not (never /dev/shm: common/state.c).
STATE_WHERE=$("$PLUGIN" -vv --no-rules 2>&1 | sed -n 's/^state of namespace .* in \(.*\)\/[^/]*$/\1/p' | head -1)
case $(stat -f -c %T /run 2>/dev/null) in
tmpfs) STATE_WHERE="${STATE_WHERE:-/run/monitoring-plugins}, a tmpfs" ;;
*) STATE_WHERE="${STATE_WHERE:-/run/monitoring-plugins}, not a tmpfs on this machine (root's state never goes to /dev/shm)" ;;
esac
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
[ -r /proc/net/nf_conntrack ] && HAVE_PROC_CT=1

# ---- Part 0: the headline, in an empty namespace before the benchmark adds any entry. (The
# kernel's conntrack hash is shared by all namespaces: dumping one walks the entries of all.)
tablens "$P-h"
add_common h "$P-h" all
log "headline: measuring ${#LABELS[@]} commands in an empty namespace (interleaved)"
measure
ENTRIES[h]=$(ip netns exec "$P-h" cat "$COUNT")
ip netns del "$P-h"

# ---- Part 1: table size. nf_conntrack_max is global but each namespace's count is held against
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
		tstart=$(date +%s.%N)
		refused=$(ip netns exec "$ns" "$B/fill" 0 "$share") || die "fill $share in $ns"
		n=$(ip netns exec "$ns" cat "$COUNT")
		log "$ns: $n entries from $share flows in $(calc "$(date +%s.%N) - $tstart" | cut -c1-5) s ($refused refused)"
		[ "$n" -ge $((share * 99 / 100)) ] || die "$ns: only $n entries of $share"
		[ "$i" -eq 1 ] && MEASURED[$s]=$n
	done
	ENTRIES[$s]=$(sum_entries "$s")
done
for s in $SIZES; do add_common "t$s" "$P-t$s-1" all; done
log "measuring ${#LABELS[@]} commands at table sizes $SIZES (interleaved)"
measure
# Check again: the entries outlived the measurement.
for s in $SIZES; do ENTRIES_AFTER[$s]=$(sum_entries "$s"); done
PLUGIN_OUT_BIG=$(ip netns exec "$P-t$biggest-1" "$PLUGIN" 2>&1 | head -1)
for s in $SIZES; do for ns in ${NSOF[$s]}; do ip netns del "$ns"; done; done
flock -u 9
exec 9>&-
log "table part done; kernel lock released"

# ---- Part 2: ruleset size, nftables and iptables-legacy apart. One rule in four matches on state.
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
NOCACHE="check_conntrack, no rules cache (state dir unusable)"
FETCH_NFT="kernel fetch alone: nftables dump (tests/bench/fetch.c)"
FETCH_LEG="kernel fetch alone: legacy tables (tests/bench/fetch.c)"
for t in "${RTAGS[@]}"; do
	add_common "$t" "$P-$t"
	# The plugin keeps what a large nftables ruleset said while its generation is unchanged:
	# without a usable state directory it reads the rules on every run, as after each change.
	[ -n "$PLUGIN_RULES" ] && add "$t" "$P-$t" "$NOCACHE" "$PLUGIN" "--state-dir=$UNUSABLE"
	add "$t" "$P-$t" "$FETCH_NFT" "$B/fetch" nft
	add "$t" "$P-$t" "$FETCH_LEG" "$B/fetch" legacy
done
log "measuring ${#LABELS[@]} commands at ruleset sizes none $RULES (interleaved)"
measure
for t in "${RTAGS[@]}"; do
	PLUGIN_OUT[$t]=$(ip netns exec "$P-$t" "$PLUGIN" 2>&1 | head -1)
	[ -n "$RULES_PROBE" ] && PROBE_OUT[$t]=$(ip netns exec "$P-$t" "$RULES_PROBE" 2>&1)
	GREP_OUT[$t]="$(ip netns exec "$P-$t" sh -c 'iptables-legacy-save | grep -c state')/$(ip netns exec "$P-$t" sh -c 'nft list ruleset | grep -c ct')"
done
for t in "${RTAGS[@]}"; do ip netns del "$P-$t"; done
NSLIST=()
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
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
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }'; }
fastest_peer() { # fastest_peer TAG: label of the peer with the lowest median wall time
	local best="" bv="" l v
	for l in "${PEERS[@]}" "wc -l /proc/net/nf_conntrack" "iptables-legacy-save | grep -c state" \
		"nft list ruleset | grep -c ct"; do
		v=$(field "$1" "$l" 2) || continue
		if [ -z "$bv" ] || awk "BEGIN { exit !($v < $bv) }"; then
			best=$l
			bv=$v
		fi
	done
	echo "$best"
}
human() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; } # 1000000 -> 1,000,000
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
	echo "| load average | $LOAD0 at start, $LOAD1 at end |"
	echo
	echo "Each command runs as a whole process, forked and exec'd by tests/bench/runner.c, stdout to"
	echo "/dev/null; all the commands of one part run interleaved (A B C A B C ...) in one runner, until"
	echo "${MAXRUNS} runs or ${BUDGET} ms of runs each (at least ${MINRUNS}). Wall time: median, min-max over runs."
	echo "CPU: median user+sys of the process and the children it waited for. Peak RSS: median"
	echo "ru_maxrss (for a pipeline, its largest process). Pipelines run under \`sh -c\`, as a check would."
	echo "check_conntrack: default options (state in its default directory, $STATE_WHERE), or with its"
	echo "state in a directory on disk (/var/tmp), or in a directory that cannot be created."
	echo "Namespaces: a \`ct state\` output rule (nftables) and an iptables-legacy \`-m state\` rule;"
	echo "entries are unreplied UDP flows made by tests/bench/fill.c. nf_conntrack_max is $(human "$MAX"),"
	echo "held against each namespace's count on its own; the benchmark writes no sysctl."
	if [ -z "$GUARD_CHANGES" ]; then
		echo "Watched: nf_conntrack_max, read $(human "$GUARD_N") times (every 10 ms), and all $GUARD_KEYS writable"
		echo "sysctls under /proc/sys/net/netfilter (every 100 ms) stayed as found for the whole run."
	else
		echo "Watched: sysctls under /proc/sys/net/netfilter CHANGED during the run (not by this"
		echo "script): $(echo $GUARD_CHANGES)."
	fi
	echo

	# Headline, at the first table size.
	F="floor (tests/bench/floor.c)"
	ROWS=("$F" "check_conntrack" "check_conntrack, state on disk"
		"check_conntrack, state dir unusable" "breakdown: no sysctl.d, no state"
		"breakdown: --no-rules, no sysctl.d, no state" "breakdown: floor linked with libmnl"
		"rules module alone" "${PEERS[@]}" "wc -l /proc/net/nf_conntrack"
		"iptables-legacy-save | grep -c state" "nft list ruleset | grep -c ct")
	t0=h
	ts="t$firstsize"
	fp=$(fastest_peer "$t0")
	floor_med=$(field "$t0" "$F" 2)
	floor_cpu=$(field "$t0" "$F" 5)
	fp_med=$(field "$t0" "$fp" 2)
	echo "## Headline: an empty namespace, $(human "${ENTRIES[h]}") entries (one run; fastest peer: $(esc "$fp"))"
	echo
	echo "| command | runs | wall median ms | min-max ms | CPU ms | peak RSS MiB | x floor (wall) | x floor (CPU) | x fastest peer (wall) |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
	for l in "${ROWS[@]}"; do
		med=$(field "$t0" "$l" 2) || continue
		cpu=$(field "$t0" "$l" 5)
		printf '| %s | %s | %s | %s-%s | %s | %s | %s | %s | %s |\n' "$(esc "$l")" \
			"$(field "$t0" "$l" 1)" "$(ms "$med")" \
			"$(ms "$(field "$t0" "$l" 3)")" "$(ms "$(field "$t0" "$l" 4)")" \
			"$(ms "$cpu")" "$(mib "$(field "$t0" "$l" 6)")" \
			"$(ratio "$med" "$floor_med")" "$(ratio "$cpu" "$floor_cpu")" "$(ratio "$med" "$fp_med")"
	done
	echo
	echo "Breakdown rows take the plugin apart: \`--root=\` an empty directory skips the sysctl.d"
	echo "persistence scan, \`--state-dir=\` a directory that cannot be created skips state retention,"
	echo "\`--no-rules\` skips rule inspection; \"floor linked with libmnl\" is the floor loading the one"
	echo "shared library the plugin adds. Default mode differs from \"state on disk\" by where the state"
	echo "file is created and renamed: a tmpfs (the default directory) or the root file system."
	[ -z "$HAVE_PROC_CT" ] && echo && echo "/proc/net/nf_conntrack: absent on this kernel (not measured)."
	echo

	echo "## Table size: wall median ms (x floor at that size), then growth"
	echo
	echo "Every size alive at once and measured interleaved in one run. A size above $(human "$PER")"
	echo "entries (75% of nf_conntrack_max, which each namespace's count is held against) is spread"
	echo "over several namespaces and measured in the first of them. Per size, the measured namespace's"
	echo -n "entries of all, in how many namespaces:"
	sep=""
	for s in $SIZES; do
		echo -n "$sep $(human "$s"): $(human "${MEASURED[$s]}") of $(human "${ENTRIES[$s]}") in $(echo ${NSOF[$s]} | wc -w)"
		sep=";"
	done
	echo "."
	echo "The kernel's conntrack hash table is shared by every namespace: a dump of one namespace"
	echo "(\`conntrack -L\`, /proc/net/nf_conntrack) walks the entries of all of them, so here even the"
	total=0
	for s in $SIZES; do total=$((total + ENTRIES[$s])); done
	echo "0-entry namespace pays for the $(human "$total") entries next door; compare with the headline."
	echo
	hdr="| command |"
	sep="|---|"
	for s in $SIZES; do
		hdr="$hdr $(human "$s") |"
		sep="$sep--:|"
	done
	echo "$hdr wall, largest / smallest | CPU ms, smallest -> largest | peak RSS MiB, smallest -> largest |"
	echo "$sep--:|--:|--:|"
	for l in "${ROWS[@]}"; do
		field "$ts" "$l" 2 >/dev/null && field "t$biggest" "$l" 2 >/dev/null || continue
		row="| $(esc "$l") |"
		for s in $SIZES; do
			med=$(field "t$s" "$l" 2)
			row="$row $(ms "$med") ($(ratio "$med" "$(field "t$s" "$F" 2)")) |"
		done
		row="$row $(ratio "$(field "t$biggest" "$l" 2)" "$(field "$ts" "$l" 2)") |"
		row="$row $(ms "$(field "$ts" "$l" 5)") -> $(ms "$(field "t$biggest" "$l" 5)") |"
		row="$row $(mib "$(field "$ts" "$l" 6)") -> $(mib "$(field "t$biggest" "$l" 6)") |"
		echo "$row"
	done
	echo
	echo -n "Entries per size before / after the measurement:"
	for s in $SIZES; do echo -n " $(human "${ENTRIES[$s]}") / $(human "${ENTRIES_AFTER[$s]}");"; done
	echo
	echo
	echo "Plugin at $(human "$biggest") entries: \`$PLUGIN_OUT_BIG\`"
	echo

	echo "## Ruleset size: wall median ms / CPU ms"
	echo
	hdr="| command |"
	sep="|---|"
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
	for l in "$F" "check_conntrack" "$NOCACHE" "check_conntrack, state on disk" \
		"rules module alone" "$FETCH_NFT" "$FETCH_LEG" \
		"iptables-legacy-save | grep -c state" "nft list ruleset | grep -c ct"; do
		field r0 "$l" 2 >/dev/null || continue
		row="| $(esc "$l") |"
		for t in "${RTAGS[@]}"; do
			row="$row $(ms "$(field "$t" "$l" 2)") / $(ms "$(field "$t" "$l" 5)") |"
		done
		echo "$row"
	done
	echo
	echo "check_conntrack reads a large nftables ruleset (4 datagrams or more) once per change: while"
	echo "the generation the kernel reports (NFT_MSG_GETGEN) is the one it filed its result under, in"
	echo "the state directory with this boot and the namespace's cookie, it takes that result. The"
	echo "default row is therefore an unchanged ruleset; \"no rules cache\" is every run after a change."
	echo "iptables-legacy has no generation: it is read on every run. \"kernel fetch alone\" only"
	echo "asks the kernel for the rules and looks at nothing: no checker that reads them can be faster."
	echo
	echo "Peak RSS MiB of check_conntrack: $(for t in "${RTAGS[@]}"; do echo -n "$t $(mib "$(field "$t" check_conntrack 6)"); "; done)"
	echo
	echo "What each saw (iptables-legacy-save | grep -c state / nft list ruleset | grep -c ct; the rules module):"
	echo
	for t in "${RTAGS[@]}"; do
		echo "- $t: ${GREP_OUT[$t]}; ${PROBE_OUT[$t]:-}"
	done
	echo
	if [ -n "$PLUGIN_RULES" ]; then
		echo "The plugin inspects rules by default (its --help names --state-rules); \"rules module"
		echo "alone\" is tests/bench/rules_probe.c, a process that only reads the rules with the same code."
	else
		echo "The plugin does not inspect rules yet (no --state-rules in --help): the rules module is"
		echo "measured alone (tests/bench/rules_probe.c); the plugin with rules will cost about its"
		echo "default cost plus that."
	fi
	echo

	# Targets.
	echo "## Targets (issue 7)"
	echo
	echo "| target | measured (wall; CPU) | verdict (wall / CPU) |"
	echo "|---|---|---|"
	verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }
	for l in "check_conntrack" "check_conntrack, state on disk"; do
		m=$(field "$t0" "$l" 2)
		c=$(field "$t0" "$l" 5)
		r=$(ratio "$m" "$floor_med")
		rc=$(ratio "$c" "$floor_cpu")
		echo "| $l: <= 1.5 x floor | $r x ($(ms "$m") vs $(ms "$floor_med") ms); CPU $rc x | $(verdict "$r <= 1.5") / $(verdict "$rc <= 1.5") |"
	done
	ccr=$(field "$t0" check_conntrack 6)
	flr=$(field "$t0" "$F" 6)
	d=$((ccr - flr))
	echo "| default mode peak RSS <= floor + 2 MiB | +$(mib "$d") MiB ($(mib "$ccr") vs $(mib "$flr")) | $(verdict "$d <= 2048") |"
	echo "| the same with $(human "$top") legacy rules (not in the issue) | $(mib "$(field "l$top" check_conntrack 6)") MiB (floor $(mib "$(field "l$top" "$F" 6)")) | $(verdict "$(field "l$top" check_conntrack 6) - $(field "l$top" "$F" 6) <= 2048") |"
	for l in "check_conntrack" "check_conntrack, state on disk"; do
		a=$(field "$ts" "$l" 2)
		z=$(field "t$biggest" "$l" 2)
		ca=$(field "$ts" "$l" 5)
		cz=$(field "t$biggest" "$l" 5)
		echo "| $l: cost at $(human "$biggest") at most 10% above its cost at $(human "$firstsize") | $(pct "$z" "$a"); $(pct "$cz" "$ca") (x floor $(ratio "$a" "$(field "$ts" "$F" 2)") -> $(ratio "$z" "$(field "t$biggest" "$F" 2)")) | $(verdict "$z <= $a * 1.1") / $(verdict "$cz <= $ca * 1.1") |"
	done
	# Rule inspection is judged on the plugin as it runs by default (state on tmpfs).
	insp="check_conntrack"
	[ -z "$PLUGIN_RULES" ] && insp="rules module alone"
	rule_target() { # rule_target TAG PEER WANT KIND [LABEL]: one row of the rule inspection targets
		local who=${5:-$insp} i p r rc
		i=$(field "$1" "$who" 2) || return 0
		p=$(field "$1" "$2" 2)
		r=$(ratio "$p" "$i")
		rc=$(ratio "$(field "$1" "$2" 5)" "$(field "$1" "$who" 5)")
		echo "| rule inspection ($(esc "$who")), $(human "$top") $4, >= $3 x faster than $(esc "$2") | $r x ($(ms "$i") vs $(ms "$p") ms); CPU $rc x | $(verdict "$r >= $3") / $(verdict "$rc >= $3") |"
	}
	if field "l$top" "$insp" 2 >/dev/null; then
		rule_target "l$top" "iptables-legacy-save | grep -c state" 5 "legacy rules"
		rule_target "l$top" "iptables-legacy-save | grep -c state" 5 "legacy rules (the bound)" "$FETCH_LEG"
		rule_target "n$top" "nft list ruleset | grep -c ct" 40 "nftables rules, unchanged since the last run"
		rule_target "n$top" "nft list ruleset | grep -c ct" 40 "nftables rules, read every run" "$NOCACHE"
		rule_target "n$top" "nft list ruleset | grep -c ct" 40 "nftables rules (the bound)" "$FETCH_NFT"
	fi
	echo
	fq1=$(field "$t0" "$F" 10)
	fq3=$(field "$t0" "$F" 11)
	echo "Noise: the floor's middle half of runs spans $(ms "$fq1")-$(ms "$fq3") ms around a median of $(ms "$floor_med") ms (min $(ms "$(field "$t0" "$F" 3)"), max $(ms "$(field "$t0" "$F" 4)")); load average $LOAD0 -> $LOAD1. Other work on the machine runs alongside: compare within one part of one run, prefer CPU ratios when the load is high."
	echo
	echo "Total time of this benchmark: $(($(date +%s) - START)) s."
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
cat "$OUT"
[ -z "$GUARD_CHANGES" ] || die "host settings changed during the run: $GUARD_CHANGES"
