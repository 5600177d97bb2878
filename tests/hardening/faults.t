#!/bin/bash
# Fault injection: broken proc files, a blocking proc file and -t, spoiled netlink replies (an
# LD_PRELOAD recvmsg shim), broken state files and directories, and 200 concurrent runs on one
# state directory. Every case checks the exit code and that the status line is one clear line.
. "$(dirname "$0")/../lib/tap.sh"
T=$FIX/trees
work=$(mktemp -d)
chmod 755 "$work"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	mountpoint -q "$work/full" && umount "$work/full"
	mountpoint -q "$work/ro" && umount "$work/ro"
	rm -rf "$work"
}
trap cleanup EXIT
root=false
[ "$(id -u)" -eq 0 ] && root=true

# A fresh copy of the modern fixture tree (8500 of 10000, stat file counters).
tree() {
	rm -rf "$work/t"
	cp -r "$T/modern" "$work/t"
	P=$work/t/proc
	N=$P/sys/net/netfilter
}
# one_line NAME: the status line is "CONNTRACK STATE - ..." and says something after the dash.
one_line() {
	like "$first" '^CONNTRACK (OK|WARNING|CRITICAL|UNKNOWN) - [^ ].{8,}' "$1: one clear status line"
}

# Signals raised and reallocations counted from inside the plugin.
shim=$work/procshim.so
cc -shared -fPIC -o "$shim" "$TOP/tests/hardening/procshim.c" -ldl
ok $? "process shim builds"

# --- arguments ------------------------------------------------------------------------------
huge=2$(printf '%050d' 0)
run -w "$huge:"
is "$rc" 3 "a 51-digit range start: UNKNOWN"
like "$first" "is too large \(at most 1e15\)" "a 51-digit range start: too large (perfdata would mangle it)"
one_line "huge range"

mkfifo "$work/ini.fifo"
start=$(date +%s)
out=$(timeout 20 "$PLUGIN" --extra-opts=@"$work/ini.fifo" -t 1 2>&1)
rc=$?
first=${out%%$'\n'*}
is "$rc" 3 "extra-opts file is a FIFO: UNKNOWN at once, not waited for"
like "$first" "extra-opts: cannot read .*ini.fifo: not a regular file" "extra-opts FIFO: says so"
ok $(($(date +%s) - start > 3)) "extra-opts FIFO: no hang"
run --extra-opts=@/dev/zero
is "$rc" 3 "extra-opts file is /dev/zero: UNKNOWN"
one_line "extra-opts /dev/zero"

# 200,000 ini lines: the argument list grows in powers of two, not by one realloc per line.
tree
{
	echo '[check_conntrack]'
	yes 'w=90' | head -n 200000
} >"$work/big.ini"
CT_PROCSHIM_REALLOCS=$work/reallocs LD_PRELOAD=$shim "$PLUGIN" --extra-opts=@"$work/big.ini" \
	--procfs="$P" --state-dir="$work/bigstate" >"$work/big.out" 2>&1
is "$?" 1 "200,000 ini lines: the check runs (WARNING)"
n=$(cat "$work/reallocs" 2>/dev/null)
ok $((${n:-999999} > 1000)) "200,000 ini lines: ${n:-?} reallocations, not one per line"

# --- proc files -----------------------------------------------------------------------------
tree
printf 'x7\n' >"$N/nf_conntrack_count"
run --procfs="$P"
is "$rc" 3 "garbage count: UNKNOWN"
like "$first" "nf_conntrack_count does not hold a number \(garbage\)" "garbage count: says so"
one_line "garbage count"

tree
: >"$N/nf_conntrack_count"
run --procfs="$P"
is "$rc" 3 "empty count: UNKNOWN"
like "$first" "nf_conntrack_count does not hold a number \(empty\)" "empty count: says so"

tree
echo 99999999999999999999999 >"$N/nf_conntrack_max"
run --procfs="$P"
is "$rc" 3 "huge limit: UNKNOWN"
like "$first" "nf_conntrack_max holds a number too large" "huge limit: says so"

tree
echo -5 >"$N/nf_conntrack_max"
run --procfs="$P"
is "$rc" 3 "negative limit: UNKNOWN"
like "$first" "nf_conntrack_max does not hold a number" "negative limit: says so"

