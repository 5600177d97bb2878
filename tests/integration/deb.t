#!/usr/bin/env bash
# Debian package: `make deb` builds it from the release tarball and contrib/debian as a
# distribution would (its build flags, no -Werror: the compiler must have nothing to say),
# lintian has nothing to say about it, dpkg installs it, postinst grants CAP_NET_ADMIN and
# grants it again after an upgrade, a dpkg-statoverride opts out, nagios4 -v accepts the
# package's command definitions with the README's services (and shows why they must not be
# copied again), the documented sudo route runs, and the package is purged again.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
if [ "${CI:-}" != true ] && ! command -v dpkg-buildpackage >/dev/null; then
	echo "1..0 # SKIP no dpkg-buildpackage (tests/install-deps installs dpkg-dev and debhelper)"
	exit 0
fi
need_tools dpkg-buildpackage dh dpkg lintian getcap setcap nagios4 sudo visudo runuser unshare
if dpkg-query -W -f='${Status}' check-conntrack 2>/dev/null | grep -q 'ok installed'; then
	echo "1..0 # SKIP check-conntrack is installed on this machine: not replacing it"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - needs root in CI"; exit 1; }
	echo "1..0 # SKIP needs root to install the package"
	exit 0
fi
PLUG=/usr/lib/nagios/plugins/check_conntrack
if dpkg-statoverride --list "$PLUG" >/dev/null 2>&1; then
	echo "1..0 # SKIP this machine has a stat override for $PLUG: not touching it"
	exit 0
