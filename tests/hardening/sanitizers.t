#!/bin/bash
# The whole tree built with clang -fsanitize=address,undefined in a copy (the normal objects are
# left alone): the unit tests, then the fixture and CLI suites against the sanitized plugin. Any
# sanitizer report (kept apart with log_path) fails the suite, whatever the exit codes said.
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v clang >/dev/null; then
	echo "1..1"
	echo "not ok 1 - clang is needed (tests/install-deps installs it)"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/tree
logs=$work/logs
mkdir -p "$src" "$logs"
tar -C "$TOP" --exclude=./.git --exclude=./tests/fuzz/bin --exclude='./build-*' \
	--exclude='*.o' --exclude='*.a' -cf - . | tar -C "$src" -xf -
make -s -C "$src" clean >/dev/null 2>&1
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
blog=$(make -s -j2 -C "$src" CC=clang CFLAGS="-O1 -g $san" LDFLAGS="$san" all unit 2>&1)
ok $? "the tree builds with clang $san"
[ -n "$blog" ] && printf '%s\n' "$blog" | tail -20 | sed 's/^/# /'

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$logs/asan:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"

for t in "$src"/tests/unit/test_*; do
	case $t in *.c) continue ;; esac
	[ -x "$t" ] || continue
	o=$(cd "$src" && "$t" 2>&1)
	rc=$?
	ok $rc "sanitized unit test $(basename "$t")"
	[ $rc -ne 0 ] && printf '%s\n' "$o" | grep -E '^not ok|ERROR|runtime error' | head -10 | sed 's/^/# /'
done

# The suites run the sanitized binary; their own TAP is summarized here.
for s in "$TOP"/tests/fixtures/*.t "$TOP"/tests/cli/*.t; do
	o=$(PLUGIN=$src/plugins/check_conntrack bash "$s" 2>&1)
	rc=$?
	ok $rc "suite $(basename "$(dirname "$s")")/$(basename "$s") with the sanitized plugin"
	[ $rc -ne 0 ] && printf '%s\n' "$o" | grep -E '^not ok|^#' | head -10 | sed 's/^/# /'
done

# A few runs on the real system too: /proc, verbose, bad arguments.
export PLUGIN=$src/plugins/check_conntrack
run -vvv
ok $((rc > 3)) "real /proc, -vvv: exit code $rc is a plugin state"
run -w 5:1
is "$rc" 3 "bad range: UNKNOWN"

reports=$(ls "$logs" 2>/dev/null)
is "$reports" "" "no AddressSanitizer, UndefinedBehaviorSanitizer or LeakSanitizer report"
for f in "$logs"/*; do
	[ -e "$f" ] && head -30 "$f" | sed 's/^/# /'
done
done_testing
