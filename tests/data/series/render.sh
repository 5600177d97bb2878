#!/usr/bin/env bash
# Renders a recorded series (record.sh) the way PNP4Nagios does: one RRD per perfdata label
# (RRD_STORAGE_TYPE=MULTIPLE, data source "1", GAUGE, 60 s step), runs the PNP4Nagios template
# contrib/pnp4nagios/check_conntrack.php for its graph definitions, and draws them with rrdtool.
# Usage: render.sh SERIES OUTDIR -> OUTDIR/check_conntrack-N.png, one per template graph.
# The runs were recorded seconds apart; here they are placed one check interval (60 s) apart.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
SERIES=${1:-$TOP/tests/data/series/fill.txt}
OUT=${2:-.}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT"
t0=$(($(head -1 "$SERIES" | cut -f2) / 60 * 60))

# Labels and thresholds of the last run (PNP keeps them in its XML file from the last check).
last=$(tail -1 "$SERIES" | cut -f3)
labels=()
for pd in ${last#* | }; do labels+=("${pd%%=*}"); done
for l in "${labels[@]}"; do
	rrdtool create "$W/$l.rrd" --start $((t0 - 60)) --step 60 DS:1:GAUGE:8460:U:U \
		RRA:AVERAGE:0.5:1:2880 RRA:MAX:0.5:1:2880 RRA:MIN:0.5:1:2880
done
declare -A upd
while IFS=$'\t' read -r run _ line; do
	t=$((t0 + 60 * run))
	for pd in ${line#* | }; do
		l=${pd%%=*}
		v=${pd#*=}
		v=${v%%;*}
		v=${v%%[!0-9.]*}
		upd[$l]="${upd[$l]:-} $t:$v"
	done
done <"$SERIES"
for l in "${labels[@]}"; do
	# shellcheck disable=SC2086 # one argument per time:value
	rrdtool update "$W/$l.rrd" ${upd[$l]}
done

# The template's inputs, as PNP4Nagios sets them, from the last run's perfdata.
{
	echo '<?php'
	echo '$hostname = "web1"; $servicedesc = "conntrack";'
	i=0
	for pd in ${last#* | }; do
		i=$((i + 1))
		IFS=';' read -r lv warn crit min max <<<"${pd#*=}"
		unit=${lv##*[0-9.]}
		printf '$NAME[%d]="%s"; $DS[%d]="1"; $RRDFILE[%d]="%s"; $UNIT[%d]="%s"; $WARN[%d]="%s"; $CRIT[%d]="%s"; $MIN[%d]="%s"; $MAX[%d]="%s";\n' \
			$i "${pd%%=*}" $i $i "$W/${pd%%=*}.rrd" $i "$unit" $i "${warn:-}" $i "${crit:-}" $i "${min:-}" $i "${max:-}"
	done
	echo "include '$TOP/contrib/pnp4nagios/check_conntrack.php';"
	echo 'foreach ($opt as $g => $o) { file_put_contents("'"$W"'/graph.$g", $o . " " . $def[$g]); }'
} >"$W/driver.php"
php "$W/driver.php"
for g in "$W"/graph.*; do
	n=${g##*.}
	# Like PNP4Nagios, through rrdtool's pipe mode, which does its own quoting.
	echo "graph $OUT/check_conntrack-$n.png --start $((t0 - 60)) --end $((t0 + 60 * 31))" \
		"--width 640 --height 200 --imgformat PNG $(cat "$g")" | rrdtool - >"$W/rrd.out"
	grep -q '^OK' "$W/rrd.out" || { cat "$W/rrd.out" >&2; exit 1; }
	echo "$OUT/check_conntrack-$n.png"
done
