<?php
/*
 * PNP4Nagios template for check_conntrack: entries against the limit with the warning and
 * critical lines, utilization, and the kernel's drop counters as rates.
 *
 * Install: copy to pnp4nagios/templates/check_conntrack.php (the name must match the
 * command name, or link check_nrpe_conntrack.php etc. to it). It finds the data sources by
 * label, so it works whatever counters the kernel reports and in either RRD_STORAGE_TYPE.
 *
 * The kernel counters carry the unit "c": PNP4Nagios (0.6.10 on, UOM2TYPE in
 * process_perfdata.cfg) stores them as DERIVE with the minimum 0, so their RRDs already hold
 * packets per second, and a counter that went back (a reboot) is stored as unknown rather
 * than as a negative rate. Entries and utilization are GAUGE. Keep PNP's default there: a
 * check_commands/*.cfg DATATYPE or another UOM2TYPE for "c" would need another template.
 */

$ds = array();
foreach ($NAME as $i => $n) {
	$ds[$n] = $i;
}

function ct_def($ds, $RRDFILE, $DS, $label, $vname)
{
	$i = $ds[$label];
	return "DEF:$vname=" . $RRDFILE[$i] . ":" . $DS[$i] . ":AVERAGE ";
}

$g = 0;
if (isset($ds['entries'])) {
	$i = $ds['entries'];
	$g++;
	$ds_name[$g] = "entries";
	$opt[$g] = "--vertical-label \"entries\" -l 0 --title \"Conntrack entries on $hostname\" ";
	$def[$g] = ct_def($ds, $RRDFILE, $DS, 'entries', 'entries');
	$def[$g] .= "AREA:entries#3C8DBC80:\"entries   \" ";
	$def[$g] .= "LINE1:entries#1F5F8B ";
	$def[$g] .= "GPRINT:entries:LAST:\"last %8.0lf\" ";
	$def[$g] .= "GPRINT:entries:MAX:\"max %8.0lf\\n\" ";
	if ($WARN[$i] != "") {
		$def[$g] .= "HRULE:" . $WARN[$i] . "#FFA500:\"warning   " . $WARN[$i] . "\\n\" ";
	}
	if ($CRIT[$i] != "") {
		$def[$g] .= "HRULE:" . $CRIT[$i] . "#FF0000:\"critical  " . $CRIT[$i] . "\\n\" ";
	}
	if ($MAX[$i] != "") {
		$def[$g] .= "HRULE:" . $MAX[$i] . "#000000:\"limit     " . $MAX[$i] . " (nf_conntrack_max)\\n\":dashes ";
	}
}

if (isset($ds['utilization'])) {
	$i = $ds['utilization'];
	$g++;
	$ds_name[$g] = "utilization";
	$opt[$g] = "--vertical-label \"%\" -l 0 -u 100 --rigid --title \"Conntrack utilization on $hostname\" ";
	$def[$g] = ct_def($ds, $RRDFILE, $DS, 'utilization', 'util');
	$def[$g] .= "AREA:util#6AA84F80:\"utilization\" ";
	$def[$g] .= "LINE1:util#38761D ";
	$def[$g] .= "GPRINT:util:LAST:\"last %5.1lf%%\" ";
	$def[$g] .= "GPRINT:util:MAX:\"max %5.1lf%%\\n\" ";
	if ($WARN[$i] != "") {
		$def[$g] .= "HRULE:" . $WARN[$i] . "#FFA500:\"warning  " . $WARN[$i] . "%%\\n\" ";
	}
	if ($CRIT[$i] != "") {
		$def[$g] .= "HRULE:" . $CRIT[$i] . "#FF0000:\"critical " . $CRIT[$i] . "%%\\n\" ";
	}
}

/*
 * Drops: the rate as stored, its maximum, and how many there were in the period shown (the
 * rate summed over each step: rrdtool's TOTAL).
 */
$rates = array('drop' => '#CC0000', 'early_drop' => '#E69138', 'insert_failed' => '#674EA7');
$have = array_intersect(array_keys($rates), array_keys($ds));
if (count($have) > 0) {
	$g++;
	$ds_name[$g] = "drops";
	$opt[$g] = "--vertical-label \"packets/s\" -l 0 --title \"Conntrack drops on $hostname\" ";
	$def[$g] = "";
	foreach ($have as $label) {
		$def[$g] .= ct_def($ds, $RRDFILE, $DS, $label, $label);
		$def[$g] .= "VDEF:{$label}_total=$label,TOTAL ";
		$def[$g] .= "LINE2:$label" . $rates[$label] . ":\"" . sprintf("%-14s", $label) . "\" ";
		$def[$g] .= "GPRINT:$label:MAX:\"max %8.2lf/s\" ";
		$def[$g] .= "GPRINT:{$label}_total:\"total %10.0lf\\n\" ";
	}
}
?>
