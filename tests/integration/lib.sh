# Helpers for the integration suites (sourced after tests/lib/tap.sh).

# need_tools CMD...: the daemons and tools a suite drives; skip outside CI, fail in CI.
need_tools() {
	local t missing=""
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] || missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - integration suite cannot run in CI: missing$missing (tests/install-deps)"
		exit 1
	fi
	echo "1..0 # SKIP missing$missing (tests/install-deps installs them)"
	exit 0
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# install_plugin DIR: `make install DESTDIR=DIR` with the Makefile's defaults (prefix
# /usr/local); prints the installed plugin's path.
install_plugin() {
	make -s -C "$TOP" install DESTDIR="$1" >/dev/null || return 1
	echo "$1/usr/local/lib/nagios/plugins/check_conntrack"
}
