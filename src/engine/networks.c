/* The native backend's networks: docker's bridge driver on Linux. A record per network in the state store
 * (kind "network": subnet, gateway, bridge name); a Linux bridge per network; each container not on the
 * host's network gets a network namespace of its own (<root>/netns/<id>, created with the container and
 * removed with it) and a veth pair into each of its networks, with an address from the network's subnet.
 * The firewall table (firewall.h) and the DNS server's configuration (dns.h) are derived from the store
 * after every change, in the same transaction, so they say exactly what the store says. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/dns.h"
#include "engine/firewall.h"
#include "engine/native-internal.h"
#include "engine/netlink.h"
#include "engine/portproxy.h"
#include "runtime/codec.h"
#include "runtime/ipv4.h"
#include "runtime/ipv6.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIND        "network"
#define FW_KIND     "firewall" /* the table last applied: see apply_if_changed */
#define OPT_BRIDGE  "com.docker.network.bridge.name"
#define OPT_MTU     "com.docker.network.driver.mtu"
#define OPT_MASQ    "com.docker.network.bridge.enable_ip_masquerade"
#define SUBNET_POOL "10.89.0.0/16" /* /24s from here, as podman allocates them */

static const char *const known_options[] = {OPT_BRIDGE, OPT_MTU, OPT_MASQ, NULL};

char *native_netns_path(const struct native *n, const char *id)
{
	return cc_xasprintf("%s/netns/%s", n->root, id);
}

/* ---- records ---- */

static int decode_network(const char *payload, struct cc_network *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (cc_json_parse(payload, &j, err) < 0)
		return -1;
	int r = cc_network_from_json(j, out, err);
	json_decref(j);
	return r;
}

static int load_network(struct native *n, const char *name, struct cc_network *out, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	memset(out, 0, sizeof(*out));
	if (cc_store_object_get(n->store, CC_NATIVE_BACKEND, KIND, name, &payload, err) < 0) {
		if ((*err)->kind == CC_ERR_NOT_FOUND) {
			cc_error_release(err);
			return cc_error_set(err, CC_ERR_NOT_FOUND, "network %s not found", name);
		}
		return -1;
	}
	return decode_network(payload, out, err);
}

static int save_network(struct native *n, const struct cc_network *net, struct cc_error **err)
{
	cleanup_free char *payload = cc_json_dump_compact(cc_network_to_json(net));
	return cc_store_object_put(n->store, CC_NATIVE_BACKEND, KIND, net->spec.name, payload, err);
}

struct network_set {
	struct cc_network *v;
	size_t n;
	struct cc_error *err;
};

static int collect_network(void *ctx, const char *name, const char *payload)
{
	(void)name;
	struct network_set *s = ctx;
	s->v = cc_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (decode_network(payload, &s->v[s->n], &s->err) < 0)
		return -1;
	s->n++;
	return 0;
}

static int all_networks(struct native *n, struct network_set *s, struct cc_error **err)
{
	memset(s, 0, sizeof(*s));
	if (cc_store_object_each(n->store, CC_NATIVE_BACKEND, KIND, collect_network, s, err) < 0) {
		if (s->err && !*err)
			*err = s->err;
		else
			cc_error_free(s->err);
		cc_networks_free(s->v, s->n);
		return -1;
	}
	return 0;
}

static const struct cc_network *find_network(const struct network_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].spec.name, name) == 0)
			return &s->v[i];
	return NULL;
}

static const char *bridge_of(const struct cc_network *net)
{
	return cc_kvs_get(&net->spec.options, OPT_BRIDGE);
}

/* The host end of a container's veth on a network: unique per (container, network), within IFNAMSIZ. */
static void veth_name(const char *container_id, const char *network_id, char out[16])
{
	cleanup_free char *key = cc_xasprintf("%s/%s", container_id, network_id);
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(key, strlen(key), hex);
	snprintf(out, 16, "ve%.12s", hex);
}

/* ---- firewall and DNS from the store ---- */

static void dns_names(const struct cc_container *c, const struct cc_endpoint *ep, cc_strv *names)
{
	const char *candidates[3] = {c->name, c->spec.hostname, NULL};
	for (size_t i = 0; ep->aliases && ep->aliases[i]; i++)
		if (!cc_strv_contains(*names, ep->aliases[i]))
			cc_strv_push(names, ep->aliases[i]);
	for (size_t i = 0; candidates[i]; i++)
		if (!cc_strv_contains(*names, candidates[i]))
			cc_strv_push(names, candidates[i]);
}

static bool on_network(const struct cc_container *c, const char *network)
{
	for (size_t e = 0; e < c->nendpoints; e++)
		if (strcmp(c->endpoints[e].network, network) == 0)
			return true;
	return false;
}

/* links: "TARGET:ALIAS" in a container on this network names TARGET by ALIAS too. aardvark's names are per
 * network, so the alias is visible to the whole network, not to the linking container alone. */
static void link_aliases(const struct cc_container *target, const char *network,
			 const struct cc_container *cs, size_t ncs, cc_strv *names)
{
	size_t len = strlen(target->name);
	for (size_t i = 0; i < ncs; i++) {
		if (!on_network(&cs[i], network))
			continue;
		for (char *const *l = cs[i].spec.links; l && *l; l++)
			if (strncmp(*l, target->name, len) == 0 && (*l)[len] == ':' &&
			    !cc_strv_contains(*names, *l + len + 1))
				cc_strv_push(names, *l + len + 1);
	}
}

static int sync_dns(struct native *n, const struct network_set *nets, const struct cc_container *cs,
		    size_t ncs, struct cc_error **err)
{
	struct native_dns_network *dn = cc_xcalloc(nets->n + 1, sizeof(*dn));
	size_t ndn = 0;
	for (size_t i = 0; i < nets->n; i++) {
		const struct cc_network *net = &nets->v[i];
		struct native_dns_network *d = &dn[ndn];
		d->name = net->spec.name;
		d->gateway = net->spec.gateway;
		d->gateway6 = net->spec.enable_ipv6 ? net->spec.gateway6 : NULL;
		for (size_t k = 0; k < ncs; k++)
			for (size_t e = 0; e < cs[k].nendpoints; e++) {
				const struct cc_endpoint *ep = &cs[k].endpoints[e];
				if (strcmp(ep->network, net->spec.name) != 0 || !ep->ipv4_address)
					continue;
				d->entries = cc_xrealloc(d->entries, (d->nentries + 1) * sizeof(*d->entries));
				struct native_dns_entry *de = &d->entries[d->nentries++];
				memset(de, 0, sizeof(*de));
				de->id = cs[k].id;
				de->address = ep->ipv4_address;
				de->address6 = ep->ipv6_address;
				dns_names(&cs[k], ep, &de->names);
				link_aliases(&cs[k], net->spec.name, cs, ncs, &de->names);
				de->dns = cs[k].spec.dns;
			}
		/* a network nobody is on needs no server */
		if (d->nentries)
			ndn++;
	}
	cleanup_free char *dir = cc_xasprintf("%s/aardvark", n->root);
	int r = native_dns_sync(dir, dn, ndn, err);
	for (size_t i = 0; i < nets->n; i++) {
		for (size_t k = 0; k < dn[i].nentries; k++)
			cc_strv_free(dn[i].entries[k].names);
		free(dn[i].entries);
	}
	free(dn);
	return r;
}

