#!/usr/bin/env python3
"""Writes the Icinga Director basket for check_conntrack from the Icinga 2 CheckCommand.

The basket holds the CheckCommand "conntrack" with every argument of command-conntrack.conf, one
Director field (datafield) per variable the arguments use, and a service template "conntrack"
that runs the check on the host's agent. The command file is read by icinga2 itself
(`icinga2 daemon -C` dumps the objects it compiled), so the basket says exactly what Icinga 2
understands of the file; what a basket cannot express (a function as a value) stops the script.

    python3 contrib/icinga2/make-director-basket.py              # writes director-basket.json beside it
    python3 contrib/icinga2/make-director-basket.py --check      # exit 1 when the file is out of date
    python3 contrib/icinga2/make-director-basket.py --stdout     # prints it
    python3 contrib/icinga2/make-director-basket.py --compiled   # the commands as icinga2 compiles them
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
PLUGIN_DIR = "/usr/lib/nagios/plugins"  # Debian's; what a command line with sudo names

# Options whose value is a state (the command file describes them as "State when ..."):
# offered as a list, so a typo cannot reach the plugin.
STATE_OPTION = re.compile(r"^State when ")
STATE_LIST = "conntrack states"
STATES = ("ok", "warning", "critical", "unknown")

ICINGA2 = shutil.which("icinga2") or "/usr/sbin/icinga2"
DT = "Icinga\\Module\\Director\\DataType\\DataType"


def compiled_objects(conf):
    """The objects icinga2 compiles from CONF, as its objects file records them."""
    tmp = tempfile.mkdtemp(prefix="ctbasket.")
    try:
        main = os.path.join(tmp, "icinga2.conf")
        with open(main, "w") as f:
            f.write('const PluginDir = "%s"\n' % PLUGIN_DIR)
            f.write("include %s\n" % json.dumps(conf))
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        defs = ["-D%s=%s" % (k, tmp) for k in ("DataDir", "CacheDir", "LogDir", "SpoolDir",
                                               "InitRunDir", "ConfigDir")]
        defs += ["-DZonesDir=%s/zones.d" % tmp, "-DRunAsUser=" + user, "-DRunAsGroup=" + group]
        r = subprocess.run([ICINGA2, "daemon", "-C", "-c", main] + defs,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("icinga2 does not accept %s:\n%s" % (conf, r.stdout + r.stderr))
        return objects_file(os.path.join(tmp, "icinga2.debug"))
    finally:
        shutil.rmtree(tmp)


def block(text, start):
    """The text from the brace at START to its matching brace (strings skipped)."""
    depth, i, quote = 0, start, False
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    sys.exit("unbalanced braces after offset %d" % start)


class Source:
    """What the objects file does not keep: argument order, function bodies, imports."""

    def __init__(self, conf):
        self.text = open(conf).read()
        self.order = []
        self.functions = {}  # (option, key) -> the DSL between {{ and }}
        for m in re.finditer(r'^\s*"(--[a-z-]+)"\s*=\s*(?=\{)', self.text, re.M):
            opt = m.group(1)
            if opt not in self.order:
                self.order.append(opt)
            body = block(self.text, m.end())
            for f in re.finditer(r"\b(value|set_if)\s*=\s*\{\{(.*?)\}\}", body, re.S):
                key, dsl = (opt, f.group(1)), " ".join(f.group(2).split())
                if self.functions.setdefault(key, dsl) != dsl:
                    sys.exit("%s: two different %s functions for %s" % (conf, key[1], opt))

    def imports(self, name):
        m = re.search(r'^object CheckCommand "%s"\s*(?=\{)' % re.escape(name), self.text, re.M)
        if not m:
            return []
        return re.findall(r'^\s*import\s+"([^"]+)"', block(self.text, m.end()), re.M)


def is_function(v):
    return isinstance(v, dict) and v.get("type") == "Function"


def plain(value, where):
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    sys.exit("%s: %r cannot be expressed in a Director basket" % (where, value))


def variables(text):
    return re.findall(r"\$([A-Za-z0-9_]+)\$", text if isinstance(text, str) else "")


def caption(var):
    words = var[len("conntrack_"):].replace("_", " ") if var.startswith("conntrack_") else var
    return words[:1].upper() + words[1:]


def argument(opt, arg, src):
    """One argument as Director stores it; functions as Icinga DSL expressions."""
    if not isinstance(arg, dict):
        arg = {"value": arg}
    out = {}
    for key in ("value", "set_if", "skip_key", "required", "repeat_key", "order", "description"):
        if key not in arg:
            continue
        v = arg[key]
        if is_function(v) and key in ("value", "set_if"):
            dsl = src.functions.get((opt, key))
            if dsl is None:
                sys.exit("argument %s: its %s function was not found in the file" % (opt, key))
            if key == "value":
                out[key] = {"type": "Function", "body": dsl}
            else:
                out[key], out["set_if_format"] = dsl, "expression"
        else:
            out[key] = plain(v, "argument %s, %s" % (opt, key))
    unknown = set(arg) - set(out) - {"type"}
    if unknown:
        sys.exit("argument %s: %s cannot be expressed in a Director basket" % (opt, unknown))
    return out


def field(opt, out, var):
    """The Director field (datafield) for variable VAR of option OPT."""
    value = out.get("value")
    if isinstance(value, dict):
        value = value["body"]
    if "value" not in out and out.get("set_if") == "$%s$" % var:
        datatype, settings = DT + "Boolean", {}
    elif STATE_OPTION.match(out.get("description") or ""):
        datatype = DT + "Datalist"
        settings = {"behavior": "strict", "data_type": "string", "datalist": STATE_LIST}
    elif opt == "--timeout":
        datatype, settings = DT + "Number", {}
    else:
        datatype, settings = DT + "String", {}
    return {"varname": var, "caption": caption(var), "description": out.get("description"),
            "datatype": datatype, "format": None, "settings": settings, "category": None}


def director_command(command, where):
    """Director's command string: a relative plugin gets PluginDir; words before it (sudo) make
    the whole line absolute, with the plugin where Debian's packages put it."""
    if not isinstance(command, list) or not command or \
            os.path.basename(str(command[-1])) != PLUGIN:
        sys.exit("%s: command %r does not end in the plugin" % (where, command))
    words = [plain(w, where + " command") for w in command[:-1]]
    if not words:
        return PLUGIN
    if any(re.search(r"\s", w) for w in words):
        sys.exit("%s: a command word with a space cannot be expressed in Director" % where)
    return " ".join(words + [PLUGIN_DIR + "/" + PLUGIN])


