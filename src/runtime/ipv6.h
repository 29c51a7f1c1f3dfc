/* IPv6 subnets and addresses as engines allocate them for dual-stack networks: parsing, formatting,
 * overlap, and picking a free /64 from a pool or a free address in a subnet. Pure functions, shared by the
 * backends that keep their own IPAM (mock, native), as ipv4.h is for IPv4. Addresses are network byte
 * order, as inet_pton gives them. */
#ifndef CC_RUNTIME_IPV6_H
#define CC_RUNTIME_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CC_IPV6_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

struct cc_ipv6 {
	uint8_t b[16];
};

struct cc_ipv6_net {
	struct cc_ipv6 base; /* host bits cleared */
	int prefix;          /* 16..124: room for a gateway and hosts, as docker accepts */
};

/* "fd00::1"; false when it is not an IPv6 address. */
bool cc_ipv6_parse(const char *s, struct cc_ipv6 *out);
/* "fd00::/64" with 16 <= prefix <= 124; host bits are cleared. */
bool cc_ipv6_net_parse(const char *s, struct cc_ipv6_net *out);
/* The canonical text into buf (CC_IPV6_TEXT_MAX bytes); returns buf. */
char *cc_ipv6_format(const struct cc_ipv6 *a, char *buf);
/* "addr/prefix" (owned). */
char *cc_ipv6_net_format(const struct cc_ipv6_net *n);
bool cc_ipv6_equal(const struct cc_ipv6 *a, const struct cc_ipv6 *b);
bool cc_ipv6_net_contains(const struct cc_ipv6_net *n, const struct cc_ipv6 *a);
bool cc_ipv6_net_overlaps(const struct cc_ipv6_net *a, const struct cc_ipv6_net *b);
/* The subnet's address with host number `index` (0: the subnet-router anycast address; 1: the default
 * gateway). The index must fit in the host bits. */
struct cc_ipv6 cc_ipv6_net_host(const struct cc_ipv6_net *n, uint64_t index);

/* The first /64 of `pool` (a /48 to /63) that overlaps none of `taken`; false when every one does or the
 * pool is not shorter than /64. */
bool cc_ipv6_pick_subnet(const struct cc_ipv6_net *pool, const struct cc_ipv6_net *taken, size_t ntaken,
			 struct cc_ipv6_net *out);
/* The lowest address of `range` (within `net`, NULL: all of net) that is neither the subnet-router anycast
 * address nor in `taken`; false when all are. */
bool cc_ipv6_pick_address(const struct cc_ipv6_net *net, const struct cc_ipv6_net *range,
			  const struct cc_ipv6 *taken, size_t ntaken, struct cc_ipv6 *out);

/* A new endpoint's address, as every backend with its own IPAM assigns it: `wanted` (text) when it is a host
 * address of `net` not in `taken`, else (wanted NULL) the pick above. */
enum cc_ipv6_assign {
	CC_IPV6_ASSIGNED,
	CC_IPV6_NOT_IN_SUBNET, /* wanted is not an address, or not a host address of net */
	CC_IPV6_TAKEN,         /* wanted is in taken */
	CC_IPV6_FULL,          /* nothing left to pick */
};
enum cc_ipv6_assign cc_ipv6_assign(const struct cc_ipv6_net *net, const struct cc_ipv6_net *range,
				   const struct cc_ipv6 *taken, size_t ntaken, const char *wanted,
				   struct cc_ipv6 *out);

#endif
