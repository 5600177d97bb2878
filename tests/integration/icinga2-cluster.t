#!/usr/bin/env bash
# Icinga 2 cluster end to end: a master and an agent, two icinga2 daemons in two network
# namespaces joined by a veth pair, certificates from `icinga2 pki` (a CA on the master, the
# agent's certificate signed through a ticket), the contrib CheckCommand synced to the agent in
# a global zone and the contrib apply rule on the master. The agent runs the installed plugin
# through command_endpoint; the master's REST API must report what a direct run of the same
# plugin in the agent's namespace reports: state, first line, and perfdata as Icinga 2 parses it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools icinga2 python3 setpriv nft
id nagios >/dev/null 2>&1 || need_tools user-nagios
need_root_kernel

T=$(mktemp -d /tmp/ctcluster.XXXXXX)
chmod 755 "$T"
NSM=ct-fleet-m-$$ # the master's namespace
NSA=ct-fleet-a-$$ # the agent's
VM=ctfm$$         # veth ends (interface names are at most 15 characters)
VA=ctfa$$
IPM=10.213.15.1 # the link's addresses exist only in these two namespaces
IPA=10.213.15.2
PORT=5665 # the namespaces are new: the default port is free in both
MPID= APID=
cleanup() {
	local p
	for p in $APID $MPID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSM" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
P=$(install_plugin "$T/root")
ok $? "plugin installed under $T/root"
PLUGINDIR=$(dirname "$P")

# Two namespaces and the link between them. Deleting a namespace deletes its veth end, and
# with it the pair.
ip netns add "$NSM" && ip netns add "$NSA" &&
	ip link add "$VM" netns "$NSM" type veth peer name "$VA" netns "$NSA"
ok $? "namespaces $NSM and $NSA joined by a veth pair"
mx() { ip netns exec "$NSM" "$@"; }
ax() { ip netns exec "$NSA" "$@"; }
mx ip link set lo up && mx ip addr add $IPM/30 dev "$VM" && mx ip link set "$VM" up &&
	ax ip link set lo up && ax ip addr add $IPA/30 dev "$VA" && ax ip link set "$VA" up
ok $? "the link has $IPM (master) and $IPA (agent)"

# The agent's table: a rule that needs connection tracking switches it on in its namespace; the
# cluster connection is not tracked, so the table holds exactly the 40 UDP flows made here (a
# flow that gets no answer stays 600 s with this namespace's own timeout).
ax nft -f - <<NFT
table inet ctcluster {
	chain raw_pre { type filter hook prerouting priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain raw_out { type filter hook output priority raw; tcp dport $PORT notrack; tcp sport $PORT notrack; }
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
ok $? "agent namespace: an nft ct state rule, the cluster port exempted"
ax sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
ax bash -c 'for p in $(seq 21001 21040); do echo x >/dev/udp/127.0.0.1/$p; done' 2>/dev/null
is "$(ax cat /proc/sys/net/netfilter/nf_conntrack_count)" 40 "agent namespace: 40 entries"

# Each daemon has its own directories and runs as nagios from the start: ip netns exec needs
# root, setpriv drops it and execs icinga2 (same process: a signal to it reaches icinga2).
for n in m a; do
	mkdir -p "$T/$n"/{etc/zones.d,data/certs,log,cache,spool,run}
done
mkdir -p "$T/m/etc/zones.d"/{master,global-templates} "$T/a/state"
chown -R nagios:nagios "$T/m" "$T/a"
chmod 700 "$T/a/state"
dirs() { # dirs m|a: the -D options that keep a daemon out of the system's directories
	printf '%s\n' -DConfigDir="$T/$1/etc" -DZonesDir="$T/$1/etc/zones.d" -DDataDir="$T/$1/data" \
		-DLogDir="$T/$1/log" -DCacheDir="$T/$1/cache" -DSpoolDir="$T/$1/spool" \
		-DInitRunDir="$T/$1/run" -DRunAsUser=nagios -DRunAsGroup=nagios
}
mapfile -t DM < <(dirs m)
mapfile -t DA < <(dirs a)
AS_NAGIOS=(setpriv --reuid=nagios --regid=nagios --init-groups --reset-env)
ICINGA2=$(command -v icinga2)
mi() { mx "${AS_NAGIOS[@]}" "$ICINGA2" "$@" "${DM[@]}"; }
ai() { ax "${AS_NAGIOS[@]}" "$ICINGA2" "$@" "${DA[@]}"; }

# The master's CA and certificate: new CA, a CSR for the master, signed by the CA.
MC=$T/m/data/certs
{
	mi pki new-ca &&
		mi pki new-cert --cn ct-master --key "$MC/ct-master.key" --csr "$MC/ct-master.csr" &&
		mi pki sign-csr --csr "$MC/ct-master.csr" --cert "$MC/ct-master.crt" &&
		"${AS_NAGIOS[@]}" cp "$T/m/data/ca/ca.crt" "$MC/ca.crt"
} >"$T/pki-master.log" 2>&1
ok $? "master: icinga2 pki new-ca, new-cert --csr, sign-csr"
SALT=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The master: its zone, the agent's zone below it, a global zone for the command; the contrib
# files where an admin puts them (the command in the global zone, the apply rule in the master's
# zone); the agent host with the variables an admin sets.
cat >"$T/m/etc/icinga2.conf" <<CONF
const NodeName = "ct-master"
const ZoneName = "master"
const TicketSalt = "$SALT"
const PluginDir = "$PLUGINDIR"
object Endpoint "ct-master" {}
object Zone "master" { endpoints = [ "ct-master" ] }
object Endpoint "ct-agent" {} // the agent connects
object Zone "ct-agent" { endpoints = [ "ct-agent" ]; parent = "master" }
object Zone "global-templates" { global = true }
object ApiListener "api" { bind_host = "$IPM"; bind_port = $PORT; ticket_salt = TicketSalt }
object ApiUser "ct" { password = "$PW"; permissions = [ "*" ] }
object CheckerComponent "checker" {}
include <itl>
CONF
cat >"$T/m/etc/zones.d/master/templates.conf" <<CONF
template Host "generic-host" { check_command = "dummy"; check_interval = 1h }
template Service "generic-service" { max_check_attempts = 1; check_interval = 2s; retry_interval = 2s }
CONF
cat >"$T/m/etc/zones.d/master/hosts.conf" <<CONF
object Host "ct-agent" {
	import "generic-host"
	address = "$IPA"
	vars.os = "Linux"
	vars.conntrack = true
	vars.agent_endpoint = name
	vars.conntrack_warning = "10"
	vars.conntrack_critical = "1000"
	vars.conntrack_state_dir = "$T/a/state"
}
CONF
cp "$TOP/contrib/icinga2/command-conntrack.conf" "$T/m/etc/zones.d/global-templates/"
cp "$TOP/contrib/icinga2/service-conntrack.conf" "$T/m/etc/zones.d/master/"
chown -R nagios:nagios "$T/m/etc"
mi daemon -C -c "$T/m/etc/icinga2.conf" >"$T/m/validate.log" 2>&1
ok $? "master: icinga2 daemon -C accepts the configuration"
like "$(cat "$T/m/validate.log")" "Instantiated 1 Service\." "master: the apply rule creates one service (ct-agent!conntrack)"
ip netns exec "$NSM" "${AS_NAGIOS[@]}" "$ICINGA2" daemon -c "$T/m/etc/icinga2.conf" "${DM[@]}" >"$T/m/daemon.log" 2>&1 &
MPID=$!

# The agent: a key and a self-signed certificate, the master's certificate fetched and the
# signed certificate requested with a ticket the master computed for its name.
AC=$T/a/data/certs
wait_port() { # wait_port NS-CMD HOST: until the master's API listens
	local i
	for i in $(seq 100); do
		"$1" bash -c "exec 3<>/dev/tcp/$2/$PORT" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
wait_port ax $IPM
ok $? "the master's API listens on $IPM:$PORT (reached from the agent's namespace)"
TICKET=$(mi pki ticket --cn ct-agent --salt "$SALT" 2>>"$T/pki-master.log")
like "$TICKET" "^[0-9a-f]{40}$" "master: icinga2 pki ticket --cn ct-agent"
{
	ai pki new-cert --cn ct-agent --key "$AC/ct-agent.key" --cert "$AC/ct-agent.crt" &&
		ai pki save-cert --host $IPM --port $PORT --trustedcert "$AC/trusted-parent.crt" &&
		ai pki request --host $IPM --port $PORT --ticket "$TICKET" --key "$AC/ct-agent.key" \
			--cert "$AC/ct-agent.crt" --trustedcert "$AC/trusted-parent.crt" --ca "$AC/ca.crt"
} >"$T/pki-agent.log" 2>&1
ok $? "agent: icinga2 pki new-cert, save-cert, request with the ticket"
ai pki verify --cn ct-agent --cert "$AC/ct-agent.crt" --cacert "$AC/ca.crt" >>"$T/pki-agent.log" 2>&1
ok $? "agent: its certificate is for ct-agent and signed by the master's CA"
cmp -s "$AC/ca.crt" "$T/m/data/ca/ca.crt"
ok $? "agent: the CA it received is the master's"

cat >"$T/a/etc/icinga2.conf" <<CONF
const NodeName = "ct-agent"
const ZoneName = "ct-agent"
const PluginDir = "$PLUGINDIR"
object Endpoint "ct-master" { host = "$IPM"; port = $PORT }
object Zone "master" { endpoints = [ "ct-master" ] }
object Endpoint "ct-agent" {}
object Zone "ct-agent" { endpoints = [ "ct-agent" ]; parent = "master" }
object Zone "global-templates" { global = true }
object ApiListener "api" { bind_host = "$IPA"; bind_port = $PORT; accept_config = true; accept_commands = true }
include <itl>
CONF
chown nagios:nagios "$T/a/etc/icinga2.conf"
ai daemon -C -c "$T/a/etc/icinga2.conf" >"$T/a/validate.log" 2>&1
ok $? "agent: icinga2 daemon -C accepts the configuration"
ip netns exec "$NSA" "${AS_NAGIOS[@]}" "$ICINGA2" daemon -c "$T/a/etc/icinga2.conf" "${DA[@]}" >"$T/a/daemon.log" 2>&1 &
APID=$!

# The master's REST API, from the master's namespace: wait until a result comes from the agent
# (before the agent is connected and has the synced command, results say so and come from the
# master), then print it, or what Icinga 2 parses of its perfdata.
api() { # api result|perfdata|raw
	mx python3 - "$IPM" "$PORT" "$PW" "$1" <<'PY'
import base64, json, ssl, sys, time, urllib.request
host, port, pw, what = sys.argv[1:5]
ctx = ssl._create_unverified_context()
auth = "Basic " + base64.b64encode(f"ct:{pw}".encode()).decode()
def call(path, body=None):
    req = urllib.request.Request(f"https://{host}:{port}{path}", method="POST" if body else "GET",
        data=json.dumps(body).encode() if body else None,
        headers={"Authorization": auth, "Accept": "application/json"})
    return json.load(urllib.request.urlopen(req, context=ctx, timeout=5))
path = "/v1/objects/services/ct-agent!conntrack?attrs=state&attrs=last_check_result"
deadline = time.time() + 90
while True:
    try:
        r = call(path)
        cr = r["results"][0]["attrs"]["last_check_result"]
        if cr and cr["check_source"] == "ct-agent" and cr["output"].startswith("CONNTRACK"):
            break
    except Exception as e:
        r = {"error": str(e)}
    if time.time() > deadline:
        print(json.dumps(r)); sys.exit(1)
    time.sleep(0.5)
if what == "raw":
    print(json.dumps(r, indent=2, sort_keys=True))
elif what == "result":
    print(json.dumps(cr, sort_keys=True))
else:
    s = 'get_service("ct-agent", "conntrack").last_check_result.performance_data.map(p => parse_performance_data(p))'
    print(json.dumps(call("/v1/console/execute-script", {"command": s, "session": "ct"})["results"][0]["result"]))
PY
}
raw=$(api raw)
ok $? "the master's REST API reports a check result for ct-agent!conntrack from the agent"
printf '%s\n' "$raw" >"$T/api-answer.json"
[ -n "${IC2_CLUSTER_OUT:-}" ] && cp "$T/api-answer.json" "$IC2_CLUSTER_OUT"
cr=$(printf '%s' "$raw" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["results"][0]["attrs"]["last_check_result"]))')
j() { printf '%s' "$cr" | python3 -c "import json,sys; v=json.load(sys.stdin)$1; print(v if not isinstance(v,(list,dict)) else json.dumps(v))"; }
is "$(j '["check_source"]')" ct-agent "executed by the agent (check_source ct-agent)"
like "$(cat "$T/a/data/api/zones/global-templates/_etc/command-conntrack.conf" 2>/dev/null)" \
	'object CheckCommand "conntrack"' "the agent received the contrib CheckCommand through the global zone"
like "$(j '["command"]')" "^\[\"$PLUGINDIR/check_conntrack\", " "the agent ran the installed plugin"

# The same plugin, run directly in the agent's namespace as the same user, with the command line
# the agent ran and a state directory of its own (a first run, as the agent's first was not
# necessarily the one reported: compare what does not depend on the run's number).
mkdir -m 700 "$T/a/state-direct" && chown nagios:nagios "$T/a/state-direct"
mapfile -t argv < <(j '["command"]' | python3 -c "
import json, sys
for a in json.load(sys.stdin):
    print(a.replace('$T/a/state', '$T/a/state-direct'))")
dout=$(ax "${AS_NAGIOS[@]}" "${argv[@]}" 2>&1)
drc=$?
dfirst=${dout%%$'\n'*}
is "$(j '["exit_status"]')" "$drc" "exit status as a direct run in the agent's namespace ($drc)"
is "$(j '["state"]')" 1 "state 1 (WARNING): 40 entries above the host's conntrack_warning 10"
is "$(j '["output"].split(chr(10))[0].rstrip()')" "${dfirst%% | *}" "first line of output as the direct run"
like "$(j '["output"]')" "40 of [0-9]+ entries" "the output counts the agent's 40 entries"

pd=$(api perfdata)
ok $? "Icinga 2 parses the perfdata on the master (parse_performance_data through the console API)"
# The direct run's perfdata, parsed the same way by the master's Icinga 2.
dpd=$(mx python3 - "$IPM" "$PORT" "$PW" "${dfirst#* | }" <<'PY'
import base64, json, ssl, sys, urllib.request
host, port, pw, perf = sys.argv[1:5]
s = "%s.split(\" \").map(p => parse_performance_data(p))" % json.dumps(perf)
req = urllib.request.Request(f"https://{host}:{port}/v1/console/execute-script", method="POST",
    data=json.dumps({"command": s, "session": "ct"}).encode(),
    headers={"Authorization": "Basic " + base64.b64encode(f"ct:{pw}".encode()).decode(),
             "Accept": "application/json"})
print(json.dumps(json.load(urllib.request.urlopen(req, context=ssl._create_unverified_context(),
    timeout=5))["results"][0]["result"]))
PY
)
ok $? "the direct run's perfdata parsed by the same Icinga 2"
field() { # field JSON LABEL: value warn crit min max of one perfdata entry
	printf '%s' "$1" | python3 -c "
import json, sys
d = {x['label']: x for x in json.load(sys.stdin)}[sys.argv[1]]
print(*[d[k] for k in ('value', 'warn', 'crit', 'min', 'max')])" "$2"
}
max=$(ax cat /proc/sys/net/netfilter/nf_conntrack_max)
is "$(field "$pd" entries)" "40 10 1000 0 $max" "entries from the agent: value 40, warn 10, crit 1000, min 0, max $max"
is "$(field "$pd" entries)" "$(field "$dpd" entries)" "entries: value/warn/crit/min/max as the direct run"
is "$(field "$pd" utilization)" "$(field "$dpd" utilization)" "utilization: value/warn/crit/min/max as the direct run"
labels() { printf '%s' "$1" | python3 -c 'import json,sys; print(" ".join(x["label"] for x in json.load(sys.stdin)))'; }
is "$(labels "$pd")" "$(labels "$dpd")" "the same perfdata labels as the direct run"

is "$(ps -o user= -p "$MPID" -p "$APID" | sort -u | tr -d ' ')" nagios "both daemons run as nagios"
for p in $APID $MPID; do
	kill "$p" && wait "$p" 2>/dev/null
done
APID= MPID=
like "$(tail -n 1 "$T/m/daemon.log")" "Icinga has shut down" "master stopped"
like "$(tail -n 1 "$T/a/daemon.log")" "Icinga has shut down" "agent stopped (the process that took over after the config sync)"
is "$(pgrep -f "$T/" | tr '\n' ' ')" "" "no process of this test is left"
done_testing