def basket(conf):
    src = Source(conf)
    cmds = {o["name"]: o["properties"] for o in compiled_objects(conf)
            if o["type"] == "CheckCommand"}
    if COMMAND not in cmds:
        sys.exit("%s: no CheckCommand %r" % (conf, COMMAND))
    names = [COMMAND] + sorted(n for n in cmds if n != COMMAND)

    def shared(props):
        return {"arguments": props.get("arguments") or {}, "vars": props.get("vars") or {}}

    # Commands that import one template and differ only in their command line share it in
    # Director too, with the arguments, vars and fields.
    imports = {n: src.imports(n) for n in names}
    template = imports[COMMAND][0] if len(imports[COMMAND]) == 1 else None
    if template is None or any(imports[n] != [template] or shared(cmds[n]) != shared(cmds[COMMAND])
                               for n in names):
        template = None
    holders = [template] if template else names

    props = cmds[COMMAND]
    arguments, fields = {}, []
    for opt in sorted(props.get("arguments") or {},
                      key=lambda o: (src.order.index(o) if o in src.order else 999, o)):
        out = argument(opt, props["arguments"][opt], src)
        arguments[opt] = out
        value = out.get("value")
        text = (value["body"] if isinstance(value, dict) else value or "") + " " + \
            (out.get("set_if") or "")
        for var in variables(text):
            if var not in [f["varname"] for f in fields]:
                fields.append(field(opt, out, var))
    datafields, refs = {}, []
    for n, f in enumerate(fields, 1):
        datafields[str(n)] = dict(f, originalId=str(n))
        refs.append({"datafield_id": n, "is_required": "n", "var_filter": None})
    vars_ = {k: plain(v, "vars." + k) for k, v in sorted((props.get("vars") or {}).items())}
    body = {"arguments": arguments, "vars": vars_, "fields": refs}

    out = {"Command": {}, "ServiceTemplate": {}}
    if template:
        out["CommandTemplate"] = {template: dict(body, object_name=template,
                                                 object_type="template",
                                                 methods_execute="PluginCheck")}
    for n in names:
        cmd = {"object_name": n, "object_type": "object", "methods_execute": "PluginCheck",
               "command": director_command(cmds[n].get("command"), n)}
        cmd.update({"imports": [template]} if template else body)
        out["Command"][n] = cmd
        st = {"object_name": n, "object_type": "template", "check_command": n, "fields": []}
        if n == COMMAND:
            # The check measures the machine it runs on: on the host's agent, not the master.
            st["use_agent"] = True
        else:
            st["imports"] = [COMMAND]
        out["ServiceTemplate"][n] = st
    out["DataList"] = {STATE_LIST: {
        "list_name": STATE_LIST,
        "owner": "check_conntrack",
        "entries": [{"entry_name": s, "entry_value": s.upper(), "format": "string",
                     "allowed_roles": None} for s in STATES],
    }}
    out["Datafield"] = datafields
    return out


def compiled(objects, plugin_dir):
    """CheckCommands as icinga2 compiled them: command line (PLUGIN_DIR for the given plugin
    directory), arguments and vars; a function is "function", its body not being recorded."""
    def norm(v):
        if is_function(v):
            return "function"
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, str) and v.startswith(plugin_dir + "/"):
            return PLUGIN_DIR + v[len(plugin_dir):]
        return v
    return {o["name"]: norm({k: o["properties"].get(k) for k in ("command", "arguments", "vars")})
            for o in objects if o["type"] == "CheckCommand" and o["name"].startswith(COMMAND)}


def objects_file(path):
    data, objects, i = open(path, "rb").read(), [], 0
    while i < len(data):  # netstrings: LENGTH:JSON,
        colon = data.index(b":", i)
        n = int(data[i:colon])
        objects.append(json.loads(data[colon + 1:colon + 1 + n]))
        i = colon + 1 + n + 1
    return objects


def main():
    if "--compiled" in sys.argv:
        # --compiled [OBJECTS-FILE PLUGINDIR]: from another icinga2's objects file, else from
        # the command file.
        rest = sys.argv[sys.argv.index("--compiled") + 1:]
        objs = objects_file(rest[0]) if rest else compiled_objects(COMMAND_FILE)
        print(json.dumps(compiled(objs, rest[1] if rest else PLUGIN_DIR), indent=1,
                         sort_keys=True))
        return
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
