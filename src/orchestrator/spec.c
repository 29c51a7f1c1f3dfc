/* From a service's canonical model to the container spec a runtime creates: every short syntax is already
 * long (the loader normalized it), so this is a field-by-field translation plus compose's labels. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/hash.h"
#include "compose/units.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	return s ? cc_xstrdup(s) : NULL;
}

/* An integer given as int or as digits in a string (the loader keeps byte sizes as text in deploy). */
/* A mode the loader checked and wrote as an octal string; 0 when absent. */
static uint32_t file_mode(const char *text)
{
	uint32_t mode = 0;
	struct cc_error *e = NULL;
	if (text && cc_parse_mode(text, &mode, &e) < 0)
		cc_error_free(e);
	return mode;
}

static int64_t integer(const struct cc_val *m, const char *k)
{
	const struct cc_val *v = cc_orch_get(m, k);
	if (!v)
		return 0;
	if (v->kind == CC_V_INT)
		return v->num.i;
	if (v->kind == CC_V_FLOAT)
		return (int64_t)v->num.f;
	const char *t = cc_val_text(v);
	return t ? strtoll(t, NULL, 10) : 0;
}

static double number(const struct cc_val *m, const char *k)
{
	const struct cc_val *v = cc_orch_get(m, k);
	if (!v)
		return 0;
	if (v->kind == CC_V_INT)
		return (double)v->num.i;
	if (v->kind == CC_V_FLOAT)
		return v->num.f;
	const char *t = cc_val_text(v);
	return t ? strtod(t, NULL) : 0;
}

static int64_t duration(const struct cc_val *m, const char *k, int64_t dflt)
{
	const char *s = cc_orch_str(m, k);
	int64_t ns;
	struct cc_error *e = NULL;
	if (!s)
		return dflt;
	if (cc_parse_duration(s, &ns, &e) < 0) {
		cc_error_free(e); /* the loader validated it; an unreadable value keeps the default */
		return dflt;
	}
	return ns;
}

static cc_strv strv(const struct cc_val *seq)
{
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	if (seq && seq->kind == CC_V_SEQ)
		for (size_t i = 0; i < seq->seq.n; i++)
			if (cc_val_is_scalar(seq->seq.v[i]))
				cc_strv_push(&v, cc_val_text(seq->seq.v[i]));
	if (seq && cc_val_is_scalar(seq) && seq->kind != CC_V_NULL)
		cc_strv_push(&v, cc_val_text(seq));
	return v;
}

static cc_strv strv_or_null(const struct cc_val *m, const char *k)
{
	const struct cc_val *v = cc_orch_get(m, k);
	return v ? strv(v) : NULL;
}

static void kvs_of(const struct cc_val *map, struct cc_kvs *out)
{
	if (!map || map->kind != CC_V_MAP)
		return;
	for (size_t i = 0; i < map->map.n; i++) {
		const struct cc_val *v = map->map.e[i].val;
		if (v && cc_val_is_scalar(v) && v->kind != CC_V_NULL)
			cc_kvs_set(out, map->map.e[i].key, cc_val_text(v));
	}
}

/* The engine-level name of a top-level resource (its `name`, set by the loader), or the key itself. */
const char *cc_orch_resource_name(const struct cc_project *p, const char *section, const char *key)
{
	const char *n = cc_orch_str(cc_orch_get(cc_orch_get(p->model, section), key), "name");
	return n ? n : key;
}

static void set_restart(const char *s, struct cc_container_spec *spec)
{
	if (!s)
		return;
	if (strncmp(s, "on-failure", 10) == 0) {
		spec->restart = CC_RESTART_ON_FAILURE;
		if (s[10] == ':')
			spec->restart_max_retries = atoi(s + 11);
		return;
	}
	int r = cc_restart_parse(s);
	spec->restart = r < 0 ? CC_RESTART_NO : (enum cc_restart_policy)r;
}

/* deploy.restart_policy, as docker compose maps it onto a container: it overrides `restart`; its condition
 * `any` is `always`, `on-failure` takes `max_attempts`, `none` (or none given) is `no`. */
