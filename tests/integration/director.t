#!/usr/bin/env bash
# Icinga Director and Icinga Web 2 end to end, all from Debian's packages: a private MariaDB,
# Icinga 2 (API, IDO), Icinga Web 2 with the monitoring and Director modules, served by
# `icingacli web serve`, every one started here in a network namespace of its own and stopped at
# the end. The contrib basket is restored with `icingacli director basket restore`; the command
# and its fields must then be in Director exactly as the basket has them; a service from the
# basket's template is deployed, Icinga 2 accepts the rendered configuration, runs the installed
# plugin, and the Icinga Web 2 page of the service (fetched with a logged-in session, and in
# headless Chromium) shows what a direct run of the plugin says.
#
# DIRECTOR_SHOT_OUT=DIR copies the screenshots there (contrib/ holds the ones README shows).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools icinga2 icingacli mariadb mariadb-install-db /usr/sbin/mariadbd chromium php python3 \
	setpriv nft /usr/share/icingaweb2/modules/director /usr/share/icinga2-ido-mysql/schema
for u in nagios www-data mysql; do
	id "$u" >/dev/null 2>&1 || need_tools "user-$u"
done
need_root_kernel
START=$(date +%s)

BASKET=$TOP/contrib/icinga2/director-basket.json
T=$(mktemp -d /tmp/ctdirector.XXXXXX)
chmod 755 "$T"
NS=ct-fleet-d-$$
PIDS=()
cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill "${PIDS[i]}" 2>/dev/null && wait "${PIDS[i]}" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
P=$(install_plugin "$T/root")
ok $? "plugin installed under $T/root"
secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
PW_DB=$(secret) PW_API=$(secret) PW_WEB=$(secret)

# Everything talks over the namespace's loopback: MariaDB 3306, Icinga 2 5665, the web 8080 are
# free in a new namespace. Its table: a ct state rule switches tracking on, loopback TCP (the
# daemons' own traffic) is exempted, 40 UDP flows stay 600 s.
ip netns add "$NS" && ip netns exec "$NS" ip link set lo up
ok $? "namespace $NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx nft -f - <<NFT
table inet ctdirector {
	chain raw_pre { type filter hook prerouting priority raw; meta l4proto tcp notrack; }
	chain raw_out { type filter hook output priority raw; meta l4proto tcp notrack; }
	chain out { type filter hook output priority 0; ct state new,established accept; }
}
NFT
nsx sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
nsx bash -c 'for p in $(seq 21001 21040); do echo x >/dev/udp/127.0.0.1/$p; done' 2>/dev/null
is "$(nsx cat /proc/sys/net/netfilter/nf_conntrack_count)" 40 "namespace: 40 entries"
as() { # as USER CMD...: in the namespace, as USER, with a clean environment
	local u=$1
	shift
	nsx setpriv --reuid="$u" --regid="$u" --init-groups --reset-env "$@"
}
bg() { # bg LOG USER CMD...: start a daemon as in as(), remember its pid (the daemon's own)
	local log=$1 u=$2
	shift 2
	(cd / && exec ip netns exec "$NS" setpriv --reuid="$u" --regid="$u" --init-groups --reset-env \
		"$@") >"$log" 2>&1 &
	PIDS+=($!)
}

# MariaDB: its own data directory and socket, started as mysql.
mkdir -p "$T/db" "$T/dbrun"
chown mysql:mysql "$T/db" "$T/dbrun"
mariadb-install-db --no-defaults --user=mysql --datadir="$T/db" --skip-test-db \
	--auth-root-authentication-method=socket >"$T/dbrun/install.log" 2>&1
ok $? "mariadb-install-db: a data directory of its own"
bg "$T/dbrun/mariadbd.out" mysql /usr/sbin/mariadbd --no-defaults --datadir="$T/db" \
	--socket="$T/dbrun/mysqld.sock" --pid-file="$T/dbrun/mysqld.pid" --bind-address=127.0.0.1 \
	--port=3306 --skip-log-bin --innodb-buffer-pool-size=32M
