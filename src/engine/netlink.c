/* Namespaces, bridges and veth pairs over rtnetlink (libnl-route-3). See netlink.h. */
#include "engine/netlink.h"
#include "base/cleanup.h"
#include "base/libnl.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int nl_fail(struct cc_error **err, int code, const char *what, const char *name)
{
	return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s %s: %s", what, name, nl_geterror(code));
}

/* Every use of libnl starts here: the library is loaded by the first. */
static struct nl_sock *route_socket(struct cc_error **err)
{
	if (cc_libnl_ready(err) < 0)
		return NULL;
	struct nl_sock *sk = nl_socket_alloc();
	int r = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (r < 0) {
		if (sk)
			nl_socket_free(sk);
		nl_fail(err, r, "netlink", "socket");
		return NULL;
	}
	return sk;
}

/* A route socket that lives in the namespace at nsfd: opened while this thread is in it. */
static struct nl_sock *route_socket_in(int nsfd, struct cc_error **err)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open own network namespace"),
		       NULL;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "enter network namespace");
		close(self);
		return NULL;
	}
	struct nl_sock *sk = route_socket(err);
	/* back home: failing that, this thread would do everything after in the container's namespace */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	return sk;
}

static int link_index(struct nl_sock *sk, const char *name, struct cc_error **err)
{
	struct rtnl_link *link;
	int r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0)
		return nl_fail(err, r, "find link", name);
	int idx = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return idx;
}

static int link_up(struct nl_sock *sk, const char *name, struct cc_error **err)
{
	struct rtnl_link *link;
	int r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0)
		return nl_fail(err, r, "find link", name);
	struct rtnl_link *change = rtnl_link_alloc();
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	return r < 0 ? nl_fail(err, r, "set up", name) : 0;
}

static struct nl_addr *ipv4_addr(uint32_t a, int prefix)
{
	uint32_t be = htonl(a);
	struct nl_addr *addr = nl_addr_build(AF_INET, &be, 4);
	nl_addr_set_prefixlen(addr, prefix);
	return addr;
}

static struct nl_addr *ipv6_addr(const struct cc_ipv6 *a, int prefix)
{
	struct nl_addr *addr = nl_addr_build(AF_INET6, a->b, 16);
	nl_addr_set_prefixlen(addr, prefix);
	return addr;
}

/* Takes `local`. An IPv6 address skips duplicate address detection: the engine's IPAM already makes it
 * unique, and a tentative address could not be used (or bound by the DNS server) for a second or two. */
static int addr_add(struct nl_sock *sk, int ifindex, struct nl_addr *local, const char *name,
		    struct cc_error **err)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_local(ra, local);
	if (nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	int r = rtnl_addr_add(sk, ra, 0);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	if (r == -NLE_EXIST)
		return 0;
	return r < 0 ? nl_fail(err, r, "add address to", name) : 0;
}

/* Takes dst and gw. */
static int default_route(struct nl_sock *sk, int ifindex, struct nl_addr *dst, struct nl_addr *gw,
			 struct cc_error **err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	rtnl_route_set_family(route, nl_addr_get_family(dst));
	rtnl_route_set_dst(route, dst);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, nh);
	int r = rtnl_route_add(sk, route, NLM_F_CREATE);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(route);
	return r < 0 ? nl_fail(err, r, "add default route", "") : 0;
}

static int write_sysctl(const char *path, const char *value, struct cc_error **err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", path);
	ssize_t w = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	if (w < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "write %s", path);
	return 0;
}

int native_netns_create(const char *path, struct cc_error **err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", path);
	close(fd);
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open own network namespace");
	int r = 0;
	if (unshare(CLONE_NEWNET) < 0) {
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "new network namespace");
		close(self);
		unlink(path);
		return r;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "bind the network namespace to %s",
				       path);
	struct nl_sock *sk = r == 0 ? route_socket(err) : NULL;
	if (r == 0 && !sk)
		r = -1;
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	if (r == 0)
		r = link_up(sk, "lo", err);
	if (sk)
		nl_socket_free(sk);
	if (r < 0)
		native_netns_delete(path);
	return r;
}

bool native_netns_exists(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 && st.f_type == NSFS_MAGIC;
}

