#!/usr/bin/env bash
# The kernel as judge: for each ruleset in tests/kernel/judge/cases.sh, a fresh network namespace
# loads it, sends TCP, UDP and ICMP over 127.0.0.1 and then ::1, and reads its own
# nf_conntrack_count after each: entries appeared or they did not. The plugin, run in the same
# namespace, must agree both ways: "tracking forced by ..." exactly when the kernel tracked, "no
# rule needs connection tracking" exactly when it did not, ", IPv4 only" or ", IPv6 only" exactly
# when one family's traffic was tracked and the other's not; and it lists what the case names.
# Where exemptions (notrack) meet rules that need tracking, the kernel may track everything,
# some traffic or nothing: the plugin then says both ("1 rule needs connection tracking (...) and
# 2 rules exempt traffic from it") and claims neither, exactly when it lists an exemption, and a
# family it names must be the only one the kernel could have tracked.
# README's table "What forces tracking" is made from these results (JUDGE_README=write rewrites
# it); the suite fails when they differ. JUDGE_LOG=FILE appends each ruleset's id, entries and the
# plugin's phrase (to compare two builds). Nothing here touches the root namespace.
. "$(dirname "$0")/../lib/tap.sh"
need_root_kernel

work=$(mktemp -d /tmp/ctk-judge.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
t0=$(date +%s%N)
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$work/traffic" "$TOP/tests/kernel/judge/traffic.c"
ok $? "the traffic tool builds"

# What a case's body may use: rule FAMILY HOOK 'RULE' [PRIORITY] adds RULE to a base chain of
# table t (HOOK nat-HOOK for a nat chain), creating both as needed.
cat >"$work/prelude.sh" <<'EOF'
rule() {
	local fam=$1 hook=$2 text=$3 prio=${4:-0} type=filter
	case $hook in nat-*) type=nat hook=${hook#nat-} ;; esac
	nft "add table $fam t; add chain $fam t $type-$hook { type $type hook $hook priority $prio; }; add rule $fam t $type-$hook $text"
}
EOF
# One case in its own namespace (unshare -n: it is gone with the process): load, send, judge.
cat >"$work/driver.sh" <<'EOF'
#!/bin/bash
ip link set lo up || { echo "load lo"; exit 0; }
. "$PRELUDE"
if ! (set -e; . "$1") >"$1.log" 2>&1; then
	echo "load failed: $(grep -m1 . "$1.log")"
	exit 0
fi
echo "load ok"
echo "kernel $("$TRAFFIC")"
echo "plugin"
"$PLUGIN" -v --state-dir="$2" --root="$ROOT" 2>&1
EOF
chmod +x "$work/driver.sh"
# No sysctl file: the host's own could add "limit not persistent" to the summary.
mkdir "$work/root"
export PRELUDE=$work/prelude.sh TRAFFIC=$work/traffic ROOT=$work/root PLUGIN

# judge_case ID CONSTRUCT EXAMPLE [listed=REGEX]... [todo=WHY] <<BODY
# CONSTRUCT and EXAMPLE make the case a row of README's table (empty: not a row). listed=: a line
# of the plugin's -v output must match REGEX (grep -E). todo=: a known disagreement with the
# kernel, that test reported as TAP TODO with WHY (a passing TODO says the plugin was fixed).
ids=() ; declare -A construct example listed todo body
judge_case() {
	local id=$1 arg
	ids+=("$id")
	construct[$id]=$2
	example[$id]=$3
	shift 3
	for arg in "$@"; do
		case $arg in
		listed=*) listed[$id]+="${arg#listed=}"$'\n' ;;
		todo=*) todo[$id]=${arg#todo=} ;;
		*) echo "# judge_case $id: unknown argument $arg"; exit 1 ;;
		esac
	done
	body[$id]=$(cat)
}
. "$TOP/tests/kernel/judge/cases.sh"

# The summary's phrase about the rules: "tracking forced by ...", "no rule needs ...", ...
phrase() { printf '%s\n' "$1" | head -1 | sed -E 's/^.* entries \([0-9.]+%\), //; s/ \|.*//'; }
# The phrase with exemptions: "N ... need(s) connection tracking (...)[, IPv6 only,] and M
# rule(s) exempt(s) traffic from it".
neutral() { [[ $1 == *" connection tracking ("*") and "*" traffic from it" || $1 == *" connection tracking ("*" only, and "*" traffic from it" ]]; }
# Which families the kernel tracked: "IPv4, IPv6", "IPv4 only", "IPv6 only" or "no".
tracked() {
	if (($1 > 0 && $2 > 0)); then echo "IPv4, IPv6"
	elif (($1 > 0)); then echo "IPv4 only"
	elif (($2 > 0)); then echo "IPv6 only"
	else echo "no"; fi
}
# report ID COND NAME [TODO]: ok/not ok, with the case's TODO directive when TODO is given.
report() {
	local id=$1 cond=$2 name=$3 why=${4:+${todo[$1]:-}}
	_n=$((_n + 1))
	if [ -n "$why" ]; then
		[ "$cond" -eq 0 ] && echo "ok $_n - $name # TODO $why" || echo "not ok $_n - $name # TODO $why"
	elif [ "$cond" -eq 0 ]; then echo "ok $_n - $name"
	else echo "not ok $_n - $name"; _failed=$((_failed + 1)); fi
}

