/* Stable names for network namespaces (nsname.c): container ids from recorded cgroup paths of
 * each runtime, services, programs; whether a namespace is the host's, from proc trees. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsname.h"
#include "tap.h"

#define DATA "tests/data/"

static void process_names(void)
{
	static const struct {
		const char *pid, *want, *what;
	} cases[] = {
		{"101", "docker-4f1c0d9e2b7a",
		 "Docker, cgroup v2 (systemd driver): docker-ID.scope"},
		{"102", "docker-4f1c0d9e2b7a", "Docker, cgroup v1 (cgroupfs driver): /docker/ID"},
		{"103", "containerd-4f1c0d9e2b7a",
		 "Kubernetes on containerd: kubepods ... cri-containerd-ID.scope"},
		{"104", "container-9a8b7c6d5e4f",
		 "Kubernetes, cgroupfs driver, cgroup v1: kubepods/besteffort/podUID/ID"},
		{"105", "crio-9a8b7c6d5e4f", "Kubernetes on CRI-O: crio-ID.scope"},
		{"106", "podman-4f1c0d9e2b7a", "podman as root: machine.slice/libpod-ID.scope"},
		{"107", "podman-9a8b7c6d5e4f",
		 "rootless podman: the container, not the user@ service around it"},
		{"108", "process conmon", "podman's conmon is no container: its program"},
		{"109", "lxc-web1", "LXC 4: lxc.payload.NAME"},
		{"110", "nginx.service", "a systemd service (PrivateNetwork=)"},
		{"111", "process unshare", "a login session's scope is no name: the program"},
		{"112", "process sleep", "the root cgroup: the program"},
		{"113", "process odd", "a garbled cgroup file: the program"},
		{"114", "podman-4f1c0d9e2b7a", "podman, cgroupfs driver: libpod_parent/libpod-ID"},
		{"115", "process upper", "an id in capitals is no runtime's: the program"},
		{"116", "lxc-web2",
		 "LXC on cgroup v1 beside an empty unified path: the controllers'"},
		{"999", "process ?", "a process that is gone: no name but a placeholder"},
	};
	char name[100];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ct_process_ns_name(DATA "cgroup", cases[i].pid, name, sizeof(name));
		is_str(name, cases[i].want, cases[i].what);
	}
	ok(!ct_cgroup_name("", name, sizeof(name)), "an empty cgroup file names nothing");
	ok(!ct_cgroup_name("0::/docker-4f1c0d9e2b7a.scope\n", name, sizeof(name)),
	   "a short id is no container id");
	ok(ct_cgroup_name(
		   "0::/system.slice/docker-4f1c0d9e2b7a8c3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"
		   "6f708192a3b4c5.scope",
		   name, 8) &&
		   strlen(name) == 7,
	   "a name that does not fit is cut, NUL-terminated");
}

static uint64_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void initial(void)
{
	char empty[] = "/tmp/test_nsname.XXXXXX";
	uint64_t init = 1, k = inode_of(DATA "nsname/kthread/2/ns/net");

	is_int(ct_netns_initial(DATA "nsname/initial", 1234, &init), CT_INITIAL_YES,
	       "net.core.netdev_max_backlog is there: the initial namespace");
	is_int(init, 1234, "... whose inode is ours");
	is_int(ct_netns_initial(DATA "nsname/child", 1234, &init), CT_INITIAL_NO,
	       "net/core without netdev_max_backlog: another namespace");
	is_int(init, 0, "... the initial one's inode not known");
	ok(mkdtemp(empty) != NULL, "an empty proc tree");
	is_int(ct_netns_initial(empty, 1234, &init), CT_INITIAL_UNKNOWN,
	       "no sys/net to ask: cannot tell (never \"host\" by default)");
	rmdir(empty);
	is_int(ct_netns_initial(DATA "nsname/kthread", k, &init), CT_INITIAL_YES,
	       "kthreadd's namespace is ours: the initial one");
	is_int(init, k, "... and its inode is known");
	is_int(ct_netns_initial(DATA "nsname/kthread", k + 1, &init), CT_INITIAL_NO,
	       "kthreadd's namespace is another: ours is not the initial one");
	is_int(init, k, "... whose inode is known for --netns=all");
	is_int(ct_netns_initial(DATA "nsname/not-kthread",
				inode_of(DATA "nsname/not-kthread/2/ns/net"), &init),
	       CT_INITIAL_NO, "pid 2 is no kernel thread (a container's pid namespace): not asked");
	is_int(ct_netns_initial(DATA "nsname/child", 0xEFFFFFF9u, &init), CT_INITIAL_YES,
	       "the inode the kernel fixes for the initial namespace (6.17 on)");
}

static void own(void)
{
	char dir[] = "/tmp/test_nsname.XXXXXX", path[64], name[100];
	FILE *f;

	ok(mkdtemp(dir) != NULL, "a /run/netns of our own");
	snprintf(path, sizeof(path), "%s/web", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	ct_own_ns_name(DATA "nsname/own-container", dir, inode_of(path), name, sizeof(name));
	is_str(name, "web", "our namespace has a name under /run/netns: that name first");
	ct_own_ns_name(DATA "nsname/own-container", dir, inode_of(path) + 1, name, sizeof(name));
	is_str(name, "docker-4f1c0d9e2b7a", "no name under /run/netns: our container");
	ct_own_ns_name(DATA "nsname/own-container", NULL, 0, name, sizeof(name));
	is_str(name, "docker-4f1c0d9e2b7a",
	       "no /run/netns asked (--procfs elsewhere): our container");
	ct_own_ns_name(DATA "nsname/child", dir, inode_of(path) + 1, name, sizeof(name));
	is_str(name, "own", "nothing names it: \"own\"");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	process_names();
	initial();
	own();
	return tap_done();
}
