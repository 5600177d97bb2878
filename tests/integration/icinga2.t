#!/usr/bin/env bash
# Icinga 2 end to end: a private icinga2 daemon (as nagios, Debian's icinga2 user) loads the
# contrib CheckCommand and apply rule, runs the installed plugin through command_endpoint, and
# its REST API reports the state, output and perfdata (as Icinga 2 itself parses them) that a
# local run gives, and the command line it built: only the options whose variables are set
# (an --extra-opts ini's thresholds then apply; null or empty variables add nothing), and the
# sudo route for --netns (conntrack-sudo, chosen by vars.conntrack_sudo) with the documented
# sudoers rule (in a private mount namespace).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools icinga2 curl python3 runuser unshare sudo visudo
id nagios >/dev/null 2>&1 || need_tools user-nagios
need_root_kernel

# Every long option of --help is an argument of the CheckCommand, with a description.
conf=$TOP/contrib/icinga2/command-conntrack.conf
opts=$("$PLUGIN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | grep -vxE -- '--help|--version')
args=$(grep -oE '^		"--[a-z-]+" = \{' "$conf" | grep -oE -- '--[a-z-]+' | sort -u)
is "$(comm -23 <(printf '%s\n' "$opts") <(printf '%s\n' "$args") | tr '\n' ' ')" "" "CheckCommand has an argument for every long option"
nargs=$(grep -cE '^		"[^"]+" = \{' "$conf")
ndesc=$(grep -cE '^			description = ' "$conf")
is "$ndesc" "$nargs" "every argument has a description"
unlike "$(grep -oE '\$[a-z_]+\$' "$conf" | sort -u | grep -v '^\$conntrack_')" . "every variable is prefixed conntrack_"
unlike "$(grep -E '^\s*vars\.conntrack_(warning|critical)' "$conf")" . "no threshold default in the command: it would beat an --extra-opts ini"

# One sudoers rule, the same in every contrib file that documents the sudo route, and valid.
rules=$(grep -hoE 'nagios ALL=\(root\) NOPASSWD: .*' "$TOP"/contrib/icinga2/*.conf \
	"$TOP"/contrib/nagios/*.cfg "$TOP"/contrib/nrpe/*.cfg | sort -u)
is "$(printf '%s\n' "$rules" | wc -l)" 1 "contrib documents one sudoers rule: $rules"

T=$(mktemp -d /tmp/ctic2.XXXXXX)
chmod 755 "$T"
NS=ctn-ic2-$$
NS2=ctn-ic2b-$$ # another namespace than the daemon's own: entering it needs root
PORT=$(shuf -i 20000-60000 -n 1) # the namespace is new: any port is free
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
P=$(install_plugin "$T/root")
ok $? "plugin installed under $T/root"
printf '%s\n' "$rules" >"$T/documented.sudoers"
visudo -cqf "$T/documented.sudoers"
ok $? "visudo -c accepts it"

# The daemon runs in a namespace of its own: its table holds exactly the flows made here.
# The API's own connections are not tracked.
ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
nsx sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 2>/dev/null
nsx nft -f - <<NFT
table inet ctic {
	chain raw_pre { type filter hook prerouting priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain raw_out { type filter hook output priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
nsx sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 2>/dev/null
nsx bash -c 'for p in $(seq 21001 21040); do echo x >/dev/udp/127.0.0.1/$p; done' 2>/dev/null
# The second namespace: the same stateful rule and 40 flows, and no daemon.
ip netns add "$NS2"
ip netns exec "$NS2" ip link set lo up
ip netns exec "$NS2" nft add table inet ctic2
ip netns exec "$NS2" nft add chain inet ctic2 out '{ type filter hook output priority 0; }'
ip netns exec "$NS2" nft add rule inet ctic2 out ct state new,established accept
ip netns exec "$NS2" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 2>/dev/null
ip netns exec "$NS2" bash -c 'for p in $(seq 21001 21040); do echo x >/dev/udp/127.0.0.1/$p; done' 2>/dev/null

mkdir -p "$T"/{data/certs,log,cache,spool,run,state,state-ini,state-null,state-netns,state-local,ts}
chown -R nagios:nagios "$T"/{data,log,cache,spool,run,state,state-ini,state-null,state-netns,state-local}
install -d -m 0700 "$T/state-sudo" "$T/sudoers.d"
D=(-DDataDir="$T/data" -DLogDir="$T/log" -DCacheDir="$T/cache" -DSpoolDir="$T/spool"
	-DInitRunDir="$T/run" -DRunAsUser=nagios -DRunAsGroup=nagios)
NODE=ct-icinga2-test
icinga2 pki new-cert --cn $NODE --key "$T/data/certs/$NODE.key" --cert "$T/data/certs/$NODE.crt" "${D[@]}" >"$T/pki.log" 2>&1
ok $? "icinga2 pki new-cert: a certificate for the API listener"
cp "$T/data/certs/$NODE.crt" "$T/data/certs/ca.crt"
chown -R nagios:nagios "$T/data"
PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The thresholds an admin keeps in an ini file (--extra-opts): warning at 10 entries.
printf '[check_conntrack]\nwarning=10\ncritical=1000\n' >"$T/plugins.ini"
chmod 644 "$T/plugins.ini"

# The sudo route: the documented rule, for this install's path and the command line that
# conntrack_sudo builds here, as a sudoers drop-in that only the daemon's private mount
# namespace sees (bound over /etc/sudoers.d); sudo keeps its timestamps in $T, logs nothing.
SUDO_LINE="/usr/bin/sudo -n $P --netns $NS2 --state-dir $T/state-sudo"
{
	echo "Defaults:nagios timestampdir=$T/ts, !syslog"
	sed "s|/usr/lib/nagios/plugins/check_conntrack --netns all|${SUDO_LINE#/usr/bin/sudo -n }|" "$T/documented.sudoers"
} >"$T/sudoers.d/check_conntrack"
chmod 0440 "$T/sudoers.d/check_conntrack"
visudo -cqf "$T/sudoers.d/check_conntrack"
ok $? "the sudoers drop-in for this install: $(tail -1 "$T/sudoers.d/check_conntrack")"

cat >"$T/icinga2.conf" <<CONF
// A private Icinga 2: one node, its API on loopback, the contrib files included unchanged.
const NodeName = "$NODE"
const ZoneName = "$NODE"
const PluginDir = "$(dirname "$P")"
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = $PORT }
object ApiUser "ct" { password = "$PW"; permissions = [ "*" ] }
object CheckerComponent "checker" {}
include <itl>
template Host "generic-host" { check_command = "dummy"; check_interval = 1h }
// command_endpoint needs the service in a zone (zones.d/<master zone> in a real setup).
template Service "generic-service" { zone = ZoneName; max_check_attempts = 1; check_interval = 2s; retry_interval = 2s }
template Host "ct" {
	import "generic-host"
	vars.os = "Linux"
	vars.conntrack = true
	vars.agent_endpoint = NodeName
}
// Thresholds set on the host.
object Host "ct-host" {
	import "ct"
	vars.conntrack_warning = "10"
	vars.conntrack_critical = "1000"
	vars.conntrack_state_dir = "$T/state"
}
// Thresholds from the ini file only.
object Host "ct-ini" {
	import "ct"
	vars.conntrack_extra_opts = "check_conntrack@$T/plugins.ini"
	vars.conntrack_state_dir = "$T/state-ini"
}
// Variables switched off with null and "".
object Host "ct-null" {
	import "ct"
	vars.conntrack_warning = null
	vars.conntrack_critical = null
	vars.conntrack_netns = ""
	vars.conntrack_timeout = null
	vars.conntrack_state_dir = "$T/state-null"
}
// Another namespace needs root: as nagios it cannot be entered...
object Host "ct-netns" {
	import "ct"
	vars.conntrack_netns = "$NS2"
	vars.conntrack_state_dir = "$T/state-netns"
}
// ...through sudo it can.
object Host "ct-sudo" {
	import "ct"
	vars.conntrack_netns = "$NS2"
	vars.conntrack_sudo = true
	vars.conntrack_state_dir = "$T/state-sudo"
}
include "$TOP/contrib/icinga2/command-conntrack.conf"
include "$TOP/contrib/icinga2/service-conntrack.conf"
CONF
chown nagios:nagios "$T/icinga2.conf"
icinga2 daemon -C -c "$T/icinga2.conf" "${D[@]}" >"$T/validate.log" 2>&1
ok $? "icinga2 daemon -C: the configuration with the contrib CheckCommand validates"
like "$(cat "$T/validate.log")" "Instantiated 5 Services" "the apply rule creates a service on each of the 5 hosts"

unshare -m --propagation private sh -c 'mount --bind "$1" /etc/sudoers.d && shift && exec "$@"' sh \
	"$T/sudoers.d" ip netns exec "$NS" icinga2 daemon -c "$T/icinga2.conf" "${D[@]}" >"$T/daemon.log" 2>&1 &
PID=$!

# Query the API (in the namespace) until every host has a check result; print one as JSON.
api() { # api HOST result|perfdata
	nsx python3 - "$PORT" "$PW" "$1" "$2" <<'PY'
import base64, json, ssl, sys, time, urllib.request
port, pw, host, what = sys.argv[1:5]
ctx = ssl._create_unverified_context()
auth = "Basic " + base64.b64encode(f"ct:{pw}".encode()).decode()
def call(path, body=None):
    req = urllib.request.Request(f"https://127.0.0.1:{port}{path}", method="POST" if body else "GET",
        data=json.dumps(body).encode() if body else None,
        headers={"Authorization": auth, "Accept": "application/json"})
    return json.load(urllib.request.urlopen(req, context=ctx, timeout=5))
deadline = time.time() + 60
while True:
    try:
        r = call(f"/v1/objects/services?service={host}!conntrack&attrs=last_check_result")
        cr = r["results"][0]["attrs"]["last_check_result"]
        if cr:
            break
    except Exception as e:
        if time.time() > deadline:
            print(json.dumps({"error": str(e)})); sys.exit(1)
    time.sleep(0.5)
if what == "result":
    print(json.dumps(cr, indent=2, sort_keys=True))
else:
    s = f'get_service("{host}", "conntrack").last_check_result.performance_data.map(p => parse_performance_data(p))'
    print(json.dumps(call("/v1/console/execute-script", {"command": s, "session": "ct"})["results"][0]["result"]))
PY
}
j() { printf '%s' "$cr" | python3 -c "import json,sys; v=json.load(sys.stdin)$1; print(v if not isinstance(v,(list,dict)) else json.dumps(v))"; }
# The command line as one string, words joined by spaces.
cmdline() { printf '%s' "$cr" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["command"]))'; }

cr=$(api ct-host result)
ok $? "the REST API reports a check result for ct-host!conntrack"
is "$(ps -o user= -p "$PID")" nagios "icinga2 runs as nagios, as Debian's package runs it"
printf '%s\n' "$cr" >"$T/last_check_result.json"
[ -n "${IC2_RESULT_OUT:-}" ] && cp "$T/last_check_result.json" "$IC2_RESULT_OUT"

# What the plugin says when run by hand as nagios, with the arguments Icinga 2 passed.
lout=$(nsx runuser -u nagios -- "$P" --warning=10 --critical=1000 --state-dir="$T/state-local" 2>&1)
lrc=$?
lfirst=${lout%%$'\n'*}
lsummary=${lfirst%% | *}
is "$(j '["exit_status"]')" "$lrc" "exit status as a local run ($lrc, WARNING)"
is "$(j '["state"]')" 1 "state 1 (WARNING): 40 entries above the warning threshold 10"
is "$(j '["output"].split(chr(10))[0].rstrip()')" "$lsummary" "first line of output as a local run"
echo "# ct-host: $(cmdline)"
is "$(cmdline)" "$P --critical 1000 --state-dir $T/state --warning 10" "command line built from the host's conntrack_ variables, nothing else"
is "$(j '["check_source"]')" "$NODE" "executed on the command_endpoint"
is "$(j '["performance_data"][0]')" "entries=40;10;1000;0;$(cat /proc/sys/net/netfilter/nf_conntrack_max)" "raw perfdata entries"
is "$(j '["performance_data"]' | python3 -c 'import json,sys; print(" ".join(x.split("=")[0] for x in json.load(sys.stdin)))')" \
	"$(printf '%s\n' "${lfirst#* | }" | tr ' ' '\n' | cut -d= -f1 | tr '\n' ' ' | sed 's/ $//')" "the same perfdata labels as a local run"

pd=$(api ct-host perfdata)
ok $? "Icinga 2 parses the perfdata (parse_performance_data through the console API)"
printf '%s\n' "$pd" >"$T/perfdata.json"
p() { printf '%s' "$pd" | python3 -c "import json,sys; d={x['label']: x for x in json.load(sys.stdin)}; print(*[repr(v) if isinstance(v, str) else float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in ($1,)])"; }
max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
is "$(p "d['entries']['value'], d['entries']['warn'], d['entries']['crit'], d['entries']['min'], d['entries']['max'], d['entries']['unit']")" \
	"40.0 10.0 1000.0 0.0 $max.0 ''" "entries: value 40, warn 10, crit 1000, min 0, max the limit, no unit"
is "$(p "d['utilization']['unit']")" "'percent'" "utilization: unit percent"
is "$(p "d['utilization']['min'], d['utilization']['max']")" "0.0 100.0" "utilization: min 0, max 100"
is "$(p "d['drop']['value'], d['drop']['unit'], d['drop']['warn']")" "0.0 '' None" "drop: value 0 (uom c accepted; Icinga 2.13 reports it without unit)"
is "$(p "all(k in d for k in ('drop','early_drop','insert_failed','insert','found','invalid'))")" True "kernel counters parsed by name"
is "$(p "d['buckets']['value'] > 0 and d['buckets']['warn'] is None")" True "buckets: a value, no thresholds"

# Thresholds from the ini file: the command passes none of its own, so the ini's win.
cr=$(api ct-ini result)
echo "# ct-ini: $(cmdline)"
is "$(cmdline)" "$P --extra-opts=check_conntrack@$T/plugins.ini --state-dir $T/state-ini" "ct-ini: no --warning/--critical on the command line, only --extra-opts"
is "$(j '["state"]')" 1 "ct-ini: WARNING, the ini's warning=10 applies to 40 entries"
like "$(j '["performance_data"][0]')" "^entries=40;10;1000;" "ct-ini: the ini's thresholds in the perfdata"

# null and "" add nothing: no empty arguments, the plugin's defaults apply.
cr=$(api ct-null result)
echo "# ct-null: $(cmdline)"
is "$(cmdline)" "$P --state-dir $T/state-null" "ct-null: null and empty variables leave their options out"
is "$(j '["state"]')" 0 "ct-null: OK with the plugin's defaults (80% / 90%)"
like "$(j '["output"]')" "^CONNTRACK OK - 40 of " "ct-null: the plugin ran normally"

# --netns as nagios fails loudly; through sudo it runs as root.
cr=$(api ct-netns result)
echo "# ct-netns: $(cmdline)"
is "$(cmdline)" "$P --netns $NS2 --state-dir $T/state-netns" "ct-netns: the plugin itself, as nagios"
is "$(j '["state"]')" 3 "ct-netns: UNKNOWN, nagios cannot enter the namespace"
like "$(j '["output"]')" "^CONNTRACK UNKNOWN - .*$NS2" "ct-netns: says which namespace: $(j '["output"].split(chr(10))[0]')"
cr=$(api ct-sudo result)
echo "# ct-sudo: $(cmdline)"
is "$(cmdline)" "$SUDO_LINE" "ct-sudo: sudo -n, then the plugin and its options, as the sudoers rule allows them"
is "$(j '["state"]')" 0 "ct-sudo: OK"
like "$(j '["output"]')" "^CONNTRACK OK - netns $NS2: 40 of [0-9]+ entries .*tracking forced by 1 rule \(" "ct-sudo: the namespace entered and its rules read, as root: $(j '["output"].split(chr(10))[0]' | cut -c1-120)"
ls -ld "$T/state-sudo"/* 2>/dev/null | grep -q ' root root '
ok $? "ct-sudo: its state belongs to root"

kill "$PID"
wait "$PID" 2>/dev/null
PID=
like "$(cat "$T/daemon.log")" "Icinga 2 has been stopped|stopped|Shutting down" "icinga2 stopped"
done_testing