static void set_deploy_restart(const struct cc_val *policy, struct cc_container_spec *spec)
{
	if (!policy)
		return;
	const char *cond = cc_orch_str(policy, "condition");
	spec->restart_max_retries = 0;
	if (cond && (strcmp(cond, "any") == 0 || strcmp(cond, "always") == 0))
		spec->restart = CC_RESTART_ALWAYS;
	else if (cond && strcmp(cond, "on-failure") == 0) {
		spec->restart = CC_RESTART_ON_FAILURE;
		spec->restart_max_retries = (int)integer(policy, "max_attempts");
	} else if (cond && strcmp(cond, "unless-stopped") == 0)
		spec->restart = CC_RESTART_UNLESS_STOPPED;
	else
		spec->restart = CC_RESTART_NO;
}

static void set_healthcheck(const struct cc_val *hc, struct cc_container_spec *spec)
{
	if (!hc)
		return;
	struct cc_healthcheck *h = cc_xcalloc(1, sizeof(*h));
	if (cc_orch_flag(hc, "disable")) {
		cc_strv_push(&h->test, "NONE");
	} else {
		h->test = strv(cc_orch_get(hc, "test"));
		if (!h->test[0]) {
			/* no test: the image's, with these timings; the model has none, so none */
			cc_strv_push(&h->test, "NONE");
		}
	}
	h->interval_ns = duration(hc, "interval", 0);
	h->timeout_ns = duration(hc, "timeout", 0);
	h->start_period_ns = duration(hc, "start_period", 0);
	h->start_interval_ns = duration(hc, "start_interval", 0);
	h->retries = (int)integer(hc, "retries");
	spec->healthcheck = h;
}

void cc_orch_published_range(const char *published, struct cc_port_binding *b)
{
	if (!published)
		return;
	char *end;
	b->host_port = (uint16_t)strtoul(published, &end, 10);
	if (*end == '-')
		b->host_port_end = (uint16_t)strtoul(end + 1, NULL, 10);
}

static void set_ports(const struct cc_val *ports, struct cc_container_spec *spec)
{
	if (!ports || ports->kind != CC_V_SEQ || !ports->seq.n)
		return;
	spec->ports = cc_xcalloc(ports->seq.n, sizeof(*spec->ports));
	for (size_t i = 0; i < ports->seq.n; i++) {
		const struct cc_val *pv = ports->seq.v[i];
		struct cc_port_binding *b = &spec->ports[spec->nports++];
		b->host_ip = dup_or_null(cc_orch_str(pv, "host_ip"));
		b->container_port = (uint16_t)integer(pv, "target");
		cc_orch_published_range(cc_orch_str(pv, "published"), b);
		snprintf(b->protocol, sizeof(b->protocol), "%s",
			 cc_orch_str(pv, "protocol") ? cc_orch_str(pv, "protocol") : "tcp");
	}
}

static void set_mounts(const struct cc_project *p, const struct cc_val *vols, const struct cc_val *tmpfs,
		       struct cc_container_spec *spec)
{
	size_t n = vols && vols->kind == CC_V_SEQ ? vols->seq.n : 0;
	if (!n)
		return;
	spec->mounts = cc_xcalloc(n, sizeof(*spec->mounts));
	for (size_t i = 0; i < n; i++) {
		const struct cc_val *mv = vols->seq.v[i];
		struct cc_mount *m = &spec->mounts[spec->nmounts++];
		const char *type = cc_orch_str(mv, "type");
		const char *source = cc_orch_str(mv, "source");
		m->target = dup_or_null(cc_orch_str(mv, "target"));
		m->read_only = cc_orch_flag(mv, "read_only");
		if (type && strcmp(type, "bind") == 0) {
			m->type = CC_MOUNT_BIND;
			m->source = dup_or_null(source);
			m->create_host_path = cc_orch_flag(cc_orch_get(mv, "bind"), "create_host_path");
		} else if (type && strcmp(type, "tmpfs") == 0) {
			m->type = CC_MOUNT_TMPFS;
			m->tmpfs_size = integer(cc_orch_get(mv, "tmpfs"), "size");
			m->tmpfs_mode = file_mode(cc_orch_str(cc_orch_get(mv, "tmpfs"), "mode"));
		} else {
			m->type = CC_MOUNT_VOLUME;
			m->source = source ? cc_xstrdup(cc_orch_resource_name(p, "volumes", source)) : NULL;
			m->nocopy = cc_orch_flag(cc_orch_get(mv, "volume"), "nocopy");
			m->subpath = dup_or_null(cc_orch_str(cc_orch_get(mv, "volume"), "subpath"));
		}
	}
	(void)tmpfs;
}

