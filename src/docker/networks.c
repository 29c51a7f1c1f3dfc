/* Networks and volumes over the Engine API. */
#include "docker/docker-internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

#define D(self) (((struct docker *)(self))->c)

static void kvs_from(struct cc_kvs *kvs, json_t *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (json_is_string(v))
			cc_kvs_set(kvs, k, json_string_value(v));
	}
}

static json_t *kvs_obj(const struct cc_kvs *kvs)
{
	json_t *o = json_object();
	for (size_t i = 0; i < kvs->n; i++)
		json_object_set_new(o, kvs->items[i].key,
				    json_string(kvs->items[i].value ? kvs->items[i].value : ""));
	return o;
}

static void network_from_json(json_t *j, struct cc_network *n)
{
	memset(n, 0, sizeof(*n));
	n->id = dk_strdup(j, "Id");
	n->spec.name = dk_strdup(j, "Name");
	n->spec.driver = dk_strdup(j, "Driver");
	n->spec.internal = json_is_true(json_object_get(j, "Internal"));
	n->spec.attachable = json_is_true(json_object_get(j, "Attachable"));
	n->spec.enable_ipv6 = json_is_true(json_object_get(j, "EnableIPv6"));
	kvs_from(&n->spec.labels, json_object_get(j, "Labels"));
	kvs_from(&n->spec.options, json_object_get(j, "Options"));
	/* IPAM.Config: one pool per address family */
	size_t i;
	json_t *cfg;
	json_array_foreach(json_object_get(json_object_get(j, "IPAM"), "Config"), i, cfg)
	{
		const char *subnet = dk_str(cfg, "Subnet");
		bool v6 = subnet && strchr(subnet, ':');
		char **slot = v6 ? &n->spec.subnet6 : &n->spec.subnet;
		if (!subnet || *slot)
			continue;
		*slot = cc_xstrdup(subnet);
		*(v6 ? &n->spec.gateway6 : &n->spec.gateway) = dk_strdup(cfg, "Gateway");
		*(v6 ? &n->spec.ip_range6 : &n->spec.ip_range) = dk_strdup(cfg, "IPRange");
	}
	n->created_ns = dk_parse_time(dk_str(j, "Created"));
	const char *k;
	json_t *c;
	json_object_foreach(json_object_get(j, "Containers"), k, c)
	{
		const char *name = dk_str(c, "Name");
		char *ip = dk_strdup(c, "IPv4Address");
		if (ip && strchr(ip, '/'))
			*strchr(ip, '/') = '\0';
		cc_kvs_set(&n->containers, name ? name : k, ip ? ip : "");
		free(ip);
		char *ip6 = dk_strdup(c, "IPv6Address");
		if (ip6 && strchr(ip6, '/'))
			*strchr(ip6, '/') = '\0';
		if (ip6 && *ip6)
			cc_kvs_set(&n->containers6, name ? name : k, ip6);
		free(ip6);
		const char *mac = dk_str(c, "MacAddress");
		if (mac && *mac)
			cc_kvs_set(&n->macs, name ? name : k, mac);
	}
}

int dk_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(name);
	cleanup_free char *path = cc_xasprintf("/networks/%s", e);
	cleanup_free char *what = cc_xasprintf("network %s", name);
	json_t *j;
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	network_from_json(j, out);
	json_decref(j);
	return 0;
}

int dk_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err)
{
	json_t *arr;
	if (dk_call(D(self), "GET", "/networks", NULL, &arr, "network list", err) < 0)
		return -1;
	/* the list leaves Containers empty: inspect each */
	struct cc_network *v = cc_xcalloc(json_array_size(arr) + 1, sizeof(*v));
	size_t count = 0, i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *id = dk_str(e, "Id");
		struct cc_error *ierr = NULL;
		if (!id || dk_network_inspect(self, id, &v[count], &ierr) < 0) {
			cc_error_free(ierr);
			continue;
		}
		count++;
	}
	json_decref(arr);
	*out = v;
	*n = count;
	return 0;
}

int dk_network_create(void *self, const struct cc_network_config *cfg, char **id_out, struct cc_error **err)
{
	if (!cfg->name || !*cfg->name)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "network create: a name is required");
	json_t *body = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:o, s:o}", "Name", cfg->name, "Driver",
				 cfg->driver ? cfg->driver : "bridge", "CheckDuplicate", 1, "Internal",
				 cfg->internal, "Attachable", cfg->attachable, "EnableIPv6", cfg->enable_ipv6,
				 "Labels", kvs_obj(&cfg->labels), "Options", kvs_obj(&cfg->options));
	json_t *pools = json_array();
	const char *fields[2][3] = {{cfg->subnet, cfg->gateway, cfg->ip_range},
				    {cfg->subnet6, cfg->gateway6, cfg->ip_range6}};
	for (int f = 0; f < 2; f++) {
		if (!fields[f][0] && !fields[f][1] && !fields[f][2])
			continue;
		json_t *c = json_object();
		const char *keys[3] = {"Subnet", "Gateway", "IPRange"};
		for (int k = 0; k < 3; k++)
			if (fields[f][k])
				json_object_set_new(c, keys[k], json_string(fields[f][k]));
		json_array_append_new(pools, c);
	}
	if (json_array_size(pools))
		json_object_set_new(body, "IPAM",
				    json_pack("{s:s, s:o}", "Driver", "default", "Config", pools));
	else
		json_decref(pools);
	cleanup_free char *what = cc_xasprintf("network %s", cfg->name);
	json_t *resp;
	int rc = dk_call(D(self), "POST", "/networks/create", body, &resp, what, err);
	json_decref(body);
	if (rc < 0)
		return -1;
	if (id_out)
		*id_out = dk_strdup(resp, "Id");
	json_decref(resp);
	return 0;
}

