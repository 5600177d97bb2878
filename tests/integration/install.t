#!/usr/bin/env bash
# Installation and the Makefile's conventions: the man page documents every long option of
# --help; make install puts the plugin and the man page under DESTDIR and prefix (default
# /usr/local), uninstall removes them, install-setcap grants CAP_NET_ADMIN; make dist holds
# exactly what git tracks; objects are rebuilt when the version or the flags change; CPPFLAGS
# reach the compiler, -Werror only with WERROR=1; distclean leaves the release tree; the
# version is one (the packaging files agree, version-check says when they do not); the RPM
# builds and rpmlint has nothing to say about the spec and the package; the contrib files
# parse (Grafana JSON, PNP4Nagios PHP).
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
ok $(test -x "$T/root/usr/local/lib/nagios/plugins/check_conntrack"; echo $?) "plugin in \$(plugindir), by default under /usr/local"
man1=$T/root/usr/local/share/man/man1/check_conntrack.1
ok $(test -f "$man1"; echo $?) "man page in \$(mandir)/man1"
like "$(head -3 "$man1")" "check_conntrack $("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')" "installed man page carries the plugin's version"
make -s -C "$TOP" install DESTDIR="$T/pkg" prefix=/usr >/dev/null
ok $(test -x "$T/pkg/usr/lib/nagios/plugins/check_conntrack" && test -f "$T/pkg/usr/share/man/man1/check_conntrack.1"; echo $?) "prefix=/usr (the packages): /usr/lib/nagios/plugins, /usr/share/man"
make -s -C "$TOP" install DESTDIR="$T/alt" prefix=/opt/ct plugindir=/opt/ct/plugins >/dev/null
ok $(test -x "$T/alt/opt/ct/plugins/check_conntrack" && test -f "$T/alt/opt/ct/share/man/man1/check_conntrack.1"; echo $?) "prefix and plugindir are honoured"
make -s -C "$TOP" uninstall DESTDIR="$T/alt" prefix=/opt/ct plugindir=/opt/ct/plugins >/dev/null
ok $?  "make uninstall"
is "$(find "$T/alt" -type f)" "" "uninstall removes the plugin and the man page"

if [ "$(id -u)" -eq 0 ] && command -v getcap >/dev/null; then
	make -s -C "$TOP" install-setcap DESTDIR="$T/root" >/dev/null 2>&1
	ok $? "make install-setcap DESTDIR=..."
	like "$(getcap "$T/root/usr/local/lib/nagios/plugins/check_conntrack")" "cap_net_admin[=+]ep" "getcap shows cap_net_admin=ep"
fi

