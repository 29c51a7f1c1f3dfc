/* The Engine's container JSON both ways: a cc_container_spec into a create body, an inspect answer back
 * into a cc_container. */
#include "docker/docker-internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

cc_strv dk_strv(json_t *arr)
{
	if (!json_is_array(arr))
		return NULL;
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		if (json_is_string(e))
			cc_strv_push(&v, json_string_value(e));
	}
	return v;
}

json_t *dk_json_strv(char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *kvs_obj(const struct cc_kvs *kvs)
{
	json_t *o = json_object();
	for (size_t i = 0; i < kvs->n; i++)
		json_object_set_new(o, kvs->items[i].key,
				    json_string(kvs->items[i].value ? kvs->items[i].value : ""));
	return o;
}

static void set_strv(json_t *o, const char *key, char *const *v)
{
	if (v && v[0])
		json_object_set_new(o, key, dk_json_strv(v));
}

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new(o, key, json_string(s));
}

/* extra_hosts: the model's HOST=IP is the Engine API's HOST:IP (dockerd splits at the first colon, so an IPv6
 * address passes whole; it resolves `host-gateway` itself). */
static void set_extra_hosts(json_t *host, char *const *v)
{
	if (!v || !v[0])
		return;
	json_t *a = json_array();
	for (; *v; v++) {
		char *e = cc_xstrdup(*v);
		char *eq = strchr(e, '=');
		if (eq)
			*eq = ':';
		json_array_append_new(a, json_string(e));
		free(e);
	}
	json_object_set_new(host, "ExtraHosts", a);
}

static cc_strv extra_hosts_from(json_t *a)
{
	cc_strv out = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			continue;
		char *e = cc_xstrdup(json_string_value(v));
		char *colon = strchr(e, ':');
		if (colon)
			*colon = '=';
		cc_strv_push(&out, e);
		free(e);
	}
	return out;
}

static void add_mounts(json_t *host, const struct cc_container_spec *s)
{
	if (!s->nmounts && !(s->tmpfs && s->tmpfs[0]))
		return;
	json_t *mounts = json_array(), *binds = json_array();
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct cc_mount *m = &s->mounts[i];
		/* a bind that may create its source goes as a legacy bind, the one form with which every
		 * engine makes a missing source (Mounts' CreateMountpoint needs API 1.42), as docker compose
		 * sends it */
		if (m->type == CC_MOUNT_BIND && m->create_host_path && m->source && m->target) {
			char *b = cc_xasprintf("%s:%s%s", m->source, m->target, m->read_only ? ":ro" : "");
			json_array_append_new(binds, json_string(b));
			free(b);
			continue;
		}
		json_t *j =
		    json_pack("{s:s, s:b}", "Target", m->target ? m->target : "", "ReadOnly", m->read_only);
		switch (m->type) {
		case CC_MOUNT_BIND:
			json_object_set_new(j, "Type", json_string("bind"));
			set_str(j, "Source", m->source);
			break;
		case CC_MOUNT_VOLUME:
			json_object_set_new(j, "Type", json_string("volume"));
			set_str(j, "Source", m->source);
			if (m->nocopy)
				json_object_set_new(j, "VolumeOptions", json_pack("{s:b}", "NoCopy", 1));
			break;
		case CC_MOUNT_TMPFS:
			json_object_set_new(j, "Type", json_string("tmpfs"));
			if (m->tmpfs_size || m->tmpfs_mode) {
				json_t *o = json_object();
				if (m->tmpfs_size)
					json_object_set_new(o, "SizeBytes", json_integer(m->tmpfs_size));
				if (m->tmpfs_mode)
					json_object_set_new(o, "Mode", json_integer(m->tmpfs_mode));
				json_object_set_new(j, "TmpfsOptions", o);
			}
			break;
		}
		json_array_append_new(mounts, j);
	}
	json_object_set_new(host, "Mounts", mounts);
	if (json_array_size(binds))
		json_object_set_new(host, "Binds", binds);
	else
		json_decref(binds);
	if (s->tmpfs && s->tmpfs[0]) {
		json_t *t = json_object();
		for (size_t i = 0; s->tmpfs[i]; i++) {
			char *p = cc_xstrdup(s->tmpfs[i]);
			char *colon = strchr(p, ':');
			if (colon)
				*colon++ = '\0';
			json_object_set_new(t, p, json_string(colon ? colon : ""));
			free(p);
		}
		json_object_set_new(host, "Tmpfs", t);
	}
}

