/* IPAM arithmetic (runtime/ipv4.h) and the firewall script the native backend applies (engine/firewall.h). */
#include "unit.h"

#include "engine/firewall.h"
#include "engine/netfiles.h"
#include "runtime/ipv4.h"
#include "runtime/ipv6.h"

#include <stdlib.h>
#include <string.h>

static void test_parse_and_format(void **state)
{
	struct cc_ipv4_net n;
	assert_true(cc_ipv4_net_parse("10.1.2.3/24", &n));
	assert_int_equal(n.prefix, 24);
	char *s = cc_ipv4_net_format(&n);
	assert_string_equal(s, "10.1.2.0/24"); /* host bits cleared */
	free(s);
	assert_false(cc_ipv4_net_parse("10.1.2.0", &n));
	assert_false(cc_ipv4_net_parse("10.1.2.0/31", &n)); /* no room for a gateway and a host */
	assert_false(cc_ipv4_net_parse("10.1.2.0/7", &n));
	assert_false(cc_ipv4_net_parse("10.1.2.0/24x", &n));
	assert_false(cc_ipv4_net_parse("300.1.2.0/24", &n));
	char buf[16];
	assert_string_equal(cc_ipv4_format(cc_ipv4_net_first(&(struct cc_ipv4_net){0x0a010200, 24}), buf),
			    "10.1.2.1");
	assert_string_equal(cc_ipv4_format(cc_ipv4_net_last(&(struct cc_ipv4_net){0x0a010200, 24}), buf),
			    "10.1.2.254");
}

static void test_overlap_and_pick_subnet(void **state)
{
	struct cc_ipv4_net pool, a, b, out;
	cc_ipv4_net_parse("10.89.0.0/16", &pool);
	cc_ipv4_net_parse("10.89.0.0/24", &a);
	cc_ipv4_net_parse("10.0.0.0/8", &b);
	assert_true(cc_ipv4_net_overlaps(&a, &b));
	assert_true(cc_ipv4_net_overlaps(&b, &a));
	struct cc_ipv4_net taken[] = {a, {0x0a590100, 24}};
	assert_true(cc_ipv4_pick_subnet(&pool, taken, 2, &out));
	char *s = cc_ipv4_net_format(&out);
	assert_string_equal(s, "10.89.2.0/24");
	free(s);
	/* a host route covering the whole pool leaves nothing */
	assert_false(cc_ipv4_pick_subnet(&pool, &b, 1, &out));
}

static void test_pick_address(void **state)
{
	struct cc_ipv4_net net, range;
	cc_ipv4_net_parse("10.5.0.0/29", &net); /* hosts .1 to .6 */
	uint32_t taken[] = {0x0a050001, 0x0a050002}, a;
	assert_true(cc_ipv4_pick_address(&net, NULL, taken, 2, &a));
	assert_int_equal(a, 0x0a050003);
	cc_ipv4_net_parse("10.5.0.4/30", &range);
	assert_true(cc_ipv4_pick_address(&net, &range, taken, 2, &a));
	assert_int_equal(a, 0x0a050005); /* .4 is the range's own network address */
	uint32_t all[] = {0x0a050001, 0x0a050002, 0x0a050003, 0x0a050004, 0x0a050005, 0x0a050006};
	assert_false(cc_ipv4_pick_address(&net, NULL, all, 6, &a));
}

