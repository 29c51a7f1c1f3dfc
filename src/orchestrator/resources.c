/* The project's networks, volumes, secrets and configs: created before the containers that use them,
 * labelled so down can find them again, external ones only checked. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool external(const struct cc_val *def)
{
	const struct cc_val *e = cc_orch_get(def, "external");
	return e && e->kind == CC_V_BOOL && e->num.b;
}

/* Does any selected service use resource `key` of `section`? */
static bool used(const struct cc_project *p, char *const *services, const char *section, const char *key)
{
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; svcs && i < svcs->map.n; i++) {
		const struct cc_val *svc = svcs->map.e[i].val;
		if (!cc_orch_selected(services, svcs->map.e[i].key))
			continue;
		if (strcmp(section, "networks") == 0) {
			const struct cc_val *nets = cc_orch_get(svc, "networks");
			if (nets && nets->kind == CC_V_MAP && cc_map_find(nets, key)) /* values may be null */
				return true;
			continue;
		}
		const struct cc_val *refs = cc_orch_get(svc, section);
		for (size_t k = 0; refs && refs->kind == CC_V_SEQ && k < refs->seq.n; k++) {
			const char *src = cc_orch_str(refs->seq.v[k], "source");
			const char *type = cc_orch_str(refs->seq.v[k], "type");
			if (src && strcmp(src, key) == 0 &&
			    (strcmp(section, "volumes") != 0 || !type || strcmp(type, "volume") == 0))
				return true;
		}
	}
	return false;
}

static void labels_of(const struct cc_val *def, struct cc_kvs *out)
{
	const struct cc_val *l = cc_orch_get(def, "labels");
	for (size_t i = 0; l && l->kind == CC_V_MAP && i < l->map.n; i++)
		if (cc_val_is_scalar(l->map.e[i].val))
			cc_kvs_set(out, l->map.e[i].key, cc_val_text(l->map.e[i].val));
}

/* What the model asks of a network that differs from the one that exists, as "option (had -> wants)"; NULL
 * when nothing does. Only what the model states is compared: a subnet the engine picked is not a change. */
static char *network_change(const struct cc_network_config *want, const struct cc_network_config *have)
{
	const char *wd = want->driver ? want->driver : "bridge", *hd = have->driver ? have->driver : "bridge";
	if (strcmp(wd, hd) != 0)
		return cc_xasprintf("driver (%s -> %s)", hd, wd);
	if (want->internal != have->internal)
		return cc_xasprintf("internal (%s -> %s)", have->internal ? "true" : "false",
				    want->internal ? "true" : "false");
	if (want->enable_ipv6 != have->enable_ipv6)
		return cc_xasprintf("enable_ipv6 (%s -> %s)", have->enable_ipv6 ? "true" : "false",
				    want->enable_ipv6 ? "true" : "false");
	const struct {
		const char *option, *want, *have;
	} fields[] = {{"ipam subnet", want->subnet, have->subnet},
		      {"ipam gateway", want->gateway, have->gateway},
		      {"ipam ip_range", want->ip_range, have->ip_range},
		      {"ipam subnet", want->subnet6, have->subnet6},
		      {"ipam gateway", want->gateway6, have->gateway6},
		      {"ipam ip_range", want->ip_range6, have->ip_range6}};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].want && (!fields[i].have || strcmp(fields[i].want, fields[i].have) != 0))
			return cc_xasprintf("%s (%s -> %s)", fields[i].option,
					    fields[i].have ? fields[i].have : "none", fields[i].want);
	for (size_t i = 0; i < want->options.n; i++) {
		const char *h = cc_kvs_get(&have->options, want->options.items[i].key);
		if (!h || strcmp(h, want->options.items[i].value) != 0)
			return cc_xasprintf("driver_opts %s (%s -> %s)", want->options.items[i].key,
					    h ? h : "none", want->options.items[i].value);
	}
	return NULL;
}

