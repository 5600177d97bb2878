#!/usr/bin/env bash
# --output-format: multi-line and mp-test-json as Monitoring Plugins 3.x print the verdict tree,
# the classic format without it, a bad value UNKNOWN. Run on both builds (PLUGIN=the binary built
# against the real libmonitoringplug: tests/mplib/suites.t); the texts asserted here are the
# library's own formats, so the two must agree.
. "$(dirname "$0")/../lib/tap.sh"
M="--procfs=$FIX/trees/modern/proc"
tab=$'\t'

one_line_unknown() { # ARGS... ; exit 3, one line, a reason
	run "$@"
	is "$rc" 3 "'$*' exits 3"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "'$*' prints one line"
	like "$first" "^CONNTRACK UNKNOWN - invalid --output-format" "'$*' says why: ${first#CONNTRACK UNKNOWN - }"
}
one_line_unknown $M --output-format=json
one_line_unknown $M --output-format=
one_line_unknown $M --output-format="multi-line "
run $M --output-format
is "$rc" 3 "--output-format without a value: UNKNOWN"

# json FILTER: the mp-test-json output ($out) read by a JSON parser, FILTER a Python expression of j.
json() {
	printf '%s' "$out" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)" 2>&1
}

summary="8500 of 10000 entries (85.0%), rules not inspected (not with --procfs)"
run $M
is "$rc" 1 "default format: WARNING, exit 1"
is "$first" "CONNTRACK WARNING - $summary | entries=8500;8000;9000;0;10000 utilization=85.00%;80;90;0;100 buckets=2500 found=0c invalid=46c insert=0c insert_failed=1c drop=2560c early_drop=50c error=4c search_restart=3c clash_resolve=10c chaintoolong=10c expect=0;;;0;36" "default format: the classic first line, byte for byte"

run $M --output-format=multi-line
is "$rc" 1 "multi-line: exit 1 (the tree's state)"
is "$first" "[WARNING] - $summary" "multi-line: '[STATE] - summary'"
is "$(printf '%s\n' "$out" | sed -n 2p)" "$tab\\_[WARNING] - $summary" "multi-line: the namespace, its state computed from its parts"
is "$(printf '%s\n' "$out" | sed -n 3p)" "$tab$tab\\_[WARNING] - 8500 of 10000 entries (85.0%)" "multi-line: the utilization part"
# The run before saved the baseline (--output-format does not make another check).
is "$(printf '%s\n' "$out" | sed -n 4,6p)" "$tab$tab\\_[OK] - 0 packets dropped since last check
$tab$tab\\_[OK] - 0 early drops since last check
$tab$tab\\_[OK] - 0 failed inserts since last check" "multi-line: a part per watched counter, compared with the run before"
like "$out" $'\n'"$tab$tab\\\\_\[OK\] - rules not inspected \(not with --procfs\)"$'\n' "multi-line: the rules part"
like "$out" $'\n'"$tab\\\\_\[OK\] - advice"$'\n' "multi-line: advice as a host-wide section"
last=$(printf '%s\n' "$out" | tail -n 1)
like "$last" "\|'entries'=8500;8000;9000;0;10000 'utilization'=85\.000000%;80;90;0;100 'buckets'=2500;;; 'drop'=2560c;;; " "multi-line: all perfdata after '|' on the last line, typed"
run $M --output-format=MULTI-LINE
is "$rc" 1 "--output-format=MULTI-LINE: accepted in any case"

run $M --output-format=mp-test-json
is "$rc" 0 "mp-test-json: exit 0 whatever the state, as the library's mp_exit"
is "$(printf '%s\n' "$out" | wc -l)" 1 "mp-test-json: one line"
is "$(json 'j["state"]')" WARNING "mp-test-json: state WARNING"
is "$(json 'j["summary"]')" "$summary" "mp-test-json: the classic summary"
is "$(json 'j["checks"][0]["checks"][0]["output"]')" "8500 of 10000 entries (85.0%)" "mp-test-json: the utilization part"
is "$(json '[p["label"] for p in j["checks"][0]["checks"][0]["perfdata"]]')" "['entries', 'utilization', 'buckets']" "mp-test-json: its perfdata"
is "$(json 'j["checks"][0]["checks"][0]["perfdata"][0]["warn"]')" "{'alert_on_inside': False, 'end': {'type': 'int', 'value': '8000'}, 'start': {'type': 'int', 'value': '8000'}}" "mp-test-json: -w 80% as entries, the library's JSON of a range"

# Ranges keep the guidelines' meaning in every format: 8500 is inside 0:8500, no alert (the
# library alone would read "8500" as ~:8500 and alert at 8500).
for f in "" --output-format=multi-line --output-format=mp-test-json; do
	run $M -w 8500 -c 9000 $f
	case $f in
	*json) is "$(json 'j["state"]')" OK "-w 8500 at 8500 entries: OK (${f:-classic})" ;;
	*) is "$rc" 0 "-w 8500 at 8500 entries: OK (${f:-classic})" ;;
	esac
	run $M -w 8499 -c 9000 $f
	case $f in
	*json) is "$(json 'j["state"]')" WARNING "-w 8499 at 8500 entries: WARNING (${f:-classic})" ;;
	*) is "$rc" 1 "-w 8499 at 8500 entries: WARNING (${f:-classic})" ;;
	esac
done

# An open end ("10:"): the library cannot write a range without its end's value in JSON.
run $M -w 10: -c 5: --output-format=mp-test-json
is "$rc" 0 "-w 10: in mp-test-json: written, not an UNKNOWN end"
is "$(json 'j["checks"][0]["checks"][0]["perfdata"][0]["warn"]')" "{'alert_on_inside': False, 'end': 'inf', 'start': {'type': 'int', 'value': '10'}}" "-w 10: in mp-test-json: end inf, start 10"
run $M -w 10: -c 5: --output-format=multi-line
like "$(printf '%s\n' "$out" | tail -n 1)" "'entries'=8500;10:;5:;0;10000" "-w 10: in multi-line perfdata"

# CRITICAL and UNKNOWN trees.
run --procfs="$FIX/trees/full/proc" --output-format=multi-line
is "$rc" 2 "fixture full, multi-line: exit 2"
like "$first" "^\[CRITICAL\] - " "fixture full, multi-line: CRITICAL"
run --procfs="$FIX/trees/garbage-count/proc" --output-format=multi-line
is "$rc" 3 "garbage count, multi-line: exit 3"
is "$(printf '%s\n' "$out" | sed -n 3p)" "$tab$tab\\_[UNKNOWN] - ${first#\[UNKNOWN\] - }" "garbage count: an UNKNOWN part with the reason"
run --procfs="$FIX/trees/garbage-count/proc" --output-format=mp-test-json
is "$(json 'j["state"]')" UNKNOWN "garbage count, mp-test-json: UNKNOWN"
run --procfs="$FIX/trees/none/proc" --missing=critical --output-format=mp-test-json
is "$(json 'j["checks"][0]["checks"][0]["state"] + " " + j["checks"][0]["checks"][0]["output"]')" "CRITICAL connection tracking is not active (no nf_conntrack_count or ip_conntrack_count under $FIX/trees/none/proc/sys/net)" "not active with --missing=critical: a CRITICAL part"
done_testing
