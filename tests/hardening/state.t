#!/usr/bin/env bash
# The state directory under attack by another local user, in a private mount namespace with its
# own tmpfs on /dev/shm and its own /run: a symbolic link planted in root's old default, an
# explicit --state-dir with a symbolic link on the way, another user's directory squatting a
# user's default. Nothing is ever written where the attacker points; a squat is named.
. "$(dirname "$0")/../lib/tap.sh"

why=""
[ "$(id -u)" -eq 0 ] || why="needs root"
[ -z "$why" ] && ! command -v unshare >/dev/null && why="needs unshare (util-linux)"
[ -z "$why" ] && ! id nobody >/dev/null 2>&1 && why="needs a nobody user"
[ -z "$why" ] && [ -z "${CT_STATE_NS:-}" ] && ! unshare -m true 2>/dev/null && why="cannot create a mount namespace"
if [ -n "$why" ]; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - state attack suite cannot run in CI: $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
fi
# Everything below runs in a private mount namespace: its mounts vanish with it.
[ -n "${CT_STATE_NS:-}" ] || exec unshare -m --propagation private env CT_STATE_NS=1 bash "$0" "$@"

work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
NOBODY=$(id -u nobody)
# A directory on a disk file system, to stand in for a /run that is not a tmpfs.
disk=""
for d in /var/tmp "$TOP/tests"; do
	case $(stat -f -c %T "$d" 2>/dev/null) in tmpfs | ramfs | "") ;; *) disk=$d && break ;; esac
done
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
P=$work/proc
mkdir -p $P/sys/net/netfilter $P/net/stat $P/sys/kernel/random
echo 5000 >$P/sys/net/netfilter/nf_conntrack_count
echo 10000 >$P/sys/net/netfilter/nf_conntrack_max
echo 11111111-2222-3333-4444-555555555555 >$P/sys/kernel/random/boot_id
printf 'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n%08x  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000007 00000000 00000000  00000000 00000000 00000000 00000000\n' 5000 >$P/net/stat/nf_conntrack
chmod -R a+rX "$work"
# The plain default: no MP_STATE_PATH, no --state-dir; as root, or as the user U (below).
plain() { env -u MP_STATE_PATH "$PLUGIN" --procfs=$P; }
plain_u() { env -u MP_STATE_PATH setpriv --reuid=$U --regid=$U --clear-groups --inh-caps=-all "$PLUGIN" --procfs=$P; }
files_in() { find "$1" -mindepth 1 2>/dev/null | wc -l; }
# target stands for /etc/cron.d: root's, and nothing of ours may ever appear in it.
mkdir -m 755 $work/target

# --- 1. Root's default where /run is not a tmpfs: a link planted by another user ------------
if [ -n "$disk" ]; then
	run_disk=$(mktemp -d -p "$disk")
	chmod 755 "$run_disk"
	mount --bind "$run_disk" /run
	nobody mkdir -m 777 /dev/shm/monitoring-plugins-0
	nobody ln -s $work/target /dev/shm/monitoring-plugins-0/check_conntrack
	out=$(plain 2>&1)
	rc=$?
	is "$rc" 0 "root, /run on disk, link planted in /dev/shm: OK"
	is "$(files_in $work/target)" 0 "root: nothing written where the planted link points"
	ok $([ -d /run/monitoring-plugins/0/check_conntrack ]; echo $?) "root: state kept in /run/monitoring-plugins/0/check_conntrack"
	is "$(stat -c %a /run/monitoring-plugins/0/check_conntrack 2>/dev/null)" 700 "root: that directory is 0700"
	out=$(plain 2>&1)
	like "$out" "since last check" "root: the next run compares"
	umount /run
	rm -rf "$run_disk"
elif [ "${CI:-}" = true ]; then
	ok 1 "no disk file system to stand in for /run"
else
	echo "ok $((_n += 1)) # SKIP no disk file system to stand in for /run"
