#!/usr/bin/env bash
# Renders a recorded series (record.sh) the way PNP4Nagios stores and draws it, then draws it
# with the PNP4Nagios template contrib/pnp4nagios/check_conntrack.php and rrdtool.
# Usage: render.sh SERIES OUTDIR [SINGLE|MULTIPLE]
#   -> OUTDIR/check_conntrack-N.png, one per template graph, and OUTDIR/check_conntrack-N.values:
#      what the graph's legend prints (its GPRINTs run as PRINTs), one value a line.
#   OUTDIR/rrd/ keeps the RRD files.
#
# The storage follows PNP4Nagios 0.6's process_perfdata.pl with its sample configuration:
#  - the data source type comes from the unit: PNP's UOM2TYPE maps "c" and "d" to DERIVE, every
#    other unit is GAUGE; a DERIVE source gets the minimum 0 (a counter that goes back, as after
#    a reboot, is then stored as unknown), no maximum; GAUGE neither;
#  - step 60 s (RRA_STEP), heartbeat 8460 s (RRD_HEARTBEAT), the RRAs of rra.cfg-sample;
#  - RRD_STORAGE_TYPE SINGLE (PNP's default): one RRD per service, data sources named 1..N in
#    perfdata order; MULTIPLE: one RRD per label, its data source named 1;
#  - the first check result only creates the RRD (--start at its time); values are stored from
#    the second result on;
#  - the template sees $NAME, $DS, $RRDFILE, $UNIT ("%" as "%%"), $WARN, $CRIT, $MIN, $MAX of the
#    last result, as PNP's XML file gives them.
# The runs were recorded seconds apart; here they are placed one check interval (60 s) apart.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
SERIES=${1:-$TOP/tests/data/series/fill.txt}
OUT=${2:-.}
STORAGE=${3:-SINGLE}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT/rrd"
rm -f "$OUT"/rrd/*.rrd
t0=$(($(head -1 "$SERIES" | cut -f2) / 60 * 60))
RRAS=()
for cf in AVERAGE MAX MIN; do
	RRAS+=("RRA:$cf:0.5:1:2880" "RRA:$cf:0.5:5:2880" "RRA:$cf:0.5:30:4320" "RRA:$cf:0.5:360:5840")
done

# parse PERFDATA: one line per label, "label value uom warn crit min max" (PNP's pattern:
# label=value, unit letters, then up to four ;-separated fields).
parse() {
	local pd re='^([^=]+)=(U|[0-9.-]+)([A-Za-z0-9_/%]*);?([0-9.:~@-]*);?([0-9.:~@-]*);?([0-9.-]*);?([0-9.-]*)$'
	for pd in $1; do
		[[ $pd =~ $re ]] || { echo "render.sh: PNP4Nagios would not parse '$pd'" >&2; return 1; }
		printf '%s %s %s %s %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
			"${BASH_REMATCH[3]:--}" "${BASH_REMATCH[4]:--}" "${BASH_REMATCH[5]:--}" \
			"${BASH_REMATCH[6]:--}" "${BASH_REMATCH[7]:--}"
	done
}
dstype() { case $1 in c | d) echo DERIVE ;; *) echo GAUGE ;; esac; }
rrdfile() { # rrdfile LABEL
	if [ "$STORAGE" = MULTIPLE ]; then echo "$OUT/rrd/conntrack_$1.rrd"; else echo "$OUT/rrd/conntrack.rrd"; fi
}

first=1
while IFS=$'\t' read -r run _ line; do
	t=$((t0 + 60 * run))
	parse "${line#* | }" >"$W/pd"
	ds=() values=()
	while read -r label value uom _; do
		type=$(dstype "$uom")
		min=U
		[ "$type" = DERIVE ] && min=0
		if [ "$STORAGE" = MULTIPLE ]; then
			if [ -n "$first" ]; then
				rrdtool create "$(rrdfile "$label")" --start "$t" --step 60 \
					"DS:1:$type:8460:$min:U" "${RRAS[@]}"
			else
				rrdtool update "$(rrdfile "$label")" "$t:$value"
			fi
		fi
		ds+=("DS:$((${#ds[@]} + 1)):$type:8460:$min:U")
		values+=("$value")
	done <"$W/pd"
	if [ "$STORAGE" = SINGLE ]; then
		if [ -n "$first" ]; then
			rrdtool create "$(rrdfile -)" --start "$t" --step 60 "${ds[@]}" "${RRAS[@]}"
		else
			rrdtool update "$(rrdfile -)" "$t:$(IFS=:; echo "${values[*]}")"
		fi
	fi
	first=
done <"$SERIES"

# The template's inputs, as PNP4Nagios sets them, from the last run's perfdata.
{
	echo '<?php'
	echo '$hostname = "web1"; $servicedesc = "conntrack";'
	i=0
	while read -r label value uom warn crit min max; do
		i=$((i + 1))
		[ "$uom" = % ] && uom=%%
		ds=1
		[ "$STORAGE" = SINGLE ] && ds=$i
		for v in uom warn crit min max; do [ "${!v}" = - ] && printf -v "$v" ''; done
		printf '$NAME[%d]="%s"; $DS[%d]="%s"; $RRDFILE[%d]="%s"; $UNIT[%d]="%s"; $ACT[%d]="%s"; $WARN[%d]="%s"; $CRIT[%d]="%s"; $MIN[%d]="%s"; $MAX[%d]="%s";\n' \
			$i "$label" $i "$ds" $i "$(rrdfile "$label")" $i "$uom" $i "$value" $i "$warn" $i "$crit" $i "$min" $i "$max"
	done <"$W/pd"
	echo "include '$TOP/contrib/pnp4nagios/check_conntrack.php';"
	echo 'foreach ($opt as $g => $o) { file_put_contents("'"$W"'/graph.$g", $o . " " . $def[$g]); }'
} >"$W/driver.php"
php "$W/driver.php"
range="--start $((t0 - 60)) --end $((t0 + 60 * 31))"
for g in "$W"/graph.*; do
	n=${g##*.}
	# Like PNP4Nagios, through rrdtool's pipe mode, which does its own quoting.
	echo "graph $OUT/check_conntrack-$n.png $range --width 640 --height 200 --imgformat PNG $(cat "$g")" |
		rrdtool - >"$W/rrd.out"
	grep -q '^OK' "$W/rrd.out" || { cat "$W/rrd.out" >&2; exit 1; }
	# The legend's numbers: the same definitions with PRINT for GPRINT, printed by rrdtool.
	echo "graph /dev/null $range $(sed 's/\bGPRINT:/PRINT:/g' "$g")" | rrdtool - >"$W/rrd.out"
	grep -q '^OK' "$W/rrd.out" || { cat "$W/rrd.out" >&2; exit 1; }
	sed -e '1d' -e '/^OK/d' -e 's/\\n$//' "$W/rrd.out" >"$OUT/check_conntrack-$n.values"
	echo "$OUT/check_conntrack-$n.png"
done
