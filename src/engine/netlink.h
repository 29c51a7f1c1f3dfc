/* The kernel side of container networking, over rtnetlink (libnl-route-3): persistent network namespaces,
 * bridges, veth pairs with their addresses and routes, and the few sysctls a bridge needs. No process is
 * spawned for any step. A namespace is entered only by the calling thread (setns applies per thread), so
 * these are safe in the orchestrator's worker threads. */
#ifndef CC_ENGINE_NETLINK_H
#define CC_ENGINE_NETLINK_H

#include "base/error.h"
#include "runtime/ipv6.h"

#include <stdbool.h>
#include <stdint.h>

/* A new network namespace kept alive by a bind mount at `path` (as `ip netns add` does), with lo up. */
int native_netns_create(const char *path, struct cc_error **err);
/* Unmount and remove it; a missing one is not an error. */
void native_netns_delete(const char *path);
/* Is there a namespace mounted at path? */
bool native_netns_exists(const char *path);

/* A bridge's addresses: IPv4 always, IPv6 on a dual-stack network. */
struct native_bridge {
	const char *name;
	uint32_t gateway;
	int prefix;
	const struct cc_ipv6 *gateway6; /* NULL: no IPv6 */
	int prefix6;
	int mtu; /* 0: the kernel's default */
};
/* A bridge with its gateway addresses on it, up, with route_localnet so 127.0.0.1 can be forwarded into it.
 * An existing link of that name is refused (the engine never takes over an interface it did not make);
 * *created says whether this call made it (only then may a failure delete it). */
int native_bridge_ensure(const struct native_bridge *b, bool *created, struct cc_error **err);
/* Is there a link of that name? */
bool native_link_exists(const char *name);
/* Delete a link by name; a missing one is not an error. */
int native_link_delete(const char *name, struct cc_error **err);

/* One interface of a container on a bridge. */
struct native_veth {
	const char *host_name; /* the host end, enslaved to the bridge */
	const char *bridge;
	const char *netns;  /* the container's namespace (a path) */
	const char *ifname; /* the name inside: eth0, eth1...; NULL: the first free ethN */
	uint32_t address;
	int prefix;
	uint32_t gateway;               /* with default_route: the next hop */
	bool default_route;             /* the container's default routes go through this interface */
	const struct cc_ipv6 *address6; /* NULL: no IPv6 address */
	int prefix6;
	const struct cc_ipv6 *gateway6;
	uint8_t mac[6];
	int mtu; /* 0: the bridge's */
};
int native_veth_attach(const struct native_veth *v, struct cc_error **err);

/* Turn on IPv4 forwarding (outbound traffic and published ports need it), and IPv6 forwarding with ipv6. */
int native_ip_forward_enable(bool ipv6, struct cc_error **err);

#endif
