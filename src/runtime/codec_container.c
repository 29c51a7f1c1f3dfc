/* JSON for container specs and container views (codec.h). */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "runtime/codec-internal.h"
#include "runtime/codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const mount_types[] = {
    [CC_MOUNT_BIND] = "bind", [CC_MOUNT_VOLUME] = "volume", [CC_MOUNT_TMPFS] = "tmpfs"};

/* --- encoding --- */

static json_t *port_to_json(const struct cc_port_binding *p)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "hostAddress", p->host_ip);
	cc_jset_int_nz(o, "hostPort", p->host_port);
	cc_jset_int_nz(o, "hostPortEnd", p->host_port_end);
	cc_jset_int(o, "containerPort", p->container_port);
	/* protocol is a fixed buffer: bound the read in case it was filled to the brim */
	char proto[sizeof(p->protocol) + 1] = {0};
	memcpy(proto, p->protocol, sizeof(p->protocol));
	cc_jset_str(o, "proto", proto[0] ? proto : "tcp");
	return o;
}

static json_t *ports_to_json(const struct cc_port_binding *v, size_t n)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++)
		cc_jappend(a, port_to_json(&v[i]));
	return a;
}

static json_t *endpoints_to_json(const struct cc_endpoint *v, size_t n)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++) {
		json_t *o = cc_jobject();
		cc_jset_str(o, "name", v[i].network);
		cc_jset_strv(o, "aliases", v[i].aliases);
		cc_jset_str(o, "ipv4Address", v[i].ipv4_address);
		cc_jset_str(o, "ipv6Address", v[i].ipv6_address);
		cc_jset_str(o, "macAddress", v[i].mac_address);
		cc_jappend(a, o);
	}
	return a;
}

static json_t *file_refs_to_json(const struct cc_file_ref *v, size_t n)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++) {
		json_t *o = cc_jobject();
		cc_jset_str(o, "source", v[i].source);
		cc_jset_str(o, "target", v[i].target);
		cc_jset_str(o, "uid", v[i].uid);
		cc_jset_str(o, "gid", v[i].gid);
		cc_jset_int_nz(o, "mode", v[i].mode);
		cc_jappend(a, o);
	}
	return a;
}

static json_t *mounts_to_json(const struct cc_mount *v, size_t n)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++) {
		json_t *o = cc_jobject();
		unsigned t = (unsigned)v[i].type;
		cc_jset_str(o, "type",
			    t < sizeof(mount_types) / sizeof(mount_types[0]) ? mount_types[t] : "bind");
		cc_jset_str(o, "source", v[i].source);
		cc_jset_str(o, "target", v[i].target);
		cc_jset_true(o, "readOnly", v[i].read_only);
		cc_jset_true(o, "createHostPath", v[i].create_host_path);
		cc_jset_true(o, "noCopy", v[i].nocopy);
		cc_jset_str(o, "subpath", v[i].subpath);
		cc_jset_int_nz(o, "tmpfsSize", v[i].tmpfs_size);
		cc_jset_int_nz(o, "tmpfsMode", v[i].tmpfs_mode);
		cc_jappend(a, o);
	}
	return a;
}

json_t *cc_healthcheck_to_json(const struct cc_healthcheck *h)
{
	json_t *o = cc_jobject();
	cc_jset_strv(o, "test", h->test);
	cc_jset_int_nz(o, "intervalNs", h->interval_ns);
	cc_jset_int_nz(o, "timeoutNs", h->timeout_ns);
	cc_jset_int_nz(o, "startPeriodNs", h->start_period_ns);
	cc_jset_int_nz(o, "startIntervalNs", h->start_interval_ns);
	cc_jset_int_nz(o, "retries", h->retries);
	return o;
}

