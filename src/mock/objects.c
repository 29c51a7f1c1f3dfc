/* Mock images, networks, volumes, secrets and configs: records in the store, with docker's rules for
 * conflicts and use. The mock has no image store: every reference counts as present, a pull or a tag records
 * one; a network's members are derived from the containers attached to it, never kept twice. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec.h"
#include "runtime/ipv4.h"
#include "runtime/ipv6.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ---- generic record access ---- */

static int get_json(struct mock *m, const char *kind, const char *name, json_t **out, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	if (cc_store_object_get(m->store, MOCK_BACKEND, kind, name, &payload, err) < 0)
		return -1;
	return cc_json_parse(payload, out, err);
}

static int put_json(struct mock *m, const char *kind, const char *name, json_t *j, struct cc_error **err)
{
	cleanup_free char *payload = cc_json_dump_compact(j);
	return cc_store_object_put(m->store, MOCK_BACKEND, kind, name, payload, err);
}

struct collect_ctx {
	json_t *arr;
};

static int collect_row(void *ctx, const char *name, const char *payload)
{
	struct collect_ctx *c = ctx;
	json_t *j = json_loads(payload, 0, NULL);
	if (j)
		json_array_append_new(c->arr, j);
	return 0;
}

static int list_json(struct mock *m, const char *kind, json_t **out, struct cc_error **err)
{
	struct collect_ctx c = {json_array()};
	pthread_mutex_lock(&m->lock);
	int r = cc_store_object_each(m->store, MOCK_BACKEND, kind, collect_row, &c, err);
	pthread_mutex_unlock(&m->lock);
	if (r < 0) {
		json_decref(c.arr);
		return -1;
	}
	*out = c.arr;
	return 0;
}

/* Names of the containers using something, as one "a, b" string (NULL when none). */
static char *users_of(const struct cc_container *cs, size_t n,
		      bool (*uses)(const struct cc_container *, const char *), const char *what)
{
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		if (uses(&cs[i], what))
			cc_strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", cs[i].name);
	return sb.len ? cc_strbuf_detach(&sb, NULL) : NULL;
}

static int all_containers(struct mock *m, struct cc_container **cs, size_t *n, struct cc_error **err)
{
	struct cc_container_filter all = {.all = true};
	return mock_container_list(m, &all, cs, n, err);
}

/* Every record of a kind, decoded: one body for images, volumes, secrets and configs. */
#define LIST_DECODED(m, kind, type, decode, free_array)                                                      \
	do {                                                                                                 \
		json_t *arr_;                                                                                \
		if (list_json(m, kind, &arr_, err) < 0)                                                      \
			return -1;                                                                           \
		size_t count_ = json_array_size(arr_);                                                       \
		type *v_ = cc_xcalloc(count_ ? count_ : 1, sizeof(*v_));                                     \
		for (size_t i_ = 0; i_ < count_; i_++) {                                                     \
			if (decode(json_array_get(arr_, i_), &v_[i_], err) < 0) {                            \
				free_array(v_, i_);                                                          \
				json_decref(arr_);                                                           \
				return -1;                                                                   \
			}                                                                                    \
		}                                                                                            \
		json_decref(arr_);                                                                           \
		*out = v_;                                                                                   \
		*n = count_;                                                                                 \
		return 0;                                                                                    \
	} while (0)

/* Open the transaction of a removal and name the containers that use `what` (NULL when none); on failure
 * nothing is left open. */
static int begin_removal(struct mock *m, bool (*uses)(const struct cc_container *, const char *),
			 const char *what, char **users, struct cc_error **err)
{
	struct cc_container *cs;
	size_t n;
	if (mock_begin(m, err) < 0)
		return -1;
	if (all_containers(m, &cs, &n, err) < 0) {
		mock_abort(m);
		return -1;
	}
	*users = users_of(cs, n, uses, what);
	cc_containers_free(cs, n);
	return 0;
}

/* ---- images ---- */

static char *normalize_ref(const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *last = slash ? slash + 1 : ref;
	if (strchr(ref, '@') || strchr(last, ':'))
		return cc_xstrdup(ref);
	return cc_xasprintf("%s:latest", ref);
}

