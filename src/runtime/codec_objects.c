/* JSON for events, images, networks, volumes, secrets and stats (codec.h). */
#include "base/cleanup.h"
#include "runtime/codec-internal.h"
#include "runtime/codec.h"

#include <string.h>

/* --- events --- */

json_t *cc_event_to_json(const struct cc_event *e)
{
	json_t *o = cc_jobject();
	cc_jset_int_nz(o, "seq", e->seq);
	cc_jset_int(o, "timeNs", e->time_ns);
	cc_jset_str(o, "type", e->type);
	cc_jset_str(o, "action", e->action);
	cc_jset_str(o, "id", e->id);
	cc_jset_str(o, "name", e->name);
	cc_jset(o, "attributes", cc_kvs_to_json(&e->attributes));
	return o;
}

int cc_event_from_json(const json_t *j, struct cc_event *out, struct cc_error **err)
{
	const char *path = "";
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "event", err) < 0)
		return -1;
	CC_TRY(cc_jget_i64(j, path, "seq", &out->seq, err));
	CC_TRY(cc_jget_i64(j, path, "timeNs", &out->time_ns, err));
	CC_TRY(cc_jget_str(j, path, "type", true, &out->type, err));
	CC_TRY(cc_jget_str(j, path, "action", true, &out->action, err));
	CC_TRY(cc_jget_str(j, path, "id", false, &out->id, err));
	CC_TRY(cc_jget_str(j, path, "name", false, &out->name, err));
	CC_TRY(cc_jget_kvs(j, path, "attributes", &out->attributes, err));
	return 0;
fail:
	cc_event_release(out);
	return -1;
}

/* --- images --- */

json_t *cc_image_to_json(const struct cc_image *img)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "id", img->id);
	cc_jset(o, "repoTags", cc_strv_to_json(img->repo_tags));
	cc_jset(o, "repoDigests", cc_strv_to_json(img->repo_digests));
	cc_jset_int(o, "size", img->size);
	cc_jset_int(o, "createdNs", img->created_ns);
	cc_jset(o, "env", cc_strv_to_json(img->env));
	cc_jset(o, "cmd", cc_strv_to_json(img->cmd));
	cc_jset(o, "entrypoint", cc_strv_to_json(img->entrypoint));
	cc_jset(o, "exposedPorts", cc_strv_to_json(img->exposed_ports));
	cc_jset(o, "layers", cc_strv_to_json(img->layers));
	cc_jset_str(o, "workingDir", img->working_dir);
	cc_jset_str(o, "user", img->user);
	cc_jset(o, "labels", cc_kvs_to_json(&img->labels));
	if (img->healthcheck)
		cc_jset(o, "healthcheck", cc_healthcheck_to_json(img->healthcheck));
	cc_jset_str(o, "stopSignal", img->stop_signal);
	return o;
}

int cc_image_from_json(const json_t *j, struct cc_image *out, struct cc_error **err)
{
	const char *path = "";
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "image", err) < 0)
		return -1;
	CC_TRY(cc_jget_str(j, path, "id", false, &out->id, err));
	CC_TRY(cc_jget_strv(j, path, "repoTags", &out->repo_tags, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "repoDigests", &out->repo_digests, NULL, err));
	CC_TRY(cc_jget_i64(j, path, "size", &out->size, err));
	CC_TRY(cc_jget_i64(j, path, "createdNs", &out->created_ns, err));
	CC_TRY(cc_jget_strv(j, path, "env", &out->env, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "cmd", &out->cmd, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "entrypoint", &out->entrypoint, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "exposedPorts", &out->exposed_ports, NULL, err));
	CC_TRY(cc_jget_strv(j, path, "layers", &out->layers, NULL, err));
	CC_TRY(cc_jget_str(j, path, "workingDir", false, &out->working_dir, err));
	CC_TRY(cc_jget_str(j, path, "user", false, &out->user, err));
	CC_TRY(cc_healthcheck_from_json(j, path, &out->healthcheck, err));
	CC_TRY(cc_jget_str(j, path, "stopSignal", false, &out->stop_signal, err));
	CC_TRY(cc_jget_kvs(j, path, "labels", &out->labels, err));
	return 0;