/* A published port's address families: no host_ip publishes on IPv4 and IPv6 (as docker does), 0.0.0.0 and
 * other IPv4 addresses on IPv4 only, :: and other IPv6 addresses on IPv6 only. */
enum { ON_V4 = 1, ON_V6 = 2 };
static int families_of(const char *host_ip)
{
	return !host_ip ? ON_V4 | ON_V6 : strchr(host_ip, ':') ? ON_V6 : ON_V4;
}

/* The endpoint a container's published ports are forwarded to: its first network that is not internal, as
 * docker never maps a port into an internal network (the host's packets there are dropped, and a web
 * service on an internal "backend" and a public "frontend" would not answer). None when every one is. */
static const struct cc_endpoint *published_endpoint(const struct cc_container *c,
						    const struct network_set *nets)
{
	for (size_t i = 0; i < c->nendpoints; i++) {
		const struct cc_network *net = nets ? find_network(nets, c->endpoints[i].network) : NULL;
		if (!net || !net->spec.internal)
			return &c->endpoints[i];
	}
	return NULL;
}

static const char *published_address(const struct cc_container *c, const struct network_set *nets)
{
	const struct cc_endpoint *ep = published_endpoint(c, nets);
	return ep ? ep->ipv4_address : NULL;
}

/* Its IPv6 address there, when the network has IPv6: IPv6 ports are forwarded to it by a rule, and reach
 * the container with the client's own address. Without one the monitor's relay forwards them to the IPv4
 * address, from the gateway's. */
static const char *published_address6(const struct cc_container *c, const struct network_set *nets)
{
	const struct cc_endpoint *ep = published_endpoint(c, nets);
	return ep ? ep->ipv6_address : NULL;
}

size_t native_net_proxies(struct native *nat, const struct cc_container *c, struct native_proxy_port **out)
{
	*out = cc_xcalloc(c->npublished + 1, sizeof(**out));
	size_t n = 0;
	struct in_addr target;
	struct network_set nets = {0};
	struct cc_error *err = NULL;
	/* the store's connection is shared by the threads of an up: read under its lock */
	if (c->npublished && native_begin_read(nat, &err) == 0) {
		if (all_networks(nat, &nets, &err) < 0)
			memset(&nets, 0, sizeof(nets));
		native_abort(nat);
	}
	cc_error_free(err); /* without the set, the first network, as before it could be read */
	const char *address = published_address(c, nets.v ? &nets : NULL);
	bool ok = address && inet_pton(AF_INET, address, &target) == 1;
	cc_networks_free(nets.v, nets.n);
	if (!ok)
		return 0;
	for (size_t i = 0; i < c->npublished; i++) {
		const struct cc_port_binding *b = &c->published[i];
		if (!(families_of(b->host_ip) & ON_V6))
			continue;
		struct native_proxy_port *p = &(*out)[n];
		p->udp = strcmp(b->protocol, "udp") == 0;
		p->optional = !b->host_ip;
		p->listen = in6addr_any;
		if (b->host_ip && inet_pton(AF_INET6, b->host_ip, &p->listen) != 1)
			continue;
		p->listen_port = b->host_port;
		p->target = target;
		p->target_port = b->container_port;
		n++;
	}
	return n;
}

/* Most changes leave the table as it is: a container without published ports, a second network connected.
 * Replacing it anyway costs an nftables transaction that deletes every rule and chain, and the kernel's wait
 * for their destruction when the socket closes. The store keeps the hash of the script last applied and of
 * the table the kernel listed after it; when the new script and the kernel's table both match, the table is
 * left alone. The listing catches a table changed or deleted behind the engine's back (nft flush ruleset). */
static char *fw_state(struct native *n, const char *table, const char *script_hash)
{
	char listed_hash[CC_SHA256_HEX_LEN + 1];
	cleanup_free char *listed = native_fw_listing(&n->fw, table);
	cc_sha256_hex(listed, strlen(listed), listed_hash);
	return cc_xasprintf("%s %s", script_hash, listed_hash);
}

static int apply_if_changed(struct native *n, const char *table, const char *script, struct cc_error **err)
{
	char script_hash[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(script, strlen(script), script_hash);
	cleanup_free char *now = fw_state(n, table, script_hash);
	cleanup_free char *applied = NULL;
	struct cc_error *e = NULL;
	if (cc_store_object_get(n->store, CC_NATIVE_BACKEND, FW_KIND, table, &applied, &e) < 0)
		cc_error_free(e);
	if (applied && strcmp(applied, now) == 0)
		return 0;
	if (native_fw_apply(&n->fw, script, err) < 0)
		return -1;
	cleanup_free char *after = fw_state(n, table, script_hash);
	return cc_store_object_put(n->store, CC_NATIVE_BACKEND, FW_KIND, table, after, err);
}

static int sync_firewall(struct native *n, const struct network_set *nets, const struct cc_container *cs,
			 size_t ncs, struct cc_error **err)
{
	struct native_fw_network *fn = cc_xcalloc(nets->n + 1, sizeof(*fn));
	for (size_t i = 0; i < nets->n; i++) {
		const char *masq = cc_kvs_get(&nets->v[i].spec.options, OPT_MASQ);
		const struct cc_network_config *s = &nets->v[i].spec;
		fn[i] = (struct native_fw_network){bridge_of(&nets->v[i]), s->subnet,
						   s->enable_ipv6 ? s->subnet6 : NULL, s->internal,
						   !masq || strcmp(masq, "false") != 0};
	}
	size_t np = 0;
	for (size_t k = 0; k < ncs; k++)
		np += published_address(&cs[k], nets) ? 2 * cs[k].npublished : 0;
	struct native_fw_port *fp = cc_xcalloc(np + 1, sizeof(*fp));
	np = 0;
	for (size_t k = 0; k < ncs; k++)
		for (size_t i = 0; published_address(&cs[k], nets) && i < cs[k].npublished; i++) {
			const struct cc_port_binding *b = &cs[k].published[i];
			int families = families_of(b->host_ip);
			if (families & ON_V4)
				fp[np++] = (struct native_fw_port){
				    b->protocol,       b->host_ip,
				    b->host_port,      published_address(&cs[k], nets),
				    b->container_port, false};
			if ((families & ON_V6) && published_address6(&cs[k], nets) &&
			    !(b->host_ip && strcmp(b->host_ip, "::1") == 0))
				fp[np++] = (struct native_fw_port){
				    b->protocol,       b->host_ip,
				    b->host_port,      published_address6(&cs[k], nets),
				    b->container_port, true};
		}
	cleanup_free char *table = native_fw_table(n->root);
	cleanup_free char *script = native_fw_script(table, fn, nets->n, fp, np);
	free(fn);
	free(fp);
	return apply_if_changed(n, table, script, err);
}

/* Namespaces whose container has no record: left by a CLI killed between making them and committing. Their
 * veth pairs go with them. */
static void collect_orphans(struct native *n, const struct cc_container *cs, size_t ncs)
{
	cleanup_free char *dir = cc_xasprintf("%s/netns", n->root);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		bool known = de->d_name[0] == '.';
		for (size_t i = 0; !known && i < ncs; i++)
			known = strcmp(cs[i].id, de->d_name) == 0;
		if (!known) {
			cleanup_free char *path = cc_xasprintf("%s/%s", dir, de->d_name);
			native_netns_delete(path);
		}
	}
	closedir(d);
}