tree
head -c 4096 /dev/zero | tr '\0' 7 >"$N/nf_conntrack_count"
run --procfs="$P"
is "$rc" 3 "4 KiB of digits: UNKNOWN"
like "$first" "not a number \(too long\)" "4 KiB of digits: too long"

tree
printf 'garbage\x01\x02\n' >"$P/net/stat/nf_conntrack"
run --procfs="$P" -v
is "$rc" 1 "garbage stat file: the utilization check still answers (WARNING)"
like "$out" "counters: stat file has no header line" "garbage stat file: -v says why there are no counters"
one_line "garbage stat file"

tree
rm "$N/nf_conntrack_max"
ln -s "$work/vanished" "$N/nf_conntrack_max"
run --procfs="$P"
is "$rc" 3 "vanished limit (dangling link): UNKNOWN"
like "$first" "entries are counted but no limit file was found" "vanished limit: says the limit file is gone"
one_line "vanished limit"

# Unreadable: root reads anything, so run as nobody then.
tree
chmod 000 "$N/nf_conntrack_count"
chmod -R a+rX "$work/t"
chmod 000 "$N/nf_conntrack_count"
if $root; then
	# A state directory nobody may use: else its run falls back to nobody's default places.
	install -d -o nobody -g nogroup -m 700 "$work/nobody-state"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PLUGIN" --procfs="$P" --state-dir="$work/nobody-state" 2>&1)
	rc=$?
	first=${out%%$'\n'*}
else
	run --procfs="$P"
fi
is "$rc" 3 "unreadable count: UNKNOWN"
like "$first" "nf_conntrack_count.*Permission denied" "unreadable count: permission denied"
one_line "unreadable count"

# A proc file that blocks: the -t alarm must end the run.
tree
rm "$N/nf_conntrack_count"
mkfifo "$N/nf_conntrack_count"
start=$(date +%s)
run --procfs="$P" -t 1
took=$(($(date +%s) - start))
is "$rc" 3 "FIFO count, -t 1: UNKNOWN"
like "$first" "^CONNTRACK UNKNOWN - plugin timed out after 1 seconds" "FIFO count: timed out"
ok $((took > 3)) "FIFO count: ended within 3 s (took $took s)"

# --- the end of a run: -t over the answer, closed fds, signals -------------------------------
# stdout a pipe that is full and never read: -t covers writing the answer, and the timeout line
# itself does not wait for room either.
tree
mkdir -m 700 "$work/end"
{
	head -c 65536 /dev/zero
	s=$(date +%s%N)
	"$PLUGIN" --procfs="$P" --state-dir="$work/end" -t 1
	rc=$?
	echo "$rc $((($(date +%s%N) - s) / 1000000))" >"$work/fullpipe"
} | sleep 4
read -r rc ms <"$work/fullpipe"
is "$rc" 3 "stdout a full pipe, -t 1: UNKNOWN"
ok $((${ms:-99999} > 2500)) "stdout a full pipe, -t 1: over within 2.5 s (took ${ms:-?} ms)"

# Closed fds: nothing the plugin opens becomes stdout, and an answer that cannot be written is
# not a verdict.
"$PLUGIN" --procfs="$P" --state-dir="$work/end" >&-
is "$?" 3 "stdout closed: exit 3, the answer could not be written"
out=$("$PLUGIN" --procfs="$P" --state-dir="$work/end" -v <&- 2>&-)
rc=$?
first=${out%%$'\n'*}
is "$rc" 1 "stdin and stderr closed: the answer as usual (WARNING)"
one_line "stdin and stderr closed"
like "$out" "since last check" "stdin and stderr closed: the state file is sound"

# SIGTERM, SIGINT, SIGHUP: one UNKNOWN line naming the signal, exit 3. The run is held on a FIFO
# count file; opening it to write returns once the plugin reads it. (A background job starts
# with SIGINT ignored, and an ignored signal stays ignored: env gives it back its default.)
tree
rm "$N/nf_conntrack_count"
mkfifo "$N/nf_conntrack_count"
for sig in TERM INT HUP; do
	env --default-signal=INT "$PLUGIN" --procfs="$P" --state-dir="$work/end" -t 20 \
		>"$work/sig.out" 2>&1 &
	pid=$!
	timeout 10 bash -c 'exec 3>"$1" && kill -'"$sig"' "$2" && sleep 0.5' _ \
		"$N/nf_conntrack_count" "$pid"
	wait "$pid"
	rc=$?
	out=$(cat "$work/sig.out")
	first=${out%%$'\n'*}
	is "$rc" 3 "SIG$sig: exit 3"
	is "$out" "CONNTRACK UNKNOWN - stopped by SIG$sig before the check was done" \
		"SIG$sig: one UNKNOWN line that names it"
