# Helpers for the host-settings guard (sourced after tests/lib/tap.sh): tests/hostguard/begin.t
# runs first in `make check`, tests/hostguard/end.t last; $HOSTGUARD is their shared directory.

# need_guard_dir: the directory `make check` made for this run, or a skip with the reason.
need_guard_dir() {
	G=${HOSTGUARD:-}
	if [ -z "$G" ] || [ ! -d "$G" ] || [ -L "$G" ] || [ ! -O "$G" ]; then
		echo "1..0 # SKIP HOSTGUARD is not a directory of ours (make check makes one per run)"
		exit 0
	fi
}

# rules_snapshot: the root namespace's firewall as text, without counters (traffic moves them):
# the nftables ruleset (iptables-nft rules included) and every iptables-legacy table that exists.
# Only tables already listed are read: asking for one by name would create it.
rules_snapshot() {
	local f t
	echo "# nftables"
	nft list ruleset 2>&1 | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'
	for f in /proc/net/ip_tables_names /proc/net/ip6_tables_names; do
		[ -r "$f" ] || continue
		for t in $(sort "$f"); do
			echo "# $f: $t"
			case $f in
			*ip6*) ip6tables-legacy-save -t "$t" 2>&1 ;;
			*) iptables-legacy-save -t "$t" 2>&1 ;;
			esac | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]/[]/'
		done
	done
}

# state_names: the files in the plugin's default state directories on this host (every user's,
# as far as this user may look), by name: suites keep their state in directories of their own,
# so a name that appears during `make check` is a suite's run that used the host's. Names only:
# a real scheduled check may rewrite its own files meanwhile, and that is no suite's doing.
state_names() {
	find /run/monitoring-plugins /dev/shm/monitoring-plugins-* "${HOME:-/root}/.local/state/monitoring-plugins" \
		-mindepth 1 2>/dev/null | LC_ALL=C sort
}