json_t *cc_container_spec_to_json(const struct cc_container_spec *s)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "name", s->name);
	cc_jset_str(o, "image", s->image);
	cc_jset_str(o, "platform", s->platform);
	/* [] is meaningful here (clear the image's), so the flag decides, not the vector */
	if (s->has_entrypoint)
		cc_jset(o, "entrypoint", cc_strv_to_json(s->entrypoint));
	if (s->has_cmd)
		cc_jset(o, "cmd", cc_strv_to_json(s->cmd));
	cc_jset_strv(o, "env", s->env);
	if (s->labels.n)
		cc_jset(o, "labels", cc_kvs_to_json(&s->labels));
	cc_jset_str(o, "workingDir", s->working_dir);
	cc_jset_str(o, "user", s->user);
	cc_jset_str(o, "hostname", s->hostname);
	cc_jset_str(o, "domainname", s->domainname);
	cc_jset_true(o, "tty", s->tty);
	cc_jset_true(o, "stdinOpen", s->stdin_open);
	cc_jset_true(o, "init", s->init);
	cc_jset_true(o, "privileged", s->privileged);
	cc_jset_true(o, "readOnly", s->read_only);
	cc_jset_true(o, "autoRemove", s->auto_remove);
	if (s->restart != CC_RESTART_NO || s->restart_max_retries) {
		json_t *r = cc_jobject();
		cc_jset_str(r, "name", cc_restart_name(s->restart));
		cc_jset_int(r, "maximumRetryCount", s->restart_max_retries);
		cc_jset(o, "restartPolicy", r);
	}
	cc_jset_str(o, "stopSignal", s->stop_signal);
	if (s->stop_grace_ns >= 0)
		cc_jset_int(o, "stopGracePeriodNs", s->stop_grace_ns);
	if (s->healthcheck)
		cc_jset(o, "healthcheck", cc_healthcheck_to_json(s->healthcheck));
	if (s->nports)
		cc_jset(o, "publishedPorts", ports_to_json(s->ports, s->nports));
	if (s->nmounts)
		cc_jset(o, "mounts", mounts_to_json(s->mounts, s->nmounts));
	if (s->nnetworks)
		cc_jset(o, "networks", endpoints_to_json(s->networks, s->nnetworks));
	cc_jset_str(o, "networkMode", s->network_mode);
	if (s->nsecrets)
		cc_jset(o, "secrets", file_refs_to_json(s->secrets, s->nsecrets));
	if (s->nconfigs)
		cc_jset(o, "configs", file_refs_to_json(s->configs, s->nconfigs));
	cc_jset_strv(o, "capAdd", s->cap_add);
	cc_jset_strv(o, "capDrop", s->cap_drop);
	cc_jset_strv(o, "extraHosts", s->extra_hosts);
	cc_jset_strv(o, "links", s->links);
	cc_jset_strv(o, "dns", s->dns);
	cc_jset_strv(o, "dnsSearch", s->dns_search);
	cc_jset_strv(o, "dnsOpt", s->dns_opt);
	cc_jset_strv(o, "groupAdd", s->group_add);
	cc_jset_strv(o, "securityOpt", s->security_opt);
	cc_jset_strv(o, "devices", s->devices);
	cc_jset_strv(o, "tmpfs", s->tmpfs);
	if (s->sysctls.n)
		cc_jset(o, "sysctls", cc_kvs_to_json(&s->sysctls));
	if (s->nulimits) {
		json_t *a = cc_jarray();
		for (size_t i = 0; i < s->nulimits; i++) {
			json_t *u = cc_jobject();
			cc_jset_str(u, "name", s->ulimits[i].name);
			cc_jset_int(u, "soft", s->ulimits[i].soft);
			cc_jset_int(u, "hard", s->ulimits[i].hard);
			cc_jappend(a, u);
		}
		cc_jset(o, "ulimits", a);
	}
	cc_jset_int_nz(o, "nanoCpus", s->nano_cpus);
	cc_jset_int_nz(o, "memoryBytes", s->memory);
	cc_jset_int_nz(o, "memoryReservation", s->memory_reservation);
	cc_jset_int_nz(o, "memorySwap", s->memswap);
	cc_jset_int_nz(o, "pidsLimit", s->pids_limit);
	cc_jset_int_nz(o, "shmSize", s->shm_size);
	cc_jset_int_nz(o, "cpuShares", s->cpu_shares);
	cc_jset_int_nz(o, "cpuPeriod", s->cpu_period);
	cc_jset_int_nz(o, "cpuQuota", s->cpu_quota);
	cc_jset_str(o, "cpuset", s->cpuset);
	cc_jset_int_nz(o, "oomScoreAdj", s->oom_score_adj);
	cc_jset_str(o, "pidMode", s->pid_mode);
	cc_jset_str(o, "ipcMode", s->ipc_mode);
	cc_jset_str(o, "utsMode", s->uts_mode);
	return o;
}

