/* The REST API's JSON shapes (shapes.h): the codec's JSON, renamed and completed where the contract says. */
#include "api/shapes.h"
#include "base/fsutil.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec-internal.h"

#include <string.h>

void api_set_time(json_t *obj, const char *key, int64_t ns)
{
	if (!ns)
		return;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_format_iso8601(ns, 0, &sb);
	cc_jset_str(obj, key, sb.buf);
	cc_strbuf_release(&sb);
}

/* The contract's state words: ours, with "removing" read as "stopping" (the container is going away). */
static const char *api_state(enum cc_container_state s)
{
	return s == CC_STATE_REMOVING ? "stopping" : cc_state_name(s);
}

static json_t *ports_brief(const struct cc_container *c)
{
	const struct cc_port_binding *ports = c->npublished ? c->published : c->spec.ports;
	size_t n = c->npublished ? c->npublished : c->spec.nports;
	json_t *a = cc_jarray();
	for (size_t i = 0; i < n; i++) {
		json_t *o = cc_jobject();
		cc_jset_int(o, "privatePort", ports[i].container_port);
		if (c->npublished)
			cc_jset_int_nz(o, "publicPort", ports[i].host_port);
		cc_jset_str(o, "proto", ports[i].protocol[0] ? ports[i].protocol : "tcp");
		if (c->npublished)
			cc_jset_str(o, "ip", ports[i].host_ip ? ports[i].host_ip : "0.0.0.0");
		cc_jappend(a, o);
	}
	return a;
}

/* The codec's view of c, with its engine id moved to `engineId` and its state word to `stateName`: the
 * extension fields every container shape carries. */
static json_t *container_base(const struct cc_container *c)
{
	json_t *o = cc_container_to_json(c);
	json_object_set(o, "engineId", json_object_get(o, "id"));
	json_object_del(o, "state");
	json_object_del(o, "health");
	cc_jset_str(o, "id", c->name);
	return o;
}

json_t *api_container_summary(const struct cc_container *c, int64_t now, bool full)
{
	json_t *o;
	if (full) {
		o = container_base(c);
	} else {
		o = cc_jobject();
		cc_jset_str(o, "id", c->name);
		cc_jset_str(o, "engineId", c->id);
	}
	json_t *names = cc_jarray();
	char *slash = cc_xasprintf("/%s", c->name);
	cc_jappend(names, cc_jstring(slash));
	free(slash);
	cc_jset(o, "names", names);
	cc_jset_str(o, "image", c->spec.image);
	cc_jset_str(o, "state", api_state(c->state));
	struct cc_strbuf st = CC_STRBUF_INIT;
	cc_container_status_text(c, now, &st);
	cc_jset_str(o, "status", st.buf);
	cc_strbuf_release(&st);
	api_set_time(o, "createdAt", c->created_ns);
	api_set_time(o, "startedAt", c->started_ns);
	cc_jset(o, "ports", ports_brief(c));
	cc_jset(o, "labels", cc_kvs_to_json(&c->spec.labels));
	cc_jset_str(o, "project", cc_kvs_get(&c->spec.labels, "com.docker.compose.project"));
	cc_jset_str(o, "service", cc_kvs_get(&c->spec.labels, "com.docker.compose.service"));
	if (c->health != CC_HEALTH_NONE)
		cc_jset_str(o, "health", cc_health_name(c->health));
	return o;
}

/* KEY=VALUE entries: `over`'s replace `base`'s of the same name, as docker merges an image's ENV. */
static json_t *merged_env(char *const *base, char *const *over)
{
	json_t *a = cc_jarray();
	for (char *const *b = base; b && *b; b++) {
		size_t k = strcspn(*b, "=");
		bool replaced = false;
		for (char *const *o = over; o && *o && !replaced; o++)
			replaced = strncmp(*o, *b, k) == 0 && ((*o)[k] == '=' || (*o)[k] == '\0');
		if (!replaced)
			cc_jappend(a, json_string(*b));
	}
	for (char *const *o = over; o && *o; o++)
		cc_jappend(a, json_string(*o));
	return a;
}

/* The contract's `config`: what the container runs with, the image's configuration under the creation
 * spec's, as docker's create merges them (an entrypoint given clears the image's command). */