fi
mount -t tmpfs -o mode=755 tmpfs /run
rm -rf /dev/shm/monitoring-plugins-0

# --- 2. An explicit --state-dir with a symbolic link on the way -----------------------------
ln -s $work/target $work/link
run --procfs=$P --state-dir=$work/link/state
is "$rc" 3 "--state-dir through a symbolic link: UNKNOWN"
like "$first" ", drop detection off: state not kept \($work/link is a symbolic link \(owned by uid 0 \(root\)\), not followed\)" "--state-dir through a symbolic link: says which"
run --procfs=$P --state-dir=$work/link
is "$rc" 3 "--state-dir that is a symbolic link: UNKNOWN"
is "$(files_in $work/target)" 0 "--state-dir through a link: nothing written where it points"
nobody ln -s $work/target /dev/shm/evil
run --procfs=$P --state-dir=/dev/shm/evil/state
like "$first" "/dev/shm/evil is a symbolic link \(owned by uid $NOBODY " "another user's link: refused, owner named"
is "$(files_in $work/target)" 0 "another user's link: nothing written where it points"
mkdir -m 777 $work/open
run --procfs=$P --state-dir=$work/open/state
like "$first" "$work/open is writable by others \(mode 0777" "a directory anyone may write to on the way: refused"
nobody mkdir /dev/shm/theirs
run --procfs=$P --state-dir=/dev/shm/theirs/state
like "$first" "/dev/shm/theirs is owned by uid $NOBODY \(nobody\), not by uid 0" "another user's directory below /dev/shm: refused"
is "$(files_in /dev/shm/theirs)" 0 "another user's directory: nothing written in it"

# --- 3. A user's default squatted by another user -------------------------------------------
# A throwaway user with a home directory, in this namespace's own copy of /etc/passwd.
U=$((40000 + $$ % 20000))
NAME=ctst$$
mkdir -m 700 $work/home
chown $U:$U $work/home
cp /etc/passwd $work/passwd
echo "$NAME:x:$U:$U::$work/home:/usr/sbin/nologin" >>$work/passwd
mount --bind $work/passwd /etc/passwd
nobody mkdir -m 777 /dev/shm/monitoring-plugins-$U
nobody mkdir -m 777 /dev/shm/monitoring-plugins-$U/check_conntrack
out=$(plain_u 2>&1)
rc=$?
first=${out%%$'\n'*}
is "$rc" 0 "squatted default: the check still works (OK)"
like "$first" ", default state directory not used: /dev/shm/monitoring-plugins-$U is owned by uid $NOBODY \(nobody\), not by uid $U \($NAME\), state kept in $work/home/.local/state/monitoring-plugins/check_conntrack" "squatted default: the summary names it, its owner and where state went"
is "$(files_in /dev/shm/monitoring-plugins-$U/check_conntrack)" 0 "squatted default: nothing written into it"
out=$(plain_u 2>&1)
like "$out" "since last check" "squatted default: the next run compares with the baseline kept at home"
rm -rf /dev/shm/monitoring-plugins-$U
nobody ln -s /dev/shm /dev/shm/monitoring-plugins-$U
out=$(plain_u 2>&1)
like "${out%%$'\n'*}" "default state directory not used: /dev/shm/monitoring-plugins-$U is a symbolic link \(owned by uid $NOBODY \(nobody\)\)" "a link as the user's default: named with its owner"
# No home to fall back to: the run says drop detection is off, and is not OK.
# (written in place: the bind mount holds this very file)
sed "s|^$NAME:.*|$NAME:x:$U:$U::/nonexistent:/usr/sbin/nologin|" $work/passwd >$work/passwd.new
cat $work/passwd.new >$work/passwd
out=$(plain_u 2>&1)
rc=$?
is "$rc" 3 "squatted default, no other place: UNKNOWN"
like "${out%%$'\n'*}" "default state directory not used: /dev/shm/monitoring-plugins-$U .*, drop detection off: state not kept" "squatted default, no other place: both said"
umount /etc/passwd

done_testing