int native_net_sync(struct native *n, struct cc_error **err)
{
	struct network_set nets;
	if (all_networks(n, &nets, err) < 0)
		return -1;
	struct cc_container *cs = NULL;
	size_t ncs = 0;
	int r = native_all_containers(n, &cs, &ncs, err);
	if (r == 0)
		collect_orphans(n, cs, ncs);
	if (r == 0)
		r = sync_firewall(n, &nets, cs, ncs, err);
	if (r == 0)
		r = sync_dns(n, &nets, cs, ncs, err);
	cc_containers_free(cs, ncs);
	cc_networks_free(nets.v, nets.n);
	return r;
}

/* ---- addresses and ports ---- */

static int allocate_address(const struct cc_network *net, const struct cc_container *cs, size_t ncs,
			    const struct cc_container *self, const char *wanted, char **out,
			    struct cc_error **err)
{
	struct cc_ipv4_net subnet, range;
	uint32_t gateway;
	if (!cc_ipv4_net_parse(net->spec.subnet, &subnet) || !cc_ipv4_parse(net->spec.gateway, &gateway))
		return cc_error_set(err, CC_ERR_INTERNAL, "network %s has no usable subnet", net->spec.name);
	bool ranged = net->spec.ip_range && cc_ipv4_net_parse(net->spec.ip_range, &range);
	size_t cap = 1 + self->nendpoints, k = 0;
	for (size_t i = 0; i < ncs; i++)
		cap += cs[i].nendpoints;
	uint32_t *taken = cc_xcalloc(cap, sizeof(*taken));
	taken[k++] = gateway;
	for (size_t i = 0; i <= ncs; i++) {
		const struct cc_container *c = i < ncs ? &cs[i] : self;
		if (i < ncs && strcmp(c->id, self->id) == 0)
			continue; /* its record as stored: the endpoints being planned are in self */
		for (size_t e = 0; e < c->nendpoints; e++) {
			uint32_t a;
			if (strcmp(c->endpoints[e].network, net->spec.name) == 0 &&
			    cc_ipv4_parse(c->endpoints[e].ipv4_address, &a))
				taken[k++] = a;
		}
	}
	uint32_t a = 0;
	int r = 0;
	if (wanted) {
		if (!cc_ipv4_parse(wanted, &a) || !cc_ipv4_net_contains(&subnet, a) ||
		    a < cc_ipv4_net_first(&subnet) || a > cc_ipv4_net_last(&subnet))
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "ipv4_address %s is not in the subnet %s of network %s", wanted,
					 net->spec.subnet, net->spec.name);
		for (size_t i = 0; r == 0 && i < k; i++)
			if (taken[i] == a)
				r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
						 "address %s is already in use on network %s", wanted,
						 net->spec.name);
	} else if (!cc_ipv4_pick_address(&subnet, ranged ? &range : NULL, taken, k, &a)) {
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "no available IPv4 addresses on network %s",
				 net->spec.name);
	}
	free(taken);
	if (r == 0) {
		char buf[16];
		*out = cc_xstrdup(cc_ipv4_format(a, buf));
	}
	return r;
}

static int allocate_address6(const struct cc_network *net, const struct cc_container *cs, size_t ncs,
			     const struct cc_container *self, const char *wanted, char **out,
			     struct cc_error **err)
{
	struct cc_ipv6_net subnet, range;
	struct cc_ipv6 gateway;
	if (!cc_ipv6_net_parse(net->spec.subnet6, &subnet) || !cc_ipv6_parse(net->spec.gateway6, &gateway))
		return cc_error_set(err, CC_ERR_INTERNAL, "network %s has no usable IPv6 subnet",
				    net->spec.name);
	bool ranged = net->spec.ip_range6 && cc_ipv6_net_parse(net->spec.ip_range6, &range);
	size_t cap = 1 + self->nendpoints, k = 0;
	for (size_t i = 0; i < ncs; i++)
		cap += cs[i].nendpoints;
	struct cc_ipv6 *taken = cc_xcalloc(cap, sizeof(*taken));
	taken[k++] = gateway;
	for (size_t i = 0; i <= ncs; i++) {
		const struct cc_container *c = i < ncs ? &cs[i] : self;
		if (i < ncs && strcmp(c->id, self->id) == 0)
			continue; /* its record as stored: the endpoints being planned are in self */
		for (size_t e = 0; e < c->nendpoints; e++)
			if (strcmp(c->endpoints[e].network, net->spec.name) == 0 &&
			    cc_ipv6_parse(c->endpoints[e].ipv6_address, &taken[k]))
				k++;
	}
	struct cc_ipv6 a;
	int r = 0;
	switch (cc_ipv6_assign(&subnet, ranged ? &range : NULL, taken, k, wanted, &a)) {
	case CC_IPV6_ASSIGNED:
		break;
	case CC_IPV6_NOT_IN_SUBNET:
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				 "ipv6_address %s is not in the subnet %s of network %s", wanted,
				 net->spec.subnet6, net->spec.name);
		break;
	case CC_IPV6_TAKEN:
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "address %s is already in use on network %s",
				 wanted, net->spec.name);
		break;
	case CC_IPV6_FULL:
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "no available IPv6 addresses on network %s",
				 net->spec.name);
		break;
	}
	free(taken);
	if (r == 0) {
		char buf[CC_IPV6_TEXT_MAX];
		*out = cc_xstrdup(cc_ipv6_format(&a, buf));
	}
	return r;
}

/* An endpoint's addresses on `net`: IPv4 always, IPv6 on a dual-stack network. */
static int allocate_endpoint(const struct cc_network *net, const struct cc_container *cs, size_t ncs,
			     const struct cc_container *self, const struct cc_endpoint *want, char **v4,
			     char **v6, struct cc_error **err)
{
	*v4 = *v6 = NULL;
	const char *wanted6 = want ? want->ipv6_address : NULL;
	if (wanted6 && !net->spec.enable_ipv6)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "ipv6_address %s: network %s does not have IPv6 enabled (enable_ipv6)",
				    wanted6, net->spec.name);
	if (allocate_address(net, cs, ncs, self, want ? want->ipv4_address : NULL, v4, err) < 0)
		return -1;
	if (net->spec.enable_ipv6 && allocate_address6(net, cs, ncs, self, wanted6, v6, err) < 0) {
		free(*v4);
		*v4 = NULL;
		return -1;
	}
	return 0;
}

static bool same_ip(const char *a, const char *b)
{
	if (!(families_of(a) & families_of(b)))
		return false;
	bool any_a = !a || strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
	bool any_b = !b || strcmp(b, "0.0.0.0") == 0 || strcmp(b, "::") == 0;
	return any_a || any_b || strcmp(a, b) == 0;
}