static void add_ports(json_t *cfg, json_t *host, const struct cc_container_spec *s)
{
	if (!s->nports)
		return;
	json_t *exposed = json_object(), *bindings = json_object();
	for (size_t i = 0; i < s->nports; i++) {
		const struct cc_port_binding *p = &s->ports[i];
		unsigned span =
		    p->host_port_end > p->host_port ? (unsigned)(p->host_port_end - p->host_port) : 0;
		for (unsigned k = 0; k <= span; k++) {
			char key[32], hp[8] = "";
			snprintf(key, sizeof(key), "%u/%s", (unsigned)p->container_port + k,
				 p->protocol[0] ? p->protocol : "tcp");
			if (p->host_port)
				snprintf(hp, sizeof(hp), "%u", (unsigned)p->host_port + k);
			json_object_set_new(exposed, key, json_object());
			json_t *arr = json_object_get(bindings, key);
			if (!arr) {
				arr = json_array();
				json_object_set_new(bindings, key, arr);
			}
			json_array_append_new(arr, json_pack("{s:s, s:s}", "HostIp",
							     p->host_ip ? p->host_ip : "", "HostPort", hp));
		}
	}
	json_object_set_new(cfg, "ExposedPorts", exposed);
	json_object_set_new(host, "PortBindings", bindings);
}