static void synthesize_image(const char *ref, struct cc_image *out)
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(ref, strlen(ref), hex);
	memset(out, 0, sizeof(*out));
	out->id = cc_xasprintf("sha256:%s", hex);
	cc_strv_push(&out->repo_tags, ref);
}

static bool uses_image(const struct cc_container *c, const char *id)
{
	return c->image_id && strcmp(c->image_id, id) == 0;
}

/* The image id whose users block removing ref: "" when ref is one of several tags (docker only untags). */
static char *blocking_image_id(struct mock *m, const char *ref)
{
	struct cc_image img, *all = NULL;
	size_t n = 0, refs = 0;
	if (mock_image_inspect(m, ref, &img, NULL) < 0)
		return cc_xstrdup("");
	if (mock_image_list(m, &all, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			refs += all[i].id && strcmp(all[i].id, img.id) == 0;
	cc_images_free(all, n);
	char *id = cc_xstrdup(cc_image_ref_only_untags(&img, ref, refs) ? "" : img.id);
	cc_image_release(&img);
	return id;
}

int mock_image_list(void *self, struct cc_image **out, size_t *n, struct cc_error **err)
{
	LIST_DECODED(self, "image", struct cc_image, cc_image_from_json, cc_images_free);
}

int mock_image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err)
{
	struct mock *m = self;
	cleanup_free char *norm = normalize_ref(ref);
	json_t *j;
	struct cc_error *e = NULL;
	pthread_mutex_lock(&m->lock);
	int r = get_json(m, "image", norm, &j, &e);
	pthread_mutex_unlock(&m->lock);
	if (r < 0) {
		if (e->kind != CC_ERR_NOT_FOUND) {
			*err = e;
			return -1;
		}
		cc_error_free(e);
		synthesize_image(norm, out);
		return 0;
	}
	r = cc_image_from_json(j, out, err);
	json_decref(j);
	return r;
}

static int record_image(struct mock *m, const char *ref, const char *id, const char *action,
			struct cc_error **err)
{
	struct cc_image img;
	synthesize_image(ref, &img);
	if (id) {
		free(img.id);
		img.id = cc_xstrdup(id);
	}
	img.created_ns = cc_now_ns();
	int r = put_json(m, "image", ref, cc_image_to_json(&img), err);
	if (r == 0)
		r = mock_event(m, img.created_ns, "image", action, img.id, ref, NULL, err);
	cc_image_release(&img);
	return r;
}

int mock_image_pull(void *self, const char *ref, const char *platform, const struct cc_progress_sink *sink,
		    struct cc_error **err)
{
	struct mock *m = self;
	cleanup_free char *norm = normalize_ref(ref);
	if (sink && sink->emit(sink->ctx, &(struct cc_progress){.ref = norm, .status = "pulling"}) < 0)
		return 0;
	if (mock_begin(m, err) < 0)
		return -1;
	if (record_image(m, norm, NULL, "pull", err) < 0) {
		mock_abort(m);
		return -1;
	}
	if (mock_commit(m, err) < 0)
		return -1;
	if (sink)
		sink->emit(sink->ctx, &(struct cc_progress){.ref = norm, .status = "done"});
	return 0;
}

int mock_image_tag(void *self, const char *src, const char *dst, struct cc_error **err)
{
	struct mock *m = self;
	struct cc_image img;
	if (mock_image_inspect(self, src, &img, err) < 0)
		return -1;
	cleanup_free char *norm = normalize_ref(dst);
	int r = mock_begin(m, err);
	if (r == 0 && record_image(m, norm, img.id, "tag", err) < 0) {
		mock_abort(m);
		r = -1;
	} else if (r == 0) {
		r = mock_commit(m, err);
	}
	cc_image_release(&img);
	return r;
}

int mock_image_remove(void *self, const char *ref, bool force, struct cc_error **err)
{
	struct mock *m = self;
	cleanup_free char *norm = normalize_ref(ref);
	cleanup_free char *users = NULL;
	cleanup_free char *id = blocking_image_id(m, ref);
	if (begin_removal(m, uses_image, id, &users, err) < 0)
		return -1;
	int r = 0;
	if (users && !force)
		r = cc_error_set(
		    err, CC_ERR_INVALID_STATE,
		    "conflict: unable to remove repository reference \"%s\" (must force) - container %s "
		    "is using its referenced image",
		    ref, users);
	if (r == 0 && cc_store_object_delete(m->store, MOCK_BACKEND, "image", norm, err) < 0) {
		if ((*err)->kind == CC_ERR_NOT_FOUND) {
			cc_error_release(err);
			cc_error_set(err, CC_ERR_NOT_FOUND, "No such image: %s", ref);
		}
		r = -1;
	}
	if (r == 0)
		r = mock_event(m, cc_now_ns(), "image", "delete", norm, norm, NULL, err);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

/* ---- networks ---- */

static bool on_network(const struct cc_container *c, const char *net)
{
	if (!cc_state_is_up(c->state))
		return false;
	for (size_t i = 0; i < c->nendpoints; i++)
		if (strcmp(c->endpoints[i].network, net) == 0)
			return true;
	return false;
}

static int decode_network(struct mock *m, json_t *j, const struct cc_container *cs, size_t n,
			  struct cc_network *out, struct cc_error **err)
{
	if (cc_network_from_json(j, out, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; on_network(&cs[i], out->spec.name) && k < cs[i].nendpoints; k++)
			if (strcmp(cs[i].endpoints[k].network, out->spec.name) == 0) {
				const struct cc_endpoint *ep = &cs[i].endpoints[k];
				cc_kvs_set(&out->containers, cs[i].name,
					   ep->ipv4_address ? ep->ipv4_address : "");
				if (ep->ipv6_address)
					cc_kvs_set(&out->containers6, cs[i].name, ep->ipv6_address);
				if (ep->mac_address)
					cc_kvs_set(&out->macs, cs[i].name, ep->mac_address);
			}
	return 0;
}

int mock_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err)
{
	struct mock *m = self;
	json_t *arr;
	struct cc_container *cs;
	size_t ncs;
	if (all_containers(m, &cs, &ncs, err) < 0)
		return -1;
	if (list_json(m, "network", &arr, err) < 0) {
		cc_containers_free(cs, ncs);
		return -1;
	}
	size_t count = json_array_size(arr);
	struct cc_network *v = cc_xcalloc(count ? count : 1, sizeof(*v));
	int r = 0;
	for (size_t i = 0; i < count && r == 0; i++)
		if ((r = decode_network(m, json_array_get(arr, i), cs, ncs, &v[i], err)) < 0)
			cc_networks_free(v, i), v = NULL;
	json_decref(arr);
	cc_containers_free(cs, ncs);
	if (r < 0)
		return -1;
	*out = v;
	*n = count;
	return 0;
}

int mock_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err)
{
	struct mock *m = self;
	struct cc_container *cs;
	size_t n;
	json_t *j;
	if (all_containers(m, &cs, &n, err) < 0)
		return -1;
	pthread_mutex_lock(&m->lock);
	int r = get_json(m, "network", name, &j, err);
	pthread_mutex_unlock(&m->lock);
	if (r == 0) {
		r = decode_network(m, j, cs, n, out, err);
		json_decref(j);
	}
	cc_containers_free(cs, n);
	return r;
}

/* An IPv4 subnet's base and prefix (runtime/ipv4.h's rules); -1 when it is not one. */
static int parse_subnet(const char *subnet, uint32_t *base, int *prefix)
{
	struct cc_ipv4_net net;
	if (!cc_ipv4_net_parse(subnet, &net))
		return -1;
	*base = net.base;
	*prefix = net.prefix;
	return 0;
}

static char *format_ip(uint32_t ip)
{
	char buf[16];
	return cc_xstrdup(cc_ipv4_format(ip, buf));
}

/* Addresses in use on a network, by any container attached to it (running or not: an engine keeps an
 * endpoint's address while the container exists). */
static bool address_used(const struct cc_container *cs, size_t n, const char *network, const char *ip)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < cs[i].nendpoints; k++)
			if (strcmp(cs[i].endpoints[k].network, network) == 0 &&
			    cs[i].endpoints[k].ipv4_address &&
			    strcmp(cs[i].endpoints[k].ipv4_address, ip) == 0)
				return true;
	return false;
}