sql() { mariadb --no-defaults -S "$T/dbrun/mysqld.sock" -u root -N -B "$@"; }
for i in $(seq 100); do
	sql -e 'SELECT 1' >/dev/null 2>&1 && break
	sleep 0.1
done
sql <<SQL
CREATE DATABASE icingaweb CHARACTER SET utf8mb4;
CREATE DATABASE director CHARACTER SET utf8;
CREATE DATABASE icinga;
CREATE USER 'web'@'127.0.0.1' IDENTIFIED BY '$PW_DB';
CREATE USER 'director'@'127.0.0.1' IDENTIFIED BY '$PW_DB';
CREATE USER 'icinga'@'127.0.0.1' IDENTIFIED BY '$PW_DB';
GRANT ALL ON icingaweb.* TO 'web'@'127.0.0.1';
GRANT SELECT ON icinga.* TO 'web'@'127.0.0.1';
GRANT ALL ON director.* TO 'director'@'127.0.0.1';
GRANT ALL ON icinga.* TO 'icinga'@'127.0.0.1';
SQL
ok $? "MariaDB runs; databases icingaweb, director, icinga"
sql icingaweb </usr/share/icingaweb2/schema/mysql.schema.sql &&
	sql icinga </usr/share/icinga2-ido-mysql/schema/mysql.sql &&
	sql icingaweb -e "INSERT INTO icingaweb_user (name, active, password_hash) VALUES
		('admin', 1, '$(php -r 'echo password_hash($argv[1], PASSWORD_DEFAULT);' "$PW_WEB")')"
ok $? "schemas: Icinga Web 2 (user admin), IDO"

# Icinga 2: API on loopback (Director deploys through it), IDO into MariaDB, the checker.
I=$T/icinga2
mkdir -p "$I"/{etc/zones.d,data/certs,log,cache,spool,run,state}
D=(-DConfigDir="$I/etc" -DZonesDir="$I/etc/zones.d" -DDataDir="$I/data" -DLogDir="$I/log"
	-DCacheDir="$I/cache" -DSpoolDir="$I/spool" -DInitRunDir="$I/run" -DRunAsUser=nagios
	-DRunAsGroup=nagios)
cat >"$I/etc/icinga2.conf" <<CONF
const NodeName = "ct-director"
const ZoneName = "master"
const PluginDir = "$(dirname "$P")"
object Endpoint "ct-director" { host = "127.0.0.1" } // Director's kickstart connects to it
object Zone "master" { endpoints = [ "ct-director" ] }
object Zone "director-global" { global = true }
object ApiListener "api" { bind_host = "127.0.0.1" }
object ApiUser "director" { password = "$PW_API"; permissions = [ "*" ] }
object CheckerComponent "checker" {}
object IdoMysqlConnection "ido-mysql" {
	host = "127.0.0.1"; port = 3306; user = "icinga"; password = "$PW_DB"; database = "icinga"
}
include <itl>
include <plugins>
CONF
chown -R nagios:nagios "$I"
chmod 700 "$I/state"
ICINGA2=$(command -v icinga2)
as nagios "$ICINGA2" pki new-cert --cn ct-director --key "$I/data/certs/ct-director.key" \
	--cert "$I/data/certs/ct-director.crt" "${D[@]}" >"$I/pki.log" 2>&1 &&
	as nagios cp "$I/data/certs/ct-director.crt" "$I/data/certs/ca.crt"
ok $? "icinga2 pki new-cert: the API's certificate"
# The plugin keeps its counters where the daemon's environment says (never the system's
# default directory from a test); the admin's service sets nothing for it.
bg "$I/daemon.log" nagios env MP_STATE_PATH="$I/state" "$ICINGA2" daemon -c "$I/etc/icinga2.conf" "${D[@]}"
for i in $(seq 100); do
	nsx bash -c 'exec 3<>/dev/tcp/127.0.0.1/5665' 2>/dev/null && break
	sleep 0.2
done
like "$(cat "$I/daemon.log")" "IDO instance id: 1" "Icinga 2 runs, its IDO connected"