done

# A signal while the state file is replaced (raised inside renameat): it waits until the file is
# whole, then ends the run; no temporary copy is left, the next run compares with the new file.
tree
mkdir -m 700 "$work/sigstate"
run --procfs="$P" --state-dir="$work/sigstate"
sf=$(ls "$work/sigstate" | grep -v -e '\.lock$' -e '\.tmp$' | head -1)
ino=$(stat -c %i "$work/sigstate/$sf")
out=$(CT_PROCSHIM_SIGNAL=15 LD_PRELOAD=$shim "$PLUGIN" --procfs="$P" \
	--state-dir="$work/sigstate" 2>&1)
rc=$?
first=${out%%$'\n'*}
is "$rc" 3 "SIGTERM while the state file is replaced: exit 3"
like "$first" "^CONNTRACK UNKNOWN - stopped by SIGTERM" "SIGTERM while the state file is replaced: says so"
is "$(ls "$work/sigstate" | grep -c '\.tmp$')" 0 "SIGTERM while the state file is replaced: no temporary file left"
replaced=$([ "$(stat -c %i "$work/sigstate/$sf")" != "$ino" ]; echo $?)
ok "$replaced" "SIGTERM while the state file is replaced: the new file was put in place first"
run --procfs="$P" --state-dir="$work/sigstate" -v
like "$out" "since last check" "after that SIGTERM: the next run compares with the state file"