/* Can the host give us this port on one family? 0: yes, with the port chosen when *port was 0. */
static int family_port_free(int family, bool udp, const char *host_ip, uint16_t *port)
{
	int fd = socket(family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(*port);
		if (host_ip && inet_pton(AF_INET6, host_ip, &sa->sin6_addr) != 1) {
			close(fd);
			return -EINVAL;
		}
		len = sizeof(*sa);
	} else {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
		uint32_t ip = 0;
		if (host_ip && !cc_ipv4_parse(host_ip, &ip)) {
			close(fd);
			return -EINVAL;
		}
		sa->sin_family = AF_INET;
		sa->sin_port = htons(*port);
		sa->sin_addr.s_addr = htonl(ip);
		len = sizeof(*sa);
	}
	int r = bind(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
	if (r == 0 && *port == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	close(fd);
	return r;
}

/* Can the host give us this port on each of the address's families? 0: yes, with the port chosen when *port
 * was 0; else -errno, with *on_v6 saying which side refused. The IPv6 half of an address-less port is
 * skipped where the host has no IPv6. */
static int host_port_free(const char *proto, const char *host_ip, uint16_t *port, bool *on_v6)
{
	bool udp = strcmp(proto, "udp") == 0;
	int fam = families_of(host_ip);
	int r = 0;
	*on_v6 = false;
	if (fam & ON_V4)
		r = family_port_free(AF_INET, udp, host_ip, port);
	if (r == 0 && (fam & ON_V6)) {
		r = family_port_free(AF_INET6, udp, host_ip, port);
		if (!host_ip && (r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL))
			r = 0;
		*on_v6 = r < 0;
	}
	return r;
}

static const char *port_owner(const struct cc_container *cs, size_t ncs, const struct cc_container *self,
			      const char *proto, const char *host_ip, uint16_t port)
{
	for (size_t i = 0; i < ncs; i++) {
		if (strcmp(cs[i].id, self->id) == 0)
			continue;
		for (size_t k = 0; k < cs[i].npublished; k++) {
			const struct cc_port_binding *b = &cs[i].published[k];
			if (b->host_port == port && strcmp(b->protocol, proto) == 0 &&
			    same_ip(b->host_ip, host_ip))
				return cs[i].name;
		}
	}
	for (size_t k = 0; k < self->npublished; k++) {
		const struct cc_port_binding *b = &self->published[k];
		if (b->host_port == port && strcmp(b->protocol, proto) == 0 && same_ip(b->host_ip, host_ip))
			return self->name;
	}
	return NULL;
}

static int publish(const struct cc_port_binding *want, const struct cc_container *cs, size_t ncs,
		   struct cc_container *self, struct cc_error **err)
{
	const char *proto = want->protocol[0] ? want->protocol : "tcp";
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "publishing %s ports is not supported by the native backend (tcp and udp are)", proto);
	const char *ip = want->host_ip && *want->host_ip ? want->host_ip : NULL;
	uint32_t parsed;
	struct in6_addr parsed6;
	if (ip && !cc_ipv4_parse(ip, &parsed) && inet_pton(AF_INET6, ip, &parsed6) != 1)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "host_ip %s: not an IPv4 or IPv6 address",
				    ip);
	uint16_t first = want->host_port, last = want->host_port_end ? want->host_port_end : want->host_port;
	if (last < first)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "published port range %u-%u is empty",
				    first, last);
	uint16_t chosen = 0;
	const char *owner = NULL;
	int sys = -EADDRINUSE; /* an ephemeral search that finds only claimed ports */
	bool on_v6 = false;    /* the IPv6 side refused it */
	if (first == 0) {
		/* an ephemeral port the host is not using and no container has claimed */
		for (int tries = 0; tries < 64 && !chosen; tries++) {
			uint16_t p = 0;
			if ((sys = host_port_free(proto, ip, &p, &on_v6)) < 0)
				break;
			if (!port_owner(cs, ncs, self, proto, ip, p))
				chosen = p;
			else
				sys = -EADDRINUSE;
		}
	} else {
		for (uint32_t p = first; p <= last && !chosen; p++) {
			uint16_t port = (uint16_t)p;
			owner = port_owner(cs, ncs, self, proto, ip, port);
			if (!owner && (sys = host_port_free(proto, ip, &port, &on_v6)) == 0)
				chosen = port;
		}
	}
	if (!chosen) {
		char host[64], ports[16], where[96];
		bool v6 = (ip && strchr(ip, ':')) || (!owner && on_v6);
		const char *shown = ip ? ip : v6 ? "::" : "0.0.0.0";
		snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", shown);
		snprintf(ports, sizeof(ports), first == last ? "%u" : "%u-%u", first, last);
		snprintf(where, sizeof(where), "%s:%s/%s", host, ports, proto);
		if (owner)
			return cc_error_set(err, CC_ERR_ALREADY_EXISTS,
					    "Bind for %s failed: port is already allocated (by container %s)",
					    where, owner);
		return cc_error_set(err, sys == -EADDRINUSE ? CC_ERR_ALREADY_EXISTS : CC_ERR_BACKEND_FAILURE,
				    "Bind for %s failed: %s", where,
				    sys == -EADDRINUSE ? "address already in use on the host"
						       : strerror(-sys));
	}
	self->published = cc_xrealloc(self->published, (self->npublished + 1) * sizeof(*self->published));
	struct cc_port_binding *b = &self->published[self->npublished++];
	memset(b, 0, sizeof(*b));
	b->host_ip = ip ? cc_xstrdup(ip) : NULL;
	b->host_port = chosen;
	b->container_port = want->container_port;
	snprintf(b->protocol, sizeof(b->protocol), "%s", proto);
	return 0;
}

/* Takes address and address6. */
static void endpoint_add(struct cc_container *c, const char *network, char *const *aliases, char *address,
			 char *address6, const char *mac)
{
	c->endpoints = cc_xrealloc(c->endpoints, (c->nendpoints + 1) * sizeof(*c->endpoints));
	struct cc_endpoint *ep = &c->endpoints[c->nendpoints++];
	memset(ep, 0, sizeof(*ep));
	ep->network = cc_xstrdup(network);
	ep->aliases = cc_strv_copy(aliases);
	ep->ipv4_address = address;
	ep->ipv6_address = address6;
	if (mac) {
		ep->mac_address = cc_xstrdup(mac);
	} else {
		/* docker's: 02:42 and the address */
		ep->mac_address = cc_ipv4_docker_mac(address);
	}
}

const char *native_net_joined(const struct cc_container *c)
{
	const char *mode = c->spec.network_mode;
	return mode && strncmp(mode, "container:", 10) == 0 ? mode + 10 : NULL;
}

static bool own_namespace(const struct cc_container *c)
{
	const char *mode = c->spec.network_mode;
	return !(mode && strcmp(mode, "host") == 0) && !native_net_joined(c);
}