json_t *dk_spec_to_json(const struct cc_container_spec *s)
{
	json_t *j = json_object();
	set_str(j, "Image", s->image);
	if (s->has_entrypoint || (s->entrypoint && s->entrypoint[0]))
		json_object_set_new(j, "Entrypoint", dk_json_strv(s->entrypoint));
	if (s->has_cmd || (s->cmd && s->cmd[0]))
		json_object_set_new(j, "Cmd", dk_json_strv(s->cmd));
	set_strv(j, "Env", s->env);
	json_object_set_new(j, "Labels", kvs_obj(&s->labels));
	set_str(j, "WorkingDir", s->working_dir);
	set_str(j, "User", s->user);
	set_str(j, "Hostname", s->hostname);
	set_str(j, "Domainname", s->domainname);
	json_object_set_new(j, "Tty", json_boolean(s->tty));
	json_object_set_new(j, "OpenStdin", json_boolean(s->stdin_open));
	/* the end of an attached input closes the container's, as the native backend does (and `docker run
	 * -i`): without it a `run -i` reading to the end of its input would never end */
	json_object_set_new(j, "StdinOnce", json_boolean(s->stdin_open));
	set_str(j, "StopSignal", s->stop_signal);
	if (s->stop_grace_ns >= 0)
		json_object_set_new(j, "StopTimeout",
				    json_integer((json_int_t)(s->stop_grace_ns / 1000000000LL)));
	if (s->healthcheck) {
		const struct cc_healthcheck *h = s->healthcheck;
		json_t *hc = json_object();
		json_object_set_new(hc, "Test", dk_json_strv(h->test));
		json_object_set_new(hc, "Interval", json_integer(h->interval_ns));
		json_object_set_new(hc, "Timeout", json_integer(h->timeout_ns));
		json_object_set_new(hc, "StartPeriod", json_integer(h->start_period_ns));
		json_object_set_new(hc, "Retries", json_integer(h->retries));
		json_object_set_new(j, "Healthcheck", hc);
	}

	json_t *host = json_object();
	add_ports(j, host, s);
	add_mounts(host, s);
	json_t *rp = json_object();
	json_object_set_new(rp, "Name",
			    json_string(s->restart == CC_RESTART_NO ? "no" : cc_restart_name(s->restart)));
	if (s->restart == CC_RESTART_ON_FAILURE && s->restart_max_retries > 0)
		json_object_set_new(rp, "MaximumRetryCount", json_integer(s->restart_max_retries));
	json_object_set_new(host, "RestartPolicy", rp);
	json_object_set_new(host, "Privileged", json_boolean(s->privileged));
	json_object_set_new(host, "ReadonlyRootfs", json_boolean(s->read_only));
	json_object_set_new(host, "AutoRemove", json_boolean(s->auto_remove));
	if (s->init)
		json_object_set_new(host, "Init", json_true());
	set_strv(host, "CapAdd", s->cap_add);
	set_strv(host, "CapDrop", s->cap_drop);
	set_extra_hosts(host, s->extra_hosts);
	set_strv(host, "Links", s->links);
	set_strv(host, "Dns", s->dns);
	set_strv(host, "DnsSearch", s->dns_search);
	set_strv(host, "DnsOptions", s->dns_opt);
	set_strv(host, "GroupAdd", s->group_add);
	set_strv(host, "SecurityOpt", s->security_opt);
	if (s->sysctls.n)
		json_object_set_new(host, "Sysctls", kvs_obj(&s->sysctls));
	if (s->nulimits) {
		json_t *u = json_array();
		for (size_t i = 0; i < s->nulimits; i++)
			json_array_append_new(u, json_pack("{s:s, s:I, s:I}", "Name", s->ulimits[i].name,
							   "Soft", (json_int_t)s->ulimits[i].soft, "Hard",
							   (json_int_t)s->ulimits[i].hard));
		json_object_set_new(host, "Ulimits", u);
	}
	if (s->devices && s->devices[0]) {
		json_t *d = json_array();
		for (size_t i = 0; s->devices[i]; i++) {
			char *p = cc_xstrdup(s->devices[i]);
			char *in = strchr(p, ':');
			if (in)
				*in++ = '\0';
			char *perm = in ? strchr(in, ':') : NULL;
			if (perm)
				*perm++ = '\0';
			json_array_append_new(d, json_pack("{s:s, s:s, s:s}", "PathOnHost", p,
							   "PathInContainer", in ? in : p,
							   "CgroupPermissions", perm ? perm : "rwm"));
			free(p);
		}
		json_object_set_new(host, "Devices", d);
	}
	if (s->nano_cpus)
		json_object_set_new(host, "NanoCpus", json_integer(s->nano_cpus));
	if (s->memory)
		json_object_set_new(host, "Memory", json_integer(s->memory));
	if (s->memory_reservation)
		json_object_set_new(host, "MemoryReservation", json_integer(s->memory_reservation));
	if (s->memswap)
		json_object_set_new(host, "MemorySwap", json_integer(s->memswap));
	if (s->pids_limit)
		json_object_set_new(host, "PidsLimit", json_integer(s->pids_limit));
	if (s->shm_size)
		json_object_set_new(host, "ShmSize", json_integer(s->shm_size));
	if (s->cpu_shares)
		json_object_set_new(host, "CpuShares", json_integer(s->cpu_shares));
	if (s->cpu_period)
		json_object_set_new(host, "CpuPeriod", json_integer(s->cpu_period));
	if (s->cpu_quota)
		json_object_set_new(host, "CpuQuota", json_integer(s->cpu_quota));
	set_str(host, "CpusetCpus", s->cpuset);
	if (s->oom_score_adj)
		json_object_set_new(host, "OomScoreAdj", json_integer(s->oom_score_adj));
	set_str(host, "PidMode", s->pid_mode);
	set_str(host, "IpcMode", s->ipc_mode);
	set_str(host, "UTSMode", s->uts_mode);
	if (s->network_mode)
		json_object_set_new(host, "NetworkMode", json_string(s->network_mode));
	else if (s->nnetworks)
		json_object_set_new(host, "NetworkMode", json_string(s->networks[0].network));
	json_object_set_new(j, "HostConfig", host);

	if (!s->network_mode && s->nnetworks) {
		const struct cc_endpoint *e = &s->networks[0];
		json_t *ep = json_object();
		if (e->aliases && e->aliases[0])
			json_object_set_new(ep, "Aliases", dk_json_strv(e->aliases));
		if (e->ipv4_address || e->ipv6_address) {
			json_t *ipam = json_object();
			if (e->ipv4_address)
				json_object_set_new(ipam, "IPv4Address", json_string(e->ipv4_address));
			if (e->ipv6_address)
				json_object_set_new(ipam, "IPv6Address", json_string(e->ipv6_address));
			json_object_set_new(ep, "IPAMConfig", ipam);
		}
		set_str(ep, "MacAddress", e->mac_address);
		json_t *eps = json_object();
		json_object_set_new(eps, e->network, ep);
		json_object_set_new(j, "NetworkingConfig", json_pack("{s:o}", "EndpointsConfig", eps));
	}
	return j;
}

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

