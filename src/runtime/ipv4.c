/* IPv4 arithmetic for IPAM: see ipv4.h. */
#include "runtime/ipv4.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t mask_of(int prefix)
{
	return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

bool cc_ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

bool cc_ipv4_net_parse(const char *s, struct cc_ipv4_net *out)
{
	char buf[32];
	if (!s || strlen(s) >= sizeof(buf))
		return false;
	memcpy(buf, s, strlen(s) + 1);
	char *slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return false;
	*slash = 0;
	char *end;
	long p = strtol(slash + 1, &end, 10);
	uint32_t a;
	if (*end || p < 8 || p > 30 || !cc_ipv4_parse(buf, &a))
		return false;
	out->prefix = (int)p;
	out->base = a & mask_of(out->prefix);
	return true;
}

char *cc_ipv4_format(uint32_t a, char *buf)
{
	struct in_addr in = {htonl(a)};
	inet_ntop(AF_INET, &in, buf, 16);
	return buf;
}

char *cc_ipv4_net_format(const struct cc_ipv4_net *n)
{
	char buf[16];
	return cc_xasprintf("%s/%d", cc_ipv4_format(n->base, buf), n->prefix);
}

bool cc_ipv4_net_contains(const struct cc_ipv4_net *n, uint32_t a)
{
	return (a & mask_of(n->prefix)) == n->base;
}

bool cc_ipv4_net_overlaps(const struct cc_ipv4_net *a, const struct cc_ipv4_net *b)
{
	int p = a->prefix < b->prefix ? a->prefix : b->prefix;
	return ((a->base ^ b->base) & mask_of(p)) == 0;
}

uint32_t cc_ipv4_net_first(const struct cc_ipv4_net *n)
{
	return n->base + 1;
}

uint32_t cc_ipv4_net_last(const struct cc_ipv4_net *n)
{
	return (n->base | ~mask_of(n->prefix)) - 1;
}

bool cc_ipv4_pick_subnet(const struct cc_ipv4_net *pool, const struct cc_ipv4_net *taken, size_t ntaken,
			 struct cc_ipv4_net *out)
{
	if (pool->prefix > 24)
		return false;
	uint32_t count = 1u << (24 - pool->prefix);
	for (uint32_t i = 0; i < count; i++) {
		struct cc_ipv4_net cand = {pool->base + (i << 8), 24};
		bool clash = false;
		for (size_t k = 0; k < ntaken && !clash; k++)
			clash = cc_ipv4_net_overlaps(&cand, &taken[k]);
		if (!clash) {
			*out = cand;
			return true;
		}
	}
	return false;
}

bool cc_ipv4_pick_address(const struct cc_ipv4_net *net, const struct cc_ipv4_net *range,
			  const uint32_t *taken, size_t ntaken, uint32_t *out)
{
	const struct cc_ipv4_net *r = range ? range : net;
	uint32_t lo = cc_ipv4_net_first(r), hi = cc_ipv4_net_last(r);
	if (lo < cc_ipv4_net_first(net))
		lo = cc_ipv4_net_first(net);
	if (hi > cc_ipv4_net_last(net))
		hi = cc_ipv4_net_last(net);
	for (uint64_t a = lo; a <= hi; a++) {
		bool used = false;
		for (size_t k = 0; k < ntaken && !used; k++)
			used = taken[k] == (uint32_t)a;
		if (!used) {
			*out = (uint32_t)a;
			return true;
		}
	}
	return false;
}

char *cc_ipv4_docker_mac(const char *address)
{
	uint32_t a = 0;
	cc_ipv4_parse(address, &a);
	return cc_xasprintf("02:42:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
			    a & 0xff);
}