json_t *cc_container_to_json(const struct cc_container *c)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "id", c->id);
	cc_jset_str(o, "name", c->name);
	cc_jset(o, "config", cc_container_spec_to_json(&c->spec));
	cc_jset_str(o, "imageId", c->image_id);
	cc_jset_str(o, "state", cc_state_name(c->state));
	cc_jset_int(o, "exitCode", c->exit_code);
	cc_jset(o, "oomKilled", json_boolean(c->oom_killed));
	cc_jset_int(o, "pid", c->pid);
	cc_jset_int(o, "createdNs", c->created_ns);
	cc_jset_int_nz(o, "startedNs", c->started_ns);
	cc_jset_int_nz(o, "finishedNs", c->finished_ns);
	if (c->health != CC_HEALTH_NONE)
		cc_jset_str(o, "health", cc_health_name(c->health));
	cc_jset_int(o, "failingStreak", c->failing_streak);
	if (c->nhealth_log)
		cc_jset(o, "healthLog", cc_health_results_to_json(c->health_log, c->nhealth_log));
	cc_jset_int(o, "restartCount", c->restart_count);
	cc_jset(o, "endpoints", endpoints_to_json(c->endpoints, c->nendpoints));
	cc_jset(o, "published", ports_to_json(c->published, c->npublished));
	return o;
}

/* --- decoding --- */

static int port_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_port_binding *p = out;
	int64_t host = 0, end = 0, cont = 0;
	cleanup_free char *proto = NULL;
	if (cc_jget_str(j, path, "hostAddress", false, &p->host_ip, err) < 0 ||
	    cc_jget_range(j, path, "hostPort", 0, UINT16_MAX, false, &host, err) < 0 ||
	    cc_jget_range(j, path, "hostPortEnd", 0, UINT16_MAX, false, &end, err) < 0 ||
	    cc_jget_range(j, path, "containerPort", 0, UINT16_MAX, true, &cont, err) < 0 ||
	    cc_jget_str(j, path, "proto", false, &proto, err) < 0)
		return -1;
	if (proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0)
		return cc_jerr_type(err, path, "proto", "\"tcp\", \"udp\" or \"sctp\"");
	p->host_port = (uint16_t)host;
	p->host_port_end = (uint16_t)end;
	p->container_port = (uint16_t)cont;
	strcpy(p->protocol, proto ? proto : "tcp");
	return 0;
}

static int mount_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_mount *m = out;
	cleanup_free char *type = NULL;
	if (cc_jget_str(j, path, "type", true, &type, err) < 0)
		return -1;
	size_t t = 0;
	while (t < sizeof(mount_types) / sizeof(mount_types[0]) && strcmp(mount_types[t], type) != 0)
		t++;
	if (t == sizeof(mount_types) / sizeof(mount_types[0]))
		return cc_jerr_type(err, path, "type", "\"bind\", \"volume\" or \"tmpfs\"");
	m->type = (enum cc_mount_type)t;
	if (cc_jget_str(j, path, "source", false, &m->source, err) < 0 ||
	    cc_jget_str(j, path, "target", true, &m->target, err) < 0 ||
	    cc_jget_bool(j, path, "readOnly", &m->read_only, err) < 0 ||
	    cc_jget_bool(j, path, "createHostPath", &m->create_host_path, err) < 0 ||
	    cc_jget_bool(j, path, "noCopy", &m->nocopy, err) < 0 ||
	    cc_jget_str(j, path, "subpath", false, &m->subpath, err) < 0 ||
	    cc_jget_range(j, path, "tmpfsSize", 0, INT64_MAX, false, &m->tmpfs_size, err) < 0 ||
	    cc_jget_range(j, path, "tmpfsMode", 0, 07777, false, &m->tmpfs_mode, err) < 0)
		return -1;
	return 0;
}

json_t *cc_health_results_to_json(const struct cc_health_result *v, size_t n)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++) {
		json_t *o = cc_jobject();
		cc_jset_int(o, "startNs", v[i].start_ns);
		cc_jset_int(o, "endNs", v[i].end_ns);
		cc_jset_int(o, "exitCode", v[i].exit_code);
		cc_jset_str(o, "output", v[i].output ? v[i].output : "");
		cc_jappend(a, o);
	}
	return a;
}