int native_net_plan(struct native *n, struct cc_container *c, struct cc_error **err)
{
	const char *mode = c->spec.network_mode;
	if (native_net_joined(c) && c->spec.nports)
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "conflicting options: port publishing and the container type network mode");
	if (!own_namespace(c))
		return 0;
	/* ports go to a network address: without one they would be silently dropped */
	bool no_network = (mode && strcmp(mode, "none") == 0) || (!mode && !c->spec.nnetworks);
	if (no_network && c->spec.nports)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "published ports on a container without a network are not supported by the native "
		    "backend (it has no default bridge network): attach the container to a network");
	if (mode && strcmp(mode, "none") == 0)
		return 0;
	struct network_set nets;
	if (all_networks(n, &nets, err) < 0)
		return -1;
	struct cc_container *cs = NULL;
	size_t ncs = 0;
	int r = native_all_containers(n, &cs, &ncs, err);
	/* network_mode naming a network: that network alone */
	struct cc_endpoint by_mode = {.network = (char *)mode};
	const struct cc_endpoint *want = mode ? &by_mode : c->spec.networks;
	size_t nwant = mode ? 1 : c->spec.nnetworks;
	for (size_t i = 0; r == 0 && i < nwant; i++) {
		const struct cc_network *net = find_network(&nets, want[i].network);
		char *address = NULL, *address6 = NULL;
		if (!net)
			r = cc_error_set(
			    err, CC_ERR_NOT_FOUND, "network %s not found%s", want[i].network,
			    mode && strcmp(mode, "bridge") == 0
				? " (the native engine has no default bridge network: drop network_mode "
				  "and the service joins the project's default network)"
				: "");
		else
			r = allocate_endpoint(net, cs, ncs, c, &want[i], &address, &address6, err);
		if (r == 0)
			endpoint_add(c, net->spec.name, want[i].aliases, address, address6,
				     want[i].mac_address);
	}
	for (size_t i = 0; r == 0 && c->nendpoints && i < c->spec.nports; i++)
		r = publish(&c->spec.ports[i], cs, ncs, c, err);
	if (ncs || r == 0)
		cc_containers_free(cs, ncs);
	cc_networks_free(nets.v, nets.n);
	return r;
}

/* ---- the kernel side of a container ---- */

static int make_bridge(const struct cc_network *net, bool *made, struct cc_error **err)
{
	struct cc_ipv4_net subnet;
	struct cc_ipv6_net subnet6 = {0};
	struct cc_ipv6 gw6;
	uint32_t gw;
	cc_ipv4_net_parse(net->spec.subnet, &subnet);
	cc_ipv4_parse(net->spec.gateway, &gw);
	bool v6 = net->spec.enable_ipv6 && cc_ipv6_net_parse(net->spec.subnet6, &subnet6) &&
		  cc_ipv6_parse(net->spec.gateway6, &gw6);
	const char *mtu = cc_kvs_get(&net->spec.options, OPT_MTU);
	struct native_bridge b = {.name = bridge_of(net),
				  .gateway = gw,
				  .prefix = subnet.prefix,
				  .gateway6 = v6 ? &gw6 : NULL,
				  .prefix6 = subnet6.prefix,
				  .mtu = mtu ? atoi(mtu) : 0};
	return native_bridge_ensure(&b, made, err);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	if (!s || sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* ifname NULL: the first free ethN */
static int attach(struct native *n, const struct cc_container *c, const struct cc_endpoint *ep,
		  const struct cc_network *net, const char *ifname, bool default_route, struct cc_error **err)
{
	struct cc_ipv4_net subnet;
	uint32_t address, gateway;
	struct cc_ipv6_net subnet6;
	struct cc_ipv6 address6, gateway6;
	bool v6 = ep->ipv6_address != NULL;
	if (!cc_ipv4_net_parse(net->spec.subnet, &subnet) || !cc_ipv4_parse(net->spec.gateway, &gateway) ||
	    !cc_ipv4_parse(ep->ipv4_address, &address) ||
	    (v6 &&
	     (!cc_ipv6_net_parse(net->spec.subnet6, &subnet6) ||
	      !cc_ipv6_parse(net->spec.gateway6, &gateway6) || !cc_ipv6_parse(ep->ipv6_address, &address6))))
		return cc_error_set(err, CC_ERR_INTERNAL, "network %s: bad address record", net->spec.name);
	char host[16];
	veth_name(c->id, net->id, host);
	cleanup_free char *ns = native_netns_path(n, c->id);
	const char *mtu = cc_kvs_get(&net->spec.options, OPT_MTU);
	struct native_veth v = {.host_name = host,
				.bridge = bridge_of(net),
				.netns = ns,
				.ifname = ifname,
				.address = address,
				.prefix = subnet.prefix,
				.gateway = gateway,
				.default_route = default_route,
				.address6 = v6 ? &address6 : NULL,
				.prefix6 = v6 ? subnet6.prefix : 0,
				.gateway6 = v6 ? &gateway6 : NULL,
				.mtu = mtu ? atoi(mtu) : 0};
	if (parse_mac(ep->mac_address, v.mac) < 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid mac_address %s", ep->mac_address);
	return native_veth_attach(&v, err);
}

static void detach(const struct cc_container *c, const struct cc_network *net)
{
	char host[16];
	veth_name(c->id, net->id, host);
	struct cc_error *e = NULL;
	if (native_link_delete(host, &e) < 0)
		cc_error_free(e);
}

void native_net_teardown(struct native *n, const struct cc_container *c)
{
	if (!own_namespace(c))
		return;
	/* Only the namespace is removed: the kernel destroys a dead namespace's interfaces (and with them the
	 * host ends of the veth pairs) in the background, where deleting each link here would wait out an RCU
	 * grace period per interface (tens of milliseconds). */
	cleanup_free char *ns = native_netns_path(n, c->id);
	native_netns_delete(ns);
}

int native_net_setup(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	if (!own_namespace(c))
		return 0;
	cleanup_free char *dir = cc_xasprintf("%s/netns", n->root);
	cleanup_free char *ns = native_netns_path(n, c->id);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", dir);
	if (native_netns_exists(ns))
		return 0;
	unlink(ns);
	if (native_netns_create(ns, err) < 0)
		return -1;
	bool routed = false, routed6 = false;
	int r = 0;
	for (size_t i = 0; r == 0 && i < c->nendpoints; i++) {
		struct cc_network net;
		r = load_network(n, c->endpoints[i].network, &net, err);
		if (r < 0)
			break;
		/* a bridge lost with a reboot (or deleted by hand) is made again from its record */
		bool made = false;
		if (!native_link_exists(bridge_of(&net)) && make_bridge(&net, &made, err) < 0) {
			cc_network_release(&net);
			r = -1;
			break;
		}
		bool route = !routed && !net.spec.internal;
		routed = routed || route;
		routed6 = routed6 || (route && c->endpoints[i].ipv6_address);
		char ifname[16];
		snprintf(ifname, sizeof(ifname), "eth%u", (unsigned)(i % 1000));
		r = attach(n, c, &c->endpoints[i], &net, ifname, route, err);
		cc_network_release(&net);
	}
	if (r == 0 && c->nendpoints)
		r = native_ip_forward_enable(routed6, err);
	if (r < 0)
		native_net_teardown(n, c);
	return r;
}

int native_net_nameservers(struct native *n, const struct cc_container *c, cc_strv *out,
			   struct cc_error **err)
{
	for (size_t i = 0; i < c->nendpoints; i++) {
		struct cc_network net;
		if (load_network(n, c->endpoints[i].network, &net, err) < 0)
			return -1;
		if (!cc_strv_contains(*out, net.spec.gateway))
			cc_strv_push(out, net.spec.gateway);
		cc_network_release(&net);
	}
	return 0;
}

/* ---- the runtime's network operations ---- */

static void members(const struct cc_container *cs, size_t ncs, struct cc_network *net)
{
	for (size_t i = 0; i < ncs; i++)
		for (size_t k = 0; k < cs[i].nendpoints; k++)
			if (strcmp(cs[i].endpoints[k].network, net->spec.name) == 0) {
				const struct cc_endpoint *ep = &cs[i].endpoints[k];
				cc_kvs_set(&net->containers, cs[i].name,
					   ep->ipv4_address ? ep->ipv4_address : "");
				if (ep->ipv6_address)
					cc_kvs_set(&net->containers6, cs[i].name, ep->ipv6_address);
				if (ep->mac_address)
					cc_kvs_set(&net->macs, cs[i].name, ep->mac_address);
			}
}

int native_network_list(void *self, struct cc_network **out, size_t *count, struct cc_error **err)
{
	struct native *n = self;
	struct network_set nets;
	if (native_begin(n, err) < 0)
		return -1;
	if (all_networks(n, &nets, err) < 0) {
		native_abort(n);
		return -1;
	}
	struct cc_container *cs = NULL;
	size_t ncs = 0;
	int r = native_all_containers(n, &cs, &ncs, err);
	native_abort(n); /* read only */
	if (r < 0) {
		cc_networks_free(nets.v, nets.n);
		return -1;
	}
	for (size_t i = 0; i < nets.n; i++)
		members(cs, ncs, &nets.v[i]);
	cc_containers_free(cs, ncs);
	*out = nets.v;
	*count = nets.n;
	return 0;
}

int native_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err)
{
	struct network_set nets;
	if (native_network_list(self, &nets.v, &nets.n, err) < 0)
		return -1;
	/* a name, else a unique prefix of an id */
	size_t found = nets.n, prefixed = 0;
	for (size_t i = 0; i < nets.n && found == nets.n; i++)
		if (strcmp(nets.v[i].spec.name, name) == 0)
			found = i;
	for (size_t i = 0; *name && found == nets.n && i < nets.n; i++)
		if (strncmp(nets.v[i].id, name, strlen(name)) == 0 && ++prefixed == 1)
			found = i;
	for (size_t i = found + 1; *name && prefixed == 1 && i < nets.n; i++)
		if (strncmp(nets.v[i].id, name, strlen(name)) == 0)
			prefixed++;
	int r = 0;
	if (found == nets.n)
		r = cc_error_set(err, CC_ERR_NOT_FOUND, "network %s not found", name);
	else if (prefixed > 1)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "network id prefix %s is ambiguous", name);
	if (r == 0) {
		*out = nets.v[found];
		memset(&nets.v[found], 0, sizeof(nets.v[found]));
	}
	cc_networks_free(nets.v, nets.n);
	return r;
}

static int network_event(struct native *n, const char *action, const struct cc_network *net,
			 const char *container, struct cc_error **err)
{
	int64_t now = cc_now_ns();
	struct cc_event e = {.time_ns = now,
			     .type = (char *)"network",
			     .action = (char *)action,
			     .id = net->id,
			     .name = net->spec.name};
	cc_kvs_copy(&e.attributes, &net->spec.labels);
	cc_kvs_set(&e.attributes, "type", "bridge");
	if (container)
		cc_kvs_set(&e.attributes, "container", container);
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	cc_kvs_release(&e.attributes);
	return cc_store_event_append(n->store, CC_NATIVE_BACKEND, now, payload, NULL, err);
}

/* Subnets in use: the host's routes (other than the default one) and every network's. */
static size_t taken_subnets(const struct network_set *nets, struct cc_ipv4_net **out)
{
	size_t n = 0;
	*out = cc_xcalloc(nets->n + 1, sizeof(**out));
	for (size_t i = 0; i < nets->n; i++)
		if (cc_ipv4_net_parse(nets->v[i].spec.subnet, &(*out)[n]))
			n++;
	FILE *f = fopen("/proc/net/route", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		char ifname[32];
		unsigned dst, gw, flags, mask;
		if (sscanf(line, "%31s %x %x %x %*d %*d %*d %x", ifname, &dst, &gw, &flags, &mask) != 5 ||
		    !mask)
			continue;
		*out = cc_xrealloc(*out, (n + 1) * sizeof(**out));
		uint32_t m = ntohl(mask);
		int prefix = __builtin_popcount(m);
		(*out)[n++] = (struct cc_ipv4_net){ntohl(dst) & m, prefix};
	}
	if (f)
		fclose(f);
	return n;
}

static int check_options(const struct cc_network_config *cfg, struct cc_error **err)
{
	for (size_t i = 0; i < cfg->options.n; i++) {
		const char *k = cfg->options.items[i].key;
		bool known = false;
		for (const char *const *o = known_options; *o && !known; o++)
			known = strcmp(*o, k) == 0;
		if (!known)
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "network %s: driver option %s is not supported by the native bridge "
			    "driver (supported: %s, %s, %s)",
			    cfg->name, k, OPT_BRIDGE, OPT_MTU, OPT_MASQ);
	}
	const char *br = cc_kvs_get(&cfg->options, OPT_BRIDGE);
	if (br && (!*br || strlen(br) > 15))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "network %s: bridge name \"%s\" must have 1 to 15 characters", cfg->name,
				    br);
	const char *mtu = cc_kvs_get(&cfg->options, OPT_MTU);
	if (mtu && (atoi(mtu) < 68 || atoi(mtu) > 65535))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "network %s: invalid mtu %s", cfg->name,
				    mtu);
	return 0;
}