static void test_ipv6_parse(void **state)
{
	(void)state;
	struct cc_ipv6_net n;
	assert_true(cc_ipv6_net_parse("fd00:1:2:3::7/64", &n));
	char *s = cc_ipv6_net_format(&n);
	assert_string_equal(s, "fd00:1:2:3::/64"); /* host bits cleared */
	free(s);
	assert_true(cc_ipv6_net_parse("2001:db8::/56", &n));
	assert_false(cc_ipv6_net_parse("fd00::", &n));
	assert_false(cc_ipv6_net_parse("fd00::/125", &n)); /* no room for hosts */
	assert_false(cc_ipv6_net_parse("fd00::/8", &n));
	assert_false(cc_ipv6_net_parse("10.0.0.0/24", &n));
	assert_false(cc_ipv6_net_parse("fd00::/64x", &n));
	struct cc_ipv6_net a, b;
	cc_ipv6_net_parse("fd00:1::/48", &a);
	cc_ipv6_net_parse("fd00:1:0:5::/64", &b);
	assert_true(cc_ipv6_net_overlaps(&a, &b));
	assert_true(cc_ipv6_net_overlaps(&b, &a));
	cc_ipv6_net_parse("fd00:2::/64", &b);
	assert_false(cc_ipv6_net_overlaps(&a, &b));
	struct cc_ipv6 x;
	assert_true(cc_ipv6_parse("fd00:1::ffff", &x));
	assert_true(cc_ipv6_net_contains(&a, &x));
	assert_false(cc_ipv6_net_contains(&b, &x));
	/* host numbers carry across bytes */
	cc_ipv6_net_parse("fd00:1::ff00/120", &b);
	struct cc_ipv6 h = cc_ipv6_net_host(&b, 0x1ff);
	char buf[CC_IPV6_TEXT_MAX];
	assert_string_equal(cc_ipv6_format(&h, buf), "fd00:1::1:ff");
}

static void test_ipv6_pick(void **state)
{
	(void)state;
	struct cc_ipv6_net pool, out, taken[3];
	char buf[CC_IPV6_TEXT_MAX];
	cc_ipv6_net_parse("fd12:3456:789a::/48", &pool);
	assert_true(cc_ipv6_pick_subnet(&pool, NULL, 0, &out));
	char *s = cc_ipv6_net_format(&out);
	assert_string_equal(s, "fd12:3456:789a::/64");
	free(s);
	cc_ipv6_net_parse("fd12:3456:789a::/64", &taken[0]);
	cc_ipv6_net_parse("fd12:3456:789a:1::/64", &taken[1]);
	cc_ipv6_net_parse("fd12:3456:789a:2:8000::/80", &taken[2]); /* a route inside the third */
	assert_true(cc_ipv6_pick_subnet(&pool, taken, 3, &out));
	s = cc_ipv6_net_format(&out);
	assert_string_equal(s, "fd12:3456:789a:3::/64");
	free(s);
	cc_ipv6_net_parse("fd12::/16", &taken[0]); /* the whole pool */
	assert_false(cc_ipv6_pick_subnet(&pool, taken, 1, &out));
	cc_ipv6_net_parse("fd12::/64", &pool);
	assert_false(cc_ipv6_pick_subnet(&pool, NULL, 0, &out)); /* a /64 holds no /64 to pick */

	/* addresses: never the subnet-router anycast address, lowest free first, within a range */
	struct cc_ipv6_net net, range;
	struct cc_ipv6 used[3], a;
	cc_ipv6_net_parse("fd00:9::/64", &net);
	cc_ipv6_parse("fd00:9::1", &used[0]);
	cc_ipv6_parse("fd00:9::2", &used[1]);
	assert_true(cc_ipv6_pick_address(&net, NULL, used, 2, &a));
	assert_string_equal(cc_ipv6_format(&a, buf), "fd00:9::3");
	cc_ipv6_net_parse("fd00:9::100/120", &range);
	assert_true(cc_ipv6_pick_address(&net, &range, used, 2, &a));
	assert_string_equal(cc_ipv6_format(&a, buf), "fd00:9::100");
	range = (struct cc_ipv6_net){net.base, 126}; /* ::0 to ::3, and ::0 is the anycast address */
	cc_ipv6_parse("fd00:9::3", &used[2]);
	assert_false(cc_ipv6_pick_address(&net, &range, used, 3, &a));

	/* an endpoint's address: the wanted one when it is a free host address, else the pick */
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, "fd00:9::42", &a), CC_IPV6_ASSIGNED);
	assert_string_equal(cc_ipv6_format(&a, buf), "fd00:9::42");
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, "fd00:9::2", &a), CC_IPV6_TAKEN);
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, "fd00:9::", &a), CC_IPV6_NOT_IN_SUBNET);
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, "fd00:8::5", &a), CC_IPV6_NOT_IN_SUBNET);
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, "10.0.0.1", &a), CC_IPV6_NOT_IN_SUBNET);
	assert_int_equal(cc_ipv6_assign(&net, &range, used, 3, NULL, &a), CC_IPV6_FULL);
	assert_int_equal(cc_ipv6_assign(&net, NULL, used, 3, NULL, &a), CC_IPV6_ASSIGNED);
	assert_string_equal(cc_ipv6_format(&a, buf), "fd00:9::4");
}

