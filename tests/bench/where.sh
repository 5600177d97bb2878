#!/usr/bin/env bash
# Where one run of a command spends its system calls and page faults, by source: each system call
# (strace -k) and each page fault (perf record, DWARF call chains) goes to the innermost frame in
# the plugin's own code, named by its source file (nm -l on the debug build), or else to the
# process start (the kernel's exec, the dynamic loader) or to the libraries. Prints Markdown rows:
#   | source | system calls | page faults | which calls |
# Needs strace and perf; run as root.
#
#   where.sh PLUGIN [ARG...]    the command (PLUGIN is the plugin binary or another program)
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: where.sh PROGRAM [ARG...]" >&2; exit 2; }
prog=$(readlink -f "$(command -v "$1")")
work=$(mktemp -d /tmp/ctbench-where.XXXXXX)
trap 'rm -rf "$work"' EXIT
shift

# The program's own functions and their source files (static ones included).
nm -l --defined-only "$prog" 2>/dev/null |
	awk 'NF >= 4 && $2 ~ /^[tTwW]$/ { f = $4; sub(/:[0-9]+$/, "", f); print $3 "\t" f }' >"$work/map"
top=$(cd "$(dirname "$0")/../.." && pwd)

# Both recordings, turned into one form: "S <kind>" opens a sample, "F <dso> <symbol>" a frame.
strace -f -k -qq -o "$work/st" "$prog" "$@" >/dev/null 2>&1
awk '/^[0-9]* *[a-z_0-9]+\(/ { sub(/^[0-9]+ +/, ""); n = $0; sub(/\(.*/, "", n); print "S " n; next }
	/^ > / { d = $2; s = d; sub(/\(.*/, "", d); sub(/^[^(]*\(/, "", s); sub(/[+)].*/, "", s)
		print "F " d " " (s == "" ? "?" : s) }' "$work/st" >"$work/st.norm"
perf record -q -e page-faults -c 1 --call-graph=dwarf -o "$work/pf" "$prog" "$@" >/dev/null 2>&1
perf script -i "$work/pf" -F ip,sym,dso 2>/dev/null |
	awk 'NF == 0 { open = 0; next }
	{ if (!open) { print "S fault"; open = 1 }
	  d = $NF; gsub(/[()]/, "", d); s = (NF >= 3 ? $2 : "?"); print "F " d " " s }' >"$work/pf.norm"

classify() { # a normalized recording on stdin: "category<TAB>kind" per sample
	awk -v prog="$prog" -v top="$top/" -v map="$work/map" '
	BEGIN { while ((getline l < map) > 0) { split(l, a, "\t"); file[a[1]] = a[2] } }
	function flush() {
		if (kind == "") return
		if (own != "") cat = own
		else if (exec) cat = "process start: the kernel loading the binary (execve)"
		else if (ld) cat = "process start: the dynamic loader (ld.so)"
		else if (lib != "") cat = "libraries, no caller of ours: " lib
		else if (sym0 == "_start") cat = "process exit (_start)"
		else cat = "the kernel, no user frame (exec, exit)"
		print cat "\t" kind
	}
	$1 == "S" { flush(); kind = $2; own = ""; exec = 0; ld = 0; lib = ""; sym0 = ""; next }
	$1 == "F" {
		if (own != "") next
		if ($2 == prog && $3 == "_start") {
			sym0 = "_start"
		} else if ($2 == prog || ($2 == "inlined" && ($3 in file))) {
			f = ($3 in file) ? file[$3] : "?"
			sub("^" top, "", f)
			own = f (f == "?" ? " (" $3 ")" : "")
		} else if ($2 ~ /kallsyms/) {
			if ($3 ~ /execve|load_elf_binary/) exec = 1
		} else if ($2 ~ /ld-linux/) {
			ld = 1
		} else if (lib == "" && $2 !~ /unknown/) {
			lib = $2; sub(/.*\//, "", lib)
		}
	}
	END { flush() }'
}
classify <"$work/st.norm" >"$work/st.cat"
classify <"$work/pf.norm" >"$work/pf.cat"
awk -F'\t' 'FNR == 1 { f++ }
	f == 1 { sc[$1]++; k[$1 SUBSEP $2]++; cats[$1] = 1; ts++ }
	f == 2 { pf[$1]++; cats[$1] = 1; tp++ }
	END {
		for (c in cats) {
			kinds = ""; n = 0
			# the calls of this source, most frequent first
			for (i = 0; i < 6; i++) {
				best = ""; bv = 0
				for (x in k) { split(x, p, SUBSEP); if (p[1] == c && k[x] > bv) { bv = k[x]; best = x } }
				if (best == "") break
				split(best, p, SUBSEP); kinds = kinds (kinds == "" ? "" : ", ") p[2] " " bv; delete k[best]
			}
			printf "| %s | %d | %d | %s |\n", c, sc[c], pf[c], kinds
		}
		printf "| total | %d | %d | |\n", ts, tp > "/dev/stderr"
	}' "$work/st.cat" "$work/pf.cat" 2>"$work/total" | sort -t'|' -k3,3nr -k4,4nr
cat "$work/total"