# The build conventions, in a clone that holds this work tree's tracked files (so that make
# dist has git) and in the release tree made from it; the build here is left alone.
if command -v git >/dev/null && git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	# As a user or a distribution runs make: without make check's WERROR.
	mk() { env -u WERROR -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make "$@"; }
	C=$T/clone
	git clone -q "$TOP" "$C"
	git -C "$TOP" ls-files -z | tar -C "$TOP" --null -T - -cf - | tar -C "$C" -xf -
	touch "$C/untracked-file"
	mk -s -C "$C" >/dev/null 2>&1
	tarball=$(mk -s -C "$C" dist 2>/dev/null | tail -1)
	ok $(test -f "$C/$tarball"; echo $?) "make dist: $tarball"
	is "$(tar -tzf "$C/$tarball" | sed 's,^[^/]*/,,' | sort)" "$(git -C "$C" ls-files | sort)" \
		"the tarball holds what git tracks, no objects, no untracked file"
	tar -xzf "$C/$tarball" -C "$T"
	R=$T/${tarball%.tar.gz}
	cc_lines() { grep -cE '^(cc|gcc|clang) .* -c ' || true; }
	nobj=$(mk -C "$R" 2>&1 | cc_lines)
	ok $((nobj > 10 ? 0 : 1)) "the release tree builds ($nobj objects)"
	is "$(mk -C "$R" 2>&1 | cc_lines)" 0 "a second make compiles nothing"
	is "$(mk -C "$R" VERSION=9.9.9 2>&1 | cc_lines)" "$nobj" "VERSION changed: every object is compiled again"
	is "$("$R/plugins/check_conntrack" -V)" "check_conntrack 9.9.9" "and the binary says the new version"
	out=$(mk -C "$R" 2>&1)
	is "$(printf '%s\n' "$out" | cc_lines)" "$nobj" "back to the Makefile's version: compiled again"
	unlike "$out" " -Werror( |$)" "no -Werror unless asked"
	out=$(mk -C "$R" WERROR=1 CPPFLAGS="-DCT_CPPFLAGS_SEEN=1" 2>&1)
	like "$out" "^cc .* -Werror .* -DCT_CPPFLAGS_SEEN=1 .* -c " "WERROR=1 adds -Werror, CPPFLAGS reach the compiler"
	is "$(printf '%s\n' "$out" | cc_lines)" "$nobj" "and the flags' change compiles everything again"
	mk -s -C "$R" unit >/dev/null 2>&1
	mk -s -C "$R" distclean >/dev/null 2>&1
	is "$(cd "$R" && find . -type f -o -type l | sed 's,^\./,,' | sort)" "$(tar -tzf "$C/$tarball" | sed 's,^[^/]*/,,' | sort)" \
		"make distclean leaves the release tree as it was"
	is "$(mk -s -C "$R" version-check 2>&1)" "" "version-check: the Makefile, debian/changelog and the RPM spec agree"
	sed -i 's/^VERSION := .*/VERSION := 9.9.9/' "$R/Makefile"
	out=$(mk -s -C "$R" version-check 2>&1)
	ok $((! $?)) "version-check fails when the Makefile moves on alone"
	like "$out" "contrib/debian/changelog is at [0-9.]+, the Makefile at 9.9.9" "and says what to do: ${out%%$'\n'*}"
	mk -s -C "$R" deb >/dev/null 2>&1
	ok $((! $?)) "make deb refuses the version mismatch"

	if command -v rpmbuild >/dev/null && command -v rpmlint >/dev/null; then
		mk -C "$C" rpm PKG_OUT="$T/rpm" >"$T/rpm.log" 2>&1
		ok $? "make rpm $(grep -m1 -E 'error:' "$T/rpm.log")"
		rpm=$(ls "$T"/rpm/rpm/RPMS/*/check_conntrack-[0-9]*.rpm 2>/dev/null | head -1)
		ok $(test -f "$rpm"; echo $?) "RPM built: $(basename "$rpm")"
		files=$(rpm -qlp "$rpm" 2>/dev/null)
		like "$files" "^/usr/share/man/man1/check_conntrack\.1\.gz$" "the RPM's man page is compressed"
		rpm2cpio "$rpm" | (mkdir -p "$T/rpmx" && cd "$T/rpmx" && cpio -idm --quiet)
		like "$(file "$T"/rpmx/usr/lib*/nagios/plugins/check_conntrack)" ", stripped" "the RPM's plugin is stripped (symbols in -debuginfo)"
		lint=$(rpmlint -c "$TOP/contrib/rpm/rpmlint.toml" "$TOP/contrib/rpm/check_conntrack.spec" "$rpm" 2>&1)
		like "$lint" "1 packages and 1 specfiles checked; 0 errors, 0 warnings" "rpmlint: 0 errors, 0 warnings on the spec and the RPM"
		unlike "$lint" "^[^ ]+: [EWI]: " "rpmlint: no finding"
		[ -n "$(printf '%s\n' "$lint" | grep -E '^[^ ]+: [EWI]: ')" ] && printf '%s\n' "$lint" | grep -E ': [EWI]: ' | sed 's/^/# /'
	fi
fi

if command -v rpmspec >/dev/null; then
	rpmspec -P "$TOP/contrib/rpm/check_conntrack.spec" >/dev/null 2>"$T/rpm.err"
	ok $? "rpmspec parses contrib/rpm/check_conntrack.spec $(head -c 200 "$T/rpm.err")"
	v=$(rpmspec -q --qf '%{version}\n' "$TOP/contrib/rpm/check_conntrack.spec" 2>/dev/null | head -1)
	is "$v" "$("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')" "RPM spec version matches the plugin"
	v=$(rpmspec -q --qf '%{changelogname}\n' "$TOP/contrib/rpm/check_conntrack.spec" 2>/dev/null | head -1)
	like "$v" " - $("$PLUGIN" -V | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')-[0-9]+\$" "the RPM's newest changelog entry is for that version: $v"
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