static bool in_array(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

char *mock_network_address(struct mock *m, const char *network, const char *wanted, struct cc_error **err)
{
	json_t *j;
	if (get_json(m, "network", network, &j, err) < 0)
		return NULL;
	uint32_t base;
	int prefix;
	char *ip = NULL;
	if (parse_subnet(json_string_value(json_object_get(j, "subnet")), &base, &prefix) < 0) {
		cc_error_set(err, CC_ERR_INTERNAL, "network %s has no usable subnet", network);
		json_decref(j);
		return NULL;
	}
	uint32_t hosts = (1u << (32 - prefix)) - 3; /* network, gateway, broadcast */
	json_t *reserved = json_object_get(j, "reserved");
	if (!reserved) {
		reserved = json_array();
		json_object_set_new(j, "reserved", reserved);
	}
	/* Addresses come from a counter, so they are unique by construction until it wraps; only static
	 * addresses (kept in "reserved") and a wrapped counter need the containers themselves looked at. */
	struct cc_container *cs = NULL;
	size_t n = 0;
	bool listed = false;
	int r = 0;
	if (wanted) {
		struct in_addr a;
		uint32_t v = inet_pton(AF_INET, wanted, &a) == 1 ? ntohl(a.s_addr) : 0;
		r = all_containers(m, &cs, &n, err);
		listed = r == 0;
		if (r == 0 && (v < base + 2 || v > base + 1 + hosts))
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "address %s is not in the subnet of network %s", wanted, network);
		else if (r == 0 && address_used(cs, n, network, wanted))
			r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
					 "address %s is already in use on network %s", wanted, network);
		if (r == 0) {
			ip = cc_xstrdup(wanted);
			json_array_append_new(reserved, json_string(wanted));
		}
	} else {
		/* a store counter per network: cheaper than rewriting the network's record for every address
		 */
		cleanup_free char *counter = cc_xasprintf("address:%s", network);
		for (uint32_t tries = 0; tries < hosts && !ip && r == 0; tries++) {
			int64_t taken_so_far = cc_store_next(m->store, MOCK_BACKEND, counter, err);
			if (taken_so_far < 0) {
				r = -1;
				break;
			}
			uint64_t seq = (uint64_t)(taken_so_far - 1);
			bool wrapped = seq >= hosts;
			char *cand = format_ip(base + 2 + (uint32_t)(seq % hosts));
			bool taken = in_array(reserved, cand);
			if (!taken && wrapped && !listed) {
				r = all_containers(m, &cs, &n, err);
				listed = r == 0;
			}
			if (!taken && wrapped && listed)
				taken = address_used(cs, n, network, cand);
			if (!taken && r == 0)
				ip = cand;
			else
				free(cand);
		}
		if (!ip && r == 0)
			r = cc_error_set(err, CC_ERR_INVALID_STATE,
					 "no available IPv4 addresses on network %s", network);
	}
	if (ip && wanted && put_json(m, "network", network, json_incref(j), err) < 0)
		free(steal_pointer(&ip));
	if (listed)
		cc_containers_free(cs, n);
	json_decref(j);
	return ip;
}

