#!/usr/bin/env bash
# NRPE end to end: nrpe with the contrib snippet runs the installed plugin as nagios, and
# check_nrpe gets what a local run as nagios prints, for OK, WARNING and a filled table.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools /usr/sbin/nrpe /usr/lib/nagios/plugins/check_nrpe runuser
id nagios >/dev/null 2>&1 || need_tools user-nagios
need_root_kernel
. "$(dirname "$0")/../lib/fill.sh"

T=$(mktemp -d /tmp/ctnrpe.XXXXXX)
chmod 755 "$T"
NS=ctn-nrpe-$$
PORT=15666
NRPE_PID=
cleanup() {
	[ -n "$NRPE_PID" ] && kill "$NRPE_PID" 2>/dev/null && wait "$NRPE_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "$KEEP" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

P=$(install_plugin "$T/root")
ok $? "make install DESTDIR puts the plugin in plugindir"
build_fill "$T"
ok $? "tests/bench/fill.c builds"
install -d -o nagios -g nagios "$T/state-nrpe" "$T/state-local" "$T/nrpe.d"

# The namespace runs everything: its table is ours alone. NRPE's own connections are not
# tracked (notrack), so they neither count as entries nor get dropped when the table is full.
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" nft -f - <<NFT
table inet ctn {
	chain raw_pre { type filter hook prerouting priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain raw_out { type filter hook output priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
nsx() { ip netns exec "$NS" "$@"; }
flows() { nsx bash -c "for p in \$(seq $1 $2); do echo x >/dev/udp/127.0.0.1/\$p; done" 2>/dev/null; }

# The contrib snippet as shipped, with the plugin path of this install and a state directory.
sed -e "s|/usr/lib/nagios/plugins/check_conntrack|$P|" \
	-e "/^command\[/ s|\$| --state-dir=$T/state-nrpe|" \
	"$TOP/contrib/nrpe/check_conntrack.cfg" >"$T/nrpe.d/check_conntrack.cfg"
grep -q '^command\[check_conntrack\]=' "$T/nrpe.d/check_conntrack.cfg"
ok $? "contrib snippet defines command[check_conntrack]"
cat >"$T/nrpe.cfg" <<CFG
log_facility=daemon
log_file=$T/nrpe.log
debug=1
pid_file=$T/nrpe.pid
server_address=127.0.0.1
server_port=$PORT
nrpe_user=nagios
nrpe_group=nagios
allowed_hosts=127.0.0.1
dont_blame_nrpe=1
command_timeout=20
connection_timeout=30
include_dir=$T/nrpe.d
CFG
ip netns exec "$NS" /usr/sbin/nrpe -c "$T/nrpe.cfg" -f &
NRPE_PID=$!
for _ in $(seq 50); do
	nsx /usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p $PORT >/dev/null 2>&1 && break
	sleep 0.1
done
out=$(nsx /usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p $PORT 2>&1)
like "$out" "^NRPE v" "nrpe answers on 127.0.0.1:$PORT: $out"
user=$(ps -o user= -p "$(cat "$T/nrpe.pid" 2>/dev/null || echo $NRPE_PID)" 2>/dev/null)
is "$user" nagios "nrpe runs as nagios"

# remote NAME CMD [ARGS]: check_nrpe's first line and exit code; local NAME PLUGIN-ARGS: the same
# for the installed plugin run by hand as nagios in the namespace.
remote() {
	local cmd=$1
	shift
	rout=$(nsx /usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p $PORT -t 30 -c "$cmd" ${1:+-a "$@"} 2>&1)
	rrc=$?
	rfirst=${rout%%$'\n'*}
}
locally() {
	lout=$(nsx runuser -u nagios -- "$P" "$@" --state-dir="$T/state-local" 2>&1)
	lrc=$?
	lfirst=${lout%%$'\n'*}
}
same() { # same NAME: remote and local agree
	is "$rfirst" "$lfirst" "$1: check_nrpe prints the local first line and perfdata"
	is "$rrc" "$lrc" "$1: same exit code ($lrc)"
}

# Baselines for the counters in both state directories, then OK with the fixed command.
remote check_conntrack
locally --warning=80% --critical=90%
flows 20001 20010
remote check_conntrack
locally --warning=80% --critical=90%
same "OK, fixed arguments"
is "$rrc" 0 "OK: exit 0"
like "$rfirst" "^CONNTRACK OK - [0-9]+ of $MAX entries .*\| entries=[0-9]+;$WARN_AT;$CRIT_AT;0;$MAX utilization=" "OK: summary and perfdata"

# WARNING: thresholds passed through NRPE. Debian's nrpe is built without argument support
# (README.Debian), so there check_nrpe -a must be refused and thresholds go in a fixed command
# (as the contrib snippet's check_conntrack_strict does); an nrpe with argument support runs
# the snippet's check_conntrack_args.
flows 20011 20040
remote check_conntrack_args 10 1000
if grep -q 'Request contained command arguments' "$T/nrpe.log"; then
	like "$rout" "CHECK_NRPE|underflow|Error" "this nrpe refuses arguments (built without --enable-command-args): check_nrpe says so"
	echo "command[check_conntrack_w10]=$P --warning=10 --critical=1000 --state-dir=$T/state-nrpe" >"$T/nrpe.d/fixed.cfg"
	kill -HUP "$NRPE_PID"
	sleep 0.5
	remote check_conntrack_w10
else
	ok 0 "this nrpe accepts arguments (dont_blame_nrpe=1)"
fi
locally --warning=10 --critical=1000
same "WARNING, thresholds 10 / 1000 through nrpe"
is "$rrc" 1 "WARNING: exit 1"
like "$rfirst" "entries=[0-9]+;10;1000;0;$MAX " "WARNING: the thresholds are in the perfdata"

# CRITICAL: a filled table. The namespace is filled to the real limit (NRPE's own connections
# are not tracked, so they still pass) and 60 more flows are dropped by the kernel; both runs see
# the same new drops since their previous run. The unreplied flows above go first: the kernel
# would evict one of those now and then to make room, and count an early drop instead.
nsx conntrack -F 2>/dev/null
fill_to_limit "$NS"
is "$(ct_count "$NS")" "$MAX" "$NS filled to the real limit: $MAX entries in $fill_s s"
new_flows "$NS" 0 60
is "$refused" 60 "table full: the 60 new flows refused"
remote check_conntrack
locally --warning=80% --critical=90%
same "CRITICAL, filled table"
is "$rrc" 2 "CRITICAL: exit 2"
like "$rfirst" "^CONNTRACK CRITICAL - $MAX of $MAX entries \(100\.0%\), 60 packets dropped \(table full\) since last check" "CRITICAL: table full and drops in the summary: ${rfirst%% | *}"
like "$rfirst" "drop=[1-9][0-9]*c" "CRITICAL: the kernel's drop counter in the perfdata"

# A refused argument: NRPE itself rejects shell metacharacters before the plugin runs.
remote check_conntrack_args '10;id' 1000
unlike "$rout" "uid=" "NRPE refuses shell metacharacters in arguments"

kill "$NRPE_PID" && wait "$NRPE_PID" 2>/dev/null
NRPE_PID=
nsx /usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p $PORT >/dev/null 2>&1
ok $((! $?)) "nrpe stopped"
done_testing