/* Subnet, gateway and range: the configured ones checked, or the first free /24 of the pool. */
static int address_plan(const struct cc_network_config *cfg, const struct network_set *nets,
			struct cc_network *net, struct cc_error **err)
{
	struct cc_ipv4_net subnet, range;
	uint32_t gw;
	if (cfg->subnet) {
		if (!cc_ipv4_net_parse(cfg->subnet, &subnet))
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "network %s: invalid subnet %s: expected an IPv4 CIDR with a prefix "
			    "of 8 to 30 bits, such as 10.1.0.0/24",
			    cfg->name, cfg->subnet);
		for (size_t i = 0; i < nets->n; i++) {
			struct cc_ipv4_net other;
			if (cc_ipv4_net_parse(nets->v[i].spec.subnet, &other) &&
			    cc_ipv4_net_overlaps(&subnet, &other))
				return cc_error_set(err, CC_ERR_ALREADY_EXISTS,
						    "network %s: subnet %s overlaps with network %s (%s)",
						    cfg->name, cfg->subnet, nets->v[i].spec.name,
						    nets->v[i].spec.subnet);
		}
	} else {
		struct cc_ipv4_net pool, *taken;
		cc_ipv4_net_parse(SUBNET_POOL, &pool);
		size_t nt = taken_subnets(nets, &taken);
		bool ok = cc_ipv4_pick_subnet(&pool, taken, nt, &subnet);
		free(taken);
		if (!ok)
			return cc_error_set(
			    err, CC_ERR_INVALID_STATE,
			    "network %s: no free subnet left in %s: give one with ipam.config", cfg->name,
			    SUBNET_POOL);
	}
	if (cfg->gateway) {
		if (!cc_ipv4_parse(cfg->gateway, &gw) || !cc_ipv4_net_contains(&subnet, gw))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "network %s: gateway %s is not an address of the subnet",
					    cfg->name, cfg->gateway);
	} else {
		gw = cc_ipv4_net_first(&subnet);
	}
	if (cfg->ip_range && (!cc_ipv4_net_parse(cfg->ip_range, &range) ||
			      !cc_ipv4_net_overlaps(&range, &subnet) || range.prefix < subnet.prefix))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "network %s: ip_range %s is not a part of the subnet", cfg->name,
				    cfg->ip_range);
	char buf[16];
	net->spec.subnet = cc_ipv4_net_format(&subnet);
	net->spec.gateway = cc_xstrdup(cc_ipv4_format(gw, buf));
	net->spec.ip_range = cfg->ip_range ? cc_xstrdup(cfg->ip_range) : NULL;
	return 0;
}