int mock_network_address6(struct mock *m, const char *network, const char *wanted, char **out,
			  struct cc_error **err)
{
	*out = NULL;
	json_t *j;
	if (get_json(m, "network", network, &j, err) < 0)
		return -1;
	struct cc_network net;
	int r = cc_network_from_json(j, &net, err);
	json_decref(j);
	if (r < 0)
		return -1;
	struct cc_ipv6_net subnet;
	struct cc_ipv6 a, *taken = NULL;
	size_t nt = 0, ncs = 0;
	struct cc_container *cs = NULL;
	if (!net.spec.enable_ipv6) {
		if (wanted)
			r = cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "ipv6_address %s: network %s does not have IPv6 enabled (enable_ipv6)", wanted,
			    network);
	} else if (!cc_ipv6_net_parse(net.spec.subnet6, &subnet)) {
		r = cc_error_set(err, CC_ERR_INTERNAL, "network %s has no usable IPv6 subnet", network);
	} else if ((r = all_containers(m, &cs, &ncs, err)) == 0) {
		/* the gateway and every member's address: static ones and allocated ones alike */
		taken = cc_xcalloc(1, sizeof(*taken));
		nt = cc_ipv6_parse(net.spec.gateway6, &taken[0]) ? 1 : 0;
		for (size_t i = 0; i < ncs; i++)
			for (size_t k = 0; k < cs[i].nendpoints; k++) {
				taken = cc_xrealloc(taken, (nt + 1) * sizeof(*taken));
				if (strcmp(cs[i].endpoints[k].network, network) == 0 &&
				    cc_ipv6_parse(cs[i].endpoints[k].ipv6_address, &taken[nt]))
					nt++;
			}
		struct cc_ipv6_net range;
		bool ranged = cc_ipv6_net_parse(net.spec.ip_range6, &range);
		switch (cc_ipv6_assign(&subnet, ranged ? &range : NULL, taken, nt, wanted, &a)) {
		case CC_IPV6_ASSIGNED:
			break;
		case CC_IPV6_NOT_IN_SUBNET:
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "address %s is not in the subnet of network %s", wanted, network);
			break;
		case CC_IPV6_TAKEN:
			r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
					 "address %s is already in use on network %s", wanted, network);
			break;
		case CC_IPV6_FULL:
			r = cc_error_set(err, CC_ERR_INVALID_STATE,
					 "no available IPv6 addresses on network %s", network);
			break;
		}
		char buf[CC_IPV6_TEXT_MAX];
		if (r == 0)
			*out = cc_xstrdup(cc_ipv6_format(&a, buf));
		cc_containers_free(cs, ncs);
	}
	free(taken);
	cc_network_release(&net);
	return r;
}