static void test_firewall_script(void **state)
{
	struct native_fw_network nets[] = {{"cc-aaa", "10.89.0.0/24", "fd00:1::/64", false, true},
					   {"cc-bbb", "10.89.1.0/24", NULL, true, true}};
	struct native_fw_port ports[] = {{"tcp", "127.0.0.1", 8080, "10.89.0.2", 80, false},
					 {"udp", NULL, 5353, "10.89.0.2", 53, false},
					 {"tcp", NULL, 8443, "fd00:1::2", 443, true},
					 {"tcp", "fd00:99::1", 8444, "fd00:1::2", 443, true}};
	char *s = native_fw_script("t", nets, 2, ports, 4);
	/* replaced whole, in one transaction */
	assert_non_null(strstr(s, "add table inet t\ndelete table inet t\ntable inet t {"));
	assert_non_null(strstr(s, "ip daddr 127.0.0.1 tcp dport 8080 dnat ip to 10.89.0.2:80"));
	assert_non_null(strstr(s, "    meta nfproto ipv4 udp dport 5353 dnat ip to 10.89.0.2:53"));
	/* IPv6 ports to the container's IPv6 address, except from ::1 (the relay's); hairpins masqueraded */
	assert_non_null(strstr(s, "    ip6 daddr != ::1 tcp dport 8443 dnat ip6 to [fd00:1::2]:443"));
	assert_non_null(strstr(s, "    ip6 daddr fd00:99::1 tcp dport 8444 dnat ip6 to [fd00:1::2]:443"));
	assert_non_null(strstr(s, "oifname \"cc-aaa\" ct status dnat ip6 saddr fd00:1::/64 masquerade"));
	assert_null(strstr(s, "oifname \"cc-bbb\" ct status dnat ip6"));
	assert_non_null(strstr(s, "ip saddr 10.89.0.0/24 oifname != \"cc-aaa\" masquerade"));
	assert_non_null(strstr(s, "ip6 saddr fd00:1::/64 oifname != \"cc-aaa\" masquerade"));
	/* the internal network: no masquerade out, no forwarding out or in, DNS only to the host */
	assert_null(strstr(s, "ip saddr 10.89.1.0/24 oifname != \"cc-bbb\" masquerade"));
	assert_non_null(strstr(s, "iifname \"cc-bbb\" oifname != \"cc-bbb\" drop"));
	assert_non_null(strstr(s, "iifname \"cc-bbb\" meta l4proto { tcp, udp } th dport 53 accept"));
	assert_non_null(
	    strstr(s, "iifname \"cc-bbb\" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"));
	/* no container reaches the host's loopback; networks don't forward to each other, unless DNAT'd */
	assert_non_null(
	    strstr(s, "iifname \"cc-aaa\" ip daddr 127.0.0.0/8 ct state != { established, related } drop"));
	assert_non_null(strstr(s, "iifname \"cc-aaa\" oifname \"cc-bbb\" drop"));
	assert_non_null(strstr(s, "ct status dnat accept"));
	free(s);
	s = native_fw_script("t", NULL, 0, NULL, 0);
	/* the ip family's table of earlier versions goes too */
	assert_string_equal(s, "add table ip t\ndelete table ip t\nadd table inet t\ndelete table inet t\n");
	free(s);
}