/* service discovery by service name, as docker compose registers it, and the network's aliases */
static void push_aliases(const char *service, const struct cc_val *net, struct cc_endpoint *ep)
{
	cc_strv_push(&ep->aliases, service);
	const struct cc_val *aliases = cc_orch_get(net, "aliases");
	for (size_t k = 0; aliases && aliases->kind == CC_V_SEQ && k < aliases->seq.n; k++)
		cc_strv_push(&ep->aliases, cc_val_text(aliases->seq.v[k]));
}

static void set_networks(const struct cc_project *p, const char *service, const struct cc_val *svc,
			 bool with_aliases, struct cc_container_spec *spec)
{
	const struct cc_val *nets = cc_orch_get(svc, "networks");
	if (!nets || nets->kind != CC_V_MAP || !nets->map.n)
		return;
	spec->networks = cc_xcalloc(nets->map.n, sizeof(*spec->networks));
	for (size_t i = 0; i < nets->map.n; i++) {
		const char *key = nets->map.e[i].key;
		const struct cc_val *nv = nets->map.e[i].val;
		struct cc_endpoint *ep = &spec->networks[spec->nnetworks++];
		ep->network = cc_xstrdup(cc_orch_resource_name(p, "networks", key));
		if (with_aliases)
			push_aliases(service, nv, ep);
		ep->ipv4_address = dup_or_null(cc_orch_str(nv, "ipv4_address"));
		ep->ipv6_address = dup_or_null(cc_orch_str(nv, "ipv6_address"));
		ep->mac_address = dup_or_null(cc_orch_str(nv, "mac_address"));
	}
	/* a service's own mac_address is its first network's, as docker compose gives it to the primary
	 * endpoint, unless that network names one */
	const char *mac = cc_orch_str(svc, "mac_address");
	if (mac && spec->nnetworks && !spec->networks[0].mac_address)
		spec->networks[0].mac_address = cc_xstrdup(mac);
}

static void set_file_refs(const struct cc_project *p, const char *section, const struct cc_val *refs,
			  struct cc_file_ref **out, size_t *n)
{
	if (!refs || refs->kind != CC_V_SEQ || !refs->seq.n)
		return;
	*out = cc_xcalloc(refs->seq.n, sizeof(**out));
	for (size_t i = 0; i < refs->seq.n; i++) {
		const struct cc_val *rv = refs->seq.v[i];
		struct cc_file_ref *r = &(*out)[(*n)++];
		const char *source = cc_orch_str(rv, "source");
		r->source = cc_xstrdup(cc_orch_resource_name(p, section, source ? source : ""));
		const char *target = cc_orch_str(rv, "target");
		r->target = target ? cc_xstrdup(target)
				   : cc_xasprintf(strcmp(section, "secrets") == 0 ? "/run/secrets/%s" : "/%s",
						  source ? source : "");
		r->uid = dup_or_null(cc_orch_str(rv, "uid"));
		r->gid = dup_or_null(cc_orch_str(rv, "gid"));
		r->mode = file_mode(cc_orch_str(rv, "mode"));
	}
}

static void set_resources(const struct cc_val *svc, struct cc_container_spec *spec)
{
	const struct cc_val *res = cc_orch_get(cc_orch_get(svc, "deploy"), "resources");
	const struct cc_val *limits = cc_orch_get(res, "limits"), *reserv = cc_orch_get(res, "reservations");
	double cpus = number(svc, "cpus");
	if (number(limits, "cpus") > 0)
		cpus = number(limits, "cpus");
	spec->nano_cpus = (int64_t)llround(cpus * 1e9);
	spec->memory = integer(limits, "memory") ? integer(limits, "memory") : integer(svc, "mem_limit");
	spec->memory_reservation =
	    integer(reserv, "memory") ? integer(reserv, "memory") : integer(svc, "mem_reservation");
	spec->memswap = integer(svc, "memswap_limit");
	spec->pids_limit = integer(limits, "pids") ? integer(limits, "pids") : integer(svc, "pids_limit");
	spec->shm_size = integer(svc, "shm_size");
	spec->cpu_shares = integer(svc, "cpu_shares");
}