static int health_result_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_health_result *h = out;
	if (cc_jget_i64(j, path, "startNs", &h->start_ns, err) < 0 ||
	    cc_jget_i64(j, path, "endNs", &h->end_ns, err) < 0 ||
	    cc_jget_int(j, path, "exitCode", &h->exit_code, err) < 0 ||
	    cc_jget_str(j, path, "output", false, &h->output, err) < 0)
		return -1;
	return 0;
}

int cc_health_results_from_json(const json_t *j, struct cc_health_result **out, size_t *n,
				struct cc_error **err)
{
	void *objs = NULL;
	json_t *wrap = json_pack("{sO}", "log", (json_t *)j);
	int r = cc_jget_objects(wrap, "", "log", sizeof(**out), health_result_from_json, &objs, n, err);
	json_decref(wrap);
	*out = objs;
	return r;
}

static int endpoint_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_endpoint *e = out;
	if (cc_jget_str(j, path, "name", true, &e->network, err) < 0 ||
	    cc_jget_strv(j, path, "aliases", &e->aliases, NULL, err) < 0 ||
	    cc_jget_str(j, path, "ipv4Address", false, &e->ipv4_address, err) < 0 ||
	    cc_jget_str(j, path, "ipv6Address", false, &e->ipv6_address, err) < 0 ||
	    cc_jget_str(j, path, "macAddress", false, &e->mac_address, err) < 0)
		return -1;
	return 0;
}

static int file_ref_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_file_ref *f = out;
	int64_t mode = 0;
	if (cc_jget_str(j, path, "source", true, &f->source, err) < 0 ||
	    cc_jget_str(j, path, "target", true, &f->target, err) < 0 ||
	    cc_jget_str(j, path, "uid", false, &f->uid, err) < 0 ||
	    cc_jget_str(j, path, "gid", false, &f->gid, err) < 0 ||
	    cc_jget_range(j, path, "mode", 0, UINT32_MAX, false, &mode, err) < 0)
		return -1;
	f->mode = (uint32_t)mode;
	return 0;
}

static int ulimit_from_json(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_ulimit *u = out;
	if (cc_jget_str(j, path, "name", true, &u->name, err) < 0 ||
	    cc_jget_i64(j, path, "soft", &u->soft, err) < 0 ||
	    cc_jget_i64(j, path, "hard", &u->hard, err) < 0)
		return -1;
	return 0;
}

int cc_healthcheck_from_json(const json_t *obj, const char *path, struct cc_healthcheck **out,
			     struct cc_error **err)
{
	const json_t *j = cc_jfield(obj, "healthcheck");
	if (!j)
		return 0;
	cleanup_free char *p = cc_jpath(path, "healthcheck");
	if (cc_jcheck_object(j, p, err) < 0)
		return -1;
	struct cc_healthcheck *h = cc_xcalloc(1, sizeof(*h));
	*out = h; /* the spec owns it from here, so its release cleans up a failure */
	if (cc_jget_strv(j, p, "test", &h->test, NULL, err) < 0 ||
	    cc_jget_i64(j, p, "intervalNs", &h->interval_ns, err) < 0 ||
	    cc_jget_i64(j, p, "timeoutNs", &h->timeout_ns, err) < 0 ||
	    cc_jget_i64(j, p, "startPeriodNs", &h->start_period_ns, err) < 0 ||
	    cc_jget_i64(j, p, "startIntervalNs", &h->start_interval_ns, err) < 0 ||
	    cc_jget_int(j, p, "retries", &h->retries, err) < 0)
		return -1;
	return 0;
}

static int restart_from_json(const json_t *obj, const char *path, struct cc_container_spec *s,
			     struct cc_error **err)
{
	const json_t *j = cc_jfield(obj, "restartPolicy");
	if (!j)
		return 0;
	cleanup_free char *p = cc_jpath(path, "restartPolicy");
	cleanup_free char *name = NULL;
	if (cc_jcheck_object(j, p, err) < 0 || cc_jget_str(j, p, "name", false, &name, err) < 0 ||
	    cc_jget_int(j, p, "maximumRetryCount", &s->restart_max_retries, err) < 0)
		return -1;
	/* docker's API writes "" for "no" */
	int r = name && *name ? cc_restart_parse(name) : CC_RESTART_NO;
	if (r < 0)
		return cc_jerr_type(err, p, "name",
				    "\"no\", \"always\", \"on-failure\" or \"unless-stopped\"");
	s->restart = (enum cc_restart_policy)r;
	return 0;
}

