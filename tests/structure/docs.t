#!/usr/bin/env bash
# The documentation matches the program: every option --help lists is in the man page's
# SYNOPSIS and OPTIONS, in README's option table and in the Icinga 2 CheckCommand; the output
# samples in README and the man page, and the plugin's own output over every fixture tree, carry
# no ';' in their text (Nagios turns "; " into ": "; only a command line to paste keeps nft's own
# ';', never followed by a blank); rates in one format, never with an exponent.
. "$(dirname "$0")/../lib/tap.sh"
MAN=$TOP/contrib/check_conntrack.1
CMD=$TOP/contrib/icinga2/command-conntrack.conf

opts=$("$PLUGIN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | grep -vx -- '--help\|--version')
ok $((!($(printf '%s\n' $opts | wc -l) >= 25))) "--help lists the options ($(printf '%s\n' $opts | wc -l))"
unesc() { sed 's/\\-/-/g; s/\\c//g; s/\\f[BIRP]//g'; }
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN" | unesc | tr '\n' ' ')
options=$(sed -n '/^\.SH OPTIONS/,/^\.SH [A-Z]/p' "$MAN" | grep -A1 '^\.TP' | unesc)
table=$(sed -n '/^| `-/p' "$TOP/README")
for o in $opts; do
	# -w/-c/-t/-v stand in the SYNOPSIS by their short names.
	case $o in
	--warning) s=-w ;; --critical) s=-c ;; --timeout) s=-t ;; --verbose) s=-v ;; *) s=$o ;;
	esac
	miss=""
	[[ $synopsis == *"[ $s"* ]] || miss="$miss SYNOPSIS"
	[[ $options == *"$o"* ]] || miss="$miss OPTIONS"
	[[ $table == *"\`$o"* || $table == *", \`$o"* ]] || miss="$miss README"
	grep -q -- "\"$o\"" "$CMD" || miss="$miss CheckCommand"
	is "${miss:-everywhere}" everywhere "$o: in the man page's SYNOPSIS and OPTIONS, README's table, the CheckCommand"
done
for s in -h -V; do
	[[ $synopsis == *"$s"* ]]
	ok $? "$s in the SYNOPSIS"
done

# Output samples: README's indented lines that start as the plugin's lines do, the man page's.
prefixes='CONNTRACK |since last check|advice: |rule: |owner: |hash: |boot: |memory: |forecast: |composition: |timeouts: |expect: |persistence: |drop: |note: |counters: |netns '
samples=$(grep -E "^    ($prefixes)" "$TOP/README")
ok $((!($(printf '%s\n' "$samples" | grep -c .) >= 20))) "README: output samples found ($(printf '%s\n' "$samples" | grep -c .) lines)"
semi=$(printf '%s\n' "$samples" | sed 's/ | .*//' | grep ';')
is "${semi:-none}" none "README: no ';' in the text of an output sample"
semi=$(sed -n '/^\.nf/,/^\.fi/p' "$MAN" | grep -E "^($prefixes)" | sed 's/ | .*//' | grep ';')
is "${semi:-none}" none "man page: no ';' in the text of an output sample"
expo=$(grep -E '[0-9]e[+-][0-9]+/s' "$TOP/README" "$MAN")
is "${expo:-none}" none "README and man page: no rate with an exponent"

# The plugin over every fixture tree, quiet and verbose, OK and alerting.
T=$FIX/trees
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=""
runs=0
for tree in "$T"/*/; do
	[ -d "$tree/proc" ] || continue
	for args in "" "-v" "-w 1 -c 2 -v" "--output-format=multi-line -w 1 -c 2"; do
		# shellcheck disable=SC2086
		out=$("$PLUGIN" --procfs="$tree/proc" --root="$T/sysctl-none" --state-dir="$tmp" $args 2>&1)
		runs=$((runs + 1))
		# The text: the first line before its perfdata, every other line but a command to paste.
		text=$(printf '%s\n' "$out" | grep -v '^    ' | sed -E "s/ \| .*//; s/\|'.*//")
		if printf '%s\n' "$text" | grep -q ';'; then
			bad="$bad $(basename "$tree")[$args]: $(printf '%s\n' "$text" | grep -m1 ';')"
		fi
		if printf '%s\n' "$out" | grep -qE '; |[0-9]e[+-][0-9]+/s' <(printf '%s\n' "$out" | grep '^    '); then
			bad="$bad $(basename "$tree")[$args] command line: $(printf '%s\n' "$out" | grep '^    ' | grep -m1 -E '; ')"
		fi
	done
done
ok $((!(runs >= 100))) "the plugin ran over the fixture trees ($runs runs)"
is "${bad:-none}" none "no ';' in the output text of any run, none followed by a blank in a command line"
done_testing
