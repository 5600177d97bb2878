#!/usr/bin/env python3
"""Writes the Grafana dashboards for check_conntrack (InfluxDB and Graphite) as JSON."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def influx(sel, metric, alias):
    return {
        "refId": alias,
        "rawQuery": True,
        "resultFormat": "time_series",
        "alias": alias,
        "query": f'SELECT {sel} FROM "conntrack" WHERE "hostname" =~ /^$hostname$/ '
        f"AND \"metric\" = '{metric}' AND $timeFilter "
        "GROUP BY time($__interval), \"hostname\" fill(null)",
    }


def graphite(path, alias, rate=False):
    t = f"icinga2.$hostname.services.*.conntrack.perfdata.{path}"
    if rate:
        t = f"perSecond({t})"
    return {"refId": alias, "target": f"alias({t}, '{alias}')"}


def panel(pid, title, unit, targets, y, ds, lines=()):
    overrides = [
        {"matcher": {"id": "byName", "options": name},
         "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}},
                        {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                        {"id": "custom.fillOpacity", "value": 0}]}
        for name, color in lines
    ]
    return {
        "id": pid, "type": "timeseries", "title": title, "datasource": ds,
        "gridPos": {"h": 9, "w": 24, "x": 0, "y": y},
        "fieldConfig": {"defaults": {"unit": unit, "min": 0,
                                     "custom": {"fillOpacity": 15, "spanNulls": True}},
                        "overrides": overrides},
        "targets": targets,
    }


LINES = (("warning", "orange"), ("critical", "red"), ("limit", "black"))


def dashboard(kind):
    ds = {"type": kind, "uid": "${datasource}"}
    if kind == "influxdb":
        q, host_q = influx, 'SHOW TAG VALUES FROM "conntrack" WITH KEY = "hostname"'
        ent = [q('mean("value")', "entries", "entries"), q('mean("warn")', "entries", "warning"),
               q('mean("crit")', "entries", "critical"), q('mean("max")', "entries", "limit")]
        util = [q('mean("value")', "utilization", "utilization"),
                q('mean("warn")', "utilization", "warning"),
                q('mean("crit")', "utilization", "critical")]
        drops = [q('non_negative_derivative(mean("value"), 1s)', c, c)
                 for c in ("drop", "early_drop", "insert_failed")]
    else:
        q, host_q = graphite, "icinga2.*"
        ent = [q("entries.value", "entries"), q("entries.warn", "warning"),
               q("entries.crit", "critical"), q("entries.max", "limit")]
        util = [q("utilization.value", "utilization"), q("utilization.warn", "warning"),
                q("utilization.crit", "critical")]
        drops = [q(f"{c}.value", c, rate=True) for c in ("drop", "early_drop", "insert_failed")]
    return {
        "title": f"Conntrack (check_conntrack, Icinga 2 {kind})",
        "uid": f"check-conntrack-{kind}",
        "tags": ["icinga2", "conntrack"],
        "schemaVersion": 38,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "1m",
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": kind, "label": "Data source"},
            {"name": "hostname", "type": "query", "datasource": ds, "query": host_q,
             "refresh": 2, "multi": True, "includeAll": True, "label": "Host"},
        ]},
        "panels": [
            panel(1, "Entries against the limit", "short", ent, 0, ds, LINES),
            panel(2, "Utilization", "percent", util, 9, ds, LINES[:2]),
            panel(3, "Drops (table full or insert clashes), early drops, failed inserts per second", "pps",
                  drops, 18, ds),
        ],
    }


for kind in ("influxdb", "graphite"):
    with open(os.path.join(HERE, f"check_conntrack-{kind}.json"), "w") as f:
        json.dump(dashboard(kind), f, indent=2)
        f.write("\n")
