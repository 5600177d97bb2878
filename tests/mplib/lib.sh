# The real libmonitoringplug for the suites of tests/mplib/ (sourced after tests/lib/tap.sh):
# mplib_build sets MPLIB_DIR to a built monitoring-plugins 3.x tree ($MONITORING_PLUGINS, else
# the vendored snapshot, built once by tests/mplib/build.sh) and MPLIB_PLUGIN to the plugin built
# against it. Without the snapshot or the autotools the suite skips and says why; under CI=true
# that is a failure.

mplib_cannot() { # REASON
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - the real library cannot be built in CI: $1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

mplib_build() { # WORKDIR
	local rc start out
	MPLIB_DIR=${MONITORING_PLUGINS:-}
	if [ -z "$MPLIB_DIR" ]; then
		start=$(date +%s)
		MPLIB_DIR=$("$TOP/tests/mplib/build.sh" "$TOP/build-monitoring-plugins/src" 2>"$1/err")
		rc=$?
		case $rc in
		2 | 3) mplib_cannot "$(head -n 1 "$1/err")" ;;
		esac
		ok $rc "the snapshot's libmonitoringplug is built ($(($(date +%s) - start)) s)"
		if [ $rc -ne 0 ]; then
			sed 's/^/# /' "$1/err"
			done_testing
			exit 1
		fi
	fi
	out=$(make -s -C "$TOP" MONITORING_PLUGINS="$MPLIB_DIR" mplib-unit mplib-plugin 2>&1)
	ok $? "test_mpapi and the plugin build against $MPLIB_DIR/lib/libmonitoringplug.a"
	[ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	MPLIB_PLUGIN=$TOP/build-monitoring-plugins/out/check_conntrack
}
