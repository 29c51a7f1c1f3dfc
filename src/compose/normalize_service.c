/* Service attributes: short syntax -> canonical long form (the shape `docker compose config` prints). */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "compose/normalize.h"
#include "compose/units.h"

#include <stdlib.h>
#include <string.h>

typedef struct cc_val *(*norm_fn)(struct cc_norm_ctx *c, const struct cc_val *v);

static struct cc_pos P(const struct cc_val *v) {
	return v->pos;
}

static struct cc_val *
n_copy(struct cc_norm_ctx *c, const struct cc_val *v)
{
	(void)c;
	return cc_val_copy(v);
}

static struct cc_val *n_str(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_string(c, v);
}

static struct cc_val *n_bool(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_bool(c, v);
}

static struct cc_val *n_int(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_int(c, v);
}

static struct cc_val *n_float(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_float(c, v);
}

static struct cc_val *n_bytes(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_bytes(c, v);
}

static struct cc_val *n_duration(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_duration(c, v);
}

static struct cc_val *n_dict(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_dict(c, v, '=', false);
}

/* labels and annotations are strings: a bare `- key` is an empty value, not an unset one */
static struct cc_val *n_labels(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_dict(c, v, '=', true);
}

/* deploy's memory is a string in the schema, unlike the legacy mem_limit */
static struct cc_val *n_bytes_str(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *b = cc_norm_bytes(c, v);
	if (b && b->kind == CC_V_INT)
		b->kind = CC_V_STR;
	return b;
}

static struct cc_val *n_list(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_list(c, v, false);
}

static struct cc_val *n_command(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_NULL)
		return cc_val_new_null(v->pos);
	return cc_norm_list(c, v, true);
}

/* Field tables for nested mappings: unknown keys were already refused by the schema, so anything not listed
 * (x-* extensions, rare keys) is copied. */
struct field {
	const char *key;
	norm_fn fn;
};

/* Tables are kept sorted so a lookup is a binary search; a miss falls back to a scan, so an entry out of
 * order costs time, never a wrong answer. */
static norm_fn find_field(const struct field *fields, const char *key)
{
	size_t n = 0;
	while (fields[n].key)
		n++;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(key, fields[mid].key);
		if (c == 0)
			return fields[mid].fn;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return fields[i].fn;
	return n_copy;
}

static struct cc_val *field_entry(struct cc_norm_ctx *c, const char *key, const struct cc_val *v, void *ud)
{
	return find_field(ud, key)(c, v);
}

static struct cc_val *norm_fields(struct cc_norm_ctx *c, const struct cc_val *v, const struct field *fields)
{
	if (v->kind != CC_V_MAP) {
		cc_norm_fail(c, v, "must be a mapping");
		return NULL;
	}
	return cc_norm_map(c, v, field_entry, (void *)fields);
}

static struct cc_val *n_path(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (!cc_val_is_scalar(v) || v->kind == CC_V_NULL) {
		cc_norm_fail(c, v, "must be a path");
		return NULL;
	}
	return cc_val_new_str_take(cc_norm_abs_path(c, v->str), P(v));
}

static struct cc_val *seq_map(struct cc_norm_ctx *c, const struct cc_val *v, norm_fn item)
{
	if (v->kind != CC_V_SEQ) {
		cc_norm_fail(c, v, "must be a list");
		return NULL;
	}
	struct cc_val *out = cc_val_new(CC_V_SEQ, v->pos);
	out->flags = v->flags;
	for (size_t i = 0; i < v->seq.n; i++) {
		size_t mark = cc_norm_push_index(c, i);
		struct cc_val *x = item(c, v->seq.v[i]);
		cc_norm_pop(c, mark);
		if (!x) {
			cc_val_free(out);
			return NULL;
		}
		cc_seq_push(out, x);
	}
	return out;
}

/* ---- ports ---- */

static const struct field port_fields[] = {
    {"target", n_int},   {"published", n_str}, {"host_ip", n_str},
    {"protocol", n_str}, {"mode", n_str},      {NULL, NULL},
};