static int ensure_network(struct cc_runtime *rt, const struct cc_project *p, const char *key,
			  const struct cc_val *def, const struct cc_orch_ui *ui, struct cc_error **err)
{
	const char *name = cc_orch_str(def, "name") ? cc_orch_str(def, "name") : key;
	struct cc_network_config cfg = {
	    .name = (char *)name,
	    .driver = (char *)cc_orch_str(def, "driver"),
	    .internal = cc_orch_get(def, "internal") && cc_orch_get(def, "internal")->num.b,
	    .attachable = cc_orch_get(def, "attachable") && cc_orch_get(def, "attachable")->num.b,
	    .enable_ipv6 = cc_orch_get(def, "enable_ipv6") && cc_orch_get(def, "enable_ipv6")->num.b};
	/* ipam.config: the first IPv4 pool and the first IPv6 one (a dual-stack network lists one of each) */
	const struct cc_val *cfgs = cc_orch_get(cc_orch_get(def, "ipam"), "config");
	for (size_t i = 0; cfgs && cfgs->kind == CC_V_SEQ && i < cfgs->seq.n; i++) {
		const char *subnet = cc_orch_str(cfgs->seq.v[i], "subnet");
		bool v6 = subnet && strchr(subnet, ':');
		char **slot = v6 ? &cfg.subnet6 : &cfg.subnet;
		if (!subnet || *slot)
			continue;
		*slot = (char *)subnet;
		*(v6 ? &cfg.gateway6 : &cfg.gateway) = (char *)cc_orch_str(cfgs->seq.v[i], "gateway");
		*(v6 ? &cfg.ip_range6 : &cfg.ip_range) = (char *)cc_orch_str(cfgs->seq.v[i], "ip_range");
	}
	const struct cc_val *opts = cc_orch_get(def, "driver_opts");
	for (size_t i = 0; opts && opts->kind == CC_V_MAP && i < opts->map.n; i++)
		cc_kvs_set(&cfg.options, opts->map.e[i].key, cc_val_text(opts->map.e[i].val));
	struct cc_network existing;
	struct cc_error *e = NULL;
	int r = 0;
	if (cc_rt_network_inspect(rt, name, &existing, &e) == 0) {
		/* docker-compose's rule: a network the model now describes otherwise is not changed behind
		 * its containers' backs, nor silently kept; the user recreates it (down removes it) */
		cleanup_free char *change = external(def) ? NULL : network_change(&cfg, &existing.spec);
		cc_network_release(&existing);
		if (change)
			r = cc_error_set(
			    err, CC_ERR_INVALID_STATE,
			    "network %s needs to be recreated: %s changed; run down (which removes it) "
			    "and up again",
			    name, change);
		cc_kvs_release(&cfg.options);
		return r;
	}
	if (e->kind != CC_ERR_NOT_FOUND) {
		cc_kvs_release(&cfg.options);
		*err = e;
		return -1;
	}
	cc_error_free(e);
	if (external(def)) {
		cc_kvs_release(&cfg.options);
		return cc_error_set(err, CC_ERR_NOT_FOUND,
				    "network %s declared as external, but could not be found", name);
	}
	labels_of(def, &cfg.labels);
	cc_kvs_set(&cfg.labels, CC_LABEL_PROJECT, p->name);
	cc_kvs_set(&cfg.labels, CC_LABEL_NETWORK, key);
	cc_kvs_set(&cfg.labels, CC_LABEL_VERSION, CC_VERSION);
	cc_orch_status(ui, "Network", name, "Creating");
	r = cc_rt_network_create(rt, &cfg, NULL, err);
	cc_kvs_release(&cfg.labels);
	cc_kvs_release(&cfg.options);
	if (r < 0 && (*err)->kind == CC_ERR_ALREADY_EXISTS) {
		cc_error_release(err); /* a concurrent up made it */
		r = 0;
	}
	if (r < 0)
		return cc_error_wrap(err, "network %s", name);
	cc_orch_status(ui, "Network", name, "Created");
	return 0;
}

static int ensure_volume(struct cc_runtime *rt, const struct cc_project *p, const char *key,
			 const struct cc_val *def, const struct cc_orch_ui *ui, struct cc_error **err)
{
	const char *name = cc_orch_str(def, "name") ? cc_orch_str(def, "name") : key;
	struct cc_volume existing;
	struct cc_error *e = NULL;
	if (cc_rt_volume_inspect(rt, name, &existing, &e) == 0) {
		cc_volume_release(&existing);
		return 0;
	}
	if (e->kind != CC_ERR_NOT_FOUND) {
		*err = e;
		return -1;
	}
	cc_error_free(e);
	if (external(def))
		return cc_error_set(err, CC_ERR_NOT_FOUND, "external volume \"%s\" not found", name);
	struct cc_volume_config cfg = {.name = (char *)name, .driver = (char *)cc_orch_str(def, "driver")};
	labels_of(def, &cfg.labels);
	cc_kvs_set(&cfg.labels, CC_LABEL_PROJECT, p->name);
	cc_kvs_set(&cfg.labels, CC_LABEL_VOLUME, key);
	cc_kvs_set(&cfg.labels, CC_LABEL_VERSION, CC_VERSION);
	const struct cc_val *opts = cc_orch_get(def, "driver_opts");
	for (size_t i = 0; opts && opts->kind == CC_V_MAP && i < opts->map.n; i++)
		cc_kvs_set(&cfg.options, opts->map.e[i].key, cc_val_text(opts->map.e[i].val));
	cc_orch_status(ui, "Volume", name, "Creating");
	int r = cc_rt_volume_create(rt, &cfg, NULL, err);
	cc_kvs_release(&cfg.labels);
	cc_kvs_release(&cfg.options);
	if (r < 0 && (*err)->kind == CC_ERR_ALREADY_EXISTS) {
		cc_error_release(err);
		r = 0;
	}
	if (r < 0)
		return cc_error_wrap(err, "volume %s", name);
	cc_orch_status(ui, "Volume", name, "Created");
	return 0;
}