# Icinga Web 2: configuration in a directory of its own (ICINGAWEB_CONFIGDIR), run as www-data.
W=$T/web
mkdir -p "$W"/{etc/enabledModules,etc/modules/monitoring,etc/modules/director,storage,log} \
	"$W"/{sessions,php,tmp}
for m in monitoring director incubator reactbundle; do
	ln -s "/usr/share/icingaweb2/modules/$m" "$W/etc/enabledModules/$m"
done
db_resource() { # db_resource NAME DATABASE USER CHARSET
	printf '[%s]\ntype = "db"\ndb = "mysql"\nhost = "127.0.0.1"\nport = "3306"\n' "$1"
	printf 'dbname = "%s"\nusername = "%s"\npassword = "%s"\ncharset = "%s"\n\n' "$2" "$3" "$PW_DB" "$4"
}
{
	db_resource icingaweb_db icingaweb web utf8mb4
	db_resource director_db director director utf8
	db_resource icinga_ido icinga web latin1
} >"$W/etc/resources.ini"
cat >"$W/etc/config.ini" <<INI
[global]
config_backend = "db"
config_resource = "icingaweb_db"

[logging]
log = "file"
file = "$W/log/icingaweb2.log"
level = "ERROR"
INI
printf '[icingaweb2]\nbackend = "db"\nresource = "icingaweb_db"\n' >"$W/etc/authentication.ini"
printf '[Administrators]\nusers = "admin"\npermissions = "*"\n' >"$W/etc/roles.ini"
printf '[icinga]\ntype = "ido"\nresource = "icinga_ido"\n' >"$W/etc/modules/monitoring/backends.ini"
printf '[db]\nresource = "director_db"\n' >"$W/etc/modules/director/config.ini"
cat >"$W/etc/modules/director/kickstart.ini" <<INI
[config]
endpoint = "ct-director"
host = "127.0.0.1"
port = "5665"
username = "director"
password = "$PW_API"
INI
# PHP's temporary directory too (Icinga Web 2 keeps its FileCache_icingaweb there): removed with $T.
printf 'session.save_path = "%s"\nsys_temp_dir = "%s"\n' "$W/sessions" "$W/tmp" >"$W/php/90-ctdirector.ini"
chown -R www-data:www-data "$W"
chmod -R go-rwx "$W/etc"
WEBENV=(env ICINGAWEB_CONFIGDIR="$W/etc" ICINGAWEB_STORAGEDIR="$W/storage" PHP_INI_SCAN_DIR=":$W/php")
cli() { (cd / && as www-data "${WEBENV[@]}" icingacli "$@"); }
cli director migration run >"$T/director.log" 2>&1 && ! cli director migration pending >/dev/null
ok $? "icingacli director migration run: the Director schema"
cli director kickstart run >>"$T/director.log" 2>&1
ok $? "icingacli director kickstart run: zones, endpoints and the ITL from the Icinga 2 API"

# The basket: it is what make-director-basket.py makes of the CheckCommand file, restored as an
# admin does; a second restore (after an upgrade) changes nothing.
python3 "$TOP/contrib/icinga2/make-director-basket.py" --check 2>"$T/basket-check.log"
ok $? "director-basket.json is what make-director-basket.py makes of command-conntrack.conf"
out=$(cli director basket restore <"$BASKET" 2>&1)
is "$out" "Objects from Basket Snapshot have been restored" "icingacli director basket restore"
nfields=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Datafield"]))' "$BASKET")
count_fields() { sql director -e "SELECT COUNT(*) FROM director_datafield WHERE varname LIKE 'conntrack\\_%'"; }
is "$(count_fields)" "$nfields" "Director has the basket's $nfields fields"
out=$(cli director basket restore <"$BASKET" 2>&1)
is "$out:$(count_fields)" "Objects from Basket Snapshot have been restored:$nfields" \
	"restoring it again adds nothing"