static struct cc_val *port_from_spec(const struct cc_port_spec *s, struct cc_pos pos)
{
	struct cc_val *m = cc_val_new(CC_V_MAP, pos);
	cc_map_set(m, "mode", cc_val_new_str("ingress", pos));
	if (s->host_ip)
		cc_map_set(m, "host_ip", cc_val_new_str(s->host_ip, pos));
	cc_map_set(m, "target", cc_val_new_int(s->target, pos));
	if (s->published)
		cc_map_set(m, "published", cc_val_new_str(s->published, pos));
	cc_map_set(m, "protocol", cc_val_new_str(s->protocol, pos));
	return m;
}

static struct cc_val *n_ports(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind != CC_V_SEQ) {
		cc_norm_fail(c, v, "must be a list");
		return NULL;
	}
	struct cc_val *out = cc_val_new(CC_V_SEQ, v->pos);
	out->flags = v->flags;
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct cc_val *it = v->seq.v[i];
		size_t mark = cc_norm_push_index(c, i);
		if (it->kind == CC_V_MAP) {
			struct cc_val *m = norm_fields(c, it, port_fields);
			if (!m)
				goto fail;
			if (!cc_map_get(m, "mode"))
				cc_map_set(m, "mode", cc_val_new_str("ingress", it->pos));
			if (!cc_map_get(m, "protocol"))
				cc_map_set(m, "protocol", cc_val_new_str("tcp", it->pos));
			if (!cc_map_get(m, "target")) {
				cc_val_free(m);
				cc_norm_fail(c, it, "requires property \"target\"");
				goto fail;
			}
			cc_seq_push(out, m);
		} else if (cc_val_is_scalar(it) && it->kind != CC_V_NULL) {
			if (c->lenient && strchr(it->str, '$')) {
				cc_seq_push(out, cc_val_new_str(it->str, it->pos));
				cc_norm_pop(c, mark);
				continue;
			}
			struct cc_port_spec *specs = NULL;
			size_t n = 0;
			cleanup_error struct cc_error *e = NULL;
			if (cc_parse_port_short(it->str, &specs, &n, &e) < 0) {
				cc_norm_fail(c, it, "%s", e->msg);
				goto fail;
			}
			for (size_t k = 0; k < n; k++)
				cc_seq_push(out, port_from_spec(&specs[k], it->pos));
			cc_port_specs_free(specs, n);
		} else {
			cc_norm_fail(c, it, "must be a string, number or mapping");
			goto fail;
		}
		cc_norm_pop(c, mark);
	}
	return out;
fail:
	cc_val_free(out);
	return NULL;
}

static struct cc_val *n_expose_item(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_string(c, v);
}

static struct cc_val *n_expose(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_expose_item);
}

/* ---- volumes ---- */

static struct cc_val *n_tmpfs_size(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_FLOAT || (v->kind == CC_V_STR && strchr(v->str, '.'))) {
		cc_norm_fail(c, v, "must be a non-negative integer byte size, got \"%s\"", v->str);
		return NULL;
	}
	struct cc_val *b = cc_norm_bytes(c, v);
	if (b && b->kind == CC_V_INT && b->num.i < 0) {
		cc_val_free(b);
		cc_norm_fail(c, v, "must be a non-negative byte size, got \"%s\"", v->str);
		return NULL;
	}
	return b;
}

static struct cc_val *n_mode(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_mode(c, v);
}

static const struct field bind_fields[] = {
    {"create_host_path", n_bool}, {"propagation", n_str}, {NULL, NULL}};
static const struct field volopt_fields[] = {{"nocopy", n_bool}, {"subpath", n_str}, {NULL, NULL}};
static const struct field tmpfsopt_fields[] = {{"size", n_tmpfs_size}, {"mode", n_mode}, {NULL, NULL}};

static struct cc_val *n_bind_opts(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, bind_fields);
}

static struct cc_val *n_vol_opts(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, volopt_fields);
}