static void set_ulimits(const struct cc_val *ul, struct cc_container_spec *spec)
{
	if (!ul || ul->kind != CC_V_MAP || !ul->map.n)
		return;
	spec->ulimits = cc_xcalloc(ul->map.n, sizeof(*spec->ulimits));
	for (size_t i = 0; i < ul->map.n; i++) {
		const struct cc_val *v = ul->map.e[i].val;
		struct cc_ulimit *u = &spec->ulimits[spec->nulimits++];
		u->name = cc_xstrdup(ul->map.e[i].key);
		if (v->kind == CC_V_MAP) {
			u->soft = integer(v, "soft");
			u->hard = integer(v, "hard");
		} else {
			u->soft = u->hard =
			    v->kind == CC_V_INT ? v->num.i : strtoll(cc_val_text(v), NULL, 10);
		}
	}
}

char *cc_orch_image_of(const struct cc_project *p, const char *service)
{
	const char *image = cc_orch_str(cc_project_service(p, service), "image");
	return image ? cc_xstrdup(image) : cc_xasprintf("%s-%s", p->name, service);
}

int cc_orch_service_replicas(const struct cc_project *p, const char *service, const struct cc_kvs *scale)
{
	const char *forced = scale ? cc_kvs_get(scale, service) : NULL;
	if (forced)
		return atoi(forced);
	const struct cc_val *svc = cc_project_service(p, service);
	if (cc_orch_get(svc, "scale"))
		return (int)integer(svc, "scale");
	if (cc_orch_get(cc_orch_get(svc, "deploy"), "replicas"))
		return (int)integer(cc_orch_get(svc, "deploy"), "replicas");
	return 1;
}

static void add_labels(const struct cc_project *p, const char *service, const struct cc_val *svc, int number,
		       bool oneoff, struct cc_kvs *labels)
{
	char hash[CC_SHA256_HEX_LEN + 1], num[16];
	cc_service_config_hash(svc, hash);
	snprintf(num, sizeof(num), "%d", number);
	cc_kvs_set(labels, CC_LABEL_PROJECT, p->name);
	cc_kvs_set(labels, CC_LABEL_SERVICE, service);
	cc_kvs_set(labels, CC_LABEL_NUMBER, num);
	cc_kvs_set(labels, CC_LABEL_CONFIG_HASH, hash);
	cc_kvs_set(labels, CC_LABEL_ONEOFF, oneoff ? "True" : "False");
	cc_kvs_set(labels, CC_LABEL_WORKING_DIR, p->working_dir);
	cleanup_strbuf struct cc_strbuf files = CC_STRBUF_INIT;
	for (size_t i = 0; i < p->nconfig_files; i++)
		cc_strbuf_addf(&files, "%s%s", i ? "," : "", p->config_files[i]);
	cc_kvs_set(labels, CC_LABEL_CONFIG_FILES, cc_strbuf_str(&files));
	cc_kvs_set(labels, CC_LABEL_VERSION, CC_VERSION);
	/* docker compose's form: "db:service_healthy:true,cache:service_started:false" */
	cleanup_strbuf struct cc_strbuf deps = CC_STRBUF_INIT;
	const struct cc_val *dep = cc_orch_get(svc, "depends_on");
	for (size_t i = 0; dep && dep->kind == CC_V_MAP && i < dep->map.n; i++) {
		const struct cc_val *d = dep->map.e[i].val;
		const char *cond = cc_orch_str(d, "condition");
		cc_strbuf_addf(&deps, "%s%s:%s:%s", i ? "," : "", dep->map.e[i].key,
			       cond ? cond : "service_started",
			       cc_orch_flag(d, "restart") ? "true" : "false");
	}
	cc_kvs_set(labels, CC_LABEL_DEPENDS_ON, cc_strbuf_str(&deps));
}

/* container_name, else docker compose's <project>-<service>-<number> (owned). */
static char *container_name(const struct cc_project *p, const char *service, const struct cc_val *svc,
			    int number)
{
	const char *cname = cc_orch_str(svc, "container_name");
	return cname ? cc_xstrdup(cname) : cc_xasprintf("%s-%s-%d", p->name, service, number);
}

/* links: "SERVICE[:ALIAS]" names the service's first container, for engines; a name that is no service is a
 * container's already (external links). */
/* network_mode, pid and ipc: `service:NAME` is that service's first container, as engines know containers,
 * not services. */
static char *namespace_mode(const struct cc_project *p, const char *mode)
{
	const char *shared = mode && strncmp(mode, "service:", 8) == 0 ? mode + 8 : NULL;
	if (shared && cc_project_service(p, shared)) {
		cleanup_free char *other = container_name(p, shared, cc_project_service(p, shared), 1);
		return cc_xasprintf("container:%s", other);
	}
	return dup_or_null(mode);
}