static json_t *effective_config(const struct cc_container *c, const struct cc_image *img)
{
	const struct cc_container_spec *s = &c->spec;
	json_t *cfg = cc_jobject();
	char shortid[13] = "";
	snprintf(shortid, sizeof(shortid), "%s", c->id ? c->id : "");
	cc_jset_str(cfg, "hostname", s->hostname ? s->hostname : shortid);
	cc_jset_str(cfg, "domainname", s->domainname);
	cc_jset(cfg, "env", merged_env(img ? img->env : NULL, s->env));
	char *const *entrypoint = s->has_entrypoint ? s->entrypoint : img ? img->entrypoint : NULL;
	char *const *cmd = s->has_cmd ? s->cmd : s->has_entrypoint ? NULL : img ? img->cmd : NULL;
	if (entrypoint && entrypoint[0])
		cc_jset(cfg, "entrypoint", cc_strv_to_json(entrypoint));
	cc_jset(cfg, "cmd", cc_strv_to_json(cmd));
	const char *wd = s->working_dir ? s->working_dir : img && img->working_dir ? img->working_dir : "";
	cc_jset_str(cfg, "workingDir", *wd ? wd : "/");
	const char *user = s->user ? s->user : img ? img->user : NULL;
	if (user && *user)
		cc_jset_str(cfg, "user", user);
	struct cc_kvs labels = {0};
	for (size_t i = 0; img && i < img->labels.n; i++)
		cc_kvs_set(&labels, img->labels.items[i].key, img->labels.items[i].value);
	for (size_t i = 0; i < s->labels.n; i++)
		cc_kvs_set(&labels, s->labels.items[i].key, s->labels.items[i].value);
	cc_jset(cfg, "labels", cc_kvs_to_json(&labels));
	cc_kvs_release(&labels);
	cc_jset_str(cfg, "image", s->image);
	return cfg;
}

json_t *api_container_inspect(const struct cc_container *c, const struct cc_image *img)
{
	json_t *o = container_base(c);
	/* the creation spec stays, as `spec` (extension: the remote backend reads it back); `config` is the
	 * contract's view of what runs */
	json_object_set(o, "spec", json_object_get(o, "config"));
	cc_jset(o, "config", effective_config(c, img));
	api_set_time(o, "created", c->created_ns);
	cc_jset_str(o, "image", c->spec.image);
	cc_jset_str(o, "imageDigest", c->image_id);

	json_t *st = cc_jobject();
	cc_jset_str(st, "status", api_state(c->state));
	cc_jset(st, "running", json_boolean(c->state == CC_STATE_RUNNING || c->state == CC_STATE_PAUSED));
	cc_jset(st, "paused", json_boolean(c->state == CC_STATE_PAUSED));
	if (c->state == CC_STATE_EXITED || c->state == CC_STATE_DEAD || c->finished_ns)
		cc_jset_int(st, "exitCode", c->exit_code);
	api_set_time(st, "startedAt", c->started_ns);
	api_set_time(st, "finishedAt", c->finished_ns);
	cc_jset(st, "oomKilled", json_boolean(c->oom_killed));
	if (c->health != CC_HEALTH_NONE) {
		json_t *h = cc_jobject();
		cc_jset_str(h, "status", cc_health_name(c->health));
		cc_jset_int(h, "failingStreak", c->failing_streak);
		json_t *log = cc_jarray();
		for (size_t i = 0; i < c->nhealth_log; i++) {
			const struct cc_health_result *r = &c->health_log[i];
			json_t *e = cc_jobject();
			api_set_time(e, "start", r->start_ns);
			api_set_time(e, "end", r->end_ns);
			cc_jset_int(e, "exitCode", r->exit_code);
			cc_jset_str(e, "output", r->output ? r->output : "");
			cc_jappend(log, e);
		}
		cc_jset(h, "log", log);
		cc_jset(st, "health", h);
	}
	cc_jset(o, "state", st);

	json_t *nets = cc_jobject();
	for (size_t i = 0; i < c->nendpoints; i++) {
		const struct cc_endpoint *e = &c->endpoints[i];
		json_t *n = cc_jobject();
		cc_jset_str(n, "ipAddress", e->ipv4_address);
		cc_jset_str(n, "ipv6Address", e->ipv6_address);
		cc_jset(n, "aliases", cc_strv_to_json(e->aliases));
		cc_jset_str(n, "macAddress", e->mac_address);
		cc_jset(nets, e->network, n);
	}
	json_t *ns = cc_jobject();
	cc_jset(ns, "networks", nets);
	cc_jset(ns, "ports", ports_brief(c));
	cc_jset(o, "networkSettings", ns);
	json_t *mounts = json_object_get(json_object_get(o, "spec"), "mounts");
	cc_jset(o, "mounts", mounts ? json_incref(mounts) : cc_jarray());
	return o;
}