static struct cc_val *n_tmpfs_opts(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, tmpfsopt_fields);
}

static const struct field volume_fields[] = {
    {"read_only", n_bool}, {"bind", n_bind_opts}, {"volume", n_vol_opts}, {"tmpfs", n_tmpfs_opts},
    {"target", n_str},     {"source", n_str},     {"type", n_str},        {NULL, NULL},
};

static struct cc_val *volume_short(struct cc_norm_ctx *c, const struct cc_val *it)
{
	struct cc_volume_spec s = {0};
	cleanup_error struct cc_error *e = NULL;
	if (cc_parse_volume_short(it->str, &s, &e) < 0) {
		cc_norm_fail(c, it, "%s", e->msg);
		return NULL;
	}
	struct cc_pos p = it->pos;
	struct cc_val *m = cc_val_new(CC_V_MAP, p);
	cc_map_set(m, "type", cc_val_new_str(s.type, p));
	bool bind = !strcmp(s.type, "bind");
	if (s.source)
		cc_map_set(m, "source",
			   bind ? cc_val_new_str_take(cc_norm_abs_path(c, s.source), p)
				: cc_val_new_str(s.source, p));
	cc_map_set(m, "target", cc_val_new_str(s.target, p));
	if (s.read_only)
		cc_map_set(m, "read_only", cc_val_new_bool(true, p));
	if (bind) {
		struct cc_val *b = cc_val_new(CC_V_MAP, p);
		/* The short syntax creates a missing host directory, like docker compose. */
		cc_map_set(b, "create_host_path", cc_val_new_bool(true, p));
		if (s.propagation)
			cc_map_set(b, "propagation", cc_val_new_str(s.propagation, p));
		if (s.selinux)
			cc_map_set(b, "selinux", cc_val_new_str(s.selinux, p));
		cc_map_set(m, "bind", b);
	} else if (s.source) {
		struct cc_val *vo = cc_val_new(CC_V_MAP, p);
		if (s.nocopy)
			cc_map_set(vo, "nocopy", cc_val_new_bool(true, p));
		cc_map_set(m, "volume", vo);
	}
	cc_volume_spec_release(&s);
	return m;
}

static struct cc_val *n_volume_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	if (it->kind == CC_V_STR) {
		if (c->lenient && strchr(it->str, '$'))
			return cc_val_new_str(it->str, it->pos);
		return volume_short(c, it);
	}
	struct cc_val *m = norm_fields(c, it, volume_fields);
	if (!m)
		return NULL;
	struct cc_val *type = cc_map_get(m, "type");
	struct cc_val *src = cc_map_get(m, "source");
	if (type && src && !strcmp(type->str, "bind") && src->kind == CC_V_STR)
		cc_val_set_str_take(src, cc_norm_abs_path(c, src->str));
	return m;
}

static struct cc_val *n_volumes(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_volume_item);
}

/* ---- depends_on, networks, secrets, configs ---- */

static const struct field dep_fields[] = {{"required", n_bool}, {"restart", n_bool}, {NULL, NULL}};

static struct cc_val *dep_entry(struct cc_norm_ctx *c, const char *key, const struct cc_val *v, void *ud)
{
	(void)key;
	(void)ud;
	struct cc_val *d = norm_fields(c, v, dep_fields);
	if (!d)
		return NULL;
	if (!cc_map_get(d, "condition"))
		cc_map_set(d, "condition", cc_val_new_str("service_started", v->pos));
	if (!cc_map_get(d, "required"))
		cc_map_set(d, "required", cc_val_new_bool(true, v->pos));
	return d;
}

static struct cc_val *n_depends_on(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind != CC_V_SEQ)
		return cc_norm_map(c, v, dep_entry, NULL);
	struct cc_val *out = cc_val_new(CC_V_MAP, v->pos);
	out->flags = v->flags;
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct cc_val *it = v->seq.v[i];
		struct cc_val *d = cc_val_new(CC_V_MAP, it->pos);
		cc_map_set(d, "condition", cc_val_new_str("service_started", it->pos));
		cc_map_set(d, "required", cc_val_new_bool(true, it->pos));
		cc_map_set_pos(out, it->str, d, it->pos);
	}
	return out;
}

