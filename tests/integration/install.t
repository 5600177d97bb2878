#!/usr/bin/env bash
# Installation: the man page documents every long option of --help, make install puts the
# plugin and the man page under DESTDIR, make install-setcap grants CAP_NET_ADMIN, the
# contrib files parse (RPM spec, Grafana JSON, PNP4Nagios PHP).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
MAN=$TOP/contrib/check_conntrack.1

help=$("$PLUGIN" --help)
opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
manopts=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$opts") <(printf '%s\n' "$manopts") | tr '\n' ' ')
is "$missing" "" "man page documents every long option of --help ($(printf '%s\n' "$opts" | wc -l) options)"
short=$(printf '%s\n' "$help" | grep -oE -- '^ -[a-zA-Z],' | tr -d ' ,' | sort -u)
mshort=$(sed 's/\\-/-/g' "$MAN" | grep -oE -- '^\.BR -[a-zA-Z] ' | sed 's/\.BR //; s/ //' | sort -u)
is "$(comm -23 <(printf '%s\n' "$short") <(printf '%s\n' "$mshort") | tr '\n' ' ')" "" "man page documents every short option of --help"
if command -v groff >/dev/null; then
	warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	is "$warn" "" "groff renders the man page without warnings"
fi

T=$(mktemp -d /tmp/ctinst.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
make -s -C "$TOP" install DESTDIR="$T/root" >/dev/null
ok $? "make install DESTDIR=..."
ok $(test -x "$T/root/usr/lib/nagios/plugins/check_conntrack"; echo $?) "plugin in \$(plugindir)"
man1=$T/root/usr/share/man/man1/check_conntrack.1
ok $(test -f "$man1"; echo $?) "man page in \$(mandir)/man1"
like "$(head -3 "$man1")" "check_conntrack $("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')" "installed man page carries the plugin's version"
make -s -C "$TOP" install DESTDIR="$T/alt" prefix=/opt/ct plugindir=/opt/ct/plugins >/dev/null
ok $(test -x "$T/alt/opt/ct/plugins/check_conntrack" && test -f "$T/alt/opt/ct/share/man/man1/check_conntrack.1"; echo $?) "prefix and plugindir are honoured"

if [ "$(id -u)" -eq 0 ] && command -v getcap >/dev/null; then
	make -s -C "$TOP" install-setcap DESTDIR="$T/root" >/dev/null 2>&1
	ok $? "make install-setcap DESTDIR=..."
	like "$(getcap "$T/root/usr/lib/nagios/plugins/check_conntrack")" "cap_net_admin[=+]ep" "getcap shows cap_net_admin=ep"
fi

if command -v rpmspec >/dev/null; then
	rpmspec -P "$TOP/contrib/rpm/check_conntrack.spec" >/dev/null 2>"$T/rpm.err"
	ok $? "rpmspec parses contrib/rpm/check_conntrack.spec $(head -c 200 "$T/rpm.err")"
	v=$(rpmspec -q --qf '%{version}\n' "$TOP/contrib/rpm/check_conntrack.spec" 2>/dev/null | head -1)
	is "$v" "$("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')" "RPM spec version matches the plugin"
fi
dv=$(sed -n '1s/.*(\([^)]*\)).*/\1/p' "$TOP/contrib/debian/changelog")
is "$dv" "$("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')" "debian/changelog version matches the plugin"
for j in "$TOP"/contrib/grafana/*.json; do
	python3 -m json.tool "$j" >/dev/null
	ok $? "$(basename "$j") is valid JSON"
done
if command -v php >/dev/null; then
	php -l "$TOP/contrib/pnp4nagios/check_conntrack.php" >/dev/null
	ok $? "PNP4Nagios template: php -l"
fi
done_testing
