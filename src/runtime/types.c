/* Ownership of the runtime types (types.h): vectors, key/value lists, name tables, release/free, deep copies
 * and the container filter. Every *_release frees what the struct owns and zeroes it, so a released struct
 * is a valid empty one and releasing twice is harmless. Copies write into an uninitialised dst. */
#include "runtime/types.h"
#include "base/sha256.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <ctype.h>
#include <string.h>

/* --- string vectors --- */

size_t cc_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

bool cc_strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; s && v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

void cc_strv_push(cc_strv *v, const char *s)
{
	size_t n = cc_strv_len(*v);
	*v = cc_xrealloc(*v, (n + 2) * sizeof(**v));
	(*v)[n] = cc_xstrdup(s);
	(*v)[n + 1] = NULL;
}

cc_strv cc_strv_copy(char *const *v)
{
	if (!v)
		return NULL;
	size_t n = cc_strv_len(v);
	cc_strv out = cc_xmalloc((n + 1) * sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = cc_xstrdup(v[i]);
	out[n] = NULL;
	return out;
}

void cc_strv_free(cc_strv v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* --- key/value lists --- */

void cc_kvs_set(struct cc_kvs *kvs, const char *key, const char *value)
{
	for (size_t i = 0; i < kvs->n; i++) {
		if (strcmp(kvs->items[i].key, key) == 0) {
			char *v = cc_xstrdup(value);
			free(kvs->items[i].value);
			kvs->items[i].value = v;
			return;
		}
	}
	kvs->items = cc_xrealloc(kvs->items, (kvs->n + 1) * sizeof(*kvs->items));
	kvs->items[kvs->n].key = cc_xstrdup(key);
	kvs->items[kvs->n].value = cc_xstrdup(value);
	kvs->n++;
}

const char *cc_kvs_get(const struct cc_kvs *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->n; i++)
		if (strcmp(kvs->items[i].key, key) == 0)
			return kvs->items[i].value;
	return NULL;
}

void cc_kvs_copy(struct cc_kvs *dst, const struct cc_kvs *src)
{
	dst->n = src->n;
	dst->items = src->n ? cc_xcalloc(src->n, sizeof(*dst->items)) : NULL;
	for (size_t i = 0; i < src->n; i++) {
		dst->items[i].key = cc_xstrdup(src->items[i].key);
		dst->items[i].value = cc_xstrdup(src->items[i].value);
	}
}

void cc_kvs_release(struct cc_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		free(kvs->items[i].key);
		free(kvs->items[i].value);
	}
	free(kvs->items);
	kvs->items = NULL;
	kvs->n = 0;
}

/* --- name tables --- */

static const char *const state_names[] = {
    [CC_STATE_CREATED] = "created",   [CC_STATE_RUNNING] = "running",
    [CC_STATE_PAUSED] = "paused",     [CC_STATE_RESTARTING] = "restarting",
    [CC_STATE_REMOVING] = "removing", [CC_STATE_EXITED] = "exited",
    [CC_STATE_DEAD] = "dead",
};
static const char *const health_names[] = {
    [CC_HEALTH_NONE] = "",
    [CC_HEALTH_STARTING] = "starting",
    [CC_HEALTH_HEALTHY] = "healthy",
    [CC_HEALTH_UNHEALTHY] = "unhealthy",
};
static const char *const restart_names[] = {
    [CC_RESTART_NO] = "no",
    [CC_RESTART_ALWAYS] = "always",
    [CC_RESTART_ON_FAILURE] = "on-failure",
    [CC_RESTART_UNLESS_STOPPED] = "unless-stopped",
};

#define NAMES_LEN(t) (sizeof(t) / sizeof((t)[0]))

static const char *table_name(const char *const *t, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? t[v] : "unknown";
}

static int table_parse(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(t[i], s) == 0)
			return (int)i;
	return -1;
}

bool cc_state_is_up(enum cc_container_state s)
{
	return s == CC_STATE_RUNNING || s == CC_STATE_PAUSED || s == CC_STATE_RESTARTING;
}