static const struct field svcnet_fields[] = {
    {"aliases", n_list}, {"link_local_ips", n_list}, {"driver_opts", n_dict},
    {"priority", n_int}, {"gw_priority", n_int},     {NULL, NULL},
};

/* a network a service joins: null (defaults) or its attachment options */
static struct cc_val *svcnet_entry(struct cc_norm_ctx *c, const char *key, const struct cc_val *v, void *ud)
{
	(void)key;
	(void)ud;
	if (v->kind == CC_V_NULL)
		return cc_val_new_null(v->pos);
	return norm_fields(c, v, svcnet_fields);
}

static struct cc_val *n_networks(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind != CC_V_SEQ)
		return cc_norm_map(c, v, svcnet_entry, NULL);
	struct cc_val *out = cc_val_new(CC_V_MAP, v->pos);
	out->flags = v->flags;
	for (size_t i = 0; i < v->seq.n; i++)
		cc_map_set_pos(out, v->seq.v[i]->str, cc_val_new_null(v->seq.v[i]->pos), v->seq.v[i]->pos);
	return out;
}

static const struct field fileref_fields[] = {{"mode", n_mode}, {"uid", n_str}, {"gid", n_str}, {NULL, NULL}};

static struct cc_val *fileref_item(struct cc_norm_ctx *c, const struct cc_val *it, const char *prefix)
{
	struct cc_val *m;
	if (it->kind == CC_V_STR) {
		m = cc_val_new(CC_V_MAP, it->pos);
		cc_map_set(m, "source", cc_val_new_str(it->str, it->pos));
	} else {
		m = norm_fields(c, it, fileref_fields);
		if (!m)
			return NULL;
	}
	struct cc_val *src = cc_map_get(m, "source");
	if (!cc_map_get(m, "target") && src)
		cc_map_set(m, "target", cc_val_new_str_take(cc_xasprintf("%s%s", prefix, src->str), it->pos));
	return m;
}

static struct cc_val *n_secret_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	return fileref_item(c, it, "/run/secrets/");
}

static struct cc_val *n_config_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	return fileref_item(c, it, "/");
}

static struct cc_val *n_secrets(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_secret_item);
}

static struct cc_val *n_configs(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_config_item);
}

/* ---- healthcheck, build, deploy, logging ---- */

static struct cc_val *n_hc_test(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_STR) {
		struct cc_val *l = cc_val_new(CC_V_SEQ, v->pos);
		cc_seq_push(l, cc_val_new_str("CMD-SHELL", v->pos));
		cc_seq_push(l, cc_val_new_str(v->str, v->pos));
		return l;
	}
	struct cc_val *l = cc_norm_list(c, v, false);
	if (l && l->seq.n > 0) {
		const char *first = l->seq.v[0]->str;
		if (strcmp(first, "NONE") && strcmp(first, "CMD") && strcmp(first, "CMD-SHELL")) {
			cc_norm_fail(c, v, "must start with NONE, CMD or CMD-SHELL, got \"%s\"", first);
			cc_val_free(l);
			return NULL;
		}
	}
	return l;
}

static const struct field healthcheck_fields[] = {
    {"test", n_hc_test},
    {"interval", n_duration},
    {"timeout", n_duration},
    {"start_period", n_duration},
    {"start_interval", n_duration},
    {"retries", n_int},
    {"disable", n_bool},
    {NULL, NULL},
};

static struct cc_val *n_healthcheck(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *h = norm_fields(c, v, healthcheck_fields);
	if (!h)
		return NULL;
	struct cc_val *dis = cc_map_get(h, "disable");
	if (dis && dis->kind == CC_V_BOOL && dis->num.b) {
		/* disable: true is test: [NONE] */
		struct cc_val *t = cc_val_new(CC_V_SEQ, dis->pos);
		cc_seq_push(t, cc_val_new_str("NONE", dis->pos));
		cc_map_set(h, "test", t);
	}
	return h;
}