/* A dual-stack network's IPv6 subnet and gateway: the configured ones, else a /64 of a fixed ULA prefix. */
static int plan_ipv6(const struct cc_network_config *cfg, int64_t number, struct cc_network_config *spec,
		     struct cc_error **err)
{
	struct cc_ipv6_net subnet;
	struct cc_ipv6 gw;
	if (!cfg->enable_ipv6)
		return 0; /* an IPv6 pool without it never gets here (cc_rt_network_create) */
	if (cfg->subnet6 && !cc_ipv6_net_parse(cfg->subnet6, &subnet))
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "network %s: invalid subnet %s: expected an IPv6 CIDR such as fd00:1::/64", cfg->name,
		    cfg->subnet6);
	if (!cfg->subnet6) {
		cc_ipv6_net_parse("fd00:c0de::/64", &subnet);
		subnet.base.b[6] = (uint8_t)(number >> 8);
		subnet.base.b[7] = (uint8_t)number;
	}
	if (cfg->gateway6 && (!cc_ipv6_parse(cfg->gateway6, &gw) || !cc_ipv6_net_contains(&subnet, &gw)))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "network %s: gateway %s is not an address of the subnet", cfg->name,
				    cfg->gateway6);
	if (!cfg->gateway6)
		gw = cc_ipv6_net_host(&subnet, 1);
	char buf[CC_IPV6_TEXT_MAX];
	spec->enable_ipv6 = true;
	spec->subnet6 = cc_ipv6_net_format(&subnet);
	spec->gateway6 = cc_xstrdup(cc_ipv6_format(&gw, buf));
	spec->ip_range6 = cfg->ip_range6 ? cc_xstrdup(cfg->ip_range6) : NULL;
	return 0;
}

