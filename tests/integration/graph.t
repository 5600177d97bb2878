#!/usr/bin/env bash
# Graphing: a recorded series of real runs (tests/data/series/fill.txt: a table filling up,
# then drops) goes into RRDs the way PNP4Nagios stores it and is drawn with the contrib
# PNP4Nagios template; the pictures must be PNGs of a sensible size.
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
pngs=$("$TOP/tests/data/series/render.sh" "$S" "$T" 2>"$T/err")
ok $? "render.sh: RRDs, the PNP4Nagios template, rrdtool graph $(head -c 300 "$T/err")"
is "$(printf '%s\n' "$pngs" | wc -l | tr -d ' ')" 3 "the template defines 3 graphs (entries, utilization, drops)"
for png in $pngs; do
	magic=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
	is "$magic" 89504e470d0a1a0a "$(basename "$png") is a PNG"
	w=$((16#$(od -An -tx1 -j16 -N4 "$png" | tr -d ' \n')))
	h=$((16#$(od -An -tx1 -j20 -N4 "$png" | tr -d ' \n')))
	sz=$(stat -c %s "$png")
	ok $((w >= 640 && w <= 1200 && h >= 200 && h <= 600 && sz > 5000 ? 0 : 1)) "$(basename "$png"): ${w}x${h}, $sz bytes"
done
if [ -n "${UPDATE_GRAPH:-}" ]; then
	cp "$T/check_conntrack-1.png" "$TOP/contrib/graph-example.png"
	cp "$T/check_conntrack-3.png" "$TOP/contrib/graph-example-drops.png"
fi
done_testing
