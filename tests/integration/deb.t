#!/usr/bin/env bash
# Debian package: `make deb` builds it from contrib/debian, dpkg installs it, the installed
# plugin passes the smoke test, then the package is removed again (purged).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
if [ "${CI:-}" != true ] && ! command -v dpkg-buildpackage >/dev/null; then
	echo "1..0 # SKIP no dpkg-buildpackage (tests/install-deps installs dpkg-dev and debhelper)"
	exit 0
fi
need_tools dpkg-buildpackage dh dpkg
if dpkg-query -W -f='${Status}' check-conntrack 2>/dev/null | grep -q 'ok installed'; then
	echo "1..0 # SKIP check-conntrack is installed on this machine: not replacing it"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - needs root in CI"; exit 1; }
	echo "1..0 # SKIP needs root to install the package"
	exit 0
fi
T=$(mktemp -d /tmp/ctdeb.XXXXXX)
trap 'dpkg -P check-conntrack >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
# make check runs the fixture and CLI suites already: not again inside the package build.
DEB_BUILD_OPTIONS=nocheck make -s -C "$TOP" deb PKG_OUT="$T" >"$T/build.log" 2>&1
ok $? "make deb: dpkg-buildpackage -us -uc -b in a copy of the tree $(grep -m1 -iE 'error' "$T/build.log")"
deb=$(ls "$T"/deb/check-conntrack_*.deb 2>/dev/null | head -1)
ok $(test -f "$deb"; echo $?) "package built: $(basename "$deb")"
files=$(dpkg -c "$deb")
for f in ./usr/lib/nagios/plugins/check_conntrack ./usr/share/man/man1/check_conntrack.1.gz \
	./etc/nagios-plugins/config/check_conntrack-commands.cfg \
	./usr/share/doc/check-conntrack/examples/icinga2/command-conntrack.conf \
	./usr/share/doc/check-conntrack/examples/nrpe/check_conntrack.cfg \
	./usr/share/doc/check-conntrack/examples/pnp4nagios/check_conntrack.php; do
	like "$files" " $f\$" "package contains $f"
done
unlike "$files" " ./etc/icinga2/" "nothing is enabled in /etc/icinga2"
like "$(dpkg -I "$deb")" "Depends:.*libmnl0" "depends on libmnl0 (shlibs)"
dpkg -i "$deb" >"$T/install.log" 2>&1
ok $? "dpkg -i"
out=$(/usr/lib/nagios/plugins/check_conntrack 2>&1)
rc=$?
like "${out%%$'\n'*}" "^CONNTRACK (OK|WARNING|CRITICAL) - [0-9]+ of [0-9]+ entries .*\| entries=[0-9]+;" "installed plugin: first line and perfdata"
ok $((rc <= 2 ? 0 : 1)) "installed plugin: exit code $rc"
like "$(/usr/lib/nagios/plugins/check_conntrack -V)" "check_conntrack [0-9.]+" "installed plugin: -V"
like "$(/usr/lib/nagios/plugins/check_conntrack -c 0 2>&1)" "^CONNTRACK CRITICAL|^CONNTRACK OK - 0 of" "installed plugin: -c 0 (critical unless the table is empty)"
dpkg -P check-conntrack >"$T/remove.log" 2>&1
ok $? "dpkg -P removes it"
ok $(test ! -e /usr/lib/nagios/plugins/check_conntrack; echo $?) "plugin gone after removal"
done_testing