int mock_network_create(void *self, const struct cc_network_config *cfg, char **id_out, struct cc_error **err)
{
	struct mock *m = self;
	if (cfg->driver && strcmp(cfg->driver, "bridge") != 0)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "network driver %s is not supported by the mock backend (bridge only)",
				    cfg->driver);
	uint32_t base;
	int prefix;
	if (cfg->subnet && parse_subnet(cfg->subnet, &base, &prefix) < 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid subnet %s: expected an IPv4 CIDR such as "
				    "10.1.0.0/24",
				    cfg->subnet);
	if (mock_begin(m, err) < 0)
		return -1;
	json_t *existing;
	struct cc_error *e = NULL;
	if (get_json(m, "network", cfg->name, &existing, &e) == 0) {
		json_decref(existing);
		mock_abort(m);
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "network with name %s already exists",
				    cfg->name);
	}
	cc_error_free(e);
	int64_t number = cc_store_next(m->store, MOCK_BACKEND, "network", err);
	if (number < 0) {
		mock_abort(m);
		return -1;
	}
	struct cc_network net = {0};
	char id[65];
	mock_new_id(id);
	net.id = cc_xstrdup(id);
	cc_network_config_release(&net.spec);
	net.spec.name = cc_xstrdup(cfg->name);
	net.spec.driver = cc_xstrdup(cfg->driver ? cfg->driver : "bridge");
	/* the engine's default pools: 172.18.0.0/16 upwards, then 192.168.x.0/24 */
	if (cfg->subnet)
		net.spec.subnet = cc_xstrdup(cfg->subnet);
	else if (number <= 13)
		net.spec.subnet = cc_xasprintf("172.%d.0.0/16", (int)(17 + number));
	else
		net.spec.subnet = cc_xasprintf("192.168.%d.0/24", (int)((number - 14) % 256));
	if (cfg->gateway)
		net.spec.gateway = cc_xstrdup(cfg->gateway);
	else if (parse_subnet(net.spec.subnet, &base, &prefix) == 0)
		net.spec.gateway = format_ip(base + 1);
	net.spec.ip_range = cfg->ip_range ? cc_xstrdup(cfg->ip_range) : NULL;
	net.spec.internal = cfg->internal;
	net.spec.attachable = cfg->attachable;
	cc_kvs_copy(&net.spec.labels, &cfg->labels);
	cc_kvs_copy(&net.spec.options, &cfg->options);
	net.created_ns = cc_now_ns();
	int r = plan_ipv6(cfg, number, &net.spec, err);
	if (r == 0)
		r = put_json(m, "network", cfg->name, cc_network_to_json(&net), err);
	if (r == 0)
		r = mock_event(m, net.created_ns, "network", "create", id, cfg->name, &cfg->labels, err);
	cc_network_release(&net);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	if (mock_commit(m, err) < 0)
		return -1;
	if (id_out)
		*id_out = cc_xstrdup(id);
	return 0;
}

int mock_network_remove(void *self, const char *name, struct cc_error **err)
{
	struct mock *m = self;
	cleanup_free char *users = NULL;
	if (begin_removal(m, on_network, name, &users, err) < 0)
		return -1;
	json_t *j = NULL;
	int r = get_json(m, "network", name, &j, err);
	if (r == 0 && users)
		r = cc_error_set(err, CC_ERR_INVALID_STATE,
				 "error while removing network: network %s has active endpoints (%s)", name,
				 users);
	if (r == 0)
		r = cc_store_object_delete(m->store, MOCK_BACKEND, "network", name, err);
	if (r == 0)
		r = mock_event(m, cc_now_ns(), "network", "destroy",
			       json_string_value(json_object_get(j, "id")), name, NULL, err);
	json_decref(j);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

static int change_membership(struct mock *m, const char *network, const char *container, char *const *aliases,
			     bool connect, bool force, struct cc_error **err)
{
	struct mock_container mc = {0};
	json_t *j = NULL;
	if (mock_begin(m, err) < 0)
		return -1;
	int r = get_json(m, "network", network, &j, err);
	if (r == 0)
		r = mock_load(m, container, &mc, err);
	size_t at = mc.c.nendpoints;
	for (size_t i = 0; r == 0 && i < mc.c.nendpoints; i++)
		if (strcmp(mc.c.endpoints[i].network, network) == 0)
			at = i;
	if (r == 0 && connect && at < mc.c.nendpoints)
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS,
				 "endpoint with name %s already exists in network %s", mc.c.name, network);
	if (r == 0 && !connect && at == mc.c.nendpoints && !force)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not connected to network %s",
				 mc.c.name, network);
	if (r == 0 && connect) {
		char *ip = mock_network_address(m, network, NULL, err);
		if (!ip) {
			r = -1;
		} else {
			mc.c.endpoints =
			    cc_xrealloc(mc.c.endpoints, (mc.c.nendpoints + 1) * sizeof(*mc.c.endpoints));
			struct cc_endpoint *ep = &mc.c.endpoints[mc.c.nendpoints++];
			memset(ep, 0, sizeof(*ep));
			ep->network = cc_xstrdup(network);
			ep->aliases = cc_strv_copy(aliases);
			ep->ipv4_address = ip;
			ep->mac_address = cc_ipv4_docker_mac(ip);
			if (mock_network_address6(m, network, NULL, &ep->ipv6_address, err) < 0)
				r = -1;
		}
	} else if (r == 0 && at < mc.c.nendpoints) {
		struct cc_endpoint *ep = &mc.c.endpoints[at];
		cc_endpoint_release(ep);
		memmove(ep, ep + 1, (mc.c.nendpoints - at - 1) * sizeof(*ep));
		mc.c.nendpoints--;
	}
	if (r == 0)
		r = mock_save(m, &mc, err);
	if (r == 0) {
		struct cc_kvs attrs = {0};
		cc_kvs_set(&attrs, "container", mc.c.id);
		r = mock_event(m, cc_now_ns(), "network", connect ? "connect" : "disconnect",
			       json_string_value(json_object_get(j, "id")), network, &attrs, err);
		cc_kvs_release(&attrs);
	}
	json_decref(j);
	mock_container_release(&mc);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

