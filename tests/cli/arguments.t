#!/usr/bin/env bash
# The command line as admins type it: every malformed argument is a one-line UNKNOWN (exit 3).
. "$(dirname "$0")/../lib/tap.sh"
M="--procfs=$FIX/trees/modern/proc"

one_line_unknown() { # ARGS... ; checks exit 3, one line, a reason
	run "$@"
	is "$rc" 3 "'$*' exits 3"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "'$*' prints one line"
	like "$first" "^CONNTRACK UNKNOWN - .{10,}" "'$*' says why: ${first#CONNTRACK UNKNOWN - }"
}
one_line_unknown $M -w 80:70
one_line_unknown $M -c 90%:80%
one_line_unknown $M -w abc
one_line_unknown $M -w ""
one_line_unknown $M -w 80%:90
one_line_unknown $M -w 8%0
one_line_unknown $M -c @
one_line_unknown $M -w 1e3
one_line_unknown $M --bogus
one_line_unknown $M -x
one_line_unknown $M -w
one_line_unknown $M --critical
one_line_unknown $M extra
one_line_unknown $M -t 0
one_line_unknown $M -t -5
one_line_unknown $M -t abc
one_line_unknown $M -t 10s
one_line_unknown $M -t 99999999999999999999
one_line_unknown $M --missing=maybe
one_line_unknown $M --missing=
one_line_unknown $M --help=yes

# Directory options: empty (an unset Icinga variable), relative, too long or missing is a
# misconfiguration, never a silent OK; a path is never cut to a shorter one.
long=$(printf '/%.0s' $(seq 5000))
for opt in sysfs root; do
	one_line_unknown $M --$opt=
	like "$first" "--$opt is empty" "--$opt=: says it is empty"
	one_line_unknown $M --$opt=relative/dir
	like "$first" "--$opt wants an absolute directory, not 'relative/dir'" "--$opt relative: says so"
	one_line_unknown $M --$opt=/nonexistent
	like "$first" "--$opt=/nonexistent: No such file or directory" "--$opt missing: says so"
	one_line_unknown $M --$opt="$long"
	like "$first" "--$opt is too long \(5000 bytes, at most [0-9]+\)" "--$opt longer than PATH_MAX: too long, not cut"
done
one_line_unknown $M --sysfs="$FIX/trees/modern/proc/sys/net/netfilter/nf_conntrack_max"

# --netns names a network namespace: any other file, of /proc or another namespace's, says so
# (not "cannot enter ...: Invalid argument").
for f in /proc/self/status /proc/self/ns/mnt /dev/null; do
	one_line_unknown $M --netns=$f
	like "$first" "^CONNTRACK UNKNOWN - netns $f: $f is not a network namespace$" \
		"--netns=$f: not a network namespace"
done

run -h
is "$rc" 0 "-h exits 0"
like "$out" "--warning=RANGE" "-h documents --warning"
like "$out" "--missing=STATE" "-h documents --missing"
like "$out" "extra-opts" "-h documents --extra-opts"
run --version
is "$rc" 0 "--version exits 0"
like "$first" "^check_conntrack [0-9]+\.[0-9]+" "--version prints the version"

run $M -w 90 -c 95 -t 5
is "$rc" 2 "count thresholds, long and short forms mixed: 8500 > 95 is CRITICAL"
run $M --warning=86% --critical=95%
is "$rc" 0 "--warning=86%: 85% is OK"

# The C locale for numbers, whatever the environment says.
out=$(LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 "$PLUGIN" $M 2>/dev/null)
like "$out" "\(85\.0%\), .* \| .*utilization=85\.00%" "numbers use a decimal point under a German locale"

# --extra-opts: arguments kept in an ini file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/plugins.ini" <<INI
# NRPE keeps its arguments here
[check_conntrack]
warning = 50%
critical=84%
procfs=$FIX/trees/modern/proc

[strict]
w=10
c=20
procfs=$FIX/trees/modern/proc

