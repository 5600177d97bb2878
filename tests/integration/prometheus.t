#!/usr/bin/env bash
# Prometheus end to end: contrib's units pass systemd-analyze verify; their two commands, run as
# the units run them (the check as an unprivileged user with CAP_NET_ADMIN alone, the copy as
# root), write the metrics into a textfile directory atomically (a temporary file in the same
# directory, renamed: strace shows it); promtool accepts the file; a real prometheus-node-exporter,
# on loopback in a namespace of its own, serves the plugin's metrics with the values of a
# namespace filled to the real limit and dropping packets.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools prometheus-node-exporter promtool systemd-analyze strace curl setpriv conntrack
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

T=$(mktemp -d /tmp/ctprom.XXXXXX)
chmod 755 "$T"
NS=ctn-prom-$$
NE=ctn-prom-ne-$$
NE_PID=
cleanup() {
	[ -n "$NE_PID" ] && kill "$NE_PID" 2>/dev/null && wait "$NE_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NE" 2>/dev/null
	[ -n "$KEEP" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
U=$TOP/contrib/prometheus
SERVICE=$U/check_conntrack-prometheus.service

# The units as systemd reads them; the man page their Documentation= names, where man finds it.
mkdir -p "$T/man/man1"
sed 's/@VERSION@/test/' "$TOP/contrib/check_conntrack.1" >"$T/man/man1/check_conntrack.1"
v=$(MANPATH=$T/man systemd-analyze verify "$SERVICE" "$U/check_conntrack-prometheus.timer" 2>&1)
is "$?:$v" "0:" "systemd-analyze verify: the service and the timer, nothing to say"
sed 's|^ExecStart=/bin/sh|ExecStart=/nonexistent/sh|' "$SERVICE" >"$T/broken.service"
v=$(MANPATH=$T/man systemd-analyze verify "$T/broken.service" 2>&1)
ok $((! $?)) "... and it does check: a unit whose command is missing fails (${v:0:80})"
like "$(grep -E '^(User|AmbientCapabilities|CapabilityBoundingSet|NoNewPrivileges)=' "$SERVICE" | tr '\n' ' ')" \
	"^User=check_conntrack AmbientCapabilities=CAP_NET_ADMIN CapabilityBoundingSet=CAP_NET_ADMIN NoNewPrivileges=yes $" \
	"the check runs unprivileged with CAP_NET_ADMIN alone"

# exec_line KEY: the unit's command as systemd runs it: "$$" is "$", a leading '+' means root.
exec_line() { sed -n "s/^$1=+\{0,1\}//p" "$SERVICE" | sed 's/\$\$/$/g'; }
START=$(exec_line ExecStart)
POST=$(exec_line ExecStartPost)
like "$(grep '^ExecStartPost=' "$SERVICE")" '^ExecStartPost=\+' "the copy alone runs as root ('+')"

# The namespace the check runs in: its name under /run/netns names it in the metrics.
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" nft 'add table inet ctp; add chain inet ctp out { type filter hook output priority 0; }; add rule inet ctp out ct state new,established accept'
build_fill "$T"
ok $? "tests/bench/fill.c builds"
install -d -o nobody -g nogroup -m 700 "$T/state" "$T/run"
install -d -m 755 "$T/textfile"

# writer: the unit's two commands, as the unit runs them (User=, AmbientCapabilities=).
writer() {
	ip netns exec "$NS" env -i PATH=/usr/bin:/bin PLUGIN="$PLUGIN" OPTIONS= \
		STATE_DIRECTORY="$T/state" RUNTIME_DIRECTORY="$T/run" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all,+net_admin \
		--ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin --no-new-privs \
		/bin/sh -c "$START" || return 1
	env -i PATH=/usr/bin:/bin TEXTFILE_DIR="$T/textfile" RUNTIME_DIRECTORY="$T/run" \
		strace -f -qq -o "$T/strace" -e trace=openat,rename,renameat,renameat2 /bin/sh -c "$POST"
}
writer
ok $? "first run: the unit's commands succeed (a baseline)"
F=$T/textfile/check_conntrack.prom
is "$(stat -c %a "$F" 2>&1)" 644 "the metrics file is readable by node_exporter's user"
tmpname=$(sed -n "s|.*openat(.*\"\($T/textfile/\.check_conntrack\.prom\.[A-Za-z0-9]*\)\".*O_CREAT.*|\1|p" "$T/strace" | head -n 1)
like "$tmpname" "^$T/textfile/\.check_conntrack\.prom\.[A-Za-z0-9]{6}$" "atomic: a temporary file created in the textfile directory itself (not *.prom: node_exporter skips it)"
like "$(grep -E 'rename' "$T/strace")" "rename(at2?)?\((AT_FDCWD, )?\"$tmpname\", (AT_FDCWD, )?\"$F\"" "atomic: then renamed onto check_conntrack.prom"
is "$(ls -A "$T/textfile")" "check_conntrack.prom" "nothing else left in the textfile directory"
lint=$(promtool check metrics <"$F" 2>&1)
is "$?:$lint" "0:" "promtool check metrics: the file of a real namespace, nothing to say"

# The namespace filled to the real limit, then 60 new flows that the kernel drops.
fill_to_limit "$NS"
is "$(ct_count "$NS")" "$MAX" "$NS filled to the real limit ($MAX entries in $fill_s s)"
new_flows "$NS" 1 60
drops=$refused
ok $((drops == 0)) "60 new flows into the full table: $drops dropped"
writer
ok $? "second run: the unit's commands succeed although the check is CRITICAL"

# node_exporter in a namespace of its own, on its loopback, reading only the textfile directory.
ip netns add "$NE"
ip netns exec "$NE" ip link set lo up
ip netns exec "$NE" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$T/textfile" >"$T/ne.log" 2>&1 &
NE_PID=$!
for _ in $(seq 100); do
	scrape=$(ip netns exec "$NE" curl -sf http://127.0.0.1:9100/metrics) && break
	sleep 0.1
done
like "$scrape" "^node_textfile_scrape_error 0$" "node_exporter read the file without error"
like "$scrape" "^node_textfile_mtime_seconds\{file=\"($T/textfile/)?check_conntrack\.prom\"\} " "... and shows its age"
# value NAME [LABEL=\"VALUE\"...]: a sample's value; node_exporter sorts the labels, so each is
# looked for on its own.
value() {
	local name=$1 l lines
	shift
	lines=$(printf '%s\n' "$scrape" | grep -E "^$name(\{| )")
	for l in "$@"; do lines=$(printf '%s\n' "$lines" | grep -F -- "$l"); done
	printf '%s\n' "$lines" | awk 'NF { print $NF }'
}
is "$(value check_conntrack_state)" 2 "scraped: check_conntrack_state 2 (CRITICAL)"
is "$(value check_conntrack_netns_state "netns=\"$NS\"")" 2 "scraped: the namespace by its /run/netns name, CRITICAL"
is "$(value check_conntrack_entries "netns=\"$NS\"")" "$MAX" "scraped: entries = the limit ($MAX)"
is "$(value check_conntrack_entries_max "netns=\"$NS\"")" "$MAX" "scraped: entries_max = nf_conntrack_max"
is "$(value check_conntrack_utilization_ratio "netns=\"$NS\"")" 1 "scraped: utilization ratio 1"
is "$(value check_conntrack_drop_since_last_check "netns=\"$NS\"")" "$drops" "scraped: the drops since the last run ($drops)"
drop_total=$(value check_conntrack_drop_total "netns=\"$NS\"")
ok $((drop_total < drops)) "scraped: the kernel's drop counter, a counter ($drop_total)"
like "$scrape" '^# TYPE check_conntrack_drop_total counter$' "scraped: TYPE counter"
is "$(value check_conntrack_part_state "netns=\"$NS\"" 'part="drop"')" 2 "scraped: the drop part CRITICAL"
is "$(value check_conntrack_rules_read "netns=\"$NS\"" 'backend="nftables"')" 1 \
	"scraped: nftables read with CAP_NET_ADMIN alone"
# iptables-legacy's table names are root's to read, where its module is loaded at all.
if ip netns exec "$NS" test -e /proc/net/ip_tables_names; then
	is "$(value check_conntrack_rules_read "netns=\"$NS\"" 'backend="iptables-legacy IPv4"')" 0 \
		"scraped: iptables-legacy not read unprivileged: 0"
	is "$(value check_conntrack_state_rules "netns=\"$NS\"")" "" \
		"scraped: so no rule count is claimed (a lower bound is no count)"
else
	is "$(value check_conntrack_rules_read "netns=\"$NS\"" 'backend="iptables-legacy IPv4"')" "" \
		"scraped: iptables-legacy not in use: no backend to read"
	is "$(value check_conntrack_state_rules "netns=\"$NS\"")" 1 \
		"scraped: every backend in use read: the count of state rules (1)"
fi
like "$(value check_conntrack_since_last_check_seconds "netns=\"$NS\"")" '^[0-9.]+$' "scraped: seconds since the last run"
done_testing