int mock_network_connect(void *self, const char *network, const char *container, char *const *aliases,
			 struct cc_error **err)
{
	return change_membership(self, network, container, aliases, true, false, err);
}

int mock_network_disconnect(void *self, const char *network, const char *container, bool force,
			    struct cc_error **err)
{
	return change_membership(self, network, container, NULL, false, force, err);
}

/* ---- volumes ---- */

int mock_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err)
{
	LIST_DECODED(self, "volume", struct cc_volume, cc_volume_from_json, cc_volumes_free);
}

int mock_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err)
{
	struct mock *m = self;
	json_t *j;
	pthread_mutex_lock(&m->lock);
	int r = get_json(m, "volume", name, &j, err);
	pthread_mutex_unlock(&m->lock);
	if (r < 0)
		return -1;
	r = cc_volume_from_json(j, out, err);
	json_decref(j);
	return r;
}

static int volume_create_locked(struct mock *m, const struct cc_volume_config *cfg, const char *name,
				struct cc_volume *out, struct cc_error **err)
{
	if (cfg->driver && strcmp(cfg->driver, "local") != 0)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "volume driver %s is not supported by the mock backend (local only)",
				    cfg->driver);
	struct cc_volume v = {0};
	v.spec.name = cc_xstrdup(name);
	v.spec.driver = cc_xstrdup("local");
	cc_kvs_copy(&v.spec.labels, &cfg->labels);
	cc_kvs_copy(&v.spec.options, &cfg->options);
	v.created_ns = cc_now_ns();
	int r = put_json(m, "volume", name, cc_volume_to_json(&v), err);
	if (r == 0)
		r = mock_event(m, v.created_ns, "volume", "create", name, name, &cfg->labels, err);
	if (r == 0 && out)
		*out = v;
	else
		cc_volume_release(&v);
	return r;
}

int mock_volume_ensure(struct mock *m, const char *name, const struct cc_kvs *labels, struct cc_error **err)
{
	json_t *j;
	struct cc_error *e = NULL;
	if (get_json(m, "volume", name, &j, &e) == 0) {
		json_decref(j);
		return 0;
	}
	cc_error_free(e);
	struct cc_volume_config cfg = {.name = (char *)name};
	if (labels)
		cfg.labels = *labels;
	return volume_create_locked(m, &cfg, name, NULL, err);
}

int mock_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
		       struct cc_error **err)
{
	struct mock *m = self;
	char id[65];
	const char *name = cfg->name;
	if (!name || !*name) {
		mock_new_id(id);
		name = id;
	}
	if (mock_begin(m, err) < 0)
		return -1;
	json_t *j;
	struct cc_error *e = NULL;
	if (get_json(m, "volume", name, &j, &e) == 0) {
		json_decref(j);
		mock_abort(m);
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "volume %s already exists", name);
	}
	cc_error_free(e);
	if (volume_create_locked(m, cfg, name, out, err) < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

static int volume_remove_locked(struct mock *m, const char *name, const struct cc_container *cs, size_t n,
				struct cc_error **err)
{
	cleanup_free char *users = users_of(cs, n, cc_container_uses_volume, name);
	if (users)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "remove %s: volume is in use - [%s]", name,
				    users);
	if (cc_store_object_delete(m->store, MOCK_BACKEND, "volume", name, err) < 0)
		return -1;
	return mock_event(m, cc_now_ns(), "volume", "destroy", name, name, NULL, err);
}