/* An array of objects into (arr, n); needs locals `void *objs` and `int r`. The array is stored even on
 * failure so the owner's release frees the part decoded. */
#define OBJECTS(key, arr, n, fn)                                                                             \
	(r = cc_jget_objects(j, path, key, sizeof(*(arr)), fn, &objs, &(n), err), (arr) = objs, r)

/* The spec at `path` ("" at the top, "config" inside a container); out is zeroed first. */
static int spec_from_json(const json_t *j, const char *path, struct cc_container_spec *s,
			  struct cc_error **err)
{
	void *objs;
	int r;
	memset(s, 0, sizeof(*s));
	s->stop_grace_ns = -1;
	CC_TRY(cc_jcheck_object(j, *path ? path : "container spec", err));
	CC_TRY(cc_jget_str(j, path, "name", false, &s->name, err));
	CC_TRY(cc_jget_str(j, path, "image", true, &s->image, err));
	CC_TRY(cc_jget_str(j, path, "platform", false, &s->platform, err));
	CC_TRY(cc_jget_strv(j, path, "entrypoint", &s->entrypoint, &s->has_entrypoint, err));
	CC_TRY(cc_jget_strv(j, path, "cmd", &s->cmd, &s->has_cmd, err));
	CC_TRY(cc_jget_strv(j, path, "env", &s->env, NULL, err));
	CC_TRY(cc_jget_kvs(j, path, "labels", &s->labels, err));
	CC_TRY(cc_jget_str(j, path, "workingDir", false, &s->working_dir, err));
	CC_TRY(cc_jget_str(j, path, "user", false, &s->user, err));
	CC_TRY(cc_jget_str(j, path, "hostname", false, &s->hostname, err));
	CC_TRY(cc_jget_str(j, path, "domainname", false, &s->domainname, err));
	CC_TRY(cc_jget_bool(j, path, "tty", &s->tty, err));
	CC_TRY(cc_jget_bool(j, path, "stdinOpen", &s->stdin_open, err));
	CC_TRY(cc_jget_bool(j, path, "init", &s->init, err));
	CC_TRY(cc_jget_bool(j, path, "privileged", &s->privileged, err));
	CC_TRY(cc_jget_bool(j, path, "readOnly", &s->read_only, err));
	CC_TRY(cc_jget_bool(j, path, "autoRemove", &s->auto_remove, err));
	CC_TRY(restart_from_json(j, path, s, err));
	CC_TRY(cc_jget_str(j, path, "stopSignal", false, &s->stop_signal, err));
	CC_TRY(cc_jget_i64(j, path, "stopGracePeriodNs", &s->stop_grace_ns, err));
	CC_TRY(cc_healthcheck_from_json(j, path, &s->healthcheck, err));
	CC_TRY(OBJECTS("publishedPorts", s->ports, s->nports, port_from_json));
	CC_TRY(OBJECTS("mounts", s->mounts, s->nmounts, mount_from_json));
	CC_TRY(OBJECTS("networks", s->networks, s->nnetworks, endpoint_from_json));
	CC_TRY(cc_jget_str(j, path, "networkMode", false, &s->network_mode, err));
	CC_TRY(OBJECTS("secrets", s->secrets, s->nsecrets, file_ref_from_json));
	CC_TRY(OBJECTS("configs", s->configs, s->nconfigs, file_ref_from_json));
	CC_TRY(cc_jget_strv(j, path, "capAdd", &s->cap_add, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "capDrop", &s->cap_drop, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "extraHosts", &s->extra_hosts, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "links", &s->links, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "dns", &s->dns, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "dnsSearch", &s->dns_search, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "dnsOpt", &s->dns_opt, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "groupAdd", &s->group_add, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "securityOpt", &s->security_opt, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "devices", &s->devices, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "tmpfs", &s->tmpfs, NULL, err));
	CC_TRY(cc_jget_kvs(j, path, "sysctls", &s->sysctls, err));
	CC_TRY(OBJECTS("ulimits", s->ulimits, s->nulimits, ulimit_from_json));
	CC_TRY(cc_jget_i64(j, path, "nanoCpus", &s->nano_cpus, err));
	CC_TRY(cc_jget_i64(j, path, "memoryBytes", &s->memory, err));
	CC_TRY(cc_jget_i64(j, path, "memoryReservation", &s->memory_reservation, err));
	CC_TRY(cc_jget_i64(j, path, "memorySwap", &s->memswap, err));
	CC_TRY(cc_jget_i64(j, path, "pidsLimit", &s->pids_limit, err));
	CC_TRY(cc_jget_i64(j, path, "shmSize", &s->shm_size, err));
	CC_TRY(cc_jget_i64(j, path, "cpuShares", &s->cpu_shares, err));
	CC_TRY(cc_jget_i64(j, path, "cpuPeriod", &s->cpu_period, err));
	CC_TRY(cc_jget_i64(j, path, "cpuQuota", &s->cpu_quota, err));
	CC_TRY(cc_jget_str(j, path, "cpuset", false, &s->cpuset, err));
	CC_TRY(cc_jget_int(j, path, "oomScoreAdj", &s->oom_score_adj, err));
	CC_TRY(cc_jget_str(j, path, "pidMode", false, &s->pid_mode, err));
	CC_TRY(cc_jget_str(j, path, "ipcMode", false, &s->ipc_mode, err));
	CC_TRY(cc_jget_str(j, path, "utsMode", false, &s->uts_mode, err));
	return 0;
fail:
	cc_container_spec_release(s);
	return -1;
}