/* links name services (their first container) or, external_links, containers by name: "NAME[:ALIAS]". */
static void set_links(const struct cc_project *p, const struct cc_val *links, bool external,
		      struct cc_container_spec *spec)
{
	for (size_t i = 0; links && links->kind == CC_V_SEQ && i < links->seq.n; i++) {
		cleanup_free char *entry = cc_xstrdup(cc_val_text(links->seq.v[i]));
		char *colon = strchr(entry, ':');
		if (colon)
			*colon = 0;
		const char *alias = colon ? colon + 1 : entry;
		const struct cc_val *target = external ? NULL : cc_project_service(p, entry);
		cleanup_free char *name = target ? container_name(p, entry, target, 1) : cc_xstrdup(entry);
		cleanup_free char *link = cc_xasprintf("%s:%s", name, alias);
		cc_strv_push(&spec->links, link);
	}
}

int cc_orch_service_spec(const struct cc_project *p, const char *service, int number, bool oneoff,
			 struct cc_container_spec *out, struct cc_error **err)
{
	const struct cc_val *svc = cc_project_service(p, service);
	if (!svc)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", service);
	memset(out, 0, sizeof(*out));
	if (oneoff) {
		char id[13];
		cc_random_hex(id, 6);
		out->name = cc_xasprintf("%s-%s-run-%s", p->name, service, id);
	} else {
		out->name = container_name(p, service, svc, number);
	}
	out->image = cc_orch_image_of(p, service);
	out->platform = dup_or_null(cc_orch_str(svc, "platform"));
	if (cc_orch_get(svc, "entrypoint")) {
		out->has_entrypoint = true;
		out->entrypoint = strv(cc_orch_get(svc, "entrypoint"));
	}
	if (cc_orch_get(svc, "command")) {
		out->has_cmd = true;
		out->cmd = strv(cc_orch_get(svc, "command"));
	}
	const struct cc_val *env = cc_orch_get(svc, "environment");
	out->env = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; env && env->kind == CC_V_MAP && i < env->map.n; i++) {
		const struct cc_val *v = env->map.e[i].val;
		if (!v || v->kind == CC_V_NULL)
			continue; /* unset and not in the environment: not passed */
		char *kv = cc_xasprintf("%s=%s", env->map.e[i].key, cc_val_text(v));
		cc_strv_push(&out->env, kv);
		free(kv);
	}
	kvs_of(cc_orch_get(svc, "labels"), &out->labels);
	add_labels(p, service, svc, number, oneoff, &out->labels);
	out->working_dir = dup_or_null(cc_orch_str(svc, "working_dir"));
	out->user = dup_or_null(cc_orch_str(svc, "user"));
	out->hostname = dup_or_null(cc_orch_str(svc, "hostname"));
	out->domainname = dup_or_null(cc_orch_str(svc, "domainname"));
	out->tty = cc_orch_flag(svc, "tty");
	out->stdin_open = cc_orch_flag(svc, "stdin_open");
	out->init = cc_orch_flag(svc, "init");
	out->privileged = cc_orch_flag(svc, "privileged");
	out->read_only = cc_orch_flag(svc, "read_only");
	set_restart(oneoff ? NULL : cc_orch_str(svc, "restart"), out);
	if (!oneoff)
		set_deploy_restart(cc_orch_get(cc_orch_get(svc, "deploy"), "restart_policy"), out);
	out->stop_signal = dup_or_null(cc_orch_str(svc, "stop_signal"));
	out->stop_grace_ns = duration(svc, "stop_grace_period", -1);
	set_healthcheck(cc_orch_get(svc, "healthcheck"), out);
	if (!oneoff)
		set_ports(cc_orch_get(svc, "ports"), out);
	set_mounts(p, cc_orch_get(svc, "volumes"), cc_orch_get(svc, "tmpfs"), out);
	out->network_mode = namespace_mode(p, cc_orch_str(svc, "network_mode"));
	if (!out->network_mode)
		set_networks(p, service, svc, !oneoff, out);
	set_file_refs(p, "secrets", cc_orch_get(svc, "secrets"), &out->secrets, &out->nsecrets);
	set_file_refs(p, "configs", cc_orch_get(svc, "configs"), &out->configs, &out->nconfigs);
	out->cap_add = strv_or_null(svc, "cap_add");
	out->cap_drop = strv_or_null(svc, "cap_drop");
	out->extra_hosts = strv_or_null(svc, "extra_hosts");
	set_links(p, cc_orch_get(svc, "links"), false, out);
	set_links(p, cc_orch_get(svc, "external_links"), true, out);
	out->dns = strv_or_null(svc, "dns");
	out->dns_search = strv_or_null(svc, "dns_search");
	out->dns_opt = strv_or_null(svc, "dns_opt");
	out->group_add = strv_or_null(svc, "group_add");
	out->security_opt = strv_or_null(svc, "security_opt");
	out->devices = strv_or_null(svc, "devices");
	out->tmpfs = strv_or_null(svc, "tmpfs");
	kvs_of(cc_orch_get(svc, "sysctls"), &out->sysctls);
	set_ulimits(cc_orch_get(svc, "ulimits"), out);
	set_resources(svc, out);
	out->uts_mode = dup_or_null(cc_orch_str(svc, "uts"));
	out->cpuset = dup_or_null(cc_orch_str(svc, "cpuset"));
	out->cpu_period = integer(svc, "cpu_period");
	out->cpu_quota = integer(svc, "cpu_quota");
	out->oom_score_adj = (int)integer(svc, "oom_score_adj");
	if (out->nano_cpus && (out->cpu_period || out->cpu_quota)) {
		cc_container_spec_release(out);
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "service %s: cpus conflicts with cpu_period and cpu_quota: set one or the other",
		    service);
	}
	out->pid_mode = namespace_mode(p, cc_orch_str(svc, "pid"));
	out->ipc_mode = namespace_mode(p, cc_orch_str(svc, "ipc"));
	return 0;
}