static bool is_remote_context(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) || !strncmp(s, "github.com/", 11);
}

static struct cc_val *n_context(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_STR && is_remote_context(v->str))
		return cc_val_new_str(v->str, v->pos);
	return n_path(c, v);
}

static struct cc_val *n_build_secret_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	if (it->kind == CC_V_STR) {
		struct cc_val *m = cc_val_new(CC_V_MAP, it->pos);
		cc_map_set(m, "source", cc_val_new_str(it->str, it->pos));
		return m;
	}
	return norm_fields(c, it, fileref_fields);
}

static struct cc_val *n_build_secrets(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_build_secret_item);
}

static struct cc_val *n_extra_hosts(struct cc_norm_ctx *c, const struct cc_val *v);
static struct cc_val *n_ulimits(struct cc_norm_ctx *c, const struct cc_val *v);

static const struct field build_fields[] = {
    {"context", n_context},
    {"dockerfile", n_str},
    {"dockerfile_inline", n_str},
    {"target", n_str},
    {"network", n_str},
    {"args", n_dict},
    {"labels", n_labels},
    {"tags", n_list},
    {"cache_from", n_list},
    {"cache_to", n_list},
    {"platforms", n_list},
    {"no_cache", n_bool},
    {"pull", n_bool},
    {"privileged", n_bool},
    {"shm_size", n_bytes},
    {"extra_hosts", n_extra_hosts},
    {"secrets", n_build_secrets},
    {"additional_contexts", n_dict},
    {"ulimits", n_ulimits},
    {"entitlements", n_list},
    {NULL, NULL},
};

static struct cc_val *n_build(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *b;
	if (v->kind == CC_V_STR) {
		b = cc_val_new(CC_V_MAP, v->pos);
		cc_map_set(b, "context", n_context(c, v));
	} else {
		b = norm_fields(c, v, build_fields);
		if (!b)
			return NULL;
	}
	if (!cc_map_get(b, "context"))
		cc_map_set(b, "context", cc_val_new_str(c->base_dir, v->pos));
	if (!cc_map_get(b, "dockerfile") && !cc_map_get(b, "dockerfile_inline"))
		cc_map_set(b, "dockerfile", cc_val_new_str("Dockerfile", v->pos));
	return b;
}

/* deploy.resources.reservations.devices and gpus: compose-go's rules for `count` */
static struct cc_val *n_device_request(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *d = cc_val_copy(v);
	struct cc_val *count = cc_map_get(d, "count");
	if (count && count->kind == CC_V_STR && strcmp(count->str, "all") != 0) {
		char *end = NULL;
		long n = strtol(count->str, &end, 10);
		if (!*count->str || *end || n < 0) {
			size_t mark = cc_norm_push(c, "count");
			cc_norm_fail(c, count,
				     "invalid value \"%s\": the only value allowed is 'all' or a number",
				     count->str);
			cc_norm_pop(c, mark);
			cc_val_free(d);
			return NULL;
		}
		cc_val_free(cc_map_take(d, "count"));
		cc_map_set(d, "count", cc_val_new_int(n, v->pos));
	}
	if (count && cc_map_get(d, "device_ids")) {
		cc_norm_fail(c, v, "sets both \"count\" and \"device_ids\", which are mutually exclusive");
		cc_val_free(d);
		return NULL;
	}
	return d;
}

static struct cc_val *n_device_requests(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_device_request);
}

static struct cc_val *n_gpus(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_SEQ)
		return n_device_requests(c, v);
	return cc_val_copy(v);
}

static const struct field limits_fields[] = {
    {"cpus", n_float}, {"devices", n_device_requests}, {"memory", n_bytes_str}, {"pids", n_int}, {NULL, NULL},
};

static struct cc_val *n_limits(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, limits_fields);
}

