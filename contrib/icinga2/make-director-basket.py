#!/usr/bin/env python3
"""Writes the Icinga Director basket for check_conntrack from the Icinga 2 CheckCommand.

The basket holds the CheckCommand "conntrack" with every argument of command-conntrack.conf, one
Director field (datafield) per variable the arguments use, and a service template "conntrack"
that runs the check on the host's agent. The command file is read by icinga2 itself
(`icinga2 daemon -C` dumps the objects it compiled), so the basket says exactly what Icinga 2
understands of the file; what a basket cannot express (a function as a value) stops the script.

    contrib/icinga2/make-director-basket.py              # writes director-basket.json beside it
    contrib/icinga2/make-director-basket.py --check      # exit 1 when the file is out of date
    contrib/icinga2/make-director-basket.py --stdout     # prints it
"""
import grp
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND_FILE = os.path.join(HERE, "command-conntrack.conf")
BASKET_FILE = os.path.join(HERE, "director-basket.json")
COMMAND = "conntrack"
PLUGIN = "check_conntrack"

# Options whose value is a state: offered as a list, so a typo cannot reach the plugin.
STATE_OPTIONS = ("--missing", "--state-rules", "--persistence")
STATE_LIST = "conntrack states"
STATES = ("ok", "warning", "critical", "unknown")

DT = "Icinga\\Module\\Director\\DataType\\DataType"


def compiled_objects(conf):
    """The objects icinga2 compiles from CONF, as its objects file records them."""
    tmp = tempfile.mkdtemp(prefix="ctbasket.")
    try:
        main = os.path.join(tmp, "icinga2.conf")
        with open(main, "w") as f:
            f.write('const PluginDir = "/usr/lib/nagios/plugins"\n')
            f.write("include %s\n" % json.dumps(conf))
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        defs = ["-D%s=%s" % (k, tmp) for k in ("DataDir", "CacheDir", "LogDir", "SpoolDir",
                                               "InitRunDir", "ConfigDir")]
        defs += ["-DZonesDir=%s/zones.d" % tmp, "-DRunAsUser=" + user, "-DRunAsGroup=" + group]
        r = subprocess.run(["icinga2", "daemon", "-C", "-c", main] + defs,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("icinga2 does not accept %s:\n%s" % (conf, r.stdout + r.stderr))
        data = open(os.path.join(tmp, "icinga2.debug"), "rb").read()
    finally:
        shutil.rmtree(tmp)
    objects, i = [], 0
    while i < len(data):  # netstrings: LENGTH:JSON,
        colon = data.index(b":", i)
        n = int(data[i:colon])
        objects.append(json.loads(data[colon + 1:colon + 1 + n]))
        i = colon + 1 + n + 1
    return objects


def source_order(conf):
    """The arguments in the order the file lists them (the objects file sorts them)."""
    return re.findall(r'^\s*"(--[a-z-]+)"\s*=\s*\{', open(conf).read(), re.M)


def plain(value, where):
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    sys.exit("%s: %r cannot be expressed in a Director basket" % (where, value))


def variables(text):
    return re.findall(r"\$([A-Za-z0-9_]+)\$", text if isinstance(text, str) else "")


def caption(var):
    words = var[len("conntrack_"):].replace("_", " ") if var.startswith("conntrack_") else var
    return words[:1].upper() + words[1:]


def basket(conf):
    cmd = [o for o in compiled_objects(conf)
           if o["type"] == "CheckCommand" and o["name"] == COMMAND]
    if len(cmd) != 1:
        sys.exit("%s: no CheckCommand %r" % (conf, COMMAND))
    props = cmd[0]["properties"]
    command = props["command"]
    if not isinstance(command, list) or not command or \
            os.path.basename(str(command[-1])) != PLUGIN:
        sys.exit("%s: command %r does not end in the plugin" % (conf, command))
    # Director prefixes PluginDir to a relative path; words before the plugin stay as they are.
    words = [plain(w, "command") for w in command[:-1]] + [PLUGIN]

    order = source_order(conf)
    arguments, fields = {}, []
    for opt in sorted(props["arguments"], key=lambda o: (order.index(o) if o in order else 999, o)):
        arg = props["arguments"][opt]
        if not isinstance(arg, dict):
            arg = {"value": arg}
        out = {}
        for key in ("value", "set_if", "skip_key", "required", "repeat_key", "order",
                    "description"):
            if key in arg:
                out[key] = plain(arg[key], "argument %s, %s" % (opt, key))
        unknown = set(arg) - set(out) - {"type"}
        if unknown:
            sys.exit("argument %s: %s cannot be expressed in a Director basket" % (opt, unknown))
        arguments[opt] = out
        for var in variables(out.get("value")) + variables(out.get("set_if")):
            if var in [f["varname"] for f in fields]:
                continue
            if "set_if" in out:
                datatype, settings = DT + "Boolean", {}
            elif opt in STATE_OPTIONS:
                datatype = DT + "Datalist"
                settings = {"behavior": "strict", "data_type": "string", "datalist": STATE_LIST}
            elif opt == "--timeout":
                datatype, settings = DT + "Number", {}
            else:
                datatype, settings = DT + "String", {}
            fields.append({"varname": var, "caption": caption(var),
                           "description": out.get("description"), "datatype": datatype,
                           "format": None, "settings": settings, "category": None})

    datafields, refs = {}, []
    for n, f in enumerate(fields, 1):
        datafields[str(n)] = dict(f, originalId=str(n))
        refs.append({"datafield_id": n, "is_required": "n", "var_filter": None})
    vars_ = {k: plain(v, "vars." + k) for k, v in sorted((props.get("vars") or {}).items())}
    return {
        "Command": {COMMAND: {
            "object_name": COMMAND,
            "object_type": "object",
            "methods_execute": "PluginCheck",
            "command": " ".join(words),
            "arguments": arguments,
            "vars": vars_,
            "fields": refs,
        }},
        "ServiceTemplate": {COMMAND: {
            "object_name": COMMAND,
            "object_type": "template",
            "check_command": COMMAND,
            # The check measures the machine it runs on: on the host's agent, not the master.
            "use_agent": True,
            "fields": [],
        }},
        "DataList": {STATE_LIST: {
            "list_name": STATE_LIST,
            "owner": "check_conntrack",
            "entries": [{"entry_name": s, "entry_value": s.upper(), "format": "string",
                         "allowed_roles": None} for s in STATES],
        }},
        "Datafield": datafields,
    }


def main():
    text = json.dumps(basket(COMMAND_FILE), indent=4, sort_keys=True) + "\n"
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    elif "--check" in sys.argv:
        if not os.path.exists(BASKET_FILE) or open(BASKET_FILE).read() != text:
            sys.exit("%s is not what %s makes of %s: run it" % (
                os.path.basename(BASKET_FILE), os.path.basename(__file__),
                os.path.basename(COMMAND_FILE)))
    else:
        with open(BASKET_FILE, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