/* An image reference as the user wrote it: podman's service answers the fully qualified one
 * ("docker.io/library/nginx:latest" for "nginx"), dockerd the one given. */
static char *familiar_image(const char *ref)
{
	static const char hub[] = "docker.io/library/";
	if (!ref || strncmp(ref, hub, sizeof(hub) - 1) != 0)
		return ref ? cc_xstrdup(ref) : NULL;
	ref += sizeof(hub) - 1;
	size_t n = strlen(ref);
	if (n > 7 && strcmp(ref + n - 7, ":latest") == 0)
		n -= 7;
	return cc_xstrndup(ref, n);
}

static void spec_from(struct cc_container_spec *s, json_t *cfg, json_t *host)
{
	s->image = familiar_image(dk_str(cfg, "Image"));
	s->cmd = dk_strv(json_object_get(cfg, "Cmd"));
	s->has_cmd = s->cmd != NULL;
	s->entrypoint = dk_strv(json_object_get(cfg, "Entrypoint"));
	s->has_entrypoint = s->entrypoint != NULL;
	s->env = dk_strv(json_object_get(cfg, "Env"));
	kvs_from(&s->labels, json_object_get(cfg, "Labels"));
	s->working_dir = dk_strdup(cfg, "WorkingDir");
	s->user = dk_strdup(cfg, "User");
	s->hostname = dk_strdup(cfg, "Hostname");
	s->domainname = dk_strdup(cfg, "Domainname");
	s->tty = json_is_true(json_object_get(cfg, "Tty"));
	s->stdin_open = json_is_true(json_object_get(cfg, "OpenStdin"));
	s->stop_signal = dk_strdup(cfg, "StopSignal");
	json_t *st = json_object_get(cfg, "StopTimeout");
	s->stop_grace_ns = json_is_integer(st) ? (int64_t)json_integer_value(st) * 1000000000LL : -1;
	json_t *hc = json_object_get(cfg, "Healthcheck");
	if (json_is_object(hc)) {
		s->healthcheck = cc_xcalloc(1, sizeof(*s->healthcheck));
		s->healthcheck->test = dk_strv(json_object_get(hc, "Test"));
		s->healthcheck->interval_ns = dk_int(hc, "Interval");
		s->healthcheck->timeout_ns = dk_int(hc, "Timeout");
		s->healthcheck->start_period_ns = dk_int(hc, "StartPeriod");
		s->healthcheck->retries = (int)dk_int(hc, "Retries");
	}
	if (!json_is_object(host))
		return;
	json_t *rp = json_object_get(host, "RestartPolicy");
	const char *rn = dk_str(rp, "Name");
	int r = rn ? cc_restart_parse(rn) : 0;
	s->restart = r < 0 ? CC_RESTART_NO : (enum cc_restart_policy)r;
	s->restart_max_retries = (int)dk_int(rp, "MaximumRetryCount");
	s->privileged = json_is_true(json_object_get(host, "Privileged"));
	s->read_only = json_is_true(json_object_get(host, "ReadonlyRootfs"));
	s->auto_remove = json_is_true(json_object_get(host, "AutoRemove"));
	s->init = json_is_true(json_object_get(host, "Init"));
	s->cap_add = dk_strv(json_object_get(host, "CapAdd"));
	s->cap_drop = dk_strv(json_object_get(host, "CapDrop"));
	s->extra_hosts = extra_hosts_from(json_object_get(host, "ExtraHosts"));
	s->nano_cpus = dk_int(host, "NanoCpus");
	s->memory = dk_int(host, "Memory");
	s->pids_limit = dk_int(host, "PidsLimit");
	s->shm_size = dk_int(host, "ShmSize");
	const char *nm = dk_str(host, "NetworkMode");
	if (nm && (strcmp(nm, "none") == 0 || strcmp(nm, "host") == 0 || strncmp(nm, "container:", 10) == 0))
		s->network_mode = cc_xstrdup(nm);
}