int dk_network_remove(void *self, const char *name, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(name);
	cleanup_free char *path = cc_xasprintf("/networks/%s", e);
	cleanup_free char *what = cc_xasprintf("network %s", name);
	return dk_call(D(self), "DELETE", path, NULL, NULL, what, err);
}

int dk_network_connect(void *self, const char *network, const char *container, char *const *aliases,
		       struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(network);
	cleanup_free char *path = cc_xasprintf("/networks/%s/connect", e);
	cleanup_free char *what = cc_xasprintf("network %s: container %s", network, container);
	json_t *ep = json_object();
	if (aliases && aliases[0])
		json_object_set_new(ep, "Aliases", dk_json_strv(aliases));
	json_t *body = json_pack("{s:s, s:o}", "Container", container, "EndpointConfig", ep);
	int rc = dk_call(D(self), "POST", path, body, NULL, what, err);
	json_decref(body);
	return rc;
}

int dk_network_disconnect(void *self, const char *network, const char *container, bool force,
			  struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(network);
	cleanup_free char *path = cc_xasprintf("/networks/%s/disconnect", e);
	cleanup_free char *what = cc_xasprintf("network %s: container %s", network, container);
	json_t *body = json_pack("{s:s, s:b}", "Container", container, "Force", force);
	int rc = dk_call(D(self), "POST", path, body, NULL, what, err);
	json_decref(body);
	return rc;
}

/* ---- volumes ---- */

static void volume_from_json(json_t *j, struct cc_volume *v)
{
	memset(v, 0, sizeof(*v));
	v->spec.name = dk_strdup(j, "Name");
	v->spec.driver = dk_strdup(j, "Driver");
	kvs_from(&v->spec.labels, json_object_get(j, "Labels"));
	kvs_from(&v->spec.options, json_object_get(j, "Options"));
	v->mountpoint = dk_strdup(j, "Mountpoint");
	v->created_ns = dk_parse_time(dk_str(j, "CreatedAt"));
}

int dk_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err)
{
	json_t *j;
	if (dk_call(D(self), "GET", "/volumes", NULL, &j, "volume list", err) < 0)
		return -1;
	json_t *arr = json_object_get(j, "Volumes");
	struct cc_volume *v = cc_xcalloc(json_array_size(arr) + 1, sizeof(*v));
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		volume_from_json(e, &v[i]);
	}
	*n = json_array_size(arr);
	*out = v;
	json_decref(j);
	return 0;
}

int dk_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(name);
	cleanup_free char *path = cc_xasprintf("/volumes/%s", e);
	cleanup_free char *what = cc_xasprintf("volume %s", name);
	json_t *j;
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	volume_from_json(j, out);
	json_decref(j);
	return 0;
}

int dk_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
		     struct cc_error **err)
{
	json_t *body = json_pack("{s:s, s:o, s:o}", "Driver", cfg->driver ? cfg->driver : "local", "Labels",
				 kvs_obj(&cfg->labels), "DriverOpts", kvs_obj(&cfg->options));
	if (cfg->name)
		json_object_set_new(body, "Name", json_string(cfg->name));
	cleanup_free char *what = cc_xasprintf("volume %s", cfg->name ? cfg->name : "(anonymous)");
	/* the engine's create is idempotent; the contract's is not */
	if (cfg->name) {
		struct cc_volume old;
		struct cc_error *ierr = NULL;
		if (dk_volume_inspect(self, cfg->name, &old, &ierr) == 0) {
			cc_volume_release(&old);
			json_decref(body);
			return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s: already exists", what);
		}
		cc_error_free(ierr);
	}
	json_t *resp;
	int rc = dk_call(D(self), "POST", "/volumes/create", body, &resp, what, err);
	json_decref(body);
	if (rc < 0)
		return -1;
	if (out)
		volume_from_json(resp, out);
	json_decref(resp);
	return 0;
}

int dk_volume_remove(void *self, const char *name, bool force, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(name);
	cleanup_free char *path = cc_xasprintf("/volumes/%s?force=%d", e, force ? 1 : 0);
	cleanup_free char *what = cc_xasprintf("volume %s", name);
	return dk_call(D(self), "DELETE", path, NULL, NULL, what, err);
}

static bool anonymous_name(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

/* Prune removes the unused anonymous volumes only, as API 1.42 does. Under 1.41 /volumes/prune would take
 * named ones too, so the unused (dangling) volumes are listed and those with generated names removed. */
int dk_volume_prune(void *self, cc_strv *removed, struct cc_error **err)
{
	json_t *j;
	cleanup_free char *fe = cc_http_escape("{\"dangling\":[\"true\"]}");
	cleanup_free char *path = cc_xasprintf("/volumes?filters=%s", fe);
	if (dk_call(D(self), "GET", path, NULL, &j, "volume prune", err) < 0)
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "Volumes"), i, e)
	{
		const char *name = dk_str(e, "Name");
		if (!name || !anonymous_name(name))
			continue;
		struct cc_error *rerr = NULL;
		if (dk_volume_remove(self, name, false, &rerr) < 0) { /* taken meanwhile */
			cc_error_free(rerr);
			continue;
		}
		if (removed)
			cc_strv_push(removed, name);
	}
	json_decref(j);
	return 0;
}