# What Director holds, as its own export says: the commands (`command show`) and, through a
# basket snapshot, their fields by name and the service templates; all as in the shipped basket.
commands=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))
print(" ".join(sorted(list(b["Command"]) + list(b.get("CommandTemplate", {})))))' "$BASKET")
for c in $commands; do
	cli director command show "$c" --json --no-defaults >"$T/command-$c.json" 2>&1 || echo "$c" >>"$T/command-show.failed"
done
[ ! -e "$T/command-show.failed" ]
ok $? "icingacli director command show: $commands"
python3 - "$BASKET" >"$T/readback-basket.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
print(json.dumps({"Basket": {"ct-readback": {"basket_name": "ct-readback", "owner_type": "user",
    "owner_value": "admin", "objects": {t: sorted(b[t]) for t in
        ("CommandTemplate", "Command", "ServiceTemplate") if t in b}}}}))
PY
cli director basket restore <"$T/readback-basket.json" >/dev/null 2>&1 &&
	cli director basket snapshot --name ct-readback >/dev/null 2>&1 &&
	cli director basket dump --name ct-readback >"$T/readback.json" 2>&1
ok $? "a basket snapshot of what Director now holds of them, dumped"
cmp_basket() { # cmp_basket WHAT: compares Director's view with the shipped basket
	python3 - "$BASKET" "$T" "$T/readback.json" "$1" <<'PY'
import json, sys
basket, tdir, dump = json.load(open(sys.argv[1])), sys.argv[2], json.load(open(sys.argv[3]))
def commands(b):
    return dict(b.get("CommandTemplate", {}), **b["Command"])
def fields(b):  # every command's fields by variable name, with what Director shows of each
    out = {}
    for name, c in sorted(commands(b).items()):
        for ref in c.get("fields", []):
            f = dict(b["Datafield"][str(ref["datafield_id"])])
            f.pop("originalId")
            out[name + ":" + f.pop("varname")] = (f, ref["is_required"])
    return out
what = sys.argv[4]
if what == "command":
    for name, want in sorted(commands(basket).items()):
        shown = json.load(open("%s/command-%s.json" % (tdir, name)))
        for k in ("object_type", "command", "imports", "arguments", "vars", "methods_execute"):
            if shown.get(k) or want.get(k):
                if shown.get(k) != want.get(k):
                    print("%s %s: %s" % (name, k, json.dumps(shown.get(k))[:300])); sys.exit(1)
    print(" ".join(sorted(commands(basket))))
elif what == "fields":
    got, exp = fields(dump), fields(basket)
    for v in sorted(set(got) | set(exp)):
        if got.get(v) != exp.get(v):
            print("%s: %s, want %s" % (v, got.get(v), exp.get(v))); sys.exit(1)
    print(len(got))
elif what == "template":
    if dump["ServiceTemplate"] != basket["ServiceTemplate"]:
        print(json.dumps(dump["ServiceTemplate"])); sys.exit(1)
    print(" ".join(sorted(dump["ServiceTemplate"])))
PY
}
out=$(cmp_basket command)
ok $? "commands: the basket's command lines, imports, arguments (set_if expressions too), vars: $out"
out=$(cmp_basket fields)
is "$out" "$nfields" "fields: one per variable, caption, description and type as the basket has them"
out=$(cmp_basket template)
ok $? "service templates as in the basket (conntrack runs on the agent): $out"

# An admin's host and service: the host is the Icinga node itself (its agent endpoint is the
# node), the service imports the basket's template and sets two fields.
cli director host create ct-director --json '{"object_type": "object", "address": "127.0.0.1",
	"check_command": "dummy", "check_interval": "5", "vars": {"os": "Linux"}}' >>"$T/director.log" 2>&1 &&
	cli director service create conntrack --json "{\"object_type\": \"object\",
	\"host\": \"ct-director\", \"imports\": [\"conntrack\"], \"check_interval\": \"5\",
	\"retry_interval\": \"5\", \"vars\": {\"conntrack_warning\": \"70%\"}}" >>"$T/director.log" 2>&1