const char *cc_state_name(enum cc_container_state s)
{
	return table_name(state_names, NAMES_LEN(state_names), (int)s);
}

int cc_state_parse(const char *s)
{
	return table_parse(state_names, NAMES_LEN(state_names), s);
}

const char *cc_health_name(enum cc_health_status h)
{
	return table_name(health_names, NAMES_LEN(health_names), (int)h);
}

int cc_health_parse(const char *s)
{
	return table_parse(health_names, NAMES_LEN(health_names), s);
}

const char *cc_restart_name(enum cc_restart_policy p)
{
	return table_name(restart_names, NAMES_LEN(restart_names), (int)p);
}

int cc_restart_parse(const char *s)
{
	return table_parse(restart_names, NAMES_LEN(restart_names), s);
}

/* --- the parts of a container spec --- */

static char *dup_or_null(const char *s)
{
	return s ? cc_xstrdup(s) : NULL;
}

void cc_healthcheck_free(struct cc_healthcheck *h)
{
	if (!h)
		return;
	cc_strv_free(h->test);
	free(h);
}

struct cc_healthcheck *cc_healthcheck_copy(const struct cc_healthcheck *src)
{
	if (!src)
		return NULL;
	struct cc_healthcheck *h = cc_xmalloc(sizeof(*h));
	*h = *src;
	h->test = cc_strv_copy(src->test);
	return h;
}

static void ports_free(struct cc_port_binding *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].host_ip);
	free(v);
}

static struct cc_port_binding *ports_copy(const struct cc_port_binding *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_port_binding *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = src[i];
		v[i].host_ip = dup_or_null(src[i].host_ip);
	}
	return v;
}

static void mounts_free(struct cc_mount *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].target);
		free(v[i].subpath);
	}
	free(v);
}

static struct cc_mount *mounts_copy(const struct cc_mount *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_mount *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = src[i];
		v[i].source = dup_or_null(src[i].source);
		v[i].target = dup_or_null(src[i].target);
		v[i].subpath = dup_or_null(src[i].subpath);
	}
	return v;
}

void cc_endpoint_release(struct cc_endpoint *e)
{
	free(e->network);
	cc_strv_free(e->aliases);
	free(e->ipv4_address);
	free(e->ipv6_address);
	free(e->mac_address);
	memset(e, 0, sizeof(*e));
}

static void endpoints_free(struct cc_endpoint *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cc_endpoint_release(&v[i]);
	free(v);
}

static struct cc_endpoint *endpoints_copy(const struct cc_endpoint *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_endpoint *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].network = dup_or_null(src[i].network);
		v[i].aliases = cc_strv_copy(src[i].aliases);
		v[i].ipv4_address = dup_or_null(src[i].ipv4_address);
		v[i].ipv6_address = dup_or_null(src[i].ipv6_address);
		v[i].mac_address = dup_or_null(src[i].mac_address);
	}
	return v;
}

static void file_refs_free(struct cc_file_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].target);
		free(v[i].uid);
		free(v[i].gid);
	}
	free(v);
}

static struct cc_file_ref *file_refs_copy(const struct cc_file_ref *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_file_ref *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].source = dup_or_null(src[i].source);
		v[i].target = dup_or_null(src[i].target);
		v[i].uid = dup_or_null(src[i].uid);
		v[i].gid = dup_or_null(src[i].gid);
		v[i].mode = src[i].mode;
	}
	return v;
}

static void ulimits_free(struct cc_ulimit *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static struct cc_ulimit *ulimits_copy(const struct cc_ulimit *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_ulimit *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = src[i];
		v[i].name = dup_or_null(src[i].name);
	}
	return v;
}

/* --- container specs and containers --- */