/* IPv6 subnets in use: the host's routes (other than default ones) and every network's. */
static size_t taken_subnets6(const struct network_set *nets, struct cc_ipv6_net **out)
{
	size_t n = 0;
	*out = cc_xcalloc(nets->n + 1, sizeof(**out));
	for (size_t i = 0; i < nets->n; i++)
		if (cc_ipv6_net_parse(nets->v[i].spec.subnet6, &(*out)[n]))
			n++;
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char dst[33];
	unsigned prefix;
	while (f && fscanf(f, "%32s %x %*[^\n]", dst, &prefix) == 2) {
		struct cc_ipv6 a;
		for (int i = 0; i < 16; i++) {
			unsigned byte;
			sscanf(dst + 2 * i, "%2x", &byte);
			a.b[i] = (uint8_t)byte;
		}
		if (!prefix || prefix > 128)
			continue;
		*out = cc_xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = (struct cc_ipv6_net){a, (int)prefix};
	}
	if (f)
		fclose(f);
	return n;
}

/* The state root's unique local /48 (RFC 4193): fd and 40 bits of the root's hash, so two roots on one host
 * (or two hosts) do not pick the same subnets, and one root always picks the same. */
static struct cc_ipv6_net ula_pool(const char *root)
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(root, strlen(root), hex);
	struct cc_ipv6_net pool = {{{0xfd}}, 48};
	for (int i = 0; i < 5; i++)
		sscanf(hex + 2 * i, "%2hhx", &pool.base.b[1 + i]);
	return pool;
}

/* The IPv6 subnet, gateway and range of a dual-stack network: the configured ones checked, or the first free
 * /64 of the root's ULA prefix. */
static int address_plan6(const char *root, const struct cc_network_config *cfg,
			 const struct network_set *nets, struct cc_network *net, struct cc_error **err)
{
	if (!cfg->enable_ipv6)
		return 0; /* an IPv6 pool without it never gets here (cc_rt_network_create) */
	struct cc_ipv6_net subnet, range;
	struct cc_ipv6 gw;
	if (cfg->subnet6) {
		if (!cc_ipv6_net_parse(cfg->subnet6, &subnet))
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "network %s: invalid subnet %s: expected an IPv6 CIDR with a prefix "
			    "of 16 to 124 bits, such as fd00:1::/64",
			    cfg->name, cfg->subnet6);
		for (size_t i = 0; i < nets->n; i++) {
			struct cc_ipv6_net other;
			if (cc_ipv6_net_parse(nets->v[i].spec.subnet6, &other) &&
			    cc_ipv6_net_overlaps(&subnet, &other))
				return cc_error_set(err, CC_ERR_ALREADY_EXISTS,
						    "network %s: subnet %s overlaps with network %s (%s)",
						    cfg->name, cfg->subnet6, nets->v[i].spec.name,
						    nets->v[i].spec.subnet6);
		}
	} else {
		struct cc_ipv6_net pool = ula_pool(root), *taken;
		size_t nt = taken_subnets6(nets, &taken);
		bool ok = cc_ipv6_pick_subnet(&pool, taken, nt, &subnet);
		free(taken);
		if (!ok)
			return cc_error_set(err, CC_ERR_INVALID_STATE,
					    "network %s: no free IPv6 subnet left: give one with ipam.config",
					    cfg->name);
	}
	if (cfg->gateway6) {
		if (!cc_ipv6_parse(cfg->gateway6, &gw) || !cc_ipv6_net_contains(&subnet, &gw) ||
		    cc_ipv6_equal(&gw, &subnet.base))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "network %s: gateway %s is not a host address of the subnet",
					    cfg->name, cfg->gateway6);
	} else {
		gw = cc_ipv6_net_host(&subnet, 1);
	}
	if (cfg->ip_range6 && (!cc_ipv6_net_parse(cfg->ip_range6, &range) ||
			       !cc_ipv6_net_overlaps(&range, &subnet) || range.prefix < subnet.prefix))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "network %s: ip_range %s is not a part of the subnet", cfg->name,
				    cfg->ip_range6);
	char buf[CC_IPV6_TEXT_MAX];
	net->spec.enable_ipv6 = true;
	net->spec.subnet6 = cc_ipv6_net_format(&subnet);
	net->spec.gateway6 = cc_xstrdup(cc_ipv6_format(&gw, buf));
	net->spec.ip_range6 = cfg->ip_range6 ? cc_xstrdup(cfg->ip_range6) : NULL;
	return 0;
}

int native_network_create(void *self, const struct cc_network_config *cfg, char **id_out,
			  struct cc_error **err)
{
	struct native *n = self;
	if (cfg->driver && strcmp(cfg->driver, "bridge") != 0)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "network driver %s is not supported by the native backend (bridge only)",
				    cfg->driver);
	/* aardvark-dns keeps its pid file beside the networks' files */
	if (!cc_valid_object_name(cfg->name, 128) || strcmp(cfg->name, "aardvark.pid") == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    cfg->name ? cfg->name : "");
	if (check_options(cfg, err) < 0)
		return -1;
	if (native_begin(n, err) < 0)
		return -1;
	struct network_set nets = {0};
	struct cc_network net = {0};
	char id[65];
	cc_random_hex(id, 32);
	int r = all_networks(n, &nets, err);
	if (r == 0 && find_network(&nets, cfg->name))
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "network with name %s already exists",
				 cfg->name);
	if (r == 0) {
		net.id = cc_xstrdup(id);
		net.spec.name = cc_xstrdup(cfg->name);
		net.spec.driver = cc_xstrdup("bridge");
		net.spec.internal = cfg->internal;
		net.spec.attachable = cfg->attachable;
		cc_kvs_copy(&net.spec.labels, &cfg->labels);
		cc_kvs_copy(&net.spec.options, &cfg->options);
		if (!cc_kvs_get(&net.spec.options, OPT_BRIDGE)) {
			cleanup_free char *br = cc_xasprintf("cc-%.12s", id);
			cc_kvs_set(&net.spec.options, OPT_BRIDGE, br);
		}
		net.created_ns = cc_now_ns();
		r = address_plan(cfg, &nets, &net, err);
	}
	if (r == 0)
		r = address_plan6(n->root, cfg, &nets, &net, err);
	bool made = false;
	if (r == 0)
		r = make_bridge(&net, &made, err);
	if (r == 0)
		r = save_network(n, &net, err);
	if (r == 0)
		r = native_net_sync(n, err);
	if (r == 0)
		r = network_event(n, "create", &net, NULL, err);
	if (r < 0) {
		native_abort(n);
		if (made) {
			struct cc_error *e = NULL;
			if (native_link_delete(bridge_of(&net), &e) < 0)
				cc_error_free(e);
		}
	} else {
		r = native_commit(n, err);
	}
	if (r == 0 && id_out)
		*id_out = cc_xstrdup(id);
	cc_network_release(&net);
	cc_networks_free(nets.v, nets.n);
	return r;
}