void cc_orch_spec_service_ports(const struct cc_project *p, const char *service,
				struct cc_container_spec *spec)
{
	set_ports(cc_orch_get(cc_project_service(p, service), "ports"), spec);
}

void cc_orch_spec_service_aliases(const struct cc_project *p, const char *service,
				  struct cc_container_spec *spec)
{
	const struct cc_val *nets = cc_orch_get(cc_project_service(p, service), "networks");
	for (size_t i = 0; nets && nets->kind == CC_V_MAP && i < nets->map.n; i++) {
		const char *name = cc_orch_resource_name(p, "networks", nets->map.e[i].key);
		for (size_t k = 0; k < spec->nnetworks; k++)
			if (strcmp(spec->networks[k].network, name) == 0)
				push_aliases(service, nets->map.e[i].val, &spec->networks[k]);
	}
}

/* Service keys the spec has no place for. Each is named when a service uses it, instead of being dropped
 * in silence; a key leaves this list when an engine applies it. */
static const char *const unapplied_keys[] = {
    "annotations", "blkio_config",  "cgroup",         "cgroup_parent",    "cpu_count",
    "cpu_percent", "cpu_rt_period", "cpu_rt_runtime", "credential_spec",  "device_cgroup_rules",
    "gpus",        "isolation",     "mem_swappiness", "oom_kill_disable", "runtime",
    "storage_opt", "userns_mode",   "use_api_socket", "models",           "provider",
    NULL,
};

void cc_orch_warn_unapplied(const struct cc_project *p, const char *service, const struct cc_orch_ui *ui)
{
	const struct cc_val *svc = cc_project_service(p, service);
	for (const char *const *k = unapplied_keys; *k; k++)
		if (cc_orch_get(svc, *k))
			cc_orch_warn(ui, "service %s: %s is not supported and has no effect", service, *k);
	const struct cc_val *gpus =
	    cc_orch_get(cc_orch_get(cc_orch_get(svc, "deploy"), "resources"), "reservations");
	if (cc_orch_get(gpus, "devices"))
		cc_orch_warn(
		    ui,
		    "service %s: deploy.resources.reservations.devices is not supported and has no effect",
		    service);
	const struct cc_val *logging = cc_orch_get(svc, "logging");
	const char *driver = cc_orch_str(logging, "driver");
	if (driver && strcmp(driver, "json-file") != 0 && strcmp(driver, "local") != 0)
		cc_orch_warn(ui,
			     "service %s: logging driver %s is not supported: the engine's own log is used",
			     service, driver);
	const struct cc_val *options = cc_orch_get(logging, "options");
	if (options && options->kind == CC_V_MAP && options->map.n)
		cc_orch_warn(ui, "service %s: logging options are not supported and have no effect", service);
}
