#!/usr/bin/env bash
# The plugin's structure: modules (a header and the files behind it) include and call each other
# without a circle, so that no module reaches back up into the one that calls it; common/ knows
# nothing of the plugin; the -v trace is a leaf; every module has its own header; snapshot.h and
# config.h hold data types only; no file includes a .c file. The include graph comes from the
# #include lines, the call graph from the symbols of the built objects (nm).
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
P=plugins/check_conntrack.d

# The module a file belongs to: its name, but for the modules of several files.
module_of() { # PATH
	case ${1##*/} in
	check_conntrack.c) echo main ;;
	counters.[ch] | statfile.c | ctnetlink.c) echo counters ;;
	rules_collect.[ch]) echo rules_collect ;;
	rules.[ch] | rules_*.[ch]) echo rules ;;
	evaluate.[ch] | eval_*.c | parts.h) echo evaluate ;;
	output.h | perfdata.h | thresholds.h | states.h | mpapi.h | mp_*.c) echo mpapi ;;
	mp.h | range.c | output.c | states.c | timeout.c | extraopts.c | readfile.c) echo mp ;;
	*) basename "${1%.[ch]}" ;;
	esac
}

sources=$(ls plugins/check_conntrack.c $P/*.[ch] common/*.[ch])

# Every local include as "from to" at module level, self-includes left out.
edges() {
	for f in $sources; do
		from=$(module_of "$f")
		sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
			to=$(module_of "$h")
			[ "$from" != "$to" ] && echo "$from $to"
		done
	done | sort -u
}

# A circle in a graph of "from to" lines, as tsort reports it, or nothing.
loops() {
	tsort 2>&1 >/dev/null | sed -n 's/^tsort: \([^ ]*\)$/\1/p' | tr '\n' ' '
}

inc=$(edges)
n=$(printf '%s\n' "$inc" | grep -c .)
ok $((n < 20)) "the include graph is read: $n edges between modules"
is "$(printf '%s\n' "$inc" | loops)" "" "no include circle between modules"
printf '%s\n' "$inc" | tsort | tac | tr '\n' ' ' | fold -s -w 90 | sed 's/^/# bottom up: /; $a\\'

# common/ is plugin-agnostic: it includes no header of the plugin's.
up=$(grep -l '#include "' common/*.[ch] | while read -r f; do
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
		[ -e "common/$h" ] || echo "$f includes $h"
	done
done)
is "$up" "" "common/ includes nothing of the plugin"

# The trace is a leaf: its files include only its own header and common/'s.
leaf=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' $P/trace.c $P/trace.h | sort -u |
	while read -r h; do [ "$h" = trace.h ] || [ -e "common/$h" ] || echo "$h"; done)
is "$leaf" "" "trace.c and trace.h include nothing of the plugin's but trace.h"

# Every module of the plugin has a header of its own.
missing=$(for f in $P/*.c; do
	m=$(module_of "$f")
	[ -e "$P/$m.h" ] || echo "$f ($m.h)"
done)
is "$missing" "" "every module has its own header"

# snapshot.h and config.h hold data types: no function declared there (inline helpers aside).
decl=$(grep -nE '^[a-z][a-z_ *]+[ *](ct|mp)_[a-z_0-9]+\(' $P/snapshot.h $P/config.h | grep -v 'static inline')
is "$decl" "" "snapshot.h and config.h declare no function"

# No source, test or fuzz target includes a .c file (the fuzz targets call the modules).
is "$(grep -rlE '^#include "[^"]*\.c"' plugins common tests 2>/dev/null)" "" "no file includes a .c file"

# The call graph: which module's object calls which module's functions.
make -s libcheck.a plugins/check_conntrack.o >/dev/null 2>&1
calls=$(nm -A libcheck.a plugins/check_conntrack.o 2>/dev/null | awk '
	{ split($1, p, ":"); obj = p[length(p) - 1]; sub(/^.*\//, "", obj) }
	$2 ~ /^[TDBR]$/ { def[$3] = obj }
	$1 ~ /:$/ && $2 == "U" { use[++n] = obj " " $3 }
	END { for (i = 1; i <= n; i++) { split(use[i], u, " "); if (u[2] in def) print u[1], def[u[2]] } }' |
	sort -u | while read -r a b; do
	ma=$(module_of "${a%.o}.c") mb=$(module_of "${b%.o}.c")
	[ "$ma" != "$mb" ] && echo "$ma $mb"
done | sort -u)
n=$(printf '%s\n' "$calls" | grep -c .)
ok $((n < 20)) "the call graph is read: $n edges between modules"
is "$(printf '%s\n' "$calls" | loops)" "" "no call circle between modules: none calls back up into its caller"
# common/'s modules: what the plugin's may call at any level.
is "$(printf '%s\n' "$calls" | awk '$1 == "trace" && $2 !~ /^(mp|mpapi|retention_store)$/')" "" \
	"the trace calls no other module of the plugin"
done_testing
