#!/bin/sh
# Builds libmonitoringplug from a monitoring-plugins 3.x source snapshot, once per snapshot:
# unpacks it into DIR, then tools/setup, ./configure, make -C gl, make -C lib. DIR keeps the
# snapshot's checksum, so a second call for the same tarball returns at once. Prints DIR.
#
#   tests/mplib/build.sh [TARBALL] DIR
#
# Without TARBALL: $MONITORING_PLUGINS_TARBALL, else the newest monitoring-plugins-*.tar.gz in
# vendor/ of this tree or in ../shared/vendor/ beside it (or beside the main worktree).
# Exit 0 built (or already built), 1 the build failed, 2 no snapshot found, 3 a tool is missing.
set -eu

if [ $# -eq 2 ]; then
	tarball=$1
	dir=$2
elif [ $# -eq 1 ]; then
	tarball=""
	dir=$1
else
	echo "usage: $0 [TARBALL] DIR" >&2
	exit 1
fi
top=$(cd "$(dirname "$0")/../.." && pwd)

# The newest snapshot in the places the project keeps it.
find_tarball() {
	main=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	for d in "$top/vendor" "$top/../shared/vendor" ${main:+"$(dirname "$main")/../shared/vendor"}; do
		ls "$d"/monitoring-plugins-*.tar.gz 2>/dev/null || true
	done | sort -V | tail -n 1
}

[ -n "$tarball" ] || tarball=${MONITORING_PLUGINS_TARBALL:-}
[ -n "$tarball" ] || tarball=$(find_tarball)
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	echo "no monitoring-plugins snapshot found${tarball:+ at $tarball} (set MONITORING_PLUGINS_TARBALL)" >&2
	exit 2
fi
missing=""
for tool in autoconf autoheader aclocal automake libtoolize msgfmt make cc; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "missing to build monitoring-plugins:$missing (tests/install-deps installs autoconf, automake, gettext, libtool)" >&2
	exit 3
fi

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
stamp=$dir/.check_conntrack-built
mkdir -p "$(dirname "$dir")"
# One build at a time: parallel make jobs or suites may ask together.
exec 9>"$dir.lock"
flock 9
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -f "$dir/lib/libmonitoringplug.a" ] &&
	[ -f "$dir/gl/libgnu.a" ]; then
	echo "$dir"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tarball" -C "$dir" --strip-components=1
log=$dir.log
# The build runs on its own: not as a job of whatever make called us. Its temporary files go to a
# directory of its own, removed after it: the snapshot's setup and configure leave two of GNU
# make's (/tmp/GmXXXXXX, a copy of a generated Makefile each) behind on every build.
tmp=$dir/.build-tmp
mkdir -p "$tmp"
if ! (cd "$dir" && unset MAKEFLAGS MFLAGS MAKELEVEL && export TMPDIR="$tmp" &&
	tools/setup && ./configure && make -C gl && make -C lib) >"$log" 2>&1; then
	rm -rf "$tmp"
	echo "building monitoring-plugins from $tarball failed; the end of $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
rm -rf "$tmp"
echo "$sum" >"$stamp"
echo "$dir"