int api_container_decode(const json_t *j, struct cc_container *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "container", err) < 0)
		return -1;
	json_t *c = json_deep_copy(j);
	/* an inspect's creation spec is `spec`, its `config` the merged view */
	json_t *spec = json_object_get(c, "spec");
	if (spec)
		json_object_set(c, "config", spec);
	/* back to the codec's names: the engine id, the state word and health from either shape */
	json_t *eid = json_object_get(c, "engineId");
	if (eid)
		json_object_set(c, "id", eid);
	json_t *st = json_object_get(c, "state");
	if (json_is_object(st)) {
		json_t *h = json_object_get(st, "health");
		if (h)
			json_object_set(c, "health", json_object_get(h, "status"));
		json_object_set(c, "state", json_object_get(st, "status"));
	}
	json_t *state = json_object_get(c, "state");
	if (json_is_string(state) && strcmp(json_string_value(state), "stopping") == 0)
		json_object_set_new(c, "state", json_string("removing"));
	int r = cc_container_from_json(c, out, err);
	json_decref(c);
	return r;
}

/* docker's container actions, in the contract's words */
/* The engine's docker-style actions as the contract's event types: a container's alone ("started"), other
 * objects' after their type ("network.created"). */
static const char *const past_tense[][2] = {
    {"create", "created"},    {"start", "started"},     {"stop", "stopped"},
    {"die", "died"},          {"kill", "killed"},       {"oom", "oomKilled"},
    {"pause", "paused"},      {"unpause", "unpaused"},  {"destroy", "removed"},
    {"remove", "removed"},    {"delete", "removed"},    {"health_status", "health_status"},
    {"restart", "restarted"}, {"connect", "connected"}, {"disconnect", "disconnected"},
    {"pull", "pulled"},       {"push", "pushed"},       {"tag", "tagged"},
    {"untag", "untagged"},    {"load", "loaded"},       {"save", "saved"},
    {"import", "imported"},   {"prune", "pruned"},
};

static const char *event_word(const char *action)
{
	for (size_t i = 0; action && i < sizeof(past_tense) / sizeof(past_tense[0]); i++)
		if (strcmp(action, past_tense[i][0]) == 0)
			return past_tense[i][1];
	return action ? action : "unknown";
}

json_t *api_event_frame(const struct cc_event *e)
{
	json_t *o = cc_jobject();
	char *type = e->type && strcmp(e->type, "container") == 0
			 ? cc_xstrdup(event_word(e->action))
			 : cc_xasprintf("%s.%s", e->type ? e->type : "unknown", event_word(e->action));
	cc_jset_str(o, "type", type);
	free(type);
	bool container = e->type && strcmp(e->type, "container") == 0;
	cc_jset_str(o, "id", container && e->name ? e->name : e->id);
	api_set_time(o, "timestamp", e->time_ns);
	const char *exit_code = cc_kvs_get(&e->attributes, "exitCode");
	if (exit_code)
		cc_jset(o, "exitCode", json_integer(strtol(exit_code, NULL, 10)));
	cc_jset_str(o, "signal", cc_kvs_get(&e->attributes, "signal"));
	cc_jset_str(o, "project", cc_kvs_get(&e->attributes, "com.docker.compose.project"));
	cc_jset_str(o, "service", cc_kvs_get(&e->attributes, "com.docker.compose.service"));
	/* extension: the codec's event */
	cc_jset_int_nz(o, "seq", e->seq);
	cc_jset_int(o, "timeNs", e->time_ns);
	cc_jset_str(o, "eventType", e->type);
	cc_jset_str(o, "action", e->action);
	cc_jset_str(o, "engineId", e->id);
	cc_jset_str(o, "name", e->name);
	cc_jset(o, "attributes", cc_kvs_to_json(&e->attributes));
	return o;
}

int api_event_decode(const json_t *j, struct cc_event *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "event", err) < 0)
		return -1;
	json_t *c = json_deep_copy(j);
	json_object_set(c, "type", json_object_get(c, "eventType"));
	json_object_set(c, "id", json_object_get(c, "engineId"));
	int r = cc_event_from_json(c, out, err);
	json_decref(c);
	return r;
}