[broken]
warning=abc
INI
run --extra-opts=@"$tmp/plugins.ini"
is "$rc" 2 "--extra-opts=@file: the default section's thresholds apply (85% > 84%)"
run --extra-opts=@"$tmp/plugins.ini" -c 95%
is "$rc" 1 "--extra-opts: the command line wins over the ini"
run --extra-opts=strict@"$tmp/plugins.ini"
is "$rc" 2 "--extra-opts=section@file"
like "$first" "entries=8500;10;20;" "--extra-opts=section@file: its thresholds"
MP_CONFIG_FILE="$tmp/plugins.ini" run --extra-opts=strict
is "$rc" 2 "--extra-opts=section with MP_CONFIG_FILE"
NAGIOS_CONFIG_PATH="/nonexistent:$tmp" run --extra-opts
is "$rc" 2 "--extra-opts with NAGIOS_CONFIG_PATH finds plugins.ini"
one_line_unknown --extra-opts=broken@"$tmp/plugins.ini"
one_line_unknown --extra-opts=@"$tmp/missing.ini"
printf 'warning=1\n' >"$tmp/nosection.ini"
one_line_unknown --extra-opts=@"$tmp/nosection.ini"
printf '[other]\nwarning=1\n' >"$tmp/other.ini"
one_line_unknown --extra-opts=@"$tmp/other.ini"
like "$first" "section \[check_conntrack\] not found" "missing section named"

# --extra-opts edge cases: an ini line cannot end the options, take the next argument as its
# value, ask for help or the version, or name another ini file; a named section must exist.
printf '[check_conntrack]\n-\n' >"$tmp/dash.ini"
one_line_unknown --extra-opts=@"$tmp/dash.ini" $M
like "$first" "'-' is no option name" "ini line '-': refused, not turned into '--'"
printf '[check_conntrack]\ncritical\n' >"$tmp/novalue.ini"
one_line_unknown --extra-opts=@"$tmp/novalue.ini" $M -w 70%
like "$first" "'--critical' in the --extra-opts file needs a value" \
	"ini key without a value: says so, the next argument is not taken as one"
printf '[check_conntrack]\ntimeout\nwarning=50\n' >"$tmp/novalue2.ini"
one_line_unknown --extra-opts=@"$tmp/novalue2.ini" $M
like "$first" "'--timeout' in the --extra-opts file needs a value" \
	"ini key without a value: the next ini line is not taken as one either"
for k in help h hel version V vers 'v=h' 'extra-opts=@/etc/passwd'; do
	printf '[check_conntrack]\n%s\n' "$k" >"$tmp/k.ini"
	one_line_unknown --extra-opts=@"$tmp/k.ini" $M
	like "$first" "the --extra-opts file may not set --(help|version|extra-opts)" "ini '$k': refused"
done
printf '[check_conntrack]\nwarning=10\n' >"$tmp/named.ini"
one_line_unknown --extra-opts=nosuch@"$tmp/named.ini" $M
like "$first" "section \[nosuch\] not found" \
	"a named section that is not there: an error, not [check_conntrack]'s options"
printf '[check_conntrack]\nno-rules=\nverbose\n' >"$tmp/flags.ini"
run --extra-opts=@"$tmp/flags.ini" $M
is "$rc" 1 "ini flags 'no-rules=' and 'verbose': the check runs (85%: WARNING)"
like "$first" "rules not inspected \(--no-rules\)" "ini 'no-rules=': the bare option, as Monitoring Plugins read it"

# -t: a proc file that blocks (a FIFO) ends as UNKNOWN when the timeout fires.
mkdir -p "$tmp/proc/sys/net/netfilter"
mkfifo "$tmp/proc/sys/net/netfilter/nf_conntrack_count"
start=$(date +%s)
run --procfs="$tmp/proc" -t 1
end=$(date +%s)
is "$rc" 3 "blocked read: UNKNOWN when -t fires"
like "$first" "^CONNTRACK UNKNOWN - plugin timed out after 1 seconds" "blocked read: says it timed out"
ok $(( end - start <= 3 ? 0 : 1 )) "blocked read: ended within the timeout ($((end - start)) s)"

done_testing