static const struct field resources_fields[] = {
    {"limits", n_limits},
    {"reservations", n_limits},
    {NULL, NULL},
};

static struct cc_val *n_resources(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, resources_fields);
}

static const struct field restart_policy_fields[] = {
    {"delay", n_duration},
    {"window", n_duration},
    {"max_attempts", n_int},
    {NULL, NULL},
};

static struct cc_val *n_restart_policy(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, restart_policy_fields);
}

static const struct field update_fields[] = {
    {"delay", n_duration}, {"monitor", n_duration}, {"parallelism", n_int}, {"max_failure_ratio", n_float},
    {NULL, NULL},
};

static struct cc_val *n_update(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, update_fields);
}

static const struct field deploy_fields[] = {
    {"replicas", n_int},  {"resources", n_resources},  {"restart_policy", n_restart_policy},
    {"labels", n_labels}, {"update_config", n_update}, {"rollback_config", n_update},
    {NULL, NULL},
};

static struct cc_val *n_deploy(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, deploy_fields);
}

static const struct field logging_fields[] = {{"driver", n_str}, {"options", n_dict}, {NULL, NULL}};

static struct cc_val *n_logging(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, logging_fields);
}

/* ---- env_file, label_file, extra_hosts, ulimits, devices, hooks, develop, extends ---- */

static const struct field envfile_fields[] = {
    {"path", n_path}, {"required", n_bool}, {"format", n_str}, {NULL, NULL}};

static struct cc_val *n_env_file_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	struct cc_val *m;
	if (it->kind == CC_V_STR) {
		m = cc_val_new(CC_V_MAP, it->pos);
		cc_map_set(m, "path", cc_val_new_str_take(cc_norm_abs_path(c, it->str), it->pos));
	} else {
		m = norm_fields(c, it, envfile_fields);
		if (!m)
			return NULL;
	}
	if (!cc_map_get(m, "required"))
		cc_map_set(m, "required", cc_val_new_bool(true, it->pos));
	return m;
}

static struct cc_val *n_env_file(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_STR) {
		struct cc_val *l = cc_val_new(CC_V_SEQ, v->pos);
		struct cc_val *it = n_env_file_item(c, v);
		cc_seq_push(l, it);
		return l;
	}
	return seq_map(c, v, n_env_file_item);
}

static struct cc_val *n_label_file(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_STR) {
		struct cc_val *l = cc_val_new(CC_V_SEQ, v->pos);
		cc_seq_push(l, n_path(c, v));
		return l;
	}
	return seq_map(c, v, n_path);
}

static char *host_entry(const char *host, const char *ip)
{
	size_t n = strlen(ip);
	if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']')
		return cc_xasprintf("%s=%.*s", host, (int)(n - 2), ip + 1);
	return cc_xasprintf("%s=%s", host, ip);
}

static struct cc_val *n_extra_hosts(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *out = cc_val_new(CC_V_SEQ, v->pos);
	out->flags = v->flags;
	if (v->kind == CC_V_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			const struct cc_val *ip = v->map.e[i].val;
			/* the canonical form is a list, so `host: !reset` within one file can only drop its
			 * entry */
			if (ip->flags & CC_VF_RESET)
				continue;
			if (ip->kind == CC_V_SEQ) {
				for (size_t k = 0; k < ip->seq.n; k++)
					cc_seq_push(out, cc_val_new_str_take(
							     host_entry(v->map.e[i].key, ip->seq.v[k]->str),
							     ip->pos));
			} else {
				cc_seq_push(
				    out, cc_val_new_str_take(
					     host_entry(v->map.e[i].key, ip->str ? ip->str : ""), ip->pos));
			}
		}
		return out;
	}
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct cc_val *it = v->seq.v[i];
		const char *s = it->str;
		const char *sep = strchr(s, '=');
		if (!sep)
			sep = strchr(s, ':');
		if (!sep) {
			size_t mark = cc_norm_push_index(c, i);
			cc_norm_fail(c, it, "must be \"host=ip\" or \"host:ip\", got \"%s\"", s);
			cc_norm_pop(c, mark);
			cc_val_free(out);
			return NULL;
		}
		cleanup_free char *host = cc_xstrndup(s, (size_t)(sep - s));
		cc_seq_push(out, cc_val_new_str_take(host_entry(host, sep + 1), it->pos));
	}
	return out;
}

