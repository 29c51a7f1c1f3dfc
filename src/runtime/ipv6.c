/* IPv6 arithmetic for IPAM: see ipv6.h. */
#include "runtime/ipv6.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static struct cc_ipv6 masked(const struct cc_ipv6 *a, int prefix)
{
	struct cc_ipv6 m = {{0}};
	for (int i = 0; i < 16; i++) {
		int bits = prefix - i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		m.b[i] = a->b[i] & mask;
	}
	return m;
}

bool cc_ipv6_parse(const char *s, struct cc_ipv6 *out)
{
	return s && inet_pton(AF_INET6, s, out->b) == 1;
}

bool cc_ipv6_net_parse(const char *s, struct cc_ipv6_net *out)
{
	char buf[CC_IPV6_TEXT_MAX + 8];
	if (!s || strlen(s) >= sizeof(buf))
		return false;
	memcpy(buf, s, strlen(s) + 1);
	char *slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return false;
	*slash = 0;
	char *end;
	long p = strtol(slash + 1, &end, 10);
	struct cc_ipv6 a;
	if (*end || p < 16 || p > 124 || !cc_ipv6_parse(buf, &a))
		return false;
	out->prefix = (int)p;
	out->base = masked(&a, out->prefix);
	return true;
}

char *cc_ipv6_format(const struct cc_ipv6 *a, char *buf)
{
	inet_ntop(AF_INET6, a->b, buf, CC_IPV6_TEXT_MAX);
	return buf;
}

char *cc_ipv6_net_format(const struct cc_ipv6_net *n)
{
	char buf[CC_IPV6_TEXT_MAX];
	return cc_xasprintf("%s/%d", cc_ipv6_format(&n->base, buf), n->prefix);
}

bool cc_ipv6_equal(const struct cc_ipv6 *a, const struct cc_ipv6 *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}

bool cc_ipv6_net_contains(const struct cc_ipv6_net *n, const struct cc_ipv6 *a)
{
	struct cc_ipv6 m = masked(a, n->prefix);
	return cc_ipv6_equal(&m, &n->base);
}

bool cc_ipv6_net_overlaps(const struct cc_ipv6_net *a, const struct cc_ipv6_net *b)
{
	int p = a->prefix < b->prefix ? a->prefix : b->prefix;
	struct cc_ipv6 ma = masked(&a->base, p), mb = masked(&b->base, p);
	return cc_ipv6_equal(&ma, &mb);
}

/* a + v, carried through all 128 bits */
static struct cc_ipv6 add(const struct cc_ipv6 *a, uint64_t v)
{
	struct cc_ipv6 r = *a;
	unsigned carry = 0;
	for (int i = 15; i >= 0; i--) {
		unsigned s = r.b[i] + (unsigned)(v & 0xff) + carry;
		r.b[i] = (uint8_t)s;
		carry = s >> 8;
		v >>= 8;
	}
	return r;
}

struct cc_ipv6 cc_ipv6_net_host(const struct cc_ipv6_net *n, uint64_t index)
{
	return add(&n->base, index);
}

bool cc_ipv6_pick_subnet(const struct cc_ipv6_net *pool, const struct cc_ipv6_net *taken, size_t ntaken,
			 struct cc_ipv6_net *out)
{
	if (pool->prefix > 63 || pool->prefix < 48)
		return false;
	uint64_t count = 1ull << (64 - pool->prefix);
	for (uint64_t i = 0; i < count; i++) {
		/* the /64's number sits in the top half's low bits: shift it past the host half */
		struct cc_ipv6_net cand = {pool->base, 64};
		uint64_t top = 0;
		for (int k = 0; k < 8; k++)
			top = top << 8 | cand.base.b[k];
		top += i;
		for (int k = 7; k >= 0; k--, top >>= 8)
			cand.base.b[k] = (uint8_t)top;
		bool clash = false;
		for (size_t k = 0; k < ntaken && !clash; k++)
			clash = cc_ipv6_net_overlaps(&cand, &taken[k]);
		if (!clash) {
			*out = cand;
			return true;
		}
	}
	return false;
}

bool cc_ipv6_pick_address(const struct cc_ipv6_net *net, const struct cc_ipv6_net *range,
			  const struct cc_ipv6 *taken, size_t ntaken, struct cc_ipv6 *out)
{
	const struct cc_ipv6_net *r = range ? range : net;
	int host_bits = 128 - r->prefix;
	uint64_t count = host_bits >= 64 ? UINT64_MAX : (1ull << host_bits);
	/* at most ntaken addresses and the anycast one are in the way: the answer is among the first ntaken +
	 * 3 */
	for (uint64_t i = 0; i < count && i <= ntaken + 2; i++) {
		struct cc_ipv6 a = cc_ipv6_net_host(r, i);
		if (!cc_ipv6_net_contains(net, &a) || cc_ipv6_equal(&a, &net->base))
			continue;
		bool used = false;
		for (size_t k = 0; k < ntaken && !used; k++)
			used = cc_ipv6_equal(&taken[k], &a);
		if (!used) {
			*out = a;
			return true;
		}
	}
	return false;
}

enum cc_ipv6_assign cc_ipv6_assign(const struct cc_ipv6_net *net, const struct cc_ipv6_net *range,
				   const struct cc_ipv6 *taken, size_t ntaken, const char *wanted,
				   struct cc_ipv6 *out)
{
	if (!wanted)
		return cc_ipv6_pick_address(net, range, taken, ntaken, out) ? CC_IPV6_ASSIGNED : CC_IPV6_FULL;
	if (!cc_ipv6_parse(wanted, out) || !cc_ipv6_net_contains(net, out) || cc_ipv6_equal(out, &net->base))
		return CC_IPV6_NOT_IN_SUBNET;
	for (size_t i = 0; i < ntaken; i++)
		if (cc_ipv6_equal(&taken[i], out))
			return CC_IPV6_TAKEN;
	return CC_IPV6_ASSIGNED;
}