ok $? "icingacli director host create, service create (imports conntrack, sets the warning field)"
out=$(cli director config deploy 2>&1)
like "$out" "^Config '[0-9a-f]{40}' has been deployed$" "icingacli director config deploy"
checksum=$(printf '%s' "$out" | grep -oE '[0-9a-f]{40}' | head -n 1)
# The Director learns how Icinga 2 took the deployment when it next asks (the deployment status).
for i in $(seq 60); do
	cli director config deploymentstatus >"$T/deploymentstatus.json" 2>&1
	succeeded=$(sql director -e "SELECT startup_succeeded FROM director_deployment_log
		WHERE HEX(config_checksum) = UPPER('$checksum')")
	case $succeeded in y | n) break ;; esac # NULL while it is not known
	sleep 0.5
done
is "$succeeded" y "Director: Icinga 2 started with the deployed configuration"
like "$(cat "$T/deploymentstatus.json")" "\"config\": \"$checksum\"" "deploymentstatus: it is the active configuration"
stage=$I/data/api/packages/director/$(cat "$I/data/api/packages/director/active-stage" 2>/dev/null)
like "$(cat "$stage/zones.d/director-global/commands.conf")" \
	'command = \[ PluginDir \+ "/check_conntrack" \]' "rendered: the command runs PluginDir/check_conntrack"
like "$(cat "$stage/zones.d/director-global/service_templates.conf")" \
	"command_endpoint = host_name" "rendered: the template runs the check on the host's agent"
as nagios "$ICINGA2" daemon -C -c "$I/etc/icinga2.conf" "${D[@]}" >"$I/validate.log" 2>&1
ok $? "icinga2 daemon -C accepts the configuration with the Director's deployment"
like "$(cat "$I/validate.log")" "Instantiated 1 Service\." "icinga2 daemon -C: the Director's service"
like "$(as nagios "$ICINGA2" object list --type CheckCommand --name conntrack "${D[@]}" 2>&1)" \
	"declared in '$I/data/api/packages/director/.*/commands.conf'" "the CheckCommand icinga2 compiles is the Director's"
# What icinga2 compiles of the Director's commands is what it compiles of the contrib file
# (with the plugin directory of this test, and functions compared as functions).
python3 "$TOP/contrib/icinga2/make-director-basket.py" --compiled >"$T/compiled-contrib.json" 2>&1 &&
	python3 "$TOP/contrib/icinga2/make-director-basket.py" --compiled "$I/cache/icinga2.debug" \
		"$(dirname "$P")" >"$T/compiled-director.json" 2>&1
ok $? "the commands as icinga2 compiles them, from the contrib file and from the deployment"
is "$(diff "$T/compiled-contrib.json" "$T/compiled-director.json" | head -n 20)" "" \
	"Director's commands are command-conntrack.conf's: command lines, arguments, vars"