json_t *api_log_frame(const struct cc_log_frame *f, bool timestamps)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "stream", f->stream == CC_STREAM_STDERR ? "stderr" : "stdout");
	if (timestamps && f->time_ns) {
		struct cc_strbuf sb = CC_STRBUF_INIT;
		cc_format_iso8601(f->time_ns, 1, &sb);
		cc_jset_str(o, "timestamp", sb.buf);
		cc_strbuf_release(&sb);
	}
	char *line = cc_xstrndup(f->data, f->len);
	cc_jset_str(o, "line", line); /* invalid UTF-8 gets U+FFFD there */
	free(line);
	cc_jset_str(o, "container", f->container);
	cc_jset_int_nz(o, "timeNs", f->time_ns);
	return o;
}

int api_log_decode(const json_t *j, struct cc_log_frame *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "log frame", err) < 0)
		return -1;
	const json_t *line = cc_jfield(j, "line");
	if (!json_is_string(line))
		return cc_jerr_type(err, "", "line", "a string");
	const json_t *stream = cc_jfield(j, "stream");
	out->stream = json_is_string(stream) && strcmp(json_string_value(stream), "stderr") == 0
			  ? CC_STREAM_STDERR
			  : CC_STREAM_STDOUT;
	out->data = json_string_value(line);
	out->len = json_string_length(line);
	const json_t *c = cc_jfield(j, "container");
	out->container = json_is_string(c) ? json_string_value(c) : NULL;
	const json_t *t = cc_jfield(j, "timeNs");
	out->time_ns = json_is_integer(t) ? json_integer_value(t) : 0;
	return 0;
}

json_t *api_stats_frame(const struct cc_stats *s)
{
	json_t *o = cc_stats_to_json(s);
	/* container ids on the wire are names; the engine's id, as in every other shape, is engineId */
	if (s->name) {
		cc_jset_str(o, "engineId", s->id);
		cc_jset_str(o, "id", s->name);
	}
	api_set_time(o, "sampledAt", s->sampled_ns);
	return o;
}

static int netif_decode(const json_t *j, const char *path, void *out, struct cc_error **err)
{
	struct cc_netif_stats *n = out;
	int64_t rx = 0, tx = 0, rxp = 0, txp = 0;
	if (cc_jget_str(j, path, "interface", true, &n->name, err) < 0 ||
	    cc_jget_i64(j, path, "receivedBytes", &rx, err) < 0 ||
	    cc_jget_i64(j, path, "transmittedBytes", &tx, err) < 0 ||
	    cc_jget_i64(j, path, "receivedPackets", &rxp, err) < 0 ||
	    cc_jget_i64(j, path, "transmittedPackets", &txp, err) < 0)
		return -1;
	n->rx_bytes = (uint64_t)rx, n->tx_bytes = (uint64_t)tx;
	n->rx_packets = (uint64_t)rxp, n->tx_packets = (uint64_t)txp;
	return 0;
}

int api_stats_decode(const json_t *j, struct cc_stats *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "stats", err) < 0)
		return -1;
	int64_t v[10] = {0};
	static const char *const keys[] = {
	    "cpuUsageMicroseconds", "systemCpuMicroseconds", "onlineCpus", "memoryUsageBytes",
	    "memoryLimitBytes",     "oomKillCount",          "pids",       "blockReadBytes",
	    "blockWriteBytes"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CC_TRY(cc_jget_i64(j, "", keys[i], &v[i], err));
	CC_TRY(cc_jget_str(j, "", json_object_get(j, "engineId") ? "engineId" : "id", false, &out->id, err));
	CC_TRY(cc_jget_str(j, "", "name", false, &out->name, err));
	CC_TRY(cc_jget_i64(j, "", "sampledNs", &out->sampled_ns, err));
	out->cpu_usage_us = (uint64_t)v[0], out->system_cpu_us = (uint64_t)v[1];
	out->online_cpus = (unsigned)v[2], out->memory_usage = (uint64_t)v[3];
	out->memory_limit = (uint64_t)v[4], out->oom_kills = (uint64_t)v[5], out->pids = (uint64_t)v[6];
	out->block_read = (uint64_t)v[7], out->block_write = (uint64_t)v[8];
	void *nets = NULL;
	int r = cc_jget_objects(j, "", "networks", sizeof(struct cc_netif_stats), netif_decode, &nets,
				&out->nnetifs, err);
	out->netifs = nets;
	CC_TRY(r);
	return 0;
fail:
	cc_stats_release(out);
	return -1;
}

json_t *api_image(const struct cc_image *img)
{
	json_t *o = cc_image_to_json(img);
	api_set_time(o, "createdAt", img->created_ns);
	return o;
}