/* extra_hosts in both forms, host-gateway, and the full name first with a domainname */
static void test_hosts_text(void **state)
{
	(void)state;
	char e1[] = "db=10.0.0.5", e2[] = "api:10.0.0.6", e3[] = "six=::1", e4[] = "gw=host-gateway",
	     e5[] = "broken", dom[] = "example.com", ip[] = "172.30.0.2", gw[] = "172.30.0.1";
	char *extra[] = {e1, e2, e3, e4, e5, NULL};
	char *gateways[] = {gw, NULL};
	struct cc_container_spec spec = {.extra_hosts = extra, .domainname = dom};
	struct cc_endpoint ep = {.ipv4_address = ip};
	struct cc_container net = {.endpoints = &ep, .nendpoints = 1};
	struct cc_strbuf sb = CC_STRBUF_INIT;
	native_hosts_text(&sb, &spec, &net, "web", gateways);
	const char *t = cc_strbuf_str(&sb);
	assert_non_null(strstr(t, "172.30.0.2\tweb.example.com web\n"));
	assert_non_null(strstr(t, "10.0.0.5\tdb\n"));
	assert_non_null(strstr(t, "10.0.0.6\tapi\n"));
	assert_non_null(strstr(t, "::1\tsix\n"));
	assert_non_null(strstr(t, "172.30.0.1\tgw\n"));
	assert_null(strstr(t, "broken"));
	cc_strbuf_release(&sb);
	/* no network: the loopback alias, and host-gateway is the loopback */
	struct cc_container none = {0};
	struct cc_container_spec plain = {.extra_hosts = extra};
	native_hosts_text(&sb, &plain, &none, "web", NULL);
	t = cc_strbuf_str(&sb);
	assert_non_null(strstr(t, "127.0.1.1\tweb\n"));
	assert_non_null(strstr(t, "127.0.0.1\tgw\n"));
	cc_strbuf_release(&sb);
}

/* the host's search and options stay unless the service sets its own; its nameservers only without ours */
static void test_resolv_text(void **state)
{
	(void)state;
	const char *host =
	    "# generated\nnameserver 10.9.9.9\nsearch corp.example\noptions ndots:2\nsortlist 1.2.3.4\n";
	char gw[] = "172.30.0.1", s1[] = "svc.example", o1[] = "timeout:1";
	char *servers[] = {gw, NULL}, *search[] = {s1, NULL}, *opts[] = {o1, NULL};
	struct cc_strbuf sb = CC_STRBUF_INIT;
	native_resolv_text(&sb, host, servers, NULL, NULL);
	assert_string_equal(cc_strbuf_str(&sb),
			    "nameserver 172.30.0.1\nsearch corp.example\noptions ndots:2\n");
	cc_strbuf_release(&sb);
	native_resolv_text(&sb, host, servers, search, opts);
	assert_string_equal(cc_strbuf_str(&sb),
			    "nameserver 172.30.0.1\nsearch svc.example\noptions timeout:1\n");
	cc_strbuf_release(&sb);
	native_resolv_text(&sb, host, NULL, NULL, NULL);
	assert_string_equal(cc_strbuf_str(&sb),
			    "nameserver 10.9.9.9\nsearch corp.example\noptions ndots:2\n");
	cc_strbuf_release(&sb);
	native_resolv_text(&sb, NULL, NULL, search, NULL);
	assert_string_equal(cc_strbuf_str(&sb), "search svc.example\n");
	cc_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_and_format), cmocka_unit_test(test_overlap_and_pick_subnet),
	    cmocka_unit_test(test_pick_address),     cmocka_unit_test(test_ipv6_parse),
	    cmocka_unit_test(test_ipv6_pick),        cmocka_unit_test(test_firewall_script),
	    cmocka_unit_test(test_hosts_text),       cmocka_unit_test(test_resolv_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