void native_netns_delete(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

int native_bridge_ensure(const struct native_bridge *b, bool *created, struct cc_error **err)
{
	const char *name = b->name;
	uint32_t gateway = b->gateway;
	struct nl_sock *sk = route_socket(err);
	if (!sk)
		return -1;
	struct rtnl_link *link = rtnl_link_alloc();
	rtnl_link_set_type(link, "bridge");
	rtnl_link_set_name(link, name);
	/* A bridge takes the lowest MAC of its ports unless it has one of its own: adding a container could
	 * change the gateway's MAC under every other container's ARP cache, and their packets to it would go
	 * to a port instead. 02:42 and the gateway's address, as the containers' are 02:42 and theirs. */
	uint8_t mac[6] = {0x02,
			  0x42,
			  (uint8_t)(gateway >> 24),
			  (uint8_t)(gateway >> 16),
			  (uint8_t)(gateway >> 8),
			  (uint8_t)gateway};
	struct nl_addr *lladdr = nl_addr_build(AF_LLC, mac, 6);
	rtnl_link_set_addr(link, lladdr);
	nl_addr_put(lladdr);
	if (b->mtu > 0)
		rtnl_link_set_mtu(link, (unsigned)b->mtu);
	int r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	*created = r == 0;
	if (r == -NLE_EXIST) {
		/* never take over a link the engine did not make (eth0, docker0, another tool's bridge): our
		 * own names are random, so a clash is always someone else's link */
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
				 "a network interface named %s already exists on the host: choose another "
				 "com.docker.network.bridge.name",
				 name);
	} else if (r < 0) {
		r = nl_fail(err, r, "create bridge", name);
	}
	int idx = r == 0 ? link_index(sk, name, err) : -1;
	if (idx < 0)
		r = -1;
	if (r == 0)
		r = addr_add(sk, idx, ipv4_addr(gateway, b->prefix), name, err);
	if (r == 0) {
		cleanup_free char *knob = cc_xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", name);
		r = write_sysctl(knob, "1", err);
	}
	if (r == 0 && b->gateway6) {
		/* a host with IPv6 off for new interfaces would refuse the address */
		cleanup_free char *knob = cc_xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
		r = write_sysctl(knob, "0", err);
		if (r == 0)
			r = addr_add(sk, idx, ipv6_addr(b->gateway6, b->prefix6), name, err);
	}
	if (r == 0)
		r = link_up(sk, name, err);
	nl_socket_free(sk);
	return r;
}

bool native_link_exists(const char *name)
{
	struct cc_error *e = NULL;
	struct nl_sock *sk = route_socket(&e);
	if (!sk) {
		cc_error_free(e);
		return false;
	}
	struct rtnl_link *link;
	bool found = rtnl_link_get_kernel(sk, 0, name, &link) == 0;
	if (found)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return found;
}

int native_link_delete(const char *name, struct cc_error **err)
{
	struct nl_sock *sk = route_socket(err);
	if (!sk)
		return -1;
	struct rtnl_link *link = rtnl_link_alloc();
	rtnl_link_set_name(link, name);
	int r = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	nl_socket_free(sk);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		return nl_fail(err, r, "delete link", name);
	return 0;
}

int native_veth_attach(const struct native_veth *v, struct cc_error **err)
{
	int nsfd = open(v->netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", v->netns);
	struct nl_sock *host = route_socket(err);
	struct nl_sock *inside = host ? route_socket_in(nsfd, err) : NULL;
	int r = inside ? 0 : -1;
	char ifname[IFNAMSIZ];
	snprintf(ifname, sizeof(ifname), "%s", v->ifname ? v->ifname : "eth0");
	for (int k = 1; r == 0 && !v->ifname && k < 64; k++) {
		struct rtnl_link *existing;
		if (rtnl_link_get_kernel(inside, 0, ifname, &existing) < 0)
			break;
		rtnl_link_put(existing);
		snprintf(ifname, sizeof(ifname), "eth%d", k);
	}
	int bridge = r == 0 ? link_index(host, v->bridge, err) : -1;
	if (bridge < 0)
		r = -1;
	if (r == 0) {
		struct rtnl_link *link = rtnl_link_veth_alloc();
		struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
		rtnl_link_set_name(link, v->host_name);
		rtnl_link_set_master(link, bridge);
		rtnl_link_set_flags(link, IFF_UP);
		rtnl_link_set_name(peer, ifname);
		rtnl_link_set_ns_fd(peer, nsfd);
		struct nl_addr *mac = nl_addr_build(AF_LLC, v->mac, 6);
		rtnl_link_set_addr(peer, mac);
		nl_addr_put(mac);
		if (v->mtu > 0) {
			rtnl_link_set_mtu(link, (unsigned)v->mtu);
			rtnl_link_set_mtu(peer, (unsigned)v->mtu);
		}
		int e = rtnl_link_add(host, link, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_put(peer);
		rtnl_link_put(link);
		if (e < 0)
			r = nl_fail(err, e, "create veth", v->host_name);
	}
	int idx = r == 0 ? link_index(inside, ifname, err) : -1;
	if (r == 0 && idx < 0)
		r = -1;
	if (r == 0)
		r = addr_add(inside, idx, ipv4_addr(v->address, v->prefix), ifname, err);
	if (r == 0 && v->address6)
		r = addr_add(inside, idx, ipv6_addr(v->address6, v->prefix6), ifname, err);
	if (r == 0)
		r = link_up(inside, ifname, err);
	if (r == 0 && v->default_route)
		r = default_route(inside, idx, ipv4_addr(0, 0), ipv4_addr(v->gateway, 32), err);
	if (r == 0 && v->default_route && v->address6 && v->gateway6) {
		struct cc_ipv6 any = {{0}};
		r = default_route(inside, idx, ipv6_addr(&any, 0), ipv6_addr(v->gateway6, 128), err);
	}
	if (inside)
		nl_socket_free(inside);
	if (host)
		nl_socket_free(host);
	close(nsfd);
	if (r < 0) {
		struct cc_error *e = NULL;
		if (native_link_delete(v->host_name, &e) < 0)
			cc_error_free(e);
	}
	return r;
}

int native_ip_forward_enable(bool ipv6, struct cc_error **err)
{
	int r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1", err);
	if (r == 0 && ipv6)
		r = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1", err);
	return r;
}