void cc_container_spec_release(struct cc_container_spec *s)
{
	free(s->name);
	free(s->image);
	free(s->platform);
	cc_strv_free(s->entrypoint);
	cc_strv_free(s->cmd);
	cc_strv_free(s->env);
	cc_kvs_release(&s->labels);
	free(s->working_dir);
	free(s->user);
	free(s->hostname);
	free(s->domainname);
	free(s->stop_signal);
	cc_healthcheck_free(s->healthcheck);
	ports_free(s->ports, s->nports);
	mounts_free(s->mounts, s->nmounts);
	endpoints_free(s->networks, s->nnetworks);
	free(s->network_mode);
	file_refs_free(s->secrets, s->nsecrets);
	file_refs_free(s->configs, s->nconfigs);
	cc_strv_free(s->cap_add);
	cc_strv_free(s->cap_drop);
	cc_strv_free(s->extra_hosts);
	cc_strv_free(s->links);
	cc_strv_free(s->dns);
	cc_strv_free(s->dns_search);
	cc_strv_free(s->dns_opt);
	cc_strv_free(s->group_add);
	cc_strv_free(s->security_opt);
	cc_strv_free(s->devices);
	cc_strv_free(s->tmpfs);
	cc_kvs_release(&s->sysctls);
	ulimits_free(s->ulimits, s->nulimits);
	free(s->pid_mode);
	free(s->ipc_mode);
	free(s->uts_mode);
	free(s->cpuset);
	memset(s, 0, sizeof(*s));
}

void cc_container_spec_copy(struct cc_container_spec *dst, const struct cc_container_spec *src)
{
	/* the scalars first, then every owned member replaced by its copy */
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->image = dup_or_null(src->image);
	dst->platform = dup_or_null(src->platform);
	dst->entrypoint = cc_strv_copy(src->entrypoint);
	dst->cmd = cc_strv_copy(src->cmd);
	dst->env = cc_strv_copy(src->env);
	cc_kvs_copy(&dst->labels, &src->labels);
	dst->working_dir = dup_or_null(src->working_dir);
	dst->user = dup_or_null(src->user);
	dst->hostname = dup_or_null(src->hostname);
	dst->domainname = dup_or_null(src->domainname);
	dst->stop_signal = dup_or_null(src->stop_signal);
	dst->healthcheck = cc_healthcheck_copy(src->healthcheck);
	dst->ports = ports_copy(src->ports, src->nports);
	dst->mounts = mounts_copy(src->mounts, src->nmounts);
	dst->networks = endpoints_copy(src->networks, src->nnetworks);
	dst->network_mode = dup_or_null(src->network_mode);
	dst->secrets = file_refs_copy(src->secrets, src->nsecrets);
	dst->configs = file_refs_copy(src->configs, src->nconfigs);
	dst->cap_add = cc_strv_copy(src->cap_add);
	dst->cap_drop = cc_strv_copy(src->cap_drop);
	dst->extra_hosts = cc_strv_copy(src->extra_hosts);
	dst->links = cc_strv_copy(src->links);
	dst->dns = cc_strv_copy(src->dns);
	dst->dns_search = cc_strv_copy(src->dns_search);
	dst->dns_opt = cc_strv_copy(src->dns_opt);
	dst->group_add = cc_strv_copy(src->group_add);
	dst->security_opt = cc_strv_copy(src->security_opt);
	dst->devices = cc_strv_copy(src->devices);
	dst->tmpfs = cc_strv_copy(src->tmpfs);
	cc_kvs_copy(&dst->sysctls, &src->sysctls);
	dst->ulimits = ulimits_copy(src->ulimits, src->nulimits);
	dst->pid_mode = dup_or_null(src->pid_mode);
	dst->ipc_mode = dup_or_null(src->ipc_mode);
	dst->uts_mode = dup_or_null(src->uts_mode);
	dst->cpuset = dup_or_null(src->cpuset);
}

void cc_health_results_free(struct cc_health_result *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].output);
	free(v);
}

static struct cc_health_result *health_results_copy(const struct cc_health_result *src, size_t n)
{
	if (!n)
		return NULL;
	struct cc_health_result *v = cc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = src[i];
		v[i].output = dup_or_null(src[i].output);
	}
	return v;
}

void cc_container_release(struct cc_container *c)
{
	free(c->id);
	free(c->name);
	cc_container_spec_release(&c->spec);
	free(c->image_id);
	endpoints_free(c->endpoints, c->nendpoints);
	ports_free(c->published, c->npublished);
	cc_health_results_free(c->health_log, c->nhealth_log);
	memset(c, 0, sizeof(*c));
}