# The check result, as the IDO has it, against a direct run as the same user. The page is
# taken once the host is checked and the service on its second run (counters since the last run).
status() {
	sql icinga -e "SELECT s.current_state, s.output, s.perfdata, UNIX_TIMESTAMP(s.last_check)
		FROM icinga_servicestatus s JOIN icinga_objects o ON o.object_id = s.service_object_id
		JOIN icinga_hoststatus h ON h.host_object_id = (SELECT object_id FROM icinga_objects
			WHERE objecttype_id = 1 AND name1 = 'ct-director' AND is_active = 1)
		WHERE o.name1 = 'ct-director' AND o.name2 = 'conntrack' AND o.is_active = 1
		AND s.output LIKE 'CONNTRACK %' AND h.has_been_checked = 1"
}
first=
for i in $(seq 120); do
	row=$(status)
	[ -n "$row" ] && [ -z "$first" ] && first=${row##*$'\t'}
	[ -n "$row" ] && [ "${row##*$'\t'}" != "$first" ] && break
	sleep 0.5
done
IFS=$'\t' read -r state output perfdata _ <<<"$row"
[ -n "$row" ]
ok $? "IDO: check results for ct-director!conntrack (two runs)"
mkdir -m 700 "$T/state-direct" && chown nagios:nagios "$T/state-direct"
dout=$(as nagios "$P" --state-dir="$T/state-direct" --warning=70% 2>&1)
drc=$?
dfirst=${dout%%$'\n'*}
is "$state" "$drc" "state as a direct run ($drc)"
is "${output% }" "${dfirst%% | *}" "output as a direct run"
like "$output" "40 of [0-9]+ entries" "the output counts the namespace's 40 entries"
is "${perfdata%% *}" "$(printf '%s' "${dfirst#* | }" | cut -d' ' -f1)" "perfdata entries as a direct run"
like "$perfdata" "utilization=[0-9.]+%;70;" "the service's conntrack_warning field (70%) reached the plugin"
ls "$I/state/$(id -u nagios)/check_conntrack/" >/dev/null 2>&1
ok $? "the plugin run by Icinga 2 kept its counters in the test's state directory"

# Icinga Web 2: served by `icingacli web serve` (PHP's built-in server, shipped by icingaweb2).
bg "$W/log/serve.log" www-data "${WEBENV[@]}" icingacli web serve --listen=127.0.0.1:8080
for i in $(seq 100); do
	nsx bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break
	sleep 0.1
done
BASE=http://127.0.0.1:8080
PAGE="/monitoring/service/show?host=ct-director&service=conntrack"
mkdir -m 700 "$T/chrome" && chown www-data:www-data "$T/chrome"
ws() { as www-data env HOME="$T/chrome" python3 "$TOP/tests/integration/webshot.py" "$@"; }
ws login "$BASE" admin "$PW_WEB" "$T/chrome/cookies.json"
ok $? "Icinga Web 2: logged in as admin through the login form"
html=$(ws fetch "$BASE" "$PAGE" "$T/chrome/cookies.json" | python3 -c 'import html,sys; print(html.unescape(sys.stdin.read()))')
like "$html" "<h2>Plugin Output</h2>" "the service page (HTML of a logged-in session)"
like "$html" "$(printf '%s' "${dfirst%% | *}" | sed 's/[][\.*^$(){}?+|]/\\&/g')" "the page shows the check's output"
like "$html" "conntrack_warning" "the page lists the service's custom variables"
EDIT="/director/service/edit?name=conntrack&host=ct-director"
ws shot "$BASE" "$T/chrome/cookies.json" "$T/chrome/profile" 1280x960 CONNTRACK \
	"$PAGE=$T/chrome/service.png" 2>"$T/chrome/shot.log" &&
	ws shot "$BASE" "$T/chrome/cookies.json" "$T/chrome/profile" 1280x1250 "Custom properties" \
		"$EDIT=$T/chrome/director-service.png" "Custom properties" 2>>"$T/chrome/shot.log"
ok $? "headless Chromium: screenshots of the service and of its Director form"
dom=$(python3 -c 'import html,sys; print(html.unescape(open(sys.argv[1]).read()))' "$T/chrome/service.png.html")
like "$dom" "$(printf '%s' "${dfirst%% | *}" | sed 's/[][\.*^$(){}?+|]/\\&/g')" "Chromium's page shows the check's output"
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$1"; }
is "$(png_size "$T/chrome/service.png")" 1280x960 "service.png: a 1280x960 PNG"
dform=$(python3 -c 'import html,sys; print(html.unescape(open(sys.argv[1]).read()))' "$T/chrome/director-service.png.html")
like "$dform" "Drop critical" "the Director form offers the basket's fields"
if [ -n "${DIRECTOR_SHOT_OUT:-}" ]; then
	cp "$T/chrome/service.png" "$DIRECTOR_SHOT_OUT/director-service-view.png"
	cp "$T/chrome/director-service.png" "$DIRECTOR_SHOT_OUT/director-service-form.png"
fi

for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
	kill "${PIDS[i]}" && wait "${PIDS[i]}" 2>/dev/null
done
PIDS=()
like "$(tail -n 1 "$I/daemon.log")" "Icinga has shut down" "Icinga 2 stopped"
is "$(pgrep -f "$T/" | tr '\n' ' ')" "" "no process of this test is left (MariaDB, Icinga 2, web, Chromium)"
echo "# run time $(($(date +%s) - START)) s"
done_testing
