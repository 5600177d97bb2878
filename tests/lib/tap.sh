# TAP helpers for the shell suites (sourced). prove reads what they print.
# Every suite runs the built plugin: $PLUGIN (default plugins/check_conntrack in the tree).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLUGIN=${PLUGIN:-$TOP/plugins/check_conntrack}
FIX=$TOP/tests/fixtures
_n=0
_failed=0
# Suites never touch the real state directory: each gets its own, removed by done_testing.
export MP_STATE_PATH=${TMPDIR:-/tmp}/ctcheck-state.$$

ok() { # ok COND-EXIT NAME
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}
# Why a check failed, on stderr as Test::More's diag: prove shows it without -v, so a CI log says
# what was got (its first 40 lines, 4000 bytes at most), not only which check failed.
_tap_diag() { # _tap_diag GOT LABEL WANT
	{
		printf '%s\n' "$1" | head -n 40 | head -c 4000 | sed 's/^/#   got:  /'
		printf '#   %s %s\n' "$2" "$3"
	} >&2
}
is() { # is GOT WANT NAME
	_n=$((_n + 1))
	if [ "$1" == "$2" ]; then echo "ok $_n - $3"; else
		echo "not ok $_n - $3"
		_tap_diag "$1" "want:" "$2"
		_failed=$((_failed + 1))
	fi
}
# grep -E takes a newline in a pattern as "or" with an empty pattern, which matches everything:
# a pattern may start with a newline ("at the start of a line") and end with one ("at the end of
# a line"); a newline inside it is refused, so no check can pass without matching.
_tap_regex() {
	_re=$2
	case $_re in $'\n'*) _re="^${_re#$'\n'}" ;; esac
	case $_re in *$'\n') _re="${_re%$'\n'}\$" ;; esac
	case $_re in *$'\n'*)
		echo "not ok $1 - $3 (the pattern holds a newline inside: split the check)"
		_failed=$((_failed + 1))
		return 1 ;;
	esac
	return 0
}
like() { # like GOT REGEX NAME (extended regex, grep -E, line by line)
	_n=$((_n + 1))
	_tap_regex "$_n" "$2" "$3" || return 0
	if printf '%s\n' "$1" | grep -Eq -- "$_re"; then echo "ok $_n - $3"; else
		echo "not ok $_n - $3"
		_tap_diag "$1" "want match:" "$_re"
		_failed=$((_failed + 1))
	fi
}
unlike() {
	_n=$((_n + 1))
	_tap_regex "$_n" "$2" "$3" || return 0
	if printf '%s\n' "$1" | grep -Eq -- "$_re"; then
		echo "not ok $_n - $3"
		_tap_diag "$1" "must not match:" "$_re"
		_failed=$((_failed + 1))
	else echo "ok $_n - $3"; fi
}
# run ARGS...: sets $out (all output), $first (first line), $rc.
run() {
	out=$("$PLUGIN" "$@" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
}
# Suites that need root and a real kernel: skip outside CI with a reason, fail in CI.
need_root_kernel() {
	local why=""
	[ "$(id -u)" -eq 0 ] || why="needs root"
	[ -z "$why" ] && ! ip netns add ctcheck-probe.$$ 2>/dev/null && why="cannot create a network namespace"
	ip netns del ctcheck-probe.$$ 2>/dev/null
	[ -z "$why" ] && [ ! -e /proc/sys/net/netfilter/nf_conntrack_max ] && modprobe nf_conntrack 2>/dev/null
	[ -z "$why" ] && [ ! -e /proc/sys/net/netfilter/nf_conntrack_max ] && why="no nf_conntrack in this kernel"
	if [ -z "$why" ]; then
		# One kernel suite (or the benchmark's table part) at a time. None changes a host-wide
		# setting (tests/hostguard/ watches them); the lock is still needed for two things: a
		# suite fills a namespace to the real limit (about 100 MB of kernel memory at 262144
		# entries and a busy core for a moment), and --netns=all sees every namespace on the
		# host, so a suite running alongside would put its own full table in the verdict.
		exec 9>/run/lock/check_conntrack-kernel.lock
		flock 9
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - kernel suite cannot run in CI: $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}
done_testing() {
	rm -rf "$MP_STATE_PATH"
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