static void ports_from(struct cc_container *c, json_t *ports)
{
	const char *key;
	json_t *arr;
	json_object_foreach(ports, key, arr)
	{
		unsigned cport = 0;
		char proto[8] = "tcp";
		if (sscanf(key, "%u/%7s", &cport, proto) < 1 || !json_is_array(arr))
			continue;
		size_t i;
		json_t *b;
		json_array_foreach(arr, i, b)
		{
			const char *hp = dk_str(b, "HostPort");
			const char *hip = dk_str(b, "HostIp");
			c->published = cc_xrealloc(c->published, (c->npublished + 1) * sizeof(*c->published));
			struct cc_port_binding *p = &c->published[c->npublished++];
			memset(p, 0, sizeof(*p));
			p->container_port = (uint16_t)cport;
			p->host_port = hp ? (uint16_t)atoi(hp) : 0;
			p->host_ip = hip ? cc_xstrdup(hip) : NULL;
			snprintf(p->protocol, sizeof(p->protocol), "%s", proto);
		}
	}
}

/* The mounts as the engine made them: anonymous volumes carry their generated names here. */
static void mounts_from(struct cc_container_spec *s, json_t *arr)
{
	size_t i;
	json_t *m;
	json_array_foreach(arr, i, m)
	{
		const char *type = dk_str(m, "Type");
		if (!type)
			continue;
		s->mounts = cc_xrealloc(s->mounts, (s->nmounts + 1) * sizeof(*s->mounts));
		struct cc_mount *cm = &s->mounts[s->nmounts++];
		memset(cm, 0, sizeof(*cm));
		cm->type = strcmp(type, "volume") == 0  ? CC_MOUNT_VOLUME
			   : strcmp(type, "tmpfs") == 0 ? CC_MOUNT_TMPFS
							: CC_MOUNT_BIND;
		cm->source = dk_strdup(m, cm->type == CC_MOUNT_VOLUME ? "Name" : "Source");
		cm->target = dk_strdup(m, "Destination");
		cm->read_only = json_is_false(json_object_get(m, "RW"));
	}
}

/* podman's service passes some of its own state words through: "stopped" is a process that has exited
 * and whose clean-up is pending (its exit code is known), "stopping" one that is being stopped and still
 * runs, "configured" and "initialized" ones that have not started. Read as created, an exited container
 * looked like one never started, and `wait` gave up on it. */
static enum cc_container_state state_from(const char *status)
{
	static const struct {
		const char *word;
		enum cc_container_state state;
	} podman_words[] = {
	    {"stopped", CC_STATE_EXITED},
	    {"stopping", CC_STATE_RUNNING},
	    {"configured", CC_STATE_CREATED},
	    {"initialized", CC_STATE_CREATED},
	};
	int s = status ? cc_state_parse(status) : -1;
	if (s >= 0)
		return (enum cc_container_state)s;
	for (size_t i = 0; status && i < sizeof(podman_words) / sizeof(podman_words[0]); i++)
		if (strcmp(status, podman_words[i].word) == 0)
			return podman_words[i].state;
	return CC_STATE_CREATED;
}