# --- netlink replies (root: ctnetlink needs CAP_NET_ADMIN) -------------------------------------
if $root && [ -e /proc/sys/net/netfilter/nf_conntrack_count ]; then
	shim=$work/nlshim.so
	cc -shared -fPIC -o "$shim" "$TOP/tests/hardening/nlshim.c" -ldl
	ok $? "netlink shim builds"
	for m in "enobufs:receive buffer overrun \(ENOBUFS\)" "oversize:reply larger than" \
		"truncate:truncated message" "nlmsgerr:kernel refused the request: Input/output error" \
		"garbage:ctnetlink: truncated or malformed attribute"; do
		mode=${m%%:*}
		want=${m#*:}
		out=$(CT_NLSHIM=$mode LD_PRELOAD=$shim "$PLUGIN" -v -w 100% -c 100% 2>&1)
		rc=$?
		first=${out%%$'\n'*}
		ok $((rc > 2)) "netlink $mode: exit $rc, not UNKNOWN: the stat file answers instead"
		like "$out" "counters: ctnetlink: .*" "netlink $mode: -v gives the reason"
		like "$out" "$want" "netlink $mode: the reason is the right one"
		like "$out" "counters from .*/net/stat/nf_conntrack" "netlink $mode: fell back to the stat file"
		one_line "netlink $mode"
	done
elif [ "${CI:-}" = true ]; then
	ok 1 "netlink faults need root and nf_conntrack"
else
	echo "ok $((_n += 1)) # SKIP netlink faults need root and nf_conntrack"
fi

# --- state files ---------------------------------------------------------------------------
tree
S=$work/state
mkdir -m 700 "$S"
run --procfs="$P" --state-dir="$S"
is "$rc" 1 "state: first run WARNING (85%)"
sf=$(ls "$S" | grep -v '\.lock$' | grep -v '^sysctl-boot-' | head -1)
ok $([ -n "$sf" ] && [ -f "$S/$sf" ]; echo $?) "state: file written ($sf)"
good=$(cat "$S/$sf")

printf 'corrupt\x00\xff\n' >"$S/$sf"
run --procfs="$P" --state-dir="$S" -v
is "$rc" 1 "corrupt state: same state, not UNKNOWN"
like "$out" "new baseline \(previous state unusable: .*\)" "corrupt state: new baseline, says why"
one_line "corrupt state"
run --procfs="$P" --state-dir="$S" -v
like "$out" "since last check" "corrupt state: replaced, the next run compares"

printf '%s' "$good" | head -c 40 >"$S/$sf"
run --procfs="$P" --state-dir="$S" -v
is "$rc" 1 "truncated state: not UNKNOWN"
like "$out" "previous state unusable" "truncated state: new baseline, says why"

echo "$good" >"$work/elsewhere"
rm -f "$S/$sf"
ln -s "$work/elsewhere" "$S/$sf"
run --procfs="$P" --state-dir="$S" -v
is "$rc" 1 "state symlink: not UNKNOWN"
like "$out" "previous state unusable: .*(link|symbolic)" "state symlink: refused, says why"
is "$(cat "$work/elsewhere")" "$good" "state symlink: its target is untouched"
rm -f "$S/$sf"

# A lock file that is a FIFO is refused at once, not waited on until -t.
mkdir -m 700 "$work/fifolock"
run --procfs="$P" --state-dir="$work/fifolock"
for l in "$work/fifolock"/*.lock; do
	rm "$l"
	mkfifo -m 600 "$l"
done
start=$(date +%s%N)
run --procfs="$P" --state-dir="$work/fifolock" -t 5 -v
ms=$((($(date +%s%N) - start) / 1000000))
unlike "$first" "timed out" "lock file a FIFO: not waited on"
ok $((ms > 2000)) "lock file a FIFO: over at once (took $ms ms)"
like "$out" "lock file .*\.lock" "lock file a FIFO: the lock file is named"

if $root; then
	run --procfs="$P" --state-dir="$S"
	chown nobody "$S/$sf"
	run --procfs="$P" --state-dir="$S" -v
	is "$rc" 1 "state owned by another user: not UNKNOWN"
	like "$out" "previous state unusable: .*(own|user|Permission denied)" "state owned by another user: refused"
	chown -R nobody "$S"
	run --procfs="$P" --state-dir="$S" -v
	is "$rc" 1 "state directory owned by another user: not UNKNOWN"
	like "$out" "state not kept: .*" "state directory owned by another user: not kept, says why"
	one_line "foreign state directory"

	mkdir -m 700 "$work/ro"
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$work/ro"
	run --procfs="$P" --state-dir="$work/ro"
	mount -o remount,ro "$work/ro"
	run --procfs="$P" --state-dir="$work/ro" -v
	is "$rc" 1 "read-only state directory: not UNKNOWN"
	like "$out" "state not saved: .*read-only" "read-only state directory: says so"
	umount "$work/ro"

	mkdir -m 700 "$work/full"
	mount -t tmpfs -o size=4k,mode=0700 tmpfs "$work/full"
	head -c 4096 /dev/zero >"$work/full/filler" 2>/dev/null
	run --procfs="$P" --state-dir="$work/full" -v
	is "$rc" 1 "full disk: not UNKNOWN"
	like "$out" "state not saved: .*no space left" "full disk: says so"
	one_line "full disk"
	ls "$work/full" | grep -q '\.tmp' && leftover=yes || leftover=no
	is "$leftover" no "full disk: no temporary file left behind"
	umount "$work/full"
elif [ "${CI:-}" = true ]; then
	ok 1 "ownership, read-only and full-disk cases need root"
else
	echo "ok $((_n += 1)) # SKIP ownership, read-only and full-disk cases need root"
fi

# --- 200 concurrent runs on one state directory ---------------------------------------------
tree
C=$work/concurrent
mkdir -m 700 "$C" "$work/out"
for i in $(seq 200); do
	"$PLUGIN" --procfs="$P" --state-dir="$C" -v >"$work/out/$i" 2>&1 &
done 2>/dev/null
fails=0
for job in $(jobs -p); do wait "$job" || [ $? -eq 1 ] || fails=$((fails + 1)); done
is "$fails" 0 "200 concurrent runs: every one exited WARNING (85%)"
bad=$(grep -l -E "unusable|state not kept|state not saved|UNKNOWN" "$work/out"/* | wc -l)
is "$bad" 0 "200 concurrent runs: none saw a broken state or failed to keep it"
firsts=$(grep -l "first run, baseline saved" "$work/out"/* | wc -l)
is "$firsts" 1 "200 concurrent runs: exactly one took the baseline, the others compared"
is "$(ls "$C" | grep -c '\.tmp')" 0 "200 concurrent runs: no temporary file left"
run --procfs="$P" --state-dir="$C" -v
is "$rc" 1 "follow-up run: WARNING"
like "$out" "since last check .*drop \+0" "follow-up run: compares cleanly with the saved counters"
done_testing