json_t *api_network(const struct cc_network *n)
{
	json_t *o = cc_network_to_json(n);
	/* the contract's attachment map: name -> {ipv4Address, ipv6Address} */
	json_t *cs = cc_jobject();
	for (size_t i = 0; i < n->containers.n; i++) {
		json_t *a = cc_jobject();
		const char *ip = n->containers.items[i].value;
		cc_jset_str(a, "ipv4Address", ip && *ip ? ip : NULL);
		cc_jset_str(a, "ipv6Address", cc_kvs_get(&n->containers6, n->containers.items[i].key));
		cc_jset_str(a, "macAddress", cc_kvs_get(&n->macs, n->containers.items[i].key));
		cc_jset(cs, n->containers.items[i].key, a);
	}
	cc_jset(o, "containers", cs);
	json_object_del(o, "containers6");
	json_object_del(o, "macs");
	if (!json_object_get(o, "driver"))
		cc_jset_str(o, "driver", "bridge");
	cc_jset(o, "internal", json_boolean(n->spec.internal));
	api_set_time(o, "createdAt", n->created_ns);
	return o;
}

int api_network_decode(const json_t *j, struct cc_network *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (cc_jcheck_object(j, "network", err) < 0)
		return -1;
	json_t *c = json_deep_copy(j);
	json_t *cs = json_object_get(c, "containers");
	if (json_is_object(cs)) {
		json_t *flat = json_object(), *flat6 = json_object(), *macs = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(cs, k, v)
		{
			json_t *ip = json_object_get(v, "ipv4Address");
			json_t *ip6 = json_object_get(v, "ipv6Address");
			json_t *mac = json_object_get(v, "macAddress");
			if (json_is_string(mac))
				json_object_set(macs, k, mac);
			json_object_set_new(flat, k,
					    json_string(json_is_string(ip) ? json_string_value(ip) : ""));
			if (json_is_string(ip6))
				json_object_set(flat6, k, ip6);
		}
		json_object_set_new(c, "containers", flat);
		json_object_set_new(c, "containers6", flat6);
		json_object_set_new(c, "macs", macs);
	}
	int r = cc_network_from_json(c, out, err);
	json_decref(c);
	return r;
}

json_t *api_volume(const struct cc_volume *v)
{
	json_t *o = cc_volume_to_json(v);
	if (!json_object_get(o, "driver"))
		cc_jset_str(o, "driver", "local");
	api_set_time(o, "createdAt", v->created_ns);
	return o;
}

json_t *api_secret(const struct cc_secret *s)
{
	json_t *o = cc_secret_to_json(s);
	/* a secret's digest would let anyone who can list confirm a guessed value offline; a config's is
	 * no secret */
	if (s->kind == CC_SECRET)
		json_object_del(o, "digest");
	api_set_time(o, "createdAt", s->created_ns);
	return o;
}

json_t *api_progress_frame(const struct cc_progress *p)
{
	json_t *o = cc_jobject();
	cc_jset_str(o, "image", p->ref);
	cc_jset_str(o, "status", p->status);
	cc_jset_str(o, "layer", p->layer);
	cc_jset_int_nz(o, "current", p->current);
	cc_jset_int_nz(o, "total", p->total);
	cc_jset_str(o, "message", p->message);
	return o;
}

int api_create_body_decode(const json_t *j, struct cc_container_spec *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "the body must be a JSON object");
	json_t *c = json_deep_copy(j);
	json_t *cpus = json_object_get(c, "cpus");
	if (cpus) {
		if (!json_is_number(cpus) || json_number_value(cpus) < 0) {
			json_decref(c);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "cpus: expected a positive number");
		}
		json_object_set_new(c, "nanoCpus", json_integer((json_int_t)(json_number_value(cpus) * 1e9)));
	}
	json_t *rp = json_object_get(c, "restartPolicy");
	if (json_is_string(rp)) {
		json_t *o = json_object();
		json_object_set(o, "name", rp);
		json_object_set_new(c, "restartPolicy", o);
	}
	int r = cc_container_spec_from_json(c, out, err);
	json_decref(c);
	if (r == 0 && (!out->image || !*out->image)) {
		cc_container_spec_release(out);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "image: required");
	}
	return r;
}

char *api_copy_entry_name(const char *path)
{
	char *clean = cc_path_clean(path);
	const char *base = cc_path_base(clean);
	/* "..", left by cleaning a relative path that climbs, names no entry: in the container it resolves to
	 * its root, and as a name it would climb out of the scratch directory it is joined to */
	char *name = cc_xstrdup(
	    *base && strcmp(base, "/") != 0 && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 ? base
												 : "root");
	free(clean);
	return name;
}