int cc_container_spec_from_json(const json_t *j, struct cc_container_spec *out, struct cc_error **err)
{
	return spec_from_json(j, "", out, err);
}

/* A name from one of the enum tables; absent leaves *out alone. */
static int enum_from_json(const json_t *obj, const char *key, int (*parse)(const char *), bool required,
			  const char *expected, int *out, struct cc_error **err)
{
	cleanup_free char *s = NULL;
	if (cc_jget_str(obj, "", key, required, &s, err) < 0)
		return -1;
	if (!s)
		return 0;
	int v = parse(s);
	if (v < 0)
		return cc_jerr_type(err, "", key, expected);
	*out = v;
	return 0;
}

int cc_container_from_json(const json_t *j, struct cc_container *out, struct cc_error **err)
{
	struct cc_container *c = out;
	memset(c, 0, sizeof(*c));
	c->spec.stop_grace_ns = -1;
	const char *path = "";
	int state = 0, health = 0, r;
	void *objs;
	CC_TRY(cc_jcheck_object(j, "container", err));
	CC_TRY(cc_jget_str(j, path, "id", true, &c->id, err));
	CC_TRY(cc_jget_str(j, path, "name", true, &c->name, err));
	const json_t *config = cc_jfield(j, "config");
	if (config)
		CC_TRY(spec_from_json(config, "config", &c->spec, err));
	CC_TRY(cc_jget_str(j, path, "imageId", false, &c->image_id, err));
	CC_TRY(enum_from_json(j, "state", cc_state_parse, true,
			      "one of \"created\", \"running\", \"paused\", \"restarting\", \"removing\", "
			      "\"exited\", \"dead\"",
			      &state, err));
	c->state = (enum cc_container_state)state;
	CC_TRY(cc_jget_int(j, path, "exitCode", &c->exit_code, err));
	CC_TRY(cc_jget_bool(j, path, "oomKilled", &c->oom_killed, err));
	CC_TRY(cc_jget_int(j, path, "pid", &c->pid, err));
	CC_TRY(cc_jget_i64(j, path, "createdNs", &c->created_ns, err));
	CC_TRY(cc_jget_i64(j, path, "startedNs", &c->started_ns, err));
	CC_TRY(cc_jget_i64(j, path, "finishedNs", &c->finished_ns, err));
	CC_TRY(enum_from_json(j, "health", cc_health_parse, false,
			      "\"starting\", \"healthy\" or \"unhealthy\"", &health, err));
	c->health = (enum cc_health_status)health;
	CC_TRY(cc_jget_int(j, path, "failingStreak", &c->failing_streak, err));
	CC_TRY(OBJECTS("healthLog", c->health_log, c->nhealth_log, health_result_from_json));
	CC_TRY(cc_jget_int(j, path, "restartCount", &c->restart_count, err));
	CC_TRY(OBJECTS("endpoints", c->endpoints, c->nendpoints, endpoint_from_json));
	CC_TRY(OBJECTS("published", c->published, c->npublished, port_from_json));
	return 0;
fail:
	cc_container_release(c);
	return -1;
}
