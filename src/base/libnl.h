/* libnl-route-3 (and libnl-3 under it): the native backend's links, addresses and routes, opened when first
 * needed (base/dynlib.h says why and how). Include this instead of the library's own headers; call
 * cc_libnl_ready() before the first call. */
#ifndef CC_BASE_LIBNL_H
#define CC_BASE_LIBNL_H

#include "base/dynlib.h"

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#define CC_LIBNL_SYMBOLS(X)                                                                                  \
	X(nl_addr_build)                                                                                     \
	X(nl_addr_get_family)                                                                                \
	X(nl_addr_put)                                                                                       \
	X(nl_addr_set_prefixlen)                                                                             \
	X(nl_connect)                                                                                        \
	X(nl_geterror)                                                                                       \
	X(nl_socket_alloc)                                                                                   \
	X(nl_socket_free)                                                                                    \
	X(rtnl_addr_add)                                                                                     \
	X(rtnl_addr_alloc)                                                                                   \
	X(rtnl_addr_put)                                                                                     \
	X(rtnl_addr_set_flags)                                                                               \
	X(rtnl_addr_set_ifindex)                                                                             \
	X(rtnl_addr_set_local)                                                                               \
	X(rtnl_link_add)                                                                                     \
	X(rtnl_link_alloc)                                                                                   \
	X(rtnl_link_change)                                                                                  \
	X(rtnl_link_delete)                                                                                  \
	X(rtnl_link_get_ifindex)                                                                             \
	X(rtnl_link_get_kernel)                                                                              \
	X(rtnl_link_put)                                                                                     \
	X(rtnl_link_set_addr)                                                                                \
	X(rtnl_link_set_flags)                                                                               \
	X(rtnl_link_set_master)                                                                              \
	X(rtnl_link_set_mtu)                                                                                 \
	X(rtnl_link_set_name)                                                                                \
	X(rtnl_link_set_ns_fd)                                                                               \
	X(rtnl_link_set_type)                                                                                \
	X(rtnl_link_veth_alloc)                                                                              \
	X(rtnl_link_veth_get_peer)                                                                           \
	X(rtnl_route_add)                                                                                    \
	X(rtnl_route_add_nexthop)                                                                            \
	X(rtnl_route_alloc)                                                                                  \
	X(rtnl_route_nh_alloc)                                                                               \
	X(rtnl_route_nh_set_gateway)                                                                         \
	X(rtnl_route_nh_set_ifindex)                                                                         \
	X(rtnl_route_put)                                                                                    \
	X(rtnl_route_set_dst)                                                                                \
	X(rtnl_route_set_family)

struct cc_libnl_api {
	CC_LIBNL_SYMBOLS(CC_DYN_FIELD)
};

const struct cc_libnl_api *cc_libnl(void);
int cc_libnl_ready(struct cc_error **err);

#ifndef CC_LIBNL_LOADER
#define nl_addr_build             (cc_libnl()->p_nl_addr_build)
#define nl_addr_get_family        (cc_libnl()->p_nl_addr_get_family)
#define nl_addr_put               (cc_libnl()->p_nl_addr_put)
#define nl_addr_set_prefixlen     (cc_libnl()->p_nl_addr_set_prefixlen)
#define nl_connect                (cc_libnl()->p_nl_connect)
#define nl_geterror               (cc_libnl()->p_nl_geterror)
#define nl_socket_alloc           (cc_libnl()->p_nl_socket_alloc)
#define nl_socket_free            (cc_libnl()->p_nl_socket_free)
#define rtnl_addr_add             (cc_libnl()->p_rtnl_addr_add)
#define rtnl_addr_alloc           (cc_libnl()->p_rtnl_addr_alloc)
#define rtnl_addr_put             (cc_libnl()->p_rtnl_addr_put)
#define rtnl_addr_set_flags       (cc_libnl()->p_rtnl_addr_set_flags)
#define rtnl_addr_set_ifindex     (cc_libnl()->p_rtnl_addr_set_ifindex)
#define rtnl_addr_set_local       (cc_libnl()->p_rtnl_addr_set_local)
#define rtnl_link_add             (cc_libnl()->p_rtnl_link_add)
#define rtnl_link_alloc           (cc_libnl()->p_rtnl_link_alloc)
#define rtnl_link_change          (cc_libnl()->p_rtnl_link_change)
#define rtnl_link_delete          (cc_libnl()->p_rtnl_link_delete)
#define rtnl_link_get_ifindex     (cc_libnl()->p_rtnl_link_get_ifindex)
#define rtnl_link_get_kernel      (cc_libnl()->p_rtnl_link_get_kernel)
#define rtnl_link_put             (cc_libnl()->p_rtnl_link_put)
#define rtnl_link_set_addr        (cc_libnl()->p_rtnl_link_set_addr)
#define rtnl_link_set_flags       (cc_libnl()->p_rtnl_link_set_flags)
#define rtnl_link_set_master      (cc_libnl()->p_rtnl_link_set_master)
#define rtnl_link_set_mtu         (cc_libnl()->p_rtnl_link_set_mtu)
#define rtnl_link_set_name        (cc_libnl()->p_rtnl_link_set_name)
#define rtnl_link_set_ns_fd       (cc_libnl()->p_rtnl_link_set_ns_fd)
#define rtnl_link_set_type        (cc_libnl()->p_rtnl_link_set_type)
#define rtnl_link_veth_alloc      (cc_libnl()->p_rtnl_link_veth_alloc)
#define rtnl_link_veth_get_peer   (cc_libnl()->p_rtnl_link_veth_get_peer)
#define rtnl_route_add            (cc_libnl()->p_rtnl_route_add)
#define rtnl_route_add_nexthop    (cc_libnl()->p_rtnl_route_add_nexthop)
#define rtnl_route_alloc          (cc_libnl()->p_rtnl_route_alloc)
#define rtnl_route_nh_alloc       (cc_libnl()->p_rtnl_route_nh_alloc)
#define rtnl_route_nh_set_gateway (cc_libnl()->p_rtnl_route_nh_set_gateway)
#define rtnl_route_nh_set_ifindex (cc_libnl()->p_rtnl_route_nh_set_ifindex)
#define rtnl_route_put            (cc_libnl()->p_rtnl_route_put)
#define rtnl_route_set_dst        (cc_libnl()->p_rtnl_route_set_dst)
#define rtnl_route_set_family     (cc_libnl()->p_rtnl_route_set_family)
#endif

#endif