int mock_volume_remove(void *self, const char *name, bool force, struct cc_error **err)
{
	struct mock *m = self;
	struct cc_container *cs;
	size_t n;
	if (mock_begin(m, err) < 0)
		return -1;
	if (all_containers(m, &cs, &n, err) < 0) {
		mock_abort(m);
		return -1;
	}
	int r = volume_remove_locked(m, name, cs, n, err);
	cc_containers_free(cs, n);
	if (r < 0 && force && (*err)->kind == CC_ERR_NOT_FOUND) {
		cc_error_release(err);
		r = 0;
	}
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

int mock_volume_prune(void *self, cc_strv *removed, struct cc_error **err)
{
	struct mock *m = self;
	struct cc_container *cs;
	size_t ncs, nv;
	struct cc_volume *vs;
	*removed = cc_xcalloc(1, sizeof(char *));
	if (mock_begin(m, err) < 0)
		return -1;
	if (all_containers(m, &cs, &ncs, err) < 0) {
		mock_abort(m);
		return -1;
	}
	int r = mock_volume_list(m, &vs, &nv, err);
	bool listed = r == 0;
	for (size_t i = 0; r == 0 && i < nv; i++) {
		const char *name = vs[i].spec.name;
		/* like docker 23+: prune takes anonymous volumes nothing uses */
		if (!cc_kvs_get(&vs[i].spec.labels, CC_VOLUME_ANONYMOUS_LABEL))
			continue;
		cleanup_free char *users = users_of(cs, ncs, cc_container_uses_volume, name);
		if (users)
			continue;
		r = volume_remove_locked(m, name, cs, ncs, err);
		if (r == 0)
			cc_strv_push(removed, name);
	}
	if (listed)
		cc_volumes_free(vs, nv);
	cc_containers_free(cs, ncs);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

/* ---- secrets and configs ---- */

static const char *secret_kind(enum cc_secret_kind k)
{
	return k == CC_CONFIG ? "config" : "secret";
}

int mock_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		     struct cc_error **err)
{
	LIST_DECODED(self, secret_kind(kind), struct cc_secret, cc_secret_from_json, cc_secrets_free);
}

int mock_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		       const struct cc_kvs *labels, struct cc_error **err)
{
	struct mock *m = self;
	if (mock_begin(m, err) < 0)
		return -1;
	json_t *j;
	struct cc_error *e = NULL;
	if (get_json(m, secret_kind(kind), name, &j, &e) == 0) {
		json_decref(j);
		mock_abort(m);
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s %s already exists", secret_kind(kind),
				    name);
	}
	cc_error_free(e);
	struct cc_secret s;
	cc_secret_init(&s, kind, name, value, len, labels, cc_now_ns());
	int r = put_json(m, secret_kind(kind), name, cc_secret_to_json(&s), err);
	if (r == 0)
		r = mock_event(m, s.created_ns, secret_kind(kind), "create", name, name, NULL, err);
	cc_secret_release(&s);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

int mock_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		       struct cc_error **err)
{
	struct mock *m = self;
	if (mock_begin(m, err) < 0)
		return -1;
	json_t *j;
	struct cc_secret old = {0}, s = {0};
	int r = get_json(m, secret_kind(kind), name, &j, err);
	if (r == 0) {
		r = cc_secret_from_json(j, &old, err);
		json_decref(j);
	}
	if (r == 0) {
		cc_secret_init(&s, kind, name, value, len, &old.labels, old.created_ns);
		r = put_json(m, secret_kind(kind), name, cc_secret_to_json(&s), err);
	}
	if (r == 0)
		r = mock_event(m, cc_now_ns(), secret_kind(kind), "update", name, name, NULL, err);
	cc_secret_release(&s);
	cc_secret_release(&old);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

static bool uses_secret(const struct cc_container *c, const char *name)
{
	return cc_container_uses_secret(c, CC_SECRET, name);
}

static bool uses_config(const struct cc_container *c, const char *name)
{
	return cc_container_uses_secret(c, CC_CONFIG, name);
}

int mock_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	struct mock *m = self;
	cleanup_free char *users = NULL;
	if (begin_removal(m, kind == CC_CONFIG ? uses_config : uses_secret, name, &users, err) < 0)
		return -1;
	int r = 0;
	if (users)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "%s %s is in use by %s", secret_kind(kind), name,
				 users);
	if (r == 0)
		r = cc_store_object_delete(m->store, MOCK_BACKEND, secret_kind(kind), name, err);
	if (r == 0)
		r = mock_event(m, cc_now_ns(), secret_kind(kind), "remove", name, name, NULL, err);
	if (r < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}