fail:
	cc_image_release(out);
	return -1;
}

/* --- networks --- */

json_t *cc_network_to_json(const struct cc_network *n)
{
	const struct cc_network_config *s = &n->spec;
	json_t *o = cc_jobject();
	cc_jset_str(o, "id", n->id);
	cc_jset_str(o, "name", s->name);
	cc_jset_str(o, "driver", s->driver);
	cc_jset_str(o, "subnet", s->subnet);
	cc_jset_str(o, "gateway", s->gateway);
	cc_jset_str(o, "ipRange", s->ip_range);
	cc_jset_true(o, "internal", s->internal);
	cc_jset_true(o, "attachable", s->attachable);
	cc_jset_true(o, "enableIpv6", s->enable_ipv6);
	cc_jset_str(o, "subnet6", s->subnet6);
	cc_jset_str(o, "gateway6", s->gateway6);
	cc_jset_str(o, "ipRange6", s->ip_range6);
	cc_jset(o, "labels", cc_kvs_to_json(&s->labels));
	cc_jset(o, "options", cc_kvs_to_json(&s->options));
	cc_jset_int(o, "createdNs", n->created_ns);
	cc_jset(o, "containers", cc_kvs_to_json(&n->containers));
	if (n->containers6.n)
		cc_jset(o, "containers6", cc_kvs_to_json(&n->containers6));
	if (n->macs.n)
		cc_jset(o, "macs", cc_kvs_to_json(&n->macs));
	return o;
}

int cc_network_from_json(const json_t *j, struct cc_network *out, struct cc_error **err)
{
	const char *path = "";
	struct cc_network_config *s = &out->spec;
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "network", err) < 0)
		return -1;
	CC_TRY(cc_jget_str(j, path, "id", false, &out->id, err));
	CC_TRY(cc_jget_str(j, path, "name", true, &s->name, err));
	CC_TRY(cc_jget_str(j, path, "driver", false, &s->driver, err));
	CC_TRY(cc_jget_str(j, path, "subnet", false, &s->subnet, err));
	CC_TRY(cc_jget_str(j, path, "gateway", false, &s->gateway, err));
	CC_TRY(cc_jget_str(j, path, "ipRange", false, &s->ip_range, err));
	CC_TRY(cc_jget_bool(j, path, "internal", &s->internal, err));
	CC_TRY(cc_jget_bool(j, path, "attachable", &s->attachable, err));
	CC_TRY(cc_jget_bool(j, path, "enableIpv6", &s->enable_ipv6, err));
	CC_TRY(cc_jget_str(j, path, "subnet6", false, &s->subnet6, err));
	CC_TRY(cc_jget_str(j, path, "gateway6", false, &s->gateway6, err));
	CC_TRY(cc_jget_str(j, path, "ipRange6", false, &s->ip_range6, err));
	CC_TRY(cc_jget_kvs(j, path, "labels", &s->labels, err));
	CC_TRY(cc_jget_kvs(j, path, "options", &s->options, err));
	CC_TRY(cc_jget_i64(j, path, "createdNs", &out->created_ns, err));
	CC_TRY(cc_jget_kvs(j, path, "containers", &out->containers, err));
	CC_TRY(cc_jget_kvs(j, path, "containers6", &out->containers6, err));
	CC_TRY(cc_jget_kvs(j, path, "macs", &out->macs, err));
	return 0;
fail:
	cc_network_release(out);
	return -1;
}

/* --- volumes --- */

json_t *cc_volume_to_json(const struct cc_volume *v)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "name", v->spec.name);
	cc_jset_str(o, "driver", v->spec.driver);
	cc_jset(o, "labels", cc_kvs_to_json(&v->spec.labels));
	cc_jset(o, "options", cc_kvs_to_json(&v->spec.options));
	cc_jset_str(o, "mountpoint", v->mountpoint);
	cc_jset_int(o, "createdNs", v->created_ns);
	return o;
}