static const struct field ulimit_fields[] = {{"soft", n_int}, {"hard", n_int}, {NULL, NULL}};

static struct cc_val *n_ulimit_item(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_MAP)
		return norm_fields(c, v, ulimit_fields);
	return cc_norm_int(c, v);
}

static struct cc_val *ulimit_entry(struct cc_norm_ctx *c, const char *key, const struct cc_val *v, void *ud)
{
	(void)key;
	(void)ud;
	return n_ulimit_item(c, v);
}

static struct cc_val *n_ulimits(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return cc_norm_map(c, v, ulimit_entry, NULL);
}

static struct cc_val *n_device_item(struct cc_norm_ctx *c, const struct cc_val *it)
{
	if (it->kind == CC_V_MAP)
		return cc_val_copy(it);
	/* host[:container[:permissions]] */
	const char *s = it->str;
	const char *c1 = strchr(s, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct cc_val *m = cc_val_new(CC_V_MAP, it->pos);
	cleanup_free char *src = cc_xstrndup(s, c1 ? (size_t)(c1 - s) : strlen(s));
	cleanup_free char *dst =
	    c1 ? cc_xstrndup(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) : cc_xstrdup(src);
	if (!*src || !*dst) {
		cc_val_free(m);
		cc_norm_fail(c, it, "invalid device specification \"%s\"", s);
		return NULL;
	}
	cc_map_set(m, "source", cc_val_new_str(src, it->pos));
	cc_map_set(m, "target", cc_val_new_str(dst, it->pos));
	cc_map_set(m, "permissions", cc_val_new_str(c2 ? c2 + 1 : "rwm", it->pos));
	return m;
}

static struct cc_val *n_devices(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_device_item);
}

static const struct field hook_fields[] = {
    {"command", n_command}, {"environment", n_dict}, {"privileged", n_bool},
    {"user", n_str},        {"working_dir", n_str},  {NULL, NULL},
};

static struct cc_val *n_hook(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, hook_fields);
}

static struct cc_val *n_hooks(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_hook);
}

static struct cc_val *n_watch_item(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *w = cc_val_copy(v);
	struct cc_val *action = cc_map_get(w, "action");
	struct cc_val *path = cc_map_get(w, "path");
	if (path && path->kind == CC_V_STR)
		cc_val_set_str_take(path, cc_norm_abs_path(c, path->str));
	if (action && action->kind == CC_V_STR && strcmp(action->str, "rebuild") != 0 &&
	    strcmp(action->str, "restart") != 0 && !cc_map_get(w, "target")) {
		cc_norm_fail(c, v, "requires \"target\" for action \"%s\"", action->str);
		cc_val_free(w);
		return NULL;
	}
	const struct cc_val *exec = cc_map_get(v, "exec");
	if (exec) {
		size_t mark = cc_norm_push(c, "exec");
		struct cc_val *e = n_hook(c, exec);
		cc_norm_pop(c, mark);
		if (!e) {
			cc_val_free(w);
			return NULL;
		}
		cc_map_set(w, "exec", e);
	}
	return w;
}

static struct cc_val *n_watch(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return seq_map(c, v, n_watch_item);
}

static const struct field develop_fields[] = {{"watch", n_watch}, {NULL, NULL}};

static struct cc_val *n_develop(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return norm_fields(c, v, develop_fields);
}

static struct cc_val *n_extends(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_STR) {
		struct cc_val *m = cc_val_new(CC_V_MAP, v->pos);
		cc_map_set(m, "service", cc_val_new_str(v->str, v->pos));
		return m;
	}
	struct cc_val *m = cc_val_copy(v);
	if (!cc_map_get(m, "service")) {
		cc_val_free(m);
		cc_norm_fail(c, v, "requires \"service\"");
		return NULL;
	}
	/* `file` stays relative: extends.c resolves it against the file that declares it (pos.file). */
	return m;
}

