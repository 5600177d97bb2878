#!/bin/bash
# Short libFuzzer pass over every parser: the seeds and regression inputs, then a few seconds of
# fuzzing each (FUZZ_CHECK_SECONDS, default 3). `make fuzz` does the long runs.
. "$(dirname "$0")/../lib/tap.sh"
secs=${FUZZ_CHECK_SECONDS:-3}

if ! command -v clang >/dev/null; then
	echo "1..1"
	echo "not ok 1 - clang is needed for the fuzz targets (tests/install-deps installs it)"
	exit 1
fi
log=$(make -s -C "$TOP" fuzz-build 2>&1)
ok $? "fuzz targets build with clang -fsanitize=fuzzer,address,undefined"
[ -n "$log" ] && printf '%s\n' "$log" | sed 's/^/# /' | tail -20

bin=$TOP/tests/fuzz/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	mkdir -p "$work/$t"
	out=$("$bin/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" \
		"$work/$t" "$TOP/tests/fuzz/corpus/$t" 2>&1)
	rc=$?
	execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
	ok $rc "fuzz_$t: seeds and ${secs} s of fuzzing, ${execs:-?} executions, no finding"
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' | head -20 |
			sed 's/^/# /'
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -e "$a" ] && echo "# input: $(base64 -w0 "$a" | head -c 400)"
		done
	fi
done
done_testing