void cc_container_copy(struct cc_container *dst, const struct cc_container *src)
{
	*dst = *src;
	dst->id = dup_or_null(src->id);
	dst->name = dup_or_null(src->name);
	cc_container_spec_copy(&dst->spec, &src->spec);
	dst->image_id = dup_or_null(src->image_id);
	dst->endpoints = endpoints_copy(src->endpoints, src->nendpoints);
	dst->published = ports_copy(src->published, src->npublished);
	dst->health_log = health_results_copy(src->health_log, src->nhealth_log);
}

void cc_containers_free(struct cc_container *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_container_release(&v[i]);
	free(v);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One "key" (the label exists) or "key=value" (it has that value) filter entry. */
static bool label_matches(const struct cc_kvs *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	if (!eq)
		return cc_kvs_get(labels, want) != NULL;
	size_t klen = (size_t)(eq - want);
	for (size_t i = 0; i < labels->n; i++)
		if (strlen(labels->items[i].key) == klen && memcmp(labels->items[i].key, want, klen) == 0)
			return strcmp(labels->items[i].value, eq + 1) == 0;
	return false;
}

bool cc_container_matches(const struct cc_container *c, const struct cc_container_filter *f)
{
	if (!f)
		return true;
	if (f->project) {
		const char *p = cc_kvs_get(&c->spec.labels, "com.docker.compose.project");
		if (!p || strcmp(p, f->project) != 0)
			return false;
	}
	if (f->name_prefix && !has_prefix(c->name, f->name_prefix) && !has_prefix(c->id, f->name_prefix))
		return false;
	for (size_t i = 0; f->labels && f->labels[i]; i++)
		if (!label_matches(&c->spec.labels, f->labels[i]))
			return false;
	if (f->state_mask) {
		unsigned s = (unsigned)c->state;
		return s < 32 && (f->state_mask & (1u << s)) != 0;
	}
	if (f->all)
		return true;
	/* docker ps without -a: everything that is up, including paused and restarting containers */
	return cc_state_is_up(c->state);
}

/* --- the other types --- */

void cc_top_release(struct cc_top *t)
{
	cc_strv_free(t->titles);
	for (size_t i = 0; t->rows && i < t->nrows; i++)
		cc_strv_free(t->rows[i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

void cc_stats_release(struct cc_stats *s)
{
	free(s->id);
	free(s->name);
	for (size_t i = 0; s->netifs && i < s->nnetifs; i++)
		free(s->netifs[i].name);
	free(s->netifs);
	memset(s, 0, sizeof(*s));
}

void cc_event_release(struct cc_event *e)
{
	free(e->type);
	free(e->action);
	free(e->id);
	free(e->name);
	cc_kvs_release(&e->attributes);
	memset(e, 0, sizeof(*e));
}

void cc_image_release(struct cc_image *img)
{
	free(img->id);
	cc_strv_free(img->repo_tags);
	cc_strv_free(img->repo_digests);
	cc_strv_free(img->env);
	cc_strv_free(img->cmd);
	cc_strv_free(img->entrypoint);
	cc_strv_free(img->exposed_ports);
	cc_strv_free(img->layers);
	free(img->working_dir);
	free(img->user);
	cc_kvs_release(&img->labels);
	cc_healthcheck_free(img->healthcheck);
	free(img->stop_signal);
	memset(img, 0, sizeof(*img));
}

bool cc_image_ref_only_untags(const struct cc_image *img, const char *ref, size_t nrefs)
{
	const char *hex = img->id && strncmp(img->id, "sha256:", 7) == 0 ? img->id + 7 : img->id;
	const char *r = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	if (hex && *r && strncmp(hex, r, strlen(r)) == 0)
		return false; /* an id or an id prefix */
	return nrefs > 1;
}

void cc_images_free(struct cc_image *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_image_release(&v[i]);
	free(v);
}

void cc_network_config_release(struct cc_network_config *s)
{
	free(s->name);
	free(s->driver);
	free(s->subnet);
	free(s->gateway);
	free(s->ip_range);
	free(s->subnet6);
	free(s->gateway6);
	free(s->ip_range6);
	cc_kvs_release(&s->labels);
	cc_kvs_release(&s->options);
	memset(s, 0, sizeof(*s));
}

void cc_network_release(struct cc_network *n)
{
	free(n->id);
	cc_network_config_release(&n->spec);
	cc_kvs_release(&n->containers);
	cc_kvs_release(&n->containers6);
	cc_kvs_release(&n->macs);
	memset(n, 0, sizeof(*n));
}

void cc_networks_free(struct cc_network *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_network_release(&v[i]);
	free(v);
}

void cc_volume_config_release(struct cc_volume_config *s)
{
	free(s->name);
	free(s->driver);
	cc_kvs_release(&s->labels);
	cc_kvs_release(&s->options);
	memset(s, 0, sizeof(*s));
}

void cc_volume_release(struct cc_volume *v)
{
	cc_volume_config_release(&v->spec);
	free(v->mountpoint);
	memset(v, 0, sizeof(*v));
}

void cc_volumes_free(struct cc_volume *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_volume_release(&v[i]);
	free(v);
}

void cc_secret_release(struct cc_secret *s)
{
	free(s->name);
	cc_kvs_release(&s->labels);
	free(s->digest);
	memset(s, 0, sizeof(*s));
}

void cc_secrets_free(struct cc_secret *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cc_secret_release(&v[i]);
	free(v);
}

void cc_version_release(struct cc_version *v)
{
	free(v->backend);
	free(v->version);
	free(v->api_version);
	free(v->os);
	free(v->arch);
	free(v->engine);
	memset(v, 0, sizeof(*v));
}

void cc_info_release(struct cc_info *i)
{
	free(i->backend);
	free(i->name);
	free(i->root);
	memset(i, 0, sizeof(*i));
}

void cc_info_count(struct cc_info *info, const struct cc_container *cs, size_t n)
{
	info->containers += (long)n;
	for (size_t i = 0; i < n; i++) {
		if (cs[i].state == CC_STATE_RUNNING || cs[i].state == CC_STATE_RESTARTING)
			info->running++;
		else if (cs[i].state == CC_STATE_PAUSED)
			info->paused++;
		else
			info->stopped++;
	}
}

bool cc_healthcheck_enabled(const struct cc_healthcheck *hc)
{
	return hc && hc->test && hc->test[0] && strcmp(hc->test[0], "NONE") != 0;
}

bool cc_valid_object_name(const char *s, size_t max)
{
	if (!s || !isalnum((unsigned char)s[0]) || (max && strlen(s) > max))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

void cc_secret_init(struct cc_secret *s, enum cc_secret_kind kind, const char *name, const void *value,
		    size_t len, const struct cc_kvs *labels, int64_t created_ns)
{
	memset(s, 0, sizeof(*s));
	s->name = cc_xstrdup(name);
	s->kind = kind;
	s->created_ns = created_ns;
	s->size = (int64_t)len;
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(value ? value : "", len, hex);
	s->digest = cc_xasprintf("sha256:%s", hex);
	if (labels)
		cc_kvs_copy(&s->labels, labels);
}

bool cc_container_uses_secret(const struct cc_container *c, enum cc_secret_kind kind, const char *name)
{
	const struct cc_file_ref *refs = kind == CC_CONFIG ? c->spec.configs : c->spec.secrets;
	size_t n = kind == CC_CONFIG ? c->spec.nconfigs : c->spec.nsecrets;
	for (size_t i = 0; i < n; i++)
		if (strcmp(refs[i].source, name) == 0)
			return true;
	return false;
}

bool cc_container_uses_volume(const struct cc_container *c, const char *volume)
{
	for (size_t i = 0; i < c->spec.nmounts; i++)
		if (c->spec.mounts[i].type == CC_MOUNT_VOLUME && c->spec.mounts[i].source &&
		    strcmp(c->spec.mounts[i].source, volume) == 0)
			return true;
	return false;
}