/* A secret's or config's material: file, environment or inline content. */
static int material(const struct cc_project *p, const struct cc_val *def, const char *key, char **data,
		    size_t *len, struct cc_error **err)
{
	const char *file = cc_orch_str(def, "file"), *env = cc_orch_str(def, "environment"),
		   *content = cc_orch_str(def, "content");
	if (file)
		return cc_read_file(file, data, len, err);
	if (env) {
		const char *v = cc_strmap_get(&p->env, env);
		if (!v)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "%s: environment variable %s is not set", key, env);
		*data = cc_xstrdup(v);
		*len = strlen(v);
		return 0;
	}
	if (content) {
		*data = cc_xstrdup(content);
		*len = strlen(content);
		return 0;
	}
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: no file, environment or content", key);
}

static int ensure_secret(struct cc_runtime *rt, const struct cc_project *p, enum cc_secret_kind kind,
			 const char *key, const struct cc_val *def, const struct cc_orch_ui *ui,
			 struct cc_error **err)
{
	const char *name = cc_orch_str(def, "name") ? cc_orch_str(def, "name") : key;
	const char *kindname = kind == CC_CONFIG ? "config" : "secret";
	struct cc_secret *list;
	size_t n;
	if (cc_rt_secret_list(rt, kind, &list, &n, err) < 0)
		return -1;
	const struct cc_secret *found = NULL;
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(list[i].name, name) == 0)
			found = &list[i];
	if (found && external(def)) {
		cc_secrets_free(list, n);
		return 0;
	}
	if (!found && external(def)) {
		cc_secrets_free(list, n);
		return cc_error_set(err, CC_ERR_NOT_FOUND, "external %s \"%s\" not found", kindname, name);
	}
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (material(p, def, key, &data, &len, err) < 0) {
		cc_secrets_free(list, n);
		return cc_error_wrap(err, "%s %s", kindname, key);
	}
	if (found) {
		/* the file or variable may have changed since the last up: containers made from now on get
		 * what it holds now, as docker compose's bind-mounted file gives them. A listing without
		 * digests (the remote backend's, for secrets) cannot tell, and the value is sent again. */
		struct cc_secret now;
		cc_secret_init(&now, kind, name, data, len, NULL, 0);
		bool same = found->digest && now.digest && strcmp(found->digest, now.digest) == 0;
		cc_secret_release(&now);
		cc_secrets_free(list, n);
		if (same)
			return 0;
		if (cc_rt_secret_update(rt, kind, name, data, len, err) < 0)
			return cc_error_wrap(err, "%s %s", kindname, name);
		cc_orch_status(ui, kind == CC_CONFIG ? "Config" : "Secret", name, "Updated");
		return 0;
	}
	cc_secrets_free(list, n);
	struct cc_kvs labels = {0};
	labels_of(def, &labels);
	cc_kvs_set(&labels, CC_LABEL_PROJECT, p->name);
	int r = cc_rt_secret_create(rt, kind, name, data, len, &labels, err);
	cc_kvs_release(&labels);
	if (r < 0 && (*err)->kind == CC_ERR_ALREADY_EXISTS) {
		cc_error_release(err);
		r = 0;
	}
	if (r < 0)
		return cc_error_wrap(err, "%s %s", kindname, name);
	cc_orch_status(ui, kind == CC_CONFIG ? "Config" : "Secret", name, "Created");
	return 0;
}

int cc_orch_ensure_resources(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
			     const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	static const char *const sections[] = {"networks", "volumes", "secrets", "configs"};
	for (size_t s = 0; s < 4; s++) {
		const struct cc_val *defs = cc_orch_get(p->model, sections[s]);
		for (size_t i = 0; defs && defs->kind == CC_V_MAP && i < defs->map.n; i++) {
			const char *key = defs->map.e[i].key;
			const struct cc_val *def = defs->map.e[i].val;
			if (!used(p, services, sections[s], key))
				continue;
			int r;
			if (s == 0)
				r = ensure_network(rt, p, key, def, ui, err);
			else if (s == 1)
				r = ensure_volume(rt, p, key, def, ui, err);
			else
				r = ensure_secret(rt, p, s == 2 ? CC_SECRET : CC_CONFIG, key, def, ui, err);
			if (r < 0)
				return -1;
		}
	}
	return 0;
}
