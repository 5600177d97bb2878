#!/usr/bin/env bash
# Graphing: a recorded series of real runs (tests/data/series/fill.txt: a table filling up,
# then drops) goes into RRDs by PNP4Nagios's own storage rule (render.sh: the data source type
# from the unit, so the counters are DERIVE) in both RRD_STORAGE_TYPEs, and is drawn with the
# contrib PNP4Nagios template; the legend's numbers must be what the series holds.
# UPDATE_GRAPH=1 also refreshes contrib/graph-example.png and contrib/graph-example-drops.png.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
need_tools rrdtool php
T=$(mktemp -d /tmp/ctgraph.XXXXXX)
trap 'rm -rf "$T"' EXIT
S=$TOP/tests/data/series/fill.txt
is "$(wc -l <"$S" | tr -d ' ')" 30 "the recorded series has 30 runs"
like "$(head -1 "$S" | cut -f3)" "^CONNTRACK OK - " "it starts OK"
like "$(tail -1 "$S" | cut -f3)" "^CONNTRACK CRITICAL - ([0-9]+) of \1 entries .* drop=[1-9]" "it ends with a full table and drops"
full=$(tail -1 "$S" | cut -f3 | sed -E 's/^CONNTRACK CRITICAL - ([0-9]+) of .*/\1/')

# What the legend must say, from the series itself: PNP stores from the second run on, so the
# drops counted are those after it; the fastest minute gives the maximum rate.
counter() { cut -f3 "$S" | grep -oE " $1=[0-9]+c" | tr -dc '0-9\n'; }
expect() { # expect LABEL: "max R/s" and "total N" as the template prints them
	counter "$1" | awk 'NR == 2 { first = $1 } NR > 2 && $1 - prev > max { max = $1 - prev }
		{ prev = $1 } END { printf "max %8.2f/s\ntotal %10d\n", max / 60, prev - first }'
}
like "$(expect drop | tail -1)" "total +[1-9]" "the series holds drops after its second run: $(expect drop | tail -1 | tr -s ' ')"

for storage in SINGLE MULTIPLE; do
	O=$T/$storage
	pngs=$("$TOP/tests/data/series/render.sh" "$S" "$O" "$storage" 2>"$T/err")
	ok $? "$storage: render.sh stores the series as PNP does and draws it $(head -c 300 "$T/err")"
	if [ "$storage" = SINGLE ]; then
		rrd=$O/rrd/conntrack.rrd
		i=0
		for pd in $(tail -1 "$S" | cut -f3 | sed 's/.* | //'); do
			i=$((i + 1))
			[ "${pd%%=*}" = entries ] && ie=$i
			[ "${pd%%=*}" = drop ] && id=$i
		done
		info=$(rrdtool info "$rrd")
		like "$info" "^ds\[$id\]\.type = \"DERIVE\"" "$storage: drop (uom c) is data source $id, DERIVE"
		like "$info" "^ds\[$id\]\.min = 0" "$storage: drop has the minimum 0 (a counter reset is stored as unknown)"
		like "$info" "^ds\[$ie\]\.type = \"GAUGE\"" "$storage: entries (no uom) is data source $ie, GAUGE"
	else
		like "$(rrdtool info "$O/rrd/conntrack_drop.rrd")" '^ds\[1\]\.type = "DERIVE"' "$storage: conntrack_drop.rrd is DERIVE"
		like "$(rrdtool info "$O/rrd/conntrack_utilization.rrd")" '^ds\[1\]\.type = "GAUGE"' "$storage: conntrack_utilization.rrd (uom %) is GAUGE"
	fi
	is "$(printf '%s\n' "$pngs" | wc -l | tr -d ' ')" 3 "$storage: the template defines 3 graphs (entries, utilization, drops)"
	for png in $pngs; do
		magic=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
		is "$magic" 89504e470d0a1a0a "$storage: $(basename "$png") is a PNG"
		w=$((16#$(od -An -tx1 -j16 -N4 "$png" | tr -d ' \n')))
		h=$((16#$(od -An -tx1 -j20 -N4 "$png" | tr -d ' \n')))
		sz=$(stat -c %s "$png")
		ok $((w >= 640 && w <= 1200 && h >= 200 && h <= 600 && sz > 5000 ? 0 : 1)) "$storage: $(basename "$png"): ${w}x${h}, $sz bytes"
	done
	is "$(cat "$O/check_conntrack-1.values" | tr -s ' ')" "$(printf 'last %s\nmax %s' "$full" "$full")" "$storage: entries graph: last $full, max $full"
	drops=$(cat "$O/check_conntrack-3.values")
	is "$(printf '%s\n' "$drops" | sed -n 1,2p)" "$(expect drop)" "$storage: drop: $(expect drop | tr -s ' ' | tr '\n' ' ')as in the data"
	is "$(printf '%s\n' "$drops" | sed -n 3,4p)" "$(expect early_drop)" "$storage: early_drop: $(expect early_drop | tr -s ' ' | tr '\n' ' ')"
	is "$(printf '%s\n' "$drops" | sed -n 5,6p)" "$(expect insert_failed)" "$storage: insert_failed: $(expect insert_failed | tr -s ' ' | tr '\n' ' ')"
done
if [ -n "${UPDATE_GRAPH:-}" ]; then
	cp "$T/SINGLE/check_conntrack-1.png" "$TOP/contrib/graph-example.png"
	cp "$T/SINGLE/check_conntrack-3.png" "$TOP/contrib/graph-example-drops.png"
fi
done_testing