fi
T=$(mktemp -d /tmp/ctdeb.XXXXXX)
chmod 755 "$T"
OVERRIDE=
cleanup() {
	[ -n "$OVERRIDE" ] && dpkg-statoverride --remove "$PLUG" 2>/dev/null
	dpkg -P check-conntrack >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# A distribution build: none of make check's WERROR, dpkg-buildflags' CPPFLAGS/CFLAGS/LDFLAGS.
# make check runs the fixture and CLI suites already: not again inside the package build.
env -u WERROR -u MAKEFLAGS -u MAKELEVEL -u MFLAGS DEB_BUILD_OPTIONS=nocheck \
	make -C "$TOP" deb PKG_OUT="$T" >"$T/build.log" 2>&1
ok $? "make deb: dpkg-buildpackage -us -uc -b from the release tarball $(grep -m1 -E 'error:' "$T/build.log")"
like "$(grep -E '^(cc|gcc) ' "$T/build.log" | head -1)" "-D_FORTIFY_SOURCE=2 .*-fstack-protector-strong" "the compiler gets dpkg-buildflags' CPPFLAGS and CFLAGS"
unlike "$(grep -E '^(cc|gcc) ' "$T/build.log")" "-Werror( |$)" "no -Werror in a distribution build"
is "$(grep -E 'warning:' "$T/build.log")" "" "the compiler warns about nothing with Debian's hardening flags"
deb=$(ls "$T"/deb/check-conntrack_*.deb 2>/dev/null | head -1)
ok $(test -f "$deb"; echo $?) "package built: $(basename "$deb")"
like "$(tar -tzf "$T"/deb/check_conntrack-*.tar.gz | sort | tr '\n' ' ')" "check_conntrack-[0-9.]+/Makefile " "built from the release tarball"
is "$(tar -tzf "$T"/deb/check_conntrack-*.tar.gz | grep -vE '/$' | sed 's,^[^/]*/,,' | sort)" \
	"$(git -C "$TOP" ls-files | sort)" "the tarball holds exactly what git tracks"

# lintian, every level, experimental tags included, as a user (lintian does not want root).
# Its temporary files (mldbm-elf-*, owned by nobody) go to a directory removed with $T: in /tmp
# every run left three behind.
chmod -R a+rX "$T/deb"
install -d -o nobody -m 700 "$T/lintian-tmp"
lint=$(cd "$T/deb" && runuser -u nobody -- env HOME="$T" TMPDIR="$T/lintian-tmp" lintian -i -I -E \
	--pedantic --profile debian ./*.changes 2>&1)
ok $? "lintian -i -I -E --pedantic runs"
is "$lint" "" "lintian has nothing to say (the .deb, its dbgsym and the .changes)"
[ -n "$lint" ] && printf '%s\n' "$lint" | head -20 | sed 's/^/# /'

files=$(dpkg -c "$deb")
for f in ./usr/lib/nagios/plugins/check_conntrack ./usr/share/man/man1/check_conntrack.1.gz \
	./etc/nagios-plugins/config/check_conntrack-commands.cfg \
	./usr/share/doc/check-conntrack/README.Debian \
	./usr/share/doc/check-conntrack/examples/icinga2/command-conntrack.conf \
	./usr/share/doc/check-conntrack/examples/nrpe/check_conntrack.cfg \
	./usr/share/doc/check-conntrack/examples/pnp4nagios/check_conntrack.php; do
	like "$files" " $f\$" "package contains $f"
done
unlike "$files" " ./etc/icinga2/" "nothing is enabled in /etc/icinga2"
like "$(dpkg -I "$deb")" "Depends:.*libmnl0" "depends on libmnl0 (shlibs)"
dpkg -i "$deb" >"$T/install.log" 2>&1
ok $? "dpkg -i"
like "$(getcap "$PLUG")" "cap_net_admin[=+]ep" "postinst granted CAP_NET_ADMIN: $(getcap "$PLUG")"
out=$(/usr/lib/nagios/plugins/check_conntrack 2>&1)
rc=$?
like "${out%%$'\n'*}" "^CONNTRACK (OK|WARNING|CRITICAL) - [0-9]+ of [0-9]+ entries .*\| entries=[0-9]+;" "installed plugin: first line and perfdata"
ok $((rc <= 2 ? 0 : 1)) "installed plugin: exit code $rc"
like "$(/usr/lib/nagios/plugins/check_conntrack -V)" "check_conntrack [0-9.]+" "installed plugin: -V"
like "$(/usr/lib/nagios/plugins/check_conntrack -c 0 2>&1)" "^CONNTRACK CRITICAL|^CONNTRACK OK - 0 of" "installed plugin: -c 0 (critical unless the table is empty)"
install -d -o nagios -g nagios "$T/state-nagios"
vout=$(runuser -u nagios -- "$PLUG" -v --state-dir="$T/state-nagios" 2>&1)
like "$vout" "^counters from netlink" "as nagios, with the capability: counters over netlink"
like "$vout" "^nftables rules read" "as nagios, with the capability: the nftables rules read"

# An upgrade replaces the file, and with it the capability: postinst grants it again.
src=$(ls -d "$T"/deb/check-conntrack-*/)
v=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
{
	printf 'check-conntrack (%s+upgradetest1) unstable; urgency=medium\n\n  * Upgrade test.\n\n' "$v"
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Maintainer)" "$(date -R)"
	cat "$src/debian/changelog"
} >"$T/changelog" && mv "$T/changelog" "$src/debian/changelog"
(cd "$src" && env -u WERROR -u MAKEFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$T/build2.log" 2>&1
ok $? "a newer version built ($v+upgradetest1)"
ino=$(stat -c %i "$PLUG")
dpkg -i "$T"/deb/check-conntrack_"$v"+upgradetest1_*.deb >"$T/upgrade.log" 2>&1
ok $? "dpkg -i upgrades to it"
ok $([ "$(stat -c %i "$PLUG")" != "$ino" ]; echo $?) "the upgrade replaced the file (another inode)"
like "$(getcap "$PLUG")" "cap_net_admin[=+]ep" "the capability is granted again after the upgrade"

# Opting out, as README.Debian says: a stat override; the package then leaves the file alone.
dpkg-statoverride --add root root 0755 "$PLUG" && OVERRIDE=1
setcap -r "$PLUG"
dpkg -i "$deb" >"$T/optout.log" 2>&1
ok $? "dpkg -i with a stat override (a downgrade: the file is replaced again)"
is "$(getcap "$PLUG")" "" "stat override: no capability granted"
like "$(cat "$T/optout.log")" "has a stat override: CAP_NET_ADMIN not granted" "postinst says why"
is "$(stat -c '%U %G %a' "$PLUG")" "root root 755" "dpkg applied the override's owner and mode"
dpkg-statoverride --remove "$PLUG" && OVERRIDE=
dpkg-reconfigure check-conntrack >"$T/reconfigure.log" 2>&1
ok $? "dpkg-reconfigure check-conntrack $(head -c 200 "$T/reconfigure.log")"
like "$(getcap "$PLUG")" "cap_net_admin[=+]ep" "override removed, dpkg-reconfigure: granted again"

# Nagios: the package's command file is read by Debian's nagios4 where it lies; the README's
# way adds only the services. A second copy of the commands is the duplicate nagios4 refuses.
ok $(grep -qx 'cfg_dir=/etc/nagios-plugins/config' /etc/nagios4/nagios.cfg; echo $?) "Debian's nagios4.cfg reads /etc/nagios-plugins/config"
mkdir -p "$T/nagios/conf.d"
sed "s|^cfg_dir=/etc/nagios4/conf.d|cfg_dir=$T/nagios/conf.d|" /etc/nagios4/nagios.cfg >"$T/nagios/nagios.cfg"
cp "$TOP/contrib/nagios/check_conntrack-services.cfg" "$T/nagios/conf.d/"
printf 'define hostgroup {\n\thostgroup_name\tlinux-firewalls\n\tmembers\tlocalhost\n}\n' >"$T/nagios/conf.d/hostgroup.cfg"
nagios4 -v "$T/nagios/nagios.cfg" >"$T/nagios/v.log" 2>&1
ok $? "nagios4 -v: the package's commands and the example services: $(grep -E '^Total (Warnings|Errors)' "$T/nagios/v.log" | tr '\n' ' ')"
like "$(cat "$T/nagios/v.log")" "Total Errors: +0" "nagios4 -v: no errors"
cp "$TOP/contrib/nagios/check_conntrack-commands.cfg" "$T/nagios/conf.d/"
nagios4 -v "$T/nagios/nagios.cfg" >"$T/nagios/v2.log" 2>&1
ok $((! $?)) "nagios4 -v fails with the commands copied a second time"
like "$(cat "$T/nagios/v2.log")" "Duplicate definition found for command 'check_conntrack'" "nagios4 -v: duplicate definition"

# The documented sudo route, exactly as written: the rule in a sudoers drop-in and a tmpfs on
# /run (root's state directory) that only a private mount namespace sees; nagios runs the
# Nagios command line ($USER1$ the package's plugin directory).
mkdir -m 0700 "$T/sudoers.d"
grep -hoE 'nagios ALL=\(root\) NOPASSWD: .*' "$TOP/contrib/nagios/check_conntrack-commands.cfg" >"$T/sudoers.d/check_conntrack"
chmod 0440 "$T/sudoers.d/check_conntrack"
visudo -cqf "$T/sudoers.d/check_conntrack"
ok $? "the documented sudoers rule: $(cat "$T/sudoers.d/check_conntrack")"
cmd=$(sed -n '/command_name[[:space:]]*check_conntrack_netns_all/{n;s/^[[:space:]]*command_line[[:space:]]*//p}' \
	"$TOP/contrib/nagios/check_conntrack-commands.cfg" | sed 's|\$USER1\$|/usr/lib/nagios/plugins|')
like "$cmd" "^/usr/bin/sudo -n /usr/lib/nagios/plugins/check_conntrack --netns all$" "the Nagios command line: $cmd"
# shellcheck disable=SC2016 # expanded by the inner shell
sout=$(unshare -m --propagation private sh -c 'mount --bind "$1" /etc/sudoers.d &&
	mount -t tmpfs -o mode=0755 ctdeb /run && shift && exec runuser -u nagios -- "$@"' sh \
	"$T/sudoers.d" $cmd 2>&1)
like "${sout%%$'\n'*}" "^CONNTRACK [A-Z]+ - .*\(fullest of [0-9]+ namespaces?" "through sudo, nagios checks every namespace: $(printf '%s' "${sout%%$'\n'*}" | cut -c1-110)"
unlike "$sout" "^sudo:|cannot enter" "sudo let it run, as root"

dpkg -P check-conntrack >"$T/remove.log" 2>&1
ok $? "dpkg -P removes it"
ok $(test ! -e /usr/lib/nagios/plugins/check_conntrack; echo $?) "plugin gone after removal"
ok $(test ! -e /etc/nagios-plugins/config/check_conntrack-commands.cfg; echo $?) "command file gone after purge"
done_testing
