/* IPv4 subnets and addresses as engines allocate them: parsing, formatting, overlap, and picking a free
 * subnet from a pool or a free address in a subnet. Pure functions, shared by every backend that keeps its
 * own IPAM (mock, native). Addresses are host byte order. */
#ifndef CC_RUNTIME_IPV4_H
#define CC_RUNTIME_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cc_ipv4_net {
	uint32_t base; /* host bits cleared */
	int prefix;    /* 8..30 */
};

/* "a.b.c.d"; false when it is not one. */
bool cc_ipv4_parse(const char *s, uint32_t *out);
/* docker's MAC for an address: 02:42 and its four bytes (owned). */
char *cc_ipv4_docker_mac(const char *address);
/* "a.b.c.d/p" with 8 <= p <= 30 (a subnet with room for a gateway and a host); host bits are cleared. */
bool cc_ipv4_net_parse(const char *s, struct cc_ipv4_net *out);
/* Dotted form into buf (at least 16 bytes); returns buf. */
char *cc_ipv4_format(uint32_t a, char *buf);
/* "a.b.c.d/p" (owned). */
char *cc_ipv4_net_format(const struct cc_ipv4_net *n);
bool cc_ipv4_net_contains(const struct cc_ipv4_net *n, uint32_t a);
bool cc_ipv4_net_overlaps(const struct cc_ipv4_net *a, const struct cc_ipv4_net *b);
/* The network's first and last usable host addresses (no network or broadcast address). */
uint32_t cc_ipv4_net_first(const struct cc_ipv4_net *n);
uint32_t cc_ipv4_net_last(const struct cc_ipv4_net *n);

/* The first /24 of `pool` that overlaps none of `taken`; false when every one does. */
bool cc_ipv4_pick_subnet(const struct cc_ipv4_net *pool, const struct cc_ipv4_net *taken, size_t ntaken,
			 struct cc_ipv4_net *out);
/* The lowest host address of `range` (within `net`) that is not in `taken`; false when all are. */
bool cc_ipv4_pick_address(const struct cc_ipv4_net *net, const struct cc_ipv4_net *range,
			  const uint32_t *taken, size_t ntaken, uint32_t *out);

#endif