/* c without its endpoint on network `name` (a no-op when it has none); true when one was dropped. */
static bool drop_endpoint(struct cc_container *c, const char *name)
{
	for (size_t i = 0; i < c->nendpoints; i++) {
		struct cc_endpoint *ep = &c->endpoints[i];
		if (strcmp(ep->network, name) != 0)
			continue;
		cc_endpoint_release(ep);
		memmove(ep, ep + 1, (c->nendpoints - i - 1) * sizeof(*ep));
		c->nendpoints--;
		return true;
	}
	return false;
}

int native_network_remove(void *self, const char *name, struct cc_error **err)
{
	struct native *n = self;
	if (native_begin(n, err) < 0)
		return -1;
	struct cc_network net;
	struct cc_container *cs = NULL;
	size_t ncs = 0;
	int r = load_network(n, name, &net, err);
	if (r == 0)
		r = native_all_containers(n, &cs, &ncs, err);
	if (r == 0) {
		/* running members keep it; stopped ones let go of it (as docker's do), and cannot start again
		 * until it exists once more */
		cleanup_strbuf struct cc_strbuf users = CC_STRBUF_INIT;
		for (size_t i = 0; i < ncs; i++) {
			bool member = false;
			for (size_t k = 0; k < cs[i].nendpoints; k++)
				member |= strcmp(cs[i].endpoints[k].network, net.spec.name) == 0;
			if (member && (cs[i].state == CC_STATE_RUNNING || cs[i].state == CC_STATE_PAUSED ||
				       cs[i].state == CC_STATE_RESTARTING))
				cc_strbuf_addf(&users, "%s%s", users.len ? ", " : "", cs[i].name);
		}
		if (users.len)
			r = cc_error_set(err, CC_ERR_INVALID_STATE,
					 "error while removing network: network %s has active endpoints (%s)",
					 name, cc_strbuf_str(&users));
	}
	for (size_t i = 0; r == 0 && i < ncs; i++)
		if (drop_endpoint(&cs[i], net.spec.name))
			r = native_container_save(n, &cs[i], err);
	if (r == 0)
		r = cc_store_object_delete(n->store, CC_NATIVE_BACKEND, KIND, name, err);
	if (r == 0)
		r = native_net_sync(n, err);
	if (r == 0)
		r = network_event(n, "destroy", &net, NULL, err);
	/* the bridge goes once the removal is committed: a failure before leaves both in place */
	cleanup_free char *bridge = r == 0 ? cc_xstrdup(bridge_of(&net)) : NULL;
	if (r < 0) {
		native_abort(n);
	} else if (native_commit(n, err) < 0) {
		r = -1;
	} else {
		/* the stopped members' host ends of their veth pairs go with the bridge's */
		for (size_t i = 0; i < ncs; i++)
			detach(&cs[i], &net);
		if (native_link_delete(bridge, err) < 0)
			r = cc_error_wrap(err, "network %s removed, but its bridge remains", name);
	}
	if (net.spec.name)
		cc_network_release(&net);
	cc_containers_free(cs, ncs);
	return r;
}

int native_net_check(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	if (!own_namespace(c))
		return 0;
	const char *mode = c->spec.network_mode;
	if (mode && strcmp(mode, "none") == 0)
		return 0;
	struct cc_endpoint by_mode = {.network = (char *)mode};
	const struct cc_endpoint *want = mode ? &by_mode : c->spec.networks;
	size_t nwant = mode ? 1 : c->spec.nnetworks;
	for (size_t i = 0; i < nwant; i++) {
		bool attached = false;
		for (size_t k = 0; k < c->nendpoints; k++)
			attached |= strcmp(c->endpoints[k].network, want[i].network) == 0;
		if (!attached)
			return cc_error_set(err, CC_ERR_NOT_FOUND,
					    "network %s not found: container %s cannot start without it",
					    want[i].network, c->name);
	}
	return 0;
}

static int change_membership(struct native *n, const char *network, const char *container,
			     char *const *aliases, bool connect, bool force, struct cc_error **err)
{
	if (native_begin(n, err) < 0)
		return -1;
	struct cc_network net = {0};
	struct cc_container c = {0};
	bool detaching = false;
	int r = load_network(n, network, &net, err);
	if (r == 0)
		r = native_container_load(n, container, &c, err);
	size_t at = c.nendpoints;
	for (size_t i = 0; r == 0 && i < c.nendpoints; i++)
		if (strcmp(c.endpoints[i].network, net.spec.name) == 0)
			at = i;
	if (r == 0 && !own_namespace(&c))
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				 "container %s shares another network namespace (network_mode %s)", c.name,
				 c.spec.network_mode);
	/* docker's rule: a container without a network (none) stays without one */
	if (r == 0 && connect && c.spec.network_mode && strcmp(c.spec.network_mode, "none") == 0)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				 "container %s has network_mode none: it cannot be connected to network %s",
				 c.name, net.spec.name);
	if (r == 0 && connect && at < c.nendpoints)
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
				 "endpoint with name %s already exists in network %s", c.name, net.spec.name);
	if (r == 0 && !connect && at == c.nendpoints && !force)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not connected to network %s",
				 c.name, net.spec.name);
	if (r == 0 && connect) {
		struct cc_container *cs = NULL;
		size_t ncs = 0;
		char *address = NULL, *address6 = NULL;
		r = native_all_containers(n, &cs, &ncs, err);
		if (r == 0) {
			r = allocate_endpoint(&net, cs, ncs, &c, NULL, &address, &address6, err);
			cc_containers_free(cs, ncs);
		}
		if (r == 0)
			endpoint_add(&c, net.spec.name, aliases, address, address6, NULL);
		cleanup_free char *ns = native_netns_path(n, c.id);
		if (r == 0 && native_netns_exists(ns))
			r = attach(n, &c, &c.endpoints[c.nendpoints - 1], &net, NULL, false, err);
	} else if (r == 0 && at < c.nendpoints) {
		detaching = drop_endpoint(&c, net.spec.name);
	}
	if (r == 0)
		r = native_container_save(n, &c, err);
	if (r == 0)
		r = native_net_sync(n, err);
	if (r == 0)
		r = network_event(n, connect ? "connect" : "disconnect", &net, c.id, err);
	if (r < 0)
		native_abort(n);
	else
		r = native_commit(n, err);
	/* the interface goes once the change is committed (a failure before leaves it in place) */
	if (r == 0 && detaching)
		detach(&c, &net);
	if (net.spec.name)
		cc_network_release(&net);
	if (c.id)
		cc_container_release(&c);
	return r;
}

int native_network_connect(void *self, const char *network, const char *container, char *const *aliases,
			   struct cc_error **err)
{
	return change_membership(self, network, container, aliases, true, false, err);
}

int native_network_disconnect(void *self, const char *network, const char *container, bool force,
			      struct cc_error **err)
{
	return change_membership(self, network, container, NULL, false, force, err);
}