void dk_container_from_json(json_t *j, struct cc_container *c)
{
	memset(c, 0, sizeof(*c));
	c->id = dk_strdup(j, "Id");
	const char *name = dk_str(j, "Name");
	c->name = cc_xstrdup(name ? (name[0] == '/' ? name + 1 : name) : "");
	c->image_id = dk_strdup(j, "Image");
	c->created_ns = dk_parse_time(dk_str(j, "Created"));
	c->restart_count = (int)dk_int(j, "RestartCount");
	spec_from(&c->spec, json_object_get(j, "Config"), json_object_get(j, "HostConfig"));
	if (!c->spec.name)
		c->spec.name = cc_xstrdup(c->name);
	json_t *st = json_object_get(j, "State");
	const char *status = dk_str(st, "Status");
	c->state = state_from(status);
	c->exit_code = (int)dk_int(st, "ExitCode");
	c->oom_killed = json_is_true(json_object_get(st, "OOMKilled"));
	c->pid = (int)dk_int(st, "Pid");
	c->started_ns = dk_parse_time(dk_str(st, "StartedAt"));
	c->finished_ns = dk_parse_time(dk_str(st, "FinishedAt"));
	json_t *h = json_object_get(st, "Health");
	if (json_is_object(h)) {
		const char *hs = dk_str(h, "Status");
		int hv = hs ? cc_health_parse(hs) : -1;
		c->health = hv < 0 ? CC_HEALTH_NONE : (enum cc_health_status)hv;
		c->failing_streak = (int)dk_int(h, "FailingStreak");
		json_t *log = json_object_get(h, "Log");
		size_t n = json_array_size(log), i;
		json_t *e;
		if (n)
			c->health_log = cc_xcalloc(n, sizeof(*c->health_log));
		json_array_foreach(log, i, e)
		{
			struct cc_health_result *r = &c->health_log[c->nhealth_log++];
			r->start_ns = dk_parse_time(dk_str(e, "Start"));
			r->end_ns = dk_parse_time(dk_str(e, "End"));
			r->exit_code = (int)dk_int(e, "ExitCode");
			r->output = cc_xstrdup(dk_str(e, "Output") ? dk_str(e, "Output") : "");
		}
	}
	mounts_from(&c->spec, json_object_get(j, "Mounts"));
	const char *mode = dk_str(json_object_get(j, "HostConfig"), "NetworkMode");
	bool dflt = mode && strcmp(mode, "default") == 0;
	json_t *ns = json_object_get(j, "NetworkSettings");
	json_t *nets = json_object_get(ns, "Networks");
	const char *key;
	json_t *n;
	json_object_foreach(nets, key, n)
	{
		if (strcmp(key, "none") == 0 || strcmp(key, "host") == 0 ||
		    (dflt && strcmp(key, "bridge") == 0))
			continue;
		c->endpoints = cc_xrealloc(c->endpoints, (c->nendpoints + 1) * sizeof(*c->endpoints));
		struct cc_endpoint *e = &c->endpoints[c->nendpoints++];
		memset(e, 0, sizeof(*e));
		e->network = cc_xstrdup(key);
		e->aliases = dk_strv(json_object_get(n, "Aliases"));
		e->ipv4_address = dk_strdup(n, "IPAddress");
		e->ipv6_address = dk_strdup(n, "GlobalIPv6Address");
		if (e->ipv6_address && !*e->ipv6_address) {
			free(e->ipv6_address);
			e->ipv6_address = NULL;
		}
		e->mac_address = dk_strdup(n, "MacAddress");
		/* the engine keeps a container's networks in the same place, attached or not */
		c->spec.networks =
		    cc_xrealloc(c->spec.networks, (c->spec.nnetworks + 1) * sizeof(*c->spec.networks));
		struct cc_endpoint *sn = &c->spec.networks[c->spec.nnetworks++];
		memset(sn, 0, sizeof(*sn));
		sn->network = cc_xstrdup(key);
		sn->aliases = dk_strv(json_object_get(n, "Aliases"));
	}
	ports_from(c, json_object_get(ns, "Ports"));
}

bool dk_stamp_in_window(const char *stamp, int64_t since_ns, int64_t until_ns, int64_t *t_out)
{
	int64_t t = dk_parse_time(stamp);
	*t_out = t;
	if (!t)
		return true;
	/* a stamp without a fraction (podman's service gives whole seconds) stands for any instant of that
	 * second: the line printed 0.8 s into it is not before a `since` 0.2 s into it */
	bool whole = !strchr(stamp, '.');
	int64_t latest = whole ? t + 999999999LL : t;
	return !(since_ns > 0 && latest < since_ns) && !(until_ns > 0 && t > until_ns);
}