table=$work/table.md
{
	echo "| construct | as loaded | the kernel tracks | check_conntrack says |"
	echo "|---|---|---|---|"
} >"$table"
n_tracked=0 n_untracked=0 worst_ms=0 worst=""
for id in "${ids[@]}"; do
	printf '%s\n' "${body[$id]}" >"$work/$id.sh"
	mkdir -m 700 "$work/state-$id"
	c0=$(date +%s%N)
	out=$(unshare -n "$work/driver.sh" "$work/$id.sh" "$work/state-$id" 2>&1)
	ms=$((($(date +%s%N) - c0) / 1000000))
	((ms > worst_ms)) && worst_ms=$ms worst=$id
	load=$(printf '%s\n' "$out" | sed -n 's/^load //p' | head -1)
	if [ "$load" != ok ]; then
		report "$id" 1 "$id: the ruleset loads ($load)"
		continue
	fi
	read -r v4 v6 < <(printf '%s\n' "$out" | sed -n 's/^kernel //p')
	plugin=$(printf '%s\n' "$out" | sed -n '/^plugin$/,$p' | tail -n +2)
	said=$(phrase "$plugin")
	kernel=$(tracked "${v4:-0}" "${v6:-0}")
	echo "# $id: kernel $kernel ($v4 IPv4, $v6 IPv6 entries); plugin: $said"
	[ -n "${JUDGE_LOG:-}" ] && printf '%s\t%s\t%s\t%s\n' "$id" "$v4" "$v6" "$said" >>"$JUDGE_LOG"
	[ "$kernel" = no ] && n_untracked=$((n_untracked + 1)) || n_tracked=$((n_tracked + 1))
	exemptions=$(printf '%s\n' "$plugin" | grep -c '^exemption: ')
	if neutral "$said"; then
		# Both said, neither claimed: only where exemptions were found, and complete.
		[ "$exemptions" -gt 0 ] && [[ $said != *"at least"* ]]
		report "$id" $? "$id: the kernel tracks $kernel; exemptions listed ($exemptions), the plugin says both and claims neither" todo
		case $said in
		*", IPv4 only, "*) [ "$kernel" = no ] || [ "$kernel" = "IPv4 only" ] ;;
		*", IPv6 only, "*) [ "$kernel" = no ] || [ "$kernel" = "IPv6 only" ] ;;
		*) true ;;
		esac
		[[ $said == *" only, "* ]] &&
			report "$id" $? "$id: the family the plugin names is the only one the kernel could track ($kernel)"
	else
		# Both ways: forced exactly when tracked, and a complete answer either way.
		if [ "$kernel" = no ]; then
			[ "$said" = "no rule needs connection tracking" ]
		else
			[[ $said == "tracking forced by "* && $said != *"at least"* ]]
		fi
		report "$id" $? "$id: the kernel tracks $kernel, the plugin agrees" todo
	fi
	# The families when tracked and claimed (untracked, the answer above says it all): named
	# exactly when one of them is not tracked.
	if [ "$kernel" != no ] && ! neutral "$said"; then
		case $kernel in
		"IPv4 only") [[ $said == *", IPv4 only" ]] ;;
		"IPv6 only") [[ $said == *", IPv6 only" ]] ;;
		*) [[ $said != *" only" ]] ;;
		esac
		report "$id" $? "$id: the families the plugin names are the ones tracked ($kernel)"
	fi
	while IFS= read -r re; do
		[ -z "$re" ] && continue
		printf '%s\n' "$plugin" | grep -Eq -- "$re"
		report "$id" $? "$id: lists $re"
	done <<<"${listed[$id]:-}"
	if [ -n "${construct[$id]}" ]; then
		printf '| %s | `%s` | %s | %s |\n' "${construct[$id]}" "${example[$id]}" \
			"$kernel" "$said" >>"$table"
	fi
done
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# ${#ids[@]} rulesets judged in $ms ms (slowest: $worst, $worst_ms ms)"
# A judge that never saw tracking (or never saw none) proves nothing.
ok $((n_tracked < 20 || n_untracked < 10)) "the kernel tracked in $n_tracked namespaces and not in $n_untracked"

# README's table is what this run proved.
readme=$TOP/README
begin='<!-- judge.t: begin -->' end='<!-- judge.t: end -->'
if [ "${JUDGE_README:-}" = write ]; then
	awk -v b="$begin" -v e="$end" -v t="$table" '
		$0 == b { print; while ((getline l < t) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$readme" >"$work/README" && cat "$work/README" >"$readme"
fi
sed -n "/^$begin\$/,/^$end\$/p" "$readme" | sed '1d;$d' >"$work/readme-table"
diff -u "$work/readme-table" "$table" >"$work/table.diff"
ok $? "README's table \"What forces tracking\" is the one this run proved (JUDGE_README=write)"
[ -s "$work/table.diff" ] && head -40 "$work/table.diff" | sed 's/^/# /'
ok $((ms > 60000)) "the suite took $ms ms, under a minute"
done_testing