int cc_volume_from_json(const json_t *j, struct cc_volume *out, struct cc_error **err)
{
	const char *path = "";
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "volume", err) < 0)
		return -1;
	CC_TRY(cc_jget_str(j, path, "name", true, &out->spec.name, err));
	CC_TRY(cc_jget_str(j, path, "driver", false, &out->spec.driver, err));
	CC_TRY(cc_jget_kvs(j, path, "labels", &out->spec.labels, err));
	CC_TRY(cc_jget_kvs(j, path, "options", &out->spec.options, err));
	CC_TRY(cc_jget_str(j, path, "mountpoint", false, &out->mountpoint, err));
	CC_TRY(cc_jget_i64(j, path, "createdNs", &out->created_ns, err));
	return 0;
fail:
	cc_volume_release(out);
	return -1;
}

/* --- secrets and configs --- */

json_t *cc_secret_to_json(const struct cc_secret *s)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "name", s->name);
	cc_jset_str(o, "kind", s->kind == CC_CONFIG ? "config" : "secret");
	cc_jset(o, "labels", cc_kvs_to_json(&s->labels));
	cc_jset_int(o, "createdNs", s->created_ns);
	cc_jset_str(o, "digest", s->digest);
	cc_jset_int(o, "size", s->size);
	return o;
}

int cc_secret_from_json(const json_t *j, struct cc_secret *out, struct cc_error **err)
{
	const char *path = "";
	cleanup_free char *kind = NULL;
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "secret", err) < 0)
		return -1;
	CC_TRY(cc_jget_str(j, path, "name", true, &out->name, err));
	CC_TRY(cc_jget_str(j, path, "kind", false, &kind, err));
	if (kind && strcmp(kind, "secret") == 0)
		out->kind = CC_SECRET;
	else if (kind && strcmp(kind, "config") == 0)
		out->kind = CC_CONFIG;
	else if (kind)
		CC_TRY(cc_jerr_type(err, path, "kind", "\"secret\" or \"config\""));
	CC_TRY(cc_jget_kvs(j, path, "labels", &out->labels, err));
	CC_TRY(cc_jget_i64(j, path, "createdNs", &out->created_ns, err));
	CC_TRY(cc_jget_str(j, path, "digest", false, &out->digest, err));
	CC_TRY(cc_jget_i64(j, path, "size", &out->size, err));
	return 0;
fail:
	cc_secret_release(out);
	return -1;
}

/* --- stats (encode only: they are sampled, never stored or sent back) --- */

json_t *cc_stats_to_json(const struct cc_stats *s)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "id", s->id);
	cc_jset_str(o, "name", s->name);
	cc_jset_int(o, "sampledNs", s->sampled_ns);
	cc_jset_u64(o, "cpuUsageMicroseconds", s->cpu_usage_us);
	cc_jset_u64(o, "systemCpuMicroseconds", s->system_cpu_us);
	cc_jset_u64(o, "onlineCpus", s->online_cpus);
	cc_jset_u64(o, "memoryUsageBytes", s->memory_usage);
	cc_jset_u64(o, "memoryLimitBytes", s->memory_limit);
	cc_jset_u64(o, "oomKillCount", s->oom_kills);
	cc_jset_u64(o, "pids", s->pids);
	cc_jset_u64(o, "blockReadBytes", s->block_read);
	cc_jset_u64(o, "blockWriteBytes", s->block_write);
	json_t *a = cc_jarray();
	for (size_t i = 0; i < s->nnetifs; i++) {
		const struct cc_netif_stats *n = &s->netifs[i];
		json_t *ni = cc_jobject();
		cc_jset_str(ni, "interface", n->name);
		cc_jset_u64(ni, "receivedBytes", n->rx_bytes);
		cc_jset_u64(ni, "transmittedBytes", n->tx_bytes);
		cc_jset_u64(ni, "receivedPackets", n->rx_packets);
		cc_jset_u64(ni, "transmittedPackets", n->tx_packets);
		cc_jappend(a, ni);
	}
	cc_jset(o, "networks", a);
	return o;
}
