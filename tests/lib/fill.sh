# Full tables without touching the host (sourced after tests/lib/tap.sh by suites that passed
# need_root_kernel). nf_conntrack_max is global and only read here: each namespace's count is
# held against it on its own, so a table is filled to the real limit in a namespace of the suite,
# never by lowering the limit, which would drop connections on the whole host.
MAXFILE=/proc/sys/net/netfilter/nf_conntrack_max
MAX=$(cat $MAXFILE)
# The default thresholds (80%, 90%) in entries, rounded down as the plugin rounds them.
WARN_AT=$((MAX * 8 / 10))
CRIT_AT=$((MAX * 9 / 10))
declare -A _fill_next

# build_fill DIR: tests/bench/fill.c built as DIR/fill ($FILL).
build_fill() {
	FILL=$1/fill
	cc -std=c11 -D_GNU_SOURCE -O2 -o "$FILL" "$TOP/tests/bench/fill.c" \
		$(pkg-config --cflags --libs libmnl)
}

# ct_count NS: the entries of namespace NS.
ct_count() { ip netns exec "$1" cat /proc/sys/net/netfilter/nf_conntrack_count; }

# ct_stat NS NAME: a column of NS's /proc/net/stat/nf_conntrack (drop, early_drop...), summed
# over the CPUs.
ct_stat() {
	local i c=-1 s=0 f
	{
		read -ra f
		for i in "${!f[@]}"; do [ "${f[i]}" = "$2" ] && c=$i; done
		[ "$c" -ge 0 ] || return 1
		while read -ra f; do s=$((s + 16#${f[c]})); done
	} < <(ip netns exec "$1" cat /proc/net/stat/nf_conntrack)
	echo "$s"
}

# fill_assured NS N: N more entries in NS that the kernel never evicts to make room (assured,
# made over ctnetlink, an hour to live). Sets $refused (how many a full table refused) and
# $fill_s (seconds taken).
fill_assured() {
	local first=${_fill_next[$1]:-0} t0
	t0=$(date +%s%N)
	refused=$(ip netns exec "$1" "$FILL" -a "$first" "$2")
	fill_s=$(awk -v ns=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.2f", ns / 1e9 }')
	_fill_next[$1]=$((first + $2))
}

# fill_to_limit NS [OVER]: assured entries until NS holds $MAX, then OVER more (default 100) that
# the kernel must refuse. Sets $refused and $fill_s as fill_assured.
fill_to_limit() {
	fill_assured "$1" $((MAX - $(ct_count "$1") + ${2:-100}))
}

# new_flows NS FIRST N: N new UDP flows from NS (one datagram each; in a full table of assured
# entries every one is dropped). Sets $refused: how many sends netfilter refused.
new_flows() {
	refused=$(ip netns exec "$1" "$FILL" "$2" "$3")
}