static struct cc_val *n_pull_policy(struct cc_norm_ctx *c, const struct cc_val *v)
{
	struct cc_val *s = cc_norm_string(c, v);
	if (s && !strcmp(s->str, "if_not_present"))
		cc_val_set_str_take(s, cc_xstrdup("missing"));
	return s;
}

static struct cc_val *n_cpu_rt(struct cc_norm_ctx *c, const struct cc_val *v)
{
	/* An integer of microseconds, or a duration string. */
	if (v->kind == CC_V_INT)
		return cc_val_new_int(v->num.i, v->pos);
	return cc_norm_duration(c, v);
}

static const struct field service_fields[] = {
    {"annotations", n_labels},
    {"attach", n_bool},
    {"build", n_build},
    {"cap_add", n_list},
    {"cap_drop", n_list},
    {"command", n_command},
    {"configs", n_configs},
    {"container_name", n_str},
    {"cpu_count", n_int},
    {"cpu_percent", n_int},
    {"cpu_period", n_int},
    {"cpu_quota", n_int},
    {"cpu_rt_period", n_cpu_rt},
    {"cpu_rt_runtime", n_cpu_rt},
    {"cpu_shares", n_int},
    {"cpus", n_float},
    {"depends_on", n_depends_on},
    {"deploy", n_deploy},
    {"develop", n_develop},
    {"device_cgroup_rules", n_list},
    {"devices", n_devices},
    {"dns", n_list},
    {"dns_opt", n_list},
    {"dns_search", n_list},
    {"domainname", n_str},
    {"entrypoint", n_command},
    {"env_file", n_env_file},
    {"environment", n_dict},
    {"expose", n_expose},
    {"extends", n_extends},
    {"external_links", n_list},
    {"extra_hosts", n_extra_hosts},
    {"gpus", n_gpus},
    {"group_add", n_list},
    {"healthcheck", n_healthcheck},
    {"hostname", n_str},
    {"image", n_str},
    {"init", n_bool},
    {"label_file", n_label_file},
    {"labels", n_labels},
    {"links", n_list},
    {"logging", n_logging},
    {"mem_limit", n_bytes},
    {"mem_reservation", n_bytes},
    {"mem_swappiness", n_int},
    {"memswap_limit", n_bytes},
    {"network_mode", n_str},
    {"networks", n_networks},
    {"oom_kill_disable", n_bool},
    {"oom_score_adj", n_int},
    {"pids_limit", n_int},
    {"platform", n_str},
    {"ports", n_ports},
    {"post_start", n_hooks},
    {"pre_stop", n_hooks},
    {"privileged", n_bool},
    {"profiles", n_list},
    {"pull_policy", n_pull_policy},
    {"read_only", n_bool},
    {"restart", n_str},
    {"scale", n_int},
    {"secrets", n_secrets},
    {"security_opt", n_list},
    {"shm_size", n_bytes},
    {"stdin_open", n_bool},
    {"stop_grace_period", n_duration},
    {"stop_signal", n_str},
    {"sysctls", n_dict},
    {"tmpfs", n_list},
    {"tty", n_bool},
    {"ulimits", n_ulimits},
    {"use_api_socket", n_bool},
    {"user", n_str},
    {"volumes", n_volumes},
    {"volumes_from", n_list},
    {"working_dir", n_str},
    {NULL, NULL},
};

struct cc_val *cc_norm_service(struct cc_norm_ctx *c, const struct cc_val *svc)
{
	if (svc->kind == CC_V_NULL) {
		/* `web:` with nothing under it is an empty service (it will fail "no image or build" later)
		 */
		struct cc_val *m = cc_val_new(CC_V_MAP, svc->pos);
		m->flags = svc->flags;
		return m;
	}
	return norm_fields(c, svc, service_fields);
}
